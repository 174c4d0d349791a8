#!/usr/bin/env python3
"""The sample data set, the demo and the example configuration.

- scripts/gen-sample.py: content_url_short / content_url_crc as Alfresco computes them (the
  reference values of the facts file, and every row loaded); the same data and expected
  results for both dialects; non-zero-padded Y/M/D/h/m paths; ids only from the bootstrap.
- The default sample loaded into the runner's PostgreSQL and MariaDB: 'alfwipe report
  --format json' on each gives the exit code, summary, findings, per-store totals and
  trashcan items the generator recorded in expected.json, one item per class count, and the
  two reports are identical apart from the engine's name and version.
- scripts/demo.sh end to end with DB=postgresql and DB=mysql: exit 0, a text report printed,
  the JSON report where it says, its temporary directory gone afterwards; and on SIGINT in
  the middle, exit 130 with the directory and the server gone too.
- conf/alfwipe.conf.example parses with 'alfwipe check' (only paths substituted), with its
  commented-out keys enabled too; every key the loader reports appears in it; the values it
  shows for policy, wipe and api are the loader's defaults.
"""
import glob
import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

SRC = os.environ.get("AW_SRC") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
TMP = os.environ.get("AW_TMP") or tempfile.mkdtemp(prefix="t_sample.")
ALFWIPE = os.environ.get("ALFWIPE") or os.path.join(SRC, "build", "alfwipe")
DB = "t_sample_%d" % os.getpid()
NOW = "2024-06-30T00:00:00Z"

failures = []


def check(cond, what, detail=""):
    if cond:
        print("ok - %s" % what)
    else:
        print("not ok - %s" % what)
        if detail:
            print("    " + str(detail).replace("\n", "\n    "))
        failures.append(what)


def eq(got, want, what):
    check(got == want, what, "got %r\nwant %r" % (got, want))


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def gen_module():
    spec = importlib.util.spec_from_file_location("gen_sample",
                                                  os.path.join(SRC, "scripts", "gen-sample.py"))
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    return m


# ---- servers -----------------------------------------------------------------------------

def pg_cmd(db="postgres"):
    return ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", os.environ["AW_PG_HOST"],
            "-p", os.environ["AW_PG_PORT"], "-U", os.environ["AW_PG_USER"], "-d", db]


def my_cmd(db=None):
    c = ["mariadb", "--protocol=socket", "-S", os.environ["AW_MY_SOCKET"], "-u",
         os.environ["AW_MY_USER"]]
    return c + ([db] if db else [])


def load_pg(data):
    r = run(pg_cmd() + ["-c", "CREATE DATABASE %s" % DB])
    check(r.returncode == 0, "PostgreSQL: create database", r.stderr)
    for f in (os.path.join(SRC, "sql", "pg", "schema.sql"),
              os.path.join(SRC, "sql", "pg", "bootstrap.sql"), data):
        r = run(pg_cmd(DB) + ["-f", f])
        check(r.returncode == 0, "PostgreSQL: load %s" % os.path.basename(f), r.stderr)


def load_my(data):
    r = run(my_cmd() + ["-e", "CREATE DATABASE %s" % DB])
    check(r.returncode == 0, "MariaDB: create database", r.stderr)
    for f in (os.path.join(SRC, "sql", "mysql", "schema.sql"),
              os.path.join(SRC, "sql", "mysql", "bootstrap.sql"), data):
        with open(f) as fp:
            r = run(my_cmd(DB), stdin=fp)
        check(r.returncode == 0, "MariaDB: load %s" % os.path.basename(f), r.stderr)


def drop_dbs():
    run(pg_cmd() + ["-c", "DROP DATABASE IF EXISTS %s" % DB])
    run(my_cmd() + ["-e", "DROP DATABASE IF EXISTS %s" % DB])


def write_conf(path, alf, dbgroup):
    with open(path, "w") as fp:
        fp.write('alfresco = { contentstore = "%s/contentstore";\n'
                 '             contentstore_deleted = "%s/contentstore.deleted"; };\n'
                 "database = { %s };\n" % (alf, alf, dbgroup))
    os.chmod(path, 0o600)


def report(conf, out):
    r = run([ALFWIPE, "-c", conf, "--now", NOW, "report", "--format", "json", "--output", out])
    try:
        with open(out) as fp:
            doc = json.load(fp)
    except (OSError, ValueError) as e:
        doc = None
        check(False, "report %s is valid JSON" % out, "%s\n%s" % (e, r.stderr))
    return r, doc


# ---- generator ---------------------------------------------------------------------------

def t_generator(g):
    # Reference values of the facts file (§6.3).
    for url, short, crc in (
            ("store://2024/3/7/9/5/0b7c2a4e-5d1f-4c3a-9e8b-1f2d3c4b5a69.bin", "3c4b5a69.bin",
             2377962970),
            ("STORE://2024/3/7/9/5/0B7C2A4E-5D1F-4C3A-9E8B-1F2D3C4B5A69.BIN", "3c4b5a69.bin",
             461956086),
            ("spoof://abc", "spoof://abc", 1279082141),
            ("store://a", "store://a", 3923078292)):
        eq((g.url_short(url), g.url_crc(url)), (short, crc), "short and CRC of %s" % url)
    eq(g.time_path(g.parse_now("2024-03-07T09:05:11Z")), "2024/3/7/9/5",
       "URL time path without zero padding")

    pg_out = os.path.join(TMP, "pg")
    my_out = os.path.join(TMP, "my")
    r = run([sys.executable, os.path.join(SRC, "scripts", "gen-sample.py"), "--out", pg_out,
             "--now", NOW, "--dialect", "postgresql"])
    check(r.returncode == 0, "gen-sample for PostgreSQL", r.stderr)
    r = run([sys.executable, os.path.join(SRC, "scripts", "gen-sample.py"), "--out", my_out,
             "--now", NOW, "--dialect", "mysql", "--data-only"])
    check(r.returncode == 0, "gen-sample for MariaDB, data only", r.stderr)
    check(not os.path.exists(os.path.join(my_out, "alf_data")), "--data-only writes no files")
    with open(os.path.join(pg_out, "expected.json")) as fp:
        exp = json.load(fp)
    with open(os.path.join(my_out, "expected.json")) as fp:
        eq(json.load(fp), exp, "both dialects describe the same data")
    r = run([sys.executable, os.path.join(SRC, "scripts", "gen-sample.py"), "--out",
             os.path.join(TMP, "small"), "--now", NOW, "--dialect", "postgresql", "--urls", "3"])
    check(r.returncode != 0 and "--urls" in r.stderr and "hint:" in r.stderr,
          "--urls below the sample's size refused with a hint", r.stderr)

    alf = os.path.join(pg_out, "alf_data")
    files = []
    for root in ("contentstore", "contentstore.deleted"):
        base = os.path.join(alf, root)
        for d, _, names in os.walk(base):
            files += [os.path.relpath(os.path.join(d, n), base) for n in names]
    eq(len(files), exp["files"], "files on disk as expected.json counts them")
    bad = [f for f in files if not re.fullmatch(
        r"[1-9]\d{3}/([1-9]|1[0-2])/([1-9]|[12]\d|3[01])/(\d|1\d|2[0-3])/(\d|[1-5]\d)/[^/]+\.bin", f)]
    eq(bad, [], "every file under Y/M/D/h/m/ without zero padding")
    classes = {c for c, v in exp["summary"].items() if v["count"]}
    eq(sorted(set(g.CLASSES) - classes), [], "the sample holds every class")
    for f in ("missing_file", "size_mismatch", "stale_orphan_mark", "shared",
              "trashcan_expired", "no_archived_date", "in_flight"):
        check(exp["findings"][f] > 0, "the sample holds finding %s" % f)
    return exp, pg_out, my_out


def t_rows(g):
    """Every loaded URL row carries Alfresco's short value and CRC; ids come from the
    bootstrap's ranges, not from constants."""
    q = "SELECT content_url, content_url_short, content_url_crc FROM alf_content_url"
    r = run(pg_cmd(DB) + ["-At", "-F", "\t", "-c", q])
    rows = [line.split("\t") for line in r.stdout.splitlines()]
    bad = [x for x in rows if (x[1], int(x[2])) != (g.url_short(x[0]), g.url_crc(x[0]))]
    check(rows and not bad, "PostgreSQL: content_url_short and content_url_crc of %d rows"
          % len(rows), bad[:3])
    r = run(my_cmd(DB) + ["-N", "-B", "-e", q])
    rows = [line.split("\t") for line in r.stdout.splitlines()]
    bad = [x for x in rows if (x[1], int(x[2])) != (g.url_short(x[0]), g.url_crc(x[0]))]
    check(rows and not bad, "MariaDB: content_url_short and content_url_crc of %d rows"
          % len(rows), bad[:3])
    r = run(pg_cmd(DB) + ["-At", "-c", "SELECT count(*) FROM alf_content_url u JOIN "
                          "alf_content_url v ON lower(u.content_url) = lower(v.content_url) "
                          "AND u.id < v.id"])
    eq(r.stdout.strip(), "1", "one pair of URLs that differ only in letter case")
    r = run(pg_cmd(DB) + ["-At", "-c", "SELECT count(*) FROM alf_node n JOIN alf_qname q ON "
                          "q.id = n.type_qname_id JOIN alf_namespace s ON s.id = q.ns_id WHERE "
                          "s.uri = 'http://www.alfresco.org/model/system/1.0' AND "
                          "q.local_name = 'deleted'"])
    check(int(r.stdout.strip() or 0) > 0, "sys:deleted placeholders present", r.stdout)


# ---- reports on both engines ------------------------------------------------------------

def trash_view(doc):
    return {t["node_ref"]: {"urls": t["urls"], "bytes": t["bytes"],
                            "reclaimable": t["reclaimable"], "findings": sorted(t["findings"])}
            for t in doc["trashcan_items"]}


def t_reports(exp, pg_out, my_out):
    alf = os.path.join(pg_out, "alf_data")
    pgc = os.path.join(TMP, "pg.conf")
    myc = os.path.join(TMP, "my.conf")
    write_conf(pgc, alf, 'type = "postgresql"; host = "%s"; port = %s; name = "%s"; user = "%s";'
               % (os.environ["AW_PG_HOST"], os.environ["AW_PG_PORT"], DB,
                  os.environ["AW_PG_USER"]))
    write_conf(myc, alf, 'type = "mysql"; socket = "%s"; name = "%s"; user = "%s";'
               % (os.environ["AW_MY_SOCKET"], DB, os.environ["AW_MY_USER"]))
    docs = {}
    for engine, conf in (("PostgreSQL", pgc), ("MariaDB", myc)):
        r, doc = report(conf, os.path.join(TMP, "report-%s.json" % engine))
        eq(r.returncode, exp["exit_code"], "%s: exit code" % engine)
        if doc is None:
            continue
        docs[engine] = doc
        eq(doc["summary"], exp["summary"], "%s: summary equals expected.json" % engine)
        eq(doc["findings"], exp["findings"], "%s: findings equal expected.json" % engine)
        eq(doc["stores"], exp["stores"], "%s: per-store totals equal expected.json" % engine)
        eq(trash_view(doc), exp["trashcan_items"], "%s: trashcan items equal expected.json"
           % engine)
        eq(len(doc["items"]), sum(v["count"] for v in exp["summary"].values()),
           "%s: one item per counted URL or file" % engine)
        eq(doc["status"]["exit_code"], exp["exit_code"], "%s: status in the JSON" % engine)
        eq(doc["now"], "2024-06-30T00:00:00Z", "%s: --now pinned" % engine)
        twins = sorted((i["class"], i["size"]) for i in doc["items"]
                       if i["content_url"].lower().endswith("/abc.bin"))
        eq(twins, [("live", 700), ("unreferenced", 300)],
           "%s: case twins stay two items" % engine)
    if len(docs) == 2:
        a, b = docs["PostgreSQL"], docs["MariaDB"]
        eq((a["database"]["engine"], b["database"]["engine"]), ("postgresql", "mysql"),
           "engine names")
        for d in (a, b):
            del d["database"]["engine"], d["database"]["version"]
        check(a == b, "PostgreSQL and MariaDB reports identical apart from engine and version",
              "\n".join("%s differs" % k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)))


# ---- demo --------------------------------------------------------------------------------

def demo_dirs():
    return set(glob.glob("/tmp/alfwipe-demo.*"))


def t_demo(db):
    before = demo_dirs()
    env = dict(os.environ, ALFWIPE=ALFWIPE, DB=db)
    r = run(["sh", os.path.join(SRC, "scripts", "demo.sh")], env=env, timeout=600)
    out = r.stdout
    eq(r.returncode, 0, "demo DB=%s exits 0" % db)
    check("alfwipe report:" in out and re.search(r"^live\s+\d+\s+\d+$", out, re.M),
          "demo DB=%s printed a text report" % db, out[-2000:] + r.stderr[-2000:])
    check("refused: younger than the minimum age of 7 days" in out,
          "demo DB=%s: the dry run is as of the report's date (a young file is refused)" % db,
          out[-1500:])
    m = re.search(r"the full report: (\S+) \(JSON\)", out)
    check(m is not None, "demo DB=%s says where the JSON went" % db, out[-1000:])
    if m:
        try:
            with open(m.group(1)) as fp:
                doc = json.load(fp)
            eq(doc["database"]["engine"], db, "demo DB=%s JSON report from that engine" % db)
        except (OSError, ValueError) as e:
            check(False, "demo DB=%s JSON report readable" % db, e)
    eq(demo_dirs() - before, set(), "demo DB=%s removed its temporary directory" % db)


def t_demo_interrupted(db):
    """Ctrl-C while the server runs and the sample is loaded: the trap stops the server and
    removes everything. ALFWIPE is a wrapper that announces itself and becomes a sleep, so the
    signal arrives at a known point."""
    wrapper = os.path.join(TMP, "alfwipe-slow")
    with open(wrapper, "w") as fp:
        fp.write('#!/bin/sh\necho "wrapper: waiting"\nexec sleep 120\n')
    os.chmod(wrapper, 0o755)
    before = demo_dirs()
    env = dict(os.environ, ALFWIPE=wrapper, DB=db)
    p = subprocess.Popen(["sh", os.path.join(SRC, "scripts", "demo.sh")], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         start_new_session=True)
    seen = ""
    deadline = time.time() + 300
    while time.time() < deadline:
        line = p.stdout.readline()
        if not line:
            break
        seen += line
        if line.startswith("wrapper: waiting"):
            break
    new = demo_dirs() - before
    check("wrapper: waiting" in seen, "demo DB=%s got as far as the report" % db, seen[-2000:])
    time.sleep(0.5)
    os.killpg(p.pid, signal.SIGINT)
    try:
        p.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
    eq(p.returncode, 130, "demo DB=%s interrupted exits 130" % db)
    check(len(new) == 1, "demo DB=%s had made one temporary directory" % db, seen[-2000:])
    eq(demo_dirs() - before, set(), "demo DB=%s interrupted removed its directory" % db)
    for d in new:
        r = run(["pgrep", "-f", d])
        eq(r.stdout.strip(), "", "demo DB=%s interrupted left no server running" % db)


# ---- example configuration ---------------------------------------------------------------

def t_conf_example():
    src = os.path.join(SRC, "conf", "alfwipe.conf.example")
    with open(src) as fp:
        text = fp.read()
    props = os.path.join(TMP, "alfresco-global.properties")
    with open(props, "w") as fp:
        fp.write("# empty: every setting comes from the example\n")
    m = re.search(r'global_properties = "([^"]+)"', text)
    check(m is not None, "example names alfresco.global_properties")
    # The secret files the example names exist, private, in a directory of the test's own
    # ('check' refuses a missing or group-readable one, as the commands do).
    etc = os.path.join(TMP, "etc-alfwipe")
    os.makedirs(etc, exist_ok=True)
    for name in set(re.findall(r'"/etc/alfwipe/([^"/]+)"', text)):
        with open(os.path.join(etc, name), "w") as fp:
            fp.write("example-secret-0123456789abcdef\n")  # an HMAC key needs 16 bytes
        os.chmod(os.path.join(etc, name), 0o600)
    text = text.replace('"/etc/alfwipe/', '"%s/' % etc)
    copy = os.path.join(TMP, "example.conf")
    with open(copy, "w") as fp:
        fp.write(text.replace(m.group(1), props) if m else text)
    r = run([ALFWIPE, "-c", copy, "check", "--format", "json"])
    eq(r.returncode, 0, "example parses with 'alfwipe check'")
    check(r.stderr == "", "example gives no warnings", r.stderr)
    try:
        settings = json.loads(r.stdout)["settings"]
    except ValueError:
        settings = {}
        check(False, "check --format json output", r.stdout)
    # Commented-out keys enabled as well: each must be a key the loader accepts.
    enabled = os.path.join(TMP, "example-all.conf")
    with open(copy) as fp, open(enabled, "w") as out:
        out.write(re.sub(r"^(\s*)# ([a-z_]+ = .*;)$", r"\1\2", fp.read(), flags=re.M))
    r = run([ALFWIPE, "-c", enabled, "check"])
    check(r.returncode == 0, "example with its commented-out keys enabled parses", r.stderr)
    # Every group and key the loader reports appears in the example's group.
    groups = dict(re.findall(r"^(\w+) = \{(.*?)^\};", text, re.S | re.M))
    eq(sorted(groups), sorted(settings), "example has every group the loader knows")
    missing = ["%s.%s" % (g, k) for g, keys in settings.items() for k in keys
               if k != "password" and not re.search(r"^\s*(# )?%s = " % k, groups.get(g, ""),
                                                    re.M)]
    eq(missing, [], "every key the loader knows is in the example")
    # The values the example writes for policy, wipe and api are the loader's defaults.
    empty = os.path.join(TMP, "empty.conf")
    with open(empty, "w") as fp:
        fp.write('alfresco = { contentstore = "/srv/cs"; contentstore_deleted = "/srv/del"; };\n')
    r = run([ALFWIPE, "-c", empty, "check", "--format", "json"])
    defaults = json.loads(r.stdout)["settings"] if r.returncode == 0 else {}
    diff = []
    for g in ("policy", "wipe", "api"):
        for k, v in defaults.get(g, {}).items():
            if not isinstance(v, dict) or v.get("value") is None or v.get("source") != "default":
                continue
            shown = settings.get(g, {}).get(k, {}).get("value")
            if shown is not None and shown != v["value"]:
                diff.append("%s.%s: example %s, default %s" % (g, k, shown, v["value"]))
    eq(diff, [], "example shows the defaults for policy, wipe and api")


def main():
    g = gen_module()
    try:
        exp, pg_out, my_out = t_generator(g)
        load_pg(os.path.join(pg_out, "data.sql"))
        load_my(os.path.join(my_out, "data.sql"))
        t_rows(g)
        t_reports(exp, pg_out, my_out)
    finally:
        drop_dbs()
    t_conf_example()
    for db in ("postgresql", "mysql"):
        t_demo(db)
        t_demo_interrupted(db)
    if failures:
        print("%d check(s) failed" % len(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
