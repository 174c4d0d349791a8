#!/usr/bin/env python3
"""verify cases V1-V3 and V5-V9 of ../shared/cases/verify-cases.md, plus the issue's purged
document whose version history still holds its content, against the real PostgreSQL and
MariaDB of the runner. Each engine gets its own database loaded from sql/<dialect>/schema.sql
and bootstrap.sql; the case rows are inserted with qname, store and root ids looked up.
Certificates come from tests/integration/certgen.c (the real certificate writer)."""
import os
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import verifylib as L  # noqa: E402
from verifylib import check, eq  # noqa: E402

ORPHANED_0625 = 1719309600000   # 2024-06-25T10:00:00Z


def item(r, i=0):
    its = r.items()
    return its[i] if len(its) > i else {}


def url_of(it, url):
    for u in it.get("urls", []):
        if u["url"] == url:
            return u
    return {}


def setup(db, env, tag):
    """All case states in one database; every case has its own uuids and URLs."""
    d = {}
    # V1: ghosted record, a copy still references the content
    d["u1"] = "store://2024/5/2/9/30/rec1-%s.bin" % tag
    db.node("workspace://SpacesStore", "uuid-rec1", "cm:content",
            aspects=("rma:record", "rma:ghosted"))
    copy = db.node("workspace://SpacesStore", "uuid-copy1", "cm:content")
    db.content(copy, db.url(d["u1"], 800))
    L.put(env.cs, d["u1"][8:], 800)
    # V2a: ghosted, URL row still there, orphan_protected; V2b: no URL row
    d["u2a"] = "store://2024/6/25/10/0/rec2a-%s.bin" % tag
    d["u2b"] = "store://2024/6/25/10/0/rec2b-%s.bin" % tag
    db.node("workspace://SpacesStore", "uuid-rec2a", "cm:content",
            aspects=("rma:record", "rma:ghosted"))
    db.url(d["u2a"], 1200, ORPHANED_0625)
    db.node("workspace://SpacesStore", "uuid-rec2b", "cm:content",
            aspects=("rma:record", "rma:ghosted"))
    # V3: purged, cleaned, wiped: placeholders only, no URL row, no file
    d["u3"] = "store://2024/3/3/3/3/w1-%s.bin" % tag
    db.node("workspace://SpacesStore", "uuid-doc3", "sys:deleted")
    db.node("archive://SpacesStore", "uuid-doc3", "sys:deleted")
    # V5: non-ghost destroy, file still in contentstore
    d["u5"] = "store://2024/6/20/11/0/rec5-%s.bin" % tag
    db.node("workspace://SpacesStore", "uuid-rec5", "sys:deleted")
    db.url(d["u5"], 1200, ORPHANED_0625)
    L.put(env.cs, d["u5"][8:], 1200)
    # V6: in the trashcan, placeholder in workspace
    d["u6"] = "store://2024/6/1/9/0/doc6-%s.bin" % tag
    db.node("workspace://SpacesStore", "uuid-doc6", "sys:deleted")
    db.trashcan("uuid-doc6", "2024-06-10T09:00:00.000Z", "dave", db.url(d["u6"], 5000),
                name="contract.pdf")
    L.put(env.cs, d["u6"][8:], 5000)
    # V7: eager cleanup; V7b with the file left behind
    d["u7"] = "store://2024/4/4/4/4/doc7-%s.bin" % tag
    d["u7b"] = "store://2024/4/4/4/4/doc7b-%s.bin" % tag
    db.node("workspace://SpacesStore", "uuid-doc7", "sys:deleted")
    db.node("archive://SpacesStore", "uuid-doc7", "sys:deleted")
    db.node("workspace://SpacesStore", "uuid-doc7b", "sys:deleted")
    L.put(env.cs, d["u7b"][8:], 300)
    # Issue: purged document whose version history still holds its content
    d["u10"] = "store://2024/2/2/2/2/doc10-%s.bin" % tag
    db.node("workspace://SpacesStore", "uuid-doc10", "sys:deleted")
    db.node("archive://SpacesStore", "uuid-doc10", "sys:deleted")
    db.version("uuid-doc10", db.url(d["u10"], 700), label="1.2", vuuid="ver-doc10")
    L.put(env.cs, d["u10"][8:], 700)
    # A file in contentstore.deleted with no row, no wipe yet
    d["u11"] = "store://2024/1/1/1/1/doc11-%s.bin" % tag
    db.node("workspace://SpacesStore", "uuid-doc11", "sys:deleted")
    L.put(env.dl, d["u11"][8:], 100)
    # Extras: a copy left in an extra root, content data no node holds, a live document,
    # a URL differing only in letter case from a referenced one
    d["u12"] = "store://2024/1/2/3/4/doc12-%s.bin" % tag
    db.node("workspace://SpacesStore", "uuid-doc12", "sys:deleted")
    L.put(env.extra, d["u12"][8:], 40)
    d["u13"] = "store://2024/1/2/3/5/doc13-%s.bin" % tag
    db.content(None, db.url(d["u13"], 50))
    d["u14"] = "store://2024/1/2/3/6/doc14-%s.bin" % tag
    live = db.node("workspace://SpacesStore", "uuid-live14", "cm:content")
    db.content(live, db.url(d["u14"], 60))
    L.put(env.cs, d["u14"][8:], 60)
    d["u15"] = "store://2024/1/2/3/7/Doc15-%s.bin" % tag
    other = db.node("workspace://SpacesStore", "uuid-case15", "cm:content")
    db.content(other, db.url(d["u15"].upper().replace("STORE://", "store://"), 70))
    # A document deleted with its folder: the date and user sit on the folder (the item's top)
    d["u16"] = "store://2024/5/5/5/5/doc16-%s.bin" % tag
    folder = db.trashcan("uuid-fold16", "2024-06-12T08:00:00.000Z", "erin", None, name="Box")
    child = db.node("archive://SpacesStore", "uuid-doc16", "cm:content")
    db.child(folder, child, "cm:contains", "cm:doc16")
    db.content(child, db.url(d["u16"], 80))
    db.node("workspace://SpacesStore", "uuid-doc16", "sys:deleted")
    # A ghosted record whose rendition (a preview) still holds derived content
    d["u17"] = "store://2024/5/6/7/8/rend17-%s.bin" % tag
    rec = db.node("workspace://SpacesStore", "uuid-rec17", "cm:content",
                  aspects=("rma:record", "rma:ghosted", "rn:renditioned"))
    rend = db.node("workspace://SpacesStore", "uuid-rend17", "cm:thumbnail")
    db.child(rec, rend, "rn:rendition", "cm:doclib")
    db.content(rend, db.url(d["u17"], 90))
    L.put(env.cs, d["u17"][8:], 90)
    # URLs that are not plain paths but stay inside the store (report and wipe accept them):
    # a file with no row where store://2024/8/1/1/1//x20 resolves; a row with such a text,
    # referenced by a live node; a file wiped under its plain URL
    d["u20"] = "store://2024/8/1/1/1/x20-%s.bin" % tag
    L.put(env.cs, d["u20"][8:], 20)
    d["u21"] = "store://2024/8/2/2/2/./x21-%s.bin" % tag
    live21 = db.node("workspace://SpacesStore", "uuid-live21", "cm:content")
    db.content(live21, db.url(d["u21"], 21))
    L.put(env.cs, "2024/8/2/2/2/x21-%s.bin" % tag, 21)
    d["u22"] = "store://2024/8/3/3/3/x22-%s.bin" % tag
    # Inconsistent rows (content_url_crc or content_url_short not matching the text): one with a
    # wrong CRC referenced by a live node, its file present; one with a wrong short value,
    # unreferenced and orphaned; two rows of one URL, the referenced one inconsistent
    crc = lambda u: zlib.crc32(u.encode()) & 0xffffffff  # noqa: E731
    d["u23"] = "store://2024/8/4/4/4/x23-%s.bin" % tag
    live23 = db.node("workspace://SpacesStore", "uuid-live23", "cm:content")
    d["id23"] = db.url(d["u23"], 23, crc=(crc(d["u23"]) + 1) & 0xffffffff)
    db.content(live23, d["id23"])
    L.put(env.cs, d["u23"][8:], 23)
    d["u24"] = "store://2024/8/5/5/5/x24-%s.bin" % tag
    d["id24"] = db.url(d["u24"], 24, ORPHANED_0625, short="wrong-short")
    d["u25"] = "store://2024/8/6/6/6/x25-%s.bin" % tag
    d["id25a"] = db.url(d["u25"], 25, ORPHANED_0625, crc=7)
    live25 = db.node("workspace://SpacesStore", "uuid-live25", "cm:content")
    d["id25b"] = db.url(d["u25"], 25, short="other-short")
    db.content(live25, d["id25b"])
    # A document in the trashcan with versions: an older version holds other content; and a
    # live document whose old version holds content
    d["u26"] = "store://2024/8/7/7/7/x26-%s.bin" % tag
    d["u26v"] = "store://2024/8/7/7/8/x26v-%s.bin" % tag
    db.node("workspace://SpacesStore", "uuid-doc26", "sys:deleted")
    db.trashcan("uuid-doc26", "2024-06-15T09:00:00Z", "dave", db.url(d["u26"], 26))
    db.version("uuid-doc26", db.url(d["u26v"], 27), label="1.0", vuuid="ver-doc26")
    L.put(env.cs, d["u26v"][8:], 27)
    d["u27v"] = "store://2024/8/7/7/9/x27v-%s.bin" % tag
    live27 = db.node("workspace://SpacesStore", "uuid-live27", "cm:content")
    db.content(live27, db.url("store://2024/8/7/7/9/x27-%s.bin" % tag, 28))
    db.version("uuid-live27", db.url(d["u27v"], 29), label="1.0", vuuid="ver-live27")
    # a trashcan item whose sys:archivedDate does not parse
    d["u28"] = "store://2024/8/8/8/8/x28-%s.bin" % tag
    db.trashcan("uuid-doc28", "last tuesday", "erin", db.url(d["u28"], 30))
    return d


def run_engine(engine):
    db = L.Db(engine, L.dbname("t_verify_cases", engine))
    env = L.Env(db, "cases-" + engine)
    tag = engine
    try:
        d = setup(db, env, tag)
        cert = L.certgen(os.path.join(env.dir, "v3.cert"), [L.file_rec(d["u3"])])
        base = env.conf("base")
        wc = env.conf("withcert", certificate=cert)
        pre = "[%s] " % engine

        # V1
        lst = os.path.join(env.dir, "v1.csv")
        with open(lst, "w") as f:
            f.write("node,content_url\nuuid-rec1,%s\n" % d["u1"])
        r = L.verify(base, "--from", lst, "--format", "json")
        eq(r.rc, 2, pre + "V1 exit code", r)
        it = item(r)
        eq(it.get("verdict"), "not_destroyed", pre + "V1 verdict", r)
        u = url_of(it, d["u1"])
        eq([x["node_ref"] for x in u.get("referenced_by", [])],
           ["workspace://SpacesStore/uuid-copy1"], pre + "V1 referenced by the copy", r)
        eq([x["property"] for x in u.get("referenced_by", [])], ["cm:content"],
           pre + "V1 through cm:content", r)
        eq([(x["root"], x["size"]) for x in u.get("files", [])], [("contentstore", 800)],
           pre + "V1 file present in contentstore, 800 bytes", r)
        rows = it.get("node", {}).get("rows", [])
        check(len(rows) == 1 and rows[0]["ghosted"] and rows[0]["content_properties"] == 0,
              pre + "V1 record node ghosted, holding no content", r)
        check("Records Management" in (u.get("why") or "") and "left the content in place" in
              u.get("why", ""), pre + "V1 explanation: RM leaves shared content", r)
        r = L.verify(base, "--from", lst)
        check(r.out.startswith("verify CRITICAL:") and
              "workspace://SpacesStore/uuid-copy1" in r.out,
              pre + "V1 text: status line and the referencing node", r)

        # V2a / V2b
        for v, url in (("V2a", d["u2a"]), ("V2b", d["u2b"])):
            uuid = "uuid-rec2a" if v == "V2a" else "uuid-rec2b"
            r = L.verify(base, "--node", uuid, "--url", url, "--format", "json")
            eq(r.rc, 1, pre + v + " exit code", r)
            it = item(r)
            eq(len(r.items()), 1, pre + v + ": --url after --node is one item", r)
            eq(it.get("verdict"), "destroyed_unverified", pre + v + " verdict", r)
            u = url_of(it, url)
            check("unlinked by Records Management without overwrite" in (u.get("why") or ""),
                  pre + v + " explanation: RM unlinked without overwrite", r)
            eq(u.get("files"), [], pre + v + " no file anywhere", r)
            eq(u.get("certificate_records"), [], pre + v + " no wipe record", r)
        u = url_of(item(L.verify(base, "--node", "uuid-rec2a", "--url", d["u2a"], "--format",
                                 "json")), d["u2a"])
        eq(u.get("orphan_state"), "orphan_protected", pre + "V2a orphan_protected")
        check("2024-07-09" in (u.get("why") or ""), pre + "V2a: the cleaner removes the row "
              "after 2024-07-09", u.get("why"))
        u = url_of(item(L.verify(base, "--node", "uuid-rec2b", "--url", d["u2b"], "--format",
                                 "json")), d["u2b"])
        eq(u.get("row"), None, pre + "V2b: URL unknown to the database")
        cl = env.conf("cleansing", props="rm.content.cleansing.enabled=true\n")
        r = L.verify(cl, "--node", "uuid-rec2b", "--url", d["u2b"], "--format", "json")
        eq(r.rc, 1, pre + "V2 cleansing exit code", r)
        u = url_of(item(r), d["u2b"])
        eq(item(r).get("verdict"), "destroyed_unverified", pre + "V2 cleansing still unverified",
           r)
        check("overwrote" in (u.get("why") or "") and "0xFF" in u.get("why", ""),
              pre + "V2 cleansing explanation names RM's overwrite", r)
        # V2c: the URL alone
        r = L.verify(base, "--url", d["u2b"], "--format", "json")
        eq(r.rc, 1, pre + "V2c exit code", r)
        eq(item(r).get("verdict"), "unknown", pre + "V2c verdict", r)

        # V3
        r = L.verify(wc, "--node", "uuid-doc3", "--url", d["u3"], "--format", "json")
        eq(r.rc, 0, pre + "V3 exit code", r)
        it = item(r)
        eq(it.get("verdict"), "destroyed", pre + "V3 verdict", r)
        r = L.verify(wc, "--node", "uuid-doc3", "--url", d["u3"])
        proof = [l for l in r.out.splitlines() if "erased and verified by 'alfwipe wipe'" in l]
        check(len(proof) == 1 and proof[0].rstrip().endswith(")") and "run at line" in proof[0],
              pre + "V3 text: the proof of erasure is one whole line", r)
        rows = it.get("node", {}).get("rows", [])
        eq(sorted((x["store"], x["type"]) for x in rows),
           [("archive://SpacesStore", "sys:deleted"), ("workspace://SpacesStore", "sys:deleted")],
           pre + "V3 only sys:deleted placeholders", r)
        u = url_of(it, d["u3"])
        recs = u.get("certificate_records", [])
        check(len(recs) == 1 and recs[0]["line"] == 2 and recs[0]["status"] == "ERASED" and
              recs[0]["verified"] and recs[0]["method"] == "dod-3" and
              recs[0]["run_verify"] == "last" and recs[0]["filesystem"] == "ext4" and
              recs[0]["run_line"] == 1 and recs[0]["proof"],
              pre + "V3 evidence: certificate line 2, run header, ERASED and verified", r)
        r = L.verify(wc, "--node", "uuid-doc3", "--url", d["u3"])
        check(r.out.startswith("verify OK:") and "line 2" in r.out and "dod-3" in r.out,
              pre + "V3 text output", r)
        # V3 with the certificate named on the command line instead of wipe.certificate
        r = L.verify(base, "--node", "uuid-doc3", "--url", d["u3"], "--certificate", cert)
        eq(r.rc, 0, pre + "V3 with --certificate", r)
        # V3b: --verify off
        c3b = L.certgen(os.path.join(env.dir, "v3b.cert"), [L.file_rec(d["u3"], verified=False)],
                        header={"verify": "off"})
        r = L.verify(env.conf("v3b", certificate=c3b), "--node", "uuid-doc3", "--url", d["u3"],
                     "--format", "json")
        eq((r.rc, item(r).get("verdict")), (1, "destroyed_unverified"), pre + "V3b unverified", r)
        check("not verified" in (url_of(item(r), d["u3"]).get("why") or ""),
              pre + "V3b explanation: not verified", r)
        # V3c: not-guaranteed
        c3c = L.certgen(os.path.join(env.dir, "v3c.cert"),
                        [L.file_rec(d["u3"], assurance="not-guaranteed")],
                        header={"filesystem": "btrfs", "assurance": "not-guaranteed"})
        r = L.verify(env.conf("v3c", certificate=c3c), "--node", "uuid-doc3", "--url", d["u3"],
                     "--format", "json")
        eq((r.rc, item(r).get("verdict")), (1, "destroyed_unverified"),
           pre + "V3c not-guaranteed assurance", r)
        check("not-guaranteed" in (url_of(item(r), d["u3"]).get("why") or ""),
              pre + "V3c explanation names the assurance", r)
        # V3d: the chain broken before the record
        c3d = os.path.join(env.dir, "v3d.cert")
        L.certgen(c3d, [L.file_rec("store://2024/3/3/3/3/other-%s.bin" % tag),
                        L.file_rec(d["u3"])])
        lines = open(c3d).read().splitlines(True)
        lines[1] = lines[1].replace('"size":1200', '"size":1201')
        open(c3d, "w").write("".join(lines))
        r = L.verify(env.conf("v3d", certificate=c3d), "--node", "uuid-doc3", "--url", d["u3"],
                     "--format", "json")
        eq(r.rc, 2, pre + "V3d exit code: tampered certificate", r)
        eq(item(r).get("verdict"), "destroyed_unverified",
           pre + "V3d verdict does not rest on a tampered certificate", r)
        c = (r.j or {}).get("certificates", [{}])[0]
        eq((c.get("state"), c.get("bad_line")), ("tampered", 2), pre + "V3d tampering line", r)

        # V5
        r = L.verify(base, "--node", "uuid-rec5", "--url", d["u5"], "--format", "json")
        eq(r.rc, 1, pre + "V5 exit code", r)
        it = item(r)
        eq(it.get("verdict"), "pending", pre + "V5 verdict", r)
        u = url_of(it, d["u5"])
        eq(u.get("orphan_state"), "orphan_protected", pre + "V5 orphan_protected", r)
        why = u.get("why") or ""
        check("2024-07-09T10:00:00Z" in why and "contentstore.deleted" in why and
              "without overwriting" in why and "alfwipe wipe" in why and "4.6 days" in why,
              pre + "V5 says what happens next", why)
        eq(it.get("node", {}).get("state"), "placeholders_only", pre + "V5 node is a placeholder",
           r)

        # V6
        r = L.verify(base, "--node", "workspace://SpacesStore/uuid-doc6", "--format", "json")
        eq(r.rc, 2, pre + "V6 exit code", r)
        it = item(r)
        eq(it.get("verdict"), "not_destroyed", pre + "V6 verdict", r)
        eq(sorted(x["store"] for x in it.get("node", {}).get("rows", [])),
           ["archive://SpacesStore", "workspace://SpacesStore"], pre + "V6 rows in every store",
           r)
        u = url_of(it, d["u6"])
        refs = u.get("referenced_by", [])
        check(len(refs) == 1 and refs[0]["node_ref"] == "archive://SpacesStore/uuid-doc6" and
              refs[0]["archived_by"] == "dave" and
              refs[0]["archived_date"].startswith("2024-06-10"),
              pre + "V6 referenced by the archived node, since 2024-06-10, by dave", r)
        eq([f["size"] for f in u.get("files", [])], [5000], pre + "V6 file present", r)
        # instants in one form, the report's: archived_date as committed (no .000)
        arch = [x for x in it.get("node", {}).get("rows", [])
                if x["store"] == "archive://SpacesStore"]
        eq((refs[0].get("archived_date") if refs else None,
            arch[0].get("archived_date") if arch else None,
            arch[0].get("committed") if arch else None),
           ("2024-06-10T09:00:00Z", "2024-06-10T09:00:00Z", "2024-06-01T00:00:00Z"),
           pre + "V6 instants written one way (archived_date like committed)", r)
        r = L.verify(base, "--node", "uuid-doc6")
        check("deleted 2024-06-10T09:00:00Z by dave, transaction committed 2024-06-01T00:00:00Z"
              in r.out and ".000Z" not in r.out, pre + "V6 text: instants written one way", r)
        r = L.verify(base, "--url", d["u28"], "--format", "json")
        refs = url_of(item(r), d["u28"]).get("referenced_by", [])
        eq([(x.get("archived_date"), x.get("archived_date_raw")) for x in refs],
           [(None, "last tuesday")], pre + "an archived date that does not parse is kept raw", r)
        check("alfwipe purge" in (it.get("why") or "") + (u.get("why") or ""),
              pre + "V6 explanation: purge it first", r)

        # V7a / V7b
        eg = env.conf("eager", policy="  eager_orphan_cleanup = true;")
        r = L.verify(eg, "--node", "uuid-doc7", "--url", d["u7"], "--format", "json")
        eq((r.rc, item(r).get("verdict")), (1, "destroyed_unverified"), pre + "V7a", r)
        check("eager cleanup never copies to contentstore.deleted" in
              (url_of(item(r), d["u7"]).get("why") or ""), pre + "V7a explanation", r)
        # text: a finding's parenthesis that holds "; " stays on one line
        r = L.verify(base, "--node", "uuid-doc7", "--url", d["u7"])
        lines = [l for l in r.out.splitlines() if "no wipe record" in l]
        check(r.rc == 1 and len(lines) == 1 and lines[0].startswith("    - no wipe record:") and
              lines[0].endswith("that copy is gone without a certificate record)") and
              not any(l.lstrip("- ").startswith("that copy is gone") for l in r.out.splitlines()),
              pre + "text: the cleaner's explanation is one bullet, its parenthesis whole", r)
        r = L.verify(eg, "--node", "uuid-doc7b", "--url", d["u7b"], "--format", "json")
        eq((r.rc, item(r).get("verdict")), (1, "pending"), pre + "V7b", r)
        check("nothing in Alfresco will ever remove this file" in
              (url_of(item(r), d["u7b"]).get("why") or ""), pre + "V7b explanation", r)

        # V8
        r = L.verify(base, "--node", "0d4c6f1e-2b3a-4c5d-8e9f-a0b1c2d3e4f5", "--format", "json")
        eq((r.rc, item(r).get("verdict")), (1, "unknown"), pre + "V8 unknown node", r)
        r = L.verify(base, "--url", "store://2023/1/1/1/1/nope.bin", "--format", "json")
        eq((r.rc, item(r).get("verdict")), (1, "unknown"), pre + "V8 unknown URL", r)
        check("no file in contentstore, the extra roots or contentstore.deleted" in
              (url_of(item(r), "store://2023/1/1/1/1/nope.bin").get("why") or ""),
              pre + "V8 names what was searched", r)

        # URLs that are not plain paths: accepted, looked up by their exact text, their file
        # looked for where Alfresco opens it
        rel20 = d["u20"][8:]
        for odd in (d["u20"].replace("/x20", "//x20"), d["u20"].replace("/x20", "/./x20"),
                    d["u20"].replace("/x20", "/a/../x20")):
            r = L.verify(base, "--url", odd, "--format", "json")
            u = url_of(item(r), odd)
            eq((r.rc, item(r).get("verdict"), u.get("path"),
                [(f["root"], f["path"]) for f in u.get("files", [])]),
               (1, "pending", rel20, [("contentstore", os.path.join(env.cs, rel20))]),
               pre + "%s: accepted, its file found where Alfresco opens it" % odd, r)
            check("Alfresco opens this URL as the file " + rel20 in (u.get("why") or ""),
                  pre + "%s: the explanation names the file Alfresco opens" % odd, r)
        r = L.verify(base, "--url", d["u21"], "--format", "json")
        u = url_of(item(r), d["u21"])
        eq((r.rc, item(r).get("verdict"), (u.get("row") or {}).get("content_size"),
            [x["node_ref"] for x in u.get("referenced_by", [])], len(u.get("files", []))),
           (2, "not_destroyed", 21, ["workspace://SpacesStore/uuid-live21"], 1),
           pre + "a row whose URL is not a plain path is found by its exact text", r)
        c22 = L.certgen(os.path.join(env.dir, "u22.cert"), [L.file_rec(d["u22"])])
        odd22 = d["u22"].replace("/3/x22", "/3/./x22")
        r = L.verify(base, "--url", odd22, "--certificate", c22, "--format", "json")
        recs = url_of(item(r), odd22).get("certificate_records", [])
        eq((r.rc, item(r).get("verdict"), [x.get("proof") for x in recs]),
           (0, "destroyed", [True]),
           pre + "the wipe record of the file a URL resolves to is its proof", r)
        for bad, words in (("store://2024/../../x.bin", "resolves to a path outside the content "
                                                         "store"),
                           ("store://2024/..", "the content store's root itself")):
            r = L.verify(base, "--url", bad)
            check(r.rc == 3 and words in r.err, pre + "%s refused: %s" % (bad, words), r)

        # Inconsistent rows: found by the full URL when the (short, crc) index misses them,
        # and judged as usual (never "no row left")
        r = L.verify(base, "--url", d["u23"], "--format", "json")
        u = url_of(item(r), d["u23"])
        row = u.get("row") or {}
        eq((r.rc, item(r).get("verdict"), row.get("id"), row.get("found_by"),
            row.get("consistent"), [x["node_ref"] for x in u.get("referenced_by", [])]),
           (2, "not_destroyed", d["id23"], "text", False, ["workspace://SpacesStore/uuid-live23"]),
           pre + "a row with a wrong content_url_crc is found and is still referenced", r)
        check("content_url_crc" in (u.get("why") or "") and "misses it" in (u.get("why") or ""),
              pre + "the explanation says the row does not match its URL", r)
        r = L.verify(base, "--url", d["u24"], "--format", "json")
        u = url_of(item(r), d["u24"])
        row = u.get("row") or {}
        eq((r.rc, item(r).get("verdict"), row.get("id"), u.get("orphan_state"),
            row.get("consistent")),
           (1, "destroyed_unverified", d["id24"], "orphan_protected", False),
           pre + "a row with a wrong content_url_short is found: not unknown, not no_row", r)
        check("content_url_short 'wrong-short'" in (u.get("why") or ""),
              pre + "the explanation names the wrong short value", r)
        r = L.verify(base, "--url", d["u25"], "--format", "json")
        u = url_of(item(r), d["u25"])
        row = u.get("row") or {}
        eq((r.rc, item(r).get("verdict"), row.get("id"), row.get("same_url_rows"),
            [x["node_ref"] for x in u.get("referenced_by", [])]),
           (2, "not_destroyed", d["id25a"], [d["id25b"]], ["workspace://SpacesStore/uuid-live25"]),
           pre + "two rows of one URL: the references of both count", r)
        r = L.verify(base, "--url", d["u14"], "--format", "json")
        row = url_of(item(r), d["u14"]).get("row") or {}
        eq((row.get("found_by"), row.get("consistent"), row.get("same_url_rows")),
           ("index", True, []), pre + "a consistent row is found through the index", r)

        # Issue: purged document whose version history still holds its content
        r = L.verify(base, "--node", "uuid-doc10", "--format", "json")
        eq(r.rc, 2, pre + "version history exit code", r)
        it = item(r)
        eq(it.get("verdict"), "not_destroyed", pre + "version history verdict", r)
        u = url_of(it, d["u10"])
        refs = u.get("referenced_by", [])
        check(len(refs) == 1 and refs[0]["node_ref"] == "workspace://version2Store/ver-doc10" and
              refs[0]["frozen_node_ref"] == "workspace://SpacesStore/uuid-doc10",
              pre + "version history: the URL was found through ver2:frozenNodeRef", r)
        check("though its node is gone" in (u.get("why") or ""),
              pre + "version history explanation: its node is gone, the versions must go", r)
        # a node in the trashcan: purging it deletes its version history too (facts 5.1)
        for args in (("--node", "uuid-doc26"), ("--url", d["u26v"])):
            r = L.verify(base, *(args + ("--format", "json")))
            u = url_of(item(r), d["u26v"])
            why = u.get("why") or ""
            eq((r.rc, item(r).get("verdict"),
                [x.get("frozen_node_state") for x in u.get("referenced_by", [])]),
               (2, "not_destroyed", ["in_trashcan"]),
               pre + "%s %s: a version of a trashcan node holds the URL" % args, r)
            check("purging the item from the trashcan" in why and
                  "deletes its version history too" in why and
                  "delete those versions" not in why,
                  pre + "%s %s: purging the trashcan item releases the versions" % args, why)
        r = L.verify(base, "--node", "uuid-doc26", "--format", "json")
        check("purging the node from the trashcan deletes them with it" in
              (item(r).get("why") or ""), pre + "the node's versions go with the purge", r)
        r = L.verify(base, "--url", d["u27v"], "--format", "json")
        why = url_of(item(r), d["u27v"]).get("why") or ""
        check(r.rc == 2 and "of a live node" in why and "delete those versions" in why,
              pre + "a live node's version: delete the versions, or the node and purge it", r)
        eq(len(it.get("node", {}).get("versions", [])), 1, pre + "version node listed", r)

        # contentstore.deleted copy with no wipe yet
        r = L.verify(base, "--node", "uuid-doc11", "--url", d["u11"], "--format", "json")
        eq((r.rc, item(r).get("verdict")), (1, "pending"), pre + "copy in contentstore.deleted",
           r)
        check("never empties contentstore.deleted" in (url_of(item(r), d["u11"]).get("why") or
                                                       ""), pre + "deleted-store explanation", r)

        # V9: malformed lines, the others still checked
        lst = os.path.join(env.dir, "list.txt")
        with open(lst, "w") as f:
            f.write("# records due for destruction, batch 7\nuuid-doc6\n"
                    "workspace:/SpacesStore/uuid-x\n%s\nhello world\n\n" % d["u3"])
        r = L.verify(wc, "--from", lst, "--format", "json")
        eq(r.rc, 2, pre + "V9 exit code", r)
        eq([(i["line"], i["verdict"]) for i in r.items()], [(2, "not_destroyed"), (4, "destroyed")],
           pre + "V9 lines 2 and 4 checked", r)
        eq([b["line"] for b in (r.j or {}).get("malformed", [])], [3, 5],
           pre + "V9 malformed lines 3 and 5", r)
        check("list.txt line 3: 'workspace:/SpacesStore/uuid-x' is not a node ref, uuid or "
              "content URL" in r.err and "list.txt line 5: 'hello world'" in r.err,
              pre + "V9 errors name the lines", r)
        r = L.verify(wc, "--from", lst, "--format", "csv")
        rows = r.out.splitlines()
        check(rows[0].startswith("item,source,line,") and len(rows) == 5 and
              sum(1 for x in rows if ",malformed," in x) == 2,
              pre + "V9 CSV: one row per item and per malformed line", r)
        # V9 CSV form: the column chosen by name, an empty node_ref reported by line
        lst = os.path.join(env.dir, "list.csv")
        with open(lst, "w") as f:
            f.write("comment,node_ref\n\"purged, per request 12\",uuid-doc3\nempty one,\n")
        r = L.verify(wc, "--from", lst, "--format", "json")
        eq(r.rc, 3, pre + "V9 CSV: a malformed line and no not_destroyed gives 3", r)
        eq([(i["line"], i["node"]["uuid"]) for i in r.items()], [(2, "uuid-doc3")],
           pre + "V9 CSV: node taken from the named column", r)
        bad = (r.j or {}).get("malformed", [])
        check(len(bad) == 1 and bad[0]["line"] == 3 and "node_ref" in bad[0]["error"],
              pre + "V9 CSV: the empty node_ref reported by its line", r)
        check("list.csv line 3" in r.err, pre + "V9 CSV: error names the line", r)

        # Extras
        r = L.verify(base, "--node", "uuid-doc12", "--url", d["u12"], "--format", "json")
        u = url_of(item(r), d["u12"])
        check(r.rc == 1 and item(r).get("verdict") == "pending" and
              [f["root"] for f in u.get("files", [])] == ["extra_roots[0]"] and
              "another root" in (u.get("why") or ""), pre + "copy in an extra root: pending", r)
        r = L.verify(base, "--url", d["u13"], "--format", "json")
        u = url_of(item(r), d["u13"])
        check(r.rc == 2 and item(r).get("verdict") == "not_destroyed" and
              [x["node_ref"] for x in u.get("referenced_by", [])] == [None] and
              "no node property holds" in (u.get("why") or ""),
              pre + "content data no node holds keeps the URL referenced", r)
        r = L.verify(base, "--node", "uuid-live14", "--format", "json")
        it = item(r)
        check(r.rc == 2 and it.get("verdict") == "not_destroyed" and
              it.get("node", {}).get("state") == "live" and
              [u["url"] for u in it.get("urls", [])] == [d["u14"]],
              pre + "a live document: not_destroyed, its URL found through the node", r)
        r = L.verify(base, "--url", d["u15"], "--format", "json")
        u = url_of(item(r), d["u15"])
        check(r.rc == 1 and item(r).get("verdict") == "unknown" and u.get("row") is None,
              pre + "a URL differing only in letter case is another URL", r)
        r = L.verify(base, "--node", "uuid-doc16", "--format", "json")
        u = url_of(item(r), d["u16"])
        refs = u.get("referenced_by", [])
        check(r.rc == 2 and item(r).get("verdict") == "not_destroyed" and len(refs) == 1 and
              refs[0]["trashcan_item"] == "archive://SpacesStore/uuid-fold16" and
              refs[0]["archived_by"] == "erin" and
              refs[0]["archived_date"].startswith("2024-06-12"),
              pre + "a document deleted with its folder: the trashcan item, date and user", r)
        r = L.verify(base, "--node", "uuid-rec17", "--format", "json")
        u = url_of(item(r), d["u17"])
        check(r.rc == 2 and item(r).get("verdict") == "not_destroyed" and
              [x["node_ref"] for x in u.get("referenced_by", [])] ==
              ["workspace://SpacesStore/uuid-rend17"],
              pre + "a rendition still holding derived content is found through the record", r)
        # -q: nothing printed when every item is destroyed, the status line otherwise
        r = L.verify(wc, "--node", "uuid-doc3", "--url", d["u3"], q=True)
        check(r.rc == 0 and r.out == "", pre + "-q prints nothing when OK", r)
        r = L.verify(wc, "--node", "uuid-doc6", q=True)
        check(r.rc == 2 and r.out.startswith("verify CRITICAL"), pre + "-q prints when not OK", r)
        # --from - (standard input) and --output
        outp = os.path.join(env.dir, "evidence.csv")
        r = L.verify(wc, "--from", "-", "--format", "csv", "--output", outp,
                     stdin="%s\nuuid-doc3 \n" % d["u3"])
        rows = open(outp).read().splitlines() if os.path.exists(outp) else []
        check(r.rc == 1 and r.out == "" and len(rows) == 3 and ",destroyed," in rows[1] and
              ",destroyed_unverified," in rows[2], pre + "--from - and --output", r)
        # could not run
        bad = os.path.join(env.dir, "nodb.conf")
        with open(bad, "w") as f:
            f.write('alfresco = {\n  contentstore = "%s";\n};\n' % env.cs)
        r = L.verify(bad, "--url", d["u3"])
        check(r.rc == 3 and "no database configured" in r.err and "hint:" in r.err,
              pre + "no database: exit 3 with a hint", r)
        gone = env.conf("gone")
        txt = open(gone).read().replace(env.cs, env.cs + "-missing")
        open(gone, "w").write(txt)
        r = L.verify(gone, "--url", d["u3"])
        check(r.rc == 3 and "contentstore" in r.err and "not usable" in r.err,
              pre + "unusable contentstore: exit 3", r)
        # an empty contentstore (an unmounted volume) and an empty extra root: no verdict on
        # files, exit 3; with a file in the extra root, the content may live there
        for extra, want_rc in (("-empty", 3), ("", 1)):
            os.makedirs(env.cs + "-empty", exist_ok=True)
            os.makedirs(env.extra + "-empty", exist_ok=True)
            unmounted = env.conf("unmounted")
            txt = open(unmounted).read().replace(env.cs, env.cs + "-empty")
            txt = txt.replace(env.extra, env.extra + extra)
            open(unmounted, "w").write(txt)
            r = L.verify(unmounted, "--url", d["u3"])
            said = "is empty while the database references" in r.err
            check(r.rc == want_rc and said == (want_rc == 3) and
                  (want_rc != 3 or (r.out == "" and "is it mounted?" in r.err and
                                    "\nhint: " in r.err)),
                  pre + "an empty contentstore, extra root %s: exit %d" %
                  ("empty" if extra else "with a file", want_rc), r)
        r = L.verify(base)
        check(r.rc == 3 and "nothing to verify" in r.err, pre + "no input: exit 3", r)
        empty = os.path.join(env.dir, "empty-list.txt")
        with open(empty, "w") as f:
            f.write("# nothing but a comment\n\n")
        r = L.verify(base, "--from", empty)
        check(r.rc == 3 and r.out == "" and "--from '%s' names no node" % empty in r.err
              and "\nhint: " in r.err, pre + "an empty --from list: exit 3 naming the file", r)
        r = L.verify(base, "--from", os.path.dirname(empty))
        check(r.rc == 3 and "Is a directory" in r.err and "\nhint: " in r.err,
              pre + "--from a directory: exit 3 with a hint", r)
        r = L.verify(base, "--node", "hello world", "--url", d["u3"], "--format", "json")
        check(r.rc == 3 and len(r.items()) == 1 and "--node" in r.err,
              pre + "a malformed --node is reported, the --url still checked", r)
        check("hint: Give --node a node uuid" in r.err and "per line" not in r.err,
              pre + "a malformed --node gets a hint about --node, not about lines", r)
        # a content URL given to --node, a uuid given to --url: the hint names the option that
        # takes each, never the one that was just refused
        r = L.verify(base, "--node", d["u3"])
        check(r.rc == 3 and "is a content URL, not a node ref or uuid" in r.err and
              "hint: Give --node a node uuid or a node ref" in r.err and
              "with --url" in r.err and "or a content URL" not in r.err,
              pre + "a content URL given to --node: the hint sends it to --url", r)
        r = L.verify(base, "--url", "0d4c6f1e-2b3a-4c5d-8e9f-a0b1c2d3e4f5")
        check(r.rc == 3 and "is a node ref or uuid, not a content URL" in r.err and
              "hint: Give --url a content URL (store://...)" in r.err and
              "with --node" in r.err and "Give --url a node uuid" not in r.err,
              pre + "a uuid given to --url: the hint sends it to --node", r)
    finally:
        db.drop()


def main():
    L.build_certgen()
    for e in L.engines():
        run_engine(e)
    return L.finish()


if __name__ == "__main__":
    sys.exit(main())
