#!/usr/bin/env python3
"""purge P8: malformed replies and endless paging end the run with an error naming the page.

Alfresco cannot run here: tests/mock-alfresco/server.py stands in for it and plays the
documented deleted-nodes API, here with broken pages.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mock-alfresco"))
import mockaf as m  # noqa: E402


PAG = {"count": 0, "hasMoreItems": False, "skipCount": 0, "maxItems": 100}


def test(tmp, pki, start):
    def case(name, scenario):
        mk = start(dict(scenario, page_size=2))
        conf = m.write_conf(tmp, mk.url, pki["ca"], name=name + ".conf")
        return mk, m.run(conf)

    # P8a: the page at skipCount 2 is not JSON.
    mk, r = case("p8a", {"items": m.base_items(), "rules": [
        {"method": "GET", "path": "deleted-nodes", "query": {"skipCount": 2}, "repeat": True,
         "responses": [{"status": 200, "raw": '{"list": {"pagination": {"count": 2,'}]}]})
    m.eq(r.rc, 3, "P8a exit code", r)
    m.check("page at skipCount 2 is not valid JSON" in r.err, "P8a names the page", r)
    m.check("line 1, column" in r.err, "P8a says where parsing failed", r)
    m.eq(mk.deletes(), [], "P8a: nothing deleted", r)

    # P8b: an entry of page 1 has no id.
    items = m.base_items()
    del items[1]["id"]
    mk, r = case("p8b", {"items": items})
    m.eq(r.rc, 3, "P8b exit code", r)
    m.check("page at skipCount 0: 'list.entries[1].entry.id' is missing" in r.err,
            "P8b names page, entry index and field", r)
    m.eq(mk.deletes(), [], "P8b: nothing deleted", r)

    # P8c: hasMoreItems always true, every page repeats [a, b].
    mk, r = case("p8c", {"items": m.base_items(), "repeat_page": ["uuid-a", "uuid-b"]})
    m.eq(r.rc, 3, "P8c exit code", r)
    m.check("pagination does not advance" in r.err, "P8c message", r)
    m.eq(len(mk.list_gets()), 2, "P8c: stops after a bounded number of requests", r)
    m.eq(mk.deletes(), [], "P8c: nothing deleted", r)

    # An empty page that claims more is the same failure.
    mk, r = case("p8c2", {"items": m.base_items(), "rules": [
        {"method": "GET", "path": "deleted-nodes", "query": {"skipCount": 2}, "repeat": True,
         "responses": [{"status": 200, "body": {"list": {
             "pagination": dict(PAG, skipCount=2, hasMoreItems=True), "entries": []}}}]}]})
    m.eq(r.rc, 3, "P8c empty page exit code", r)
    m.check("pagination does not advance: page at skipCount 2 is empty" in r.err,
            "P8c empty page message", r)
    m.eq(mk.deletes(), [], "P8c empty page: nothing deleted", r)

    # New ids on every page, hasMoreItems true for ever, past the page's own totalItems: the
    # listing must end (it used to grow until memory ran out).
    mk, r = case("p8c3", {"items": m.base_items(), "endless": True, "total_items": "always"})
    m.eq(r.rc, 3, "P8c endless exit code", r)
    m.check("pagination does not advance: page at skipCount 4 ends at item 6 of totalItems 5 "
            "but hasMoreItems is true" in r.err, "P8c endless message", r)
    m.eq(len(mk.list_gets()), 3, "P8c endless: stops at the first page past totalItems", r)
    m.eq(mk.deletes(), [], "P8c endless: nothing deleted", r)

    # The same with no totalItems at all: nothing to catch it by but a bound on the items one
    # run lists (lowered for the test).
    mk = start({"items": m.base_items(), "endless": True, "total_items": "never",
                "page_size": 2})
    conf = m.write_conf(tmp, mk.url, pki["ca"], name="p8c4.conf")
    r = m.run(conf, env_extra={"ALFWIPE_TEST_LIST_MAX": "7"})
    m.eq(r.rc, 3, "P8c endless, no totalItems: exit code", r)
    m.check("the trashcan listing passed 7 items at skipCount 6" in r.err and "hint:" in r.err,
            "P8c endless, no totalItems: message and hint", r)
    m.eq(len(mk.list_gets()), 4, "P8c endless, no totalItems: stops at the bound", r)
    m.eq(mk.deletes(), [], "P8c endless, no totalItems: nothing deleted", r)

    # Sizes no file can have: their total must not wrap into a negative byte count.
    items = m.base_items()
    items[2]["content"]["sizeInBytes"] = 9000000000000000000
    items[4]["content"]["sizeInBytes"] = 9000000000000000000
    mk, r = case("p8size", {"items": items})
    m.eq(r.rc, 3, "P8 size overflow exit code", r)
    m.check("content.sizeInBytes values add up to more than 9223372036854775807 bytes" in r.err,
            "P8 size overflow message", r)
    m.check("uuid-" in r.err, "P8 size overflow names an item", r)
    m.eq(mk.deletes(), [], "P8 size overflow: nothing deleted", r)

    # P8d: a valid page without list.entries.
    mk, r = case("p8d", {"items": m.base_items(), "rules": [
        {"method": "GET", "path": "deleted-nodes", "repeat": True,
         "responses": [{"status": 200, "body": {"list": {"pagination": PAG}}}]}]})
    m.eq(r.rc, 3, "P8d exit code", r)
    m.check("'list.entries' is missing" in r.err, "P8d names the missing field", r)
    m.eq(mk.deletes(), [], "P8d: nothing deleted", r)

    # A failure after deletes already ran: what was purged is still reported.
    mk = start({"items": m.base_items(), "page_size": 2, "rules": [
        {"method": "DELETE", "path": "deleted-nodes/uuid-e",
         "responses": [{"status": 200, "raw": "<<not json>>"}]},
        {"method": "DELETE", "path": "deleted-nodes/uuid-d",
         "responses": [{"status": 401, "body": {"error": {"statusCode": 401}}}]}]})
    conf = m.write_conf(tmp, mk.url, pki["ca"], name="p8e.conf")
    r = m.run(conf, "--format", "json")
    m.eq(r.rc, 2, "P8e exit code", r)
    m.eq(mk.deletes(), [("uuid-e", 200), ("uuid-d", 401)], "P8e deletes", r)
    j = json.loads(r.out)
    m.eq([(i["id"], i["status"]) for i in j["items"]],
         [("uuid-e", "purged"), ("uuid-d", "failed"), ("uuid-c", "not_attempted")],
         "P8e: e reported as purged before the error", r)
    m.check("authentication failed" in j["stopped"], "P8e stop reason", r)


if __name__ == "__main__":
    sys.exit(m.main(test))
