#!/usr/bin/env python3
"""--now, the pinned "now" for reproducible runs, cannot get around the age rules: a real wipe
or purge refuses a --now later than the clock (files and trashcan items would look older than
they are), a dry run accepts it (to preview a later run), an earlier --now is accepted (ages
only look shorter), and no command takes a --now before 2000-01-01."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wipelib as L  # noqa: E402
from wipelib import ok, eq  # noqa: E402

FUTURE = "2099-01-01T00:00:00Z"


def main():
    s = L.Store("nowguard")
    young = s.d("2026/1/1/1/1/young.bin")
    L.put(young, size=4096, age_days=0)
    before = L.sha(young)

    r = L.wipe(s, "--no-db-check", glob=["--now", FUTURE])
    eq(r.rc, 3, "wipe with a future --now: exit 3", r)
    ok("--now 2099-01-01T00:00:00Z is later than the clock" in r.err and "hint: " in r.err,
       "wipe with a future --now: says why, with a hint", r)
    eq(L.sha(young), before, "wipe with a future --now: the young file is untouched")
    ok(not os.path.exists(s.cert) or "young.bin" not in open(s.cert).read(),
       "wipe with a future --now: no certificate record")

    r = L.wipe(s, "--no-db-check", "--dry-run", glob=["--now", FUTURE])
    eq(r.rc, 0, "dry run with a future --now: previews the later run (exit 0)", r)
    ok("young.bin" in r.out, "dry run with a future --now: lists the file", r)
    eq(L.sha(young), before, "dry run with a future --now: nothing written")

    past = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600))
    r = L.wipe(s, "--no-db-check", glob=["--now", past])
    eq(r.rc, 1, "wipe with an earlier --now: runs, and the young file is refused (exit 1)", r)
    eq(L.sha(young), before, "wipe with an earlier --now: the young file is untouched")

    r = L.wipe(s, "--older-than", "1", cmd="purge", glob=["--now", FUTURE])
    eq(r.rc, 3, "purge with a future --now: exit 3", r)
    ok("--now 2099-01-01T00:00:00Z is later than the clock" in r.err,
       "purge with a future --now: says why", r)
    r = L.wipe(s, "--older-than", "1", "--dry-run", cmd="purge", glob=["--now", FUTURE])
    ok("later than the clock" not in r.err,
       "purge --dry-run with a future --now: not refused for the time", r)

    for bad in ("1970-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "1999-12-31T23:59:59Z"):
        for cmd in ("report", "check", "wipe"):
            r = L.wipe(s, cmd=cmd, glob=["--now", bad])
            eq(r.rc, 3, "--now %s with %s: exit 3" % (bad, cmd), r)
            ok("before 2000-01-01" in r.err or "invalid --now" in r.err,
               "--now %s with %s: named" % (bad, cmd), r)
    L.finish()


if __name__ == "__main__":
    main()
