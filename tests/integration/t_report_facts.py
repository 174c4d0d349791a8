#!/usr/bin/env python3
"""alfwipe report on situations the report cases do not spell out but ../shared/alfresco-facts.md
implies, on PostgreSQL and MariaDB: a deleted folder tree, version history of a trashed and of
a live document, content properties other than cm:content (type 21 on a custom model, type 3
on a known d:content qname, a long property that merely holds a content data id), dangling
content data, stale orphan marks, URLs shared inside one trashcan item and between two,
missing files per class, young files in contentstore.deleted, symlinks, URLs that would leave
the root, offsets in sys:archivedDate, and the text, CSV and -q outputs. Every JSON report is
also compared between the engines.
"""
import csv
import io
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture import Case, check, eq, finish, normalised  # noqa: E402

ALL = {}


def each(label, res, fn):
    ALL[label] = res
    for engine, r in res.items():
        if r.json is None:
            check(False, "%s %s: JSON report parses" % (label, engine), r)
            continue
        fn(engine, r)


def doc(c, key, store, uuid, url, size, parent=None, file_mtime="2024-03-01T08:00:00Z",
        qname="cm:content", actual=21, file=True):
    if url not in [u[1] for u in c.urls]:
        c.u(key, url, size)
        ukey = key
    else:
        ukey = [k for k, v in c.ukey.items() if v == [u[0] for u in c.urls if u[1] == url][0]][0]
    c.d("d-" + key, ukey)
    c.n("n-" + key, store, uuid, parent=parent)
    c.p("n-" + key, qname, "d-" + key, actual=actual)
    if file and url.startswith("store://"):
        c.f("cs", url[len("store://"):], size, file_mtime)


def folder_tree():
    """A folder deleted with two documents: one trashcan item, its tree's URLs."""
    c = Case("tree")
    c.n("folder", "archive/SpacesStore", "uuid-folder", type="cm:folder")
    c.t("folder", "2024-06-20T00:00:00.000+02:00", "dave", "Reports")
    doc(c, "a", "archive/SpacesStore", "uuid-a", "store://2024/6/1/1/1/a.bin", 1000,
        parent="folder")
    doc(c, "b", "archive/SpacesStore", "uuid-b", "store://2024/6/1/1/1/b.bin", 2000,
        parent="folder")
    # a rendition-like grandchild sharing a's URL: still inside the same item
    doc(c, "a2", "archive/SpacesStore", "uuid-a2", "store://2024/6/1/1/1/a.bin", 1000,
        parent="n-a")

    def t(e, r):
        tr = r.trash("uuid-folder")
        eq(tr and (tr["archived_at"], tr["age_days"], tr["urls"], tr["bytes"], tr["reclaimable"],
                   tr["findings"]),
           ("2024-06-19T22:00:00Z", 10.1, 2, 3000, 3000, []),
           "tree %s: one item, offset date parsed, bytes of its tree, each URL once" % e, r)
        a = r.item(content_url="store://2024/6/1/1/1/a.bin")
        eq(a and (a["class"], a["findings"], a.get("trashcan_items")),
           ("trashcan", ["shared"], ["uuid-folder"]), "tree %s: descendant URL in the item" % e, r)
        eq(r.summary("trashcan"), (2, 3000), "tree %s: summary.trashcan" % e)
        eq(len(r.json["trashcan_items"]), 1, "tree %s: descendants are not items" % e)
        eq(r.rc, 0, "tree %s: exit 0 (inside the keep period)" % e, r)
    each("tree", c.run(), t)


def deep_tree():
    """A trashcan item 300 folders deep: the content at the bottom still belongs to it."""
    c = Case("deep")
    c.n("f0", "archive/SpacesStore", "uuid-deep-0", type="cm:folder")
    c.t("f0", "2024-05-01T00:00:00.000Z", "gina", "deep")
    for i in range(1, 300):
        c.n("f%d" % i, "archive/SpacesStore", "uuid-deep-%d" % i, type="cm:folder",
            parent="f%d" % (i - 1))
    doc(c, "bottom", "archive/SpacesStore", "uuid-bottom", "store://2024/4/4/4/4/bottom.bin",
        77, parent="f299")

    def t(e, r):
        it = r.item(content_url="store://2024/4/4/4/4/bottom.bin")
        eq(it and (it["class"], it["findings"], it.get("trashcan_items")),
           ("trashcan", ["trashcan_expired"], ["uuid-deep-0"]),
           "deep %s: content 300 levels down belongs to the item" % e, r)
        tr = r.trash("uuid-deep-0")
        eq(tr and (tr["bytes"], tr["reclaimable"]), (77, 77), "deep %s: item bytes" % e, r)
    each("deep", c.run(), t)


def versions():
    """Version history: of a trashed document (purge frees it) and of a live one."""
    c = Case("versions")
    # trashed document with an older version in version2Store
    doc(c, "td", "archive/SpacesStore", "uuid-td", "store://2024/2/1/1/1/td-v2.bin", 300)
    c.t("n-td", "2024-04-01T00:00:00.000Z", "erin", "plan.docx")
    c.n("vh-td", "workspace/version2Store", "uuid-vh-td", type="ver2:versionHistory",
        parent="@root")
    c.sp("vh-td", "ver2:versionedNodeId", "uuid-td")
    doc(c, "tdv1", "workspace/version2Store", "uuid-tdv1", "store://2024/1/1/1/1/td-v1.bin", 200,
        parent="vh-td")
    c.sp("n-tdv1", "ver2:frozenNodeRef", "workspace://SpacesStore/uuid-td", actual=12)
    # the current content is also kept by a version node (same URL, own content data)
    doc(c, "tdv2", "workspace/version2Store", "uuid-tdv2", "store://2024/2/1/1/1/td-v2.bin", 300,
        parent="vh-td")
    # version of a live document, found through the history's versionedNodeId only
    doc(c, "ld", "workspace/SpacesStore", "uuid-ld", "store://2024/3/1/1/1/ld-v2.bin", 50)
    c.n("vh-ld", "workspace/version2Store", "uuid-vh-ld", type="ver2:versionHistory",
        parent="@root")
    c.sp("vh-ld", "ver2:versionedNodeId", "uuid-ld")
    doc(c, "ldv1", "workspace/version2Store", "uuid-ldv1", "store://2024/3/1/1/1/ld-v1.bin", 40,
        parent="vh-ld")

    def t(e, r):
        v1 = r.item(content_url="store://2024/1/1/1/1/td-v1.bin")
        eq(v1 and (v1["class"], v1["findings"], v1.get("trashcan_items")),
           ("version", ["trashcan_expired"], ["uuid-td"]),
           "versions %s: old version of a trashed document is 'version', in its item" % e, r)
        v2 = r.item(content_url="store://2024/2/1/1/1/td-v2.bin")
        eq(v2 and (v2["class"], sorted(v2["findings"])),
           ("version", ["shared", "trashcan_expired"]),
           "versions %s: current content kept by a version node outranks the archive" % e, r)
        tr = r.trash("uuid-td")
        eq(tr and (tr["urls"], tr["bytes"], tr["reclaimable"]), (2, 500, 500),
           "versions %s: the purge frees the version history too" % e, r)
        lv = r.item(content_url="store://2024/3/1/1/1/ld-v1.bin")
        eq(lv and (lv["class"], lv["findings"], lv.get("trashcan_items")),
           ("version", [], None), "versions %s: version of a live document" % e, r)
        eq(r.summary("version"), (3, 540), "versions %s: summary.version" % e)
        eq(r.json["stores"]["workspace://version2Store"], {"urls": 3, "bytes": 540},
           "versions %s: version store total" % e)
        eq(r.rc, 1, "versions %s: exit 1 (expired item)" % e, r)
    each("versions", c.run(), t)

    c = Case("version-missing")
    doc(c, "ld", "workspace/SpacesStore", "uuid-ld", "store://2024/3/1/1/1/ld-v2.bin", 50)
    doc(c, "ldv1", "workspace/version2Store", "uuid-ldv1", "store://2024/3/1/1/1/ld-v1.bin", 40,
        file=False)

    def tm(e, r):
        it = r.item(content_url="store://2024/3/1/1/1/ld-v1.bin")
        eq(it and (it["class"], it["findings"]), ("version", ["missing_file"]),
           "version-missing %s: version content without a file" % e, r)
        eq(r.rc, 2, "version-missing %s: exit 2" % e, r)
    each("version-missing", c.run(), tm)


def content_properties():
    c = Case("props")
    c.qname("ex:attachment", "http://example.org/model/extra/1.0")
    doc(c, "custom", "workspace/SpacesStore", "uuid-custom", "store://2024/4/1/1/1/custom.bin",
        11, qname="ex:attachment")
    doc(c, "old", "workspace/SpacesStore", "uuid-old", "store://2024/4/1/1/1/old.bin", 12,
        actual=3)
    doc(c, "person", "user/alfrescoUserStore", "uuid-person", "store://2024/4/1/1/1/person.bin",
        13, qname="cm:persondescription")
    # a long property (3/3) of a qname that is not a content property, holding a content data
    # id: not a reference
    c.u("notref", "store://2024/4/1/1/1/notref.bin", 14)
    c.d("d-notref", "notref")
    c.n("n-notref", "workspace/SpacesStore", "uuid-notref")
    c.p("n-notref", "cm:name", "d-notref", actual=3)
    c.f("cs", "2024/4/1/1/1/notref.bin", 14, "2024-04-01T01:01:00Z")
    # dangling content data: a row without any node property
    c.u("dang", "store://2024/4/1/1/1/dang.bin", 15)
    c.d("d-dang", "dang")
    c.f("cs", "2024/4/1/1/1/dang.bin", 15, "2024-04-01T01:01:00Z")
    # a stale orphan mark on a referenced URL
    doc(c, "stale", "workspace/SpacesStore", "uuid-stale", "store://2024/4/1/1/1/stale.bin", 16)
    c.urls = [(i, u, s, 1714521600000 if u.endswith("stale.bin") else o)
              for i, u, s, o in c.urls]

    def t(e, r):
        got = {it["content_url"].rsplit("/", 1)[1]: (it["class"], it["findings"])
               for it in r.json["items"]}
        eq(got, {"custom.bin": ("live", []), "old.bin": ("live", []),
                 "person.bin": ("live", []),
                 "notref.bin": ("unreferenced", ["dangling_content_data"]),
                 "dang.bin": ("unreferenced", ["dangling_content_data"]),
                 "stale.bin": ("live", ["stale_orphan_mark"])},
           "props %s: any d:content property counts; other longs do not" % e, r)
        eq(r.json["stores"]["user://alfrescoUserStore"], {"urls": 1, "bytes": 13},
           "props %s: the user store is a live store" % e)
        eq(r.rc, 1, "props %s: exit 1 (unreferenced)" % e, r)
    each("props", c.run(), t)


def sharing():
    c = Case("sharing")
    # one URL in two different trashcan items: neither purge alone frees it
    c.u("s", "store://2024/5/5/5/5/s.bin", 700)
    c.f("cs", "2024/5/5/5/5/s.bin", 700, "2024-05-05T05:05:00Z")
    for k in ("x", "y"):
        c.d("d-" + k, "s")
        c.n("n-" + k, "archive/SpacesStore", "uuid-" + k)
        c.t("n-" + k, "2024-06-25T00:00:00.000Z", "frank", k + ".txt")
        c.p("n-" + k, "cm:content", "d-" + k)
    # an archive node outside any item (no parent): its URL is trashcan, frees nothing
    doc(c, "lost", "archive/SpacesStore", "uuid-lost", "store://2024/5/5/5/5/lost.bin", 9)
    # trashcan content whose file is missing: critical
    doc(c, "gone", "archive/SpacesStore", "uuid-gone", "store://2024/5/5/5/5/gone.bin", 8,
        file=False)
    c.t("n-gone", "2024-06-25T00:00:00.000Z", "frank", "gone.txt")

    def t(e, r):
        eq([(lambda x: x and (x["bytes"], x["reclaimable"]))(r.trash("uuid-" + k))
            for k in ("x", "y")], [(700, 0), (700, 0)],
           "sharing %s: a URL in two items frees nothing on either" % e, r)
        s = r.item(content_url="store://2024/5/5/5/5/s.bin")
        eq(s and (s["class"], s["findings"], s.get("trashcan_items")),
           ("trashcan", ["shared"], ["uuid-x", "uuid-y"]), "sharing %s: shared trashcan URL" % e)
        lost = r.item(content_url="store://2024/5/5/5/5/lost.bin")
        eq(lost and (lost["class"], lost["findings"]), ("trashcan", []),
           "sharing %s: archive node outside any item" % e)
        gone = r.item(content_url="store://2024/5/5/5/5/gone.bin")
        eq(gone and (gone["class"], gone["findings"]), ("trashcan", ["missing_file"]),
           "sharing %s: trashcan content without file" % e)
        eq(r.trash("uuid-gone")["reclaimable"] if r.trash("uuid-gone") else None, 8,
           "sharing %s: a missing file still counts as what the purge releases" % e)
        eq(r.summary("trashcan"), (3, 717), "sharing %s: summary.trashcan" % e)
        eq(r.rc, 2, "sharing %s: exit 2 (missing trashcan content)" % e, r)
    each("sharing", c.run(), t)


def disk_oddities():
    c = Case("disk")
    doc(c, "ok", "workspace/SpacesStore", "uuid-ok", "store://2024/6/6/6/6/ok.bin", 4)
    c.f("del", "2024/6/1/1/1/young.bin", 5, "2024-06-29T23:50:00Z")
    # an orphan whose file is gone: not critical
    c.u("o", "store://2024/6/1/1/1/orph.bin", 6, 1718841600000)
    # a URL that would leave the root
    c.u("bad", "store://../../etc/passwd", 7)
    doc_key = "badref"
    c.d("d-" + doc_key, "bad")
    c.n("n-" + doc_key, "workspace/SpacesStore", "uuid-bad")
    c.p("n-" + doc_key, "cm:content", "d-" + doc_key)
    c.build("pg")
    link = c.path("contentstore", "2024/6/6/6/6/link.bin")
    os.symlink("/etc/hostname", link)
    os.utime(link, (1714521600, 1714521600), follow_symlinks=False)
    c._built = {"pg": c.path("alfwipe-pg.conf")}

    def t(e, r):
        got = {it["content_url"].rsplit("/", 1)[1]: (it["class"], it["findings"])
               for it in r.json["items"]}
        eq(got, {"ok.bin": ("live", []), "young.bin": ("deleted", ["in_flight"]),
                 "orph.bin": ("orphan_protected", ["missing_file"]),
                 "passwd": ("live", ["invalid_url"]),
                 "link.bin": ("stray", ["not_regular_file"])},
           "disk %s: young deleted file, orphan without file, invalid URL, symlink" % e, r)
        eq(r.rc, 1, "disk %s: exit 1 (the symlink is a stray past grace)" % e, r)
    each("disk", c.run(), t)


def not_walked():
    """A directory of the content store on another filesystem is not entered: the URLs below
    it are 'not_walked' (unknown), not missing files, and the report warns about it. The mount
    needs root, as the rest of the integration set-up does."""
    import subprocess
    check(os.geteuid() == 0, "not_walked: runs as root (tmpfs mount)")
    c = Case("notwalked")
    doc(c, "ok", "workspace/SpacesStore", "uuid-ok", "store://2024/6/6/6/6/ok.bin", 4)
    doc(c, "far", "workspace/SpacesStore", "uuid-far", "store://2024/7/1/1/1/far.bin", 5,
        file=False)
    doc(c, "gone", "workspace/SpacesStore", "uuid-gone", "store://2024/6/6/6/7/gone.bin", 6,
        file=False)
    c._write_files()
    mnt = c.path("contentstore", "2024", "7")
    os.makedirs(mnt)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt], check=True)
    try:
        def t(e, r):
            got = {it["content_url"].rsplit("/", 1)[1]: (it["class"], it["findings"])
                   for it in r.json["items"]}
            eq(got, {"ok.bin": ("live", []), "far.bin": ("live", ["not_walked"]),
                     "gone.bin": ("live", ["missing_file"])},
               "not_walked %s: below the mount: not_walked; elsewhere: missing_file" % e, r)
            check(any("2024/7" in p and "another filesystem" in p for p in r.json["problems"]),
                  "not_walked %s: the problem names the directory" % e, r)
            eq(r.rc, 2, "not_walked %s: exit 2 (gone.bin), not more" % e, r)
        each("notwalked", c.run(), t)
    finally:
        subprocess.run(["umount", mnt])


def linked_dir():
    """A directory of the content store that is a symbolic link (old years moved to another
    disk) is not followed: the URLs below it are 'not_walked', the link is a problem naming
    it, and it is no stray file. A link to a file stays a non-regular stray."""
    c = Case("linkeddir")
    doc(c, "ok", "workspace/SpacesStore", "uuid-ok", "store://2024/6/6/6/6/ok.bin", 4)
    doc(c, "moved", "workspace/SpacesStore", "uuid-moved", "store://2023/1/1/1/1/moved.bin", 5,
        file=False)
    doc(c, "deep", "workspace/SpacesStore", "uuid-deep", "store://2024/5/2/3/4/deep.bin", 6,
        file=False)
    c._write_files()
    elsewhere = c.path("other-disk")
    for rel in ("2023/1/1/1", "5/2/3/4"):
        os.makedirs(os.path.join(elsewhere, rel))
    os.symlink(os.path.join(elsewhere, "2023"), c.path("contentstore", "2023"))
    os.makedirs(c.path("contentstore", "2024", "5"))
    os.symlink(os.path.join(elsewhere, "5", "2"), c.path("contentstore", "2024", "5", "2"))
    alias = c.path("contentstore", "2024", "6", "6", "6", "6", "alias.bin")
    os.symlink(c.path("contentstore", "2024", "6", "6", "6", "6", "ok.bin"), alias)
    os.utime(alias, (1700000000, 1700000000), follow_symlinks=False)   # not in flight

    def t(e, r):
        got = {it["content_url"].rsplit("/", 1)[1]: (it["class"], it["findings"])
               for it in r.json["items"]}
        eq(got, {"ok.bin": ("live", []), "moved.bin": ("live", ["not_walked"]),
                 "deep.bin": ("live", ["not_walked"]),
                 "alias.bin": ("stray", ["not_regular_file"])},
           "linked dir %s: below a linked directory: not_walked; a linked file: stray" % e, r)
        probs = r.json["problems"]
        check(any("'2023'" in p and "symbolic link" in p for p in probs) and
              any("'2024/5/2'" in p and "symbolic link" in p for p in probs),
              "linked dir %s: each link is a problem naming it" % e, r)
        eq(r.rc, 1, "linked dir %s: exit 1 (a warning), not 2" % e, r)
    each("linkeddir", c.run(), t)


def deleted_root():
    """contentstore.deleted may be missing when eager cleanup is on (nothing is ever copied
    there); otherwise a missing one is a configuration problem (exit 3)."""
    c = Case("nodel-eager")
    c.make_roots["del"] = False
    c.conf = {"policy": {"eager_orphan_cleanup": True}}
    doc(c, "ok", "workspace/SpacesStore", "uuid-ok", "store://2024/6/6/6/6/ok.bin", 4)

    def t(e, r):
        roots = {x["name"]: x["exists"] for x in r.json["roots"]}
        eq((r.rc, roots.get("contentstore_deleted"), r.json["policy"]["sources"]
            ["eager_orphan_cleanup"]), (0, False, "alfwipe.conf"),
           "nodel-eager %s: a missing contentstore.deleted is normal with eager cleanup" % e, r)
    each("nodel-eager", c.run(), t)
    c = Case("nodel")
    c.make_roots["del"] = False
    doc(c, "ok", "workspace/SpacesStore", "uuid-ok", "store://2024/6/6/6/6/ok.bin", 4)
    for e, r in c.run().items():
        check(r.rc == 3 and r.out == "" and c.path("contentstore.deleted") in r.err,
              "nodel %s: without eager cleanup a missing contentstore.deleted is exit 3" % e, r)


def outputs():
    c = Case("outputs")
    doc(c, "ok", "workspace/SpacesStore", "uuid-ok", "store://2024/6/6/6/6/ok.bin", 4)
    res = c.run(fmt="text", global_args=["-q"])
    for e, r in res.items():
        eq((r.rc, r.out), (0, ""), "outputs %s: -q prints nothing when OK" % e, r)
    res = c.run(fmt="text")
    for e, r in res.items():
        check(r.out.startswith("alfwipe report: OK\n"), "outputs %s: text status line" % e, r)
        check("items needing attention (0):" in r.out and "ok.bin" not in r.out,
              "outputs %s: text lists only items needing attention" % e, r)
    for e, r in c.run(fmt="text", global_args=["-v"]).items():
        check("ok.bin" in r.out and "node workspace://SpacesStore/uuid-ok" in r.out,
              "outputs %s: -v lists every item" % e, r)
    c.f("cs", "2024/1/1/1/1/stray,comma.bin", 3, "2024-01-01T01:01:00Z")
    c2 = Case("outputs2")
    c2.files = list(c.files)
    c2.urls, c2.datas, c2.nodes, c2.props = c.urls, c.datas, c.nodes, c.props
    c2.ukey, c2.dkey, c2.nkey = c.ukey, c.dkey, c.nkey
    for e, r in c2.run(fmt="text", global_args=["-q"]).items():
        check(r.rc == 1 and r.out.startswith("alfwipe report: WARNING"),
              "outputs %s: -q prints when not OK" % e, r)
    for e, r in c2.run(fmt="csv").items():
        rows = list(csv.DictReader(io.StringIO(r.out, newline="")))
        got = sorted((x["class"], x["path"], x["node_refs"]) for x in rows)
        eq(got, [("live", "2024/6/6/6/6/ok.bin", "workspace://SpacesStore/uuid-ok"),
                 ("stray", "2024/1/1/1/1/stray,comma.bin", "")],
           "outputs %s: CSV lists every item" % e, r)
        check(r.raw.endswith(b"\r\n"), "outputs %s: CSV lines end in CRLF" % e)


def compare():
    for label, res in ALL.items():
        pg, my = res.get("pg"), res.get("my")
        if pg and my and pg.json and my.json:
            eq(normalised(pg.json), normalised(my.json),
               "R17 %s: JSON identical between the engines" % label)


def main():
    for fn in (folder_tree, deep_tree, versions, content_properties, sharing, disk_oddities,
               not_walked, linked_dir, deleted_root, outputs):
        try:
            fn()
        except Exception:
            import traceback
            check(False, "%s ran" % fn.__name__, traceback.format_exc())
    compare()
    finish()


if __name__ == "__main__":
    main()
