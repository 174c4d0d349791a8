#!/usr/bin/env python3
"""--output FILE is written with O_DIRECT in 4 MiB blocks, the last partial block through the
page cache: a report of several blocks is byte for byte what standard output gets (JSON and
CSV), O_DIRECT is really set and the file's pages are not left in the page cache; on tmpfs, on
ramfs (which refuses O_DIRECT) and when the first direct write fails with EINVAL the bytes are
the same; a write that fails (ENOSPC injected, or the file size limit hit in the first block,
in a later block or in the tail) gives exit 3, one message naming the file and the reason, and
no file, not even the temporary one.
"""
import os
import resource
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture import ALFWIPE, NOW, TMP, Case, check, eq, finish  # noqa: E402

BLOCK = 4 << 20
URLS = 60000


def big_case():
    """URLs by the ten thousand, each marked orphan two days ago, none with a file."""
    c = Case("odirect")
    c.u("k", "store://2024/6/1/9/0/k.bin", 5)
    c.d("dk", "k")
    c.n("nk", "workspace/SpacesStore", "uuid-k")
    c.p("nk", "cm:content", "dk")
    c.f("cs", "2024/6/1/9/0/k.bin", 5, "2024-06-01T09:00:00Z")
    c.extra_sql.append(
        "INSERT INTO alf_content_url (id, content_url, content_url_short, content_url_crc, "
        "content_size, orphan_time) SELECT 200000 + g, "
        "'store://2024/6/27/13/' || (g %% 60) || '/big-' || g || '-odirect.bin', "
        "right('big-' || g || '-odirect.bin', 12), g, 1000 + g, 1719489600000 "
        "FROM generate_series(1, %d) AS g;" % URLS)
    c.build("pg")
    c._built = {"pg": c.path("alfwipe-pg.conf")}
    return c


def argv(c, *args):
    return [ALFWIPE, "-c", c._built["pg"], "--now", NOW, "report"] + list(args)


def env():
    e = {k: v for k, v in os.environ.items() if not k.startswith("ALFWIPE_")}
    e["ALFWIPE_DB_PASSWORD"] = "unused-with-trust"
    # LeakSanitizer stops the world with ptrace, which it cannot under strace.
    e["ASAN_OPTIONS"] = (e.get("ASAN_OPTIONS", "") + ":detect_leaks=0").lstrip(":")
    return e


def run(cmd, fsize=None):
    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    return subprocess.run(cmd, capture_output=True, env=env(), timeout=600,
                          preexec_fn=limit if fsize is not None else None)


def read(path):
    with open(path, "rb") as fp:
        return fp.read()


def leftovers(path):
    d, base = os.path.split(path)
    return sorted(n for n in os.listdir(d) if n.startswith(base))


def resident(path):
    """Bytes of path in the page cache (util-linux fincore)."""
    if not shutil.which("fincore"):
        return None
    p = subprocess.run(["fincore", "--bytes", "--noheadings", "--output", "RES", path],
                       capture_output=True, text=True)
    return int(p.stdout.split()[0]) if p.returncode == 0 and p.stdout.split() else None


def same_as_stdout(label, c, want, out, fmt="json", prefix=()):
    p = run(list(prefix) + argv(c, "--format", fmt, "--output", out))
    p.resident = resident(out) if os.path.exists(out) else None  # before reading it back
    got = read(out) if os.path.exists(out) else b""
    eq((p.returncode, p.stdout), (want.returncode, b""),
       "%s: the exit code of standard output, nothing on stdout" % label, p.stderr)
    check(got == want.stdout, "%s: %d bytes, identical to standard output (%d bytes)"
          % (label, len(got), len(want.stdout)), p.stderr.decode("utf-8", "replace"))
    eq(leftovers(out), [os.path.basename(out)], "%s: no temporary file left" % label)
    return p


def failed(label, p, out, reason):
    err = p.stderr.decode("utf-8", "replace")
    lines = [ln for ln in err.splitlines() if ln.startswith("alfwipe: ")]
    eq(p.returncode, 3, "%s: exit 3" % label, err)
    check(len(lines) == 1 and out in lines[0] and reason in lines[0],
          "%s: one message, naming the file and '%s'" % (label, reason), err)
    eq(leftovers(out), [], "%s: no file, not even the temporary one" % label)


def main():
    c = big_case()
    want = run(argv(c, "--format", "json"))
    size = len(want.stdout)
    check(want.returncode != 3 and size > 3 * BLOCK and size % BLOCK,
          "the JSON report spans %d blocks and a partial one (%d bytes)" % (size // BLOCK, size),
          want.stderr)
    out = os.path.join(TMP, "report.json")
    res = same_as_stdout("--output on %s" % TMP, c, want, out).resident
    check(res is not None and res <= BLOCK,
          "--output: the blocks are not in the page cache (%s of %d bytes are)" % (res, size))
    # Replacing an existing file gives the same bytes again.
    same_as_stdout("--output over the previous report", c, want, out)
    os.unlink(out)
    csv_want = run(argv(c, "--format", "csv"))
    csv_out = os.path.join(TMP, "report.csv")
    same_as_stdout("--format csv --output", c, csv_want, csv_out, fmt="csv")
    check(len(csv_want.stdout) > BLOCK, "the CSV report is more than a block (%d bytes)"
          % len(csv_want.stdout))

    if check(shutil.which("strace"), "strace is installed (scripts/install-deps.sh)"):
        trace = os.path.join(TMP, "fcntl.trace")
        same_as_stdout("--output under strace", c, want, out,
                       prefix=["strace", "-f", "-qq", "-o", trace, "-e", "trace=fcntl"])
        with open(trace) as fp:
            t = fp.read()
        check("F_SETFL, " in t and "O_DIRECT" in t.split("F_SETFL, ", 1)[-1].split(")")[0],
              "--output: the file is switched to O_DIRECT", t[-1500:])
        os.unlink(out)
        # The first direct write refused (as by a filesystem that takes the flag only):
        # the same bytes, written through the page cache.
        same_as_stdout("--output, first direct write EINVAL", c, want, out,
                       prefix=["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=pwrite64",
                               "-e", "inject=pwrite64:error=EINVAL:when=1"])
        os.unlink(out)
        p = run(["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=pwrite64", "-e",
                 "inject=pwrite64:error=ENOSPC:when=2"] + argv(c, "--format", "json",
                                                               "--output", out))
        failed("--output, the second block ENOSPC", p, out, "No space left on device")

    for limit, where in ((1 << 20, "in the first block"), (BLOCK + BLOCK // 2, "in the second"),
                         (size - 100, "in the tail")):
        p = run(argv(c, "--format", "json", "--output", out), fsize=limit)
        failed("file size limit %d (%s)" % (limit, where), p, out, "File too large")

    if os.path.isdir("/dev/shm"):
        shm = "/dev/shm/aw-odirect-%d.json" % os.getpid()
        try:
            same_as_stdout("--output on tmpfs (/dev/shm)", c, want, shm)
        finally:
            for n in leftovers(shm):
                os.unlink(os.path.join("/dev/shm", n))
    else:
        print("# no /dev/shm: the tmpfs check not run")

    # ramfs refuses O_DIRECT: mounted in a mount namespace of this run only.
    ram = os.path.join(TMP, "ramfs")
    os.makedirs(ram)
    script = ('mount -t ramfs none "$1" || exit 99; "${@:3}"; rc=$?; '
              'cp "$1/report.json" "$2"; exit $rc')
    shown = os.path.join(TMP, "ramfs-report.json")
    ns = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if ns.returncode == 0:
        p = subprocess.run(["unshare", "-m", "bash", "-c", script, "ramfs", ram, shown]
                           + argv(c, "--format", "json", "--output",
                                  os.path.join(ram, "report.json")),
                           capture_output=True, env=env(), timeout=600)
        got = read(shown) if os.path.exists(shown) else b""
        eq(p.returncode, want.returncode, "--output on ramfs: the exit code", p.stderr)
        check(got == want.stdout, "--output on ramfs (no O_DIRECT): identical (%d bytes)"
              % len(got), p.stderr.decode("utf-8", "replace"))
    else:
        print("# no mount namespace (unshare -m: %s): the ramfs check not run"
              % ns.stderr.decode("utf-8", "replace").strip())
    finish()


if __name__ == "__main__":
    main()
