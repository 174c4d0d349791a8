#!/usr/bin/env python3
"""verify: a certificate whose last run has no footer while no wipe writes it (killed, or
lines cut off the end, which the chain cannot tell apart) is not reported intact: exit 1 with
a message that the end may have been cut; when it is wipe.certificate and a wipe holds
wipe.lock_file it is the run in progress (exit 0), any other file stays cut. Input bytes such as ESC and BEL never reach the text output or standard
error raw: they are escaped as \\xNN, as in the report."""
import fcntl
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import verifylib as L  # noqa: E402
from verifylib import check, eq  # noqa: E402

D = os.path.join(L.TMP, "vtail")
URLS = ["store://2024/3/3/3/3/t%d.bin" % i for i in range(1, 4)]


def conf(name, lock, certificate=None):
    p = os.path.join(D, name + ".conf")
    cert = ' certificate = "%s";' % certificate if certificate else ""
    with open(p, "w") as f:
        f.write('alfresco = { dir_root = "%s"; };\nwipe = { lock_file = "%s";%s };\n'
                % (os.path.join(D, "alf_data"), lock, cert))
    return p


def cut_certificates():
    os.makedirs(D, exist_ok=True)
    lock = os.path.join(D, "wipe.lock")
    c = conf("tail", lock)
    p = os.path.join(D, "cut.jsonl")
    if os.path.exists(p):
        os.unlink(p)
    L.certgen(p, [L.file_rec(u) for u in URLS])
    r = L.verify(c, "--certificate", p)
    eq(r.rc, 0, "complete certificate: exit 0", r)
    lines = open(p).read().splitlines(True)
    with open(p, "w") as f:
        f.write("".join(lines[:-3]))   # footer and the last two file records cut off
    r = L.verify(c, "--certificate", p)
    eq(r.rc, 1, "footer and two records cut off: exit 1, not intact-and-OK", r)
    check("WARNING" in r.out and "cut off the end" in r.out and
          "no running wipe writes this file" in r.out,
          "says the end may have been cut off", r)
    r = L.verify(c, "--certificate", p, "--format", "json")
    cj = (r.j or {}).get("certificates", [{}])[0]
    eq((r.rc, cj.get("state"), cj.get("last_run_open"), cj.get("in_progress")),
       (1, "intact", True, False), "json: chain intact, last run open, not in progress", r)

    # a wipe holds the lock: the run in progress, but only in the certificate that wipe writes
    # (wipe.certificate, however its path is spelled); any other file was cut
    mine = conf("mine", lock, certificate=p)
    spelled = conf("spelled", lock, certificate=os.path.join(D, ".", "", "cut.jsonl"))
    other = conf("other", lock, certificate=os.path.join(D, "certificate.jsonl"))
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        r = L.verify(mine, "--certificate", p)
        eq(r.rc, 0, "last run open in wipe.certificate while a wipe holds the lock: exit 0", r)
        check("still running" in r.out, "says the run is still in progress", r)
        r = L.verify(spelled, "--certificate", p)
        eq(r.rc, 0, "wipe.certificate spelled another way is the same file: exit 0", r)
        for label, cf in (("default wipe.certificate", c), ("another wipe.certificate", other)):
            r = L.verify(cf, "--certificate", p)
            eq(r.rc, 1, "a cut certificate that is not %s: exit 1 while a wipe runs" % label, r)
            check("WARNING" in r.out and "cut off the end" in r.out and
                  "still running" not in r.out, "%s: reported as cut, not running" % label, r)
        r = L.verify(other, "--certificate", p, "--format", "json")
        cj = (r.j or {}).get("certificates", [{}])[0]
        eq((r.rc, cj.get("last_run_open"), cj.get("in_progress")), (1, True, False),
           "json: a cut certificate that no wipe writes is not in progress", r)
    finally:
        os.close(fd)
    r = L.verify(mine, "--certificate", p)
    eq(r.rc, 1, "lock released again: exit 1", r)

    # a killed run followed by a complete one: the open run is not the last, nothing was cut
    p2 = os.path.join(D, "killed.jsonl")
    if os.path.exists(p2):
        os.unlink(p2)
    L.certgen(p2, [L.file_rec(URLS[0], status="ABORTED", verified=False)], footer=False,
              run="%032x" % 0xdead)
    L.certgen(p2, [L.file_rec(URLS[0])], run="%032x" % 0xbeef)
    r = L.verify(c, "--certificate", p2)
    eq(r.rc, 0, "killed run followed by a complete run: exit 0", r)
    check("1 run without footer" in r.out, "the killed run is still reported", r)


def escapes():
    os.makedirs(D, exist_ok=True)
    engine = "pg" if os.environ.get("AW_PG_HOST") else None
    if not engine:
        check(False, "escapes: needs the run.sh PostgreSQL")
        return
    db = L.Db(engine, L.dbname("t_verify_tail", engine))
    try:
        env = L.Env(db, "vtail-" + engine)
        c = env.conf("esc")
        bad = "ab\x1b]0;pwn\x07"
        lst = os.path.join(env.dir, "list\x1b[2J.txt")
        with open(lst, "w") as f:
            f.write("%s\n0d4c6f1e-2b3a-4c5d-8e9f-a0b1c2d3e4f5\n" % bad)
        r = L.verify(c, "--node", bad, "--from", lst)
        eq(r.rc, 3, "malformed input: exit 3", r)
        for name, text in (("stdout", r.out), ("stderr", r.err)):
            check("\x1b" not in text and "\x07" not in text,
                  "no raw ESC or BEL on %s" % name, repr(text))
            check("ab\\x1b]0;pwn\\x07" in text, "the input shown escaped on %s" % name,
                  repr(text))
        check("list\\x1b[2J.txt" in r.out, "the list's name escaped too", repr(r.out))
        r = L.verify(c, "--node", bad, "--format", "json")
        eq((r.j or {}).get("malformed", [{}])[0].get("text"), bad,
           "json keeps the exact input (JSON escapes it)", r)
    finally:
        db.drop()


def main():
    L.build_certgen()
    cut_certificates()
    escapes()
    return L.finish()


if __name__ == "__main__":
    sys.exit(main())
