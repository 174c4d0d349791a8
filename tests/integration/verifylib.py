"""Shared pieces of the t_verify_* tests: a throwaway Alfresco database on the runner's
PostgreSQL and MariaDB (sql/<dialect>/schema.sql + bootstrap.sql, then case rows inserted with
ids looked up, never hard-coded), content roots under AW_TMP, alfwipe.conf, the certgen test program
(tests/integration/certgen.c, built against libalfwipe.a) and check/eq reporting."""
import json
import os
import re
import subprocess
import sys
import zlib

SRC = os.environ.get("AW_SRC") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
TMP = os.environ.get("AW_TMP") or "/tmp"
ALFWIPE = os.environ.get("ALFWIPE") or os.path.join(SRC, "build", "alfwipe")
BUILD = os.path.dirname(os.path.abspath(ALFWIPE))

NS = {
    "sys": "http://www.alfresco.org/model/system/1.0",
    "cm": "http://www.alfresco.org/model/content/1.0",
    "ver2": "http://www.alfresco.org/model/versionstore/2.0",
    "rma": "http://www.alfresco.org/model/recordsmanagement/1.0",
    "rn": "http://www.alfresco.org/model/rendition/1.0",
}

failures = []


def check(cond, what, detail=""):
    if cond:
        print("ok - %s" % what)
    else:
        print("not ok - %s" % what)
        if detail:
            print("    " + str(detail).replace("\n", "\n    "))
        failures.append(what)
    return cond


def eq(got, want, what, detail=""):
    return check(got == want, what, "got %r, want %r%s" % (got, want,
                                                           "\n" + str(detail) if detail else ""))


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def finish():
    print("%d failed" % len(failures))
    return 1 if failures else 0


# ---- databases -------------------------------------------------------------------------

class Db:
    """One Alfresco database on one engine ('pg' or 'mysql')."""

    def __init__(self, engine, name):
        self.engine, self.name = engine, name
        self.ids = {}
        if engine == "pg":
            base = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", os.environ["AW_PG_HOST"],
                    "-p", os.environ["AW_PG_PORT"], "-U", os.environ["AW_PG_USER"]]
            sh(base + ["-d", "postgres", "-c", "DROP DATABASE IF EXISTS %s" % name])
            sh(base + ["-d", "postgres", "-c", "CREATE DATABASE %s" % name])
            self.base = base + ["-d", name]
        else:
            self.base = ["mariadb", "--no-defaults", "--socket=" + os.environ["AW_MY_SOCKET"],
                         "-u", os.environ["AW_MY_USER"], "--batch", "--skip-column-names"]
            # a case-insensitive default collation: URL comparisons must still be byte-wise
            sh(self.base, input="DROP DATABASE IF EXISTS %s; CREATE DATABASE %s CHARACTER SET "
                                "utf8mb4 COLLATE utf8mb4_general_ci;" % (name, name))
            self.base = self.base + [name]
        d = "pg" if engine == "pg" else "mysql"
        for f in ("schema.sql", "bootstrap.sql"):
            self.run(open(os.path.join(SRC, "sql", d, f)).read())
        self.locale = int(self.one("SELECT id FROM alf_locale WHERE locale_str = '.default'"))

    def drop(self):
        if os.environ.get("AW_KEEP") == "1":
            return
        if self.engine == "pg":
            sh(self.base[:-2] + ["-d", "postgres", "-c", "DROP DATABASE IF EXISTS %s" % self.name])
        else:
            sh(self.base[:-1], input="DROP DATABASE IF EXISTS %s;" % self.name)

    def run(self, sql):
        if self.engine == "pg":
            return sh(self.base + ["-A", "-t", "-F", "\t"], input=sql).stdout
        return sh(self.base, input=sql).stdout

    def rows(self, sql):
        return [ln.split("\t") for ln in self.run(sql).splitlines() if ln.strip()]

    def one(self, sql):
        r = self.rows(sql)
        return r[0][0] if r else None

    def next_id(self, table):
        if table not in self.ids:
            self.ids[table] = int(self.one("SELECT COALESCE(MAX(id), 0) FROM %s" % table)) + 1000
        self.ids[table] += 1
        return self.ids[table]

    def qname(self, pq):
        prefix, local = pq.split(":")
        q = self.one("SELECT q.id FROM alf_qname q JOIN alf_namespace n ON n.id = q.ns_id "
                     "WHERE n.uri = '%s' AND q.local_name = '%s'" % (NS[prefix], local))
        if q is None:
            ns = self.one("SELECT id FROM alf_namespace WHERE uri = '%s'" % NS[prefix])
            q = self.next_id("alf_qname")
            self.run("INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (%d, 0, %s, "
                     "'%s');" % (q, ns, local))
        return int(q)

    def store(self, ref):
        proto, ident = ref.split("://")
        return int(self.one("SELECT id FROM alf_store WHERE protocol = '%s' AND identifier = "
                            "'%s'" % (proto, ident)))

    def root(self, ref):
        return int(self.one("SELECT root_node_id FROM alf_store WHERE id = %d" % self.store(ref)))

    def txn(self, commit_ms):
        t = self.next_id("alf_transaction")
        self.run("INSERT INTO alf_transaction (id, version, change_txn_id, commit_time_ms) "
                 "VALUES (%d, 1, 'txn-%d', %d);" % (t, t, commit_ms))
        return t

    def node(self, store, uuid, typ, aspects=(), commit_ms=1717200000000):
        n = self.next_id("alf_node")
        t = self.txn(commit_ms)
        self.run("INSERT INTO alf_node (id, version, store_id, uuid, transaction_id, "
                 "type_qname_id, locale_id, acl_id, audit_creator, audit_created, audit_modifier,"
                 " audit_modified, audit_accessed) VALUES (%d, 1, %d, '%s', %d, %d, %d, NULL, "
                 "'admin', '2024-05-01T10:00:00.000Z', 'admin', '2024-05-01T10:00:00.000Z', "
                 "NULL);" % (n, self.store(store), uuid, t, self.qname(typ), self.locale))
        for a in aspects:
            self.run("INSERT INTO alf_node_aspects (node_id, qname_id) VALUES (%d, %d);"
                     % (n, self.qname(a)))
        return n

    def url(self, url, size, orphan_time=None, short=None, crc=None):
        """An alf_content_url row; short and crc override the values Alfresco derives from the
        URL (an inconsistent row, which the (short, crc) index lookup misses)."""
        u = self.next_id("alf_content_url")
        if short is None:
            short = url.lower()[-12:]
        if crc is None:
            crc = zlib.crc32(url.encode()) & 0xffffffff
        self.run("INSERT INTO alf_content_url (id, content_url, content_url_short, "
                 "content_url_crc, content_size, orphan_time) VALUES (%d, '%s', '%s', %d, %d, "
                 "%s);" % (u, url, short, crc, size,
                           "NULL" if orphan_time is None else str(orphan_time)))
        return u

    def content(self, node, url_id, prop="cm:content"):
        """A content property of node pointing (through a new alf_content_data row) at url_id."""
        d = self.next_id("alf_content_data")
        self.run("INSERT INTO alf_content_data (id, version, content_url_id, content_mimetype_id,"
                 " content_encoding_id, content_locale_id) VALUES (%d, 0, %d, NULL, NULL, NULL);"
                 % (d, url_id))
        if node is not None:
            self.run("INSERT INTO alf_node_properties (node_id, actual_type_n, persisted_type_n, "
                     "long_value, qname_id, list_index, locale_id) VALUES (%d, 21, 3, %d, %d, -1,"
                     " %d);" % (node, d, self.qname(prop), self.locale))
        return d

    def prop(self, node, qn, value, actual=6):
        self.run("INSERT INTO alf_node_properties (node_id, actual_type_n, persisted_type_n, "
                 "string_value, qname_id, list_index, locale_id) VALUES (%d, %d, 6, '%s', %d, -1,"
                 " %d);" % (node, actual, value, self.qname(qn), self.locale))

    def child(self, parent, child, typ, name):
        c = self.next_id("alf_child_assoc")
        prefix, local = name.split(":")
        ns = self.one("SELECT id FROM alf_namespace WHERE uri = '%s'" % NS[prefix])
        self.run("INSERT INTO alf_child_assoc (id, version, parent_node_id, type_qname_id, "
                 "child_node_name_crc, child_node_name, child_node_id, qname_ns_id, "
                 "qname_localname, qname_crc, is_primary, assoc_index) VALUES (%d, 1, %d, %d, %d,"
                 " '%s', %d, %s, '%s', %d, TRUE, -1);"
                 % (c, parent, self.qname(typ), c, "n%d" % c, child, ns, local, c))
        return c

    def trashcan(self, uuid, date, by, url_id, name="doc"):
        """A document in the trashcan: archive node with sys:archived, attached to the root."""
        n = self.node("archive://SpacesStore", uuid, "cm:content", aspects=("sys:archived",))
        self.prop(n, "sys:archivedDate", date, actual=7)
        self.prop(n, "sys:archivedBy", by)
        self.prop(n, "cm:name", name)
        self.child(self.root("archive://SpacesStore"), n, "sys:children", "sys:archivedItem")
        if url_id is not None:
            self.content(n, url_id)
        return n

    def version(self, frozen_uuid, url_id, label="1.0", vuuid=None):
        """A version history in workspace://version2Store for frozen_uuid with one version node
        holding url_id, linked by ver2:versionedNodeId and ver2:frozenNodeRef."""
        h = self.node("workspace://version2Store", "vh-" + frozen_uuid[:30], "ver2:versionHistory")
        self.prop(h, "ver2:versionedNodeId", frozen_uuid)
        self.child(self.root("workspace://version2Store"), h, "ver2:versionHistory",
                   "ver2:versionHistory")
        v = self.node("workspace://version2Store", vuuid or ("v-" + frozen_uuid[:33]),
                      "cm:content", aspects=("ver2:version",))
        self.prop(v, "ver2:frozenNodeRef", "workspace://SpacesStore/" + frozen_uuid, actual=12)
        self.prop(v, "ver2:versionLabel", label)
        self.child(h, v, "ver2:versionHistory", "ver2:version")
        if url_id is not None:
            self.content(v, url_id)
        return v


# ---- disk, configuration, runs ----------------------------------------------------------

def put(root, rel, size):
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(b"x" * size)
    return p


class Env:
    """Content roots and an alfwipe.conf for one engine's database."""

    def __init__(self, db, tag):
        self.db = db
        self.dir = os.path.join(TMP, tag)
        self.cs = os.path.join(self.dir, "alf_data", "contentstore")
        self.dl = os.path.join(self.dir, "alf_data", "contentstore.deleted")
        self.extra = os.path.join(self.dir, "extra")
        for d in (self.cs, self.dl, self.extra):
            os.makedirs(d, exist_ok=True)

    def conf(self, name, certificate=None, key=None, policy="", props=None):
        lines = ["alfresco = {",
                 '  contentstore = "%s";' % self.cs,
                 '  contentstore_deleted = "%s";' % self.dl,
                 '  extra_roots = ["%s"];' % self.extra]
        if props is not None:
            pf = os.path.join(self.dir, name + ".properties")
            with open(pf, "w") as f:
                f.write(props)
            lines.append('  global_properties = "%s";' % pf)
        lines.append("};")
        if self.db.engine == "pg":
            lines += ["database = {", '  type = "postgresql";',
                      '  host = "%s";' % os.environ["AW_PG_HOST"],
                      "  port = %s;" % os.environ["AW_PG_PORT"],
                      '  user = "%s";' % os.environ["AW_PG_USER"],
                      '  name = "%s";' % self.db.name, "};"]
        else:
            lines += ["database = {", '  type = "mysql";',
                      '  socket = "%s";' % os.environ["AW_MY_SOCKET"],
                      '  user = "%s";' % os.environ["AW_MY_USER"],
                      '  name = "%s";' % self.db.name, "};"]
        if certificate or key:
            lines.append("wipe = {")
            if certificate:
                lines.append('  certificate = "%s";' % certificate)
            if key:
                lines.append('  hmac_key_file = "%s";' % key)
            lines.append("};")
        if policy:
            lines += ["policy = {", policy, "};"]
        p = os.path.join(self.dir, name + ".conf")
        with open(p, "w") as f:
            f.write("\n".join(lines) + "\n")
        return p


class Res:
    def __init__(self, argv, p):
        self.argv, self.rc, self.out, self.err = argv, p.returncode, p.stdout, p.stderr
        self.j = None
        if "--format" in argv and argv[argv.index("--format") + 1] == "json":
            try:
                self.j = json.loads(p.stdout)
            except ValueError:
                self.j = None

    def __str__(self):
        return "argv: %s\nrc=%s\nstdout: %s\nstderr: %s" % (
            " ".join(self.argv), self.rc, self.out[-3000:], self.err[-2000:])

    def items(self):
        return self.j["items"] if self.j else []


def verify(conf, *args, now="2024-06-30T00:00:00Z", stdin=None, q=False):
    argv = [ALFWIPE, "-c", conf, "--now", now] + (["-q"] if q else []) + ["verify"] + list(args)
    return Res(argv, subprocess.run(argv, capture_output=True, text=True, input=stdin,
                                    timeout=120))


CERTGEN = None


def build_certgen():
    global CERTGEN
    lib = os.path.join(BUILD, "libalfwipe.a")
    out = os.path.join(TMP, "certgen")
    pkgs = ["libpq", "libconfig", "libcurl", "jansson", "libcrypto", "zlib", "mysqlclient"]
    libs = sh(["pkg-config", "--libs"] + pkgs).stdout.split()
    cflags = sh(["pkg-config", "--cflags"] + pkgs).stdout.split()
    cmd = ["cc", "-std=c17", "-D_GNU_SOURCE", "-g", "-I" + os.path.join(SRC, "include")] + \
        cflags + ["-o", out, os.path.join(SRC, "tests", "integration", "certgen.c"), lib] + \
        libs + ["-pthread", "-lm"]
    if "__asan" in subprocess.run(["nm", lib], capture_output=True, text=True).stdout:
        cmd[1:1] = ["-fsanitize=address,undefined"]
    sh(cmd)
    CERTGEN = out
    return out


HEADER = {"tool_version": "0.1.0", "host": "test-host", "operator": "records-team",
          "method": "dod-3", "passes": 3, "verify": "last", "filesystem": "ext4",
          "assurance": "guaranteed", "started": "2024-06-20T04:30:00Z"}


def file_rec(url, status="ERASED", verified=True, assurance="guaranteed", size=1200,
             verify_how="o_direct", reason=None):
    rel = url.split("://", 1)[1]
    return {"content_url": url, "root": "contentstore.deleted", "path": rel, "size": size,
            "dev": 2049, "ino": 131073, "nlink": 1, "mtime": "2024-05-16T04:00:00Z",
            "status": status, "reason": reason, "passes_done": 3 if status == "ERASED" else 1,
            "passes_total": 3, "bytes_written": size * 3, "bytes_verified": size if verified else 0,
            "verified": verified, "verify_how": verify_how if verified else "none",
            "assurance": assurance, "started": "2024-06-20T04:31:00Z",
            "ended": "2024-06-20T04:31:02Z"}


def certgen(path, files, header=None, footer=True, run="a1b2c3d4e5f60718293a4b5c6d7e8f90",
            key=None):
    spec = {"run": run, "header": dict(HEADER, **(header or {})), "files": files,
            "footer": footer}
    cmd = [CERTGEN, path] + (["-k", key] if key else [])
    sh(cmd, input=json.dumps(spec))
    return path


def engines():
    """The engines to run against: both, as the runner provides them."""
    out = []
    if os.environ.get("AW_PG_HOST"):
        out.append("pg")
    if os.environ.get("AW_MY_SOCKET"):
        out.append("mysql")
    if not out:
        print("not ok - no database servers in the environment (run through run.sh)")
        failures.append("servers")
    return out


def dbname(test, engine):
    return re.sub(r"[^a-z0-9_]", "_", "%s_%s_%d" % (test, engine, os.getpid()))


if __name__ == "__main__":
    sys.exit("verifylib is imported by the t_verify_* tests")
