#!/usr/bin/env python3
"""purge P5: retries with backoff on 503, 429 (Retry-After), a stalled reply and a reset.

Alfresco cannot run here: tests/mock-alfresco/server.py stands in for it and plays the
documented deleted-nodes API with scripted transient failures. Waits are checked through the
test hook (ALFWIPE_TEST_BACKOFF_MS shortens every sleep; -vv logs the wait chosen), never by
measuring time.
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mock-alfresco"))
import mockaf as m  # noqa: E402

ERR503 = {"error": {"errorKey": "framework.exception.ApiDefault", "statusCode": 503,
                    "briefSummary": "Service unavailable", "logId": "5e5e"}}


def test(tmp, pki, start):
    mk = start({"items": m.base_items(), "page_size": 2, "rules": [
        {"method": "GET", "path": "deleted-nodes", "query": {"skipCount": 2},
         "responses": [{"status": 503, "body": ERR503}, {"status": 503, "raw": "busy"}]},
        {"method": "GET", "path": "deleted-nodes", "query": {"skipCount": 4},
         "responses": [{"reset": True}]},
        {"method": "DELETE", "path": "deleted-nodes/uuid-e",
         "responses": [{"status": 429, "headers": {"Retry-After": "7"},
                        "body": {"error": {"statusCode": 429, "briefSummary": "slow down"}}}]},
        # stalls past api.timeout_seconds (1 s); nothing is deleted on that attempt
        {"method": "DELETE", "path": "deleted-nodes/uuid-c",
         "responses": [{"delay": 3, "status": 503}]},
    ]})
    conf = m.write_conf(tmp, mk.url, pki["ca"], timeout=1)
    r = m.run(conf, "--format", "json", verbose="-vv")
    m.eq(r.rc, 0, "P5 exit code", r)
    gets = [g["query"].split("&")[0] for g in mk.list_gets()]
    m.eq(gets.count("skipCount=2"), 3, "P5: three attempts for the 503 page", r)
    m.eq(gets.count("skipCount=4"), 2, "P5: the reset GET is tried again", r)
    dels = mk.deletes()
    m.eq([d for d in dels if d[0] == "uuid-e"], [("uuid-e", 429), ("uuid-e", 204)],
         "P5: two attempts for e", r)
    m.eq(mk.purged(), ["uuid-e", "uuid-d", "uuid-c"], "P5: every item purged, oldest first", r)
    m.eq([d for d in dels if d[0] == "uuid-c"], [("uuid-c", "stalled"), ("uuid-c", 204)],
         "P5: the stalled DELETE is retried", r)
    # The wait chosen before e's second attempt honours Retry-After (7 s > the 1 s backoff).
    waits = re.findall(r"retrying DELETE \S+/deleted-nodes/uuid-e in (\d+) ms \(attempt 2 of",
                       r.err)
    m.eq(waits, ["7000"], "P5: wait before e's second attempt", r)
    w503 = re.findall(r"retrying GET \S+skipCount=2\S* in (\d+) ms", r.err)
    m.eq(w503, ["1000", "2000"], "P5: exponential backoff on the 503 page", r)
    j = json.loads(r.out)
    e = [i for i in j["items"] if i["id"] == "uuid-e"][0]
    m.eq(e["attempts"], 2, "P5: attempts reported for e", r)

    # P5b: a DELETE that answers 503 every time fails after the configured retries.
    mk = start({"items": m.base_items(), "page_size": 2, "rules": [
        {"method": "DELETE", "path": "deleted-nodes/uuid-d", "repeat": True,
         "responses": [{"status": 503, "body": ERR503}]}]})
    conf = m.write_conf(tmp, mk.url, pki["ca"], name="p5b.conf")
    r = m.run(conf, "--retries", "2", "--format", "json")
    m.eq(r.rc, 2, "P5b exit code", r)
    m.eq([d for d in mk.deletes() if d[0] == "uuid-d"], [("uuid-d", 503)] * 3,
         "P5b: 1 + 2 retries for d", r)
    m.eq(mk.purged(), ["uuid-e", "uuid-c"], "P5b: the other items still purged", r)
    d = [i for i in json.loads(r.out)["items"] if i["id"] == "uuid-d"][0]
    m.eq((d["status"], d["http_status"], d["attempts"]), ("failed", 503, 3),
         "P5b: d reported with its last status", r)

    # The default bound: 5 attempts.
    mk = start({"items": m.base_items(), "page_size": 2, "rules": [
        {"method": "DELETE", "path": "deleted-nodes/uuid-d", "repeat": True,
         "responses": [{"status": 502, "raw": "<html>bad gateway</html>"}]}]})
    conf = m.write_conf(tmp, mk.url, pki["ca"], name="p5c.conf")
    r = m.run(conf)
    m.eq(r.rc, 2, "P5 default bound exit code", r)
    m.eq(len([d for d in mk.deletes() if d[0] == "uuid-d"]), 5, "P5: default 5 attempts", r)


if __name__ == "__main__":
    sys.exit(m.main(test))
