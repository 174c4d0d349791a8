#!/usr/bin/env python3
"""purge P9: ticket authentication, an expired ticket, and secrets kept out of argv and logs.

Alfresco cannot run here: tests/mock-alfresco/server.py stands in for it and plays the
documented deleted-nodes and tickets API (POST .../tickets, Authorization: Basic base64(ticket)).
"""
import subprocess
import time
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mock-alfresco"))
import mockaf as m  # noqa: E402



def test(tmp, pki, start):
    mk = start({"items": m.base_items(), "page_size": 2})
    conf = m.write_conf(tmp, mk.url, pki["ca"])
    r = m.run(conf, "--auth", "ticket", verbose="-vv")
    m.eq(r.rc, 0, "P9 exit code", r)
    reqs = mk.http_requests()
    posts = [q for q in reqs if q["method"] == "POST"]
    m.eq([(q["path"], q.get("ticket_user"), q["status"]) for q in posts],
         [(m.TICKETS, "admin", 201)], "P9: one ticket POST", r)
    m.eq(reqs[0]["method"], "POST", "P9: the ticket comes first", r)
    api = [q for q in reqs if q["path"].startswith(m.CORE)]
    m.check(api and all(q["auth"] == "ticket" for q in api),
            "P9: every later request carries the ticket: %r" % [q["auth"] for q in api], r)
    m.eq(mk.purged(), ["uuid-e", "uuid-d", "uuid-c"], "P9 deletes", r)
    m.eq([(q["method"], q["path"], q["auth"]) for q in reqs][-1],
         ("DELETE", m.TICKETS + "/-me-", "ticket"), "P9: logout at the end", r)
    for secret in ("TICKET_", "Authorization", "Basic "):
        m.check(secret not in r.err and secret not in r.out,
                "P9: %r does not appear in the -vv output" % secret, r)
    m.check("DELETE /alfresco/api/-default-/public/alfresco/versions/1/deleted-nodes/uuid-e -> 204"
            in r.err, "P9: -vv shows method, path and status", r)

    # The password is in no argv while alfwipe runs (read from /proc).
    mk = start({"items": m.base_items(), "page_size": 2, "rules": [
        {"method": "GET", "path": "deleted-nodes", "query": {"skipCount": 0},
         "responses": [{"delay": 1.5}]}]})
    conf = m.write_conf(tmp, mk.url, pki["ca"], name="p9proc.conf")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALFWIPE_")}
    p = subprocess.Popen([m.ALFWIPE, "-c", conf, "--now", m.NOW, "purge", "--auth", "ticket"],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    cmdlines = []
    deadline = time.time() + 20
    while p.poll() is None and time.time() < deadline:
        try:
            with open("/proc/%d/cmdline" % p.pid, "rb") as f:
                cmdlines.append(f.read())
        except FileNotFoundError:
            break
        time.sleep(0.05)
    out, err = p.communicate(timeout=60)
    m.check(cmdlines, "P9: /proc/pid/cmdline was read while alfwipe ran")
    m.check(not [c for c in cmdlines if m.PASSWORD.encode() in c],
            "P9: the password is in no /proc/pid/cmdline")
    m.eq(p.returncode, 0, "P9 /proc run exit code")
    m.check(m.PASSWORD.encode() not in out + err, "P9: password not in the output")

    # An expired ticket (401 part-way): one fresh ticket, a single retry, then success.
    mk = start({"items": m.base_items(), "page_size": 2, "ticket_max_uses": 3})
    conf = m.write_conf(tmp, mk.url, pki["ca"], name="p9exp.conf")
    r = m.run(conf, "--auth", "ticket")
    m.eq(r.rc, 0, "P9 expired ticket exit code", r)
    reqs = mk.http_requests()
    m.eq(len([q for q in reqs if q["method"] == "POST"]), 2, "P9: a second ticket", r)
    expired = [i for i, q in enumerate(reqs) if q.get("auth") == "ticket-expired"]
    m.eq(len(expired), 1, "P9: one request met the expired ticket", r)
    k = expired[0]
    m.eq(reqs[k + 1]["method"], "POST", "P9: a fresh ticket right after the 401", r)
    m.eq((reqs[k + 2]["method"], reqs[k + 2]["path"], reqs[k + 2]["query"]),
         (reqs[k]["method"], reqs[k]["path"], reqs[k]["query"]),
         "P9: the refused request is repeated once", r)
    m.eq(mk.purged(), ["uuid-e", "uuid-d", "uuid-c"], "P9 expired ticket: deletes", r)

    # A wrong password: the ticket is refused, nothing else is sent.
    mk = start({"items": m.base_items(), "page_size": 2, "users": {"admin": "another"}})
    conf = m.write_conf(tmp, mk.url, pki["ca"], name="p9bad.conf")
    r = m.run(conf, "--auth", "ticket")
    m.eq(r.rc, 3, "P9 wrong password exit code", r)
    m.check("authentication failed for user 'admin'" in r.err, "P9 wrong password message", r)
    m.eq([q["method"] for q in mk.http_requests()], ["POST"], "P9 wrong password: only the POST",
         r)

    # P9b: a password file readable by group or others is refused before any request.
    mk = start({"items": m.base_items(), "page_size": 2})
    conf = m.write_conf(tmp, mk.url, pki["ca"], name="p9b.conf", pw_mode=0o640)
    r = m.run(conf, "--auth", "ticket")
    m.eq(r.rc, 3, "P9b exit code", r)
    m.check("chmod" in r.err, "P9b hint says how to fix the mode", r)
    m.eq(mk.http_requests(), [], "P9b: no request", r)


if __name__ == "__main__":
    sys.exit(m.main(test))
