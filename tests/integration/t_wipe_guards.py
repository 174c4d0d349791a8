#!/usr/bin/env python3
"""alfwipe wipe refuses to run where its result could not be trusted:
- contentstore.deleted given as a relative path (Alfresco's own default ./alf_data, or a
  relative dir.root in alfresco-global.properties): what it erases would depend on the current directory; exit 3, nothing
  touched, dry run included;
- a certificate whose chain is already broken anywhere (not only at its last line): new
  records would extend a chain that proves nothing; exit 3 before the first overwrite, the
  certificate unchanged;
- and `check` judges wipe.hmac_key_file by the same rules as wipe;
- a --root inside contentstore.deleted checks and records each file by its full content URL
  (the path from the store, not from the root), so still-referenced copies stay refused; a
  root holding contentstore.deleted, wipe roots that overlap each other, a root that is a bind
  mount of a directory inside the live contentstore, and alfwipe's own certificate, lock or
  state directory inside a root are refused (exit 3, nothing written); the dry run fails on a
  lock another wipe holds, as the real run does."""
import fcntl
import json
import os
import subprocess
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wipelib as L  # noqa: E402
from wipelib import ok, eq  # noqa: E402


def relative_root():
    base = os.path.join(L.TMP, "relroot")
    os.makedirs(base, exist_ok=True)
    victim = os.path.join(base, "alf_data", "contentstore.deleted", "2024", "1", "x.bin")
    L.put(victim, size=4096, age_days=30)
    before = L.sha(victim)
    conf = os.path.join(base, "w.conf")
    props = os.path.join(base, "alfresco-global.properties")
    with open(props, "w") as f:
        f.write("dir.root=./alf_data\n")
    for name, alfresco in (("Alfresco's default", ""),
                           ("dir.root in alfresco-global.properties",
                            'alfresco = { global_properties = "%s"; };' % props)):
        with open(conf, "w") as f:
            f.write('%s\nwipe = { lock_file = "%s/l"; state_dir = "%s/s"; '
                    'certificate = "%s/c.jsonl"; };\n' % (alfresco, base, base, base))
        for extra in ([], ["--dry-run"]):
            p = subprocess.run([L.ALFWIPE, "-c", conf, "wipe", "--no-db-check"] + extra,
                               cwd=base, capture_output=True, text=True, timeout=60)
            what = "relative contentstore.deleted (%s%s)" % (name, " dry run" if extra else "")
            eq(p.returncode, 3, what + ": exit 3", p.stderr)
            ok("relative path" in p.stderr and "hint: " in p.stderr, what + ": says why",
               p.stderr)
            eq(L.sha(victim), before, what + ": the file under the current directory is intact")
    ok(not os.path.exists(os.path.join(base, "c.jsonl")), "relative root: no certificate")


def tampered_certificate():
    s = L.Store("tampered")
    for i in range(3):
        L.put(s.d("2024/1/1/1/%d/a%d.bin" % (i, i)), size=4096, age_days=30)
    r = L.wipe(s, "--method", "zero", "--no-db-check")
    eq(r.rc, 0, "first run: exit 0", r)
    lines = open(s.cert).read().splitlines(True)
    ok(len(lines) >= 5, "first run: header, three records, footer", lines)
    rec = json.loads(lines[2])
    rec["size"] = rec.get("size", 0) + 1
    lines[2] = json.dumps(rec, separators=(",", ":")) + "\n"
    with open(s.cert, "w") as f:
        f.write("".join(lines))
    edited = L.sha(s.cert)
    victim = s.d("2024/2/2/2/2/b.bin")
    L.put(victim, size=4096, age_days=30)
    before = L.sha(victim)
    r = L.wipe(s, "--method", "zero", "--no-db-check")
    eq(r.rc, 3, "edited record 3 lines before the end: exit 3", r)
    ok("does not check out at line 3" in r.err and "hint: " in r.err,
       "edited record: names the line", r)
    eq(L.sha(victim), before, "edited record: nothing overwritten")
    eq(L.sha(s.cert), edited, "edited record: certificate unchanged")
    # a new certificate file is accepted
    r = L.wipe(s, "--method", "zero", "--no-db-check", "--certificate",
               os.path.join(s.state, "new.jsonl"))
    eq(r.rc, 0, "a new certificate file: the wipe runs", r)
    ok(not os.path.exists(victim), "a new certificate file: the file is erased")


def check_hmac_key():
    """check reads wipe.hmac_key_file with wipe's own rules: raw bytes, at least 16."""
    s = L.Store("checkkey")
    key = os.path.join(s.state, "hmac.key")
    for name, data, want in (("binary 32 bytes with NUL and newline",
                              b"\x00\n" + bytes(range(1, 31)), 0),
                             ("8 bytes", b"shortkey", 3)):
        with open(key, "wb") as f:
            f.write(data)
        os.chmod(key, 0o600)
        s.write_conf('hmac_key_file = "%s";' % key)
        r = L.wipe(s, cmd="check")
        eq(r.rc, want, "check with a %s HMAC key: exit %d" % (name, want), r)
        r2 = L.wipe(s, "--no-db-check", "--dry-run")
        eq(r2.rc == 3, want == 3, "check and wipe agree on a %s HMAC key" % name, r2)


def sub_root(db):
    """--root below contentstore.deleted: URLs are store://<path from the store>."""
    s = L.Store("subroot", db=db)
    ref_rel, free_rel, stray_rel = ("2024/3/22/0/0/ref.bin", "2024/3/22/0/0/free.bin",
                                    "2024/3/22/0/1/stray.bin")
    ref = db.add_url("store://" + ref_rel)
    db.add_url("store://" + free_rel, referenced=False)
    for rel in (ref_rel, free_rel, stray_rel):
        L.put(s.d(rel), size=4096, age_days=30)
    before = L.sha(s.d(ref_rel))
    r = L.wipe(s, "--method", "zero", "--root", s.d("2024"), "--format", "json")
    eq(r.rc, 1, "sub-root: exit 1 (one file refused)", r)
    eq(L.sha(s.d(ref_rel)), before, "sub-root: the still-referenced file is intact")
    ok(not os.path.exists(s.d(free_rel)) and not os.path.exists(s.d(stray_rel)),
       "sub-root: the unreferenced file and the stray are erased")
    _, files, _ = L.last_run(s)
    got = {f.get("content_url"): f.get("status") for f in files}
    eq(got, {"store://" + ref_rel: "REFUSED", "store://" + free_rel: "ERASED",
             "store://" + stray_rel: "ERASED"},
       "sub-root: each record carries the full content URL", files)
    refused = [f for f in files if f.get("status") == "REFUSED"]
    ok(refused and ref in json.dumps(refused[0]), "sub-root: the refusal names the node", refused)
    # the same through a bind mount of the sub-directory
    L.put(s.d(ref_rel.replace("ref", "ref2")), size=4096, age_days=30)
    db.add_url("store://" + ref_rel.replace("ref", "ref2"))
    before2 = L.sha(s.d(ref_rel.replace("ref", "ref2")))
    mnt = os.path.join(s.dir, "bind-del")
    os.makedirs(mnt)
    L.sh(["mount", "--bind", s.d("2024/3"), mnt])
    try:
        r = L.wipe(s, "--method", "zero", "--root", mnt)
        eq(r.rc, 1, "sub-root by bind mount: exit 1 (refused)", r)
        eq(L.sha(s.d(ref_rel.replace("ref", "ref2"))), before2,
           "sub-root by bind mount: the referenced file is intact")
        _, files, _ = L.last_run(s)
        eq(sorted((f.get("content_url"), f.get("path"), f.get("status")) for f in files),
           [("store://" + ref_rel, "22/0/0/ref.bin", "REFUSED"),
            ("store://" + ref_rel.replace("ref", "ref2"), "22/0/0/ref2.bin", "REFUSED")],
           "sub-root by bind mount: URLs from the store through the mount, paths from the root",
           files)
    finally:
        subprocess.run(["umount", mnt], check=False)


def bad_roots():
    s = L.Store("badroots")
    victims = [s.d("2024/1/1/1/1/v.bin"), os.path.join(s.cs, "2024/1/1/1/1/live.bin")]
    for v in victims:
        L.put(v, size=4096, age_days=30)
    sums = [L.sha(v) for v in victims]

    def refused(what, args, needle, glob=()):
        for extra in ([], ["--dry-run"]):
            r = L.wipe(s, *(args + extra), glob=glob)
            w = what + (" (dry run)" if extra else "")
            eq(r.rc, 3, w + ": exit 3", r)
            ok(needle in r.err and "hint: " in r.err, w + ": says why, with a hint", r)
        eq([L.sha(v) for v in victims], sums, what + ": nothing touched")
        ok(not os.path.exists(s.cert), what + ": no certificate")

    refused("the same root twice", ["--no-db-check", "--root", s.dl, "--root", s.dl + "/"],
            "overlap")
    refused("a root inside another", ["--no-db-check", "--root", s.dl, "--root", s.d("2024")],
            "overlap")
    refused("a root holding contentstore.deleted",
            ["--no-db-check", "--root", s.dir], "contentstore")
    refused("the certificate inside the root",
            ["--no-db-check", "--certificate", s.d("cert.jsonl")], "lies inside the wipe root")
    # a bind mount of a directory inside the live contentstore
    mnt = os.path.join(s.dir, "bind-live")
    os.makedirs(mnt)
    L.sh(["mount", "--bind", os.path.join(s.cs, "2024"), mnt])
    try:
        refused("a bind mount of a directory of the live contentstore",
                ["--no-db-check", "--root", mnt], "overlaps the live content store")
        conf2 = os.path.join(s.dir, "bind.conf")
        with open(conf2, "w") as f:
            f.write('alfresco = { contentstore = "%s"; contentstore_deleted = "%s"; };\n'
                    'wipe = { lock_file = "%s/l"; state_dir = "%s"; certificate = "%s"; };\n'
                    'database = { type = "postgresql"; host = "127.0.0.1"; port = 1; '
                    'name = "x"; user = "x"; };\n' % (s.cs, mnt, s.state, s.state, s.cert))
        for cmd in (["wipe", "--no-db-check"], ["report"]):
            p = subprocess.run([L.ALFWIPE, "-c", conf2] + cmd, capture_output=True, text=True,
                               timeout=60)
            eq(p.returncode, 3, "contentstore_deleted bound inside contentstore: %s exits 3"
               % cmd[0], p.stderr)
            ok("overlap" in p.stderr, "contentstore_deleted bound inside contentstore: %s "
               "says they overlap" % cmd[0], p.stderr)
        eq([L.sha(v) for v in victims], sums, "bind mounts: nothing touched")
    finally:
        subprocess.run(["umount", mnt], check=False)
    # the lock file and the state directory inside the root
    for key in ("lock_file", "state_dir"):
        with open(s.conf, "w") as f:
            f.write('alfresco = { dir_root = "%s"; };\nwipe = { lock_file = "%s"; '
                    'state_dir = "%s"; certificate = "%s"; };\n'
                    % (s.alf, s.d("w.lock") if key == "lock_file" else s.state + "/w.lock",
                       s.d("state") if key == "state_dir" else s.state, s.cert))
        refused("wipe.%s inside the root" % key, ["--no-db-check"], "wipe.%s" % key)
        r = L.wipe(s, cmd="check")
        eq(r.rc, 3, "wipe.%s inside the root: check refuses it too" % key, r)
        ok("wipe.%s" % key in r.err and "lies inside the wipe root" in r.err,
           "wipe.%s inside the root: check says why" % key, r)
    s.write_conf()


def dry_run_lock():
    s = L.Store("drylock")
    L.put(s.d("2024/1/1/1/1/v.bin"), size=4096, age_days=30)
    lock = os.path.join(s.state, "wipe.lock")
    with open(lock, "w") as f:
        f.write("4242\n")
        f.flush()
        fcntl.flock(f, fcntl.LOCK_EX)
        for extra in (["--dry-run"], []):
            r = L.wipe(s, "--no-db-check", *extra)
            w = "lock held" + (" (dry run)" if extra else "")
            eq(r.rc, 3, w + ": exit 3", r)
            ok("another wipe is running: pid 4242" in r.err, w + ": names the holder", r)
    r = L.wipe(s, "--no-db-check", "--dry-run")
    eq(r.rc, 0, "lock released: the dry run runs", r)
    ok("warning: --no-db-check: no file is checked against the database" in r.err,
       "--no-db-check: warned on stderr", r)
    r = L.wipe(s, "--no-db-check", "--dry-run", glob=["-q"])
    ok("--no-db-check" not in r.err, "--no-db-check with -q: no warning", r)
    r = L.wipe(s, "--no-db-check", "--operator", " ")
    eq(r.rc, 3, "an empty --operator: exit 3", r)
    ok("empty --operator" in r.err and os.path.exists(s.d("2024/1/1/1/1/v.bin")),
       "an empty --operator: says so, nothing erased", r)
    # a modification time after now is said as such, not as a negative age
    L.put(s.d("2024/1/1/1/2/future.bin"), size=4096, age_days=-2)
    r = L.wipe(s, "--no-db-check", "--dry-run", "--format", "json")
    reasons = [f.get("reason") or "" for f in r.json().get("files", [])] if r.out else []
    ok(any("modified 2.0 days after the time of this run" in x for x in reasons),
       "a file from the future: refused, the reason says so", r)
    ok(os.path.exists(s.d("2024/1/1/1/1/v.bin")), "dry run: nothing erased")


def mounted_stores(db):
    """Stores that are whole filesystems of their own (a mount point whose root is the
    filesystem's root, here a tmpfs): a bind mount of a directory inside the live store is
    still an overlap, and a bind mount of a directory inside contentstore.deleted still gives
    URLs from the store."""
    s = L.Store("mounted", db=db)
    for d in (s.cs, s.dl):
        L.sh(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", d])
    mnts = []
    try:
        live = os.path.join(s.cs, "2024/2/1/0/0/live.bin")
        L.put(live, size=4096, age_days=30)
        L.put(os.path.join(s.cs, "2020/1/1/0/0/other.bin"), size=100, age_days=30)
        ref_rel = "2024/8/3/0/0/kept.bin"
        db.add_url("store://" + ref_rel)
        L.put(s.d(ref_rel), size=4096, age_days=30)
        sums = [L.sha(live), L.sha(s.d(ref_rel))]
        b_live, b_del = os.path.join(s.dir, "b-live"), os.path.join(s.dir, "b-del")
        os.makedirs(b_live)
        os.makedirs(b_del)
        L.sh(["mount", "--bind", os.path.join(s.cs, "2024"), b_live])
        mnts.append(b_live)
        L.sh(["mount", "--bind", s.d("2024/8"), b_del])
        mnts.append(b_del)
        r = L.wipe(s, "--method", "zero", "--allow-unsafe-fs", "--root", b_live)
        eq(r.rc, 3, "live store on its own filesystem, a bind of its directory as root: exit 3",
           r)
        ok("overlaps the live content store" in r.err, "the same: says it overlaps", r)
        r = L.wipe(s, "--method", "zero", "--allow-unsafe-fs", "--root", b_del)
        eq(r.rc, 1, "contentstore.deleted on its own filesystem, a bind of its directory: "
           "exit 1 (refused)", r)
        _, files, _ = L.last_run(s)
        eq([(f.get("content_url"), f.get("status")) for f in files],
           [("store://" + ref_rel, "REFUSED")],
           "the same: the URL from the store, the referenced file refused", files)
        eq([L.sha(live), L.sha(s.d(ref_rel))], sums, "mounted stores: nothing touched")
    finally:
        for m in mnts + [s.cs, s.dl]:
            subprocess.run(["umount", m], check=False)


def non_ascii_urls(db, tag="pg", latin1=False):
    """URLs whose content_url_short Alfresco computes with Java's toLowerCase (non-ASCII or
    'I' in the last 12 characters) are found by their CRC and full text: still refused."""
    s = L.Store("nonascii-" + tag, db=db)
    rels = ["2024/9/1/0/0/r\u00e9sum\u00e9-\u00e9t\u00e9.bin", "2024/9/1/0/0/\u00c4\u00d6\u00dc-Datei.bin",
            "2024/9/1/0/0/x\u20ac.bin", "2024/9/1/0/0/\u0130STANBUL.bin", "2024/9/1/0/0/FILE-I.bin"]
    if latin1:
        # what a latin1 database can hold: é, Ä, Ö, Ü (the column keeps one byte for each)
        rels = [r for r in rels if all(ord(ch) < 256 for ch in r)]
    for rel in rels:
        url = "store://" + rel
        # the short value as Java writes it: lower-cased, then the last 12 characters
        db.add_url(url, short=url.lower()[-12:])
        L.put(s.d(rel), size=4096, age_days=30)
    free = "2024/9/1/0/0/fr\u00e9e.bin"
    L.put(s.d(free), size=4096, age_days=30)
    sums = [L.sha(s.d(rel)) for rel in rels]
    r = L.wipe(s, "--method", "zero")
    eq(r.rc, 1, "non-ASCII URLs %s: exit 1 (refusals), not 3" % tag, r)
    eq([L.sha(s.d(rel)) for rel in rels], sums, "non-ASCII URLs %s: every referenced file intact" % tag)
    _, files, _ = L.last_run(s)
    got = {f.get("content_url"): f.get("status") for f in files}
    want = {"store://" + rel: "REFUSED" for rel in rels}
    want["store://" + free] = "ERASED"
    eq(got, want, "non-ASCII URLs %s: referenced ones refused, the unreferenced one erased" % tag, files)


def live_store_missing(db):
    s = L.Store("nolive", db=db)
    db.add_url("store://2024/10/1/0/0/live-elsewhere.bin")
    victim = s.d("2024/10/2/0/0/v.bin")
    L.put(victim, size=4096, age_days=30)
    before = L.sha(victim)
    with open(s.conf, "a") as f:
        f.write('alfresco = { contentstore = "%s"; contentstore_deleted = "%s"; };\n'
                % (os.path.join(s.dir, "nowhere"), s.dl))
    # the appended group replaces the first: rewrite instead
    with open(s.conf) as f:
        text = f.read()
    text = text.replace('alfresco = { dir_root = "%s"; };\n' % s.alf, "", 1)
    with open(s.conf, "w") as f:
        f.write(text)
    for extra in ([], ["--dry-run"], ["--no-db-check"]):
        r = L.wipe(s, "--method", "zero", *extra)
        eq(r.rc, 3, "missing live contentstore %s: exit 3" % extra, r)
        ok("live contentstore" in r.err and "hint: " in r.err,
           "missing live contentstore %s: says so" % extra, r)
    # report and verify say it in the same words as wipe, from the same place
    want = "content root 'contentstore' ('%s', from " % os.path.join(s.dir, "nowhere")
    for cmd in (["wipe", "--dry-run"], ["report"],
                ["verify", "--url", "store://2024/1/1/0/0/x.bin"]):
        p = subprocess.run([L.ALFWIPE, "-c", s.conf] + cmd, capture_output=True, text=True,
                           timeout=120)
        first = p.stderr.splitlines()[0] if p.stderr else ""
        ok(p.returncode == 3 and want in first and first.endswith(
            ") is not usable: No such file or directory"),
           "missing live contentstore: %s says it in the common words" % cmd[0], p.stderr)
    s.write_conf()
    os.remove(s.live)
    r = L.wipe(s, "--method", "zero")
    eq(r.rc, 3, "empty live contentstore while URLs are referenced: exit 3", r)
    ok("is empty while the database references" in r.err, "empty live contentstore: says so",
       r)
    eq(L.sha(victim), before, "missing or empty live store: nothing touched")
    # the lock file, the certificate or the state directory inside the live store
    L.put(s.live, size=100, age_days=30)
    live_sum = L.sha(s.live)
    for key in ("lock_file", "certificate", "state_dir"):
        vals = {"lock_file": s.state + "/wipe.lock", "certificate": s.cert, "state_dir": s.state}
        vals[key] = s.live if key != "state_dir" else os.path.dirname(s.live)
        with open(s.conf, "w") as f:
            f.write('alfresco = { dir_root = "%s"; };\nwipe = { lock_file = "%s"; '
                    'state_dir = "%s"; certificate = "%s"; };\n%s\n'
                    % (s.alf, vals["lock_file"], vals["state_dir"], vals["certificate"],
                       db.conf_group()))
        r = L.wipe(s, "--method", "zero")
        eq(r.rc, 3, "wipe.%s inside the live store: exit 3" % key, r)
        ok("lies inside the live content store" in r.err, "wipe.%s inside the live store: "
           "says so" % key, r)
        r = L.wipe(s, cmd="check")
        eq(r.rc, 3, "wipe.%s inside the live store: check refuses it too" % key, r)
    eq(L.sha(s.live), live_sum, "own files in the live store: the live file intact")
    eq(L.sha(victim), before, "own files in the live store: nothing wiped")
    s.write_conf()


def odd_db_urls(db, tag="pg"):
    """A referenced URL that is no plain path (store://a//b, a/./b, a/x/../b) keeps the file
    java.io.File reads it as: refused."""
    s = L.Store("oddurls-" + tag, db=db)
    cases = [("2024/11/1/0/0//a.bin", "2024/11/1/0/0/a.bin"),
             ("2024/11/1/0/0/./b.bin", "2024/11/1/0/0/b.bin"),
             ("/2024/11/1/0/0/c.bin", "2024/11/1/0/0/c.bin"),
             ("2024/11/1/0/x/../0/d.bin", "2024/11/1/0/0/d.bin")]
    for url_rel, rel in cases:
        db.add_url("store://" + url_rel)
        L.put(s.d(rel), size=4096, age_days=30)
    # '..' out of the live store and into contentstore.deleted: Alfresco's check compares the
    # normalised text with the root's, so '<root>/../contentstore.deleted/x' passes it
    leave = [("../contentstore.deleted/2024/11/2/0/0/f.bin", "2024/11/2/0/0/f.bin"),
             ("2024/../../contentstore.deleted/2024/11/2/0/0/g.bin", "2024/11/2/0/0/g.bin"),
             ("..//contentstore.deleted/./2024/11/2/0/0/h.bin", "2024/11/2/0/0/h.bin")]
    for url_rel, rel in leave:
        db.add_url("store://" + url_rel)
        L.put(s.d(rel), size=4096, age_days=30)
    cases = cases + leave
    # the same shape, but orphaned (no content data): no protection needed
    db.add_url("store://2024/11/1/0/0//e.bin", referenced=False)
    L.put(s.d("2024/11/1/0/0/e.bin"), size=4096, age_days=30)
    sums = [L.sha(s.d(rel)) for _, rel in cases]
    for extra in (["--dry-run"], []):
        r = L.wipe(s, "--method", "zero", "--format", "json", *extra)
        eq(r.rc, 1, "odd URLs %s %s: exit 1" % (tag, extra), r)
    eq([L.sha(s.d(rel)) for _, rel in cases], sums, "odd URLs %s: every file they name is intact" % tag)
    ok(not os.path.exists(s.d("2024/11/1/0/0/e.bin")), "odd URLs %s: the orphaned one's file erased" % tag)
    _, files, _ = L.last_run(s)
    by = {f["path"]: f for f in files}
    for url_rel, rel in cases:
        f = by.get(rel, {})
        ok(f.get("status") == "REFUSED" and ("store://" + url_rel) in (f.get("reason") or ""),
           "odd URL %s %s: refused, naming the URL" % (tag, url_rel), f)


def odd_urls_other_stores(db, tag="pg"):
    """A referenced odd URL protects the file it opens from an extra root too (a store
    selector's second store, deeper than contentstore), and the file the kernel opens when a
    symbolic link in the live store comes before a '..': store://2024/lnk/../x goes up from
    the link's target, not from 2024."""
    s = L.Store("oddstores-" + tag, db=db)
    extra = os.path.join(s.dir, "stores", "of", "second")
    os.makedirs(os.path.join(extra, "2020"), exist_ok=True)
    with open(s.conf) as f:
        text = f.read()
    text = text.replace('alfresco = { dir_root = "%s"; };' % s.alf,
                        'alfresco = { dir_root = "%s"; extra_roots = ["%s"]; };' % (s.alf, extra))
    with open(s.conf, "w") as f:
        f.write(text)
    # from the extra root <dir>/stores/of/second, '../../../alf_data/contentstore.deleted' is
    # the deleted store; from contentstore (<dir>/alf_data/contentstore) it is outside <dir>
    via_extra = ("../../../alf_data/contentstore.deleted/2024/11/5/0/0/x.bin",
                 "2024/11/5/0/0/x.bin")
    # contentstore/2024/lnk -> <dir>/sib/deeper: lnk/.. is <dir>/sib, and
    # <dir>/sib/../alf_data/contentstore.deleted is the deleted store
    sib = os.path.join(s.dir, "sib", "deeper")
    os.makedirs(sib, exist_ok=True)
    os.makedirs(os.path.join(s.cs, "2024"), exist_ok=True)
    os.symlink(sib, os.path.join(s.cs, "2024", "lnk"))
    via_link = ("2024/lnk/../../alf_data/contentstore.deleted/2024/11/6/0/0/y.bin",
                "2024/11/6/0/0/y.bin")
    cases = [via_extra, via_link]
    for url_rel, rel in cases:
        db.add_url("store://" + url_rel)
        L.put(s.d(rel), size=4096, age_days=30)
    L.put(s.d("2024/11/7/0/0/free.bin"), size=4096, age_days=30)
    sums = [L.sha(s.d(rel)) for _, rel in cases]
    for extra_args in (["--dry-run"], []):
        r = L.wipe(s, "--method", "zero", "--format", "json", *extra_args)
        eq(r.rc, 1, "odd URLs in other stores %s %s: exit 1" % (tag, extra_args), r)
    eq([L.sha(s.d(rel)) if os.path.exists(s.d(rel)) else None for _, rel in cases], sums,
       "odd URLs in other stores %s: every file they open is intact" % tag)
    ok(not os.path.exists(s.d("2024/11/7/0/0/free.bin")),
       "odd URLs in other stores %s: an unreferenced file beside them is erased" % tag)
    _, files, _ = L.last_run(s)
    by = {f["path"]: f for f in files}
    for url_rel, rel in cases:
        f = by.get(rel, {})
        ok(f.get("status") == "REFUSED" and ("store://" + url_rel) in (f.get("reason") or ""),
           "odd URL in another store %s %s: refused, naming the URL" % (tag, url_rel), f)


def inconsistent_rows(db, tag="pg"):
    """A referenced URL row whose content_url_crc or content_url_short does not match its text
    is missed by a lookup through the (short, crc) index, yet Alfresco reads the content
    through alf_content_data by id: the file in contentstore.deleted is refused."""
    s = L.Store("inconsistent-" + tag, db=db)
    bad_crc = "store://2024/11/8/0/0/crc-%s.bin" % tag
    bad_short = "store://2024/11/8/0/0/short-%s.bin" % tag
    db.add_url(bad_crc, crc=(zlib.crc32(bad_crc.encode()) + 1) & 0xFFFFFFFF)
    db.add_url(bad_short, short="000000000000")
    rels = [u[len("store://"):] for u in (bad_crc, bad_short)]
    for rel in rels:
        L.put(s.d(rel), size=4096, age_days=30)
    L.put(s.d("2024/11/8/0/0/free-%s.bin" % tag), size=4096, age_days=30)
    sums = [L.sha(s.d(rel)) for rel in rels]
    for extra in (["--dry-run"], []):
        r = L.wipe(s, "--method", "zero", "--format", "json", *extra)
        eq(r.rc, 1, "inconsistent rows %s %s: exit 1" % (tag, extra), r)
    eq([L.sha(s.d(rel)) if os.path.exists(s.d(rel)) else None for rel in rels], sums,
       "inconsistent rows %s: the files they keep are intact" % tag)
    ok(not os.path.exists(s.d("2024/11/8/0/0/free-%s.bin" % tag)),
       "inconsistent rows %s: an unreferenced file beside them is erased" % tag)
    _, files, _ = L.last_run(s)
    by = {f["path"]: f for f in files}
    for url, rel in zip((bad_crc, bad_short), rels):
        f = by.get(rel, {})
        ok(f.get("status") == "REFUSED" and url in (f.get("reason") or "") and
           "content_url_short or content_url_crc" in (f.get("reason") or ""),
           "inconsistent row %s %s: refused, naming the URL and why" % (tag, rel), f)


def not_content_files():
    """Alfresco names every content file <guid>.bin: a file named otherwise in a root (a --root
    given by mistake, such as a database's data directory, or an administrator's file in
    contentstore.deleted) is refused, never written to."""
    s = L.Store("notcontent")
    other = os.path.join(s.dir, "pgdata")
    names = ["PG_VERSION", "base/1/112", "global/pg_control", "pg_wal/000000010000000000000001"]
    for n in names:
        L.put(os.path.join(other, n), size=8192, age_days=30)
    L.put(s.d("2024/1/2/3/4/notes.txt"), size=100, age_days=30)
    L.put(s.d("2024/1/2/3/4/.bin"), size=100, age_days=30)
    L.put(s.d("2024/1/2/3/4/ok.bin"), size=100, age_days=30)
    kept = [os.path.join(other, n) for n in names] + [s.d("2024/1/2/3/4/notes.txt"),
                                                      s.d("2024/1/2/3/4/.bin")]
    sums = [L.sha(p) for p in kept]
    r = L.wipe(s, "--method", "zero", "--no-db-check", "--root", other, "--format", "json")
    eq(r.rc, 1, "not content: a --root of other files: exit 1 (refusals)", r)
    files = (r.json() or {}).get("files", [])
    ok(len(files) == len(names) and all(
        f.get("status") == "REFUSED" and "not named like Alfresco content" in
        (f.get("reason") or "") for f in files),
       "not content: every file of that root refused, saying why", files)
    r = L.wipe(s, "--method", "zero", "--no-db-check", "--format", "json")
    by = {f.get("path"): f for f in (r.json() or {}).get("files", [])}
    eq((r.rc, by.get("2024/1/2/3/4/notes.txt", {}).get("status"),
        by.get("2024/1/2/3/4/.bin", {}).get("status"),
        by.get("2024/1/2/3/4/ok.bin", {}).get("status")),
       (1, "REFUSED", "REFUSED", "ERASED"),
       "not content: in contentstore.deleted a file not named *.bin is refused, ok.bin erased",
       r)
    eq([L.sha(p) if os.path.exists(p) else None for p in kept], sums,
       "not content: every refused file intact")


def certificate_full():
    """The certificate's filesystem fills up during a run: the error says why (no space), the
    partial record is cut off so the certificate stays verifiable up to its last whole record,
    the run stops there (files not reached untouched) and exits 2: erased files lack a
    record."""
    s = L.Store("certfull")
    mnt = os.path.join(s.dir, "small")
    os.makedirs(mnt)
    L.sh(["mount", "-t", "tmpfs", "-o", "size=12k", "tmpfs", mnt])
    try:
        cert = os.path.join(mnt, "certificate.jsonl")
        n = 60
        for i in range(n):
            L.put(s.d("2024/2/%d/0/0/f%02d.bin" % (1 + i // 20, i)), size=4096, age_days=30)
        # batches of 10 files: the first batches' records fit, a later one's do not
        r = L.wipe(s, "--method", "zero", "--no-db-check", "--certificate", cert,
                   env={"ALFWIPE_TEST_BATCH": "10"})
        eq(r.rc, 2, "certificate full: exit 2 (erased files without a record)", r)
        ok("could not append to certificate" in r.err and "No space left on device" in r.err
           and "hint: " in r.err, "certificate full: says why, with a hint", r)
        left = sum(len(fs) for _, _, fs in os.walk(s.dl))
        ok(0 < left < n, "certificate full: the run stopped there (%d of %d files left)"
           % (left, n), r)
        data = open(cert, "rb").read()
        ok(data.endswith(b"}\n"), "certificate full: no partial record at its end", data[-80:])
        v = subprocess.run([L.ALFWIPE, "-c", s.conf, "verify", "--certificate", cert],
                           capture_output=True, text=True, timeout=120)
        ok(v.returncode == 1 and "tampered" not in v.stdout + v.stderr,
           "certificate full: verify finds it intact, its last run without a footer (exit 1)",
           v.stdout + v.stderr)
    finally:
        subprocess.run(["umount", mnt], check=False)


def moved_mid_run():
    """A file renamed out of its directory between two passes (into the live store, say) is
    not written to again."""
    s = L.Store("moved")
    src = s.d("2024/12/1/0/0/m.bin")
    L.put(src, size=1 << 20, age_days=30)
    dst = os.path.join(s.cs, "2024/12/1/0/0/m.bin")
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    hook = L.hook_script(s, "if ev == 'pass-written' and a2 == '1':\n"
                            "    os.rename(os.environ['F'], os.environ['D'])")
    r = L.wipe(s, "--method", "dod-3", "--no-db-check",
               env={"ALFWIPE_TEST_HOOK": hook, "F": src, "D": dst})
    eq(r.rc, 1, "moved mid-run: exit 1", r)
    _, files, _ = L.last_run(s)
    eq([(f.get("status"), f.get("reason"), f.get("passes_done")) for f in files],
       [("REFUSED", "changed during wipe (moved or renamed)", 1)],
       "moved mid-run: refused after the first pass, no later pass written", files)
    with open(dst, "rb") as f:
        data = f.read()
    ok(data == b"\0" * (1 << 20), "moved mid-run: the moved file holds the first pass only")


def dir_moved_mid_run():
    """A directory of contentstore.deleted moved into the live store (a day restored with mv)
    while one of its files is being wiped: the file keeps its name in the moved directory, but
    it is live content now, so it is not written to again (between two passes: refused) and
    not removed (after the last pass: overwritten, not removed)."""
    for ev, cond, want in (("pass-written", "a2 == '1'", ("REFUSED", 1, False)),
                           ("before-remove", "True", ("ERASED", 3, False))):
        s = L.Store("dirmoved-" + ev)
        day = "2024/12/2/0/0"
        L.put(s.d(day + "/m.bin"), size=1 << 20, age_days=30)
        dst = os.path.join(s.cs, day)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        hook = L.hook_script(s, "if ev == '%s' and %s and not os.path.exists(os.environ['D']):\n"
                                "    os.rename(os.environ['F'], os.environ['D'])" % (ev, cond))
        r = L.wipe(s, "--method", "dod-3", "--no-db-check",
                   env={"ALFWIPE_TEST_HOOK": hook, "F": s.d(day), "D": dst})
        eq(r.rc, 1, "directory moved mid-run (%s): exit 1" % ev, r)
        _, files, _ = L.last_run(s)
        eq([(f.get("status"), f.get("passes_done"), f.get("removed")) for f in files], [want],
           "directory moved mid-run (%s): no pass written and no removal after the move" % ev,
           files)
        ok(os.path.exists(os.path.join(dst, "m.bin")),
           "directory moved mid-run (%s): the file in the live store is still there" % ev)
    # the same with --root contentstore.deleted/2024, the year restored while its file is wiped
    s = L.Store("rootmoved")
    L.put(s.d("2024/12/3/0/0/m.bin"), size=1 << 20, age_days=30)
    hook = L.hook_script(s, "if ev == 'pass-written' and a2 == '1':\n"
                            "    os.rename(os.environ['F'], os.environ['D'])")
    r = L.wipe(s, "--method", "dod-3", "--no-db-check", "--root", s.d("2024"),
               env={"ALFWIPE_TEST_HOOK": hook, "F": s.d("2024"),
                    "D": os.path.join(s.cs, "2024")})
    eq(r.rc, 1, "root moved mid-run: exit 1", r)
    _, files, _ = L.last_run(s)
    eq([(f.get("status"), f.get("passes_done")) for f in files], [("REFUSED", 1)],
       "root moved mid-run: refused, no pass written after the move", files)
    ok(os.path.exists(os.path.join(s.cs, "2024/12/3/0/0/m.bin")),
       "root moved mid-run: the file in the live store is still there")


def live_links_into_root():
    """A directory of the live store moved into contentstore.deleted and linked (or mounted)
    back: Alfresco reads its files as live content, so the wipe refuses to run."""
    s = L.Store("livelinks")
    moved = s.d("moved/2024/5/1")
    L.put(os.path.join(moved, "0/0/AbC.bin"), size=4096, age_days=30)
    L.put(s.d("2024/1/1/0/0/old.bin"), size=4096, age_days=30)
    os.makedirs(os.path.join(s.cs, "2024/5"), exist_ok=True)
    link = os.path.join(s.cs, "2024/5/1")
    os.symlink(moved, link)
    sums = [L.sha(os.path.join(moved, "0/0/AbC.bin")), L.sha(s.d("2024/1/1/0/0/old.bin"))]
    for extra in (["--dry-run"], []):
        r = L.wipe(s, "--method", "zero", "--no-db-check", *extra)
        eq(r.rc, 3, "live store linked into contentstore.deleted %s: exit 3" % extra, r)
        ok("a symbolic link to" in r.err and link in r.err and "hint: " in r.err,
           "live store linked into contentstore.deleted %s: names the link" % extra, r)
    os.remove(link)
    os.makedirs(link)
    L.sh(["mount", "--bind", moved, link])
    try:
        r = L.wipe(s, "--method", "zero", "--no-db-check")
        eq(r.rc, 3, "a directory of contentstore.deleted mounted into the live store: exit 3", r)
        ok("a mount" in r.err and link in r.err, "the same: names the mount", r)
    finally:
        subprocess.run(["umount", link], check=False)
    eq([L.sha(os.path.join(moved, "0/0/AbC.bin")), L.sha(s.d("2024/1/1/0/0/old.bin"))], sums,
       "links and mounts into the root: nothing touched")
    # a link to somewhere else (an old year on another volume) is no reason to refuse
    os.rmdir(link)
    other = os.path.join(s.dir, "oldvol")
    os.makedirs(other)
    os.symlink(other, link)
    r = L.wipe(s, "--method", "zero", "--no-db-check", "--dry-run")
    eq(r.rc, 0, "a live-store link elsewhere: the dry run runs", r)


def legacy_custom_content(db, tag="pg"):
    """A d:content property of a custom model that the 3.2 conversion left as the legacy type
    11 keeps its URL as text, with no alf_content_url row for the per-batch lookup to find:
    the wipe refuses to run (exit 3, nothing written), dry run included."""
    s = L.Store("legacy11-" + tag, db=db)
    rel = "2024/12/1/0/0/legacy-%s.bin" % tag
    db.sql("INSERT INTO alf_namespace (id, version, uri) VALUES (99, 0, "
           "'http://example.com/model/custom/1.0'); "
           "INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (9999, 0, 99, "
           "'attachment'); "
           "INSERT INTO alf_node (id, version, store_id, uuid, transaction_id, type_qname_id, "
           "locale_id) VALUES (88001, 1, 65, 'aaaaaaaa-0000-4000-8000-000000000001', 501, 128,"
           " 31); "
           "INSERT INTO alf_node_properties (node_id, actual_type_n, persisted_type_n, "
           "string_value, qname_id, list_index, locale_id) VALUES (88001, 11, 6, "
           "'contentUrl=store://%s|mimetype=text/plain|size=10|encoding=UTF-8|locale=en_US_',"
           " 9999, -1, 31)" % rel)
    L.put(s.d(rel), size=4096, age_days=30)
    before = L.sha(s.d(rel))
    for extra in (["--dry-run"], []):
        r = L.wipe(s, "--method", "zero", *extra)
        eq(r.rc, 3, "legacy custom content %s %s: exit 3" % (tag, extra), r)
        ok("legacy type 11" in r.err and "88001" in r.err,
           "legacy custom content %s %s: says why, naming the node" % (tag, extra), r)
    eq(L.sha(s.d(rel)), before, "legacy custom content %s: the file is intact" % tag)
    db.sql("DELETE FROM alf_node_properties WHERE node_id = 88001; "
           "DELETE FROM alf_node WHERE id = 88001; DELETE FROM alf_qname WHERE id = 9999; "
           "DELETE FROM alf_namespace WHERE id = 99")


def odd_rows_mid_run(db):
    """The odd URLs and inconsistent rows are read at the start, then again before each batch
    for the rows added since, and a kept unreferenced one is asked again: a row added mid-run
    that is no plain path or whose CRC does not match (a2, a3), and an odd row that was
    orphaned at the start and is referenced again mid-run (a4), keep their files; a free file
    after them is still erased."""
    s = L.Store("oddmidrun", db=db)
    base = "2024/12/5/0/0/"
    for n in ("a1", "a2", "a3", "a4", "a5"):
        L.put(s.d(base + n + ".bin"), size=4096, age_days=30)
    db.add_url("store://" + base + "x/../a4.bin", referenced=False)
    a4_id = int(db.sql("SELECT id FROM alf_content_url WHERE content_url = 'store://%s"
                       "x/../a4.bin'" % base).strip())
    odd = "store://" + base + "/a2.bin"
    bad = "store://" + base + "a3.bin"
    sql = ("INSERT INTO alf_content_url VALUES (98200, '%s', '%s', %d, 1, NULL); "
           "INSERT INTO alf_content_data VALUES (98201, 0, 98200, 41, 51, 31); "
           "INSERT INTO alf_content_url VALUES (98210, '%s', '%s', %d, 1, NULL); "
           "INSERT INTO alf_content_data VALUES (98211, 0, 98210, 41, 51, 31); "
           "INSERT INTO alf_content_data VALUES (98221, 0, %d, 41, 51, 31)"
           % (odd, odd.lower()[-12:], zlib.crc32(odd.encode()) & 0xFFFFFFFF, bad,
              bad.lower()[-12:], (zlib.crc32(bad.encode()) + 1) & 0xFFFFFFFF, a4_id))
    hook = L.hook_script(s, """
if ev == "file" and a1.endswith("a1.bin"):
    import subprocess
    subprocess.run(["psql", "-q", "-h", os.environ["AW_PG_HOST"], "-p", os.environ["AW_PG_PORT"],
        "-U", os.environ["AW_PG_USER"], "-d", os.environ["DBN"], "-c", os.environ["SQL"]],
        check=True)
""")
    kept = [base + n + ".bin" for n in ("a2", "a3", "a4")]
    sums = [L.sha(s.d(rel)) for rel in kept]
    r = L.wipe(s, "--method", "zero", env={"ALFWIPE_TEST_HOOK": hook, "ALFWIPE_TEST_BATCH": "1",
                                           "SQL": sql, "DBN": db.name})
    eq(r.rc, 1, "odd rows mid-run: exit 1", r)
    eq([L.sha(s.d(rel)) if os.path.exists(s.d(rel)) else None for rel in kept], sums,
       "odd rows mid-run: the files they keep are intact")
    by = L.by_path(L.last_run(s)[1])
    for rel in kept:
        f = by.get(rel, {})
        ok(f.get("status") == "REFUSED" and "deleted_referenced" in (f.get("reason") or ""),
           "odd rows mid-run: %s refused as referenced" % rel, f)
    for n in ("a1", "a5"):
        eq(by.get(base + n + ".bin", {}).get("status"), "ERASED",
           "odd rows mid-run: %s erased" % n, r)


def main():
    relative_root()
    tampered_certificate()
    check_hmac_key()
    db = L.PG("guards")
    sub_root(db)
    bad_roots()
    dry_run_lock()
    mounted_stores(db)
    non_ascii_urls(db)
    live_store_missing(db)
    odd_db_urls(db)
    odd_urls_other_stores(db)
    inconsistent_rows(db)
    legacy_custom_content(db)
    odd_rows_mid_run(db)
    not_content_files()
    certificate_full()
    moved_mid_run()
    dir_moved_mid_run()
    live_links_into_root()
    # Alfresco's install guide creates its MySQL database in UTF-8
    my = L.MY("aw_guards_my", charset="utf8mb4")
    non_ascii_urls(my, "my")
    odd_db_urls(my, "my")
    odd_urls_other_stores(my, "my")
    inconsistent_rows(my, "my")
    legacy_custom_content(my, "my")
    # a MariaDB database created in latin1: the URL column holds é as one byte
    non_ascii_urls(L.MY("aw_guards_latin1", charset="latin1"), "my-latin1", latin1=True)
    L.finish()


if __name__ == "__main__":
    main()
