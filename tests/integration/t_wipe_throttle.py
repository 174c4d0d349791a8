#!/usr/bin/env python3
"""alfwipe wipe, W33 with a throttled device: the progress rate counts bytes that reached the
disk, so it never exceeds what the device accepts. A loop-mounted ext4 image is throttled to
4 MiB/s of writes (cgroup v1 blkio.throttle.write_bps_device, or io.max on cgroup v2) and alfwipe
runs on a terminal (a pty) inside that cgroup. Page-cache writes alone would report hundreds of
MiB/s. Needs root, loop devices and a blkio/io cgroup controller; without them this test fails
(it never skips)."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wipelib as L  # noqa: E402
from wipelib import ok, eq  # noqa: E402
from t_wipe_oracle import Image, store_on  # noqa: E402

LIMIT = 4 << 20            # bytes per second the device accepts
SLACK = 1.15               # the throttle's accounting slices allow a short burst


def make_cgroup(dev):
    """A cgroup whose members may write at most LIMIT bytes/s to dev; returns its procs file."""
    mm = subprocess.run(["lsblk", "-dno", "MAJ:MIN", dev], capture_output=True,
                        text=True).stdout.strip()
    v1 = "/sys/fs/cgroup/blkio"
    name = "alfwipe-t%d" % os.getpid()
    if os.path.isdir(v1):
        cg = os.path.join(v1, name)
        os.makedirs(cg, exist_ok=True)
        with open(os.path.join(cg, "blkio.throttle.write_bps_device"), "w") as f:
            f.write("%s %d\n" % (mm, LIMIT))
    else:
        root = "/sys/fs/cgroup"
        with open(os.path.join(root, "cgroup.subtree_control"), "w") as f:
            f.write("+io")
        cg = os.path.join(root, name)
        os.makedirs(cg, exist_ok=True)
        with open(os.path.join(cg, "io.max"), "w") as f:
            f.write("%s wbps=%d\n" % (mm, LIMIT))
    return cg


def main():
    p = subprocess.run(["losetup", "-f"], capture_output=True, text=True)
    if not ok(p.returncode == 0 and p.stdout.startswith("/dev/loop"),
              "loop devices available (this test needs root and loop devices)", p.stderr):
        L.finish()
    img = Image("w33t", "ext4", 128, opts="data=ordered")
    cg = None
    try:
        s = store_on(img, "w33t")
        for i in range(2):
            L.put(s.d("2024/1/1/1/%d/t%d.bin" % (i, i)), size=4 << 20, age_days=30)
        cg = make_cgroup(img.dev)
        procs = os.path.join(cg, "cgroup.procs")
        rc, out, err, secs = L.run_on_pty(
            ["sh", "-c", 'echo $$ > "$0" && exec "$@"', procs, L.ALFWIPE, "-c", s.conf, "wipe",
             "--method", "dod-3", "--verify", "last", "--no-db-check"])
        eq(rc, 0, "W33t throttled run exit 0", err[-2000:])
        written = 3 * 2 * (4 << 20)
        ok(secs >= written / LIMIT * 0.8,
           "W33t the throttle held the run back (%.1f s for %d MiB at 4 MiB/s)"
           % (secs, written >> 20), err[-500:])
        rates = [float(x) for x in re.findall(r"([0-9]+\.[0-9]) MiB/s", err)]
        ok(len(rates) >= 3, "W33t several progress updates (%d)" % len(rates), err[-1500:])
        print("# rates: %s" % rates[-12:])
        ok(rates and max(rates) <= LIMIT / 1048576.0 * SLACK,
           "W33t the reported rate never exceeds the throttle (max %.1f MiB/s, limit 4.0)"
           % (max(rates) if rates else -1), err[-1500:])
        updates = err.count("\ralfwipe: wipe: files")
        ok(updates <= secs + 2, "W33t progress at most once a second (%d updates in %.1f s)"
           % (updates, secs), err[-500:])
        ok("12.0/12.0 MiB written" in err or "24.0/24.0 MiB written" in err,
           "W33t progress reaches the planned bytes", err[-500:])
        ok(not os.path.exists(s.d("2024/1/1/1/0/t0.bin")), "W33t the files were erased")
    finally:
        if cg:
            try:
                os.rmdir(cg)
            except OSError:
                pass
        img.close()
    L.finish()


if __name__ == "__main__":
    main()
