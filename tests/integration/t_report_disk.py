#!/usr/bin/env python3
"""alfwipe report on what a content root can hold besides plain files, and on totals and
status, on PostgreSQL and MariaDB:

- a symbolic link, a FIFO, a socket or a directory at a URL's path: one item of the URL's class
  with not_regular_file saying what it is (never missing_file), the link never followed;
  CRITICAL for live, version and trashcan content with no regular file, WARNING otherwise;
- a file in contentstore.deleted with more than one hard link: hard_linked with its link count
  and the other names of its inode the walk saw, WARNING;
- an invalid_url alone: WARNING;
- a file in contentstore.deleted not named <guid>.bin: not_content_name, WARNING;
- content_size values near 2^63: every byte total saturates at 2^63-1, none goes negative;
- an empty contentstore (R16): refused unless extra_roots hold files of the database's URLs;
- -q with --format json or csv: the document is written in full; only warnings on standard
  error are silenced (and text prints nothing when OK).
Every JSON report is also compared between the engines (R17).
"""
import csv
import io
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture import Case, check, eq, finish, normalised  # noqa: E402

ALL = {}
INT64_MAX = 2**63 - 1


def each(label, res, fn):
    ALL[label] = res
    for engine, r in res.items():
        if r.json is None:
            check(False, "%s %s: JSON report parses" % (label, engine), r)
            continue
        fn(engine, r)


def doc(c, key, store, uuid, url, size, file=True, root="cs", mtime="2024-03-01T08:00:00Z"):
    c.u(key, url, size)
    c.d("d-" + key, key)
    c.n("n-" + key, store, uuid)
    c.p("n-" + key, "cm:content", "d-" + key)
    if file:
        c.f(root, url[len("store://"):], size, mtime)


def by_name(r):
    return {it["content_url"].rsplit("/", 1)[1]: it for it in r.json["items"]}


def old(path):
    os.utime(path, (1709280000, 1709280000), follow_symlinks=False)   # 2024-03-01


def not_regular():
    """Something other than a regular file at a live URL's path."""
    c = Case("notreg")
    d = "2024/6/6/6/6/"
    doc(c, "ok", "workspace/SpacesStore", "uuid-ok", "store://" + d + "ok.bin", 4)
    for k in ("lnk", "dangling", "fifo", "sock", "dir"):
        doc(c, k, "workspace/SpacesStore", "uuid-" + k, "store://%s%s.bin" % (d, k), 4,
            file=False)
    c._write_files()
    cs = c.path("contentstore", d)
    # the link's target is a regular file of exactly the URL's size: following it would make
    # the URL look present
    os.symlink(os.path.join(cs, "ok.bin"), os.path.join(cs, "lnk.bin"))
    os.symlink(os.path.join(cs, "nowhere.bin"), os.path.join(cs, "dangling.bin"))
    os.mkfifo(os.path.join(cs, "fifo.bin"))
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    here = os.getcwd()
    os.chdir(cs)                 # a relative name: the full path may not fit in sun_path
    try:
        s.bind("sock.bin")
    finally:
        os.chdir(here)
        s.close()
    os.makedirs(os.path.join(cs, "dir.bin"))
    for n in ("lnk", "dangling", "fifo", "sock", "dir"):
        old(os.path.join(cs, n + ".bin"))

    def t(e, r):
        items = by_name(r)
        eq(len(r.json["items"]), 6, "not_regular %s: one item per URL, no other" % e, r)
        got = {k: (v["class"], v["findings"], [(f["root"], f["path"], f.get("type"))
                                                for f in v["files"]])
               for k, v in items.items()}
        want = {"ok.bin": ("live", [], [("contentstore", d + "ok.bin", None)])}
        for k, typ in (("lnk", "symlink"), ("dangling", "symlink"), ("fifo", "fifo"),
                       ("sock", "socket"), ("dir", "directory")):
            want[k + ".bin"] = ("live", ["not_regular_file"],
                                [("contentstore", d + k + ".bin", typ)])
        eq(got, want, "not_regular %s: class live, not_regular_file with the type, never "
                      "missing_file" % e, r)
        lnk = items["lnk.bin"]
        eq((lnk["files"][0]["size"], lnk.get("disk_size")),
           (len(os.path.join(cs, "ok.bin")), None),
           "not_regular %s: the link is described, its target not stat'ed as content" % e, r)
        eq((r.json["findings"]["missing_file"], r.json["findings"]["not_regular_file"]),
           (0, 5), "not_regular %s: finding counts" % e, r)
        eq(r.rc, 2, "not_regular %s: exit 2 (live content without a regular file)" % e, r)
        check(any("no regular file" in x for x in r.json["status"]["reasons"]),
              "not_regular %s: the status says why" % e, r)
    each("not_regular", c.run(), t)
    for e, r in c.run(fmt="text").items():
        check("file contentstore:%sfifo.bin (fifo)" % d in r.out and
              "file contentstore:%sdir.bin (directory)" % d in r.out,
              "not_regular %s: text names what is there" % e, r)
    for e, r in c.run(fmt="csv").items():
        rows = list(csv.DictReader(io.StringIO(r.out, newline="")))
        eq(sorted(x["findings"] for x in rows if x["content_url"].endswith("fifo.bin")),
           ["not_regular_file"], "not_regular %s: CSV finding" % e, r)


def not_regular_warning():
    """A non-regular file where a regular copy exists elsewhere, or at an orphan's path: a
    warning, not critical."""
    c = Case("notreg-warn")
    c.extra_roots = ["extra"]
    url = "store://2024/6/6/6/6/both.bin"
    doc(c, "both", "workspace/SpacesStore", "uuid-both", url, 4, root="extra")
    c.u("orph", "store://2024/6/6/6/7/orph.bin", 6, 1718841600000)
    c._write_files()
    os.makedirs(c.path("contentstore", "2024/6/6/6/6"))
    os.mkfifo(c.path("contentstore", "2024/6/6/6/6/both.bin"))
    old(c.path("contentstore", "2024/6/6/6/6/both.bin"))
    os.makedirs(c.path("contentstore", "2024/6/6/6/7"))
    os.symlink("/etc/hostname", c.path("contentstore", "2024/6/6/6/7/orph.bin"))
    old(c.path("contentstore", "2024/6/6/6/7/orph.bin"))

    def t(e, r):
        items = by_name(r)
        b, o = items.get("both.bin", {}), items.get("orph.bin", {})
        eq((b.get("class"), b.get("findings"),
            sorted((f["root"], f.get("type")) for f in b.get("files", []))),
           ("live", ["not_regular_file"], [("contentstore", "fifo"), ("extra_roots[0]", None)]),
           "notreg-warn %s: a FIFO beside a regular copy" % e, r)
        eq((o.get("class"), o.get("findings")), ("orphan_protected", ["not_regular_file"]),
           "notreg-warn %s: a symlink at an orphan's path" % e, r)
        eq(r.rc, 1, "notreg-warn %s: exit 1, not 2" % e, r)
    each("notreg-warn", c.run(), t)


def hard_links():
    """Files in contentstore.deleted with more than one link."""
    c = Case("hardlink")
    d = "2024/6/6/6/6/"
    doc(c, "live", "workspace/SpacesStore", "uuid-live", "store://" + d + "live.bin", 4)
    c.f("del", "2024/1/1/1/1/plain.bin", 3, "2024-02-01T04:00:00Z")
    c._write_files()
    dl = c.path("contentstore.deleted")
    os.makedirs(os.path.join(dl, d))
    os.link(c.path("contentstore", d + "live.bin"), os.path.join(dl, d + "copy.bin"))
    os.makedirs(c.path("outside"))
    with open(os.path.join(dl, "2024/1/1/1/1/snap.bin"), "wb") as fp:
        fp.write(b"y" * 7)
    os.link(os.path.join(dl, "2024/1/1/1/1/snap.bin"), c.path("outside", "snapshot.bin"))
    os.link(os.path.join(dl, "2024/1/1/1/1/snap.bin"), c.path("outside", "snapshot2.bin"))
    for p in (os.path.join(dl, d + "copy.bin"), os.path.join(dl, "2024/1/1/1/1/snap.bin")):
        old(p)

    def t(e, r):
        items = by_name(r)
        cp, sn, pl = items.get("copy.bin", {}), items.get("snap.bin", {}), items.get("plain.bin")
        eq((cp.get("class"), cp.get("findings"), cp.get("link_count"),
            [(x["root"], x["path"], x["content_url"]) for x in cp.get("shares_inode_with", [])]),
           ("deleted", ["hard_linked"], 2,
            [("contentstore", d + "live.bin", "store://" + d + "live.bin")]),
           "hardlink %s: a second name of a live file is named" % e, r)
        eq((sn.get("class"), sn.get("findings"), sn.get("link_count"),
            sn.get("shares_inode_with")), ("deleted", ["hard_linked"], 3, []),
           "hardlink %s: names outside the roots: the link count only" % e, r)
        eq((pl or {}).get("findings"), [], "hardlink %s: one link: no finding" % e, r)
        eq(items.get("live.bin", {}).get("findings"), [],
           "hardlink %s: the live item itself is unchanged" % e, r)
        eq((r.rc, r.json["findings"]["hard_linked"]), (1, 2), "hardlink %s: exit 1" % e, r)
        check(any("hard link" in x for x in r.json["status"]["reasons"]),
              "hardlink %s: the status says why" % e, r)
    each("hardlink", c.run(), t)
    for e, r in c.run(fmt="text").items():
        check("2 hard links; shares its inode with:\n        contentstore:%slive.bin" % d
              in r.out, "hardlink %s: text names the other name" % e, r)


def invalid_url_alone():
    c = Case("invalid")
    doc(c, "ok", "workspace/SpacesStore", "uuid-ok", "store://2024/6/6/6/6/ok.bin", 4)
    doc(c, "bad", "workspace/SpacesStore", "uuid-bad", "store://2024/../../../etc/passwd", 7,
        file=False)

    def t(e, r):
        got = [(x["class"], x["findings"]) for x in r.json["items"]]
        eq(sorted(got), [("live", []), ("live", ["invalid_url"])],
           "invalid %s: the bad URL has invalid_url only" % e, r)
        eq((r.rc, r.json["status"]["state"]), (1, "WARNING"),
           "invalid %s: invalid_url alone is a warning (exit 1)" % e, r)
    each("invalid", c.run(), t)


def huge_sizes():
    """content_size near 2^63 on several URLs: totals saturate, never wrap."""
    c = Case("huge")
    big = 2**62 + 5
    c.n("folder", "archive/SpacesStore", "uuid-hfolder", type="cm:folder")
    c.t("folder", "2024-01-15T00:00:00.000Z", "alice", "huge")
    for i in range(3):
        doc(c, "s%d" % i, "workspace/SpacesStore", "uuid-s%d" % i,
            "s3://2024/6/6/6/6/b%d.bin" % i, big, file=False)
        c.u("o%d" % i, "store://2024/6/6/6/7/o%d.bin" % i, big, 1714521600000)
        c.f("cs", "2024/6/6/6/7/o%d.bin" % i, 1, "2024-04-30T07:00:00Z")
        url = "store://2024/6/6/6/8/t%d.bin" % i
        c.u("t%d" % i, url, big)
        c.d("dt%d" % i, "t%d" % i)
        c.n("nt%d" % i, "archive/SpacesStore", "uuid-ht%d" % i, parent="folder")
        c.p("nt%d" % i, "cm:content", "dt%d" % i)
        c.f("cs", url[8:], 1, "2024-01-10T08:00:00Z")

    def t(e, r):
        j = r.json
        sums = [j["summary"][k]["bytes"] for k in ("trashcan", "orphan_overdue", "non_file")]
        sums.append(j["summary"]["non_file"]["protocols"]["s3"]["bytes"])
        eq(sums, [INT64_MAX] * 4, "huge %s: class totals saturate" % e, r)
        eq(j["age_buckets"]["orphans"]["30-90"], {"count": 3, "bytes": INT64_MAX},
           "huge %s: age bucket saturates" % e, r)
        eq((j["stores"]["workspace://SpacesStore"]["bytes"],
            j["stores"]["archive://SpacesStore"]["bytes"]), (INT64_MAX, INT64_MAX),
           "huge %s: per-store totals saturate" % e, r)
        tr = r.trash("uuid-hfolder")
        eq(tr and (tr["urls"], tr["bytes"], tr["reclaimable"]), (3, INT64_MAX, INT64_MAX),
           "huge %s: trashcan item bytes and reclaimable saturate" % e, r)
        eq(j["age_buckets"]["trashcan"]["90-365"], {"count": 1, "bytes": INT64_MAX},
           "huge %s: trashcan age bucket saturates" % e, r)
        negative = []

        def walk(x, where):
            if isinstance(x, dict):
                for k, v in x.items():
                    walk(v, where + "." + k)
            elif isinstance(x, list):
                for i, v in enumerate(x):
                    walk(v, "%s[%d]" % (where, i))
            elif isinstance(x, int) and not isinstance(x, bool) and x < 0:
                negative.append(where)
        walk(j, "")
        eq(negative, [], "huge %s: no negative number anywhere in the report" % e, r)
    each("huge", c.run(), t)
    for e, r in c.run(fmt="text").items():
        check("9223372036854775807" in r.out and "18446744" not in r.out,
              "huge %s: text totals saturate too" % e, r)


def empty_contentstore():
    """R16 with extra roots: an empty contentstore is the unmounted case only when no extra
    root holds a file of the database's URLs."""
    urls = ["store://2024/6/1/9/0/e%d.bin" % i for i in range(1, 4)]

    def case(name, in_extra, stray=False):
        c = Case(name)
        c.extra_roots = ["extra"]
        for i, u in enumerate(urls):
            doc(c, "e%d" % i, "workspace/SpacesStore", "uuid-%s-%d" % (name, i), u, 100,
                file=False)
        for u in urls[:in_extra]:
            c.f("extra", u[8:], 100, "2024-06-01T09:00:00Z")
        if stray:
            c.f("extra", "2024/5/5/5/5/stray.bin", 10, "2024-05-05T05:05:00Z")
        return c

    def t_all(e, r):
        got = sorted((x["class"], x["findings"], x["root"]) for x in r.json["items"])
        eq((r.rc, got), (0, [("live", [], "extra_roots[0]")] * 3),
           "empty-cs-extra %s: extra_roots hold every file: the report runs" % e, r)
    each("empty-cs-extra", case("emptycs-all", 3).run(), t_all)

    def t_one(e, r):
        got = sorted((x["class"], x["findings"]) for x in r.json["items"])
        eq((r.rc, got), (2, [("live", []), ("live", ["missing_file"]),
                             ("live", ["missing_file"])]),
           "empty-cs-one %s: one file in an extra root: a report with the missing ones (as "
           "R16c)" % e, r)
    each("empty-cs-one", case("emptycs-one", 1).run(), t_one)

    for label, c in (("empty-cs-stray", case("emptycs-stray", 0, stray=True)),
                     ("empty-cs-none", case("emptycs-none", 0))):
        for e, r in c.run().items():
            check(r.rc == 3 and r.out == "" and
                  "is empty while the database references 3 store:// URLs" in r.err and
                  "no extra root holds a file of any of them" in r.err and
                  c.path("contentstore") in r.err,
                  "%s %s: refused, exit 3, nothing printed, the message says why" % (label, e),
                  r)
        out = c.path("report.json")
        for e, r in c.run(output=out).items():
            eq((r.rc, os.path.exists(out)), (3, False),
               "%s %s: no --output file appears" % (label, e), r)


def quiet():
    """-q silences warnings on standard error; a JSON or CSV document is written in full."""
    c = Case("quiet")
    doc(c, "ok", "workspace/SpacesStore", "uuid-ok", "store://2024/6/6/6/6/ok.bin", 4)
    # a db.url alfwipe cannot read, beside alfwipe.conf's database group: a warning that it is
    # ignored
    c.global_properties = "db.url=jdbc:oracle:thin:@localhost:1521:alfresco\n"
    loud = {f: c.run(fmt=f) for f in ("json", "csv", "text")}
    hush = {f: c.run(fmt=f, global_args=["-q"]) for f in ("json", "csv", "text")}
    for e in ("pg", "my"):
        for f in ("json", "csv", "text"):
            check("warning" in loud[f][e].err and "ignoring db.url" in loud[f][e].err,
                  "quiet %s %s: without -q the warning is on standard error" % (e, f),
                  loud[f][e])
            eq((hush[f][e].rc, hush[f][e].err), (0, ""),
               "quiet %s %s: -q: nothing on standard error" % (e, f), hush[f][e])
        for f in ("json", "csv"):
            check(hush[f][e].out != "" and hush[f][e].out == loud[f][e].out,
                  "quiet %s %s: -q writes the same complete document" % (e, f), hush[f][e])
        eq(hush["text"][e].out, "", "quiet %s text: -q prints nothing when OK" % e, hush["text"][e])
        out = c.path("q-%s.json" % e)
        r = c.run(fmt="json", global_args=["-q"], output=out, engines=(e,))[e]
        check(r.rc == 0 and r.json is not None and len(r.json["items"]) == 1,
              "quiet %s: -q --output FILE writes the JSON file" % e, r)


def not_content_names():
    """Files in contentstore.deleted not named <guid>.bin: the cleaner moves Alfresco's files
    with their names, so these are someone else's; alfwipe wipe refuses them, and the report
    says so instead of listing them as plain candidates."""
    c = Case("notbin")
    doc(c, "ok", "workspace/SpacesStore", "uuid-ok", "store://2024/6/6/6/6/ok.bin", 4)
    c.f("del", "2024/1/1/1/1/gone.bin", 3, "2024-02-01T04:00:00Z")
    c.f("del", "2024/1/1/1/1/gone.bin.gz", 5, "2024-02-01T04:00:00Z")
    c.f("del", "README.txt", 6, "2024-02-01T04:00:00Z")
    c.f("del", "2024/1/1/1/1/.bin", 2, "2024-02-01T04:00:00Z")
    c.f("cs", "2024/6/6/6/6/notes.txt", 7, "2024-02-01T04:00:00Z")

    def t(e, r):
        got = {it["content_url"]: (it["class"], it["findings"]) for it in r.json["items"]}
        eq(got.get("store://2024/1/1/1/1/gone.bin"), ("deleted", []),
           "notbin %s: a .bin file is a plain candidate" % e, r)
        for u in ("store://2024/1/1/1/1/gone.bin.gz", "store://README.txt",
                  "store://2024/1/1/1/1/.bin"):
            eq(got.get(u), ("deleted", ["not_content_name"]),
               "notbin %s: %s is not_content_name" % (e, u), r)
        eq(got.get("store://2024/6/6/6/6/notes.txt"), ("stray", []),
           "notbin %s: in contentstore the rule does not apply (a stray)" % e, r)
        eq((r.rc, r.json["findings"].get("not_content_name")), (1, 3),
           "notbin %s: exit 1, three counted" % e, r)
        check(any("not named like Alfresco content" in x for x in r.json["status"]["reasons"]),
              "notbin %s: the status says why" % e, r)
    each("notbin", c.run(), t)
    for e, r in c.run(fmt="text").items():
        check("not_content_name" in r.out and "README.txt" in r.out,
              "notbin %s: text lists the file with its finding" % e, r)


def compare():
    for label, res in ALL.items():
        pg, my = res.get("pg"), res.get("my")
        if pg and my and pg.json and my.json:
            eq(normalised(pg.json), normalised(my.json),
               "R17 %s: JSON identical between the engines" % label)


def main():
    for fn in (not_regular, not_regular_warning, hard_links, invalid_url_alone, huge_sizes,
               empty_contentstore, quiet, not_content_names):
        try:
            fn()
        except Exception:
            import traceback
            check(False, "%s ran" % fn.__name__, traceback.format_exc())
    compare()
    finish()


if __name__ == "__main__":
    main()
