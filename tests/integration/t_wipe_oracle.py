#!/usr/bin/env python3
"""alfwipe wipe, the physical oracle (wipe-cases W11-W13, W15): loop-mounted ext4 and btrfs
images hold a content store whose files carry unique markers. After the wipe and an unmount,
the raw image must hold no marker of a wiped file and every marker of a protected file. Needs
root and loop devices; without them this test fails (it never skips)."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wipelib as L  # noqa: E402
from wipelib import ok, eq  # noqa: E402


def run(*cmd):
    return subprocess.run(list(cmd), check=True, capture_output=True, text=True)


class Image:
    """A file-backed filesystem on a loop device, mounted at self.mnt."""

    def __init__(self, name, fstype, size_mb, mkfs_args=(), opts=""):
        self.img = os.path.join(L.TMP, name + ".img")
        self.mnt = os.path.join(L.TMP, name + ".mnt")
        self.opts = opts
        with open(self.img, "wb") as f:
            f.truncate(size_mb << 20)
        if fstype == "ext4":
            run("mkfs.ext4", "-q", "-F", "-b", "4096", "-J", "size=16", *mkfs_args, self.img)
        else:
            run("mkfs.btrfs", "-q", "-f", *mkfs_args, self.img)
        self.dev = run("losetup", "--find", "--show", self.img).stdout.strip()
        os.makedirs(self.mnt, exist_ok=True)
        self.mount()

    def mount(self):
        args = ["mount", self.dev, self.mnt]
        if self.opts:
            args[1:1] = ["-o", self.opts]
        run(*args)

    def umount(self):
        run("sync")
        run("umount", self.mnt)

    def count(self, *markers):
        """Marker copies in the raw image (unmounted, so everything is on it)."""
        return [L.count_in(self.img, m) for m in markers]

    def close(self):
        subprocess.run(["umount", self.mnt], capture_output=True)
        subprocess.run(["losetup", "-d", self.dev], capture_output=True)
        os.remove(self.img)


def store_on(img, name, db=None):
    s = L.Store(name, base=img.mnt, db=db)
    # the certificate and state stay off the image, so they cannot hold any marker
    st = os.path.join(L.TMP, name + "-state")
    os.makedirs(st, exist_ok=True)
    s.state = st
    s.cert = os.path.join(st, "certificate.jsonl")
    s.conf = os.path.join(st, "alfwipe.conf")
    s.write_conf()
    return s


def w15_ext4(db):
    img = Image("w15", "ext4", 256, opts="data=ordered")
    try:
        s = store_on(img, "w15", db)
        cands = {"2024/1/1/1/1/c4k.bin": (4096, 30), "2024/2/2/2/2/c64k.bin": (65536, 60),
                 "2024/3/3/3/3/c1m.bin": (1 << 20, 90)}
        mk = {}
        for rel, (size, age) in cands.items():
            mk[rel] = L.put(s.d(rel), size=size, age_days=age, tag="C")
        prot = {}
        prot["ref"] = L.put(s.d("2024/4/4/4/4/ref.bin"), size=65536, age_days=30, tag="R")
        db.add_url("store://2024/4/4/4/4/ref.bin")
        prot["young"] = L.put(s.d("2024/5/5/5/5/young.bin"), size=65536, age_days=2, tag="Y")
        prot["hard"] = L.put(s.d("2024/6/6/6/6/hard.bin"), size=65536, age_days=30, tag="H")
        os.makedirs(os.path.join(img.mnt, "elsewhere"))
        os.link(s.d("2024/6/6/6/6/hard.bin"), os.path.join(img.mnt, "elsewhere", "hard2"))
        live = os.path.join(s.cs, "2024/7/7/7/7/live.bin")
        prot["live"] = L.put(live, size=65536, age_days=30, tag="L")
        os.makedirs(s.d("2024/7/7/7/7"))
        os.symlink(live, s.d("2024/7/7/7/7/link.bin"))
        img.umount()
        names = list(mk) + list(prot)
        before = dict(zip(names, img.count(*(list(mk.values()) + list(prot.values())))))
        for rel, (size, _) in cands.items():
            eq(before[rel], size // 30, "W15 image holds the markers of %s before" % rel)
        img.mount()
        r = L.wipe(s, "--method", "dod-3", "--verify", "last")
        eq(r.rc, 1, "W15 exit 1", r)
        h, files, foot = L.last_run(s)
        eq(foot["totals"], {"files": 7, "ERASED": 3, "FAILED": 0, "REFUSED": 4, "ABORTED": 0},
           "W15 certificate: 3 ERASED and 4 REFUSED", r)
        eq((h["filesystem"], h["assurance"]), ("ext4", "guaranteed"), "W15 header ext4, guaranteed")
        img.umount()
        after = dict(zip(names, img.count(*(list(mk.values()) + list(prot.values())))))
        for rel in mk:
            eq(after[rel], 0, "W15 no marker of wiped %s left in the raw image" % rel)
        for k in prot:
            eq(after[k], before[k], "W15 every marker of protected '%s' still there" % k)
        img.mount()
        ec, res = L.certcheck(s.cert)
        eq(ec, 0, "W15 certificate intact", res)

        # W12b on the same image: one candidate with per-file data journaling
        s2 = store_on(img, "w12b")
        L.put(s2.d("a.bin"), size=4096, age_days=30)
        mj = L.put(s2.d("j.bin"), size=4096, age_days=30, tag="J")
        # chattr +j needs CAP_SYS_RESOURCE; without it the flag is injected (ALFWIPE_TEST_FAULT
        # jflag) so the refusal path still runs, and the output says which one was used.
        p = subprocess.run(["chattr", "+j", s2.d("j.bin")], capture_output=True, text=True)
        env = {}
        if p.returncode != 0:
            caps = int([l.split()[1] for l in open("/proc/self/status")
                        if l.startswith("CapEff")][0], 16)
            ok(not caps & (1 << 24), "W12b chattr +j failed only for want of CAP_SYS_RESOURCE",
               p.stderr)
            env = {"ALFWIPE_TEST_FAULT": "jflag:j.bin"}
            print("# W12b: chattr +j impossible here (no CAP_SYS_RESOURCE): flag injected")
        if True:
            r = L.wipe(s2, "--method", "zero", "--no-db-check", env=env)
            eq(r.rc, 1, "W12b exit 1", r)
            f = L.by_path(L.last_run(s2)[1])
            eq((f["a.bin"]["status"], f["j.bin"]["status"]), ("ERASED", "REFUSED"),
               "W12b other ERASED, journaled REFUSED", r)
            ok("data journaling enabled for this file" in (f["j.bin"]["reason"] or ""),
               "W12b reason", f["j.bin"])
            eq(L.count_in(s2.d("j.bin"), mj), 4096 // 30, "W12b journaled file untouched")
    finally:
        img.close()


def w12a_data_journal():
    img = Image("w12a", "ext4", 128, opts="data=journal")
    try:
        s = store_on(img, "w12a")
        m = L.put(s.d("2024/1/1/1/1/j.bin"), size=1 << 20, age_days=30, tag="DJ")
        img.umount()
        before = img.count(m)
        ok(before[0] >= (1 << 20) // 30, "W12a markers on the image (file and journal): %d"
           % before[0])
        img.mount()
        r = L.wipe(s, "--method", "dod-3", "--no-db-check")
        eq(r.rc, 3, "W12a ext4 data=journal refused by default: exit 3", r)
        ok("data=journal" in r.err and "--allow-unsafe-fs" in r.err, "W12a says why", r)
        ok(not os.path.exists(s.cert), "W12a nothing written", r)
        img.umount()
        eq(img.count(m), before, "W12a markers unchanged")
    finally:
        img.close()


def w11_w13_btrfs():
    img = Image("w11", "btrfs", 512)
    try:
        s = store_on(img, "w11")
        m = L.put(s.d("2024/1/1/1/1/cow.bin"), size=1 << 20, age_days=30, tag="COW")
        run("sync")
        r = L.wipe(s, "--method", "dod-3", "--no-db-check")
        eq(r.rc, 3, "W11 btrfs copy-on-write refused by default: exit 3", r)
        ok("btrfs" in r.err and "elsewhere" in r.err and "--allow-unsafe-fs" in r.err,
           "W11 names btrfs and why, suggests --allow-unsafe-fs", r)
        ok(not os.path.exists(s.cert), "W11 nothing written before the refusal")
        r2 = L.wipe(s, "--method", "zero", "--no-db-check", "--allow-unsafe-fs", "--keep")
        eq(r2.rc, 1, "W11 --allow-unsafe-fs: exit 1", r2)
        h, files, foot = L.last_run(s)
        eq((files[0]["status"], files[0]["assurance"]), ("ERASED", "not-guaranteed"),
           "W11 record says not-guaranteed", r2)
        ok("not-guaranteed" in r2.out, "W11 text qualifies the erase", r2)
        img.umount()
        ok(img.count(m)[0] > 0, "W11 the oracle confirms: btrfs kept the old blocks (%d copies)"
           % img.count(m)[0])
        img.mount()
        os.remove(s.d("2024/1/1/1/1/cow.bin"))
        # W13: a NOCOW file (chattr +C before the data) is overwritten in place
        p = s.d("2024/2/2/2/2/nocow.bin")
        os.makedirs(os.path.dirname(p))
        open(p, "wb").close()
        run("chattr", "+C", p)
        mn = L.put(p, size=1 << 20, age_days=30, tag="NC")
        run("sync")
        img.umount()
        before = img.count(mn)[0]
        img.mount()
        r = L.wipe(s, "--method", "dod-3", "--no-db-check")
        eq(r.rc, 0, "W13 NOCOW file on btrfs: allowed, exit 0", r)
        img.umount()
        eq((before, img.count(mn)[0]), ((1 << 20) // 30, 0), "W13 NOCOW markers gone from the image")
        img.mount()
        # W13: a NOCOW file whose extents are shared with a reflink copy is refused
        d = s.d("2024/3/3/3/3")
        os.makedirs(d)
        run("chattr", "+C", d)
        ms = L.put(os.path.join(d, "shared.bin"), size=1 << 20, age_days=30, tag="SH")
        copies = os.path.join(img.mnt, "w11", "copies")   # outside the root, NOCOW as well
        os.makedirs(copies)
        run("chattr", "+C", copies)
        run("cp", "--reflink=always", os.path.join(d, "shared.bin"),
            os.path.join(copies, "copy.bin"))
        run("sync")
        r = L.wipe(s, "--method", "zero", "--no-db-check")
        eq(r.rc, 3, "W13 NOCOW file with shared extents refused by default: exit 3", r)
        ok("shares extents" in r.err, "W13 names the shared extents", r)
        eq(L.count_in(os.path.join(d, "shared.bin"), ms), (1 << 20) // 30,
           "W13 shared file untouched")
    finally:
        img.close()
    img = Image("w13c", "btrfs", 512, opts="compress-force=zstd")
    try:
        s = store_on(img, "w13c")
        L.put(s.d("z.bin"), size=1 << 20, age_days=30)
        r = L.wipe(s, "--no-db-check")
        eq(r.rc, 3, "W13 btrfs compress-force refused: exit 3", r)
        ok("compress" in r.err, "W13 names the compression", r)
    finally:
        img.close()


def main():
    p = subprocess.run(["losetup", "-f"], capture_output=True, text=True)
    if not ok(p.returncode == 0 and p.stdout.startswith("/dev/loop"),
              "loop devices available (this test needs root and loop devices)", p.stderr):
        L.finish()
    db = L.PG("aw_wipe_oracle")
    w15_ext4(db)
    w12a_data_journal()
    w11_w13_btrfs()
    L.finish()


if __name__ == "__main__":
    main()
