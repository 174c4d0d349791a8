#!/usr/bin/env python3
"""A stand-in for Alfresco's public REST API, trashcan part, for alfwipe's purge tests.

Alfresco Content Services cannot run in the test environment, so this small server plays the
documented API instead (alfresco-facts.md section 9): the deleted-nodes listing with its paging
envelope, DELETE of an item (204, or 404 when it is not there), the error body
{"error": {...}}, basic and ticket authentication, and the failure modes a real server shows
(slow replies, 5xx then success, 401/403, 429 with Retry-After, malformed JSON, pagination that
never ends, connection resets), all driven by a scenario file written by each test.

It is not Alfresco and claims nothing about Alfresco beyond those documented behaviours.

Usage:
  server.py --scenario FILE --log FILE [--cert PEM --key PEM]

Prints "PORT <n>" on its first output line once it listens on 127.0.0.1 (a free port). Every
request is appended to the log as one JSON object per line, before the reply is sent: method,
path, query, auth kind ("basic:<user>", "basic-bad:<user>", "ticket", "ticket-bad",
"ticket-expired", "none"), status (or "reset" / "stalled"). Passwords are never logged.

Scenario (JSON):
  items            trashcan entries, most recently deleted first, served verbatim as "entry"
  page_size        largest page the server hands out, whatever maxItems asks (default 100)
  total_items      "first" (default: only on the page at skipCount 0), "always" or "never"
  users            {"admin": "password"} accepted for basic auth and tickets
  ticket_max_uses  the first ticket issued expires after this many requests (default: never)
  repeat_page      list of item ids: every listing page serves them with hasMoreItems true
  endless          true: every listing page holds new ids and hasMoreItems true, for ever
  rules            [{"method", "path" (after .../versions/1/, e.g. "deleted-nodes/uuid-d"),
                     "query" (optional dict that must match), "responses": [...],
                     "repeat": bool (keep using the last response)}]
                   A response is {"status", "headers", "body" (JSON) or "raw" (text),
                   "delay" (seconds before answering), "reset": true}. A response with a
                   status replaces the normal behaviour (nothing is deleted); one with only a
                   delay answers normally after the delay.
"""

import argparse
import base64
import http.server
import json
import secrets
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse

CORE = "/alfresco/api/-default-/public/alfresco/versions/1/"
TICKETS = "/alfresco/api/-default-/public/authentication/versions/1/tickets"


class State:
    def __init__(self, scenario, log_path):
        self.lock = threading.Lock()
        self.sc = scenario
        self.items = list(scenario.get("items", []))
        self.users = scenario.get("users", {"admin": "admin"})
        self.tickets = {}  # ticket -> [user, uses, index of issue]
        self.issued = 0
        self.rules = scenario.get("rules", [])
        self.calls = [0] * len(self.rules)
        self.log = open(log_path, "a", encoding="utf-8")
        self.seq = 0

    def write_log(self, rec):
        with self.lock:
            self.seq += 1
            rec["n"] = self.seq
            self.log.write(json.dumps(rec, sort_keys=True) + "\n")
            self.log.flush()

    def rule_response(self, method, sub, query):
        """The scripted response for this request, or None."""
        with self.lock:
            for i, r in enumerate(self.rules):
                if r.get("method", "GET") != method or r.get("path") != sub:
                    continue
                want = r.get("query", {})
                if any(query.get(k, [None])[0] != str(v) for k, v in want.items()):
                    continue
                resp = r.get("responses", [])
                k = self.calls[i]
                self.calls[i] += 1
                if k < len(resp):
                    return resp[k]
                if r.get("repeat") and resp:
                    return resp[-1]
        return None


def error_body(status, key, summary):
    return {"error": {"errorKey": key, "statusCode": status, "briefSummary": summary,
                      "stackTrace": "For security reasons the stack trace is no longer "
                                    "displayed, but the property is kept for previous versions",
                      "descriptionURL": "https://api-explorer.alfresco.com",
                      "logId": secrets.token_hex(4)}}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "MockAlfresco/1.0"
    st = None  # State, set in main

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        self.tls_ok = True
        if isinstance(self.request, ssl.SSLSocket):
            try:
                self.request.settimeout(10)
                self.request.do_handshake()
                self.request.settimeout(None)
            except (ssl.SSLError, OSError) as e:
                self.tls_ok = False
                self.st.write_log({"tls": "handshake failed", "detail": str(e)[:120]})
        super().setup()

    def handle(self):
        if self.tls_ok:
            try:
                super().handle()
            except (ConnectionError, ssl.SSLError, OSError):
                pass

    def finish(self):
        try:
            super().finish()
        except (ConnectionError, ssl.SSLError, OSError, ValueError):
            pass

    # --- helpers ---------------------------------------------------------------------------

    def note(self, status):
        """Log the request once, before answering: the log is complete when the client has
        its reply."""
        if not self.logged:
            self.logged = True
            self.rec["status"] = status
            self.st.write_log(self.rec)

    def send_json(self, status, obj=None, raw=None, headers=None):
        self.note(status)
        data = b""
        if raw is not None:
            data = raw.encode()
        elif obj is not None:
            data = json.dumps(obj).encode()
        self.send_response(status)
        if data:
            self.send_header("Content-Type", "application/json;charset=UTF-8")
        for k, v in (headers or {}).items():
            self.send_header(k, str(v))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data:
            self.wfile.write(data)
        return status

    def reset(self):
        """Close the connection with a TCP reset, without any reply."""
        self.note("reset")
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.close_connection = True
        try:
            sock = self.connection
            if isinstance(sock, ssl.SSLSocket):
                raw = socket.socket(fileno=sock.detach())
                raw.close()
            else:
                sock.close()
        except OSError:
            pass
        return "reset"

    def auth_kind(self, query):
        """Returns (kind, ok)."""
        if "alf_ticket" in query:
            t = query["alf_ticket"][0]
            return self.check_ticket(t)
        h = self.headers.get("Authorization")
        if not h:
            return "none", False
        if not h.startswith("Basic "):
            return "other", False
        try:
            dec = base64.b64decode(h[6:], validate=True).decode()
        except (ValueError, UnicodeDecodeError):
            return "basic-undecodable", False
        user, sep, pw = dec.partition(":")
        # Alfresco: a ticket when the user part is empty, missing or ROLE_TICKET.
        if not sep:
            return self.check_ticket(dec)
        if user == "" or user.upper() == "ROLE_TICKET":
            return self.check_ticket(pw)
        ok = self.st.users.get(user) == pw
        return ("basic:" if ok else "basic-bad:") + user, ok

    def check_ticket(self, t):
        with self.st.lock:
            rec = self.st.tickets.get(t)
            if rec is None:
                return "ticket-bad", False
            limit = self.st.sc.get("ticket_max_uses")
            rec[1] += 1
            if limit is not None and rec[2] == 0 and rec[1] > limit:
                del self.st.tickets[t]
                return "ticket-expired", False
            return "ticket", True

    # --- dispatch --------------------------------------------------------------------------

    def do_GET(self):
        self.dispatch("GET")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def dispatch(self, method):
        u = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(u.query, keep_blank_values=True)
        body = b""
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            body = self.rfile.read(n)
        rec = {"method": method, "path": u.path, "query": u.query}
        self.rec, self.logged = rec, False
        try:
            self.route(method, u.path, query, body, rec)
        except (ConnectionError, ssl.SSLError, OSError):
            self.note("client-gone")

    def route(self, method, path, query, body, rec):
        if path.startswith(TICKETS):
            rec["auth"] = "none"
            return self.tickets(method, path[len(TICKETS):], body, rec)
        if not path.startswith(CORE):
            return self.send_json(404, error_body(404, "framework.exception.NotFound",
                                                  "Unknown path"))
        sub = path[len(CORE):]
        kind, ok = self.auth_kind(query)
        rec["auth"] = kind
        scripted = self.st.rule_response(method, sub, query)
        if scripted is not None:
            if scripted.get("delay"):
                if "status" in scripted:
                    # A stalled reply: the client has given up long before it comes.
                    self.note("stalled")
                time.sleep(float(scripted["delay"]))
            if scripted.get("reset"):
                return self.reset()
            if "status" in scripted:
                return self.send_json(int(scripted["status"]), scripted.get("body"),
                                      scripted.get("raw"), scripted.get("headers"))
        if not ok:
            return self.send_json(401, error_body(401, "framework.exception.ApiDefault",
                                                  "Authentication failed"))
        if sub == "deleted-nodes" and method == "GET":
            return self.listing(query)
        if sub.startswith("deleted-nodes/") and method == "DELETE":
            return self.delete(urllib.parse.unquote(sub[len("deleted-nodes/"):]))
        return self.send_json(405, error_body(405, "framework.exception.UnsupportedResourceOperation",
                                              "The operation is unsupported"))

    def tickets(self, method, rest, body, rec):
        if method == "POST" and rest == "":
            try:
                req = json.loads(body.decode() or "null")
            except ValueError:
                return self.send_json(400, error_body(400, "framework.exception.InvalidArgument",
                                                      "Could not read content from HTTP request body"))
            if not isinstance(req, dict):
                return self.send_json(400, error_body(400, "framework.exception.InvalidArgument",
                                                      "Could not read content"))
            user = req.get("userId")
            rec["ticket_user"] = user
            if self.st.users.get(user) != req.get("password"):
                return self.send_json(403, error_body(403, "framework.exception.PermissionDenied",
                                                      "Login failed"))
            t = "TICKET_" + secrets.token_hex(20)
            with self.st.lock:
                self.st.issued += 1
                self.st.tickets[t] = [user, 0, self.st.issued - 1]
            return self.send_json(201, {"entry": {"id": t, "userId": user}})
        if rest == "/-me-":
            kind, ok = self.auth_kind({})
            rec["auth"] = kind
            if not ok:
                return self.send_json(401, error_body(401, "framework.exception.ApiDefault",
                                                      "Authentication failed"))
            if method == "DELETE":
                h = self.headers.get("Authorization", "")
                dec = base64.b64decode(h[6:]).decode()
                t = dec.partition(":")[2] if ":" in dec else dec
                with self.st.lock:
                    self.st.tickets.pop(t, None)
                return self.send_json(204)
            return self.send_json(200, {"entry": {"id": "-me-", "userId": "admin"}})
        return self.send_json(404, error_body(404, "framework.exception.NotFound", "Unknown"))

    def listing(self, query):
        try:
            skip = int(query.get("skipCount", ["0"])[0])
            maxi = int(query.get("maxItems", ["100"])[0])
        except ValueError:
            return self.send_json(400, error_body(400, "framework.exception.InvalidArgument",
                                                  "Invalid paging parameter"))
        if skip < 0 or maxi < 1:
            return self.send_json(400, error_body(400, "framework.exception.InvalidArgument",
                                                  "Invalid paging parameter"))
        sc = self.st.sc
        with self.st.lock:
            items = list(self.st.items)
        if sc.get("repeat_page"):
            ids = sc["repeat_page"]
            page = [i for i in items if i.get("id") in ids]
            more = True
        elif sc.get("endless"):
            # A broken server: every page brings new ids and claims more, past totalItems.
            n = min(maxi, int(sc.get("page_size", 100)))
            page = [dict(items[0], id="uuid-x%06d" % (skip + k)) for k in range(n)]
            more = True
        else:
            n = min(maxi, int(sc.get("page_size", 100)))
            page = items[skip:skip + n]
            more = skip + len(page) < len(items)
        pag = {"count": len(page), "hasMoreItems": more, "skipCount": skip, "maxItems": maxi}
        mode = sc.get("total_items", "first")
        if mode == "always" or (mode == "first" and skip == 0):
            pag["totalItems"] = len(items)
        env = {"list": {"pagination": pag, "entries": [{"entry": e} for e in page]}}
        return self.send_json(200, env)

    def delete(self, node_id):
        with self.st.lock:
            for k, it in enumerate(self.st.items):
                if it.get("id") == node_id:
                    del self.st.items[k]
                    break
            else:
                it = None
        if it is None:
            return self.send_json(404, error_body(404, "framework.exception.EntityNotFound",
                                                  "The entity with id: %s was not found"
                                                  % node_id))
        return self.send_json(204)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    ctx = None

    def get_request(self):
        sock, addr = self.socket.accept()
        if self.ctx is not None:
            # The handshake runs in the handler thread: a client that rejects the certificate
            # must not block the accept loop.
            sock = self.ctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request, client_address):
        pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    a = ap.parse_args()
    with open(a.scenario, encoding="utf-8") as f:
        scenario = json.load(f)
    Handler.st = State(scenario, a.log)
    srv = Server(("127.0.0.1", 0), Handler)
    if a.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.cert, a.key)
        srv.ctx = ctx
    print("PORT %d" % srv.server_address[1], flush=True)
    try:
        srv.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
