#!/usr/bin/env python3
"""The deletion lifecycle end to end (facts §7 and §11), with the real binary for every step,
against the runner's PostgreSQL and MariaDB: report -> the cleaner (played by the test on its own
database: file moved to contentstore.deleted, URL row deleted) -> report -> wipe --dry-run ->
wipe (database check on) -> report -> verify (URL, node, --from the earlier report's CSV,
certificate integrity, tampering) -> a keyed second run (and the runs wipe must refuse after it)
-> purge of the trashcan document through the REST API (tests/mock-alfresco stands in for
Alfresco; the test applies the purge to its database) -> report and verify: pending.

States: a live document; a document in the trashcan; a purged document and a record destroyed
without ghosting (RM), both orphaned past the protect window and cleaned; a ghosted record whose
content a copy shares; a file in contentstore.deleted whose URL a live node still references; a
file moved there a day ago (younger than --min-age); a second orphan for the keyed run. The
content roots sit under AW_TMP, on the runner's ext4 (wipe's filesystem check accepts it).

Each engine gets its own database (sql/<dialect>/schema.sql + bootstrap.sql, rows inserted with
qname and store ids looked up, through verifylib.Db) and its own content roots under AW_TMP."""
import hashlib
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import verifylib as L  # noqa: E402
from verifylib import check, eq  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mock-alfresco"))
import mockaf  # noqa: E402

DAY_MS = 86400000
NOW_S = int(time.time())
NOW_MS = NOW_S * 1000
NOW = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(NOW_S))


def iso(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(ms // 1000))


def url_path(ms, name):
    t = time.gmtime(ms // 1000)
    return "%d/%d/%d/%d/%d/%s" % (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, name)


def sha(p):
    with open(p, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def put(root, rel, size, age_days, tag):
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    mk = ("LC-%s-" % tag).encode()
    with open(p, "wb") as f:
        f.write((mk * (size // len(mk) + 1))[:size])
    t = NOW_S - age_days * 86400
    os.utime(p, (t, t))
    return p


class Env:
    """Roots, state and alfwipe.conf (alfresco, database, wipe groups) for one engine."""

    def __init__(self, db, tag):
        self.db, self.tag = db, tag
        self.dir = os.path.join(L.TMP, tag)
        self.cs = os.path.join(self.dir, "alf_data", "contentstore")
        self.dl = os.path.join(self.dir, "alf_data", "contentstore.deleted")
        self.state = os.path.join(self.dir, "state")
        self.cert = os.path.join(self.state, "certificate.jsonl")
        for d in (self.cs, self.dl, self.state):
            os.makedirs(d, exist_ok=True)

    def read_only_user(self):
        """alfwipe connects as a user that may only SELECT: every step must work with that."""
        user = "lc_ro_%s" % self.tag.replace("-", "_")
        pw = os.path.join(self.dir, "db.pass")
        with open(pw, "w") as f:
            f.write("ro-pw-%s\n" % self.tag)
        os.chmod(pw, 0o600)
        if self.db.engine == "pg":
            L.sh(self.db.base[:-2] + ["-d", "postgres", "-c",
                                      "DROP ROLE IF EXISTS %s; CREATE ROLE %s LOGIN PASSWORD "
                                      "'ro-pw-%s'" % (user, user, self.tag)])
            self.db.run("GRANT SELECT ON ALL TABLES IN SCHEMA public TO %s;" % user)
        else:
            L.sh(self.db.base[:-1], input="DROP USER IF EXISTS '%s'@'127.0.0.1'; CREATE USER "
                 "'%s'@'127.0.0.1' IDENTIFIED BY 'ro-pw-%s'; GRANT SELECT ON %s.* TO "
                 "'%s'@'127.0.0.1';" % (user, user, self.tag, self.db.name, user))
        self.ro = (user, pw)

    def conf(self, name, key=None, certificate=True):
        lines = ['alfresco = {', '  contentstore = "%s";' % self.cs,
                 '  contentstore_deleted = "%s";' % self.dl, '};']
        user, pw = self.ro
        if self.db.engine == "pg":
            lines += ['database = { type = "postgresql"; host = "%s"; port = %s; user = "%s";'
                      ' password_file = "%s"; name = "%s"; };'
                      % (os.environ["AW_PG_HOST"], os.environ["AW_PG_PORT"], user, pw,
                         self.db.name)]
        else:
            lines += ['database = { type = "mysql"; host = "127.0.0.1"; port = %s; user = "%s";'
                      ' password_file = "%s"; name = "%s"; };'
                      % (os.environ["AW_MY_PORT"], user, pw, self.db.name)]
        lines += ['wipe = {', '  state_dir = "%s";' % self.state,
                  '  lock_file = "%s/wipe.lock";' % self.state,
                  '  operator = "records office";']
        if certificate:
            lines.append('  certificate = "%s";' % self.cert)
        if key:
            lines.append('  hmac_key_file = "%s";' % key)
        lines.append('};')
        p = os.path.join(self.dir, name + ".conf")
        with open(p, "w") as f:
            f.write("\n".join(lines) + "\n")
        return p


class Run:
    def __init__(self, argv, p):
        self.argv, self.rc, self.out, self.err = argv, p.returncode, p.stdout, p.stderr
        try:
            self.j = json.loads(p.stdout) if p.stdout.startswith("{") else None
        except ValueError:
            self.j = None

    def __str__(self):
        return "argv: %s\nrc=%s\nstdout: %s\nstderr: %s" % (
            " ".join(self.argv), self.rc, self.out[-3000:], self.err[-2000:])


def alfwipe(conf, cmd, *args):
    argv = [L.ALFWIPE, "-c", conf, "--now", NOW, cmd] + list(args)
    e = {k: v for k, v in os.environ.items() if not k.startswith("ALFWIPE_")}
    return Run(argv, subprocess.run(argv, capture_output=True, text=True, env=e, timeout=300))


def report(conf):
    r = alfwipe(conf, "report", "--format", "json")
    items = {}
    for it in (r.j or {}).get("items", []):
        # a URL row's item and the contentstore.deleted file of the same URL are two items
        side = "del" if it.get("root") == "contentstore_deleted" else "url"
        items[(it.get("content_url"), side)] = it
    return r, items


def cert_lines(env):
    if not os.path.exists(env.cert):
        return []
    with open(env.cert) as f:
        return [json.loads(x) for x in f]


def setup(db, env, tag):
    """The lifecycle's states. Returns {name: (url, path-relative-to-root)}."""
    d = {}

    def u(name, ms):
        rel = url_path(ms, "%s-%s.bin" % (name, tag))
        d[name] = ("store://" + rel, rel)
        return d[name]

    # a live document
    url, rel = u("live", NOW_MS - 90 * DAY_MS)
    live = db.node("workspace://SpacesStore", "uuid-live-" + tag, "cm:content")
    db.content(live, db.url(url, 4096))
    put(env.cs, rel, 4096, 90, "live")
    # a document in the trashcan (archived two days ago), placeholder in workspace
    url, rel = u("trash", NOW_MS - 60 * DAY_MS)
    db.node("workspace://SpacesStore", "uuid-trash-" + tag, "sys:deleted")
    db.trashcan("uuid-trash-" + tag, iso(NOW_MS - 2 * DAY_MS), "carol",
                db.url(url, 5000), name="contract.pdf")
    put(env.cs, rel, 5000, 60, "trash")
    # purged 30 days ago: URL orphaned past the 14-day protect window, file still in the store
    url, rel = u("orphan", NOW_MS - 80 * DAY_MS)
    db.node("workspace://SpacesStore", "uuid-orphan-" + tag, "sys:deleted")
    db.node("archive://SpacesStore", "uuid-orphan-" + tag, "sys:deleted")
    d["orphan_id"] = db.url(url, 6000, NOW_MS - 30 * DAY_MS)
    put(env.cs, rel, 6000, 80, "orphan")
    # a second orphan for the keyed run later
    url, rel = u("orphan2", NOW_MS - 70 * DAY_MS)
    db.node("workspace://SpacesStore", "uuid-orphan2-" + tag, "sys:deleted")
    d["orphan2_id"] = db.url(url, 3000, NOW_MS - 25 * DAY_MS)
    put(env.cs, rel, 3000, 70, "orphan2")
    # Records Management, non-ghost destroy (facts §11): a hard delete, the content orphaned the
    # normal way; the cleaner copies it to contentstore.deleted after the protect window
    url, rel = u("rec", NOW_MS - 100 * DAY_MS)
    db.node("workspace://SpacesStore", "uuid-rec-" + tag, "sys:deleted")
    d["rec_id"] = db.url(url, 2500, NOW_MS - 20 * DAY_MS)
    put(env.cs, rel, 2500, 100, "rec")
    # ghosted destroy of a record whose content a copy shares through cm:content: RM left the
    # content in place
    url, rel = u("ghost", NOW_MS - 100 * DAY_MS)
    db.node("workspace://SpacesStore", "uuid-ghost-" + tag, "cm:content",
            aspects=("rma:record", "rma:ghosted"))
    gcopy = db.node("workspace://SpacesStore", "uuid-gcopy-" + tag, "cm:content")
    db.content(gcopy, db.url(url, 900))
    put(env.cs, rel, 900, 100, "ghost")
    # in contentstore.deleted while a live node still references its URL (a database restored
    # from before the cleaner ran): the live copy in contentstore, the old one in .deleted
    url, rel = u("ref", NOW_MS - 50 * DAY_MS)
    refnode = db.node("workspace://SpacesStore", "uuid-ref-" + tag, "cm:content")
    db.content(refnode, db.url(url, 2048))
    put(env.cs, rel, 2048, 50, "ref-live")
    put(env.dl, rel, 2048, 40, "ref")
    # moved to contentstore.deleted by the cleaner a day ago: too young for --min-age 7
    url, rel = u("young", NOW_MS - 20 * DAY_MS)
    put(env.dl, rel, 1500, 1, "young")
    return d


def cleaner(db, env, d, name):
    """What ContentStoreCleaner does for an expired orphan (facts §7.5): the file goes to
    contentstore.deleted (mtime kept, as rename does), the URL row is deleted."""
    url, rel = d[name]
    src, dst = os.path.join(env.cs, rel), os.path.join(env.dl, rel)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    os.rename(src, dst)
    db.run("DELETE FROM alf_content_url WHERE id = %d;" % d[name + "_id"])


def run_engine(engine):
    pre = "[%s] " % engine
    db = L.Db(engine, L.dbname("t_lifecycle", engine))
    env = Env(db, "lc-" + engine)
    env.read_only_user()
    d = setup(db, env, engine)
    conf = env.conf("plain")
    U = {k: v[0] for k, v in d.items() if isinstance(v, tuple)}
    P = {k: v[1] for k, v in d.items() if isinstance(v, tuple)}
    ref_node = "workspace://SpacesStore/uuid-ref-" + engine
    gcopy_ref = "workspace://SpacesStore/uuid-gcopy-" + engine

    # ---- 1. before the cleaner ----------------------------------------------------------
    r, its = report(conf)
    check(r.j is not None, pre + "report before the cleaner: JSON", r)
    eq(its.get((U["live"], "url"), {}).get("class"), "live", pre + "live document: live", r)
    eq(its.get((U["trash"], "url"), {}).get("class"), "trashcan",
       pre + "archived document: trashcan", r)
    eq(its.get((U["trash"], "url"), {}).get("trashcan_items"), ["uuid-trash-" + engine],
       pre + "trashcan item named by uuid", its.get((U["trash"], "url")))
    eq(its.get((U["orphan"], "url"), {}).get("class"), "orphan_overdue",
       pre + "orphan 30 days past orphan_time: orphan_overdue", its.get((U["orphan"], "url")))
    eq(its.get((U["ref"], "del"), {}).get("class"), "deleted_referenced",
       pre + "referenced URL in contentstore.deleted: deleted_referenced",
       its.get((U["ref"], "del")))
    eq((its.get((U["ref"], "url"), {}).get("class"), its.get((U["ref"], "url"), {}).get(
        "node_refs")), ("live", [ref_node]),
       pre + "its URL item: live, referenced by the live node", its.get((U["ref"], "url")))
    eq(its.get((U["young"], "del"), {}).get("class"), "deleted", pre + "young file: deleted",
       its.get((U["young"], "del")))
    eq(its.get((U["rec"], "url"), {}).get("class"), "orphan_overdue",
       pre + "destroyed record's URL: orphan_overdue", its.get((U["rec"], "url")))
    it = its.get((U["ghost"], "url"), {})
    eq((it.get("class"), it.get("node_refs")), ("live", [gcopy_ref]),
       pre + "ghosted record's shared content: live through the copy", it)

    # ---- the cleaner runs ----------------------------------------------------------------
    cleaner(db, env, d, "orphan")
    cleaner(db, env, d, "rec")
    r, before = report(conf)
    it = before.get((U["orphan"], "del"), {})
    eq((it.get("class"), it.get("root"), it.get("path"), it.get("size")),
       ("deleted", "contentstore_deleted", P["orphan"], 6000),
       pre + "after the cleaner: the orphan's file is deleted, in contentstore.deleted", it)
    eq(it.get("node_refs"), [], pre + "deleted: no node references it", it)
    check((U["orphan"], "url") not in before, pre + "after the cleaner: no URL item for it",
          before.get((U["orphan"], "url")))
    eq(before.get((U["ref"], "del"), {}).get("class"), "deleted_referenced",
       pre + "after the cleaner: referenced file still deleted_referenced")
    eq(before.get((U["live"], "url"), {}).get("class"), "live",
       pre + "after the cleaner: live unchanged")
    eq(before.get((U["trash"], "url"), {}).get("class"), "trashcan",
       pre + "after the cleaner: trashcan unchanged")

    # the same report as CSV, kept for verify --from after the wipe
    rcsv = alfwipe(conf, "report", "--format", "csv")
    report_csv = os.path.join(env.dir, "report-before-wipe.csv")
    with open(report_csv, "w") as f:
        f.write(rcsv.out)

    # ---- 2. wipe, with the database check ------------------------------------------------
    keep = {n: (os.path.join(env.dl, P[n])) for n in ("ref", "young")}
    keep["ref-live"] = os.path.join(env.cs, P["ref"])
    keep["orphan2"] = os.path.join(env.cs, P["orphan2"])
    keep["ghost"] = os.path.join(env.cs, P["ghost"])
    keep["live"] = os.path.join(env.cs, P["live"])
    keep["trash"] = os.path.join(env.cs, P["trash"])
    sums = {n: (sha(p), os.stat(p).st_mtime_ns) for n, p in keep.items()}
    orphan_file = os.path.join(env.dl, P["orphan"])
    dl_state = {p: (sha(p), os.stat(p).st_mtime_ns) for p in
                (orphan_file, keep["ref"], keep["young"])}
    r = alfwipe(conf, "wipe", "--method", "dod-3", "--dry-run")
    eq(r.rc, 1, pre + "wipe --dry-run: exit 1 (refusals ahead)", r)
    check(("would erase " + P["orphan"]) in r.out and ("would erase " + P["ref"]) not in r.out
          and ("would erase " + P["young"]) not in r.out,
          pre + "dry run: only the cleaned files would be erased", r)
    eq({p: (sha(p), os.stat(p).st_mtime_ns) for p in dl_state}, dl_state,
       pre + "dry run: contentstore.deleted untouched")
    check(not os.path.exists(env.cert), pre + "dry run: no certificate", r)
    r = alfwipe(conf, "wipe", "--method", "dod-3")
    eq(r.rc, 1, pre + "wipe: exit 1 (two refusals)", r)
    recs = cert_lines(env)
    files = {x.get("path"): x for x in recs if x.get("type") == "file"}
    hdr = [x for x in recs if x.get("type") == "header"]
    eq(len(hdr), 1, pre + "certificate: one run header", recs)
    eq(hdr[0].get("db_check") if hdr else None, True, pre + "certificate: database check on")
    fo = files.get(P["orphan"], {})
    eq((fo.get("status"), fo.get("content_url"), fo.get("verified")),
       ("ERASED", U["orphan"], True), pre + "the cleaned orphan: ERASED, verified, its URL", fo)
    check(not os.path.exists(orphan_file), pre + "the erased file is gone", r)
    fr = files.get(P["ref"], {})
    eq(fr.get("status"), "REFUSED", pre + "the referenced file: REFUSED", fr)
    check(ref_node in (fr.get("reason") or ""), pre + "refusal names the referencing node", fr)
    fy = files.get(P["young"], {})
    eq(fy.get("status"), "REFUSED", pre + "the young file: REFUSED", fy)
    check("minimum age" in (fy.get("reason") or ""), pre + "refusal names the minimum age", fy)
    fo = files.get(P["rec"], {})
    eq((fo.get("status"), fo.get("content_url")), ("ERASED", U["rec"]),
       pre + "the destroyed record's cleaned copy: ERASED", fo)
    check(not os.path.exists(os.path.join(env.dl, P["rec"])), pre + "its file is gone", r)
    eq(sorted(files), sorted([P["orphan"], P["rec"], P["ref"], P["young"]]),
       pre + "wipe considered only contentstore.deleted", sorted(files))
    for n, p in keep.items():
        eq((sha(p), os.stat(p).st_mtime_ns) if os.path.exists(p) else None, sums[n],
           pre + "%s file: bytes and mtime unchanged" % n)

    # ---- 3. report after the wipe --------------------------------------------------------
    r, after = report(conf)
    check(r.j is not None, pre + "report after the wipe: JSON", r)
    for n in ("orphan", "rec"):
        check(not [k for k in after if k[0] == U[n]],
              pre + "the wiped %s URL is no longer reported" % n, after.get((U[n], "del")))
    for k in (("live", "url"), ("trash", "url"), ("ref", "url"), ("ref", "del"),
              ("young", "del"), ("orphan2", "url"), ("ghost", "url")):
        a, b = after.get((U[k[0]], k[1]), {}), before.get((U[k[0]], k[1]), {})
        check(b and (a.get("class"), a.get("files"), a.get("node_refs"), a.get("findings")) ==
              (b.get("class"), b.get("files"), b.get("node_refs"), b.get("findings")),
              pre + "%s %s item: unchanged by the wipe" % k, "before %r\nafter %r" % (b, a))
    eq(sorted(after), sorted(k for k in before if k[0] not in (U["orphan"], U["rec"])),
       pre + "no other item appeared or vanished", sorted(after))

    # ---- 4. verify -----------------------------------------------------------------------
    orphan_line = 1 + [i for i, x in enumerate(recs) if x.get("path") == P["orphan"]][0]
    r = alfwipe(conf, "verify", "--url", U["orphan"], "--certificate", env.cert,
                "--format", "json")
    eq(r.rc, 0, pre + "verify --url of the wiped URL: exit 0", r)
    it = ((r.j or {}).get("items") or [{}])[0]
    eq(it.get("verdict"), "destroyed", pre + "verify: destroyed", r)
    uu = [x for x in it.get("urls", []) if x.get("url") == U["orphan"]]
    cr = uu[0].get("certificate_records", []) if uu else []
    check(len(cr) == 1 and cr[0].get("status") == "ERASED" and cr[0].get("verified") and
          cr[0].get("method") == "dod-3" and cr[0].get("line") == orphan_line,
          pre + "verify: the certificate record (line, ERASED, verified, dod-3)", uu)
    r = alfwipe(conf, "verify", "--node", "uuid-rec-" + engine, "--url", U["rec"],
                "--format", "json")
    it = ((r.j or {}).get("items") or [{}])[0]
    eq((r.rc, it.get("verdict")), (0, "destroyed"),
       pre + "verify --node/--url of the destroyed record (wipe.certificate): destroyed", r)
    eq([(x.get("store"), x.get("type")) for x in it.get("node", {}).get("rows", [])],
       [("workspace://SpacesStore", "sys:deleted")],
       pre + "destroyed record: only its sys:deleted placeholder", r)
    r = alfwipe(conf, "verify", "--node", "uuid-orphan-" + engine, "--url", U["orphan"],
                "--format", "json")
    it = ((r.j or {}).get("items") or [{}])[0]
    eq((r.rc, it.get("verdict"), sorted(x.get("store") for x in
                                        it.get("node", {}).get("rows", []))),
       (0, "destroyed", ["archive://SpacesStore", "workspace://SpacesStore"]),
       pre + "verify --node/--url of the purged document: destroyed, two placeholders", r)
    r = alfwipe(conf, "verify", "--node", "uuid-ghost-" + engine, "--url", U["ghost"],
                "--format", "json")
    it = ((r.j or {}).get("items") or [{}])[0]
    uu = [x for x in it.get("urls", []) if x.get("url") == U["ghost"]]
    eq((r.rc, it.get("verdict"),
        [x.get("node_ref") for x in (uu[0].get("referenced_by", []) if uu else [])]),
       (2, "not_destroyed", [gcopy_ref]),
       pre + "ghosted record with shared content: not_destroyed, names the copy", r)
    # an earlier report as the list of what to verify
    r = alfwipe(conf, "verify", "--from", report_csv, "--format", "json")
    got = {}
    for it in (r.j or {}).get("items", []):
        for x in it.get("urls", []):
            got.setdefault(x.get("url"), set()).add(it.get("verdict"))
    want = {U["orphan"]: {"destroyed"}, U["rec"]: {"destroyed"}, U["live"]: {"not_destroyed"},
            U["ref"]: {"not_destroyed"}, U["trash"]: {"not_destroyed"},
            U["ghost"]: {"not_destroyed"}, U["orphan2"]: {"pending"}, U["young"]: {"pending"}}
    eq({k: got.get(k) for k in want}, want,
       pre + "verify --from the report CSV: the wiped URLs destroyed, the rest not", r)
    eq((r.rc, (r.j or {}).get("summary", {}).get("malformed"), (r.j or {}).get("malformed"),
        (r.j or {}).get("summary", {}).get("items")), (2, 0, [], len(before)),
       pre + "verify --from the report CSV: every row read as an item, exit 2", r)
    r = alfwipe(conf, "verify", "--url", U["ref"], "--format", "json")
    eq(r.rc, 2, pre + "verify --url of the referenced one: exit 2", r)
    it = ((r.j or {}).get("items") or [{}])[0]
    eq(it.get("verdict"), "not_destroyed", pre + "referenced: not_destroyed", r)
    uu = [x for x in it.get("urls", []) if x.get("url") == U["ref"]]
    eq([x.get("node_ref") for x in (uu[0].get("referenced_by", []) if uu else [])], [ref_node],
       pre + "referenced: lists the node ref", r)
    # the three commands name the roots alike (the configuration's keys)
    eq(sorted(f.get("root") for f in (uu[0].get("files", []) if uu else [])),
       sorted([before[(U["ref"], "url")].get("root"), before[(U["ref"], "del")].get("root")]),
       pre + "verify names the roots as the report does", r)
    eq(fr.get("root"), before[(U["ref"], "del")].get("root"),
       pre + "wipe's record names the root as the report does", fr)
    r = alfwipe(conf, "verify", "--node", "uuid-trash-" + engine, "--format", "json")
    it = ((r.j or {}).get("items") or [{}])[0]
    check(r.rc == 2 and it.get("verdict") == "not_destroyed",
          pre + "verify --node of the trashcan document: not_destroyed, exit 2", r)
    uu = [x for x in it.get("urls", []) if x.get("url") == U["trash"]]
    eq([f.get("root") for f in (uu[0].get("files", []) if uu else [])], ["contentstore"],
       pre + "trashcan document: its file still in contentstore", r)

    r = alfwipe(conf, "verify", "--certificate", env.cert, "--format", "json")
    c0 = ((r.j or {}).get("certificates") or [{}])[0]
    eq((r.rc, c0.get("state"), c0.get("runs"), c0.get("runs_complete")),
       (0, "intact", 1, 1), pre + "verify --certificate: intact, one complete run", r)
    eq((c0.get("records", {}).get("ERASED"), c0.get("records", {}).get("REFUSED")), (2, 2),
       pre + "certificate: two ERASED and two REFUSED records", r)
    with open(env.cert, "rb") as f:
        raw = f.read()
    line_no = orphan_line
    lines = raw.split(b"\n")
    target = lines[line_no - 1]
    pos = target.index(b'"size":') + len(b'"size":')
    bad = target[:pos] + (b"7" if target[pos:pos + 1] != b"7" else b"8") + target[pos + 1:]
    lines[line_no - 1] = bad
    tampered = os.path.join(env.dir, "tampered.jsonl")
    with open(tampered, "wb") as f:
        f.write(b"\n".join(lines))
    r = alfwipe(conf, "verify", "--certificate", tampered, "--format", "json")
    c0 = ((r.j or {}).get("certificates") or [{}])[0]
    eq((r.rc, c0.get("state"), c0.get("bad_line")), (2, "tampered", line_no),
       pre + "one byte of record line %d changed: tampered at that line" % line_no, r)
    check(("line %d" % line_no) in (c0.get("problem") or ""), pre + "problem names the line", r)
    # the intact wipe.certificate still counts beside a tampered one named on the command line
    r = alfwipe(conf, "verify", "--url", U["orphan"], "--certificate", tampered,
                "--format", "json")
    it = ((r.j or {}).get("items") or [{}])[0]
    eq((r.rc, it.get("verdict")), (2, "destroyed"),
       pre + "tampered --certificate beside the intact configured one: destroyed, exit 2", r)
    nocert = env.conf("nocert", certificate=False)
    r = alfwipe(nocert, "verify", "--url", U["orphan"], "--certificate", tampered,
                "--format", "json")
    it = ((r.j or {}).get("items") or [{}])[0]
    check(r.rc == 2 and it.get("verdict") not in ("destroyed", None),
          pre + "the tampered certificate alone is no evidence: not destroyed (%s, exit %s)"
          % (it.get("verdict"), r.rc), r)

    # ---- 5. a keyed second run -----------------------------------------------------------
    keyf = os.path.join(env.dir, "hmac.key")
    with open(keyf, "w") as f:
        f.write("lifecycle-key-%s\n" % engine)
    os.chmod(keyf, 0o600)
    keyed = env.conf("keyed", key=keyf)
    cleaner(db, env, d, "orphan2")
    n_before = len(cert_lines(env))
    os.chmod(keyf, 0o644)
    o2 = os.path.join(env.dl, P["orphan2"])
    o2_state = (sha(o2), os.stat(o2).st_mtime_ns)
    r = alfwipe(keyed, "wipe", "--method", "zero")
    check(r.rc == 3 and "hmac" in r.err.lower(), pre + "a key file readable by others: exit 3, "
          "names the key file", r)
    eq((len(cert_lines(env)), sha(o2), os.stat(o2).st_mtime_ns), (n_before,) + o2_state,
       pre + "refused key: nothing appended, orphan2 untouched")
    os.chmod(keyf, 0o600)
    r = alfwipe(keyed, "wipe", "--method", "zero")
    eq(r.rc, 1, pre + "keyed wipe: exit 1 (the same two refusals)", r)
    recs2 = cert_lines(env)
    tail = recs2[n_before:]
    eq(recs2[:n_before], recs, pre + "the first run's lines are untouched")
    h2 = tail[0] if tail else {}
    eq((h2.get("type"), h2.get("chain")), ("header", "hmac-sha256"),
       pre + "the second run is a keyed run", h2)
    f2 = {x.get("path"): x.get("status") for x in tail if x.get("type") == "file"}
    eq(f2, {P["orphan2"]: "ERASED", P["ref"]: "REFUSED", P["young"]: "REFUSED"},
       pre + "keyed run: orphan2 ERASED, the two others refused again", tail)
    check(not os.path.exists(os.path.join(env.dl, P["orphan2"])), pre + "orphan2 gone")
    for n in ("ref", "young"):
        eq((sha(keep[n]), os.stat(keep[n]).st_mtime_ns), sums[n],
           pre + "%s file unchanged after the keyed run" % n)
    # after a keyed run, a run without the key or with another key would leave a certificate
    # no configuration can check: wipe refuses before touching a file
    L_o3 = put(env.dl, url_path(NOW_MS - 60 * DAY_MS, "late-%s.bin" % engine), 700, 30, "late")
    late = (sha(L_o3), os.stat(L_o3).st_mtime_ns)
    n_keyed = len(cert_lines(env))
    other = os.path.join(env.dir, "other.key")
    with open(other, "w") as f:
        f.write("not-the-key-of-these-runs\n")
    os.chmod(other, 0o600)
    for what, c, needle in (("without the key", conf, "wipe.hmac_key_file is not set"),
                            ("with another key", env.conf("otherkey", key=other),
                             "another key")):
        r = alfwipe(c, "wipe", "--method", "zero")
        check(r.rc == 3 and needle in r.err and "--certificate" in r.err,
              pre + "wipe %s after a keyed run: exit 3, says why and what to do" % what, r)
        eq((len(cert_lines(env)), sha(L_o3), os.stat(L_o3).st_mtime_ns), (n_keyed,) + late,
           pre + "wipe %s: nothing appended, no file touched" % what)
    os.unlink(L_o3)
    r = alfwipe(keyed, "verify", "--certificate", env.cert, "--format", "json")
    c0 = ((r.j or {}).get("certificates") or [{}])[0]
    eq((r.rc, c0.get("state"), c0.get("runs"), c0.get("runs_complete")), (0, "intact", 2, 2),
       pre + "verify with the key: both runs intact", r)
    r = alfwipe(keyed, "verify", "--url", U["orphan2"], "--format", "json")
    it = ((r.j or {}).get("items") or [{}])[0]
    eq((r.rc, it.get("verdict")), (0, "destroyed"),
       pre + "verify --url orphan2 with the keyed config: destroyed", r)
    r = alfwipe(env.conf("otherkey", key=other), "verify", "--certificate", env.cert,
                "--format", "json")
    c0 = ((r.j or {}).get("certificates") or [{}])[0]
    eq((r.rc, c0.get("state")), (3, "needs_key"), pre + "verify with another key: needs_key, "
       "exit 3", r)
    r = alfwipe(conf, "verify", "--certificate", env.cert, "--format", "json")
    c0 = ((r.j or {}).get("certificates") or [{}])[0]
    eq((r.rc, c0.get("state")), (3, "needs_key"),
       pre + "verify without a key: the keyed run needs its key, exit 3", r)
    purge_step(db, env, d, engine)
    db.drop()


def purge_step(db, env, d, engine):
    """The trashcan document purged through the REST API (the mock stands in for Alfresco and
    the test applies the purge to its own database, facts §7.3): the URL becomes an orphan in
    its protect window, the file stays in contentstore, nothing is destroyed yet."""
    pre = "[%s] " % engine
    uuid = "uuid-trash-" + engine
    url, rel = d["trash"]
    mk = mockaf.Mock(env.dir, {"items": [mockaf.item(
        uuid, "contract.pdf", "cm:content",
        time.strftime("%Y-%m-%dT%H:%M:%S.000+0000", time.gmtime(NOW_S - 2 * 86400)), "carol",
        5000)], "page_size": 10}, PKI[0])
    try:
        dbgroup = [x for x in open(env.conf("plain")).read().splitlines()
                   if x.startswith("database")][0]
        pconf = mockaf.write_conf(env.dir, mk.url, PKI[0]["ca"], name="purge.conf",
                                  extra=dbgroup + "\n")
        r = mockaf.run(pconf, "--older-than", "1", "--format", "json", now=NOW)
        j = json.loads(r.out) if r.out.startswith("{") else {}
        eq((r.rc, mk.purged()), (0, [uuid]), pre + "purge: the 2-day-old item purged", r.err)
        rel_ = [i.get("release", {}) for i in j.get("items", []) if i.get("id") == uuid]
        rel_ = rel_[0] if rel_ else {}
        eq((rel_.get("found"), rel_.get("bytes"), rel_.get("urls")), (True, 5000, 1),
           pre + "purge: releases the document's 5000 bytes in one URL", j)
    finally:
        mk.stop()
    # what Alfresco does on that DELETE: the archived node becomes a sys:deleted placeholder,
    # its content data row goes, the URL is marked at commit
    n = int(db.one("SELECT n.id FROM alf_node n JOIN alf_store s ON s.id = n.store_id WHERE "
                   "s.protocol = 'archive' AND n.uuid = '%s'" % uuid))
    cd = int(db.one("SELECT long_value FROM alf_node_properties WHERE node_id = %d AND "
                    "actual_type_n = 21" % n))
    uid = int(db.one("SELECT content_url_id FROM alf_content_data WHERE id = %d" % cd))
    db.run("DELETE FROM alf_node_properties WHERE node_id = %d; DELETE FROM alf_node_aspects "
           "WHERE node_id = %d; DELETE FROM alf_child_assoc WHERE child_node_id = %d; "
           "DELETE FROM alf_content_data WHERE id = %d; UPDATE alf_node SET type_qname_id = %d "
           "WHERE id = %d; UPDATE alf_content_url SET orphan_time = %d WHERE id = %d;"
           % (n, n, n, cd, db.qname("sys:deleted"), n, NOW_MS, uid))
    conf = env.conf("plain")
    r, its = report(conf)
    it = its.get((url, "url"), {})
    eq((it.get("class"), it.get("root"), it.get("trashcan_items")),
       ("orphan_protected", "contentstore", None),
       pre + "after the purge: the URL is orphan_protected, its file in contentstore", it)
    check((it.get("eligible_after") or "").startswith(
        time.strftime("%Y-%m-%dT%H:%M", time.gmtime(NOW_S + 14 * 86400))),
        pre + "after the purge: eligible 14 days after the purge", it)
    eq((r.j or {}).get("trashcan_items"), [], pre + "after the purge: the trashcan is empty",
       (r.j or {}).get("trashcan_items"))
    # the certificate now holds a keyed run: verify with the key
    r = alfwipe(env.conf("keyed", key=os.path.join(env.dir, "hmac.key")), "verify", "--node",
                uuid, "--url", url, "--format", "json")
    it = ((r.j or {}).get("items") or [{}])[0]
    uu = [x for x in it.get("urls", []) if x.get("url") == url]
    eq((r.rc, it.get("verdict"), [f.get("root") for f in (uu[0].get("files", []) if uu else [])],
        uu[0].get("orphan_state") if uu else None),
       (1, "pending", ["contentstore"], "orphan_protected"),
       pre + "verify after the purge: pending (orphan_protected), the file still in "
       "contentstore", r)
    check("will copy it to contentstore.deleted" in (uu[0].get("why") or "" if uu else ""),
          pre + "verify after the purge: says the cleaner will copy it, not overwrite it", r)


PKI = []


def main():
    PKI.append(mockaf.make_pki(os.path.join(L.TMP, "pki")))
    for engine in L.engines():
        run_engine(engine)
    return L.finish()


if __name__ == "__main__":
    sys.exit(main())
