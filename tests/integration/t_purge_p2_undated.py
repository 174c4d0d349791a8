#!/usr/bin/env python3
"""purge P2: items without archivedAt are never purged silently.

Alfresco cannot run here: tests/mock-alfresco/server.py stands in for it and plays the
documented deleted-nodes API, serving uuid-f without an archivedAt field.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mock-alfresco"))
import mockaf as m  # noqa: E402


def test(tmp, pki, start):
    items = m.base_items() + [m.undated_f()]
    mk = start({"items": items, "page_size": 2})
    conf = m.write_conf(tmp, mk.url, pki["ca"])
    r = m.run(conf, "--format", "json")
    m.eq(r.rc, 1, "P2 default: exit code (f skipped)", r)
    m.eq(mk.purged(), ["uuid-e", "uuid-d", "uuid-c"], "P2 default: deletes", r)
    j = json.loads(r.out)
    f = [i for i in j["items"] if i["id"] == "uuid-f"]
    m.eq(len(f), 1, "P2: f is listed", r)
    m.eq(f[0]["status"], "skipped", "P2: f status", r)
    m.eq(f[0]["reason"], "no archivedAt", "P2: f reason", r)
    m.eq(f[0]["archived_at"], None, "P2: f has no date", r)
    m.eq(j["summary"]["skipped"]["count"], 1, "P2: skipped count", r)

    mk = start({"items": items, "page_size": 2})
    conf = m.write_conf(tmp, mk.url, pki["ca"], name="p2b.conf")
    r = m.run(conf, "--include-undated")
    m.eq(r.rc, 0, "P2 --include-undated: exit code", r)
    m.eq(mk.purged(), ["uuid-f", "uuid-e", "uuid-d", "uuid-c"],
         "P2 --include-undated: f first, as the oldest", r)
    m.check(r.out.startswith("purge OK: purged 4 of 6"), "P2 text status line", r)
    # the help says where undated items go, as the run above does
    h = m.run(conf, "--help")
    m.check(h.rc == 0 and "without archivedAt, before the" in h.out and
            "dated ones (as Alfresco's trashcan cleaner does)" in h.out,
            "P2 purge --help: undated items are purged before the dated ones", h)


if __name__ == "__main__":
    sys.exit(m.main(test))
