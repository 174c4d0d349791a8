#!/usr/bin/env python3
"""purge P7: --dry-run lists what would be purged and sends no write request.

Alfresco cannot run here: tests/mock-alfresco/server.py stands in for it and plays the
documented deleted-nodes API (base trashcan plus uuid-f without archivedAt).
"""
import csv
import io
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mock-alfresco"))
import mockaf as m  # noqa: E402



def test(tmp, pki, start):
    items = m.base_items() + [m.undated_f()]
    mk = start({"items": items, "page_size": 2})
    conf = m.write_conf(tmp, mk.url, pki["ca"])
    rows = {}
    for fmt in ("text", "csv", "json"):
        r = m.run(conf, "--dry-run", "--format", fmt)
        m.eq(r.rc, 1, "P7 %s exit code (f would be skipped)" % fmt, r)
        rows[fmt] = r
    m.eq([q["method"] for q in mk.http_requests() if q["method"] != "GET"], [],
         "P7: no DELETE and no other write request", rows["json"])

    t = rows["text"].out
    m.check(t.startswith("purge (dry run) WARNING: would purge 3 of 6 listed items, 530000 bytes"
                         " + 1 item of unknown size"), "P7 text status line", rows["text"])
    for want in ("would_purge   uuid-e", "cm:content", "2024-01-15T10:00:00Z", "bob",
                 "500000", "e.png", "uuid-d", "cm:folder", "carol", "unknown", "Reports",
                 "uuid-c", "c.docx", "30000", "skipped       uuid-f", "no archivedAt"):
        m.check(want in t, "P7 text shows %r" % want, rows["text"])

    j = json.loads(rows["json"].out)
    m.eq(j["dry_run"], True, "P7 json dry_run", rows["json"])
    got = [(i["status"], i["id"], i["name"], i["node_type"], i["archived_at"], i["archived_by"],
            i["size_bytes"]) for i in j["items"]]
    want = [("would_purge", "uuid-e", "e.png", "cm:content", "2024-01-15T10:00:00Z", "bob", 500000),
            ("would_purge", "uuid-d", "Reports", "cm:folder", "2024-04-01T10:00:00Z", "carol", None),
            ("would_purge", "uuid-c", "c.docx", "cm:content", "2024-05-20T10:00:00Z", "alice", 30000),
            ("skipped", "uuid-f", "f.txt", "cm:content", None, "alice", 10)]
    m.eq(got, want, "P7 json rows", rows["json"])
    m.eq(j["summary"]["would_purge"]["count"], 3, "P7 json would_purge", rows["json"])
    m.eq(j["summary"]["purged"]["count"], 0, "P7 json purged", rows["json"])

    recs = list(csv.DictReader(io.StringIO(rows["csv"].out)))
    items_csv = [(x["status"], x["id"], x["name"], x["node_type"], x["archived_at"] or None,
                  x["archived_by"], int(x["size_bytes"]) if x["size_bytes"] else None)
                 for x in recs if x["record"] == "item"]
    m.eq(items_csv, want, "P7 csv rows equal the json rows", rows["csv"])
    summ = {x["status"]: x for x in recs if x["record"] == "summary"}
    m.eq((summ["would_purge"]["count"], summ["would_purge"]["size_bytes"]), ("3", "530000"),
         "P7 csv summary", rows["csv"])

    # Without f, a dry run is OK; with ticket auth the ticket POST is the only write request.
    mk = start({"items": m.base_items(), "page_size": 2})
    conf = m.write_conf(tmp, mk.url, pki["ca"], name="p7b.conf")
    r = m.run(conf, "--dry-run", "--auth", "ticket")
    m.eq(r.rc, 0, "P7 without f: exit code", r)
    writes = [(q["method"], q["path"]) for q in mk.http_requests() if q["method"] != "GET"]
    m.eq(writes, [("POST", m.TICKETS)], "P7 ticket dry run: only the ticket POST", r)

    # Names are chosen by Alfresco users, and cm:name allows control characters: a name with a
    # line break and a terminal escape must not forge a row of the text report or reach the
    # terminal raw.
    items = m.base_items()
    items[2]["name"] = "c.docx\npurged        uuid-z   forged\x1b]0;owned\x07"
    items[4]["archivedByUser"]["id"] = "bob\x1b[2J"
    mk = start({"items": items})
    conf = m.write_conf(tmp, mk.url, pki["ca"], name="p7ctl.conf")
    r = m.run(conf, "--dry-run")
    m.eq(r.rc, 0, "P7 control characters: exit code", r)
    m.check("\x1b" not in r.out and "\x07" not in r.out,
            "P7 control characters: no raw escape in the text output", r)
    m.check(not any(line.startswith("purged") for line in r.out.splitlines()),
            "P7 control characters: no forged row", r)
    m.check("c.docx\\npurged        uuid-z   forged\\x1b]0;owned\\x07" in r.out,
            "P7 control characters: the name is shown escaped", r)
    m.check("bob\\x1b[2J" in r.out, "P7 control characters: the user is shown escaped", r)


if __name__ == "__main__":
    sys.exit(m.main(test))
