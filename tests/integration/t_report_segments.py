#!/usr/bin/env python3
"""The report's merge cut into segments and run on two threads gives the output of one pass.

The merge takes consecutive URLs with the walk entries among them in segments of up to 2,048
rows (src/report/scan.c); $ALFWIPE_MERGE_SEGMENT makes the segments smaller, so that a small
input is cut at every kind of boundary: between two URLs with files, inside a run of strays,
before and after URLs without a file or of another protocol, around unwalked directories and
hard links. On the generator's sample with such additions, loaded into PostgreSQL and MariaDB,
the JSON, CSV and text (-v) reports, their exit codes and their messages are byte-identical for
segment sizes 1, 2, 3, 7 and 64 to the report made in one segment, and -vv shows that the small
segments ran on two threads. Before the additions, the JSON report of every segment size gives
the exit code, summary, findings, per-store totals and trashcan items the generator recorded
in expected.json, and one item per counted URL or file; with them, the JSON stays valid, its
items in byte order and counted as the summary says.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

SRC = os.environ.get("AW_SRC") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
TMP = os.environ.get("AW_TMP") or tempfile.mkdtemp(prefix="t_report_segments.")
ALFWIPE = os.environ.get("ALFWIPE") or os.path.join(SRC, "build", "alfwipe")
DB = "t_report_segments_%d" % os.getpid()
NOW = "2024-06-30T00:00:00Z"
SIZES = ("1", "2", "3", "7", "64")

failures = []


def check(cond, what, detail=""):
    if cond:
        print("ok - %s" % what)
    else:
        print("not ok - %s" % what)
        if detail:
            print("    " + str(detail).replace("\n", "\n    "))
        failures.append(what)


def run(cmd, env=None, stdin=None):
    return subprocess.run(cmd, capture_output=True, env=env, stdin=stdin)


def pg_cmd(db="postgres"):
    return ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", os.environ["AW_PG_HOST"],
            "-p", os.environ["AW_PG_PORT"], "-U", os.environ["AW_PG_USER"], "-d", db]


def my_cmd(db=None):
    c = ["mariadb", "--protocol=socket", "-S", os.environ["AW_MY_SOCKET"], "-u",
         os.environ["AW_MY_USER"]]
    return c + ([db] if db else [])


def generate(dialect, out):
    r = run([sys.executable, os.path.join(SRC, "scripts", "gen-sample.py"), "--out", out,
             "--now", NOW, "--dialect", dialect, "--urls", "600"])
    check(r.returncode == 0, "gen-sample (%s)" % dialect, r.stderr.decode(errors="replace"))


def load(engine, data):
    if engine == "postgresql":
        r = run(pg_cmd() + ["-c", "CREATE DATABASE %s" % DB])
        check(r.returncode == 0, "PostgreSQL: create database", r.stderr)
        for f in (os.path.join(SRC, "sql", "pg", "schema.sql"),
                  os.path.join(SRC, "sql", "pg", "bootstrap.sql"), data):
            r = run(pg_cmd(DB) + ["-f", f])
            check(r.returncode == 0, "PostgreSQL: load %s" % os.path.basename(f), r.stderr)
    else:
        r = run(my_cmd() + ["-e", "CREATE DATABASE %s" % DB])
        check(r.returncode == 0, "MariaDB: create database", r.stderr)
        for f in (os.path.join(SRC, "sql", "mysql", "schema.sql"),
                  os.path.join(SRC, "sql", "mysql", "bootstrap.sql"), data):
            with open(f) as fp:
                r = run(my_cmd(DB), stdin=fp)
            check(r.returncode == 0, "MariaDB: load %s" % os.path.basename(f), r.stderr)


def files_under(root):
    out = []
    for d, _, names in os.walk(root):
        out += [os.path.join(d, n) for n in names]
    return sorted(out)


def add_disk_oddities(alf):
    """Strays in runs, a directory replaced by a symbolic link (not walked), a hard link in
    contentstore.deleted, a FIFO at a stray's place."""
    cs = os.path.join(alf, "contentstore")
    dl = os.path.join(alf, "contentstore.deleted")
    for i in range(40):                                  # a run of strays in a directory
        d = os.path.join(cs, "2023", "12", "31", "23", str(i % 3))
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "stray-%02d.bin" % i), "wb") as fp:
            fp.write(b"s" * i)
    for i in range(25):                                  # strays past the last URL
        d = os.path.join(cs, "2099", "1", "1", "0", "0")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "late-%02d.bin" % i), "wb") as fp:
            fp.write(b"l")
    os.mkfifo(os.path.join(cs, "2099", "1", "1", "0", "0", "fifo.bin"))
    live = files_under(cs)
    # a directory with URL files moved away and replaced by a symbolic link to it
    victim = os.path.dirname(live[len(live) // 2])
    moved = os.path.join(alf, "elsewhere")
    shutil.move(victim, moved)
    os.symlink(moved, victim)
    deleted = files_under(dl)
    check(len(deleted) > 2, "the sample has files in contentstore.deleted", len(deleted))
    if deleted:
        os.link(deleted[0], os.path.join(os.path.dirname(deleted[0]), "hardlink-copy.bin"))


def write_conf(path, alf, dbgroup):
    with open(path, "w") as fp:
        fp.write('alfresco = { contentstore = "%s/contentstore";\n'
                 '             contentstore_deleted = "%s/contentstore.deleted"; };\n'
                 "database = { %s };\n" % (alf, alf, dbgroup))
    os.chmod(path, 0o600)


def report(conf, fmt, size, extra=()):
    env = dict(os.environ)
    env.pop("ALFWIPE_MERGE_SEGMENT", None)
    if size:
        env["ALFWIPE_MERGE_SEGMENT"] = size
    cmd = [ALFWIPE, "-c", conf, "--now", NOW] + list(extra) + ["report", "--format", fmt]
    if fmt == "text":
        cmd.insert(1, "-v")
    return run(cmd, env=env)


def trash_view(doc):
    return {t["node_ref"]: {"urls": t["urls"], "bytes": t["bytes"],
                            "reclaimable": t["reclaimable"], "findings": sorted(t["findings"])}
            for t in doc["trashcan_items"]}


def parse(what, out):
    try:
        return json.loads(out)
    except ValueError as e:
        check(False, "%s: valid JSON" % what, e)
        return None


def item_key(it):
    if it["content_url"] is not None:
        return it["content_url"].encode("utf-8", "surrogateescape")
    return b"store://" + it["path"].encode("utf-8", "surrogateescape")


def t_expected(engine, conf, exp, sizes):
    """The sample as generated: every segment size gives what expected.json says."""
    for size in (None,) + tuple(sizes):
        what = "%s, segments of %s" % (engine, size or "2048")
        r = report(conf, "json", size)
        check(r.returncode == exp["exit_code"], "%s: exit code %d" % (what, exp["exit_code"]),
              "got %d\n%s" % (r.returncode, r.stderr.decode(errors="replace")))
        doc = parse(what, r.stdout)
        if doc is None:
            continue
        for key in ("summary", "findings", "stores"):
            check(doc[key] == exp[key], "%s: %s equals expected.json" % (what, key),
                  "got %r\nwant %r" % (doc[key], exp[key]))
        tv = trash_view(doc)
        check(all(tv.get(k) == v for k, v in exp["trashcan_items"].items()),
              "%s: the trashcan items expected.json lists are as it says" % what)
        items = doc["trashcan_items"]
        totals = {"count": len(items), "bytes": sum(t["bytes"] for t in items),
                  "reclaimable": sum(t["reclaimable"] for t in items),
                  "no_archived_date": sum("no_archived_date" in t["findings"] for t in items),
                  "trashcan_expired": sum("trashcan_expired" in t["findings"] for t in items)}
        check(totals == exp["trashcan_totals"], "%s: trashcan totals equal expected.json" % what,
              "got %r\nwant %r" % (totals, exp["trashcan_totals"]))
        check(len(doc["items"]) == sum(v["count"] for v in exp["summary"].values()),
              "%s: one item per counted URL or file" % what)


def t_engine(engine, dbgroup, alf, sizes):
    conf = os.path.join(TMP, "segments-%s.conf" % engine)
    write_conf(conf, alf, dbgroup)
    with open(os.path.join(os.path.dirname(alf), "expected.json")) as fp:
        exp = json.load(fp)
    t_expected(engine, conf, exp, sizes)
    add_disk_oddities(alf)
    for fmt in ("json", "csv", "text"):
        ref = report(conf, fmt, None)
        check(ref.returncode in (1, 2) and len(ref.stdout) > 1000,
              "%s %s: the one-segment report (exit %d, %d bytes)"
              % (engine, fmt, ref.returncode, len(ref.stdout)), ref.stderr)
        for size in sizes:
            got = report(conf, fmt, size)
            same = (got.returncode, got.stdout, got.stderr) == \
                   (ref.returncode, ref.stdout, ref.stderr)
            detail = ""
            if not same:
                a, b = ref.stdout.splitlines(), got.stdout.splitlines()
                i = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]),
                         min(len(a), len(b)))
                detail = "exit %d vs %d; first difference at line %d:\n%r\n%r\n%s" % (
                    ref.returncode, got.returncode, i + 1, a[i] if i < len(a) else None,
                    b[i] if i < len(b) else None, got.stderr.decode(errors="replace"))
            check(same, "%s %s: segments of %s give the same report" % (engine, fmt, size),
                  detail)
        if fmt == "json":
            doc = parse("%s with additions" % engine, ref.stdout)
            if doc:
                keys = [item_key(i) for i in doc["items"]]
                check(keys == sorted(keys), "%s with additions: items in byte order" % engine)
                counts = {}
                for i in doc["items"]:
                    counts[i["class"]] = counts.get(i["class"], 0) + 1
                check(counts == {c: v["count"] for c, v in doc["summary"].items()
                                 if v["count"]},
                      "%s with additions: the summary counts the items" % engine,
                      "%r\n%r" % (counts, doc["summary"]))
                check(doc["findings"].get("hard_linked", 0) >= 1 and
                      doc["findings"].get("not_walked", 0) >= 1 and doc["problems"],
                      "%s with additions: hard link, unwalked directory and problem reported"
                      % engine, (doc["findings"], doc.get("problems")))
    dbg = report(conf, "json", "1", ["-vv"]).stderr.decode(errors="replace")
    line = [l for l in dbg.splitlines() if "merge:" in l]
    check(line and "on 2 threads" in line[0] and " 1 segments" not in line[0],
          "%s: segments of 1 run on two threads (-vv)" % engine, line or dbg[-2000:])
    dbg = report(conf, "json", None, ["-vv"]).stderr.decode(errors="replace")
    line = [l for l in dbg.splitlines() if "merge:" in l]
    check(line and "1 segments on 1 thread" in line[0],
          "%s: the sample fits one segment by default (-vv)" % engine, line or dbg[-2000:])


def main():
    if (os.cpu_count() or 1) < 2:
        print("not ok - this test needs two CPUs for the merge's second thread")
        return 1
    try:
        pg = os.path.join(TMP, "seg-pg")
        generate("postgresql", pg)
        load("postgresql", os.path.join(pg, "data.sql"))
        t_engine("postgresql",
                 'type = "postgresql"; host = "%s"; port = %s; name = "%s"; user = "%s";'
                 % (os.environ["AW_PG_HOST"], os.environ["AW_PG_PORT"], DB,
                    os.environ["AW_PG_USER"]), os.path.join(pg, "alf_data"), SIZES)
        my = os.path.join(TMP, "seg-my")
        generate("mysql", my)
        load("mysql", os.path.join(my, "data.sql"))
        t_engine("mysql",
                 'type = "mysql"; socket = "%s"; name = "%s"; user = "%s";'
                 % (os.environ["AW_MY_SOCKET"], DB, os.environ["AW_MY_USER"]),
                 os.path.join(my, "alf_data"), ("1", "5"))
    finally:
        run(pg_cmd() + ["-c", "DROP DATABASE IF EXISTS %s" % DB])
        run(my_cmd() + ["-e", "DROP DATABASE IF EXISTS %s" % DB])
    n = len(failures)
    print("t_report_segments: %s" % ("all checks passed" if n == 0 else "%d failed" % n))
    return 1 if n else 0


if __name__ == "__main__":
    sys.exit(main())
