#!/usr/bin/env python3
"""purge P6: a 404 on DELETE means the item is already gone, not a failure.

Alfresco cannot run here: tests/mock-alfresco/server.py stands in for it and plays the
documented deleted-nodes API; uuid-d answers 404 as if someone emptied it from Share meanwhile.
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mock-alfresco"))
import mockaf as m  # noqa: E402



def test(tmp, pki, start):
    mk = start({"items": m.base_items(), "page_size": 2, "rules": [
        {"method": "DELETE", "path": "deleted-nodes/uuid-d",
         "responses": [{"status": 404, "body": {"error": {
             "errorKey": "framework.exception.EntityNotFound", "statusCode": 404,
             "briefSummary": "The entity with id: uuid-d was not found", "logId": "404d"}}}]}]})
    conf = m.write_conf(tmp, mk.url, pki["ca"])
    r = m.run(conf, "--format", "json")
    m.eq(r.rc, 0, "P6 exit code", r)
    m.eq(mk.deletes(), [("uuid-e", 204), ("uuid-d", 404), ("uuid-c", 204)], "P6 deletes", r)
    j = json.loads(r.out)
    m.eq(j["summary"]["purged"]["count"], 2, "P6 purged", r)
    m.eq(j["summary"]["already_gone"]["count"], 1, "P6 already gone", r)
    m.eq(j["summary"]["failed"]["count"], 0, "P6 failed", r)
    d = [i for i in j["items"] if i["id"] == "uuid-d"][0]
    m.eq(d["status"], "already_gone", "P6 d status", r)

    # The mock's own 404 (the item really is not there) is counted the same way.
    items = m.base_items()
    mk = start({"items": items, "page_size": 2, "rules": [
        {"method": "GET", "path": "deleted-nodes", "query": {"skipCount": 0},
         "responses": [{"status": 200, "body": {"list": {
             "pagination": {"count": 2, "hasMoreItems": False, "skipCount": 0, "maxItems": 100},
             "entries": [{"entry": items[4]},
                         {"entry": m.item("uuid-x", "x.bin", "cm:content",
                                          "2024-01-01T00:00:00.000+0000", "bob", 7)}]}}}]}]})
    conf = m.write_conf(tmp, mk.url, pki["ca"], name="p6b.conf")
    r = m.run(conf)
    m.eq(r.rc, 0, "P6b exit code", r)
    m.eq(mk.deletes(), [("uuid-x", 404), ("uuid-e", 204)], "P6b deletes", r)
    m.check("already gone 1" in r.out.splitlines()[0], "P6b status line", r)


if __name__ == "__main__":
    sys.exit(m.main(test))
