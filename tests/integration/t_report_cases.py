#!/usr/bin/env python3
"""alfwipe report against the cases of ../shared/cases/report-cases.md (R1-R18), each loaded
into a fresh PostgreSQL and a fresh MariaDB database with its content roots on disk
(tests/integration/fixture.py). Every case asserts classes, findings, numbers and the exit
code on both engines; R17 then compares the JSON reports of every case between the engines.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture import (Case, check, eq, finish, normalised, DAY_MS, NOW_MS)  # noqa: E402

ALL = {}   # case label -> {engine: Result} (JSON runs), for R17


def record(label, res):
    ALL[label] = res
    return res


def each(res, fn):
    for engine, r in res.items():
        if r.json is None and r.rc != 3:
            check(False, "%s: JSON report parses" % engine, r)
            continue
        fn(engine, r)


def same_formats(label, c):
    """R17 for the other formats: CSV byte for byte, text apart from the database line."""
    csvs = c.run(fmt="csv")
    eq(csvs["pg"].raw, csvs["my"].raw, "R17 %s: CSV identical between the engines" % label,
       "%s\n%s" % (csvs["pg"].out[:800], csvs["my"].out[:800]))
    texts = c.run(fmt="text", global_args=["-v"])
    strip = [("\n".join(ln for ln in r.out.splitlines() if not ln.startswith("now ")))
             for r in (texts["pg"], texts["my"])]
    eq(strip[0], strip[1], "R17 %s: text identical apart from the database line" % label)


def live_node(c, key, ukey, uuid, store="workspace/SpacesStore", qname="cm:content"):
    c.d("d-" + key, ukey)
    c.n("n-" + key, store, uuid)
    c.p("n-" + key, qname, "d-" + key)


def age(it):
    return it.get("age_days") if it else None


# ---- R1 ----------------------------------------------------------------------------------

def r1():
    c = Case("r1")
    c.f("del", "2024/1/15/9/30/a1.bin", 5000000, "2024-02-01T04:00:00Z")
    c.f("del", "2024/6/20/8/1/a2.bin", 1000, "2024-06-29T04:00:00Z")

    def t(e, r):
        a1 = r.item(content_url="store://2024/1/15/9/30/a1.bin")
        a2 = r.item(content_url="store://2024/6/20/8/1/a2.bin")
        eq([a1 and a1["class"], a2 and a2["class"]], ["deleted", "deleted"],
           "R1 %s: both files are 'deleted'" % e, r)
        eq([a1 and (a1["root"], a1["path"]), a2 and (a2["root"], a2["path"])],
           [("contentstore_deleted", "2024/1/15/9/30/a1.bin"),
            ("contentstore_deleted", "2024/6/20/8/1/a2.bin")],
           "R1 %s: paths relative to contentstore.deleted" % e)
        eq(r.summary("deleted"), (2, 5001000), "R1 %s: summary.deleted" % e)
        eq([age(a1), a1 and a1["age_bucket"], age(a2), a2 and a2["age_bucket"]],
           [149.8, "90-365", 0.8, "0-7"], "R1 %s: ages from mtime and buckets" % e)
        b = r.json["age_buckets"]["deleted"]
        eq((b["90-365"], b["0-7"]), ({"count": 1, "bytes": 5000000}, {"count": 1, "bytes": 1000}),
           "R1 %s: deleted age buckets" % e)
        eq([a1 and a1["findings"], a2 and a2["findings"]], [[], []], "R1 %s: no findings" % e)
        eq(len(r.json["items"]), 2, "R1 %s: two items" % e)
        eq(r.rc, 0, "R1 %s: exit 0" % e, r)
    each(record("R1", c.run()), t)


# ---- R2 ----------------------------------------------------------------------------------

def r2():
    c = Case("r2")
    c.f("cs", "2024/5/1/10/15/u9.bin", 2048, "2024-05-01T10:15:00Z")
    c.f("cs", "2024/6/29/23/30/u10.bin", 10, "2024-06-29T23:30:00Z")

    def t(e, r):
        u9 = r.item(path="2024/5/1/10/15/u9.bin")
        u10 = r.item(path="2024/6/29/23/30/u10.bin")
        eq(u9 and (u9["class"], u9["size"], u9["age_days"], u9["findings"], u9["root"]),
           ("stray", 2048, 59.6, [], "contentstore"), "R2 %s: u9 stray, 2048 bytes, 59.6 d" % e, r)
        eq(u10 and (u10["class"], u10["findings"]), ("stray", ["in_flight"]),
           "R2 %s: u10 stray with in_flight" % e, r)
        eq(u9 and u9["content_url"], "store://2024/5/1/10/15/u9.bin",
           "R2 %s: derived content URL" % e)
        eq(r.summary("stray"), (2, 2058), "R2 %s: summary.stray" % e)
        check(b'"age_days":59.6,' in r.raw, "R2 %s: ages print as tenths (59.6, not "
              "59.600000000000001)" % e)
        eq(r.rc, 1, "R2 %s: exit 1 (u9 past the grace period)" % e, r)
    each(record("R2", c.run()), t)

    c = Case("r2b")
    c.f("cs", "2024/6/29/23/30/u10.bin", 10, "2024-06-29T23:30:00Z")

    def tb(e, r):
        eq(r.summary("stray"), (1, 10), "R2b %s: one stray" % e)
        eq(r.rc, 0, "R2b %s: a file in flight alone is no problem (exit 0)" % e, r)
    each(record("R2b", c.run()), tb)


# ---- R3 / R4 -----------------------------------------------------------------------------

def base_m1(name):
    c = Case(name)
    c.u("m1", "store://2024/6/1/9/0/m1.bin", 4096)
    live_node(c, "m1", "m1", "uuid-m1")
    # the root holds other files (R16): a healthy live document
    c.u("ok", "store://2024/6/2/9/0/ok.bin", 10)
    live_node(c, "ok", "ok", "uuid-ok")
    c.f("cs", "2024/6/2/9/0/ok.bin", 10, "2024-06-02T09:00:00Z")
    return c


def r3():
    c = base_m1("r3")

    def t(e, r):
        it = r.item(content_url="store://2024/6/1/9/0/m1.bin")
        eq(it and (it["class"], it["findings"], it["node_refs"], it["size"], it["files"]),
           ("live", ["missing_file"], ["workspace://SpacesStore/uuid-m1"], 4096, []),
           "R3 %s: live, missing_file, node ref, size" % e, r)
        ok = r.item(content_url="store://2024/6/2/9/0/ok.bin")
        eq(ok and (ok["class"], ok["findings"]), ("live", []), "R3 %s: the other file is fine" % e)
        eq(r.json["findings"]["missing_file"], 1, "R3 %s: one missing file" % e)
        eq(r.rc, 2, "R3 %s: exit 2" % e, r)
    each(record("R3", c.run()), t)


def r4():
    c = base_m1("r4a")
    c.f("cs", "2024/6/1/9/0/m1.bin", 1024, "2024-06-01T09:00:00Z")

    def t(e, r):
        it = r.item(content_url="store://2024/6/1/9/0/m1.bin")
        eq(it and (it["class"], it["findings"], it["size"], it.get("disk_size")),
           ("live", ["size_mismatch"], 4096, 1024), "R4a %s: live with size_mismatch" % e, r)
        eq(r.rc, 1, "R4a %s: exit 1" % e, r)
    each(record("R4a", c.run()), t)

    c = base_m1("r4b")
    c.extra_roots = ["extra"]
    c.encrypt("m1", "k1", 4096)
    c.f("cs", "2024/6/1/9/0/m1.bin", 4112, "2024-06-01T09:00:00Z")
    c.f("extra", "2024/6/1/9/0/m1.bin", 4096, "2024-06-01T09:00:00Z")

    def tb(e, r):
        it = r.item(content_url="store://2024/6/1/9/0/m1.bin")
        eq(it and (it["class"], it["findings"], it["encrypted"]), ("live", [], True),
           "R4b %s: encrypted live URL, no size_mismatch" % e, r)
        eq(it and sorted((f["root"], f["path"], f["size"]) for f in it["files"]),
           [("contentstore", "2024/6/1/9/0/m1.bin", 4112),
            ("extra_roots[0]", "2024/6/1/9/0/m1.bin", 4096)],
           "R4b %s: both paths on the item" % e)
        eq(len(r.items(content_url="store://2024/6/1/9/0/m1.bin")), 1, "R4b %s: one item" % e)
        eq(r.rc, 0, "R4b %s: exit 0" % e, r)
    each(record("R4b", c.run()), tb)
    same_formats("R4b", c)


# ---- R5 / R6: trashcan -------------------------------------------------------------------

def trash_doc(c, key, uuid, date, by, name, url, size, mtime):
    c.u(key, url, size)
    c.d("d-" + key, key)
    c.n("n-" + key, "archive/SpacesStore", uuid)
    c.t("n-" + key, date, by, name)
    c.p("n-" + key, "cm:content", "d-" + key)
    c.f("cs", url[len("store://"):], size, mtime)


def r5():
    c = Case("r5")
    trash_doc(c, "t1", "uuid-t1", "2024-01-15T00:00:00.000Z", "alice", "budget.xlsx",
              "store://2024/1/10/8/0/t1.bin", 5242880, "2024-01-10T08:00:00Z")

    def t(e, r):
        it = r.item(content_url="store://2024/1/10/8/0/t1.bin")
        eq(it and (it["class"], it["findings"]), ("trashcan", ["trashcan_expired"]),
           "R5 %s: item class trashcan, trashcan_expired on the URL item" % e, r)
        tr = r.trash("uuid-t1")
        eq(tr and (tr["node_ref"], tr["name"], tr["archived_at"], tr["archived_by"],
                   tr["age_days"], tr["age_bucket"], tr["bytes"], tr["reclaimable"],
                   tr["findings"]),
           ("archive://SpacesStore/uuid-t1", "budget.xlsx", "2024-01-15T00:00:00Z", "alice",
            167.0, "90-365", 5242880, 5242880, ["trashcan_expired"]),
           "R5 %s: trashcan item fields" % e, r)
        eq(r.summary("trashcan"), (1, 5242880), "R5 %s: summary.trashcan" % e)
        eq(r.json["age_buckets"]["trashcan"]["90-365"], {"count": 1, "bytes": 5242880},
           "R5 %s: trashcan age bucket" % e)
        eq(r.rc, 1, "R5 %s: exit 1" % e, r)
    each(record("R5", c.run()), t)


def r6():
    c = Case("r6")
    trash_doc(c, "t2", "uuid-t2", None, "bob", "notes.txt", "store://2024/2/1/8/0/t2.bin",
              1000, "2024-02-01T08:00:00Z")
    dated = [("2024-04-01T00:00:00.000Z", 90.0), ("2024-05-01T00:00:00.000Z", 60.0),
             ("2024-05-20T00:00:00.000Z", 41.0)]
    for i, (d, _) in enumerate(dated):
        trash_doc(c, "td%d" % i, "uuid-td%d" % i, d, "bob", "dated-%d.txt" % i,
                  "store://2024/3/%d/8/0/td%d.bin" % (i + 1, i), 100, "2024-03-01T08:00:00Z")

    def t(e, r):
        tr = r.trash("uuid-t2")
        eq(tr and (tr["findings"], tr["age_bucket"], tr["archived_at"], tr["age_days"]),
           (["no_archived_date"], "unknown", None, None),
           "R6 %s: undated item: no_archived_date, bucket unknown, not expired" % e, r)
        it = r.item(content_url="store://2024/2/1/8/0/t2.bin")
        eq(it and it["findings"], ["no_archived_date"], "R6 %s: no_archived_date on its URL" % e)
        got = [(lambda x: x and (x["findings"], x["age_days"]))(r.trash("uuid-td%d" % i))
               for i in range(3)]
        eq(got, [(["trashcan_expired"], a) for _, a in dated],
           "R6 %s: dated items expired (90, 60, 41 days)" % e)
        eq(r.summary("trashcan"), (4, 1300), "R6 %s: summary.trashcan" % e)
        eq(r.json["age_buckets"]["trashcan"]["unknown"], {"count": 1, "bytes": 1000},
           "R6 %s: undated item in bucket unknown" % e)
        eq(r.rc, 1, "R6 %s: exit 1" % e, r)
    each(record("R6", c.run()), t)
    same_formats("R6", c)
    tx = c.run(fmt="text")
    for e, r in tx.items():
        check("90 days old against a keep period of 28 days" in r.out,
              "R6 %s: text says the oldest dated item is 90 days old" % e, r)


# ---- R7-R11: orphans ---------------------------------------------------------------------

def orphan_case(name, url, size, orphan, mtime, parent_mode=None):
    c = Case(name)
    c.u("o", url, size, orphan)
    c.f("cs", url[len("store://"):], size, mtime)
    return c


def r7():
    c = orphan_case("r7", "store://2024/6/19/7/0/o1.bin", 100, 1718841600000,
                    "2024-06-19T07:00:00Z")

    def t(e, r):
        it = r.item(content_url="store://2024/6/19/7/0/o1.bin")
        eq(it and (it["class"], it["age_days"], it["age_bucket"], it.get("eligible_after"),
                   it["findings"]),
           ("orphan_protected", 10.0, "7-14", "2024-07-04T00:00:00Z", []),
           "R7 %s: orphan_protected, 10 days, cleaner after 2024-07-04" % e, r)
        eq(r.json["age_buckets"]["orphans"]["7-14"]["count"], 1, "R7 %s: orphan bucket" % e)
        eq(r.rc, 0, "R7 %s: exit 0" % e, r)
    each(record("R7", c.run()), t)
    for e, r in c.run(fmt="text").items():
        check("first run after 2024-07-04T00:00:00Z" in r.out,
              "R7 %s: text names the first cleaner run after 2024-07-04" % e, r)


def r8():
    c = orphan_case("r8", "store://2024/6/14/8/0/o3.bin", 200, 1718452800000,
                    "2024-06-14T08:00:00Z")

    def t(e, r):
        it = r.item(content_url="store://2024/6/14/8/0/o3.bin")
        eq(it and (it["class"], it["age_days"]), ("orphan_eligible", 14.5),
           "R8 %s: orphan_eligible at 14.5 days" % e, r)
        eq(r.rc, 0, "R8 %s: exit 0" % e, r)
    each(record("R8", c.run()), t)

    c = orphan_case("r8b", "store://2024/6/14/8/0/o3.bin", 200, 1718496000000,
                    "2024-06-14T08:00:00Z")

    def tb(e, r):
        it = r.item(content_url="store://2024/6/14/8/0/o3.bin")
        eq(it and (it["class"], it["age_days"]), ("orphan_protected", 14.0),
           "R8b %s: exactly now - 14 days is still protected" % e, r)
        eq(r.rc, 0, "R8b %s: exit 0" % e, r)
    each(record("R8b", c.run()), tb)


def r9():
    c = orphan_case("r9", "store://2024/4/30/7/0/o2.bin", 100, 1714521600000,
                    "2024-04-30T07:00:00Z")

    def t(e, r):
        it = r.item(content_url="store://2024/4/30/7/0/o2.bin")
        eq(it and (it["class"], it["age_days"], it["age_bucket"]),
           ("orphan_overdue", 60.0, "30-90"), "R9 %s: orphan_overdue, 60 days" % e, r)
        eq(r.rc, 1, "R9 %s: exit 1" % e, r)
    each(record("R9", c.run()), t)
    for e, r in c.run(fmt="text").items():
        check(all(s in r.out for s in ("system.content.orphanCleanup.cronExpression",
                                       "server.allowWrite", "cluster job lock")),
              "R9 %s: text suggests the cron expression, read-only mode, the job lock" % e, r)


def r10():
    c = orphan_case("r10", "store://2024/3/1/1/1/k1.bin", 700, 0, "2024-03-01T01:01:00Z")
    c.build("pg")   # writes the files; then make the directory read-only
    os.chmod(c.path("contentstore", "2024/3/1/1/1"), 0o555)
    c._built = {"pg": c.path("alfwipe-pg.conf")}

    def t(e, r):
        it = r.item(content_url="store://2024/3/1/1/1/k1.bin")
        eq(it and (it["class"], it["age_bucket"], it["age_days"], it["orphan_time"]),
           ("orphan_kept", "unknown", None, 0), "R10 %s: orphan_kept, age unknown" % e, r)
        eq(r.json["age_buckets"]["orphans"]["unknown"]["count"], 1,
           "R10 %s: orphan bucket unknown" % e)
        check("1970" not in r.out, "R10 %s: never reported as 1970" % e)
        eq(r.rc, 1, "R10 %s: exit 1" % e, r)
    each(record("R10", c.run()), t)


def r11():
    c = orphan_case("r11", "store://2024/5/1/10/15/n1.bin", 50, None, "2024-05-01T10:15:00Z")

    def t(e, r):
        it = r.item(content_url="store://2024/5/1/10/15/n1.bin")
        eq(it and (it["class"], it["age_bucket"]), ("unreferenced", "unknown"),
           "R11 %s: unreferenced, age unknown" % e, r)
        eq(r.summary("unreferenced"), (1, 50), "R11 %s: counted apart from the orphans" % e)
        eq(r.rc, 1, "R11 %s: exit 1" % e, r)
    each(record("R11", c.run()), t)


# ---- R12 ---------------------------------------------------------------------------------

def r12():
    c = Case("r12")
    c.global_properties = "system.content.eagerOrphanCleanup=true\n"
    c.f("cs", "2024/6/29/10/0/e1.bin", 900, "2024-06-29T10:00:00Z")

    def t(e, r):
        it = r.item(path="2024/6/29/10/0/e1.bin")
        eq(it and (it["class"], it["findings"], it["age_days"]), ("stray", [], 0.6),
           "R12 %s: e1 stray (14 hours, past grace)" % e, r)
        pol = r.json["policy"]
        eq((pol["eager_orphan_cleanup"], pol["sources"]["eager_orphan_cleanup"]),
           (True, "alfresco-global.properties"), "R12 %s: eager on, from the properties" % e)
        eq(r.json["status"]["reasons"], ["1 stray file(s) that Alfresco does not know"],
           "R12 %s: the stray is the only warning" % e)
        eq(r.rc, 1, "R12 %s: exit 1" % e, r)
    each(record("R12", c.run()), t)
    for e, r in c.run(fmt="text").items():
        check("eager orphan cleanup is on" in r.out and "orphanProtectDays does not apply" in r.out
              and "empty contentstore.deleted is normal" in r.out,
              "R12 %s: text explains eager cleanup" % e, r)


# ---- R13 / R14 / R15 ---------------------------------------------------------------------

def r13():
    c = Case("r13")
    c.u("s1", "store://2024/5/1/10/15/s1.bin", 1000000)
    c.d("d9", "s1")
    c.d("d10", "s1")
    c.n("n300", "workspace/SpacesStore", "uuid-300")
    c.p("n300", "cm:content", "d9")
    c.n("n301", "archive/SpacesStore", "uuid-301")
    c.t("n301", "2024-05-01T08:00:00.000Z", "carol", "copy-of-report.pdf")
    c.p("n301", "cm:content", "d10")
    c.f("cs", "2024/5/1/10/15/s1.bin", 1000000, "2024-05-01T10:15:00Z")

    def t(e, r):
        its = r.items(content_url="store://2024/5/1/10/15/s1.bin")
        eq(len(its), 1, "R13 %s: one item" % e, r)
        it = its[0] if its else None
        eq(it and (it["class"], "shared" in it["findings"], it["node_refs"]),
           ("live", True, ["archive://SpacesStore/uuid-301", "workspace://SpacesStore/uuid-300"]),
           "R13 %s: live, shared, both node refs" % e, r)
        tr = r.trash("uuid-301")
        eq(tr and (tr["bytes"], tr["reclaimable"], tr["findings"], tr["age_days"]),
           (1000000, 0, ["trashcan_expired"], 59.7), "R13 %s: trashcan item frees nothing" % e, r)
        st = r.json["stores"]
        eq((st["workspace://SpacesStore"]["bytes"], st["archive://SpacesStore"]["bytes"]),
           (1000000, 1000000), "R13 %s: per-store totals" % e)
        eq(r.summary("live"), (1, 1000000), "R13 %s: the URL counted once" % e)
        eq(r.rc, 1, "R13 %s: exit 1" % e, r)
    each(record("R13", c.run()), t)
    same_formats("R13", c)


def r14():
    c = Case("r14")
    c.extra_roots = ["extra"]
    c.u("x1", "store://2024/5/1/10/15/x1.bin", 500)
    live_node(c, "x1", "x1", "uuid-x1")
    c.f("cs", "2024/5/1/10/15/x1.bin", 500, "2024-05-01T10:15:00Z")
    c.f("extra", "2024/5/1/10/15/x1.bin", 500, "2024-05-01T10:15:00Z")

    def t(e, r):
        its = r.items(content_url="store://2024/5/1/10/15/x1.bin")
        eq(len(its), 1, "R14 %s: one item" % e, r)
        it = its[0] if its else {}
        eq((it.get("class"), it.get("findings"), sorted(f["root"] for f in it.get("files", []))),
           ("live", [], ["contentstore", "extra_roots[0]"]),
           "R14 %s: live, both paths, no missing_file" % e, r)
        eq(r.summary("stray"), (0, 0), "R14 %s: neither file is stray" % e)
        roots = {x["name"]: (x["files"], x["bytes"]) for x in r.json["roots"]}
        eq((roots.get("contentstore"), roots.get("extra_roots[0]")), ((1, 500), (1, 500)),
           "R14 %s: 500 bytes in each root" % e)
        eq(r.summary("live"), (1, 500), "R14 %s: the URL counted once" % e)
        eq(r.rc, 0, "R14 %s: exit 0" % e, r)
    each(record("R14", c.run()), t)


def r15():
    c = Case("r15")
    c.u("y1", "s3://2024/5/1/10/15/y1.bin", 10)
    live_node(c, "y1", "y1", "uuid-y1")
    c.u("sp", "spoof://abc", 0)
    live_node(c, "sp", "sp", "uuid-sp")

    def t(e, r):
        a, b = r.item(content_url="s3://2024/5/1/10/15/y1.bin"), r.item(content_url="spoof://abc")
        eq([a and (a["class"], a["findings"]), b and (b["class"], b["findings"])],
           [("non_file", []), ("non_file", [])], "R15 %s: both non_file, no missing_file" % e, r)
        eq(r.json["summary"]["non_file"]["protocols"],
           {"s3": {"count": 1, "bytes": 10}, "spoof": {"count": 1, "bytes": 0}},
           "R15 %s: counted per protocol" % e)
        eq(r.rc, 0, "R15 %s: exit 0" % e, r)
    each(record("R15", c.run()), t)


# ---- R16 ---------------------------------------------------------------------------------

def e_urls(c):
    for k in ("e1", "e2", "e3"):
        c.u(k, "store://2024/6/1/9/0/%s.bin" % k, 100)
        live_node(c, k, k, "uuid-" + k)


def r16():
    c = Case("r16a")
    e_urls(c)
    out = c.path("report.json")
    res = c.run(output=out)
    for e, r in res.items():
        eq(r.rc, 3, "R16a %s: exit 3" % e, r)
        check("content root '%s' is empty while the database references 3 store:// URLs; is "
              "it mounted?" % c.path("contentstore") in r.err, "R16a %s: message names the root" % e, r)
        eq((r.out, os.path.exists(out)), ("", False), "R16a %s: no report, no output file" % e)
        check("missing_file" not in r.out + r.err, "R16a %s: no missing_file items" % e)

    c = Case("r16b")
    e_urls(c)
    c.make_roots["cs"] = False
    res = c.run()
    for e, r in res.items():
        eq(r.rc, 3, "R16b %s: exit 3" % e, r)
        check(c.path("contentstore") in r.err and "alfwipe-%s.conf:" % e in r.err,
              "R16b %s: message names the path and where it was set" % e, r)
        eq(r.out, "", "R16b %s: nothing on stdout" % e)

    # R16b': the configured root is a file, not a directory: the hint says so (not "mounted").
    c = Case("r16b-file")
    e_urls(c)
    c.make_roots["cs"] = False
    os.makedirs(os.path.dirname(c.path("contentstore")), exist_ok=True)
    with open(c.path("contentstore"), "w") as fp:
        fp.write("not a directory\n")
    res = c.run()
    for e, r in res.items():
        eq(r.rc, 3, "R16b' %s: exit 3" % e, r)
        check(c.path("contentstore") in r.err and "Not a directory" in r.err
              and "directory itself, not at a file" in r.err and "mounted" not in r.err,
              "R16b' %s: a root that is a file gets its own hint" % e, r)

    c = Case("r16c")
    e_urls(c)
    c.f("cs", "2024/6/1/9/0/e1.bin", 100, "2024-06-01T09:00:00Z")

    def t(e, r):
        got = sorted((it["content_url"].rsplit("/", 1)[1], it["class"], it["findings"])
                     for it in r.json["items"])
        eq(got, [("e1.bin", "live", []), ("e2.bin", "live", ["missing_file"]),
                 ("e3.bin", "live", ["missing_file"])], "R16c %s: two live + missing_file" % e, r)
        eq(r.rc, 2, "R16c %s: exit 2" % e, r)
    each(record("R16c", c.run()), t)

    c = Case("r16d")
    c.global_properties = ("dir.root=/usr/local/tomcat/alf_data\n"
                           "db.password=very-secret-pw\n")
    c.u("k", "store://2024/6/1/9/0/k.bin", 5)
    live_node(c, "k", "k", "uuid-k")
    c.f("cs", "2024/6/1/9/0/k.bin", 5, "2024-06-01T09:00:00Z")

    def td(e, r):
        roots = {x["name"]: x["path"] for x in r.json["roots"]}
        eq((roots.get("contentstore"), roots.get("contentstore_deleted")),
           (c.path("contentstore"), c.path("contentstore.deleted")),
           "R16d %s: the report uses the alfwipe.conf paths" % e, r)
        eq(r.rc, 0, "R16d %s: exit 0" % e, r)
    each(record("R16d", c.run()), td)
    for e, r in c.run(command="check", fmt=None).items():
        eq(r.rc, 0, "R16d %s: check exits 0" % e, r)
        lines = {ln.split()[0]: ln for ln in r.out.splitlines() if ln.strip()}
        cs = [ln for ln in r.out.splitlines() if c.path("contentstore") + " " in ln + " "]
        check(any("alfwipe.conf" in ln for ln in cs),
              "R16d %s: check shows contentstore from alfwipe.conf" % e, r)
        check("/usr/local/tomcat/alf_data" in r.out and "alfresco-global.properties" in r.out,
              "R16d %s: check shows dir.root from alfresco-global.properties" % e, r)
        check("default" in r.out, "R16d %s: check shows defaults as such" % e, r)
        check("very-secret-pw" not in r.out + r.err and MY_PW not in r.out + r.err,
              "R16d %s: check never prints a password" % e, r)
        del lines
    for e, r in c.run(command="check", fmt=None, args=["--connect"]).items():
        eq(r.rc, 0, "R16d %s: check --connect exits 0" % e, r)
        check("contentstore" in r.out and ": ok" in r.out and "read-only snapshot" in r.out,
              "R16d %s: check --connect reports roots and database" % e, r)
    for e, r in c.run(command="check", fmt=None, args=["--format", "json", "--connect"]).items():
        try:
            j = json.loads(r.out)
        except ValueError:
            j = None
        check(j is not None, "R16d %s: check --format json --connect is one JSON document" % e, r)
        if j:
            eq((j["settings"]["alfresco"]["contentstore"]["value"],
                j["settings"]["alfresco"]["contentstore"]["source"],
                j["settings"]["alfresco"]["dir_root"]["source"],
                j["checks"]["contentstore"]["ok"], j["checks"]["database"]["ok"]),
               (c.path("contentstore"), "alfwipe.conf", "alfresco-global.properties", True, True),
               "R16d %s: JSON settings with sources, and checks" % e)
            check("very-secret-pw" not in r.out, "R16d %s: JSON never holds a password" % e)
    c.conf = {"alfresco": {"contentstore": c.path("nowhere")}}
    c._built = {}
    for e, r in c.run(command="check", fmt=None, args=["--connect"]).items():
        eq(r.rc, 3, "R16d %s: check --connect with a missing root exits 3" % e, r)
        check(c.path("nowhere") + ": missing" in r.out, "R16d %s: names the missing root" % e, r)
    # what report and wipe refuse before they start, check --connect refuses too
    c.conf = {"alfresco": {"contentstore": c.path("contentstore"),
                           "contentstore_deleted": c.path("contentstore", "2024")}}
    c._built = {}
    for e, r in c.run(command="check", fmt=None, args=["--connect"]).items():
        eq(r.rc, 3, "R16d %s: check --connect with contentstore_deleted inside contentstore "
           "exits 3" % e, r)
        check("overlap" in r.out and "contentstore_deleted" in r.out,
              "R16d %s: says the roots overlap" % e, r)
    os.makedirs(c.path("emptycs"), exist_ok=True)
    c.conf = {"alfresco": {"contentstore": c.path("emptycs")}}
    c._built = {}
    for e, r in c.run(command="check", fmt=None, args=["--connect"]).items():
        eq(r.rc, 3, "R16d %s: check --connect with an empty contentstore exits 3" % e, r)
        check(c.path("emptycs") + ": empty while the database references 1 store:// URLs" in r.out,
              "R16d %s: says the contentstore is empty while URLs are referenced" % e, r)


MY_PW = __import__("fixture").MY_PASSWORD


# ---- R17 extra fixture, R18 --------------------------------------------------------------

def twins(name, placeholders):
    c = Case(name)
    c.u("big", "store://2024/5/1/10/15/AbC.bin", 700)
    live_node(c, "big", "big", "uuid-abc-upper")
    c.u("small", "store://2024/5/1/10/15/abc.bin", 300)
    c.f("cs", "2024/5/1/10/15/AbC.bin", 700, "2024-05-01T10:15:00Z")
    c.f("cs", "2024/5/1/10/15/abc.bin", 300, "2024-05-01T10:15:00Z")
    if placeholders:
        # sys:originalId values equal to the live content data id: a long property that is
        # not a content property must not count as a reference
        c.placeholder_nodes(50, ["workspace/SpacesStore", "archive/SpacesStore"], 90,
                            original_ids=[c.dkey["d-big"]])
    return c


def r17_twins():
    base = twins("r17-twins", False)
    withph = twins("r17-twins-ph", True)
    rb = record("R17-twins", base.run())
    rp = record("R17-twins-ph", withph.run())
    same_formats("R17-twins-ph", withph)

    def t(e, r):
        got = sorted((it["content_url"], it["class"], it["size"], it["findings"])
                     for it in r.json["items"])
        eq(got, [("store://2024/5/1/10/15/AbC.bin", "live", 700, []),
                 ("store://2024/5/1/10/15/abc.bin", "unreferenced", 300, [])],
           "R17 %s: case twins stay two items (live 700, unreferenced 300)" % e, r)
        eq(r.summary("stray"), (0, 0), "R17 %s: no twin file cross-matched as stray" % e)
    each(rb, t)
    each(rp, t)
    for e in rb:
        a, b = rb[e].json, rp[e].json
        if a and b:
            eq((b["summary"], b["items"], b["stores"]["workspace://SpacesStore"]),
               (a["summary"], a["items"], a["stores"]["workspace://SpacesStore"]),
               "R17 %s: 50 sys:deleted placeholders change no class or total" % e)


def r18():
    c = Case("r18")
    c.u("d1", "store://2024/2/2/2/2/d1.bin", 300)
    live_node(c, "d1", "d1", "uuid-d1")
    c.f("cs", "2024/2/2/2/2/d1.bin", 300, "2024-02-02T02:02:00Z")
    c.f("del", "2024/2/2/2/2/d1.bin", 300, "2024-02-20T04:00:00Z")

    def t(e, r):
        its = r.items(content_url="store://2024/2/2/2/2/d1.bin")
        got = sorted((it["class"], it["root"]) for it in its)
        eq(got, [("deleted_referenced", "contentstore_deleted"), ("live", "contentstore")],
           "R18 %s: live URL item, deleted_referenced file" % e, r)
        eq(r.summary("deleted"), (0, 0), "R18 %s: not a wipe candidate" % e)
        dr = [it for it in its if it["class"] == "deleted_referenced"]
        eq([it["node_refs"] for it in dr], [["workspace://SpacesStore/uuid-d1"]],
           "R18 %s: the deleted_referenced file names the node that still needs it" % e, r)
        eq(r.rc, 1, "R18 %s: exit 1" % e, r)
    each(record("R18", c.run()), t)
    # The text output names the file behind the WARNING even though it has no finding.
    for e, r in c.run(fmt="text").items():
        att = r.out.split("items needing attention", 1)[-1]
        check("deleted_referenced" in att and "2024/2/2/2/2/d1.bin" in att,
              "R18 %s: text lists the deleted_referenced file among the items needing attention"
              % e, r)


def r17_compare():
    for label, res in ALL.items():
        pg, my = res.get("pg"), res.get("my")
        if not pg or not my or pg.json is None or my.json is None:
            check(False, "R17 %s: both engines produced a JSON report" % label)
            continue
        check(pg.json["database"]["engine"] != my.json["database"]["engine"],
              "R17 %s: the reports name their engines" % label)
        a, b = normalised(pg.json), normalised(my.json)
        eq(pg.rc, my.rc, "R17 %s: same exit code on both engines" % label)
        if a == b:
            check(True, "R17 %s: JSON identical apart from the engine" % label)
        else:
            diff = [k for k in set(a) | set(b) if a.get(k) != b.get(k)]
            check(False, "R17 %s: JSON identical apart from the engine" % label,
                  "differs in %s:\npg %s\nmy %s" % (diff, {k: a.get(k) for k in diff},
                                                     {k: b.get(k) for k in diff}))


def main():
    for fn in (r1, r2, r3, r4, r5, r6, r7, r8, r9, r10, r11, r12, r13, r14, r15, r16,
               r17_twins, r18):
        try:
            fn()
        except Exception as e:  # a broken fixture is a failure, not a crash of the whole run
            import traceback
            check(False, "%s ran" % fn.__name__, traceback.format_exc())
    r17_compare()
    finish()


if __name__ == "__main__":
    main()
