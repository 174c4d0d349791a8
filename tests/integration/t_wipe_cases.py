#!/usr/bin/env python3
"""alfwipe wipe: the cases of ../shared/cases/wipe-cases.md that run on a plain directory tree
(W1-W10, W12b, W14, W16-W35), against a real PostgreSQL holding the Alfresco schema. Every
refusal asserts that the protected bytes are unchanged. The physical oracle on loop images is
t_wipe_oracle.py."""
import csv
import io
import json
import os
import signal
import stat
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wipelib as L  # noqa: E402
from wipelib import ok, eq  # noqa: E402

KEY = "11" * 32
NO_DB = "--no-db-check"


def w1_min_age():
    s = L.Store("w1")
    L.put(s.d("2024/1/15/9/30/a1.bin"), size=5000000, age_days=150)
    m2 = L.put(s.d("2024/6/20/8/1/a2.bin"), size=1000, age_days=0.8)
    before = os.stat(s.d("2024/6/20/8/1/a2.bin"))
    a1 = s.d("2024/1/15/9/30/a1.bin")
    a1_before = (L.sha(a1), os.stat(a1).st_mtime_ns, os.stat(a1).st_atime_ns)
    r = L.wipe(s, "--method", "dod-3", "--dry-run", NO_DB)
    eq((L.sha(a1), os.stat(a1).st_mtime_ns, os.stat(a1).st_atime_ns), a1_before,
       "W1 dry run changes no byte, mtime or atime of a1")
    eq(r.rc, 1, "W1 dry run exits 1 (a refusal)", r)
    ok("would erase 2024/1/15/9/30/a1.bin" in r.out, "W1 dry run lists a1 'would erase'", r)
    ok("refused: younger than the minimum age" in r.out, "W1 dry run lists a2 refused", r)
    ok(os.path.exists(s.d("2024/1/15/9/30/a1.bin")), "W1 dry run leaves a1", r)
    ok(not os.path.exists(s.cert) and os.listdir(s.state) == [],
       "W1 dry run writes no certificate, journal or lock", os.listdir(s.state))
    r = L.wipe(s, "--method", "dod-3", NO_DB)
    eq(r.rc, 1, "W1 exit 1", r)
    h, files, foot = L.last_run(s)
    f = L.by_path(files)
    eq(f["2024/1/15/9/30/a1.bin"]["status"], "ERASED", "W1 a1 ERASED", r)
    ok(not os.path.exists(s.d("2024")) or not os.path.exists(s.d("2024/1")),
       "W1 a1 removed with its empty parents", r)
    eq(f["2024/6/20/8/1/a2.bin"]["status"], "REFUSED", "W1 a2 REFUSED", r)
    ok("younger than the minimum age of 7 days" in f["2024/6/20/8/1/a2.bin"]["reason"],
       "W1 a2 reason names the minimum age", r)
    after = os.stat(s.d("2024/6/20/8/1/a2.bin"))
    eq((after.st_mtime_ns, L.count_in(s.d("2024/6/20/8/1/a2.bin"), m2)),
       (before.st_mtime_ns, 1000 // 30), "W1 a2 untouched (mtime, markers)")
    r = L.wipe(s, "--method", "dod-3", "--min-age", "30", NO_DB)
    eq(r.rc, 1, "W1 --min-age 30: a2 still refused", r)
    ok("minimum age of 30 days" in r.out, "W1 --min-age 30 in the reason", r)


def w2_referenced(db):
    s = L.Store("w2", db=db)
    m_del = L.put(s.d("2024/2/2/2/2/d1.bin"), size=8192, age_days=30)
    m_cs = L.put(os.path.join(s.cs, "2024/2/2/2/2/d1.bin"), size=8192, age_days=30)
    ref = db.add_url("store://2024/2/2/2/2/d1.bin")
    db.add_url("store://2024/2/2/2/2/free.bin", referenced=False)
    L.put(s.d("2024/2/2/2/2/free.bin"), size=100, age_days=30)
    sums = (L.sha(s.d("2024/2/2/2/2/d1.bin")), L.sha(os.path.join(s.cs, "2024/2/2/2/2/d1.bin")))
    r = L.wipe(s, "--method", "dod-3")
    eq(r.rc, 1, "W2a exit 1", r)
    h, files, foot = L.last_run(s)
    f = L.by_path(files)
    eq(f["2024/2/2/2/2/d1.bin"]["status"], "REFUSED", "W2a referenced file REFUSED", r)
    ok(("content URL still referenced by " + ref) in f["2024/2/2/2/2/d1.bin"]["reason"],
       "W2a reason names the node ref", f["2024/2/2/2/2/d1.bin"])
    eq(f["2024/2/2/2/2/free.bin"]["status"], "ERASED",
       "W2a a URL row without references does not protect", r)
    eq((L.sha(s.d("2024/2/2/2/2/d1.bin")), L.sha(os.path.join(s.cs, "2024/2/2/2/2/d1.bin"))),
       sums, "W2a both copies unchanged")
    eq(L.count_in(s.d("2024/2/2/2/2/d1.bin"), m_del) + L.count_in(
        os.path.join(s.cs, "2024/2/2/2/2/d1.bin"), m_cs), 2 * (8192 // 30),
       "W2a markers of both copies intact")
    eq(h["db_check"], True, "W2a header: database check on")

    # W2b: the reference appears after the candidate list was built, before file 2's turn.
    s = L.Store("w2b", db=db)
    L.put(s.d("2024/5/5/5/5/e1.bin"), size=4096, age_days=30)
    m2 = L.put(s.d("2024/5/5/5/5/e2.bin"), size=4096, age_days=30)
    import zlib
    url = "store://2024/5/5/5/5/e2.bin"
    sql = ("INSERT INTO alf_content_url VALUES (95000, '%s', '%s', %d, 1, NULL); "
           "INSERT INTO alf_content_data VALUES (95001, 0, 95000, 41, 51, 31)"
           % (url, url.lower()[-12:], zlib.crc32(url.encode()) & 0xFFFFFFFF))
    hook = L.hook_script(s, """
if ev == "file" and a1.endswith("e2.bin"):
    import subprocess
    subprocess.run(["psql", "-q", "-h", os.environ["AW_PG_HOST"], "-p", os.environ["AW_PG_PORT"],
        "-U", os.environ["AW_PG_USER"], "-d", os.environ["DBN"], "-c", os.environ["SQL"]],
        check=True)
""")
    r = L.wipe(s, "--method", "zero", env={"ALFWIPE_TEST_HOOK": hook, "ALFWIPE_TEST_BATCH": "1",
                                           "SQL": sql, "DBN": db.name})
    h, files, foot = L.last_run(s)
    f = L.by_path(files)
    eq(r.rc, 1, "W2b exit 1", r)
    eq(f.get("2024/5/5/5/5/e1.bin", {}).get("status"), "ERASED", "W2b first file ERASED", r)
    eq(f.get("2024/5/5/5/5/e2.bin", {}).get("status"), "REFUSED",
       "W2b second file REFUSED: the check ran right before it", r)
    ok("still referenced" in (f.get("2024/5/5/5/5/e2.bin", {}).get("reason") or ""),
       "W2b reason", f.get("2024/5/5/5/5/e2.bin"))
    eq(L.count_in(s.d("2024/5/5/5/5/e2.bin"), m2), 4096 // 30, "W2b second file intact")


def w3_no_db():
    s = L.Store("w3")
    m = L.put(s.d("2024/1/1/1/1/n.bin"), size=4096, age_days=30)
    # a database that does not answer
    with open(s.conf, "a") as f:
        f.write('database = { type = "postgresql"; host = "127.0.0.1"; port = 1; '
                'name = "nodb"; user = "x"; };\n')
    r = L.wipe(s, "--method", "zero")
    eq(r.rc, 3, "W3a unreachable database: exit 3", r)
    ok("cannot check references" in r.err and "--no-db-check" in r.err,
       "W3a message and hint name --no-db-check", r)
    ok("run again" in r.err and "live document" in r.err,
       "W3a hint: wait for the database first, and what --no-db-check risks", r)
    eq(L.count_in(s.d("2024/1/1/1/1/n.bin"), m), 4096 // 30, "W3a file unchanged")
    ok(not os.path.exists(s.cert), "W3a no certificate written", r)
    r = L.wipe(s, "--method", "zero", NO_DB)
    eq(r.rc, 0, "W3b --no-db-check: exit 0", r)
    h, files, foot = L.last_run(s)
    eq(h["db_check"], False, "W3b header records no database check")
    eq([x["status"] for x in files], ["ERASED"], "W3b file ERASED")
    # no database configured at all
    s2 = L.Store("w3c")
    L.put(s2.d("x.bin"), size=10, age_days=30)
    r = L.wipe(s2)
    eq(r.rc, 3, "W3 no database configured: exit 3", r)
    ok("no database configured" in r.err, "W3 no database: says so", r)


def w4_w5_w6_types():
    s = L.Store("w4")
    live = os.path.join(s.cs, "2024/1/1/1/1/live.bin")
    ml = L.put(live, size=4096, age_days=30)
    live_st = os.stat(live)
    os.makedirs(s.d("2024/1/1/1/1"), exist_ok=True)
    os.symlink(live, s.d("2024/1/1/1/1/link.bin"))
    outside = os.path.join(s.dir, "outside")
    mx = L.put(os.path.join(outside, "x.bin"), size=4096, age_days=30)
    os.symlink(outside, s.d("2024/3"))
    os.mkfifo(s.d("fifo.bin"))
    import socket
    sk = socket.socket(socket.AF_UNIX)
    sk.bind(s.d("sock.bin"))
    os.mknod(s.d("null.bin"), 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    os.symlink("/dev/loop0", s.d("blk.bin"))
    L.put(s.d("empty.bin"), data=b"", age_days=30)
    os.makedirs(s.d("x.bin"))
    L.put(s.d("x.bin/inner.bin"), size=100, age_days=30)
    # W6: two hard links, the second outside the root
    mh = L.put(s.d("2024/4/4/4/4/h1.bin"), size=4096, age_days=30)
    os.link(s.d("2024/4/4/4/4/h1.bin"), os.path.join(s.dir, "h1-other-name"))
    t0 = time.time()
    r = L.wipe(s, "--method", "dod-3", NO_DB, timeout=10)
    ok(time.time() - t0 < 10, "W5 FIFO does not hang the run")
    eq(r.rc, 1, "W4-W6 exit 1", r)
    h, files, foot = L.last_run(s)
    f = L.by_path(files)
    want = {"2024/1/1/1/1/link.bin": ("REFUSED", "symlink"),
            "2024/3": ("REFUSED", "symlink"),
            "fifo.bin": ("REFUSED", "not a regular file (FIFO)"),
            "sock.bin": ("REFUSED", "not a regular file (socket)"),
            "null.bin": ("REFUSED", "not a regular file (device)"),
            "blk.bin": ("REFUSED", "symlink"),
            "empty.bin": ("ERASED", "empty file: nothing to overwrite"),
            "x.bin/inner.bin": ("ERASED", None),
            "2024/4/4/4/4/h1.bin": ("REFUSED", "2 hard links")}
    for p, (st, reason) in sorted(want.items()):
        got = f.get(p, {})
        eq((got.get("status"), got.get("reason")), (st, reason), "W4-W6 %s" % p, r)
    eq(len(files), len(want), "W4-W6 one record per candidate", [x["path"] for x in files])
    ok(os.path.islink(s.d("2024/1/1/1/1/link.bin")), "W4 the link itself stays")
    st2 = os.stat(live)
    eq((L.count_in(live, ml), st2.st_mtime_ns, st2.st_size),
       (4096 // 30, live_st.st_mtime_ns, 4096), "W4 link target untouched")
    eq(L.count_in(os.path.join(outside, "x.bin"), mx), 4096 // 30,
       "W4 symlinked directory not entered")
    ok(os.path.exists("/dev/null") and stat.S_ISCHR(os.stat("/dev/null").st_mode),
       "W5 device untouched")
    ok(not os.path.exists(s.d("empty.bin")), "W5 empty file removed")
    ok(os.path.isdir(s.d("x.bin")) or not os.path.exists(s.d("x.bin")),
       "W5 directory named x.bin walked as a directory")
    eq((L.count_in(s.d("2024/4/4/4/4/h1.bin"), mh),
        L.count_in(os.path.join(s.dir, "h1-other-name"), mh)), (4096 // 30, 4096 // 30),
       "W6 both names present with their content")
    sk.close()


def w7_changed():
    for variant, action in (("size", "open(os.environ['F'], 'ab').write(b'0123456789')"),
                            ("mtime", "os.utime(os.environ['F'], (1e9, 1e9))")):
        s = L.Store("w7" + variant)
        L.put(s.d("2024/7/7/7/7/c.bin"), size=1 << 20, age_days=30)
        hook = L.hook_script(s, "if ev == 'pass-written' and a2 == '1':\n    " + action)
        r = L.wipe(s, "--method", "dod-3", NO_DB,
                   env={"ALFWIPE_TEST_HOOK": hook, "F": s.d("2024/7/7/7/7/c.bin")})
        eq(r.rc, 1, "W7 %s: exit 1" % variant, r)
        h, files, foot = L.last_run(s)
        eq((files[0]["status"], files[0]["reason"], files[0]["passes_done"]),
           ("REFUSED", "changed during wipe (%s)" % variant, 1),
           "W7 %s: REFUSED with the pass reached" % variant, r)
        ok(os.path.exists(s.d("2024/7/7/7/7/c.bin")), "W7 %s: not removed" % variant)


def w8_replaced():
    s = L.Store("w8")
    L.put(s.d("2024/8/8/8/8/v.bin"), size=4096, age_days=30)
    other = os.path.join(s.dir, "other.bin")
    mo = L.put(other, size=4096, age_days=30)
    hook = L.hook_script(s, "if ev == 'before-remove':\n"
                            "    os.rename(os.environ['O'], os.environ['F'])")
    r = L.wipe(s, "--method", "zero", NO_DB,
               env={"ALFWIPE_TEST_HOOK": hook, "O": other, "F": s.d("2024/8/8/8/8/v.bin")})
    eq(r.rc, 1, "W8 exit 1", r)
    h, files, foot = L.last_run(s)
    x = files[0]
    eq((x["status"], x["verified"], x["removed"]), ("ERASED", True, False),
       "W8 record: overwritten and verified, not removed", r)
    ok("name now refers to a different file" in (x["reason"] or ""), "W8 reason", x)
    eq(L.count_in(s.d("2024/8/8/8/8/v.bin"), mo), 4096 // 30,
       "W8 the replacing file keeps its markers and name")
    eq(os.listdir(s.d("2024/8/8/8/8")), ["v.bin"], "W8 nothing renamed")


def w9_confinement():
    s = L.Store("w9")
    my = L.put(s.d("2024/9/y.bin"), size=4096, age_days=30)
    # the mount hides y.bin; put one inside the tmpfs too
    subprocess.run(["mount", "-t", "tmpfs", "tmpfs", s.d("2024/9")], check=True)
    try:
        mz = L.put(s.d("2024/9/z.bin"), size=4096, age_days=30)
        L.put(s.d("2024/8/ok.bin"), size=4096, age_days=30)
        # the configured root reached through a symlink, as in many installations
        link = os.path.join(s.dir, "alf_link")
        os.symlink(s.alf, link)
        with open(s.conf, "w") as f:
            f.write('alfresco = { dir_root = "%s"; };\nwipe = { lock_file = "%s/l"; '
                    'state_dir = "%s"; certificate = "%s"; };\n' % (link, s.state, s.state,
                                                                   s.cert))
        r = L.wipe(s, "--method", "zero", NO_DB)
        eq(r.rc, 1, "W9 exit 1 (mount point skipped)", r)
        h, files, foot = L.last_run(s)
        f = L.by_path(files)
        eq(f.get("2024/9", {}).get("status"), "REFUSED", "W9 mount point reported", r)
        ok("another filesystem" in (f.get("2024/9", {}).get("reason") or ""),
           "W9 mount point reason", f.get("2024/9"))
        eq(f.get("2024/8/ok.bin", {}).get("status"), "ERASED", "W9 the rest is wiped", r)
        eq(L.count_in(s.d("2024/9/z.bin"), mz), 4096 // 30, "W9 file on the mount untouched")
        eq(h["roots"][0]["path"], os.path.realpath(s.dl), "W9 header shows the resolved root")
        ok(os.path.realpath(s.dl) in r.out, "W9 output prints the resolved root", r)
    finally:
        subprocess.run(["umount", s.d("2024/9")], check=True)
    eq(L.count_in(s.d("2024/9/y.bin"), my), 4096 // 30, "W9 file under the mount point intact")
    # --root overlapping a live store is refused
    r = L.wipe(s, "--root", s.cs, NO_DB)
    eq(r.rc, 3, "W9 --root on the live contentstore: exit 3", r)
    ok("overlaps the live content store" in r.err, "W9 says why", r)
    r = L.wipe(s, "--root", s.alf, NO_DB)
    eq(r.rc, 3, "W9 --root above the live contentstore: exit 3", r)
    # --root naming a file, and a certificate that is a device: exit 3 with a hint that fits
    r = L.wipe(s, "--root", s.conf, NO_DB)
    ok(r.rc == 3 and "Not a directory" in r.err and "\nhint: " in r.err
       and "directory itself" in r.err, "W9 --root on a file: exit 3 and a hint", r)
    r = L.wipe(s, "--certificate", "/dev/null", NO_DB)
    ok(r.rc == 3 and "not a regular file" in r.err and "\nhint: " in r.err,
       "W9 --certificate /dev/null: exit 3 and a hint", r)
    ok(os.path.exists("/dev/null") and stat.S_ISCHR(os.stat("/dev/null").st_mode),
       "W9 /dev/null is still the device")


def w10_readonly_dir():
    s = L.Store("w10")
    m = L.put(s.d("2024/10/1/1/1/r.bin"), size=8192, age_days=30)
    d = s.d("2024/10/1/1/1")
    subprocess.run(["chattr", "+i", d], check=True)
    try:
        r = L.wipe(s, "--method", "dod-3", NO_DB)
    finally:
        subprocess.run(["chattr", "-i", d], check=True)
    eq(r.rc, 1, "W10 exit 1", r)
    h, files, foot = L.last_run(s)
    x = files[0]
    eq((x["status"], x["verified"], x["removed"], x["passes_done"]), ("ERASED", True, False, 3),
       "W10 wiped and verified, not removed", r)
    ok("not removed" in x["reason"] and "truncated to 0 bytes" in x["reason"], "W10 reason", x)
    eq(os.path.getsize(s.d("2024/10/1/1/1/r.bin")), 0, "W10 file truncated to 0")
    eq(L.count_in(s.d("2024/10/1/1/1/r.bin"), m), 0, "W10 no marker left")


def w14_tmpfs_overlay():
    s = L.Store("w14")
    subprocess.run(["mount", "-t", "tmpfs", "tmpfs", s.dl], check=True)
    try:
        m = L.put(s.d("t.bin"), size=4096, age_days=30)
        r = L.wipe(s, NO_DB)
        eq(r.rc, 3, "W14 tmpfs refused: exit 3", r)
        ok("tmpfs" in r.err and "--allow-unsafe-fs" in r.err, "W14 names tmpfs, hints", r)
        eq(L.count_in(s.d("t.bin"), m), 4096 // 30, "W14 tmpfs file untouched")
        r = L.wipe(s, NO_DB, "--allow-unsafe-fs", "--method", "zero")
        eq(r.rc, 1, "W14 tmpfs with --allow-unsafe-fs: exit 1", r)
        h, files, foot = L.last_run(s)
        eq((h["assurance"], files[0]["assurance"], files[0]["status"]),
           ("not-guaranteed", "not-guaranteed", "ERASED"), "W14 records say not-guaranteed")
        ok("not-guaranteed" in r.out, "W14 text qualifies the erase", r)
    finally:
        subprocess.run(["umount", s.dl], check=True)
    # overlay
    s = L.Store("w14o")
    lo, up, wk = (os.path.join(s.dir, n) for n in ("lower", "upper", "work"))
    for d in (lo, up, wk):
        os.makedirs(d)
    m = L.put(os.path.join(lo, "o.bin"), size=4096, age_days=30)
    subprocess.run(["mount", "-t", "overlay", "overlay", "-o",
                    "lowerdir=%s,upperdir=%s,workdir=%s" % (lo, up, wk), s.dl], check=True)
    try:
        r = L.wipe(s, NO_DB)
        eq(r.rc, 3, "W14 overlay refused: exit 3", r)
        ok("overlay" in r.err, "W14 names overlay", r)
    finally:
        subprocess.run(["umount", s.dl], check=True)
    eq(L.count_in(os.path.join(lo, "o.bin"), m), 4096 // 30, "W14 overlay lower file untouched")


def w16_sizes():
    s = L.Store("w16")
    sizes = [0, 1, 4095, 4096, 4097, 65536]
    marks = {}
    for n in sizes:
        marks[n] = L.put(s.d("s/%d.bin" % n), size=n, age_days=30)
    r = L.wipe(s, "--method", "dod-3", "--keep", NO_DB, env={"ALFWIPE_TEST_KEY": KEY})
    eq(r.rc, 0, "W16 --keep exit 0", r)
    f = L.by_path(L.last_run(s)[1])
    for n in sizes:
        x = f["s/%d.bin" % n]
        eq((x["status"], x["bytes_verified"], x["bytes_written"], os.path.getsize(s.d(
            "s/%d.bin" % n))), ("ERASED", n, 3 * n, n), "W16 size %d: erased, verified, kept" % n,
           x)
        if n >= 30:
            eq(L.count_in(s.d("s/%d.bin" % n), marks[n]), 0, "W16 size %d: no marker left" % n)
    r = L.wipe(s, "--method", "one", "--min-age", "0", NO_DB)
    eq(r.rc, 0, "W16 second run removes them", r)
    ok(not os.path.exists(s.d("s")), "W16 files and directory gone", r)
    # --keep with a pattern method: the file holds exactly the last pass
    s = L.Store("w16b")
    L.put(s.d("p.bin"), size=4097, age_days=30)
    r = L.wipe(s, "--method", "dod-3", "--final-zero", "--keep", NO_DB)
    eq(open(s.d("p.bin"), "rb").read(), b"\0" * 4097, "W16 kept file holds the last pass only", r)


def w17_w18_sparse():
    s = L.Store("w17")
    p = s.d("sp.bin")
    os.makedirs(os.path.dirname(p), exist_ok=True)
    mk = L.marker("SP")
    with open(p, "wb") as f:
        f.truncate(64 << 20)
        f.seek(0)
        f.write(b"ABCDE")
        f.seek(32 << 20)
        f.write((mk * 137)[:4096])
    os.utime(p, (time.time() - 30 * L.DAY,) * 2)
    blocks = os.stat(p).st_blocks
    r = L.wipe(s, "--method", "dod-3", "--keep", NO_DB)
    eq(r.rc, 0, "W17 exit 0", r)
    x = L.last_run(s)[1][0]
    ok(os.stat(p).st_blocks <= blocks, "W17 holes stay holes (st_blocks %d <= %d)" % (
        os.stat(p).st_blocks, blocks), x)
    ok(x["bytes_written"] < 3 * (1 << 20), "W17 only allocated extents written", x)
    eq(L.count_in(p, mk), 0, "W17 marker gone")
    eq(os.path.getsize(p), 64 << 20, "W17 size kept")
    # W18: 5 GiB sparse with extents at 0, 2^31-2048, 2^32 and the end
    s = L.Store("w18")
    p = s.d("big.bin")
    os.makedirs(os.path.dirname(p), exist_ok=True)
    size = 5 << 30
    offs = [0, (1 << 31) - 2048, 1 << 32, size - 4096]
    marks = []
    with open(p, "wb") as f:
        f.truncate(size)
        for i, o in enumerate(offs):
            m = L.marker("B%d" % i)
            marks.append(m)
            f.seek(o)
            f.write((m * 137)[:4096])
    os.utime(p, (time.time() - 30 * L.DAY,) * 2)
    r = L.wipe(s, "--method", "random", "--keep", NO_DB)
    eq(r.rc, 0, "W18 exit 0", r)
    x = L.last_run(s)[1][0]
    eq((x["status"], x["verified"]), ("ERASED", True), "W18 erased and verified", x)
    eq(os.path.getsize(p), size, "W18 size still 5 GiB")
    with open(p, "rb") as f:
        left = 0
        for o, m in zip(offs, marks):
            f.seek(max(0, o - 4096))
            left += f.read(12288).count(m)
    eq(left, 0, "W18 every extent overwritten (no marker left)")
    ok(x["bytes_verified"] >= 4 * 4096 and x["bytes_verified"] < (64 << 20),
       "W18 verified the extents only", x)


def w20_w21_patterns():
    s = L.Store("w20")
    L.put(s.d("rm.bin"), size=8192, age_days=30)
    snap = os.path.join(s.dir, "snaps")
    os.makedirs(snap)
    hook = L.hook_script(s, "if ev == 'pass-written':\n"
                            "    open(os.path.join(os.environ['S'], a2), 'wb').write("
                            "open(os.environ['F'], 'rb').read())")
    r = L.wipe(s, "--method", "rm-522022m", "--keep", NO_DB,
               env={"ALFWIPE_TEST_HOOK": hook, "S": snap, "F": s.d("rm.bin"),
                    "ALFWIPE_TEST_KEY": KEY})
    eq(r.rc, 0, "W20 rm-522022m exit 0", r)
    eq(open(os.path.join(snap, "1"), "rb").read(), b"\xff" * 8192, "W20 pass 1 all 0xFF")
    eq(open(os.path.join(snap, "2"), "rb").read(), b"\x00" * 8192, "W20 pass 2 all 0x00")
    p3 = open(os.path.join(snap, "3"), "rb").read()
    ok(p3.count(0) < 200 and p3.count(255) < 200, "W20 pass 3 random-looking")
    eq(open(s.d("rm.bin"), "rb").read(), p3, "W20 kept file equals the last pass")
    # rm-sevenpass order from the header
    r = L.wipe(s, "--method", "rm-sevenpass", "--keep", NO_DB)
    h = L.last_run(s)[0]
    eq([p["pattern"] for p in h["passes"]], ["FF", "00", "random", "00", "00", "FF", "random"],
       "W20 rm-sevenpass passes in the header")
    # W21: same key, two files: different streams, every 4 KiB block plausible
    s = L.Store("w21")
    L.put(s.d("r1.bin"), size=65536, age_days=30)
    L.put(s.d("r2.bin"), size=65536, age_days=30)
    r = L.wipe(s, "--method", "random", "--keep", NO_DB, env={"ALFWIPE_TEST_KEY": KEY})
    a, b = open(s.d("r1.bin"), "rb").read(), open(s.d("r2.bin"), "rb").read()
    ok(a != b, "W21 two files get different streams")
    worst = 0
    for blob in (a, b):
        for i in range(0, len(blob), 4096):
            blk = blob[i:i + 4096]
            hist = [0] * 256
            for c in blk:
                hist[c] += 1
            chi = sum((h - 16) ** 2 / 16 for h in hist)
            worst = max(worst, chi)
    ok(worst < 400, "W21 every 4 KiB block passes a chi-square check (worst %.0f)" % worst)
    # same key again: the same file stream (regenerable)
    L.put(s.d("r1.bin"), size=65536, age_days=30)
    os.remove(s.d("r2.bin"))
    r = L.wipe(s, "--method", "random", "--keep", NO_DB, env={"ALFWIPE_TEST_KEY": KEY})
    ok(open(s.d("r1.bin"), "rb").read() == a, "W21 the stream of (key, file 1, pass 1) regenerates")


def w22_final_zero():
    s = L.Store("w22")
    L.put(s.d("z.bin"), size=4096, age_days=30)
    r = L.wipe(s, "--method", "dod-3", "--final-zero", "--keep", NO_DB)
    eq(r.rc, 0, "W22 dod-3 + final zero exit 0", r)
    h, files, foot = L.last_run(s)
    eq([(p["pattern"], p["verify"]) for p in h["passes"]],
       [("00", False), ("FF", False), ("random", False), ("00", True)],
       "W22 four passes, the last zero and verified")
    r = L.wipe(s, "--method", "rcmp-ops2", "--final-zero", NO_DB)
    eq(r.rc, 3, "W22 rcmp-ops2 --final-zero: exit 3", r)
    ok("final zero" in r.err, "W22 says why", r)
    s.write_conf("final_zero = true; method = \"rcmp-ops2\";")
    r = L.wipe(s, NO_DB)
    eq(r.rc, 3, "W22 rcmp-ops2 with wipe.final_zero in the config: exit 3", r)


def w23_verify_matrix():
    s = L.Store("w23")
    import itertools
    meths = [l.split(":")[0] for l in L.wipe(s, cmd="methods").out.splitlines()
             if l and not l.startswith(" ") and ":" in l and " pass" in l]
    ok(len(meths) >= 14, "W23 methods listed: %d" % len(meths))
    size = 1 << 20
    bad = []
    n = 0
    for m, v, fz in itertools.product(meths, ("off", "last", "all"), (False, True)):
        if m == "rcmp-ops2" and fz:
            continue
        L.put(s.d("m.bin"), size=size, age_days=30)
        args = ["--method", m, "--verify", v, "--format", "json", NO_DB] + (
            ["--final-zero"] if fz else [])
        r = L.wipe(s, *args)
        j = r.json()
        nver = sum(1 for p in j["passes"] if p["verify"])
        x = j["files"][0]
        n += 1
        if (r.rc, x["status"], x["bytes_verified"], x["verified"]) != (
                0, "ERASED", size * nver, nver > 0):
            bad.append((m, v, fz, r.rc, x["bytes_verified"], nver))
        if v == "off" and nver == 0 and x["verify_how"] != "none":
            bad.append((m, v, fz, "verify_how", x["verify_how"]))
        if nver and x["verify_how"] != "o_direct":
            bad.append((m, v, fz, "not o_direct", x["verify_how"]))
    eq(bad, [], "W23 bytes read back = size x verified passes, %d combinations" % n)


def w24_w27_faults():
    # W24: a byte flipped between write and read-back of pass 3
    s = L.Store("w24")
    L.put(s.d("v.bin"), size=1 << 20, age_days=30)
    L.put(s.d("w.bin"), size=4096, age_days=30)
    hook = L.hook_script(s, """
if ev == 'verify-start' and a1 == 'v.bin' and a2 == '3':
    f = os.environ['F']
    st = os.stat(f)
    with open(f, 'r+b') as fh:
        fh.seek(12345)
        b = fh.read(1)
        fh.seek(12345)
        fh.write(bytes([b[0] ^ 0xFF]))
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
""")
    for fmt in ("text", "csv", "json"):
        L.put(s.d("v.bin"), size=1 << 20, age_days=30)
        r = L.wipe(s, "--method", "dod-3", "--format", fmt, NO_DB,
                   env={"ALFWIPE_TEST_HOOK": hook, "F": s.d("v.bin"), "ALFWIPE_TEST_BATCH": "1"})
        eq(r.rc, 2, "W24 mismatch exit 2 (%s)" % fmt, r)
        lines = [l for l in r.out.splitlines() if "v.bin" in l]
        if fmt == "json":
            x = [f for f in r.json()["files"] if f["path"] == "v.bin"][0]
            lines = [json.dumps({k: v for k, v in x.items() if k not in (
                "verified", "bytes_verified")})]
            eq(x["verified"], False, "W24 json: verified false")
        ok(len(lines) == 1 and not any(w in lines[0].lower() for w in ("verified", "erased",
                                                                        "success")),
           "W24 %s line claims nothing" % fmt, lines)
    x = L.by_path(L.last_run(s)[1])["v.bin"]
    eq((x["status"], x["reason"]), ("FAILED", "verification mismatch at offset 12345 in pass 3"),
       "W24 FAILED with offset and pass", x)
    ok(os.path.exists(s.d("v.bin")), "W24 file kept")
    # W25: write errors (EIO at 1 MiB in pass 2, ENOSPC), others still processed
    for e in ("EIO", "ENOSPC"):
        s = L.Store("w25" + e)
        L.put(s.d("a.bin"), size=2 << 20, age_days=30)
        L.put(s.d("b.bin"), size=4096, age_days=30)
        r = L.wipe(s, "--method", "dod-3", NO_DB,
                   env={"ALFWIPE_TEST_FAULT": "write:2:1048576:%s:a.bin" % e})
        eq(r.rc, 2, "W25 %s exit 2" % e, r)
        f = L.by_path(L.last_run(s)[1])
        eq(f["a.bin"]["status"], "FAILED", "W25 %s FAILED" % e)
        ok("write failed at offset 1048576 in pass 2" in f["a.bin"]["reason"],
           "W25 %s names pass and offset" % e, f["a.bin"])
        eq(f["b.bin"]["status"], "ERASED", "W25 %s the other file is still wiped" % e)
        ok(os.path.exists(s.d("a.bin")), "W25 %s file kept" % e)
    # W26: fdatasync fails after pass 1
    s = L.Store("w26")
    L.put(s.d("a.bin"), size=8192, age_days=30)
    r = L.wipe(s, "--method", "dod-3", NO_DB, env={"ALFWIPE_TEST_FAULT": "sync:1:EIO"})
    eq(r.rc, 2, "W26 exit 2", r)
    x = L.last_run(s)[1][0]
    eq((x["status"], x["verified"]), ("FAILED", False), "W26 FAILED, never verified", x)
    ok(x["reason"].startswith("sync failed after pass 1"), "W26 reason", x)
    ok(os.path.exists(s.d("a.bin")), "W26 file kept")
    # W27: O_DIRECT refused: cache-only check, still ERASED
    s = L.Store("w27")
    L.put(s.d("a.bin"), size=8192, age_days=30)
    r = L.wipe(s, "--method", "dod-3", NO_DB, env={"ALFWIPE_TEST_FAULT": "odirect"})
    eq(r.rc, 0, "W27 exit 0", r)
    x = L.last_run(s)[1][0]
    eq((x["status"], x["verify_how"], x["verified"]), ("ERASED", "cache_only", True),
       "W27 record says cache_only", x)


def w28_w29_signals():
    for sig, code in ((signal.SIGTERM, 143), (signal.SIGINT, 130)):
        s = L.Store("w28%d" % sig)
        L.put(s.d("big.bin"), size=256 << 20, age_days=30)
        hook = L.hook_script(s, "if ev == 'pass-start' and a2 == '2':\n"
                                "    os.kill(os.getppid(), %d)" % sig)
        r = L.wipe(s, "--method", "dod-3", NO_DB, env={"ALFWIPE_TEST_HOOK": hook})
        eq(r.rc, code, "W28 %s exit %d" % (signal.Signals(sig).name, code), r)
        h, files, foot = L.last_run(s)
        x = files[0] if files else {}
        eq((x.get("status"), x.get("passes_done")), ("ABORTED", 1),
           "W28 %s ABORTED with pass 1 done" % signal.Signals(sig).name, r)
        ok("during pass 2" in (x.get("reason") or ""), "W28 reason names pass 2", x)
        ok(x.get("bytes_written", 0) > 256 << 20, "W28 bytes written include part of pass 2",
           x)
        ok(foot is not None and foot["stopped"] == signal.Signals(sig).name,
           "W28 footer written", foot)
        ok(os.path.exists(s.d("big.bin")), "W28 file stays")
        ec, res = L.certcheck(s.cert)
        eq((ec, res.get("complete")), (0, "1"), "W28 certificate intact and complete", res)
    # during the verification read of pass 3
    s = L.Store("w28v")
    L.put(s.d("big.bin"), size=64 << 20, age_days=30)
    hook = L.hook_script(s, "if ev == 'verify-start':\n    os.kill(os.getppid(), 15)")
    r = L.wipe(s, "--method", "dod-3", NO_DB, env={"ALFWIPE_TEST_HOOK": hook})
    eq(r.rc, 143, "W28 during verification: exit 143", r)
    x = L.last_run(s)[1][0]
    eq(x["status"], "ABORTED", "W28 during verification: ABORTED", x)
    ok("during verification of pass 3" in x["reason"], "W28 reason names the verification", x)

    # W29: SIGKILL during pass 2, then run again
    s = L.Store("w29")
    m = L.put(s.d("2024/9/9/9/9/k.bin"), size=128 << 20, age_days=30)
    hook = L.hook_script(s, "if ev == 'pass-start' and a2 == '2':\n"
                            "    os.kill(os.getppid(), 9)")
    r = L.wipe(s, "--method", "dod-3", NO_DB, env={"ALFWIPE_TEST_HOOK": hook})
    eq(r.rc, -9, "W29 first run killed", r)
    h, files, foot = L.last_run(s)
    ok(foot is None, "W29 killed run has no footer")
    j = json.load(open(os.path.join(s.state, "wipe-state.json")))
    eq([e["rel"] for e in j["entries"]], ["2024/9/9/9/9/k.bin"], "W29 journal names the file")
    r = L.wipe(s, "--method", "dod-3", NO_DB)
    eq(r.rc, 0, "W29 rerun exit 0 (the file is not too young: its mtime comes from the journal)",
       r)
    h, files, foot = L.last_run(s)
    eq((files[0]["status"], files[0]["passes_done"]), ("ERASED", 3), "W29 rerun ERASED from pass 1")
    ok("interrupted earlier" in (files[0]["interrupted_earlier"] or ""),
       "W29 record says it was interrupted earlier", files[0])
    ok(h["previous_run_incomplete"] is not None, "W29 header notes the run without footer", h)
    ok("interrupted earlier" in r.out, "W29 output reports it", r)
    eq(json.load(open(os.path.join(s.state, "wipe-state.json")))["entries"], [],
       "W29 journal empty afterwards")
    ec, res = L.certcheck(s.cert)
    eq((ec, res.get("incomplete"), res.get("complete")), (0, "1", "1"),
       "W29 certificate: one incomplete run, not tampering", res)

    # W29b: killed again, then the half-wiped file is replaced by a new one of the same size at
    # the same path (the freed inode number may be given to it): the new file is judged as
    # itself, young, and spared; the journal's old mtime is not lent to it
    s = L.Store("w29b")
    path = s.d("2024/9/9/9/9/k.bin")
    L.put(path, size=64 << 20, age_days=30)
    hook = L.hook_script(s, "if ev == 'pass-start' and a2 == '2':\n"
                            "    os.kill(os.getppid(), 9)")
    r = L.wipe(s, "--method", "dod-3", NO_DB, env={"ALFWIPE_TEST_HOOK": hook})
    eq(r.rc, -9, "W29b first run killed", r)
    os.remove(path)
    with open(path, "wb") as f:
        f.write(b"new content, same size")
        f.truncate(64 << 20)
    before = L.sha(path)
    r = L.wipe(s, "--method", "dod-3", NO_DB)
    eq(r.rc, 1, "W29b rerun exit 1 (the new file refused)", r)
    x = L.last_run(s)[1][0]
    ok(x["status"] == "REFUSED" and "younger than the minimum age" in (x["reason"] or "") and
       not x.get("interrupted_earlier"), "W29b the new file: refused as young, not resumed", x)
    eq(L.sha(path), before, "W29b the new file is intact")


def w30_lock():
    s = L.Store("w30")
    L.put(s.d("a.bin"), size=32 << 20, age_days=30)
    hook = L.hook_script(s, "if ev == 'pass-start' and a2 == '1':\n"
                            "    open(os.environ['G'], 'w').close()\n"
                            "    while os.path.exists(os.environ['G']):\n"
                            "        time.sleep(0.05)")
    gate = os.path.join(s.dir, "gate")
    e = dict(os.environ, ALFWIPE_TEST_HOOK=hook, G=gate)
    p1 = subprocess.Popen([L.ALFWIPE, "-c", s.conf, "wipe", "--method", "zero", NO_DB], env=e,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(200):
        if os.path.exists(gate):
            break
        time.sleep(0.05)
    r = L.wipe(s, "--method", "zero", NO_DB)
    eq(r.rc, 3, "W30 second run exit 3", r)
    ok(("pid %d" % p1.pid) in r.err and "wipe.lock" in r.err,
       "W30 names the holder's pid and the lock file", r)
    os.remove(gate)
    out, err = p1.communicate(timeout=120)
    eq(p1.returncode, 0, "W30 first run completes normally", err)


def w31_bounds():
    s = L.Store("w31")
    for i in range(5):
        L.put(s.d("b%d.bin" % i), size=100000, age_days=30)
    r = L.wipe(s, "--max-files", "2", NO_DB)
    # candidates left by a bound are not erased: exit 1 (README), never a plain OK
    eq(r.rc, 1, "W31 --max-files with candidates left: exit 1", r)
    ok("WARNING" in r.out and "--max-files 2 reached" in r.out,
       "W31 summary: WARNING, the bound named", r)
    h, files, foot = L.last_run(s)
    eq([x["status"] for x in files], ["ERASED", "ERASED"], "W31 two ERASED")
    eq((foot["remaining"], foot["stopped"]), (3, "max-files"), "W31 footer: three remain")
    ok("3 candidates remain" in r.out, "W31 summary says three remain", r)
    r = L.wipe(s, "--max-bytes", "250000", NO_DB)
    eq(len(L.last_run(s)[1]), 2, "W31 --max-bytes stops between files", r)
    r = L.wipe(s, "--max-seconds", "1", NO_DB)
    eq(r.rc, 0, "W31 --max-seconds exit 0", r)
    ok(len(os.listdir(s.dl)) == 0, "W31 the last file done", os.listdir(s.dl))


def w32_removal():
    s = L.Store("w32")
    L.put(s.d("2024/1/15/9/30/only.bin"), size=4096, age_days=30)
    L.put(s.d("keep/other.bin"), size=10, age_days=1)
    tr = os.path.join(s.dir, "strace.txt")
    argv = ["strace", "-f", "-o", tr, "-e", "trace=rename,renameat,renameat2,ftruncate,unlinkat,"
            "fsync,syncfs", L.ALFWIPE, "-c", s.conf, "wipe", "--method", "zero", NO_DB]
    # LeakSanitizer cannot run under ptrace: leaks are checked by the other runs
    p = subprocess.run(argv, capture_output=True, text=True,
                       env=dict(os.environ, ASAN_OPTIONS="detect_leaks=0"))
    eq(p.returncode, 1, "W32 exit 1 (one too young)", p.stderr)
    t = open(tr).read()
    renames = [l for l in t.splitlines() if "rename" in l and "only.bin" in l]
    eq(len(renames), 1, "W32 exactly one rename", renames)
    import re
    mt = re.search(r'"only\.bin", \d+, "([a-z0-9]+)"', renames[0]) if renames else None
    ok(mt is not None and len(mt.group(1)) == len("only.bin"),
       "W32 renamed to a random name of the same length", renames)
    ok(re.search(r"ftruncate\(\d+, 0\)", t) is not None, "W32 truncated to 0")
    ok(mt is not None and ('"%s", 0)' % mt.group(1)) in t, "W32 unlinked under the new name")
    ok("fsync(" in t, "W32 directory synced")
    for d in ("2024/1/15/9/30", "2024/1/15/9", "2024/1/15", "2024/1", "2024"):
        ok(not os.path.exists(s.d(d)), "W32 empty parent %s removed" % d)
    ok(os.path.isdir(s.dl) and os.path.isdir(s.d("keep")), "W32 root and non-empty dirs stay")


def operator_flag():
    s = L.Store("operator")
    L.put(s.d("o.bin"), size=10, age_days=30)
    r = L.wipe(s, "--operator", "J. Doe, records manager", NO_DB)
    eq((r.rc, L.last_run(s)[0]["operator"]), (0, "J. Doe, records manager"),
       "--operator wins over wipe.operator", r)


def sync_budget():
    """Barriers are shared by a batch: one per pass plus one for the removals, not one per file
    per pass; every file still read back and removed."""
    s = L.Store("budget")
    for i in range(50):
        L.put(s.d("2024/1/1/1/%d/f%02d.bin" % (i % 5, i)), size=65536, age_days=30)
    tr = os.path.join(s.dir, "strace.txt")
    p = subprocess.run(["strace", "-f", "-o", tr, "-e", "trace=fsync,fdatasync,syncfs,pread64",
                        L.ALFWIPE, "-c", s.conf, "wipe", "--method", "dod-3", NO_DB],
                       capture_output=True, text=True,
                       env=dict(os.environ, ASAN_OPTIONS="detect_leaks=0"))
    eq(p.returncode, 0, "budget: 50 files erased", p.stderr)
    t = open(tr).read()
    n = {k: len([l for l in t.splitlines() if (" %s(" % k) in l]) for k in
         ("fsync", "fdatasync", "syncfs", "pread64")}
    eq(n["fdatasync"], 0, "budget: no per-file fdatasync", n)
    ok(n["syncfs"] <= 4, "budget: at most 3 pass barriers + 1 removal barrier (%d)" % n["syncfs"])
    ok(n["pread64"] >= 50, "budget: every file read back (%d reads)" % n["pread64"])
    eq(len(L.last_run(s)[1]), 50, "budget: 50 records")
    ok(not os.path.exists(s.d("2024")), "budget: all files and directories gone")


def w34_certificate():
    s = L.Store("w34")
    keyf = os.path.join(s.dir, "hmac.key")
    with open(keyf, "w") as f:
        f.write("a long secret for the chain\n")
    os.chmod(keyf, 0o600)
    L.put(s.d("e.bin"), size=4096, age_days=30)
    L.put(s.d("r.bin"), size=4096, age_days=1)
    L.put(s.d("f.bin"), size=4096, age_days=30)
    r = L.wipe(s, "--method", "dod-3", NO_DB, "--certificate", s.cert,
               env={"ALFWIPE_TEST_FAULT": "write:1:0:EIO:f.bin"})
    eq(r.rc, 2, "W34 run exit 2", r)
    recs = L.records(s)
    eq([x["type"] for x in recs], ["header", "file", "file", "file", "footer"], "W34 layout")
    h = recs[0]
    for k in ("tool_version", "host", "operator", "method", "passes", "verify", "filesystem",
              "assurance", "rotational", "started"):
        ok(k in h, "W34 header has %s" % k)
    eq(h["operator"], "test operator", "W34 operator from the config")
    for k in ("content_url", "root", "path", "size", "dev", "ino", "nlink", "mtime", "status",
              "reason", "passes_done", "passes_total", "bytes_written", "bytes_verified",
              "verified", "verify_how", "assurance", "started", "ended", "seq", "prev", "sig"):
        ok(all(k in x for x in recs[1:4]), "W34 every file record has %s" % k)
    eq(sorted(x["status"] for x in recs[1:4]), ["ERASED", "FAILED", "REFUSED"], "W34 statuses")
    eq(recs[4]["totals"], {"files": 3, "ERASED": 1, "FAILED": 1, "REFUSED": 1, "ABORTED": 0},
       "W34 footer totals")
    ok(all(x["mtime"].endswith("Z") and x["started"].endswith("Z") for x in recs[1:4]),
       "W34 times in UTC")
    eq(L.by_path(recs[1:4])["e.bin"]["content_url"], "store://e.bin", "W34 content URL")
    ec, res = L.certcheck(s.cert)
    eq((ec, res["state"], res["runs"]), (0, "intact", "1"), "W34 certificate intact", res)
    # tampering: edit, remove, reorder a line
    lines = open(s.cert).read().splitlines(True)
    for what, new in (("edited", lines[:2] + [lines[2].replace('"size":4096', '"size":4097')] +
                       lines[3:]),
                      ("removed", lines[:2] + lines[3:]),
                      ("reordered", lines[:1] + [lines[2], lines[1]] + lines[3:])):
        t = os.path.join(s.dir, "t-" + what)
        open(t, "w").write("".join(new))
        ec, res = L.certcheck(t)
        eq((ec, res["state"]), (2, "tampered"), "W34 %s line detected" % what, res)
    # keyed chain; a second run appends after the first footer
    s.write_conf('hmac_key_file = "%s";' % keyf)
    L.put(s.d("e2.bin"), size=4096, age_days=30)
    r = L.wipe(s, NO_DB)
    eq(r.rc, 1, "W34 second run (r.bin still young)", r)
    recs = L.records(s)
    eq([x["type"] for x in recs][5], "header", "W34 second header after the first footer")
    eq(recs[5]["chain"], "hmac-sha256", "W34 keyed chain")
    ec, res = L.certcheck(s.cert)
    eq(ec, 1, "W34 keyed run needs the key", res)
    ec, res = L.certcheck(s.cert, keyf)
    eq((ec, res["runs"], res["keyed"]), (0, "2", "1"), "W34 with the key: intact", res)
    # nothing written into wiped files: a kept file holds pure pattern
    L.put(s.d("k.bin"), size=4096, age_days=30)
    L.wipe(s, "--method", "one", "--keep", NO_DB)
    eq(open(s.d("k.bin"), "rb").read(), b"\xff" * 4096, "W34 kept file holds pure pattern")
    # the key taken away: a plain run after the keyed ones is refused, nothing written
    n = len(L.records(s))
    s.write_conf()
    r = L.wipe(s, "--method", "one", NO_DB)
    eq(r.rc, 3, "W34 no key after a keyed run: exit 3", r)
    ok("keyed (HMAC-SHA-256) chain" in r.err and "hmac_key_file" in r.err,
       "W34 no key after a keyed run: says why", r)
    eq((len(L.records(s)), open(s.d("k.bin"), "rb").read()), (n, b"\xff" * 4096),
       "W34 no key after a keyed run: certificate and file unchanged")


def w35_options_anywhere():
    s = L.Store("w35")
    L.put(s.d("a.bin"), size=4096, age_days=30)
    L.put(s.d("b.bin"), size=4096, age_days=1)
    r1 = L.wipe(s, "--method", "dod-3", "--dry-run", NO_DB, glob=("-q",))
    r2 = L.wipe(s, "--dry-run", NO_DB, "--method", "dod-3", "-q")
    eq((r1.rc, r2.rc), (1, 1), "W35 both exit 1")
    eq(r1.out, r2.out, "W35 identical output", (r1, r2))
    eq(len([l for l in r1.out.splitlines() if ".bin" in l]), 2, "W35 one line per candidate", r1)
    # -q with state OK prints nothing
    os.remove(s.d("b.bin"))
    r = L.wipe(s, "--dry-run", NO_DB, glob=("-q",))
    eq((r.rc, r.out), (0, ""), "W35 -q and OK: silent", r)
    h = L.wipe(s, "--help")
    ok(h.rc == 0 and "  -q, --quiet              the global -q, also accepted here" in h.out,
       "W35 wipe --help lists -q, which wipe accepts after the command", h)
    # csv and json agree with text
    L.put(s.d("b.bin"), size=4096, age_days=1)
    rc = L.wipe(s, "--dry-run", NO_DB, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(rc.out)))
    eq(sorted((x["path"], x["status"]) for x in rows),
       [("a.bin", "WOULD_ERASE"), ("b.bin", "REFUSED")], "W35 csv rows", rc)
    rj = L.wipe(s, "--dry-run", NO_DB, "--format", "json")
    eq(sorted((x["path"], x["status"]) for x in rj.json()["files"]),
       [("a.bin", "WOULD_ERASE"), ("b.bin", "REFUSED")], "W35 json rows", rj)
    out = os.path.join(s.dir, "out.json")
    r = L.wipe(s, "--dry-run", NO_DB, "--format", "json", "--output", out)
    eq(json.load(open(out))["totals"]["WOULD_ERASE"], 1, "W35 --output file", r)


def w33_progress():
    s = L.Store("w33")
    for i in range(3):
        L.put(s.d("p%d.bin" % i), size=1 << 20, age_days=30)
    rc, out, e, _ = L.run_on_pty([L.ALFWIPE, "-c", s.conf, "wipe", "--method", "zero", NO_DB],
                                 timeout=60)
    eq(rc, 0, "W33 run on a terminal exit 0", out)
    ok("alfwipe: wipe: files" in e and "MiB/s" in e and "ETA" in e,
       "W33 progress on a terminal: files, bytes, rate, ETA", e)
    ok("3.0/3.0 MiB written" in e, "W33 progress reaches 100% of the planned bytes", e)
    ok("files" not in out, "W33 progress never on stdout", out)
    for i in range(3):
        L.put(s.d("p%d.bin" % i), size=1 << 20, age_days=30)
    r = L.wipe(s, "--method", "zero", NO_DB)
    ok("alfwipe: wipe: files" not in r.err, "W33 no progress when stderr is not a terminal", r)


def odd_name_with_db(db):
    """A file whose name is not UTF-8 is refused on its own; it does not stop the reference
    check (the database cannot take the name as a query parameter) for the other files."""
    s = L.Store("oddname", db=db)
    L.put(s.d("2024/3/3/3/3/ok.bin"), size=100, age_days=30)
    bad = os.path.join(os.fsencode(s.dl), b"2024/3/3/3/3/bad\xff.bin")
    with open(bad, "wb") as f:
        f.write(b"x" * 100)
    old = time.time() - 30 * 86400
    os.utime(bad, (old, old))
    L.put(s.d("2024/3/3/3/3/nl\nERASED      forged.bin"), size=10, age_days=30)
    r = L.wipe(s, "--method", "zero", "--dry-run")
    ok("would erase 2024/3/3/3/3/nl\\x0aERASED      forged.bin  size 10" in r.out
       and "skip        2024/3/3/3/3/bad\\xff.bin  size 100" in r.out
       and not any(l.startswith("ERASED") for l in r.out.splitlines()),
       "odd name: text output escapes a newline and a non-UTF-8 byte as \\xNN", r)
    r = L.wipe(s, "--method", "zero", "--format", "json")
    eq(r.rc, 1, "odd name: exit 1 (one refusal), not 3", r)
    h, files, foot = L.last_run(s)
    f = {x.get("path"): x for x in files}
    eq(f.get("2024/3/3/3/3/ok.bin", {}).get("status"), "ERASED", "odd name: the other file ERASED",
       r)
    refused = [x for x in files if x["status"] == "REFUSED"]
    ok(len(refused) == 1 and "not valid UTF-8" in (refused[0]["reason"] or ""),
       "odd name: the non-UTF-8 name REFUSED with its reason", refused)
    ok(os.path.exists(bad), "odd name: the refused file is left alone")
    import base64
    ok(len(refused) == 1 and refused[0].get("path") == "2024/3/3/3/3/bad\ufffd.bin" and
       base64.b64decode(refused[0].get("path_base64", "")) == b"2024/3/3/3/3/bad\xff.bin",
       "odd name: the certificate record names the file (U+FFFD, exact bytes in path_base64)",
       refused)
    r = L.wipe(s, "--certificate", s.cert, cmd="verify")
    eq(r.rc, 0, "odd name: the certificate still verifies as intact", r)


def methods_cmd():
    s = L.Store("methods")
    r = L.wipe(s, cmd="methods")
    eq(r.rc, 0, "methods exit 0", r)
    j = json.loads(L.wipe(s, "--format", "json", cmd="methods").out)
    names = [m["name"] for m in j]
    for n in ("zero", "one", "random", "nist-clear", "dod-3", "dod-7", "gutmann", "schneier",
              "bsi-vsitr", "rcmp-ops2", "hmg-is5-enhanced", "rm-522022m", "rm-sevenpass"):
        ok(n in names and (n + ":") in r.out, "methods lists %s" % n)
    g = [m for m in j if m["name"] == "gutmann"][0]
    eq([p["pattern"] == "random" for p in g["passes"]].count(True), 8, "gutmann: 8 random passes")
    eq([i + 1 for i, p in enumerate(g["passes"]) if p["pattern"] == "random"],
       [1, 2, 3, 4, 32, 33, 34, 35], "gutmann random at 1-4 and 32-35")
    h = L.wipe(s, "--help")
    for m in j:
        line = [l for l in h.out.splitlines() if l.startswith("  " + m["name"] + " ")]
        want = " ".join(p["pattern"] + ("*" if p["always_verify"] else "") for p in m["passes"])
        ok(line and line[0].split(None, 1)[1].strip() == want,
           "--help passes of %s match 'methods'" % m["name"], line)
    r = L.wipe(s, "--method", "nope", NO_DB)
    eq(r.rc, 3, "unknown method: exit 3", r)
    ok("unknown wipe method 'nope'" in r.err and "hint:" in r.err, "unknown method message", r)
    r = L.wipe(s, "--verify", "sometimes", NO_DB)
    eq(r.rc, 3, "bad --verify: exit 3", r)


def main():
    db = L.PG("aw_wipe_cases")
    w1_min_age()
    w2_referenced(db)
    odd_name_with_db(db)
    w3_no_db()
    w4_w5_w6_types()
    w7_changed()
    w8_replaced()
    w9_confinement()
    w10_readonly_dir()
    w14_tmpfs_overlay()
    w16_sizes()
    w17_w18_sparse()
    w20_w21_patterns()
    w22_final_zero()
    w23_verify_matrix()
    w24_w27_faults()
    w28_w29_signals()
    w30_lock()
    w31_bounds()
    w32_removal()
    sync_budget()
    operator_flag()
    w34_certificate()
    w35_options_anywhere()
    w33_progress()
    methods_cmd()
    L.finish()


if __name__ == "__main__":
    main()
