#!/usr/bin/env python3
"""purge P1: paging until hasMoreItems is false, oldest first, bounded runs, ISO durations.

Alfresco cannot run here: tests/mock-alfresco/server.py stands in for it and plays the
documented deleted-nodes API (HTTPS with a throwaway CA that api.ca_file points at).
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mock-alfresco"))
import mockaf as m  # noqa: E402


def test(tmp, pki, start):
    # P1: the mock hands out at most 2 entries per page, whatever maxItems asks.
    mk = start({"items": m.base_items(), "page_size": 2})
    conf = m.write_conf(tmp, mk.url, pki["ca"])
    r = m.run(conf, "--older-than", "28", "--format", "json")
    m.eq(r.rc, 0, "P1 exit code", r)
    gets = mk.list_gets()
    m.eq([g["query"].split("&")[0] for g in gets], ["skipCount=0", "skipCount=2", "skipCount=4"],
         "P1 listing pages", r)
    reqs = mk.http_requests()
    first_delete = next(i for i, q in enumerate(reqs) if q["method"] == "DELETE")
    last_get = max(i for i, q in enumerate(reqs) if q["method"] == "GET")
    m.check(last_get < first_delete, "P1: the listing must be complete before the first DELETE", r)
    m.eq(mk.deletes(), [("uuid-e", 204), ("uuid-d", 204), ("uuid-c", 204)], "P1 deletes", r)
    m.check(all(q.get("auth") == "basic:admin" for q in reqs), "P1: basic auth on every request", r)
    j = json.loads(r.out)
    s = j["summary"]
    m.eq(s["purged"]["count"], 3, "P1 purged count", r)
    m.eq(s["purged"]["bytes"], 530000, "P1 purged bytes", r)
    m.eq(s["purged"]["unknown_size"], 1, "P1 folder of unknown size", r)
    m.eq(s["kept"]["count"], 2, "P1 kept", r)
    m.eq(s["failed"]["count"], 0, "P1 failed", r)
    m.eq([i["id"] for i in j["items"]], ["uuid-e", "uuid-d", "uuid-c"], "P1 item rows", r)
    d = [i for i in j["items"] if i["id"] == "uuid-d"][0]
    m.eq(d["size_bytes"], None, "P1 folder size is unknown, not 0", r)
    m.eq(j["cutoff"], "2024-06-02T00:00:00Z", "P1 cutoff", r)

    # The same in text: the status line and the unknown folder size.
    mk2 = start({"items": m.base_items(), "page_size": 2})
    conf2 = m.write_conf(tmp, mk2.url, pki["ca"], name="p1text.conf")
    r = m.run(conf2, "--older-than", "28")
    m.eq(r.rc, 0, "P1 text exit code", r)
    first = r.out.splitlines()[0]
    m.check(first.startswith("purge OK: purged 3 of 5 listed items, 530000 bytes + 1 item of "
                             "unknown size"), "P1 text status line: %r" % first, r)
    m.check("kept 2" in r.out, "P1 text: kept 2", r)

    # P1b: a bound of 2 purges e and d; one eligible item remains; not a skip.
    mk = start({"items": m.base_items(), "page_size": 2})
    conf = m.write_conf(tmp, mk.url, pki["ca"], name="p1b.conf")
    r = m.run(conf, "--older-than", "28", "--max-items", "2", "--format", "json")
    m.eq(r.rc, 0, "P1b exit code", r)
    m.eq(mk.purged(), ["uuid-e", "uuid-d"], "P1b deletes", r)
    j = json.loads(r.out)
    m.eq(j["summary"]["remaining"]["count"], 1, "P1b remaining", r)
    m.eq(j["summary"]["skipped"]["count"], 0, "P1b skipped", r)
    # api.max_per_run bounds the run the same way when --max-items is not given.
    mk = start({"items": m.base_items(), "page_size": 2})
    conf = m.write_conf(tmp, mk.url, pki["ca"], name="p1b2.conf", max_per_run=1)
    r = m.run(conf, "--older-than", "28")
    m.eq(r.rc, 0, "P1b max_per_run exit code", r)
    m.eq(mk.purged(), ["uuid-e"], "P1b max_per_run deletes", r)
    m.check("1 eligible item" not in r.out and "2 eligible items remain" in r.out,
            "P1b text names what remains", r)
    # --max-items 0 is no bound, also over api.max_per_run (README: 0 = no bound).
    mk = start({"items": m.base_items(), "page_size": 2})
    conf = m.write_conf(tmp, mk.url, pki["ca"], name="p1b3.conf", max_per_run=1)
    r = m.run(conf, "--older-than", "28", "--max-items", "0", "--format", "json")
    m.eq(r.rc, 0, "P1b --max-items 0 exit code", r)
    m.eq(mk.purged(), ["uuid-e", "uuid-d", "uuid-c"], "P1b --max-items 0 purges every eligible "
         "item despite max_per_run = 1", r)
    m.eq(json.loads(r.out)["summary"]["remaining"]["count"], 0, "P1b --max-items 0 remaining",
         r)

    # Ties: items archived at the same instant (written with different offsets) go by id.
    items = m.base_items() + [
        m.item("uuid-t2", "t2.txt", "cm:content", "2024-01-15T12:00:00.000+0200", "bob", 1),
        m.item("uuid-t3", "t3.txt", "cm:content", "2024-01-15T10:00:00Z", "bob", 1),
        m.item("uuid-t1", "t1.txt", "cm:content", "2024-01-15T10:00:00.000+0000", "bob", 1)]
    mk = start({"items": items, "page_size": 2})
    conf = m.write_conf(tmp, mk.url, pki["ca"], name="p1tie.conf")
    r = m.run(conf, "--older-than", "28")
    m.eq(r.rc, 0, "P1 ties exit code", r)
    m.eq(mk.purged(), ["uuid-e", "uuid-t1", "uuid-t2", "uuid-t3", "uuid-d", "uuid-c"],
         "P1 ties: same archivedAt, ordered by id", r)

    # Without --older-than: trashcan-cleaner.keepPeriod from alfresco-global.properties, and
    # policy.trashcan_keep_days in alfwipe.conf before it.
    props = os.path.join(tmp, "alfresco-global.properties")
    with open(props, "w") as f:
        f.write("trashcan-cleaner.keepPeriod=P60D\n")
    mk = start({"items": m.base_items(), "page_size": 2})
    conf = m.write_conf(tmp, mk.url, pki["ca"], name="p1keep.conf", global_properties=props)
    r = m.run(conf, "--format", "json")
    m.eq(r.rc, 0, "P1 keepPeriod P60D exit code", r)
    m.eq(mk.purged(), ["uuid-e", "uuid-d"], "P1 keepPeriod P60D deletes", r)
    m.eq(json.loads(r.out)["cutoff"], "2024-05-01T00:00:00Z", "P1 keepPeriod P60D cutoff", r)
    with open(props, "w") as f:
        f.write("trashcan-cleaner.keepPeriod=P10D\n")
    mk = start({"items": m.base_items(), "page_size": 2})
    conf = m.write_conf(tmp, mk.url, pki["ca"], name="p1keep2.conf", global_properties=props,
                        extra="policy = { trashcan_keep_days = 100; };\n")
    r = m.run(conf)
    m.eq(r.rc, 0, "P1 trashcan_keep_days 100 exit code", r)
    m.eq(mk.purged(), ["uuid-e"], "P1 trashcan_keep_days 100 wins over keepPeriod", r)

    # P1c: ISO-8601 durations.
    mk = start({"items": m.base_items(), "page_size": 2})
    conf = m.write_conf(tmp, mk.url, pki["ca"], name="p1c.conf")
    r = m.run(conf, "--older-than", "P60D")
    m.eq(r.rc, 0, "P1c P60D exit code", r)
    m.eq(mk.purged(), ["uuid-e", "uuid-d"], "P1c P60D deletes", r)
    n_before = len(mk.http_requests())
    r = m.run(conf, "--older-than", "P1M")
    m.eq(r.rc, 3, "P1c P1M exit code", r)
    m.check("'P1M'" in r.err, "P1c: the error names the value", r)
    m.eq(len(mk.http_requests()), n_before, "P1c: no request sent for a bad --older-than", r)


if __name__ == "__main__":
    sys.exit(m.main(test))
