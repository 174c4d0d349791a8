#!/usr/bin/env python3
"""purge P4: a 500 fails that item only (not retried); a 500 on a listing page ends the run.

Alfresco cannot run here: tests/mock-alfresco/server.py stands in for it and plays the
documented deleted-nodes API with scripted server errors.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mock-alfresco"))
import mockaf as m  # noqa: E402

ERR500 = {"error": {"errorKey": "framework.exception.ApiDefault", "statusCode": 500,
                    "briefSummary": "05300009 Failed to purge the node", "logId": "abc123"}}


def test(tmp, pki, start):
    mk = start({"items": m.base_items(), "page_size": 2,
                "rules": [{"method": "DELETE", "path": "deleted-nodes/uuid-d",
                           "responses": [{"status": 500, "body": ERR500}]}]})
    conf = m.write_conf(tmp, mk.url, pki["ca"])
    r = m.run(conf, "--format", "json")
    m.eq(r.rc, 2, "P4 first run exit code", r)
    m.eq(mk.deletes(), [("uuid-e", 204), ("uuid-d", 500), ("uuid-c", 204)],
         "P4 first run: d tried once (500 is not retried), the run goes on", r)
    j = json.loads(r.out)
    d = [i for i in j["items"] if i["id"] == "uuid-d"][0]
    m.eq(d["status"], "failed", "P4 d status", r)
    m.eq(d["http_status"], 500, "P4 d http status", r)
    m.eq(d["brief_summary"], "05300009 Failed to purge the node", "P4 d briefSummary", r)
    m.eq(d["log_id"], "abc123", "P4 d logId", r)
    m.eq(j["summary"]["purged"]["count"], 2, "P4 purged", r)
    m.eq(j["summary"]["failed"]["count"], 1, "P4 failed", r)

    # Second run against the same mock: the trashcan now holds a, b, d.
    r = m.run(conf, "--format", "json")
    m.eq(r.rc, 0, "P4 second run exit code", r)
    m.eq(mk.deletes()[3:], [("uuid-d", 204)], "P4 second run deletes d", r)
    m.eq(json.loads(r.out)["summary"]["listed"], 3, "P4 second run lists a, b, d", r)

    # P4b: a 500 on a listing page ends the run before any DELETE, naming the page.
    mk = start({"items": m.base_items(), "page_size": 2,
                "rules": [{"method": "GET", "path": "deleted-nodes", "query": {"skipCount": 2},
                           "repeat": True, "responses": [{"status": 500, "body": ERR500}]}]})
    conf = m.write_conf(tmp, mk.url, pki["ca"], name="p4b.conf")
    r = m.run(conf)
    m.eq(r.rc, 3, "P4b exit code", r)
    m.check("page at skipCount 2" in r.err and "HTTP 500" in r.err and "abc123" in r.err,
            "P4b names the page, the status and the logId", r)
    m.eq(mk.deletes(), [], "P4b: no DELETE", r)
    m.eq(len(mk.list_gets()), 2, "P4b: the failing page is not retried", r)


if __name__ == "__main__":
    sys.exit(m.main(test))
