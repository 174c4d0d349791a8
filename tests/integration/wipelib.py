"""Helpers of the t_wipe_*.py tests: a throwaway Alfresco-schema database on the run.sh
PostgreSQL, content stores with marker files, alfwipe.conf, runs of 'alfwipe wipe', the
certificate checker (tests/integration/certcheck.c built against libalfwipe.a) and ok/not ok
reporting."""
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
import zlib

ALFWIPE = os.environ.get("ALFWIPE", "")
SRC = os.environ.get("AW_SRC", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
TMP = os.environ.get("AW_TMP", "/tmp")
BUILD = os.path.dirname(ALFWIPE) if ALFWIPE else os.path.join(SRC, "build")
DAY = 86400

_fails = []
_oks = [0]


def ok(cond, msg, ctx=None):
    if cond:
        _oks[0] += 1
        print("ok - " + msg)
    else:
        _fails.append(msg)
        print("not ok - " + msg)
        if ctx is not None:
            print("  # " + str(ctx).replace("\n", "\n  # "))
    return cond


def eq(got, want, msg, ctx=None):
    return ok(got == want, "%s (got %r, want %r)" % (msg, got, want) if got != want else msg, ctx)


def finish():
    print("# %d passed, %d failed" % (_oks[0], len(_fails)))
    sys.exit(1 if _fails else 0)


def sh(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        raise RuntimeError("%s failed (exit %d): %s" % (" ".join(cmd[:4]), p.returncode,
                                                        p.stderr.strip()[-2000:]))
    return p


# ---- database ------------------------------------------------------------------------------

class PG:
    """One database of its own on the run.sh PostgreSQL, with the Alfresco schema loaded."""

    def __init__(self, name):
        self.host = os.environ["AW_PG_HOST"]
        self.port = os.environ["AW_PG_PORT"]
        self.user = os.environ["AW_PG_USER"]
        self.name = name
        self.psql("postgres", "DROP DATABASE IF EXISTS %s" % name)
        self.psql("postgres", "CREATE DATABASE %s" % name)
        for f in ("schema.sql", "bootstrap.sql"):
            sh(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", self.host, "-p", self.port, "-U",
                self.user, "-d", name, "-f", os.path.join(SRC, "sql", "pg", f)])
        self.next_id = 90000

    def conf_group(self):
        return ('database = { type = "postgresql"; host = "%s"; port = %s; name = "%s"; '
                'user = "%s"; };' % (self.host, self.port, self.name, self.user))

    def psql(self, db, sql):
        return sh(["psql", "-q", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", self.host,
                   "-p", self.port, "-U", self.user, "-d", db, "-c", sql]).stdout

    def sql(self, sql):
        return self.psql(self.name, sql)

    def add_url(self, url, referenced=True, store_id=65, short=None, crc=None):
        """A content URL row; when referenced, an alf_content_data row and a live cm:content
        node in workspace://SpacesStore pointing at it. short and crc override the values
        Alfresco would write (an inconsistent row). Returns the node ref (or None)."""
        i = self.next_id
        self.next_id += 10
        short = short if short is not None else url.lower()[-12:]
        crc = crc if crc is not None else zlib.crc32(url.encode()) & 0xFFFFFFFF
        url = url.replace("'", "''")
        short = short.replace("'", "''")
        stmts = ["INSERT INTO alf_content_url (id, content_url, content_url_short, "
                 "content_url_crc, content_size, orphan_time) VALUES (%d, '%s', '%s', %d, 10, "
                 "NULL)" % (i, url, short, crc)]
        ref = None
        if referenced:
            u = str(uuid.uuid4())
            stmts += [
                "INSERT INTO alf_content_data (id, version, content_url_id, content_mimetype_id,"
                " content_encoding_id, content_locale_id) VALUES (%d, 0, %d, 41, 51, 31)"
                % (i + 1, i),
                "INSERT INTO alf_node (id, version, store_id, uuid, transaction_id, "
                "type_qname_id, locale_id) VALUES (%d, 1, %d, '%s', 501, 128, 31)"
                % (i + 2, store_id, u),
                "INSERT INTO alf_node_properties (node_id, actual_type_n, persisted_type_n, "
                "long_value, qname_id, list_index, locale_id) VALUES (%d, 21, 3, %d, 128, -1, 31)"
                % (i + 2, i + 1)]
            ref = "workspace://SpacesStore/" + u
        self.sql("; ".join(stmts))
        return ref


# ---- content stores ------------------------------------------------------------------------

def marker(tag):
    """A unique 30-byte marker."""
    m = ("MK-%s-" % tag).encode()
    m += uuid.uuid4().hex.encode()
    return m[:30]


def put(path, data=None, size=None, tag=None, age_days=30):
    """Write a file filled with a marker (or data); returns the marker."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    mk = marker(tag or os.path.basename(path))
    if data is None:
        n = size if size is not None else 4096
        data = (mk * (n // 30 + 1))[:n]
    with open(path, "wb") as f:
        f.write(data)
    if age_days is not None:
        t = time.time() - age_days * DAY
        os.utime(path, (t, t))
    return mk


class Store:
    """alf_data with contentstore and contentstore.deleted, state dir and alfwipe.conf."""

    def __init__(self, name, base=None, db=None, extra=""):
        self.dir = os.path.join(base or TMP, name)
        shutil.rmtree(self.dir, ignore_errors=True)
        self.alf = os.path.join(self.dir, "alf_data")
        self.cs = os.path.join(self.alf, "contentstore")
        self.dl = os.path.join(self.alf, "contentstore.deleted")
        self.state = os.path.join(self.dir, "state")
        self.cert = os.path.join(self.state, "certificate.jsonl")
        for d in (self.cs, self.dl, self.state):
            os.makedirs(d, exist_ok=True)
        # The live store is mounted and holds content, as a wipe requires when the database
        # references store:// URLs (an empty contentstore is refused as unmounted).
        self.live = os.path.join(self.cs, "2020", "1", "1", "0", "0", "live-fixture.bin")
        os.makedirs(os.path.dirname(self.live), exist_ok=True)
        with open(self.live, "wb") as f:
            f.write(b"live content of the fixture\n")
        self.conf = os.path.join(self.dir, "alfwipe.conf")
        self.db = db
        self.write_conf(extra)

    def write_conf(self, extra=""):
        lines = ['alfresco = { dir_root = "%s"; };' % self.alf,
                 'wipe = { lock_file = "%s/wipe.lock"; state_dir = "%s"; certificate = "%s";'
                 ' operator = "test operator"; %s };' % (self.state, self.state, self.cert,
                                                         extra)]
        if self.db:
            lines.append(self.db.conf_group())
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")

    def d(self, rel):
        return os.path.join(self.dl, rel)


class Run:
    def __init__(self, argv, p):
        self.argv, self.rc, self.out, self.err = argv, p.returncode, p.stdout, p.stderr

    def json(self):
        return json.loads(self.out)

    def __str__(self):
        return "argv: %s\nrc=%s\nstdout: %s\nstderr: %s" % (" ".join(self.argv), self.rc,
                                                           self.out[-3000:], self.err[-3000:])


def wipe(store, *args, env=None, timeout=600, glob=(), cmd="wipe"):
    argv = [ALFWIPE, "-c", store.conf] + list(glob) + [cmd] + list(args)
    e = dict(os.environ)
    for k in list(e):
        if k.startswith("ALFWIPE_TEST_"):
            del e[k]
    e.update(env or {})
    p = subprocess.run(argv, capture_output=True, text=True, env=e, timeout=timeout)
    return Run(argv, p)


def run_on_pty(argv, timeout=300):
    """Run argv with stderr on a pseudo-terminal (stdout a pipe): (rc, stdout, stderr, secs)."""
    import pty
    import time
    master, slave = pty.openpty()
    t0 = time.time()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=slave, text=True)
    os.close(slave)
    out = p.stdout.read()
    p.wait(timeout=timeout)
    secs = time.time() - t0
    err = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:   # EIO once the other side is closed
            break
        if not chunk:
            break
        err += chunk
    os.close(master)
    return p.returncode, out, err.decode(errors="replace"), secs


def records(store, run=None):
    """The certificate's lines as dicts (all, or those of one run id)."""
    if not os.path.exists(store.cert):
        return []
    out = [json.loads(l) for l in open(store.cert)]
    return [r for r in out if run is None or r["run"] == run]


def last_run(store):
    """(header, files, footer) of the last run in the certificate."""
    recs = records(store)
    hs = [i for i, r in enumerate(recs) if r["type"] == "header"]
    if not hs:
        return None, [], None
    tail = recs[hs[-1]:]
    files = [r for r in tail if r["type"] == "file"]
    foot = [r for r in tail if r["type"] == "footer"]
    return tail[0], files, foot[0] if foot else None


def by_path(files):
    return {r["path"]: r for r in files}


_certcheck = []


def certcheck(path, keyfile=None):
    """Run cert_verify through tests/integration/certcheck.c: (exit code, {key: value})."""
    if not _certcheck:
        lib = os.path.join(BUILD, "libalfwipe.a")
        out = os.path.join(TMP, "certcheck")
        pkgs = ["libpq", "libconfig", "libcurl", "jansson", "libcrypto", "zlib", "mysqlclient"]
        libs = sh(["pkg-config", "--libs"] + pkgs).stdout.split()
        cflags = sh(["pkg-config", "--cflags"] + pkgs).stdout.split()
        cmd = ["cc", "-std=c17", "-D_GNU_SOURCE", "-g", "-I" + os.path.join(SRC, "include")] + \
            cflags + ["-o", out, os.path.join(SRC, "tests", "integration", "certcheck.c"),
                      lib] + libs + ["-pthread", "-lm"]
        if "__asan" in subprocess.run(["nm", lib], capture_output=True, text=True).stdout:
            cmd[1:1] = ["-fsanitize=address,undefined"]
        sh(cmd)
        _certcheck.append(out)
    argv = [_certcheck[0], path] + ([keyfile] if keyfile else [])
    p = subprocess.run(argv, capture_output=True, text=True)
    res = {}
    for line in p.stdout.splitlines():
        k, _, v = line.partition(" ")
        if k != "file":
            res[k] = v
    return p.returncode, res


def hook_script(store, body):
    """An ALFWIPE_TEST_HOOK program: a Python script receiving EVENT A1 A2."""
    path = os.path.join(store.dir, "hook%d.py" % (len(os.listdir(store.dir))))
    with open(path, "w") as f:
        f.write("#!/usr/bin/env python3\nimport os, sys, signal, time\n"
                "ev, a1, a2 = sys.argv[1], sys.argv[2], sys.argv[3]\n" + body + "\n")
    os.chmod(path, 0o755)
    return path


def count_in(path, needle):
    """Copies of needle in a file read raw (an image, a file)."""
    n = 0
    tail = b""
    with open(path, "rb") as f:
        while True:
            chunk = f.read(16 << 20)
            if not chunk:
                break
            buf = tail + chunk
            n += buf.count(needle)
            # keep less than one needle so a copy is never counted twice
            tail = buf[-(len(needle) - 1):]
    return n


def sha(path):
    import hashlib
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


class MY(PG):
    """The same on the run.sh MariaDB (root over the socket)."""

    def __init__(self, name, charset=None):
        self.sock = os.environ["AW_MY_SOCKET"]
        self.user = os.environ["AW_MY_USER"]
        self.name = name
        self.host = None
        self.port = os.environ.get("AW_MY_PORT", "3306")
        self.admin("DROP DATABASE IF EXISTS %s; CREATE DATABASE %s%s"
                   % (name, name, " CHARACTER SET " + charset if charset else ""))
        for f in ("schema.sql", "bootstrap.sql"):
            with open(os.path.join(SRC, "sql", "mysql", f)) as fh:
                self.admin(fh.read(), db=name)
        self.next_id = 90000

    def admin(self, sql, db=None):
        cmd = ["mariadb", "--no-defaults", "--socket=" + self.sock, "-u", self.user, "--batch",
               "--skip-column-names"] + ([db] if db else [])
        return sh(cmd, input=sql).stdout

    def sql(self, sql):
        return self.admin(sql, db=self.name)

    def conf_group(self):
        return ('database = { type = "mysql"; socket = "%s"; name = "%s"; user = "%s"; };'
                % (self.sock, self.name, self.user))
