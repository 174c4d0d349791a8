#!/usr/bin/env python3
"""The MySQL/MariaDB backend against real MariaDB servers.

Uses the runner's server (AW_MY_SOCKET, AW_MY_PORT, AW_MY_USER; started with
scripts/mytmp.sh when the variables are missing) for everything that leaves the server
running, and a private server with TLS in AW_TMP for the TLS modes and for a server killed in
the middle of a result. tests/integration/dbprobe_my.c, built here against libalfwipe.a,
drives db_open / db_check_schema / db_query and prints rows.

Checked: socket and TCP connections; the read-only REPEATABLE READ snapshot (state, refused
write, unchanged view while another session commits); the schema and bootstrap files (load,
schema check, same tables, columns and statements as the PostgreSQL files); values printed as
PostgreSQL prints them (BIT, unsigned CRC, long TEXT, bytea, dates, floats, NULL, time zone);
placeholders; byte-wise URL order and comparison under a case-insensitive collation; 200,000
streamed rows in bounded memory; stopping a query from the callback; nested queries refused;
wrong password, unknown database, refused port, bad and unmet sslmode, a killed connection and
a killed server each giving a clear error and exit 3.
"""
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SRC = os.environ.get("AW_SRC") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
TMP = os.environ.get("AW_TMP") or tempfile.mkdtemp(prefix="t_db_mysql.")
ALFWIPE = os.environ.get("ALFWIPE") or os.path.join(SRC, "build", "alfwipe")
BUILD = os.path.dirname(os.path.abspath(ALFWIPE))
DB = "t_db_mysql_%d" % os.getpid()
PASSWORD = "s3cret-pw"

failures = []
cleanups = []


def check(cond, what, detail=""):
    if cond:
        print("ok - %s" % what)
    else:
        print("not ok - %s" % what)
        if detail:
            print("    " + str(detail).replace("\n", "\n    "))
        failures.append(what)


def eq(got, want, what, detail=""):
    # detail may be a Res (command result) or any other object: print it as text
    detail = str(detail) if detail != "" else ""
    check(got == want, what, "got %r, want %r%s" % (got, want, "\n" + detail if detail else ""))


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


# ---- servers -----------------------------------------------------------------------------

def shared_server():
    """The runner's MariaDB, or one of our own from scripts/mytmp.sh."""
    if os.environ.get("AW_MY_SOCKET"):
        return {k: os.environ[k] for k in ("AW_MY_SOCKET", "AW_MY_PORT", "AW_MY_USER")}
    d = tempfile.mkdtemp(prefix="aw-mysrv.", dir="/tmp")
    os.chmod(d, 0o755)
    cleanups.append(lambda: shutil.rmtree(d, ignore_errors=True))
    out = sh(["sh", os.path.join(SRC, "scripts", "mytmp.sh"), "start", d]).stdout
    cleanups.append(lambda: subprocess.run(["sh", os.path.join(SRC, "scripts", "mytmp.sh"),
                                            "stop", d], capture_output=True))
    env = dict(re.findall(r"export (\w+)='([^']*)'", out))
    return env


def admin(srv, sql, db=None, tz=None):
    """SQL as the server's all-powerful test account, through the mariadb client."""
    cmd = ["mariadb", "--no-defaults", "--default-character-set=utf8mb4",
           "--socket=" + srv["AW_MY_SOCKET"], "-u", srv["AW_MY_USER"], "--batch",
           "--skip-column-names"]
    if tz:
        cmd.append("--init-command=SET time_zone = '%s'" % tz)
    if db:
        cmd.append(db)
    return sh(cmd, input=sql).stdout


def server_account():
    for name in ("alfwipe-test", "nobody"):
        if subprocess.run(["id", "-u", name], capture_output=True).returncode == 0:
            return name
    raise RuntimeError("no unprivileged account to run mariadbd as")


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def private_server():
    """A MariaDB of our own with a self-signed TLS certificate, to be killed later."""
    # outside AW_TMP, whose parents the server account may not be allowed to traverse
    d = tempfile.mkdtemp(prefix="aw-my.", dir="/tmp")
    os.chmod(d, 0o755)
    cleanups.append(lambda: shutil.rmtree(d, ignore_errors=True))
    user = server_account()
    as_user = ["runuser", "-u", user, "--"] if os.geteuid() == 0 else []
    sh(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-subj", "/CN=alfwipe-test-server", "-addext", "subjectAltName=IP:127.0.0.1",
        "-keyout", d + "/key.pem", "-out", d + "/cert.pem"])
    if os.geteuid() == 0:
        shutil.chown(d, user)
        for f in ("key.pem", "cert.pem"):
            shutil.chown(os.path.join(d, f), user)
    sh(as_user + ["mariadb-install-db", "--no-defaults", "--datadir=" + d + "/data",
                  "--auth-root-authentication-method=normal", "--skip-test-db"])
    port = free_port()
    sock = d + "/my.sock"
    proc = subprocess.Popen(
        as_user + ["mariadbd", "--no-defaults", "--datadir=" + d + "/data", "--socket=" + sock,
                   "--port=%d" % port, "--bind-address=127.0.0.1", "--pid-file=" + d + "/my.pid",
                   "--log-error=" + d + "/my.err", "--skip-log-bin", "--skip-name-resolve",
                   "--innodb-buffer-pool-size=64M", "--ssl-cert=" + d + "/cert.pem",
                   "--ssl-key=" + d + "/key.pem"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)

    def stop():
        pid = server_pid(d)
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
    cleanups.append(stop)
    srv = {"AW_MY_SOCKET": sock, "AW_MY_PORT": str(port), "AW_MY_USER": "root", "dir": d}
    for _ in range(120):
        if subprocess.run(["mariadb-admin", "--no-defaults", "--socket=" + sock, "-uroot", "ping"],
                          capture_output=True).returncode == 0:
            return srv
        time.sleep(0.5)
    raise RuntimeError("private MariaDB did not start: " + open(d + "/my.err").read()[-2000:])


def server_pid(d):
    """The mariadbd process of a private server (the pid file may lag behind)."""
    try:
        return int(open(os.path.join(d, "my.pid")).read().strip())
    except (OSError, ValueError):
        return None


# ---- the probe ---------------------------------------------------------------------------

def build_probe():
    lib = os.path.join(BUILD, "libalfwipe.a")
    out = os.path.join(TMP, "dbprobe_my")
    pkgs = ["libpq", "libconfig", "libcurl", "jansson", "libcrypto", "zlib", "mysqlclient"]
    libs = sh(["pkg-config", "--libs"] + pkgs).stdout.split()
    cflags = sh(["pkg-config", "--cflags"] + pkgs).stdout.split()
    cmd = ["cc", "-std=c17", "-D_GNU_SOURCE", "-g", "-I" + os.path.join(SRC, "include"),
           "-I" + os.path.join(SRC, "src", "db")] + cflags + [
        "-o", out, os.path.join(SRC, "tests", "integration", "dbprobe_my.c"), lib] + libs + [
        "-pthread", "-lm"]
    # the sanitizer build's library needs the sanitizer runtime at link time
    if "__asan" in subprocess.run(["nm", lib], capture_output=True, text=True).stdout:
        cmd[1:1] = ["-fsanitize=address,undefined"]
    sh(cmd)
    return out


class Res:
    def __init__(self, p):
        self.rc, self.out, self.err = p.returncode, p.stdout, p.stderr

    def __str__(self):
        return "rc=%s\nstdout: %s\nstderr: %s" % (self.rc, self.out[-1500:], self.err[-1500:])


def probe(srv, *args, conn=None, stdin=None, timeout=300):
    """conn: None = socket as AW_MY_USER; ('tcp', user, password) = TCP."""
    env = dict(os.environ)
    env.update({k: v for k, v in srv.items() if k.startswith("AW_MY_")})
    opts = []
    if conn:
        kind, user, pw = conn
        opts += ["-u", user]
        if pw is not None:
            opts += ["-w", pw]
        if kind == "tcp":
            opts += ["-S", "", "-H", "127.0.0.1", "-p", srv["AW_MY_PORT"]]
    p = subprocess.run([PROBE] + opts + list(args), capture_output=True, text=True,
                       input=stdin, env=env, timeout=timeout)
    return Res(p)


def rows(r):
    return [line.split("\t") for line in r.out.splitlines()]


# ---- cases -------------------------------------------------------------------------------

def t_connect(srv):
    r = probe(srv, "-d", DB, "open")
    eq(r.rc, 0, "socket: open succeeds", r)
    f = r.out.strip().split("\t")
    eq((f[0], f[2]) if len(f) == 3 else f, ("mysql", "mysql"), "socket: engine and dialect", r)
    check(len(f) == 3 and "MariaDB" in f[1], "socket: server version from the server", r)

    r = probe(srv, "-d", DB, "open", conn=("tcp", "aw_pw", PASSWORD))
    eq(r.rc, 0, "tcp: open with a password succeeds", r)
    r = probe(srv, "-d", DB, "raw", "SELECT USER()", conn=("tcp", "aw_pw", PASSWORD))
    check(r.out.startswith("aw_pw@127.0.0.1") or r.out.startswith("aw_pw@localhost"),
          "tcp: connected over TCP as the named user", r)
    r = probe(srv, "-d", DB, "raw", "SELECT @@session.character_set_client, "
              "@@session.time_zone, @@session.sql_mode", conn=("tcp", "aw_pw", PASSWORD))
    got = rows(r)[0] if r.rc == 0 else r
    eq(got[:2], ["utf8mb4", "+00:00"], "session: utf8mb4 and UTC", str(r))
    check(all(m in got[2] for m in ("ANSI_QUOTES", "PIPES_AS_CONCAT", "NO_BACKSLASH_ESCAPES")),
          "session: sql_mode reads the shared SQL as PostgreSQL does", str(r))


def t_errors(srv):
    r = probe(srv, "-d", DB, "open", conn=("tcp", "aw_pw", "wrong"))
    eq(r.rc, 3, "wrong password: exit 3", r)
    check("refused user 'aw_pw'" in r.err and "'127.0.0.1:%s'" % srv["AW_MY_PORT"] in r.err
          and "kind: ERR_DB" in r.err, "wrong password: names user, host:port, ERR_DB", r)
    check("hint: " in r.err and "password" in r.err.split("hint: ")[1],
          "wrong password: hint names the password settings", r)
    hint = r.err.split("hint: ")[-1] if "hint: " in r.err else ""
    check("database.user" in hint and "database.password_file" in hint
          and "db.user " not in hint and "db.user)" not in hint,
          "wrong password: the hint names settings that exist (database.user, not db.user)", r)
    eq(r.out, "", "wrong password: nothing on stdout", r)

    r = probe(srv, "-d", "no_such_db", "open")
    eq(r.rc, 3, "unknown database: exit 3", r)
    check("unknown database 'no_such_db'" in r.err and srv["AW_MY_SOCKET"] in r.err
          and "kind: ERR_DB" in r.err, "unknown database: names database and socket", r)
    check("db.name" in r.err, "unknown database: hint names db.name", r)

    port = free_port()
    r = probe(srv, "-S", "", "-H", "127.0.0.1", "-p", str(port), "-d", DB, "open")
    eq(r.rc, 3, "refused port: exit 3", r)
    check("could not connect to mysql server at '127.0.0.1:%d'" % port in r.err,
          "refused port: names host:port", r)

    r = probe(srv, "-S", "", "-H", "127.0.0.1", "-p", srv["AW_MY_PORT"], "-m", "sometimes",
              "-d", DB, "open")
    check(r.rc == 3 and "unknown sslmode 'sometimes'" in r.err and "ERR_CONFIG" in r.err,
          "bad sslmode: refused as a configuration error", r)

    # The shared server has no TLS: 'require' must fail instead of falling back to plain text.
    r = probe(srv, "-m", "require", "-d", DB, "open", conn=("tcp", "aw_pw", PASSWORD))
    check(r.rc == 3 and "ERR_DB" in r.err and "offers no TLS, but sslmode is 'require'" in r.err
          and "hint: " in r.err, "sslmode require without server TLS: refused", r)
    r = probe(srv, "-m", "verify-full", "-d", DB, "open", conn=("tcp", "aw_pw", PASSWORD))
    check(r.rc == 3 and "ERR_DB" in r.err, "sslmode verify-full without server TLS: refused", r)
    # A Unix socket stays on the machine and never carries TLS (as with libpq).
    r = probe(srv, "-m", "require", "-d", DB, "open")
    eq(r.rc, 0, "sslmode require over the Unix socket: accepted", r)
    r = probe(srv, "-m", "disable", "-d", DB, "raw", "SHOW SESSION STATUS LIKE 'Ssl_cipher'",
              conn=("tcp", "aw_pw", PASSWORD))
    eq(rows(r), [["Ssl_cipher", ""]], "sslmode disable: plain connection", str(r))


def t_snapshot(srv):
    r = probe(srv, "-d", DB, "query", "q_txn_state")
    eq(rows(r), [["on", "repeatable read", DB]], "snapshot: q_txn_state read-only, RR", str(r))

    r = probe(srv, "-d", DB, "raw", "INSERT INTO aw_values (id) VALUES (99)")
    check(r.rc == 3 and "READ ONLY" in r.err and "error 1792" in r.err,
          "snapshot: the server refuses a write", r)
    eq(admin(srv, "SELECT COUNT(*) FROM aw_values WHERE id = 99", DB).strip(), "0",
       "snapshot: nothing was written")

    # Another session commits a row between two reads of the same session: not seen.
    env = dict(os.environ)
    env.update({k: v for k, v in srv.items() if k.startswith("AW_MY_")})
    p = subprocess.Popen([PROBE, "-d", DB, "snapshot", "SELECT COUNT(*) FROM aw_values"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, env=env)
    first = p.stdout.readline()
    waiting = p.stdout.readline()
    admin(srv, "INSERT INTO aw_values (id) VALUES (500)", DB)
    out, err = p.communicate("go\n", timeout=60)
    eq((waiting.strip(), out.strip()), ("waiting", first.strip()),
       "snapshot: a row committed meanwhile stays invisible", err)
    admin(srv, "DELETE FROM aw_values WHERE id = 500", DB)


def t_schema_files(srv):
    sdb = DB + "_alf"
    admin(srv, "CREATE DATABASE %s CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci" % sdb)
    cleanups.append(lambda: admin(srv, "DROP DATABASE IF EXISTS %s" % sdb))
    with open(os.path.join(SRC, "sql", "mysql", "schema.sql")) as f:
        admin(srv, f.read(), sdb)
    with open(os.path.join(SRC, "sql", "mysql", "bootstrap.sql")) as f:
        admin(srv, f.read(), sdb)
    r = probe(srv, "-d", sdb, "schema")
    eq(r.out.strip(), "ok encryption=1 server_id=0 min=14002 max=21200",
       "schema files: load and pass db_check_schema", str(r))
    r = probe(srv, "-d", sdb, "query", "q_report_stores")
    eq([x[1:3] for x in rows(r)], [["user", "alfrescoUserStore"], ["system", "system"],
                                   ["workspace", "version2Store"], ["archive", "SpacesStore"],
                                   ["workspace", "SpacesStore"]],
       "schema files: bootstrap stores", str(r))

    # Same tables and columns as sql/pg/schema.sql, column by column.
    pg = open(os.path.join(SRC, "sql", "pg", "schema.sql")).read()
    pg_cols = {}
    for m in re.finditer(r"CREATE TABLE (\w+)\s*\((.*?)\n\);", pg, re.S):
        cols = []
        for line in m.group(2).splitlines():
            w = line.strip().split()
            if w and w[0].islower() and w[0] not in ("constraint",) and not \
                    line.strip().upper().startswith(("PRIMARY", "CONSTRAINT", "UNIQUE", "FOREIGN",
                                                     "REFERENCES")):
                cols.append(w[0])
        pg_cols[m.group(1)] = cols
    my = admin(srv, "SELECT table_name, column_name FROM information_schema.columns "
                    "WHERE table_schema = '%s' ORDER BY table_name, ordinal_position" % sdb)
    my_cols = {}
    for line in my.splitlines():
        t, c = line.split("\t")
        my_cols.setdefault(t, []).append(c)
    eq(sorted(my_cols), sorted(pg_cols), "schema files: same tables as sql/pg/schema.sql")
    for t in sorted(pg_cols):
        eq(my_cols.get(t), pg_cols[t], "schema files: %s has PostgreSQL's columns" % t)

    # Faithful MySQL differences (alfresco-facts 2.15).
    idx = admin(srv, "SELECT table_name, index_name, GROUP_CONCAT(CONCAT(column_name, "
                     "IFNULL(CONCAT('(', sub_part, ')'), '')) ORDER BY seq_in_index) "
                     "FROM information_schema.statistics WHERE table_schema = '%s' "
                     "GROUP BY table_name, index_name" % sdb)
    idx = {(a, b): c for a, b, c in (line.split("\t") for line in idx.splitlines())}
    eq(idx.get(("alf_node_properties", "idx_alf_nprop_s")), "qname_id,string_value(42)",
       "schema files: idx_alf_nprop_s on a 42-character prefix")
    eq(idx.get(("alf_node_properties", "idx_alf_nprop_l")), "qname_id,long_value",
       "schema files: idx_alf_nprop_l without node_id")
    eq(idx.get(("alf_content_url", "idx_alf_conturl_sz")), "content_size",
       "schema files: idx_alf_conturl_sz on content_size only")
    eq(idx.get(("alf_node", "idx_alf_node_mdq")), "store_id,type_qname_id",
       "schema files: idx_alf_node_mdq without trailing id")
    types = admin(srv, "SELECT CONCAT(table_name, '.', column_name), column_type "
                       "FROM information_schema.columns WHERE table_schema = '%s'" % sdb)
    types = dict(line.split("\t") for line in types.splitlines())
    eq((types["alf_node_properties.string_value"], types["alf_node_properties.boolean_value"],
        types["alf_child_assoc.is_primary"]), ("text", "bit(1)", "bit(1)"),
       "schema files: TEXT string_value and BIT booleans")
    eng = admin(srv, "SELECT DISTINCT engine FROM information_schema.tables "
                     "WHERE table_schema = '%s'" % sdb).split()
    eq(eng, ["InnoDB"], "schema files: every table InnoDB")

    # The bootstrap statements are PostgreSQL's, line for line, outside the marked blocks.
    def body(path, tag):
        text = open(os.path.join(SRC, path)).read()
        start = text.index("-- Namespaces")
        return text[start:text.index("-- BEGIN %s-only" % tag)]
    check(body("sql/pg/bootstrap.sql", "pg") == body("sql/mysql/bootstrap.sql", "mysql"),
          "bootstrap: same statements as sql/pg/bootstrap.sql")


def t_values(srv):
    r = probe(srv, "-d", DB, "raw",
              "SELECT id, flag, crc, ubig, f, d, dt, ts, LENGTH(txt), txt, blob_v, dec_v "
              "FROM aw_values WHERE id IN (1, 2) ORDER BY id")
    got = rows(r)
    check(r.rc == 0 and len(got) == 2, "values: two rows", r)
    if r.rc != 0 or len(got) != 2:
        return
    a, b = got
    eq((a[1], b[1]), ("1", "0"), "values: BIT(1) as 1 / 0")
    eq((a[2], b[2]), ("4294967295", "0"), "values: CRC BIGINT up to 4294967295")
    eq(a[3], "18446744073709551615", "values: BIGINT UNSIGNED maximum")
    eq((a[4], a[5]), ("0.1", "0.1"), "values: FLOAT and DOUBLE as PostgreSQL prints them")
    eq((b[4], b[5]), ("1e+06", "1e+15"), "values: large FLOAT and DOUBLE in e-notation")
    eq(a[6], "2024-05-01 10:15:00.12", "values: DATETIME with fraction")
    # written as 15:00 by a session at +05:00, read back in alfwipe's UTC session
    eq(a[7], "2024-05-01 10:00:00", "values: TIMESTAMP in UTC whatever the writer's zone")
    eq(a[8], "70000", "values: long TEXT length from the server")
    want = ("ü" * 35000)
    eq((len(a[9]), hashlib.sha256(a[9].encode()).hexdigest()),
       (len(want), hashlib.sha256(want.encode()).hexdigest()),
       "values: 70,000-byte TEXT fetched whole past the column buffer")
    eq(a[10], "\\\\x00ff10", "values: BLOB as PostgreSQL bytea hex")
    eq(a[11], "-12.500", "values: DECIMAL as sent")
    eq(b[9:11], ["\\N", "\\N"], "values: NULL as NULL")
    r = probe(srv, "-d", DB, "raw", "SELECT CRC32('store://a'), CAST(CRC32('x') AS UNSIGNED) "
              "+ 0, TRUE, 1 = 0, 'a' || 'b', LENGTH('a\\b'), \"id\" FROM aw_values WHERE id = 1")
    eq(rows(r), [["3923078292", "2363233923", "1", "0", "ab", "3", "1"]],
       "values: unsigned CRC32, booleans, || and backslash as PostgreSQL", str(r))


def t_params(srv):
    r = probe(srv, "-d", DB, "raw", "SELECT $2, $1, $2, '$1', $3", "x", "y'z ü", "\\N")
    eq(rows(r), [["y'z ü", "x", "y'z ü", "$1", "\\N"]],
       "params: reused, reordered, quoted, NULL, literal $1 untouched", str(r))
    r = probe(srv, "-d", DB, "raw", "SELECT id FROM aw_values WHERE crc = $1 AND id < $2",
              "4294967295", "100")
    eq(rows(r), [["1"]], "params: text compared with BIGINT columns", str(r))
    r = probe(srv, "-d", DB, "raw", "SELECT $1 -- and $2\n", "one")
    eq(rows(r), [["one"]], "params: $n in a comment is not a parameter", str(r))
    r = probe(srv, "-d", DB, "raw", "SELECT $3", "a")
    check(r.rc == 3 and "uses $3 but has 1 parameter" in r.err,
          "params: a missing parameter is refused before the server", r)
    r = probe(srv, "-d", DB, "raw", "SELEC 1")
    check(r.rc == 3 and "query 'raw' failed on mysql server at socket" in r.err
          and "error 1064" in r.err, "params: a server error names the query and the socket", r)


def t_collation(srv):
    # The database default collation is case-insensitive: prove it, then show that the
    # backend's URL query keeps the case twins apart and in byte order.
    cdb = DB + "_ci"
    admin(srv, "CREATE DATABASE %s CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci" % cdb)
    cleanups.append(lambda: admin(srv, "DROP DATABASE IF EXISTS %s" % cdb))
    with open(os.path.join(SRC, "sql", "mysql", "schema.sql")) as f:
        admin(srv, f.read(), cdb)
    with open(os.path.join(SRC, "sql", "mysql", "bootstrap.sql")) as f:
        admin(srv, f.read(), cdb)
    admin(srv, """
        INSERT INTO alf_content_url (id, content_url, content_url_short, content_url_crc,
            content_size, orphan_time)
        VALUES (101, 'store://2024/5/1/10/15/abc.bin', '/15/abc.bin', 1111, 300, NULL),
               (102, 'store://2024/5/1/10/15/AbC.bin', '/15/abc.bin', 2222, 700, NULL),
               (103, 'store://2024/5/1/10/15/B.bin', '10/15/b.bin', 3333, 5, NULL);""", cdb)
    eq(admin(srv, "SELECT COUNT(*) FROM alf_content_url WHERE content_url = "
                  "'store://2024/5/1/10/15/ABC.BIN'", cdb).strip(), "2",
       "collation: the column itself compares case-insensitively")
    r = probe(srv, "-d", cdb, "query", "q_report_url_rows")
    eq(sorted(x[:3] for x in rows(r)),
       [["101", "store://2024/5/1/10/15/abc.bin", "300"],
        ["102", "store://2024/5/1/10/15/AbC.bin", "700"],
        ["103", "store://2024/5/1/10/15/B.bin", "5"]],
       "collation: q_report_url_rows keeps case twins apart, each with its own bytes", str(r))


def t_streaming(srv):
    r = probe(srv, "-d", DB, "count", "SELECT id, pad FROM aw_big ORDER BY id", "200000")
    m = re.match(r"rows (\d+) bad (\d+) expected \d+ bytes (\d+) peak_rss_kb (\d+)", r.out)
    check(r.rc == 0 and m is not None, "streaming: 200,000 rows read", r)
    if not m:
        return
    eq((int(m.group(1)), int(m.group(2)), int(m.group(3))), (200000, 0, 200000 * 1000),
       "streaming: every row once, in order, 200 MB of values")
    check(int(m.group(4)) < 64 * 1024, "streaming: peak RSS %s kB stays far below the 200 MB "
          "result" % m.group(4), r)

    r = probe(srv, "-d", DB, "stop", "SELECT id, pad FROM aw_big ORDER BY id", "10")
    lines = r.out.splitlines()
    check(len(lines) == 2 and lines[0] == "result -1 rows 10 bad 0"
          and lines[1] == "on\trepeatable read\t" + DB,
          "stop: callback -1 ends the query; the session answers the next one", r)
    check("stopped by the callback after 10 rows" in r.err, "stop: the callback's error kept", r)

    r = probe(srv, "-d", DB, "nested", "SELECT id FROM aw_values WHERE id = 1", "SELECT 1")
    check(r.rc == 3 and "ERR_INTERNAL" in r.err and "still streaming" in r.err,
          "nested: a query inside a row callback is refused clearly", r)


def t_killed_connection(srv):
    """The server ends our connection in the middle of a result (KILL CONNECTION)."""
    env = dict(os.environ)
    env.update({k: v for k, v in srv.items() if k.startswith("AW_MY_")})
    p = subprocess.Popen([PROBE, "-u", "aw_kill", "-w", PASSWORD, "-d", DB, "pause",
                          "SELECT id, pad FROM aw_big ORDER BY id", "1000"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, env=env)
    eq(p.stdout.readline().strip(), "paused", "killed connection: paused mid-stream")
    ids = admin(srv, "SELECT id FROM information_schema.processlist WHERE user = 'aw_kill'")
    for i in ids.split():
        admin(srv, "KILL CONNECTION %s" % i)
    out, err = p.communicate("go\n", timeout=120)
    m = re.search(r"result (-?\d+) rows (\d+)", out)
    check(p.returncode == 3 and m and m.group(1) == "-1" and int(m.group(2)) < 200000,
          "killed connection: the query fails, exit 3, incomplete", out + err)
    check("lost connection to mysql server at socket" in err and "during query 'pause'" in err
          and "kind: ERR_DB" in err, "killed connection: clear ERR_DB naming the query", err)


def t_private_server():
    srv = private_server()
    a = lambda sql, db=None: admin(srv, sql, db)  # noqa: E731
    a("CREATE DATABASE p; CREATE USER 'aw'@'127.0.0.1' IDENTIFIED BY '%s'; "
      "GRANT ALL ON p.* TO 'aw'@'127.0.0.1';" % PASSWORD)
    a("CREATE TABLE big (id BIGINT PRIMARY KEY, pad VARCHAR(1000)); "
      "INSERT INTO big SELECT seq, REPEAT('x', 1000) FROM seq_1_to_50000;", "p")
    tcp = ("tcp", "aw", PASSWORD)

    r = probe(srv, "-m", "require", "-d", "p", "raw", "SHOW SESSION STATUS LIKE 'Ssl_cipher'",
              conn=tcp)
    got = rows(r)
    check(r.rc == 0 and len(got) == 1 and got[0][1] != "", "sslmode require: TLS in use", r)
    r = probe(srv, "-m", "disable", "-d", "p", "raw", "SHOW SESSION STATUS LIKE 'Ssl_cipher'",
              conn=tcp)
    eq(rows(r), [["Ssl_cipher", ""]], "sslmode disable: no TLS although offered", str(r))
    r = probe(srv, "-m", "verify-full", "-d", "p", "open", conn=tcp)
    check(r.rc == 3 and "ERR_DB" in r.err,
          "sslmode verify-full: a self-signed certificate is refused", r)

    # kill -9 the server while rows stream
    env = dict(os.environ)
    env.update({k: v for k, v in srv.items() if k.startswith("AW_MY_")})
    p = subprocess.Popen([PROBE, "-S", "", "-H", "127.0.0.1", "-p", srv["AW_MY_PORT"], "-u", "aw",
                          "-w", PASSWORD, "-d", "p", "pause", "SELECT id, pad FROM big ORDER BY id",
                          "1000"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, env=env)
    eq(p.stdout.readline().strip(), "paused", "killed server: paused mid-stream")
    pid = server_pid(srv["dir"])
    check(pid is not None, "killed server: server pid known")
    if pid:
        os.kill(pid, signal.SIGKILL)
        for _ in range(100):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
    out, err = p.communicate("go\n", timeout=120)
    m = re.search(r"result (-?\d+) rows (\d+)", out)
    check(p.returncode == 3 and m and m.group(1) == "-1" and int(m.group(2)) < 50000,
          "killed server: the query fails, exit 3, incomplete", out + err)
    check("lost connection to mysql server at '127.0.0.1:%s'" % srv["AW_MY_PORT"] in err
          and "kind: ERR_DB" in err and "hint: " in err,
          "killed server: clear ERR_DB naming host:port, with a hint", err)


def setup(srv):
    admin(srv, """
        DROP USER IF EXISTS 'aw_pw'@'127.0.0.1', 'aw_pw'@'localhost', 'aw_kill'@'localhost';
        CREATE DATABASE %(db)s CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
        CREATE USER 'aw_pw'@'127.0.0.1' IDENTIFIED BY '%(pw)s';
        CREATE USER 'aw_pw'@'localhost' IDENTIFIED BY '%(pw)s';
        CREATE USER 'aw_kill'@'localhost' IDENTIFIED BY '%(pw)s';
        GRANT SELECT ON %(db)s.* TO 'aw_pw'@'127.0.0.1';
        GRANT SELECT ON %(db)s.* TO 'aw_pw'@'localhost';
        GRANT SELECT ON %(db)s.* TO 'aw_kill'@'localhost';
        """ % {"db": DB, "pw": PASSWORD})
    cleanups.append(lambda: admin(srv, "DROP DATABASE IF EXISTS %s; DROP USER IF EXISTS "
                                       "'aw_pw'@'127.0.0.1', 'aw_pw'@'localhost', "
                                       "'aw_kill'@'localhost';" % DB))
    admin(srv, """
        CREATE TABLE aw_values (id BIGINT PRIMARY KEY, flag BIT, crc BIGINT,
            ubig BIGINT UNSIGNED, f FLOAT, d DOUBLE, dt DATETIME(6), ts TIMESTAMP NULL,
            txt LONGTEXT, blob_v BLOB, dec_v DECIMAL(20,3)) ENGINE=InnoDB;
        INSERT INTO aw_values VALUES
            (1, 1, 4294967295, 18446744073709551615, 0.1, 0.1, '2024-05-01 10:15:00.120000',
             '2024-05-01 15:00:00', REPEAT('ü', 35000), x'00ff10', -12.5),
            (2, 0, 0, 0, 1000000, 1e15, NULL, NULL, NULL, NULL, 0);
        CREATE TABLE aw_big (id BIGINT PRIMARY KEY, pad VARCHAR(1000)) ENGINE=InnoDB;
        INSERT INTO aw_big SELECT seq, REPEAT('y', 1000) FROM seq_1_to_200000;
        """, DB, tz="+05:00")


def main():
    global PROBE
    try:
        PROBE = build_probe()
        srv = shared_server()
        setup(srv)
        t_connect(srv)
        t_errors(srv)
        t_snapshot(srv)
        t_values(srv)
        t_params(srv)
        t_collation(srv)
        t_schema_files(srv)
        t_streaming(srv)
        t_killed_connection(srv)
        t_private_server()
    except subprocess.CalledProcessError as e:
        check(False, "set-up command %s" % e.cmd[:3], (e.stdout or "") + (e.stderr or ""))
    finally:
        for c in reversed(cleanups):
            try:
                c()
            except Exception as e:  # noqa: BLE001 - clean-up must go on
                print("# clean-up: %s" % e)
    print("%d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
