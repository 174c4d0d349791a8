"""Build one report case and run alfwipe on it, on PostgreSQL and on MariaDB.

A case is described in the notation of ../shared/cases/report-cases.md:

    c = Case("r13")
    c.u("s1", "store://2024/5/1/10/15/s1.bin", 1000000)      # U: alf_content_url
    c.d("d9", "s1"); c.d("d10", "s1")                          # D: alf_content_data -> U
    c.n("n300", "workspace/SpacesStore", "uuid-300")           # N: alf_node
    c.p("n300", "cm:content", "d9")                            # P: content property
    c.n("n301", "archive/SpacesStore", "uuid-301")
    c.t("n301", "2024-05-01T08:00:00.000Z", "carol", "copy-of-report.pdf")   # T: trashcan item
    c.p("n301", "cm:content", "d10")
    c.f("cs", "2024/5/1/10/15/s1.bin", 1000000, "2024-05-01T10:15:00Z")     # a file
    res = c.run()          # {"pg": Result, "my": Result}

Keys ("s1", "n300") name rows inside the case; the database ids are the fixture's own (not
the cases' illustrative ones). qname, namespace, store, root-node and locale ids are looked up
from the rows sql/*/bootstrap.sql loaded, never written down here.

For each engine the case gets a fresh database loaded with sql/<engine>/schema.sql and
bootstrap.sql through the psql / mariadb clients, then the case's rows. The content roots are
written once under AW_TMP and shared by both runs, so both reports describe the same disk.
alfwipe.conf is written per engine; PostgreSQL gets its (ignored, trust) password through
$ALFWIPE_DB_PASSWORD, MariaDB a password-protected read-only user through a 0600
database.password_file.
"""
import base64
import calendar
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zlib

SRC = os.environ.get("AW_SRC") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
TMP = os.environ.get("AW_TMP") or tempfile.mkdtemp(prefix="aw-report.")
ALFWIPE = os.environ.get("ALFWIPE") or os.path.join(SRC, "build", "alfwipe")
NOW = "2024-06-30T00:00:00Z"
ENGINES = ("pg", "my")
MY_USER = "aw_report"
MY_PASSWORD = "rep-pw-7f3a"

NS = {
    "sys": "http://www.alfresco.org/model/system/1.0",
    "cm": "http://www.alfresco.org/model/content/1.0",
    "ver2": "http://www.alfresco.org/model/versionstore/2.0",
}

ROOTS = {"cs": "contentstore", "del": "contentstore.deleted", "extra": "extra"}

# ---- results -----------------------------------------------------------------------------

failures = []


def check(cond, what, detail=""):
    if cond:
        print("ok - %s" % what)
    else:
        print("not ok - %s" % what)
        if detail:
            print("    " + str(detail).replace("\n", "\n    ")[:4000])
        failures.append(what)
    return cond


def eq(got, want, what, detail=""):
    return check(got == want, what,
                 "got %r, want %r%s" % (got, want, ("\n" + str(detail)) if detail else ""))


def finish():
    if failures:
        print("# %d check(s) failed" % len(failures))
        sys.exit(1)
    sys.exit(0)


def first_error(text):
    """The first 'alfwipe: ...' line of text that is not a warning, and the hint after it."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("alfwipe: ") and not line.startswith("alfwipe: warning"):
            hint = lines[i + 1] if i + 1 < len(lines) and lines[i + 1].startswith("hint: ") \
                else None
            return line, hint
    return None, None


class Result:
    def __init__(self, engine, proc, output_path=None):
        self.engine = engine
        self.rc = proc.returncode
        self.raw = proc.stdout
        self.out = proc.stdout.decode("utf-8", "replace")
        self.err = proc.stderr.decode("utf-8", "replace")
        self.json = None
        self.json_error = None
        text = self.raw
        if output_path and os.path.exists(output_path):
            with open(output_path, "rb") as fp:
                text = fp.read()
        if text.startswith(b"{"):
            try:
                self.json = json.loads(text.decode("utf-8"))
            except ValueError as e:  # invalid UTF-8 included
                self.json_error = str(e)

    def __str__(self):
        return "[%s] rc=%s\nstdout: %s\nstderr: %s" % (self.engine, self.rc, self.out[-2500:],
                                                        self.err[-1500:])

    # convenience accessors on the JSON report
    def items(self, **match):
        out = []
        for it in (self.json or {}).get("items", []):
            if all(it.get(k) == v for k, v in match.items()):
                out.append(it)
        return out

    def item(self, **match):
        got = self.items(**match)
        return got[0] if len(got) == 1 else None

    def trash(self, uuid):
        for t in (self.json or {}).get("trashcan_items", []):
            if t.get("node_ref", "").endswith("/" + uuid):
                return t
        return None

    def summary(self, cls):
        s = (self.json or {}).get("summary", {}).get(cls, {})
        return (s.get("count"), s.get("bytes"))


# ---- servers -----------------------------------------------------------------------------

def _run(cmd, stdin=None, env=None):
    p = subprocess.run(cmd, input=stdin, capture_output=True, env=env)
    if p.returncode != 0:
        raise RuntimeError("%s failed: %s" % (" ".join(cmd[:3]),
                                              p.stderr.decode("utf-8", "replace")))
    return p.stdout.decode("utf-8", "replace")


def pg_cmd(db):
    return ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", os.environ["AW_PG_HOST"], "-p",
            os.environ["AW_PG_PORT"], "-U", os.environ["AW_PG_USER"], "-d", db]


def my_cmd(db=None):
    cmd = ["mariadb", "--no-defaults", "--socket=" + os.environ["AW_MY_SOCKET"], "-u",
           os.environ["AW_MY_USER"], "--batch", "--skip-column-names"]
    return cmd + ([db] if db else [])


def sql(engine, db, text):
    """Run SQL text on a database; returns tab-separated rows."""
    if engine == "pg":
        out = _run(pg_cmd(db) + ["-A", "-t", "-F", "\t"], stdin=text.encode())
    else:
        out = _run(my_cmd(db), stdin=text.encode())
    return [line.split("\t") for line in out.splitlines() if line != ""]


_my_user_made = False


def create_db(engine, db):
    global _my_user_made
    if engine == "pg":
        _run(pg_cmd("postgres"), stdin=("CREATE DATABASE %s;" % db).encode())
    else:
        # utf8mb4 with a case-insensitive collation, as Alfresco's MySQL guides set it up: the
        # report must still compare URLs byte-wise
        stmts = "CREATE DATABASE %s CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;" % db
        if not _my_user_made:
            stmts += ("CREATE USER IF NOT EXISTS '%s'@'127.0.0.1' IDENTIFIED BY '%s';"
                      % (MY_USER, MY_PASSWORD))
            _my_user_made = True
        stmts += "GRANT SELECT ON %s.* TO '%s'@'127.0.0.1';" % (db, MY_USER)
        _run(my_cmd(), stdin=stmts.encode())


def load_file(engine, db, path):
    with open(path, "rb") as fp:
        data = fp.read()
    if engine == "pg":
        _run(pg_cmd(db), stdin=data)
    else:
        _run(my_cmd(db), stdin=data)


def load_base(engine, db):
    d = os.path.join(SRC, "sql", "pg" if engine == "pg" else "mysql")
    load_file(engine, db, os.path.join(d, "schema.sql"))
    load_file(engine, db, os.path.join(d, "bootstrap.sql"))


# ---- values ------------------------------------------------------------------------------

def iso_ms(s):
    """'2024-06-30T00:00:00Z' or '...00.000Z' -> epoch ms (UTC)."""
    m = re.match(r"(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)(?:\.(\d+))?Z$", s)
    y, mo, d, h, mi, se = (int(x) for x in m.groups()[:6])
    frac = int((m.group(7) or "0").ljust(3, "0")[:3])
    return calendar.timegm((y, mo, d, h, mi, se)) * 1000 + frac


NOW_MS = iso_ms(NOW)
DAY_MS = 86400000


def url_short(url):
    low = (url or ".empty").lower()
    return low[-12:] if len(low) > 12 else low


def url_crc(url):
    return zlib.crc32(url.encode("utf-8")) & 0xFFFFFFFF


def lit(v):
    if v is None:
        return "NULL"
    if v is True:
        return "TRUE"
    if v is False:
        return "FALSE"
    if isinstance(v, int):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


def conf_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, (list, tuple)):
        return "[ " + ", ".join(conf_value(x) for x in v) + " ]"
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_conf(groups):
    lines = []
    for g, kv in groups.items():
        lines.append("%s = {" % g)
        for k, v in kv.items():
            if v is not None:
                lines.append("    %s = %s;" % (k, conf_value(v)))
        lines.append("};")
    return "\n".join(lines) + "\n"


# ---- the case ----------------------------------------------------------------------------

class Case:
    _serial = 0

    def __init__(self, name):
        Case._serial += 1
        self.name = name
        self.tag = re.sub(r"[^a-z0-9]", "_", name.lower())
        self.urls, self.datas, self.nodes, self.props = [], [], [], []
        self.trash_items, self.files, self.encs, self.extra_sql = [], [], [], []
        self.placeholders = []
        self.sprops, self.custom_qnames = [], []
        self.ukey, self.dkey, self.nkey = {}, {}, {}
        self.extra_roots = []            # names of extra roots (directories under the case)
        self.global_properties = None    # text of alfresco-global.properties
        self.conf = {}                   # {"policy": {...}, "alfresco": {...}, ...} overrides
        self.conf_text = None            # raw alfwipe.conf instead of the generated one
        self.no_db_group = False
        self.make_roots = {"cs": True, "del": True}
        self.load_schema = True
        self.dir = os.path.join(TMP, "%s-%d" % (self.tag, Case._serial))
        self.next_id = {"u": 9100, "d": 9300, "n": 5200, "c": 41000, "t": 7700, "e": 6600,
                        "q": 3300}

    def _id(self, kind):
        self.next_id[kind] += 1
        return self.next_id[kind]

    # rows
    def u(self, key, url, size, orphan=None):
        self.ukey[key] = self._id("u")
        self.urls.append((self.ukey[key], url, size, orphan))

    def encrypt(self, ukey, alias, unencrypted_size):
        self.encs.append((self._id("e"), self.ukey[ukey], alias, unencrypted_size))

    def d(self, key, ukey):
        self.dkey[key] = self._id("d")
        self.datas.append((self.dkey[key], self.ukey[ukey] if ukey else None))

    def n(self, key, store, uuid, type="cm:content", parent=None, txn_ms=None):
        self.nkey[key] = self._id("n")
        self.nodes.append(dict(id=self.nkey[key], store=store, uuid=uuid, type=type,
                               parent=parent, txn_ms=txn_ms))

    def p(self, nkey, qname, dkey, actual=21):
        self.props.append((nkey, qname, dkey, actual))

    def sp(self, nkey, qname, value, actual=6):
        """A string-persisted property (6/6 text, 7/6 date, 12/6 node ref)."""
        self.sprops.append((nkey, qname, value, actual))

    def qname(self, name, uri):
        """A qname of a custom model, e.g. qname("ex:attachment", "http://example.org/m/1.0")."""
        NS.setdefault(name.split(":")[0], uri)
        self.custom_qnames.append(name)

    def t(self, nkey, date, by, name):
        self.trash_items.append((nkey, date, by, name))

    def f(self, root, path, size, mtime, data=None):
        """root 'cs', 'del' or an extra root's name; path str or bytes; mtime ISO."""
        self.files.append((root, path, size, mtime, data))

    def placeholder_nodes(self, count, stores, age_days, original_ids=()):
        """sys:deleted placeholders with sys:originalId, transactions age_days old."""
        for i in range(count):
            self.placeholders.append((stores[i % len(stores)], "ph-%s-%04d" % (self.tag, i),
                                      NOW_MS - age_days * DAY_MS,
                                      original_ids[i % len(original_ids)] if original_ids
                                      else 100000 + i))

    # building
    def _lookups(self, engine, db):
        q = {}
        for uri, local, qid in sql(engine, db, "SELECT n.uri, q.local_name, q.id FROM alf_qname q "
                                   "JOIN alf_namespace n ON n.id = q.ns_id;"):
            q[(uri, local)] = int(qid)
        ns = {uri: int(i) for uri, i in sql(engine, db, "SELECT uri, id FROM alf_namespace;")}
        stores = {}
        for proto, ident, sid, root in sql(engine, db, "SELECT protocol, identifier, id, "
                                           "root_node_id FROM alf_store;"):
            stores["%s/%s" % (proto, ident)] = (int(sid), int(root))
        loc = int(sql(engine, db, "SELECT id FROM alf_locale WHERE locale_str = '.default';")[0][0])
        return q, ns, stores, loc

    def _rows_sql(self, engine, db):
        q, ns, stores, loc = self._lookups(engine, db)

        def qn(name):
            pfx, local = name.split(":")
            return q[(NS[pfx], local)]

        out = []
        ins = out.append
        for name in self.custom_qnames:
            pfx, local = name.split(":")
            if NS[pfx] not in ns:
                ns[NS[pfx]] = self._id("q")
                ins("INSERT INTO alf_namespace (id, version, uri) VALUES (%d, 1, %s);"
                    % (ns[NS[pfx]], lit(NS[pfx])))
            q[(NS[pfx], local)] = self._id("q")
            ins("INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (%d, 0, %d, %s);"
                % (q[(NS[pfx], local)], ns[NS[pfx]], lit(local)))
        txn = self._id("t")
        ins("INSERT INTO alf_transaction (id, version, change_txn_id, commit_time_ms) VALUES "
            "(%d, 1, 'txn-%s-%d', %d);" % (txn, self.tag, txn, NOW_MS - 40 * DAY_MS))
        for uid, url, size, orphan in self.urls:
            ins("INSERT INTO alf_content_url (id, content_url, content_url_short, content_url_crc, "
                "content_size, orphan_time) VALUES (%d, %s, %s, %d, %d, %s);"
                % (uid, lit(url), lit(url_short(url)), url_crc(url), size, lit(orphan)))
        for eid, uid, alias, usize in self.encs:
            ins("INSERT INTO alf_content_url_encryption (id, content_url_id, algorithm, key_size, "
                "encrypted_key, master_keystore_id, master_key_alias, unencrypted_file_size) "
                "VALUES (%d, %d, 'AES', 256, 'k3y', 'ks1', %s, %d);" % (eid, uid, lit(alias), usize))
        for did, uid in self.datas:
            ins("INSERT INTO alf_content_data (id, version, content_url_id, content_mimetype_id, "
                "content_encoding_id, content_locale_id) VALUES (%d, 0, %s, NULL, NULL, %d);"
                % (did, lit(uid), loc))

        def node_sql(nid, store, uuid, tq, txid):
            ins("INSERT INTO alf_node (id, version, store_id, uuid, transaction_id, "
                "type_qname_id, locale_id, acl_id, audit_creator, audit_created, audit_modifier, "
                "audit_modified, audit_accessed) VALUES (%d, 1, %d, %s, %d, %d, %d, NULL, "
                "'admin', '2024-01-01T00:00:00.000Z', NULL, NULL, NULL);"
                % (nid, stores[store][0], lit(uuid), txid, tq, loc))

        def prop_sql(nid, qid, actual, persisted, long_value=None, string_value=None):
            ins("INSERT INTO alf_node_properties (node_id, actual_type_n, persisted_type_n, "
                "boolean_value, long_value, float_value, double_value, string_value, "
                "serializable_value, qname_id, list_index, locale_id) VALUES (%d, %d, %d, NULL, "
                "%s, NULL, NULL, %s, NULL, %d, -1, %d);"
                % (nid, actual, persisted, lit(long_value), lit(string_value), qid, loc))

        def assoc_sql(parent, child, type_q, name_ns, name_local, child_name):
            cid = self._id("c")
            cn = child_name.lower()[:50]
            ins("INSERT INTO alf_child_assoc (id, version, parent_node_id, type_qname_id, "
                "child_node_name_crc, child_node_name, child_node_id, qname_ns_id, "
                "qname_localname, qname_crc, is_primary, assoc_index) VALUES (%d, 1, %d, %d, "
                "%d, %s, %d, %d, %s, %d, TRUE, -1);"
                % (cid, parent, type_q, zlib.crc32(cn.encode()), lit(cn), child,
                   name_ns, lit(name_local), zlib.crc32(name_local.encode())))

        for nd in self.nodes:
            txid = txn
            if nd["txn_ms"] is not None:
                txid = self._id("t")
                ins("INSERT INTO alf_transaction (id, version, change_txn_id, commit_time_ms) "
                    "VALUES (%d, 1, 'txn-%s-%d', %d);" % (txid, self.tag, txid, nd["txn_ms"]))
            node_sql(nd["id"], nd["store"], nd["uuid"], qn(nd["type"]), txid)
        for nd in self.nodes:
            if nd["parent"]:
                parent = (stores[nd["store"]][1] if nd["parent"] == "@root"
                          else self.nkey[nd["parent"]])
                assoc_sql(parent, nd["id"], qn("cm:contains"), ns[NS["cm"]], nd["uuid"],
                          nd["uuid"])
        for nkey, qname, dkey, actual in self.props:
            prop_sql(self.nkey[nkey], qn(qname), actual, 3, long_value=self.dkey[dkey])
        for nkey, qname, value, actual in self.sprops:
            prop_sql(self.nkey[nkey], qn(qname), actual, 6, string_value=value)
        archive_root = stores["archive/SpacesStore"][1]
        for nkey, date, by, name in self.trash_items:
            nid = self.nkey[nkey]
            assoc_sql(archive_root, nid, qn("sys:children"), ns[NS["sys"]], "archivedItem", name)
            ins("INSERT INTO alf_node_aspects (node_id, qname_id) VALUES (%d, %d);"
                % (nid, qn("sys:archived")))
            if date is not None:
                prop_sql(nid, qn("sys:archivedDate"), 7, 6, string_value=date)
            prop_sql(nid, qn("sys:archivedBy"), 6, 6, string_value=by)
            prop_sql(nid, qn("cm:name"), 6, 6, string_value=name)
        for store, uuid, txn_ms, original in self.placeholders:
            txid = self._id("t")
            ins("INSERT INTO alf_transaction (id, version, change_txn_id, commit_time_ms) "
                "VALUES (%d, 1, 'txn-%s-%d', %d);" % (txid, self.tag, txid, txn_ms))
            nid = self._id("n")
            node_sql(nid, store, uuid, qn("sys:deleted"), txid)
            # sys:originalId is a d:long (3/3): a long_value that may equal a content data id
            prop_sql(nid, qn("sys:originalId"), 3, 3, long_value=original)
        out.extend(self.extra_sql)
        return "\n".join(out) + "\n"

    def _write_files(self):
        if os.path.isdir(self.dir):
            return
        os.makedirs(self.dir)
        os.chmod(self.dir, 0o755)
        for key, sub in ROOTS.items():
            if key == "extra":
                continue
            if self.make_roots.get(key, True):
                os.makedirs(os.path.join(self.dir, sub))
        for name in self.extra_roots:
            os.makedirs(os.path.join(self.dir, name), exist_ok=True)
        for root, path, size, mtime, data in self.files:
            base = os.path.join(self.dir, ROOTS.get(root, root)).encode()
            p = path if isinstance(path, bytes) else path.encode()
            full = base + b"/" + p
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "wb") as fp:
                fp.write(data if data is not None else (b"x" * size))
            t = iso_ms(mtime) / 1000.0
            os.utime(full, (t, t))
        if self.global_properties is not None:
            with open(self.path("alfresco-global.properties"), "w") as fp:
                fp.write(self.global_properties)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def dbname(self, engine):
        return "rc_%s_%d_%d" % (self.tag, Case._serial_of(self), os.getpid())

    @staticmethod
    def _serial_of(c):
        return int(c.dir.rsplit("-", 1)[1])

    def conf_groups(self, engine, db):
        al = {"contentstore": self.path("contentstore"),
              "contentstore_deleted": self.path("contentstore.deleted")}
        if self.extra_roots:
            al["extra_roots"] = [self.path(n) for n in self.extra_roots]
        if self.global_properties is not None:
            al["global_properties"] = self.path("alfresco-global.properties")
        al.update(self.conf.get("alfresco", {}))
        groups = {"alfresco": al}
        if not self.no_db_group:
            if engine == "pg":
                dbg = {"type": "postgresql", "host": os.environ["AW_PG_HOST"],
                       "port": int(os.environ["AW_PG_PORT"]), "name": db,
                       "user": os.environ["AW_PG_USER"]}
            else:
                pwf = self.path("my.pass")
                if not os.path.exists(pwf):
                    with open(pwf, "w") as fp:
                        fp.write(MY_PASSWORD + "\n")
                    os.chmod(pwf, 0o600)
                dbg = {"type": "mysql", "host": "127.0.0.1",
                       "port": int(os.environ["AW_MY_PORT"]), "name": db, "user": MY_USER,
                       "password_file": pwf}
            dbg.update(self.conf.get("database", {}))
            groups["database"] = dbg
        for g, kv in self.conf.items():
            if g not in ("alfresco", "database"):
                groups[g] = dict(kv)
        return groups

    def build(self, engine):
        """Database (unless load_schema is False and no rows), files, conf. Returns conf path."""
        self._write_files()
        db = self.dbname(engine)
        loaded = self.__dict__.setdefault("_loaded", set())
        if engine not in loaded:  # a second build only rewrites alfwipe.conf
            loaded.add(engine)
            create_db(engine, db)
            if self.load_schema:
                load_base(engine, db)
                sql(engine, db, self._rows_sql(engine, db))
            elif self.extra_sql:
                sql(engine, db, "\n".join(self.extra_sql))
        conf = self.path("alfwipe-%s.conf" % engine)
        with open(conf, "w") as fp:
            fp.write(self.conf_text if self.conf_text is not None
                     else render_conf(self.conf_groups(engine, db)))
        return conf

    def run(self, fmt="json", args=(), engines=ENGINES, command="report", global_args=(),
            output=None, env=None):
        res = {}
        for engine in engines:
            conf = self.build(engine) if engine not in getattr(self, "_built", {}) \
                else self._built[engine]
            self.__dict__.setdefault("_built", {})[engine] = conf
            res[engine] = self.invoke(engine, fmt=fmt, args=args, command=command,
                                      global_args=global_args, output=output, env=env)
        return res

    def invoke(self, engine, fmt="json", args=(), command="report", global_args=(),
               output=None, env=None):
        conf = self._built[engine]
        e = dict(os.environ)
        e.pop("ALFWIPE_CONFIG", None)
        e.pop("ALFWIPE_DB_PASSWORD", None)
        if engine == "pg":
            e["ALFWIPE_DB_PASSWORD"] = "unused-with-trust"
        if env:
            e.update(env)
        cmd = [ALFWIPE, "-c", conf, "--now", NOW] + list(global_args) + [command]
        if fmt and command == "report":
            cmd += ["--format", fmt]
        if output:
            cmd += ["--output", output]
        cmd += list(args)
        p = subprocess.run(cmd, capture_output=True, env=e, timeout=300)
        return Result(engine, p, output)


# ---- comparing engines -------------------------------------------------------------------

def normalised(j):
    """The JSON report without what legitimately differs between engines."""
    if j is None:
        return None
    j = json.loads(json.dumps(j))
    db = j.get("database", {})
    db.pop("engine", None)
    db.pop("version", None)
    return j


def b64(s):
    return base64.b64decode(s)
