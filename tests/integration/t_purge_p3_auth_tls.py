#!/usr/bin/env python3
"""purge P3: authentication and TLS failures stop the run.

Alfresco cannot run here: tests/mock-alfresco/server.py stands in for it and plays the
documented deleted-nodes API, with scripted 401/403 answers and a certificate from another CA.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mock-alfresco"))
import mockaf as m  # noqa: E402

ERR401 = {"error": {"errorKey": "framework.exception.ApiDefault", "statusCode": 401,
                    "briefSummary": "05310001 Authentication failed", "logId": "f00d01"}}
ERR403 = {"error": {"errorKey": "framework.exception.PermissionDenied", "statusCode": 403,
                    "briefSummary": "05310002 Permission was denied", "logId": "f00d02"}}


def test(tmp, pki, start):
    # P3a: the first GET answers 401: stop at once, nothing deleted.
    mk = start({"items": m.base_items(), "page_size": 2,
                "rules": [{"method": "GET", "path": "deleted-nodes", "repeat": True,
                           "responses": [{"status": 401, "body": ERR401}]}]})
    conf = m.write_conf(tmp, mk.url, pki["ca"])
    r = m.run(conf, verbose="-vv")
    m.eq(r.rc, 3, "P3a exit code", r)
    m.check("authentication failed for user 'admin' at %s" % mk.url in r.err,
            "P3a message names the user and the URL", r)
    m.check("api.user and api.password_file" in r.err, "P3a hint names the settings", r)
    m.eq(len(mk.list_gets()), 1, "P3a: one GET, no retry of a 401", r)
    m.eq(mk.deletes(), [], "P3a: no DELETE", r)

    # P3b: the first DELETE (e) answers 403: e failed, d and c not attempted.
    mk = start({"items": m.base_items(), "page_size": 2,
                "rules": [{"method": "DELETE", "path": "deleted-nodes/uuid-e",
                           "responses": [{"status": 403, "body": ERR403}]}]})
    conf = m.write_conf(tmp, mk.url, pki["ca"], name="p3b.conf")
    r = m.run(conf, "--format", "json")
    m.eq(r.rc, 2, "P3b exit code", r)
    m.eq(mk.deletes(), [("uuid-e", 403)], "P3b: only e attempted", r)
    j = json.loads(r.out)
    st = {i["id"]: i["status"] for i in j["items"]}
    m.eq(st, {"uuid-e": "failed", "uuid-d": "not_attempted", "uuid-c": "not_attempted"},
         "P3b item states", r)
    m.check("uuid-e" in j["stopped"] and "admin" in j["stopped"],
            "P3b: the stop reason names the item and the user", r)
    m.check("not allowed to purge 'uuid-e'" in r.err, "P3b message on stderr", r)
    m.eq(j["summary"]["not_attempted"]["count"], 2, "P3b summary not attempted", r)

    # P3c: a certificate not signed by the configured CA: no request, no retry.
    mk = start({"items": m.base_items(), "page_size": 2})
    conf = m.write_conf(tmp, mk.url, pki["otherca"], name="p3c.conf")
    r = m.run(conf)
    m.eq(r.rc, 3, "P3c exit code", r)
    m.check("TLS certificate verification failed for 127.0.0.1" in r.err,
            "P3c message", r)
    m.check("hint: api.ca_file ('%s') does not hold the CA that signed" % pki["otherca"]
            in r.err, "P3c: the hint names the configured api.ca_file, not 'set api.ca_file'", r)
    m.eq(mk.http_requests(), [], "P3c: no HTTP request reached the server", r)
    hs = [q for q in mk.requests() if q.get("tls") == "handshake failed"]
    m.eq(len(hs), 1, "P3c: one handshake, no retry without verification", r)
    # The CA file itself is used: without it, the system store does not know the test CA.
    conf = m.write_conf(tmp, mk.url, None, name="p3c2.conf")
    r = m.run(conf)
    m.eq(r.rc, 3, "P3c without ca_file: exit code", r)
    m.check("TLS certificate verification failed" in r.err, "P3c without ca_file message", r)
    m.check("hint: Set api.ca_file to the PEM file of the CA" in r.err,
            "P3c without ca_file: the hint says to set api.ca_file", r)
    m.eq(mk.http_requests(), [], "P3c without ca_file: no request", r)
    # Signed by the configured CA but issued to another host name: refused as well.
    mk = start({"items": m.base_items(), "page_size": 2},
               pki=dict(pki, cert=pki["othername_cert"], key=pki["othername_key"]))
    conf = m.write_conf(tmp, mk.url, pki["ca"], name="p3c3.conf")
    r = m.run(conf)
    m.eq(r.rc, 3, "P3c certificate for another host: exit code", r)
    m.check("TLS certificate verification failed for 127.0.0.1" in r.err,
            "P3c certificate for another host: message", r)
    m.eq(mk.http_requests(), [], "P3c certificate for another host: no request", r)
    m.check("api.url" in r.err and "host name" in r.err,
            "P3c certificate for another host: the hint points at the host name in api.url", r)

    # A redirect to another server (a proxy's login page, a moved instance): not followed, so
    # the password never reaches that server; the error says so and names the fix.
    other = start({"items": m.base_items()})
    loc = other.url + "/api/-default-/public/alfresco/versions/1/deleted-nodes"
    mk = start({"items": m.base_items(), "rules": [
        {"method": "GET", "path": "deleted-nodes", "repeat": True,
         "responses": [{"status": 302, "headers": {"Location": loc}}]}]})
    conf = m.write_conf(tmp, mk.url, pki["ca"], name="p3redir.conf")
    r = m.run(conf)
    m.eq(r.rc, 3, "redirect: exit code", r)
    m.check("could not list the trashcan: page at skipCount 0: HTTP 302 redirects to "
            "another address, which is not followed" in r.err, "redirect: message", r)
    m.check("hint: Set api.url to the address Alfresco answers at" in r.err,
            "redirect: the hint names api.url", r)
    m.eq(other.http_requests(), [], "redirect: the other server saw no request", r)
    m.eq(mk.deletes(), [], "redirect: nothing deleted", r)


if __name__ == "__main__":
    sys.exit(m.main(test))
