#!/usr/bin/env python3
"""verify case V4: 'alfwipe verify --certificate FILE' alone checks a certificate's integrity
(exit 0 intact, 2 tampered, 3 unreadable). Certificates are written by the real writer
(tests/integration/certgen.c); the tampering is done here, byte for byte: a changed line (with
and without its signature recomputed), a removed, an inserted and a reordered line, a file cut
in the middle of a line, a keyed chain recomputed with plain SHA-256, two runs appended, and an
unreadable file. Every report must name the line."""
import hashlib
import hmac
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import verifylib as L  # noqa: E402
from verifylib import check, eq  # noqa: E402

D = os.path.join(L.TMP, "cert")
URLS = ["store://2024/3/3/3/3/a%d.bin" % i for i in range(1, 4)]


def conf(name, key=None):
    lines = ['alfresco = {', '  dir_root = "%s";' % os.path.join(D, "alf_data"), '};']
    if key:
        lines += ['wipe = {', '  hmac_key_file = "%s";' % key, '};']
    p = os.path.join(D, name + ".conf")
    with open(p, "w") as f:
        f.write("\n".join(lines) + "\n")
    return p


def make(name, key=None, runs=1):
    p = os.path.join(D, name)
    if os.path.exists(p):
        os.unlink(p)
    for r in range(runs):
        L.certgen(p, [L.file_rec(u) for u in URLS], key=key,
                  run="%032x" % (0xabc0 + r))
    return p


def lines_of(p):
    return open(p).read().splitlines(True)


def write(p, lines):
    with open(p, "w") as f:
        f.write("".join(lines))


def h(data, key):
    if key:
        return hmac.new(key, data.encode(), hashlib.sha256).hexdigest()
    return hashlib.sha256(data.encode()).hexdigest()


def resign(lines, key=None, start=0):
    """Recompute seq, prev and sig of every line from start on, as a forger would."""
    out = [ln.rstrip("\n") for ln in lines]
    for i in range(start, len(out)):
        body = out[i][:out[i].rindex(',"sig":"')]
        prev = "0" * 64 if i == 0 else h(out[i - 1], key)
        body = re.sub(r'"seq":\d+', '"seq":%d' % (i + 1), body)
        body = re.sub(r'"prev":"[0-9a-f]{64}"', '"prev":"%s"' % prev, body)
        out[i] = body + ',"sig":"%s"}' % h(body, key)
    return [ln + "\n" for ln in out]


def run(c, path, fmt="json"):
    return L.verify(c, "--certificate", path, "--format", fmt)


def cert0(r):
    return ((r.j or {}).get("certificates") or [{}])[0]


def expect(r, rc, state, line, what):
    c = cert0(r)
    eq((r.rc, c.get("state"), c.get("bad_line")), (rc, state, line), what, r)


def main():
    os.makedirs(D, exist_ok=True)
    L.build_certgen()
    plain = conf("plain")
    keyf = os.path.join(D, "hmac.key")
    with open(keyf, "w") as f:
        f.write("k3y-for-the-records-office\n")
    os.chmod(keyf, 0o600)
    keyed = conf("keyed", key=keyf)
    key = b"k3y-for-the-records-office"

    for mode, c, k in (("sha256", plain, None), ("hmac", keyed, keyf)):
        kb = key if k else None
        p = make("intact-%s.cert" % mode, key=k)
        eq(len(lines_of(p)), 5, "[%s] the certificate has header, 3 records, footer" % mode)
        r = run(c, p)
        expect(r, 0, "intact", None, "[%s] intact: exit 0" % mode)
        c0 = cert0(r)
        eq((c0.get("runs"), c0.get("runs_complete"), c0.get("records", {}).get("ERASED")),
           (1, 1, 3), "[%s] intact: 1 complete run, 3 ERASED records" % mode, r)
        # a plain chain proves no more than that nobody edited it carelessly: said so
        eq(c0.get("plain_chain_from_line"), 1 if mode == "sha256" else None,
           "[%s] intact: where a plain (recomputable) chain starts" % mode, r)
        r = run(c, p, "text")
        check(r.rc == 0 and "intact" in r.out and "3 file records" in r.out,
              "[%s] intact in text" % mode, r)
        # the configured certificate named again under another spelling: checked once
        cc = os.path.join(D, "conf-cert-%s.conf" % mode)
        with open(c) as f:
            text = f.read()
        with open(cc, "w") as f:
            f.write(text + 'wipe = { certificate = "%s"; };\n' % p if "wipe = {" not in text
                    else text.replace("wipe = {", 'wipe = {\n  certificate = "%s";' % p))
        spelled = os.path.join(os.path.dirname(p), ".", os.path.basename(p))
        r2 = run(cc, spelled)
        eq(len((r2.j or {}).get("certificates") or []), 1,
           "[%s] the configured certificate under another spelling: listed once" % mode, r2)
        check(("anyone who can write the file can recompute it" in r.out) == (mode == "sha256"),
              "[%s] text: the plain chain's limit said only for a plain chain" % mode, r)

        # cut to nothing: an empty certificate proves nothing and is not called intact
        t = os.path.join(D, "emptied-%s.cert" % mode)
        write(t, [])
        r = run(c, t)
        expect(r, 3, "unreadable", None, "[%s] emptied certificate: exit 3, not intact" % mode)
        check("holds no records" in (cert0(r).get("problem") or ""),
              "[%s] emptied: the problem says it holds no records" % mode, r)

        # line 3: the size changed
        ls = lines_of(p)
        ls[2] = ls[2].replace('"size":1200', '"size":1300')
        t = os.path.join(D, "changed-%s.cert" % mode)
        write(t, ls)
        r = run(c, t)
        expect(r, 2, "tampered", 3, "[%s] changed line 3: tampered at line 3" % mode)
        check("line 3" in (cert0(r).get("problem") or ""), "[%s] changed: problem names line 3"
              % mode, r)
        # the same, with the changed line's own signature recomputed: caught at line 4
        ls2 = resign(ls, kb, start=2)[:3] + ls[3:]
        write(t, ls2)
        r = run(c, t)
        expect(r, 2, "tampered", 4, "[%s] changed and re-signed line 3: caught at line 4" % mode)
        check("line 4 does not follow line 3" in (cert0(r).get("problem") or ""),
              "[%s] re-signed: 'line 4 does not follow line 3'" % mode, r)

        # line 3 removed
        ls = lines_of(p)
        del ls[2]
        write(t, ls)
        r = run(c, t)
        expect(r, 2, "tampered", 3, "[%s] removed line 3: chain broken at the new line 3" % mode)

        # a forged record inserted after line 2
        ls = lines_of(p)
        forged = ls[1].replace(URLS[0], "store://2024/9/9/9/9/forged.bin")
        ls.insert(2, forged)
        write(t, ls)
        r = run(c, t)
        expect(r, 2, "tampered", 3, "[%s] inserted line: broken at the inserted line 3" % mode)

        # lines 2 and 3 swapped
        ls = lines_of(p)
        ls[1], ls[2] = ls[2], ls[1]
        write(t, ls)
        r = run(c, t)
        expect(r, 2, "tampered", 2, "[%s] swapped lines 2 and 3: broken at line 2" % mode)

        # cut in the middle of line 5
        data = open(p).read()
        cut = data[:data.rindex("\n", 0, len(data) - 1) + 1 + 30]
        write(t, [cut])
        r = run(c, t)
        expect(r, 2, "tampered", 5, "[%s] truncated in line 5" % mode)
        check("incomplete" in (cert0(r).get("problem") or ""),
              "[%s] truncated: says the last line is incomplete" % mode, r)
        r = run(c, t, "text")
        check(r.rc == 2 and "line 5" in r.out and "intact" not in r.out.split("\n")[1],
              "[%s] truncated, text names line 5" % mode, r)

        # two runs appended, both intact
        p2 = make("two-%s.cert" % mode, key=k, runs=2)
        r = run(c, p2)
        expect(r, 0, "intact", None, "[%s] two runs appended: intact" % mode)
        eq(cert0(r).get("runs"), 2, "[%s] both runs reported" % mode, r)
        eq([x["line"] for x in cert0(r).get("run_headers", [])], [1, 6],
           "[%s] run headers at lines 1 and 6" % mode, r)

    # HMAC key configured; line 3 edited and the whole chain recomputed with plain SHA-256
    p = make("keyed.cert", key=keyf)
    ls = lines_of(p)
    ls[2] = ls[2].replace('"size":1200', '"size":1300')
    t = os.path.join(D, "rechained.cert")
    write(t, resign(ls, None))
    r = run(keyed, t)
    expect(r, 2, "tampered", 1, "HMAC: chain recomputed with SHA-256, header still keyed: line 1")
    # ... and the header rewritten to claim a plain chain
    ls[0] = ls[0].replace('"chain":"hmac-sha256"', '"chain":"sha256"')
    ls[0] = re.sub(r',"key_id":"[0-9a-f]+"', "", ls[0])
    write(t, resign(ls, None))
    r = run(plain, t)
    expect(r, 0, "intact", None, "without a key a fully recomputed plain chain checks out")
    r = run(keyed, t)
    expect(r, 2, "tampered", 1, "with wipe.hmac_key_file a plain chain is tampering (line 1)")
    # a plain run, then a keyed one (wipe.hmac_key_file set later): the keyed run's link fixes
    # the plain lines before it; a plain run after the keyed one is not covered
    mixed = os.path.join(D, "mixed.cert")
    if os.path.exists(mixed):
        os.unlink(mixed)
    L.certgen(mixed, [L.file_rec(URLS[0])], run="%032x" % 0xd1)
    L.certgen(mixed, [L.file_rec(URLS[1])], run="%032x" % 0xd2, key=keyf)
    r = run(keyed, mixed)
    expect(r, 0, "intact", None, "plain run followed by a keyed run: intact with the key")
    eq([x.get("chain") for x in cert0(r).get("run_headers", [])], ["sha256", "hmac-sha256"],
       "mixed: both runs reported with their chains", r)
    ls = lines_of(mixed)
    ls[1] = ls[1].replace('"size":1200', '"size":1300')
    write(t, resign(ls, None)[:3] + ls[3:])
    r = run(keyed, t)
    expect(r, 2, "tampered", 4, "plain run rewritten and re-chained: the keyed header (line 4) "
           "no longer follows")
    # a plain run appended after the keyed one (wipe refuses to write it; a hand-made one)
    extra = os.path.join(D, "extra.cert")
    if os.path.exists(extra):
        os.unlink(extra)
    L.certgen(extra, [L.file_rec(URLS[2])], run="%032x" % 0xd3)
    base = lines_of(mixed)
    write(mixed, resign(base + lines_of(extra), None, start=len(base)))
    r = run(keyed, mixed)
    expect(r, 2, "tampered", 7, "a plain run after the last keyed run: tampered at its header")
    # a keyed certificate without the key: cannot be checked
    r = run(plain, p)
    eq((r.rc, cert0(r).get("state")), (3, "needs_key"), "keyed certificate, no key: exit 3", r)
    check("alfwipe: certificate '%s' could not be checked: the run starting at line 1 is keyed"
          % p in r.err and "hint: Set wipe.hmac_key_file" in r.err,
          "keyed certificate, no key: the message names the file, the hint the key setting", r)
    # a keyed certificate with another key
    other = os.path.join(D, "other.key")
    with open(other, "w") as f:
        f.write("another key\n")
    os.chmod(other, 0o600)
    r = run(conf("other", key=other), p)
    eq((r.rc, cert0(r).get("state")), (3, "needs_key"), "keyed certificate, other key: exit 3", r)
    # a group-readable key file is refused
    os.chmod(other, 0o644)
    r = run(conf("loose", key=other), p)
    check(r.rc == 3 and "chmod" in r.err, "a key file readable by others is refused", r)

    # headers consistent with their records: a verified record in a run with verify off
    t = os.path.join(D, "inconsistent.cert")
    if os.path.exists(t):
        os.unlink(t)
    L.certgen(t, [L.file_rec(URLS[0], verified=False), L.file_rec(URLS[1])],
              header={"verify": "off"})
    r = run(plain, t)
    expect(r, 2, "tampered", 3, "a verified record in a run with verify off: line 3")
    check("header of its run at line 1" in (cert0(r).get("problem") or ""),
          "inconsistency names the header line", r)

    # unreadable
    r = run(plain, os.path.join(D, "missing.cert"))
    eq((r.rc, cert0(r).get("state")), (3, "unreadable"), "missing certificate: exit 3", r)
    check("alfwipe: certificate '%s' could not be checked: " % os.path.join(D, "missing.cert")
          in r.err and "No such file or directory" in r.err and
          "hint: Give --certificate a certificate file" in r.err,
          "missing certificate: a message naming it, and a hint, on standard error", r)
    r = run(plain, D)
    eq(r.rc, 3, "a directory as certificate: exit 3", r)
    # CSV form
    r = run(plain, os.path.join(D, "intact-sha256.cert"), "csv")
    rows = r.out.splitlines()
    check(r.rc == 0 and rows[0].startswith("certificate,state,bad_line") and
          ",intact,0," in rows[1], "integrity CSV", r)
    return L.finish()


if __name__ == "__main__":
    sys.exit(main())
