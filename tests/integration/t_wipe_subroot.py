#!/usr/bin/env python3
"""alfwipe wipe: the state journal follows a file whatever root the runs were given. A run with
--root inside contentstore.deleted (one year of it) and a run over contentstore.deleted itself
name the same file by different root and relative path: a file one of them overwrote and kept
(--keep) is known to the other by its original mtime, as the README says of --keep."""
import json
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wipelib as L  # noqa: E402
from wipelib import ok, eq  # noqa: E402

NO_DB = "--no-db-check"


def journal(s):
    p = os.path.join(s.state, "wipe-state.json")
    return json.load(open(p))["entries"] if os.path.exists(p) else []


def kept_then_subroot():
    """--keep over contentstore.deleted, then --root contentstore.deleted/2023."""
    s = L.Store("sub1")
    rel = "2023/1/1/0/0/%s.bin" % uuid.uuid4()
    L.put(s.d(rel), size=10000, age_days=30)
    r = L.wipe(s, "--method", "zero", "--keep", NO_DB)
    eq(r.rc, 0, "--keep over contentstore.deleted: exit 0", r)
    eq([(e["rel"], e["state"]) for e in journal(s)], [(rel, "kept")],
       "the journal names the kept file", journal(s))
    sub = s.d("2023")
    for dry in (True, False):
        what = "dry run" if dry else "run"
        r = L.wipe(s, "--root", sub, NO_DB, *(["--dry-run"] if dry else []))
        eq(r.rc, 0, "then --root .../2023 (%s): exit 0, not refused as young" % what, r)
        ok("overwritten and kept earlier" in r.out and "younger than" not in r.out,
           "then --root .../2023 (%s): the journal's original mtime is used" % what, r)
        ok("zero, 1 pass, --keep" in r.out,
           "then --root .../2023 (%s): '1 pass', not '1 passes'" % what, r)
        ok("first named" not in r.out,
           "then --root .../2023 (%s): not taken for a renamed file" % what, r)
    ok(not os.path.exists(s.d(rel)), "the file is erased and removed")
    eq(journal(s), [], "the journal is empty afterwards", journal(s))


def subroot_kept_then_whole():
    """--keep with --root contentstore.deleted/2023, then a run over contentstore.deleted."""
    s = L.Store("sub2")
    rel = "2023/5/6/7/8/%s.bin" % uuid.uuid4()
    L.put(s.d(rel), size=5000, age_days=30)
    r = L.wipe(s, "--method", "dod-3", "--keep", "--root", s.d("2023"), NO_DB)
    eq(r.rc, 0, "--keep with --root .../2023: exit 0", r)
    r = L.wipe(s, NO_DB)
    eq(r.rc, 0, "then a run over contentstore.deleted: exit 0, not refused as young", r)
    ok("overwritten and kept earlier" in r.out and "dod-3, 3 passes, --keep" in r.out,
       "then a run over contentstore.deleted: the journal's original mtime is used", r)
    ok(not os.path.exists(s.d(rel)), "the file is erased and removed")
    eq(journal(s), [], "the journal is empty afterwards", journal(s))


def other_year_untouched():
    """An entry of a file outside the --root stays in the journal (not ours, not seen)."""
    s = L.Store("sub3")
    a = "2023/1/1/0/0/%s.bin" % uuid.uuid4()
    b = "2024/1/1/0/0/%s.bin" % uuid.uuid4()
    L.put(s.d(a), size=3000, age_days=30)
    L.put(s.d(b), size=3000, age_days=30)
    r = L.wipe(s, "--method", "zero", "--keep", NO_DB)
    eq(r.rc, 0, "--keep over both years: exit 0", r)
    r = L.wipe(s, "--root", s.d("2023"), NO_DB)
    eq(r.rc, 0, "then --root .../2023: exit 0", r)
    eq([e["rel"] for e in journal(s)], [b], "the 2024 entry stays, the 2023 one is gone",
       journal(s))
    ok(os.path.exists(s.d(b)) and not os.path.exists(s.d(a)),
       "2023's file erased, 2024's kept for a later run")


def main():
    kept_then_subroot()
    subroot_kept_then_whole()
    other_year_untouched()
    L.finish()


if __name__ == "__main__":
    main()
