#!/usr/bin/env python3
"""wipe: the dry run gives the real run's answer (state journal read, never written; the
certificate, its chain and key, the state directory and the lock file checked without creating
anything); a kept file (--keep) is not refused as too young by the next run; a run stopped by a
bound with candidates left is not OK (exit 1); the HMAC key file holds raw bytes (binary keys,
a minimum length, one-line text keys as before)."""
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wipelib as L  # noqa: E402
from wipelib import eq, ok  # noqa: E402

NO_DB = "--no-db-check"


def tree_state(s):
    """Every file under the store's directory with its size, mtime and content hash."""
    out = {}
    for base, dirs, files in os.walk(s.dir):
        for n in dirs + files:
            p = os.path.join(base, n)
            st = os.lstat(p)
            out[p] = (st.st_size, st.st_mtime_ns,
                      L.sha(p) if os.path.isfile(p) and not os.path.islink(p) else None)
    return out


def dry_after_sigterm():
    s = L.Store("dr-term")
    L.put(s.d("2024/1/1/1/1/big.bin"), size=32 << 20, age_days=30)
    L.put(s.d("2024/1/1/1/1/young.bin"), size=4096, age_days=1)
    hook = L.hook_script(s, "if ev == 'pass-start' and a2 == '2':\n"
                            "    os.kill(os.getppid(), 15)")
    r = L.wipe(s, "--method", "dod-3", NO_DB, env={"ALFWIPE_TEST_HOOK": hook})
    eq(r.rc, 143, "SIGTERM during pass 2: exit 143", r)
    st = os.stat(s.d("2024/1/1/1/1/big.bin"))
    ok(st.st_mtime > time.time() - 3600, "the interrupted file's mtime is now ours")
    before = tree_state(s)
    d = L.wipe(s, "--method", "dod-3", NO_DB, "--dry-run", "--format", "json")
    eq(tree_state(s), before, "dry run after SIGTERM changes nothing (journal, certificate)")
    files = {f["path"]: f for f in d.json()["files"]} if d.rc in (0, 1) else {}
    big = files.get("2024/1/1/1/1/big.bin", {})
    eq(big.get("status"), "WOULD_ERASE", "dry run: the interrupted file would be wiped again", d)
    ok("interrupted earlier" in (big.get("interrupted_earlier") or ""),
       "dry run: says it was interrupted earlier", big)
    eq(files.get("2024/1/1/1/1/young.bin", {}).get("status"), "REFUSED",
       "dry run: the young file is refused", d)
    eq(d.rc, 1, "dry run exit 1 (a refusal)", d)
    r = L.wipe(s, "--method", "dod-3", NO_DB, "--format", "json")
    real = {f["path"]: f["status"] for f in r.json()["files"]}
    eq(real, {k: ("ERASED" if v["status"] == "WOULD_ERASE" else v["status"]) for k, v in files.items()},
       "the real run does what the dry run said", r)
    eq(r.rc, d.rc, "the real run exits as the dry run did", r)


def dry_everything_erased():
    s = L.Store("dr-ok")
    L.put(s.d("a.bin"), size=4096, age_days=30)
    d = L.wipe(s, NO_DB, "--dry-run")
    eq(d.rc, 0, "dry run where every candidate would be erased: exit 0", d)
    ok("would erase 1" in d.out, "dry run says would erase 1", d)


def dry_fails_like_real():
    s = L.Store("dr-bad")
    L.put(s.d("a.bin"), size=4096, age_days=30)
    os.makedirs(os.path.join(s.dir, "adir"), exist_ok=True)
    cases = [
        ("--certificate a directory", ["--certificate", os.path.join(s.dir, "adir")]),
        ("--certificate ''", ["--certificate", ""]),
        ("--certificate in a missing directory tree",
         ["--certificate", "/nonexistent/alfwipe-dir/c.jsonl"]),
    ]
    for what, args in cases:
        before = tree_state(s)
        d = L.wipe(s, NO_DB, "--dry-run", *args)
        eq(tree_state(s), before, "dry run with %s creates nothing" % what)
        ok(d.rc == 3 and "certificate" in d.err, "dry run with %s: exit 3 naming the "
           "certificate" % what, d)
        r = L.wipe(s, NO_DB, *args)
        eq(r.rc, 3, "real run with %s: exit 3" % what, r)
        ok(os.path.exists(s.d("a.bin")), "real run with %s: nothing wiped" % what)
    # a certificate in a directory that the real run creates (one level): fine, not created
    newc = os.path.join(s.dir, "newdir", "c.jsonl")
    d = L.wipe(s, NO_DB, "--dry-run", "--certificate", newc)
    eq(d.rc, 0, "dry run with a certificate the real run can create: exit 0", d)
    ok(not os.path.exists(os.path.dirname(newc)), "dry run did not create its directory")

    # a corrupt state journal: both exit 3
    with open(os.path.join(s.state, "wipe-state.json"), "w") as f:
        f.write("{ not json")
    d = L.wipe(s, NO_DB, "--dry-run")
    eq(d.rc, 3, "dry run with a corrupt journal: exit 3", d)
    ok("state journal" in d.err, "dry run names the state journal", d)
    r = L.wipe(s, NO_DB)
    eq(r.rc, 3, "real run with a corrupt journal: exit 3", r)
    os.remove(os.path.join(s.state, "wipe-state.json"))

    # a tampered certificate: both exit 3, nothing written
    r = L.wipe(s, NO_DB, "--keep")
    eq(r.rc, 0, "a first run writes a certificate", r)
    lines = open(s.cert).read().splitlines(True)
    lines[1] = lines[1].replace('"size":4096', '"size":4097')
    with open(s.cert, "w") as f:
        f.write("".join(lines))
    before = tree_state(s)
    d = L.wipe(s, NO_DB, "--dry-run")
    ok(d.rc == 3 and "does not check out at line" in d.err,
       "dry run with a tampered certificate: exit 3, names the line", d)
    eq(tree_state(s), before, "dry run with a tampered certificate changes nothing")
    r = L.wipe(s, NO_DB)
    eq(r.rc, 3, "real run with a tampered certificate: exit 3", r)

    # a state directory the real run cannot create
    s2 = L.Store("dr-state")
    L.put(s2.d("a.bin"), size=4096, age_days=30)
    # write_conf sets its own state_dir: this conf names one the real run cannot create
    with open(s2.conf, "w") as f:
        f.write('alfresco = { dir_root = "%s"; };\n'
                'wipe = { lock_file = "%s/wipe.lock"; state_dir = "/nonexistent/alfwipe/st"; '
                'certificate = "%s"; };\n' % (s2.alf, s2.state, s2.cert))
    d = L.wipe(s2, NO_DB, "--dry-run")
    ok(d.rc == 3 and "state directory" in d.err, "dry run: missing state dir parent: exit 3",
       d)
    r = L.wipe(s2, NO_DB)
    eq(r.rc, 3, "real run: missing state dir parent: exit 3", r)


def keep_then_rerun():
    s = L.Store("keep")
    L.put(s.d("2024/5/5/5/5/k.bin"), size=8192, age_days=30)
    L.put(s.d("2024/5/5/5/5/t.bin"), size=8192, age_days=30)
    r = L.wipe(s, NO_DB, "--keep")
    eq(r.rc, 0, "--keep run exit 0", r)
    h, files, foot = L.last_run(s)
    eq(sorted(f["status"] for f in files), ["ERASED", "ERASED"], "--keep: both ERASED")
    ok(os.path.exists(s.d("2024/5/5/5/5/k.bin")), "--keep: the file stays")
    # someone writes to one of the kept files afterwards: its own mtime decides again
    with open(s.d("2024/5/5/5/5/t.bin"), "ab") as f:
        f.write(b"changed")
    d = L.wipe(s, NO_DB, "--dry-run", "--format", "json")
    dfiles = {f["path"]: f for f in d.json()["files"]}
    eq(dfiles["2024/5/5/5/5/k.bin"]["status"], "WOULD_ERASE",
       "dry run after --keep: the kept file would be wiped again", d)
    r = L.wipe(s, NO_DB, "--format", "json")
    files = {f["path"]: f for f in r.json()["files"]}
    k = files["2024/5/5/5/5/k.bin"]
    eq((k["status"], k["removed"]), ("ERASED", True),
       "the run after --keep wipes the kept file again and removes it", r)
    ok("kept earlier" in (k.get("interrupted_earlier") or ""), "says it was kept earlier", k)
    ok(not os.path.exists(s.d("2024/5/5/5/5/k.bin")), "the kept file is gone")
    t = files["2024/5/5/5/5/t.bin"]
    ok(t["status"] == "REFUSED" and "younger than the minimum age" in (t["reason"] or ""),
       "a kept file changed afterwards is refused by its own (new) mtime", t)
    ok(os.path.exists(s.d("2024/5/5/5/5/t.bin")), "the changed file stays")
    eq(r.rc, 1, "exit 1 for that refusal", r)


def bounds_not_ok():
    s = L.Store("bound")
    for i in range(3):
        L.put(s.d("b%d.bin" % i), size=10000, age_days=30)
    for args in (["--max-bytes", "1"], ["--max-files", "1"]):
        d = L.wipe(s, NO_DB, "--dry-run", *args)
        eq(d.rc, 1, "dry run %s with candidates left: exit 1" % " ".join(args), d)
    r = L.wipe(s, NO_DB, "--max-bytes", "1")
    eq(r.rc, 1, "--max-bytes 1 erases nothing: exit 1, not OK", r)
    ok("OK" not in r.out.split("\n")[0] and "WARNING" in r.out, "summary says WARNING", r)
    ok("3 candidates remain" in r.out and "--max-bytes 1 reached" in r.out,
       "summary says the bound stopped it and how many remain", r)
    ok("more than --max-bytes 1" in r.err, "warns that the next file can never fit", r)
    eq(len(os.listdir(s.dl)), 3, "nothing wiped")
    foot = L.last_run(s)[2]
    eq((foot["exit"], foot["stopped"], foot["remaining"]), (1, "max-bytes", 3),
       "footer: exit 1, stopped by max-bytes, 3 remain")
    r = L.wipe(s, NO_DB, "-q", "--max-files", "1", glob=[])
    eq(r.rc, 1, "--max-files 1 of 3: exit 1", r)
    r = L.wipe(s, NO_DB, "--max-files", "2")
    eq(r.rc, 0, "a bound that is not reached before the end: exit 0", r)
    eq(os.listdir(s.dl), [], "all done")


def keyed_store(name, key):
    """A store with one old candidate and wipe.hmac_key_file holding the bytes key (0600)."""
    s = L.Store(name)
    keyf = os.path.join(s.dir, "cert.key")
    with open(keyf, "wb") as f:
        f.write(key)
    os.chmod(keyf, 0o600)
    s.write_conf('hmac_key_file = "%s";' % keyf)
    L.put(s.d("a.bin"), size=4096, age_days=30)
    return s, keyf


def hmac_keys():
    # a binary key with a newline and a NUL inside (as 'head -c 32 /dev/urandom' often gives)
    key = bytes(range(0, 16)) + b"\n\x00" + bytes(range(200, 214))
    s, keyf = keyed_store("hkey", key)
    cert = s.cert
    r = L.wipe(s, NO_DB)
    eq(r.rc, 0, "a binary key with NUL and newline is accepted", r)
    hdr = L.records(s)[0]
    eq(hdr.get("chain"), "hmac-sha256", "the chain is keyed")
    import hashlib
    import hmac
    kid = hmac.new(key, b"alfwipe certificate key id", hashlib.sha256).hexdigest()[:16]
    eq(hdr.get("key_id"), kid, "the key is the file's bytes, all of them")
    ok(re.fullmatch(r"[0-9a-f]{16}", hdr.get("stream_key_id") or "") and
       hdr.get("stream_key_id") != kid, "a keyed header: the random key's id apart", hdr)
    # a plain chain names no key_id: that name is the HMAC key's alone
    sp = L.Store("plainkeyid")
    L.put(sp.d("p.bin"), size=4096, age_days=30)
    r = L.wipe(sp, NO_DB)
    hp = L.records(sp)[0] if r.rc == 0 else {}
    ok(hp.get("chain") == "sha256" and "key_id" not in hp and
       re.fullmatch(r"[0-9a-f]{16}", hp.get("stream_key_id") or ""),
       "a plain header: no key_id, the random key's id as stream_key_id", (r, hp))
    v = L.wipe(s, "--certificate", cert, cmd="verify")
    eq(v.rc, 0, "verify checks the binary-keyed certificate intact", v)
    # mode 0600 is still required
    os.chmod(keyf, 0o640)
    L.put(s.d("b.bin"), size=4096, age_days=30)
    r = L.wipe(s, NO_DB)
    ok(r.rc == 3 and "readable by group or others" in r.err, "a key readable by others: exit 3",
       r)
    os.chmod(keyf, 0o600)
    # too short
    s2, _ = keyed_store("hkey-short", b"A")
    r = L.wipe(s2, NO_DB)
    ok(r.rc == 3 and "at least 16" in r.err and "1 byte" in r.err,
       "a 1-byte key is refused, the error names the minimum", r)
    ok(os.path.exists(s2.d("a.bin")) and not os.path.exists(s2.cert), "nothing written")
    d = L.wipe(s2, NO_DB, "--dry-run")
    eq(d.rc, 3, "the dry run refuses the short key too", d)
    # a text key with one trailing newline keeps its key: the line without the newline
    s3, tk = keyed_store("hkey-text", b"a long secret for the chain\n")
    r = L.wipe(s3, NO_DB)
    eq(r.rc, 0, "a one-line text key works", r)
    kid = hmac.new(b"a long secret for the chain", b"alfwipe certificate key id",
                   hashlib.sha256).hexdigest()[:16]
    eq(L.records(s3)[0].get("key_id"), kid, "the text key is the line without its newline")
    # the same key without the newline checks the certificate written with it
    with open(tk, "w") as f:
        f.write("a long secret for the chain")
    v = L.wipe(s3, "--certificate", s3.cert, cmd="verify")
    eq(v.rc, 0, "the same key without newline verifies it", v)


def main():
    dry_after_sigterm()
    dry_everything_erased()
    dry_fails_like_real()
    keep_then_rerun()
    bounds_not_ok()
    hmac_keys()
    L.finish()


if __name__ == "__main__":
    main()
