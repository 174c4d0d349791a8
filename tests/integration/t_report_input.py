#!/usr/bin/env python3
"""alfwipe report on bad input and a broken environment (cases E1-E9 of
../shared/cases/report-cases.md) on PostgreSQL and MariaDB: exit 3, a message naming the input
and the fix, nothing on stdout, no --output file. Then odd file names: a stray whose name holds
a double quote, a backslash, a tab and the byte 0xFF survives into CSV and JSON, and the exact
bytes come back through the documented escaping (CSV raw bytes, JSON path_base64).
"""
import base64
import csv
import io
import json
import os
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture import ENGINES, Case, check, eq, finish  # noqa: E402


def no_output(label, c, res, out):
    for e, r in res.items():
        eq(r.rc, 3, "%s %s: exit 3" % (label, e), r)
        eq(r.out, "", "%s %s: nothing on stdout" % (label, e), r)
        check(not os.path.exists(out) and not any(
            n.startswith(os.path.basename(out)) for n in os.listdir(os.path.dirname(out))),
            "%s %s: no output file (not even a temporary one)" % (label, e))
        check(r.err.startswith("alfwipe: ") and "\nhint: " in r.err,
              "%s %s: 'alfwipe:' message and a hint" % (label, e), r)


def simple_case(name):
    c = Case(name)
    c.u("k", "store://2024/6/1/9/0/k.bin", 5)
    c.d("dk", "k")
    c.n("nk", "workspace/SpacesStore", "uuid-k")
    c.p("nk", "cm:content", "dk")
    c.f("cs", "2024/6/1/9/0/k.bin", 5, "2024-06-01T09:00:00Z")
    return c


def e1():
    c = simple_case("e1")
    lines = ['alfresco = {', '    contentstore = "%s";' % c.path("contentstore"),
             '};', 'policy = {', '    orphan_protect_days = 14;', '    cleaner_slack_days = 1;',
             '    in_flight_grace_minutes = 60 60;', '};']
    c.conf_text = "\n".join(lines) + "\n"
    out = c.path("out.json")
    res = c.run(output=out)
    no_output("E1", c, res, out)
    for e, r in res.items():
        check("alfwipe-%s.conf" % e in r.err and "line 7" in r.err,
              "E1 %s: message names the file and line 7" % e, r)


def e2():
    c = simple_case("e2")
    c.conf = {"policy": {"orphan_protect_dayz": 14}}
    out = c.path("out.json")
    res = c.run(output=out)
    no_output("E2", c, res, out)
    for e, r in res.items():
        check("policy.orphan_protect_dayz" in r.err and "orphan_protect_days" in r.err
              and "cleaner_slack_days" in r.err and "trashcan_keep_days" in r.err,
              "E2 %s: message names the key and the valid keys of the group" % e, r)


def e3():
    c = simple_case("e3")
    pw = c.dir + ".db.pass"
    c.conf = {"database": {"password_file": pw}}
    with open(pw, "w") as fp:
        fp.write("secret\n")
    os.chmod(pw, 0o644)
    out = c.path("out.json")
    res = c.run(output=out)
    no_output("E3", c, res, out)
    for e, r in res.items():
        check(pw in r.err and "readable by group or others" in r.err
              and "chmod 600 %s" % pw in r.err,
              "E3 %s: path, 'readable by group or others', chmod 600" % e, r)
        check("secret" not in r.err, "E3 %s: the password is not printed" % e)
    # 'check' judges the configuration as the commands will: the same file makes it invalid.
    res = c.run(fmt=None, command="check")
    for e, r in res.items():
        check(r.rc == 3 and pw in r.err and "chmod 600 %s" % pw in r.err
              and "secret" not in r.out + r.err,
              "E3 %s: check refuses the group-readable password file too (exit 3)" % e, r)


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def e4():
    c = simple_case("e4")
    port = closed_port()
    c.conf = {"database": {"host": "127.0.0.1", "port": port}}
    out = c.path("out.json")
    res = c.run(output=out)
    no_output("E4", c, res, out)
    names = {"pg": "postgresql", "my": "mysql"}
    for e, r in res.items():
        check("127.0.0.1" in r.err and str(port) in r.err and names[e] in r.err.lower(),
              "E4 %s: message names host, port and engine" % e, r)


def e5():
    c = Case("e5")
    c.load_schema = False
    out = c.path("out.json")
    res = c.run(output=out)
    no_output("E5", c, res, out)
    for e, r in res.items():
        check("not an Alfresco database" in r.err and "'alf_store'" in r.err,
              "E5 %s: not an Alfresco database, first missing table" % e, r)


def e6():
    c = simple_case("e6")
    c.extra_sql.append("ALTER TABLE alf_node ADD node_deleted BOOLEAN DEFAULT FALSE NOT NULL;")
    out = c.path("out.json")
    res = c.run(output=out)
    no_output("E6", c, res, out)
    for e, r in res.items():
        check("schema too old" in r.err and "NodeDeleted" in r.err and "not supported" in r.err
              and "node_deleted" in r.err, "E6 %s: schema too old, NodeDeleted, not supported"
              % e, r)


def e7():
    c = simple_case("e7")
    c.extra_sql.append("CREATE TABLE alf_bootstrap_lock (charval CHAR(1) NOT NULL);")
    out = c.path("out.json")
    res = c.run(output=out)
    no_output("E7", c, res, out)
    for e, r in res.items():
        check("schema creation or upgrade is in progress" in r.err,
              "E7 %s: a schema creation or upgrade is in progress" % e, r)


def e8():
    c = simple_case("e8")
    c.global_properties = "trashcan-cleaner.keepPeriod=P1M\n"
    out = c.path("out.json")
    res = c.run(output=out)
    no_output("E8", c, res, out)
    for e, r in res.items():
        check("trashcan-cleaner.keepPeriod" in r.err and "P1M" in r.err
              and "not a valid java.time.Duration (Alfresco would not start with it)" in r.err
              and "P30D" in r.err, "E8 %s: property, value, Duration, suggests P30D" % e, r)
        check("line 1" in r.err, "E8 %s: names the line" % e, r)
    # set in alfwipe.conf, the broken property is only a warning
    c2 = simple_case("e8b")
    c2.global_properties = "trashcan-cleaner.keepPeriod=P1M\n"
    c2.conf = {"policy": {"trashcan_keep_days": 30}}
    for e, r in c2.run().items():
        eq(r.rc, 0, "E8 %s: with trashcan_keep_days in alfwipe.conf the report runs" % e, r)
        check("P1M" in r.err and "warning" in r.err, "E8 %s: and warns about P1M" % e, r)


def e9():
    c = simple_case("e9")
    c.global_properties = "db.url=jdbc:oracle:thin:@localhost:1521:alfresco\n"
    c.no_db_group = True
    out = c.path("out.json")
    res = c.run(output=out)
    no_output("E9", c, res, out)
    for e, r in res.items():
        check("not supported" in r.err and "PostgreSQL, MySQL and MariaDB" in r.err
              and "oracle" in r.err, "E9 %s: engine not supported; PostgreSQL, MySQL and MariaDB"
              % e, r)


def schema_variants():
    """Schema generations the facts name: before 5.0 (no encryption table) is read with the
    other query; a missing orphan_time (before 3.2) and unconverted type 11 content properties
    are refused; on PostgreSQL a non-default schema (db.schema.name) is honoured."""
    c = simple_case("pre50")
    c.extra_sql.append("DROP TABLE alf_content_url_encryption;")
    for e, r in c.run().items():
        it = r.item(content_url="store://2024/6/1/9/0/k.bin") if r.json else None
        eq((r.rc, it and it["class"], it and it["encrypted"]), (0, "live", False),
           "pre-5.0 %s: no encryption table, the report runs" % e, r)
    c = simple_case("pre32")
    c.extra_sql.append("ALTER TABLE alf_content_url DROP COLUMN orphan_time;")
    out = c.path("out.json")
    res = c.run(output=out)
    no_output("pre-3.2", c, res, out)
    for e, r in res.items():
        check("schema too old" in r.err and "orphan_time" in r.err,
              "pre-3.2 %s: orphan_time missing is refused as too old" % e, r)
    c = simple_case("type11")
    c.n("legacy", "workspace/SpacesStore", "uuid-legacy")
    c.extra_sql.append("INSERT INTO alf_node_properties (node_id, actual_type_n, "
                       "persisted_type_n, boolean_value, long_value, float_value, double_value, "
                       "string_value, serializable_value, qname_id, list_index, locale_id) "
                       "SELECT n.id, 11, 9, NULL, NULL, NULL, NULL, NULL, NULL, q.id, -1, l.id "
                       "FROM alf_node n, alf_qname q, alf_namespace ns, alf_locale l "
                       "WHERE n.uuid = 'uuid-legacy' AND q.ns_id = ns.id AND q.local_name = "
                       "'content' AND ns.uri = 'http://www.alfresco.org/model/content/1.0' "
                       "AND l.locale_str = '.default';")
    out = c.path("out.json")
    res = c.run(output=out)
    no_output("type 11", c, res, out)
    for e, r in res.items():
        check("content URL conversion never finished" in r.err,
              "type 11 %s: unconverted content properties are refused" % e, r)
    # PostgreSQL: the tables in schema 'alf' named by db.schema.name in the properties, with a
    # decoy alf_store in public that must not be read
    from fixture import pg_cmd, _run, SRC
    c = Case("pgschema")
    c.f("cs", "2024/6/1/9/0/s.bin", 5, "2024-06-01T09:00:00Z")
    c.global_properties = "db.schema.name=alf\n"
    c._write_files()
    db = c.dbname("pg")
    _run(pg_cmd("postgres"), stdin=("CREATE DATABASE %s;" % db).encode())
    _run(pg_cmd(db), stdin=b"CREATE SCHEMA alf; CREATE TABLE public.alf_store (x int);")
    for f in ("schema.sql", "bootstrap.sql"):
        with open(os.path.join(SRC, "sql", "pg", f), "rb") as fp:
            _run(pg_cmd(db), stdin=b"SET search_path TO alf;\n" + fp.read())
    c._loaded = {"pg"}
    c._built = {"pg": c.build("pg")}
    r = c.invoke("pg")
    eq((r.rc, r.json and r.json["summary"]["stray"]["count"]), (1, 1),
       "db.schema.name pg: the alf schema is read (one stray file)", r)
    with open(c.path("alfresco-global.properties"), "w") as fp:
        fp.write("db.schema.name=nosuch\n")
    r = c.invoke("pg")
    check(r.rc == 3 and "nosuch" in r.err, "db.schema.name pg: a missing schema is exit 3", r)


def no_select_role():
    """PostgreSQL: a role that may not read one of the tables (the README recommends a read-only
    role; a missed grant is a common mistake) hears that, not "not an Alfresco database"."""
    from fixture import pg_cmd, _run
    c = simple_case("noselect")
    role = "aw_noread_%d" % os.getpid()
    c.conf = {"database": {"user": role}}
    c._built = {"pg": c.build("pg")}
    db = c.dbname("pg")
    _run(pg_cmd(db), stdin=("CREATE ROLE %s LOGIN; GRANT SELECT ON ALL TABLES IN SCHEMA public "
                            "TO %s; REVOKE SELECT ON alf_content_url FROM %s;"
                            % (role, role, role)).encode())
    try:
        r = c.invoke("pg")
        check(r.rc == 3 and "may not read table 'alf_content_url' in 'public'" in r.err and
              "GRANT SELECT ON ALL TABLES IN SCHEMA public" in r.err and r.out == "",
              "no SELECT pg: names the table and the grant, exit 3, nothing printed", r)
        _run(pg_cmd(db), stdin=("GRANT SELECT ON alf_content_url TO %s;" % role).encode())
        r = c.invoke("pg")
        eq(r.rc, 0, "no SELECT pg: with the grant the same role's report runs", r)
    finally:
        _run(pg_cmd(db), stdin=("DROP OWNED BY %s; DROP ROLE %s;" % (role, role)).encode())


def null_url_rows():
    """A URL row with NULL in a column Alfresco declares NOT NULL (the table altered by hand):
    exit 3 naming the row, the column and a hint, nothing printed."""
    alter = {"pg": ("ALTER TABLE alf_content_url ALTER COLUMN %s DROP NOT NULL;"),
             "my": ("ALTER TABLE alf_content_url MODIFY %s %s NULL;")}
    for col, mytype in (("content_url", "VARCHAR(255)"), ("content_size", "BIGINT")):
        for e in ENGINES:
            c = simple_case("nullrow %s %s" % (col, e))
            stmt = alter[e] % ((col,) if e == "pg" else (col, mytype))
            vals = ("NULL, 'x', 1, 5" if col == "content_url"
                    else "'store://2024/6/1/9/0/n.bin', 'n.bin', 1, NULL")
            c.extra_sql.append(stmt)
            c.extra_sql.append("INSERT INTO alf_content_url (id, content_url, content_url_short, "
                               "content_url_crc, content_size, orphan_time) VALUES (990001, %s, "
                               "NULL);" % vals)
            r = c.run(engines=(e,))[e]
            check(r.rc == 3 and r.out == "" and
                  ("alf_content_url 990001: %s is NULL" % col) in r.err and
                  "\nhint: " in r.err and "WHERE id = 990001" in r.err,
                  "a NULL %s %s: exit 3 naming the row and the column, with a hint" % (col, e), r)


def other_input():
    # no configuration anywhere: says so, not only that no database is configured
    if not os.path.exists("/etc/alfwipe/alfwipe.conf"):
        env = {k: v for k, v in os.environ.items() if not k.startswith("ALFWIPE_")}
        r = subprocess.run([os.environ["ALFWIPE"], "report"], capture_output=True, text=True,
                           env=env)
        check(r.returncode == 3 and "no configuration file was read" in r.stderr and
              "/etc/alfwipe/alfwipe.conf does not exist" in r.stderr and r.stdout == "",
              "no alfwipe.conf anywhere: exit 3 saying none was read", r.stderr)
    # a full device as --output: named, with what to do
    c = simple_case("devfull")
    for e, r in c.run(args=["--output", "/dev/full"]).items():
        check(r.rc == 3 and "could not write the report to '/dev/full': No space left" in r.err
              and "hint: Free space" in r.err and r.out == "",
              "--output /dev/full %s: exit 3 naming it, with a hint" % e, r)
    c = simple_case("badflags")
    res = c.run(fmt=None, args=["--format", "xml"])  # the fixture gives --format too
    for e, r in res.items():
        eq((r.rc, r.out), (3, ""), "usage %s: --format xml exits 3, nothing printed" % e, r)
    res = c.run(args=["extra-arg"])
    for e, r in res.items():
        eq((r.rc, r.out), (3, ""), "usage %s: a stray argument exits 3" % e, r)
    # a missing password file
    c = simple_case("nopwfile")
    c.conf = {"database": {"password_file": c.path("does-not-exist")}}
    for e, r in c.run().items():
        eq((r.rc, r.out), (3, ""), "password file %s: missing file exits 3" % e, r)
        check(c.path("does-not-exist") in r.err, "password file %s: names the path" % e, r)
    # an unknown wipe.method is a configuration error for every command, naming key and list
    c = simple_case("badmethod")
    c.conf = {"wipe": {"method": "nonsense"}}
    for e, r in c.run().items():
        eq((r.rc, r.out), (3, ""), "wipe.method %s: an unknown method exits 3" % e, r)
        check("'wipe.method'" in r.err and "'nonsense'" in r.err and "hint: " in r.err
              and "nist-clear" in r.err, "wipe.method %s: names key, value and the methods" % e, r)
    r = c.invoke("pg", command="check")
    eq(r.rc, 3, "wipe.method: check exits 3 on an unknown method", r)
    # --output in a directory that does not exist: exit 3 naming the given path, with a hint
    c = simple_case("outdir")
    bad = c.path("no-such-dir/report.json")
    for e, r in c.run(output=bad).items():
        eq((r.rc, r.out), (3, ""), "--output %s: a missing directory exits 3" % e, r)
        check("'%s'" % bad in r.err and "\nhint: " in r.err,
              "--output %s: names the --output path and gives a hint" % e, r)
    # --output naming a FIFO (or a device such as /dev/null) writes into it, never replaces it
    import stat
    import threading
    fifo = c.path("fifo")
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()), daemon=True)
    reader.start()
    r = c.invoke("pg", args=["--output", fifo])
    reader.join(60)
    check(r.rc == 0 and stat.S_ISFIFO(os.stat(fifo).st_mode) and got and b"items" in got[0],
          "--output a FIFO: the report goes through it and the FIFO stays a FIFO", r)
    check(not [n for n in os.listdir(os.path.dirname(fifo)) if ".tmp." in n],
          "--output a FIFO: no temporary file left")
    r = c.invoke("pg", args=["--output", os.path.dirname(fifo)])
    check(r.rc == 3 and "is a directory" in r.err and "\nhint: " in r.err,
          "--output a directory: exit 3 before any work, with a hint", r)
    # a bad db.url in alfresco-global.properties keeps the hint that says how to fix that URL
    from fixture import ALFWIPE
    props = c.path("bad-url.properties")
    conf = c.path("bad-url.conf")
    with open(conf, "w") as fp:
        fp.write('alfresco = { global_properties = "%s"; };\n' % props)
    for url, hint in (("jdbc:mysql://h1,h2/alfresco", "to the one server"),
                      ("jdbc:postgresql://db/${db.nme}", "Define the property"),
                      ("jdbc:oracle:thin:@db:1521:a", "JVM -D options, JNDI")):
        with open(props, "w") as fp:
            fp.write("db.url=%s\n" % url)
        p = subprocess.run([ALFWIPE, "-c", conf, "report"], capture_output=True, text=True)
        check(p.returncode == 3 and "line 1: db.url '" in p.stderr and hint in p.stderr,
              "db.url %s: exit 3 with its own hint" % url, p.stderr)
    # --output writes the complete report and nothing on stdout
    c = simple_case("output")
    out = c.path("report.json")
    for e, r in c.run(output=out).items():
        eq((r.rc, r.out), (0, ""), "--output %s: exit 0, stdout empty" % e, r)
        check(r.json is not None and len(r.json["items"]) == 1,
              "--output %s: the file holds the whole JSON report" % e, r)


def interrupted():
    """SIGTERM / SIGINT while the report waits on a locked table: exit 143 / 130, no output
    file, nothing on stdout presented as complete."""
    import signal
    import time
    from fixture import pg_cmd, my_cmd, ALFWIPE
    for sig, code in ((signal.SIGTERM, 143), (signal.SIGINT, 130)):
        c = simple_case("sig%d" % code)
        for e in ("pg", "my"):
            conf = c.build(e)
            c.__dict__.setdefault("_built", {})[e] = conf
            db = c.dbname(e)
            if e == "pg":
                locker = subprocess.Popen(pg_cmd(db), stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                locker.stdin.write(b"BEGIN; LOCK TABLE alf_content_url IN ACCESS EXCLUSIVE MODE;"
                                   b" SELECT 'locked';\n")
            else:
                locker = subprocess.Popen(my_cmd() + ["--unbuffered", db], stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                locker.stdin.write(b"LOCK TABLES alf_content_url WRITE; SELECT 'locked';\n")
            locker.stdin.flush()
            import select
            if not select.select([locker.stdout], [], [], 30)[0]:
                locker.kill()
                check(False, "interrupt %s: could not take the table lock" % e)
                continue
            locker.stdout.readline()   # the lock is held from here on
            out = c.path("sig-%s.json" % e)
            env = dict(os.environ)
            if e == "pg":
                env["ALFWIPE_DB_PASSWORD"] = "unused"
            p = subprocess.Popen([ALFWIPE, "-c", conf, "--now",
                                  "2024-06-30T00:00:00Z", "report", "--format", "json",
                                  "--output", out], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, env=env)
            time.sleep(1.5)
            still = p.poll() is None
            p.send_signal(sig)
            so, se = p.communicate(timeout=60)
            locker.stdin.close()
            locker.wait(timeout=30)
            check(still, "interrupt %s %s: the report was waiting on the lock" % (e, sig.name))
            eq(p.returncode, code, "interrupt %s %s: exit %d" % (e, sig.name, code),
               se.decode("utf-8", "replace"))
            check(not any(n.startswith("sig-%s.json" % e) for n in os.listdir(c.dir)),
                  "interrupt %s %s: no output file, no temporary file left" % (e, sig.name))
            check(b"interrupted" in se and so == b"",
                  "interrupt %s %s: says so on stderr, nothing on stdout" % (e, sig.name), se)


ODD = b'2024/5/1/10/15/odd"quote\\back\ttab\xffbyte.bin'


def odd_names():
    c = Case("odd")
    c.f("cs", ODD, 33, "2024-05-01T10:15:00Z")
    res = c.run()
    for e, r in res.items():
        check(r.json is not None, "odd names %s: JSON is valid UTF-8 JSON" % e,
              "%s %s" % (r.json_error, r.raw[:300]))
        if r.json is None:
            continue
        eq(r.rc, 1, "odd names %s: exit as the class dictates (stray: 1)" % e, r)
        its = r.json["items"]
        eq(len(its), 1, "odd names %s: one item" % e)
        it = its[0] if its else {}
        eq(it.get("class"), "stray", "odd names %s: stray" % e)
        check("\ufffd" in it.get("path", ""), "odd names %s: invalid byte shown as U+FFFD" % e, it)
        eq(base64.b64decode(it.get("path_base64", "")), ODD,
           "odd names %s: path_base64 gives the exact bytes" % e, it)
        eq(base64.b64decode(it.get("content_url_base64", "")), b"store://" + ODD,
           "odd names %s: content_url_base64 gives the exact URL bytes" % e, it)
        f = it.get("files", [{}])[0]
        eq(base64.b64decode(f.get("path_base64", "")), ODD,
           "odd names %s: files[].path_base64 too" % e)
    res = c.run(fmt="csv")
    for e, r in res.items():
        eq(r.rc, 1, "odd names %s: CSV exit 1" % e, r)
        text = r.raw.decode("utf-8", "surrogateescape")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        head = rows[0] if rows else []
        check(len(rows) == 2 and all(len(x) == len(head) for x in rows),
              "odd names %s: CSV parses into a header and one row of equal width" % e, text)
        if len(rows) == 2 and "path" in head:
            row = dict(zip(head, rows[1]))
            eq(row["path"].encode("utf-8", "surrogateescape"), ODD,
               "odd names %s: CSV path holds the exact bytes" % e)
            eq(row["content_url"].encode("utf-8", "surrogateescape"), b"store://" + ODD,
               "odd names %s: CSV content_url holds the exact bytes" % e)
            eq((row["class"], row["root"]), ("stray", "contentstore"),
               "odd names %s: CSV class and root" % e)
    res = c.run(fmt="text", global_args=["-v"])
    want = 'odd"quote\\\\back\\x09tab\\xffbyte.bin'
    for e, r in res.items():
        eq(r.rc, 1, "odd names %s: text exit 1" % e, r)
        lines = [ln for ln in r.raw.split(b"\n") if b"quote" in ln]
        check(len(lines) == 2 and all(want.encode() in ln for ln in lines),
              "odd names %s: text escapes the name on the item and file lines (%s)" % (e, want),
              r.raw[-600:])


def odd_root_path():
    """A content root whose path is not UTF-8 keeps its entry in JSON's roots: lossy path plus
    path_base64 with the exact bytes."""
    c = simple_case("oddroot")
    conf = c.build("pg")
    odd = c.dir.encode() + b"/caf\xe9"
    os.makedirs(odd)
    os.makedirs(c.path("contentstore.deleted"), exist_ok=True)
    os.rename(c.path("contentstore"), odd + b"/contentstore")
    os.rename(c.path("contentstore.deleted"), odd + b"/contentstore.deleted")
    with open(conf, "rb") as fp:
        text = fp.read()
    with open(conf, "wb") as fp:
        fp.write(text.replace(c.path("contentstore").encode(), odd + b"/contentstore"))
    c._built = {"pg": conf}
    r = c.invoke("pg")
    eq(r.rc, 0, "odd root path: exit 0", r)
    roots = (r.json or {}).get("roots", [])
    cs = [x for x in roots if x.get("name") == "contentstore"]
    eq(len(cs), 1, "odd root path: the root keeps its entry in roots", roots)
    if cs:
        eq(base64.b64decode(cs[0].get("path_base64", "")), odd + b"/contentstore",
           "odd root path: path_base64 holds the exact bytes", cs)
        check("\ufffd" in cs[0].get("path", ""), "odd root path: lossy path", cs)


def overlapping_roots():
    """Roots that are the same directory or nest (also through a symlink) would count files
    twice and could class live content as contentstore.deleted's: exit 3 naming both."""
    c = simple_case("overlap_same")
    c.conf = {"alfresco": {"contentstore_deleted": c.path("contentstore")}}
    out = c.path("out.json")
    res = c.run(output=out)
    no_output("overlap same", c, res, out)
    for e, r in res.items():
        check("'contentstore'" in r.err and "'contentstore_deleted'" in r.err and
              "same directory" in r.err, "overlap same %s: names both roots" % e, r)
    c = simple_case("overlap_extra")
    c.extra_roots = ["extra"]
    os.makedirs(c.path("contentstore"), exist_ok=True)
    c.conf = {"alfresco": {"extra_roots": [c.path("alf", "inside")]}}
    os.makedirs(c.path("alf"), exist_ok=True)
    os.symlink(c.path("contentstore", "2024"), c.path("alf", "inside"))
    res = c.run(output=out)
    no_output("overlap nested", c, res, out)
    for e, r in res.items():
        check("overlap" in r.err and "extra_roots[0]" in r.err,
              "overlap nested %s: a root inside contentstore through a symlink" % e, r)
    # the same directories through a bind mount: another path, the same device and inode
    if os.geteuid() != 0:
        print("# not root: overlaps through bind mounts are not tried")
        return
    for name, src, what in (("bind_same", "contentstore", "same directory"),
                            ("bind_parent", "", "overlap")):
        c = simple_case(name)
        os.makedirs(c.path("contentstore"), exist_ok=True)
        mnt = c.path("mnt")
        os.makedirs(mnt, exist_ok=True)
        subprocess.run(["mount", "--bind", c.path(src) if src else c.path(), mnt], check=True)
        try:
            c.conf = {"alfresco": {"contentstore_deleted": mnt}}
            res = c.run(output=out)
            wipe = c.run(command="wipe", args=("--dry-run",), engines=("pg",))
        finally:
            subprocess.run(["umount", mnt], check=True)
        no_output("overlap %s" % name, c, res, out)
        for e, r in res.items():
            check(r.rc == 3 and "'contentstore'" in r.err and "'contentstore_deleted'" in r.err
                  and what in r.err,
                  "overlap %s %s: a bind mount of %s is refused, naming both roots"
                  % (name, e, src or "the parent"), r)
        for e, r in wipe.items():
            check(r.rc == 3 and "overlaps the live content store" in r.err,
                  "overlap %s: wipe refuses a bind mount of %s as contentstore.deleted"
                  % (name, src or "the parent"), r)


def extreme_values():
    """Row values at the ends of the 64-bit range: ages and instants are held at the limits, no
    arithmetic overflows (the sanitizer build stops at one), the report keeps its real status."""
    c = simple_case("extreme")
    c.u("late", "store://2024/6/1/9/0/late.bin", 1, 9223372036854775807)
    c.u("early", "store://2024/6/1/9/0/early.bin", 1, -9223372036854775807)
    c.u("future", "store://2024/6/1/9/0/future.bin", 1, 99999999999999)
    c.f("cs", "2024/6/1/9/0/late.bin", 1, "2024-06-01T09:00:00Z")
    c.f("cs", "2024/6/1/9/0/early.bin", 1, "2024-06-01T09:00:00Z")
    c.f("cs", "2024/6/1/9/0/future.bin", 1, "2024-06-01T09:00:00Z")
    for e, r in c.run().items():
        late, early = r.item(content_url="store://2024/6/1/9/0/late.bin"), \
            r.item(content_url="store://2024/6/1/9/0/early.bin")
        future = r.item(content_url="store://2024/6/1/9/0/future.bin")
        check(r.json is not None and "runtime error" not in r.err and r.rc == 1,
              "extreme %s: the report completes with its status (WARNING: a kept orphan)" % e,
              r)
        if not (late and early and future):
            continue
        eq((late["class"], early["class"], future["class"]),
           ("orphan_protected", "orphan_kept", "orphan_protected"),
           "extreme %s: orphan marks at the limits classed by their value (negative: kept)" % e)
        check(late["age_days"] is not None and late["age_days"] <= 0 and
              future["age_days"] is not None and future["age_days"] < -10 ** 6,
              "extreme %s: ages from marks in the future are negative, held at the limit"
              % e, (late, future))


def relative_roots():
    """Alfresco's default ./alf_data is nobody's setting: no warning on every command. A relative
    dir.root someone put in alfresco-global.properties is warned about."""
    import tempfile
    d = tempfile.mkdtemp(dir=os.environ.get("AW_TMP"))
    conf = os.path.join(d, "api-only.conf")
    with open(conf, "w") as fp:
        fp.write('api = { url = "https://alfresco.example/alfresco"; user = "admin"; };\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALFWIPE_")}
    alfwipe = os.environ["ALFWIPE"]
    r = subprocess.run([alfwipe, "-c", conf, "check"], capture_output=True, text=True, env=env)
    check(r.returncode == 0 and "relative path" not in r.stderr,
          "defaults only: check exits 0 without a relative-path warning", r.stderr)
    r = subprocess.run([alfwipe, "-c", d, "check"], capture_output=True, text=True, env=env)
    check(r.returncode == 3 and "is not a regular file" in r.stderr and "\nhint: " in r.stderr,
          "-c naming a directory: exit 3 with a hint", r.stderr)
    # the commands that read the stores refuse the default's relative path, even where it
    # exists below the directory they are started from
    dbconf = os.path.join(d, "db-only.conf")
    with open(dbconf, "w") as fp:
        fp.write('database = { type = "postgresql"; host = "%s"; port = %s; user = "%s"; };\n'
                 % (os.environ["AW_PG_HOST"], os.environ["AW_PG_PORT"], os.environ["AW_PG_USER"]))
    os.makedirs(os.path.join(d, "alf_data", "contentstore"))
    for cmd in (["report"], ["verify", "--url", "store://2024/1/1/0/0/a.bin"]):
        r = subprocess.run([alfwipe, "-c", dbconf] + cmd, capture_output=True, text=True,
                           env=env, cwd=d)
        check(r.returncode == 3 and r.stdout == "" and
              "content root 'contentstore' ('./alf_data/contentstore'" in r.stderr and
              "is a relative path" in r.stderr and "alfresco.dir_root" in r.stderr,
              "defaults only: %s refuses the relative ./alf_data, with the fix" % cmd[0],
              r.stderr)
    props = os.path.join(d, "alfresco-global.properties")
    with open(props, "w") as fp:
        fp.write("dir.root=alf_data\n")
    conf2 = os.path.join(d, "props.conf")
    with open(conf2, "w") as fp:
        fp.write('alfresco = { global_properties = "%s"; };\n' % props)
    r = subprocess.run([alfwipe, "-c", conf2, "check"], capture_output=True, text=True, env=env)
    check("contentstore 'alf_data/contentstore'" in r.stderr and "relative path" in r.stderr
          and "alfresco.dir_root" in r.stderr,
          "relative dir.root from the properties file: warned, with the fix", r.stderr)


def odd_deleted_names():
    """A file in contentstore.deleted whose name gives no content URL (not UTF-8, or a
    backslash, which Alfresco reads as a separator) is deleted, and invalid_url: alfwipe wipe
    cannot check it against the database and refuses it, so the report does not offer it as
    an ordinary wipe candidate."""
    c = Case("odd deleted")
    c.f("del", b"2024/5/1/10/15/del\xe9.bin", 10, "2024-05-01T10:15:00Z")
    c.f("del", "2024/5/1/10/15/back\\slash.bin", 11, "2024-05-01T10:15:00Z")
    c.f("del", "2024/5/1/10/15/fine.bin", 12, "2024-05-01T10:15:00Z")
    for e, r in c.run().items():
        its = (r.json or {}).get("items", [])
        got = sorted((it.get("size"), it.get("class"), tuple(it.get("findings") or ()))
                     for it in its)
        eq(got, [(10, "deleted", ("invalid_url",)), (11, "deleted", ("invalid_url",)),
                 (12, "deleted", ())],
           "odd deleted names %s: deleted, and invalid_url where the name gives no URL" % e, its)
        eq(r.rc, 1, "odd deleted names %s: exit 1 (WARNING)" % e, r)
        reasons = " ".join(((r.json or {}).get("status") or {}).get("reasons", []))
        check("2 item(s) without a usable content URL (invalid_url)" in reasons,
              "odd deleted names %s: the status says why" % e, reasons)


def unnormalised_urls():
    """A referenced URL that is no plain path names, for Alfresco (java.io.File), a file that no
    URL names exactly: store://a//b.bin is a/b.bin, and store://../contentstore.deleted/b.bin
    passes Alfresco's check of normalised text and opens that file of contentstore.deleted.
    Such a file in contentstore.deleted is deleted_referenced, naming the URL's nodes, as the
    wipe refuses it; the URL itself is invalid_url."""
    c = Case("unnormalised")
    files = {"double": ("2024/11/1/0/0//a.bin", "2024/11/1/0/0/a.bin"),
             "leave": ("../contentstore.deleted/2024/11/2/0/0/f.bin", "2024/11/2/0/0/f.bin")}
    for key, (url_rel, rel) in files.items():
        c.u(key, "store://" + url_rel, 30)
        c.d("d-" + key, key)
        c.n("n-" + key, "workspace/SpacesStore", "uuid-unnorm-" + key)
        c.p("n-" + key, "cm:content", "d-" + key)
        c.f("del", rel, 30, "2024-05-02T09:01:00Z")
    # the live store is mounted and holds content (an empty one is refused as unmounted)
    c.u("live", "store://2024/11/4/0/0/live.bin", 30)
    c.d("d-live", "live")
    c.n("n-live", "workspace/SpacesStore", "uuid-unnorm-live")
    c.p("n-live", "cm:content", "d-live")
    c.f("cs", "2024/11/4/0/0/live.bin", 30, "2024-05-02T09:01:00Z")
    # the same shapes, orphaned: their files stay wipe candidates
    c.u("orph", "store://2024/11/3/0/0//o.bin", 30, orphan=1700000000000)
    c.f("del", "2024/11/3/0/0/o.bin", 30, "2024-05-02T09:01:00Z")
    for e, r in c.run().items():
        check(r.json is not None, "unnormalised %s: a JSON report" % e, r)
        its = (r.json or {}).get("items", [])
        disk = {it.get("path"): it for it in its if it.get("root") == "contentstore_deleted"}
        for key, (url_rel, rel) in files.items():
            it = disk.get(rel, {})
            eq((it.get("class"), it.get("node_refs")),
               ("deleted_referenced", ["workspace://SpacesStore/uuid-unnorm-" + key]),
               "unnormalised %s %s: the file is deleted_referenced, naming the node" % (e, key),
               it)
            u = [x for x in its if x.get("content_url") == "store://" + url_rel]
            eq([("invalid_url" in (x.get("findings") or [])) for x in u], [True],
               "unnormalised %s %s: the URL item is invalid_url" % (e, key), u)
        eq(disk.get("2024/11/3/0/0/o.bin", {}).get("class"), "deleted",
           "unnormalised %s: an orphaned URL of that shape protects nothing" % e, disk)


def unnormalised_other_stores():
    """A referenced URL that is no plain path, read from an extra root (a store selector's
    second store, deeper than contentstore) or through a symbolic link in contentstore before
    a '..' (the kernel goes up from the link's target), names a file of contentstore.deleted:
    deleted_referenced, as the wipe refuses it."""
    c = Case("unnormalised stores")
    c.extra_roots.append(os.path.join("stores", "of", "second"))
    files = {"extra": ("../../../contentstore.deleted/2024/11/5/0/0/x.bin", "2024/11/5/0/0/x.bin"),
             "link": ("2024/lnk/../../contentstore.deleted/2024/11/6/0/0/y.bin",
                      "2024/11/6/0/0/y.bin")}
    for key, (url_rel, rel) in files.items():
        c.u(key, "store://" + url_rel, 30)
        c.d("d-" + key, key)
        c.n("n-" + key, "workspace/SpacesStore", "uuid-unst-" + key)
        c.p("n-" + key, "cm:content", "d-" + key)
        c.f("del", rel, 30, "2024-05-02T09:01:00Z")
    c.u("live", "store://2024/11/4/0/0/live.bin", 30)
    c.d("d-live", "live")
    c.n("n-live", "workspace/SpacesStore", "uuid-unst-live")
    c.p("n-live", "cm:content", "d-live")
    c.f("cs", "2024/11/4/0/0/live.bin", 30, "2024-05-02T09:01:00Z")
    c.f("del", "2024/11/7/0/0/free.bin", 30, "2024-05-02T09:01:00Z")
    # contentstore/2024/lnk -> <case>/sib/deeper: lnk/../.. is <case>
    c._write_files()
    os.makedirs(c.path("sib", "deeper"))
    os.symlink(c.path("sib", "deeper"), c.path("contentstore", "2024", "lnk"))
    for e, r in c.run().items():
        its = (r.json or {}).get("items", [])
        disk = {it.get("path"): it for it in its if it.get("root") == "contentstore_deleted"}
        for key, (url_rel, rel) in files.items():
            it = disk.get(rel, {})
            eq((it.get("class"), it.get("node_refs")),
               ("deleted_referenced", ["workspace://SpacesStore/uuid-unst-" + key]),
               "unnormalised from %s %s: the file is deleted_referenced, naming the node"
               % (key, e), it)
        eq(disk.get("2024/11/7/0/0/free.bin", {}).get("class"), "deleted",
           "unnormalised from other stores %s: a file no URL names stays deleted" % e, disk)


def odd_db_urls():
    """Content URLs whose text holds what a row format must escape (a tab, a newline, a
    carriage return, a double quote, a backslash, non-ASCII) come back from the database byte
    for byte: each is matched to its file, one live item, no missing file. PostgreSQL streams
    these rows through COPY's text format, which escapes exactly these bytes. The backslash
    case runs on PostgreSQL only: the fixture's SQL literals leave backslashes to the engine,
    and MySQL reads them as escapes."""
    names = {
        "both": ['2024/5/2/9/1/tab\there.bin', '2024/5/2/9/1/nl\nhere.bin',
                 '2024/5/2/9/1/cr\rhere.bin', '2024/5/2/9/1/q"uote \u00e9t\u00e9.bin'],
        "postgresql": ['2024/5/2/9/1/back\\slash.bin', '2024/5/2/9/1/a\\N.bin',
                       '2024/5/2/9/1/x\\x41\\101\\t.bin'],
    }
    for which, paths in names.items():
        c = Case("odd db urls " + which)
        for i, path in enumerate(paths):
            key = "k%d" % i
            url = "store://" + path
            c.u(key, url, 20 + i)
            c.d("d-" + key, key)
            # a node uuid that is exactly backslash-N: COPY's NULL marker, escaped
            uuid = "\\N" if which == "postgresql" and i == 1 else "uuid-odd-%s-%d" % (which, i)
            c.n("n-" + key, "workspace/SpacesStore", uuid)
            c.p("n-" + key, "cm:content", "d-" + key)
            c.f("cs", path, 20 + i, "2024-05-02T09:01:00Z")
        res = c.run(engines=("pg",) if which == "postgresql" else ("pg", "my"))
        for e, r in res.items():
            tag = "odd db urls %s %s" % (which, e)
            eq(r.rc, 0, "%s: exit 0 (every URL live with its file)" % tag, r)
            its = (r.json or {}).get("items", [])
            eq(sorted(it.get("content_url") for it in its),
               sorted("store://" + p for p in paths),
               "%s: one item per URL, the exact URL text" % tag, its)
            eq(sorted(set(it.get("class") for it in its)), ["live"],
               "%s: all live" % tag, its)
            eq([it.get("findings") for it in its if it.get("findings")], [],
               "%s: no findings (no missing_file, no stray)" % tag, its)
            eq(sorted(it.get("size") for it in its), [20 + i for i in range(len(paths))],
               "%s: sizes from the rows" % tag, its)
            if which == "postgresql":
                check(any(it.get("node_refs") == ["workspace://SpacesStore/\\N"] for it in its),
                      "%s: a node uuid of backslash-N is text, not NULL" % tag, its)


def main():
    for fn in (e1, e2, e3, e4, e5, e6, e7, e8, e9, schema_variants, other_input, interrupted,
               odd_names, relative_roots, overlapping_roots, odd_root_path, extreme_values,
               no_select_role, odd_db_urls, odd_deleted_names,
               unnormalised_urls, unnormalised_other_stores, null_url_rows):
        try:
            fn()
        except Exception:
            import traceback
            check(False, "%s ran" % fn.__name__, traceback.format_exc())
    finish()


if __name__ == "__main__":
    main()
