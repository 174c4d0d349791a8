#!/usr/bin/env python3
"""alfwipe wipe refuses to run where its result could not be trusted:
- contentstore.deleted given as a relative path (Alfresco's own default ./alf_data, or a
  relative dir.root in alfresco-global.properties): what it erases would depend on the current directory; exit 3, nothing
  touched, dry run included;
- a certificate whose chain is already broken anywhere (not only at its last line): new
  records would extend a chain that proves nothing; exit 3 before the first overwrite, the
  certificate unchanged;
- and `check` judges wipe.hmac_key_file by the same rules as wipe."""
import json
import os
import subprocess
import sys

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


def main():
    relative_root()
    tampered_certificate()
    check_hmac_key()
    L.finish()


if __name__ == "__main__":
    main()
