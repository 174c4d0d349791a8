#!/usr/bin/env python3
"""alfwipe report through the real binary on PostgreSQL and MariaDB: same data, same JSON.

One small but rich fixture (workspace, archive and version2Store nodes; content properties of
type 21 and of type 3 on known and on other qnames; shared URLs; orphans of every kind; an
encrypted URL; the case twins .../AbC.bin and .../abc.bin; CRC values above 2^31; 2,000-byte
TEXT values; a decoy trashcan association whose name differs only in case) is loaded into a
PostgreSQL database and into a MariaDB database whose default collation is case-insensitive.
The MariaDB server runs in another time zone than the client and PostgreSQL in a third one.
'alfwipe report --format json' must give the same document on both, apart from the engine's
name and version.

Then bad input on MariaDB through the binary: wrong password, unknown database, the connection
killed while a large report streams (to stdout and with --output), and db.url in its
jdbc:mysql:// and jdbc:mariadb:// forms with query parameters from alfresco-global.properties,
over TCP and over the Unix socket, with the TLS settings that can be checked locally.
"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import t_db_mysql as tdm  # noqa: E402 - the MariaDB helpers of the backend's own test
SRC = os.environ.get("AW_SRC") or os.path.abspath(os.path.join(HERE, "..", ".."))
TMP = os.environ.get("AW_TMP") or tempfile.mkdtemp(prefix="t_mysql_report.")
ALFWIPE = os.environ.get("ALFWIPE") or os.path.join(SRC, "build", "alfwipe")
DB = "t_mysql_report_%d" % os.getpid()
BIGDB = DB + "_big"
PASSWORD = "rep0rt-pw"
USER = "aw_report"
KILLUSER = "aw_repkill"
NOW = "2025-06-01T00:00:00Z"
NOW_MS = 1748736000000
DAY = 86400000
MTIME = (NOW_MS - 10 * DAY) // 1000
BIG_URLS = 150000

failures = []
cleanups = []


def check(cond, what, detail=""):
    if cond:
        print("ok - %s" % what)
    else:
        print("not ok - %s" % what)
        if detail != "":
            print("    " + str(detail).replace("\n", "\n    "))
        failures.append(what)


def eq(got, want, what, detail=""):
    extra = "\n" + str(detail) if detail != "" else ""
    check(got == want, what, "got %r, want %r%s" % (got, want, extra))


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


# ---- servers -----------------------------------------------------------------------------

def env_or_die(*names):
    missing = [n for n in names if not os.environ.get(n)]
    if missing:
        raise RuntimeError("run through tests/integration/run.sh: %s not set" % ", ".join(missing))


def my_admin(sql, db=None, tz=None):
    srv = {k: os.environ[k] for k in ("AW_MY_SOCKET", "AW_MY_PORT", "AW_MY_USER")}
    return tdm.admin(srv, sql, db, tz)


def pg_admin(sql, db="postgres"):
    cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", os.environ["AW_PG_HOST"], "-p",
           os.environ["AW_PG_PORT"], "-U", os.environ["AW_PG_USER"], "-d", db, "-At"]
    return sh(cmd, input=sql).stdout


def read(path):
    with open(os.path.join(SRC, path)) as f:
        return f.read()


# ---- the fixture -------------------------------------------------------------------------

STORE_WS, STORE_ARCH, STORE_VER = 65, 64, 63
ROOT_ARCH, ROOT_VER = 1004, 1003
Q = {"content": 128, "name": 129, "contains": 131, "author": 140, "persondescription": 144,
     "archivedDate": 108, "archivedBy": 109, "children": 113, "deleted": 105,
     "versionHistory": 159, "version": 160, "versionedNodeId": 161, "frozenNodeRef": 162,
     "attachment": 190}
NS_SYS = 11
LONG_NAME = "ü" * 1000          # 1,000 characters, 2,000 bytes: past the 1,024-byte buffer
LONG_BY = "user-" + "é" * 900
QUOTED_NAME = "O'Brien's \U0001F4C4 report"   # a quote and a 4-byte UTF-8 character
U_A1 = "a1a1a1a1-0000-4000-8000-00000000a001"
U_A2 = "a2a2a2a2-0000-4000-8000-00000000a002"
U_A3 = "a3a3a3a3-0000-4000-8000-00000000a003"


def lit(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int):
        return str(v)
    assert "\\" not in v, "backslashes read differently by the two clients"
    return "'" + v.replace("'", "''") + "'"


class Fixture:
    def __init__(self):
        self.sql = []
        self.files = {}        # relative path under contentstore -> bytes
        self.deleted = {}      # relative path under contentstore.deleted -> bytes
        self.crcs = []
        self.urls = {}         # id -> URL
        self.cd_urls = set()   # URL ids some alf_content_data row points at
        self.nid = 2000

    def ins(self, table, **cols):
        self.sql.append("INSERT INTO %s (%s) VALUES (%s);" % (
            table, ", ".join(cols), ", ".join(lit(v) for v in cols.values())))

    def url(self, uid, url, size, orphan=None, file=None):
        crc = zlib.crc32(url.encode())
        self.crcs.append(crc)
        self.urls[uid] = url
        self.ins("alf_content_url", id=uid, content_url=url,
                 content_url_short=url.lower()[-12:], content_url_crc=crc, content_size=size,
                 orphan_time=orphan)
        if file is not None and url.startswith("store://"):
            self.files[url[len("store://"):]] = file
        return uid

    def cdata(self, cid, url_id):
        self.cd_urls.add(url_id)
        self.ins("alf_content_data", id=cid, version=1, content_url_id=url_id,
                 content_mimetype_id=41, content_encoding_id=51, content_locale_id=31)
        return cid

    def node(self, store, uuid=None, qtype="content"):
        self.nid += 1
        uuid = uuid or "%08x-0000-4000-8000-%012x" % (self.nid, self.nid)
        self.ins("alf_node", id=self.nid, version=1, store_id=store, uuid=uuid,
                 transaction_id=601, type_qname_id=Q[qtype], locale_id=31, acl_id=None,
                 audit_creator="admin", audit_created="2025-05-01T10:15:00.000+05:30",
                 audit_modifier="admin", audit_modified="2025-05-01T10:15:00.000Z",
                 audit_accessed=None)
        return self.nid

    def prop(self, node, qname, actual, persisted, long_value=None, string_value=None,
             locale=31):
        self.ins("alf_node_properties", node_id=node, actual_type_n=actual,
                 persisted_type_n=persisted, boolean_value=None, long_value=long_value,
                 float_value=None, double_value=None, string_value=string_value,
                 serializable_value=None, qname_id=Q[qname], list_index=-1, locale_id=locale)

    def content(self, node, cd, qname="content", actual=21):
        self.prop(node, qname, actual, 3, long_value=cd)

    def assoc(self, aid, parent, child, qtype, ns, local, primary, name=None):
        name = name or local.lower()[:50]
        self.ins("alf_child_assoc", id=aid, version=1, parent_node_id=parent,
                 type_qname_id=Q[qtype], child_node_name_crc=zlib.crc32(name.encode()),
                 child_node_name=name, child_node_id=child, qname_ns_id=ns,
                 qname_localname=local, qname_crc=zlib.crc32(local.encode()),
                 is_primary=primary, assoc_index=0)


def build_fixture():
    f = Fixture()
    f.ins("alf_transaction", id=601, version=1, change_txn_id="fixture-601",
          commit_time_ms=NOW_MS - 20 * DAY)
    P = "store://2025/5/1/10/15/"
    # live content, type 21 on cm:content
    n = f.node(STORE_WS)
    f.content(n, f.cdata(4001, f.url(3001, P + "11111111-aaaa-4aaa-8aaa-000000000001.bin", 11,
                                     file=b"x" * 11)))
    # type 3 on cm:content (early 3.2 builds): a reference
    n = f.node(STORE_WS)
    f.content(n, f.cdata(4002, f.url(3002, P + "22222222-aaaa-4aaa-8aaa-000000000002.bin", 22,
                                     file=b"x" * 22)), actual=3)
    # type 3 on cm:author, which is no content property: NOT a reference
    n = f.node(STORE_WS)
    f.content(n, f.cdata(4003, f.url(3003, P + "33333333-aaaa-4aaa-8aaa-000000000003.bin", 33,
                                     file=b"x" * 33)), qname="author", actual=3)
    # shared: live cm:persondescription, a version node and an archived node
    live_shared = f.node(STORE_WS)
    f.url(3004, P + "44444444-aaaa-4aaa-8aaa-000000000004.bin", 44, file=b"x" * 44)
    f.content(live_shared, f.cdata(4004, 3004), qname="persondescription")
    # case twins: live AbC.bin, protected orphan abc.bin
    n = f.node(STORE_WS)
    f.content(n, f.cdata(4007, f.url(3005, "store://2024/5/1/10/15/AbC.bin", 5,
                                     file=b"U" * 5)))
    f.url(3006, "store://2024/5/1/10/15/abc.bin", 6, orphan=NOW_MS - DAY, file=b"l" * 6)
    # encrypted: the file is ciphertext of another size, no size check
    n = f.node(STORE_WS)
    f.content(n, f.cdata(4008, f.url(3007, P + "77777777-aaaa-4aaa-8aaa-000000000007.bin", 100,
                                     file=b"c" * 116)))
    f.ins("alf_content_url_encryption", id=6001, content_url_id=3007, algorithm="AES",
          key_size=256, encrypted_key="k" * 32, master_keystore_id="ks", master_key_alias="mk",
          unencrypted_file_size=100)
    # live, file missing
    n = f.node(STORE_WS)
    f.content(n, f.cdata(4009, f.url(3008, P + "88888888-aaaa-4aaa-8aaa-000000000008.bin", 8)))
    # live, size mismatch
    n = f.node(STORE_WS)
    f.content(n, f.cdata(4010, f.url(3009, P + "99999999-aaaa-4aaa-8aaa-000000000009.bin", 50,
                                     file=b"x" * 10)))
    # referenced with a stale orphan mark
    n = f.node(STORE_WS)
    f.content(n, f.cdata(4011, f.url(3010, P + "aaaaaaaa-aaaa-4aaa-8aaa-00000000000a.bin", 10,
                                     orphan=NOW_MS - 3 * DAY, file=b"x" * 10)))
    # a d:content property of a custom model (type 21): a reference, whatever the qname
    f.ins("alf_namespace", id=20, version=1, uri="http://example.com/model/custom/1.0")
    f.ins("alf_qname", id=190, version=0, ns_id=20, local_name="attachment")
    n = f.node(STORE_WS)
    f.content(n, f.cdata(4022, f.url(3027, P + "c0000000-aaaa-4aaa-8aaa-000000000027.bin", 27,
                                     file=b"x" * 27)), qname="attachment")
    # another protocol, and one that is 'store' only to a case-insensitive comparison
    n = f.node(STORE_WS)
    f.content(n, f.cdata(4023, f.url(3029, "STORE://2025/5/1/10/15/upper.bin", 29)))
    n = f.node(STORE_WS)
    f.content(n, f.cdata(4012, f.url(3011, "s3://bucket/2025/5/1/x.bin", 12)))
    # non-ASCII file name: byte order, not collation order
    n = f.node(STORE_WS)
    f.content(n, f.cdata(4020, f.url(3012, "store://2025/5/2/8/0/é-ü.bin", 3, file=b"abc")))
    # the workspace placeholder of an archived node
    f.node(STORE_WS, uuid=U_A1, qtype="deleted")

    # version2Store: a version of the shared content, an old version of live content, a
    # version of trashed node A1 (frozenNodeRef) and one of A2 through its version history
    v = f.node(STORE_VER, qtype="version")
    f.prop(v, "frozenNodeRef", 12, 6, string_value="workspace://SpacesStore/00000000-live")
    f.content(v, f.cdata(4005, 3004))
    v = f.node(STORE_VER, qtype="version")
    f.prop(v, "frozenNodeRef", 12, 6, string_value="workspace://SpacesStore/00000000-live")
    f.content(v, f.cdata(4013, f.url(3013, P + "dddddddd-aaaa-4aaa-8aaa-00000000000d.bin", 13,
                                     file=b"x" * 13)))
    v = f.node(STORE_VER, qtype="version")
    f.prop(v, "frozenNodeRef", 12, 6, string_value="workspace://SpacesStore/" + U_A1)
    f.content(v, f.cdata(4014, f.url(3014, P + "eeeeeeee-aaaa-4aaa-8aaa-00000000000e.bin", 14,
                                     file=b"x" * 14)))
    vh = f.node(STORE_VER, qtype="versionHistory")
    f.prop(vh, "versionedNodeId", 6, 6, string_value=U_A2)
    f.assoc(5001, ROOT_VER, vh, "children", 15, "versionHistory-a2", True)
    v = f.node(STORE_VER, qtype="version")
    f.assoc(5002, vh, v, "contains", 15, "version-1.0", True)
    f.content(v, f.cdata(4015, f.url(3015, P + "ffffffff-aaaa-4aaa-8aaa-00000000000f.bin", 15,
                                     file=b"x" * 15)))

    # archive store: three trashcan items and a decoy
    a1 = f.node(STORE_ARCH, uuid=U_A1)
    f.assoc(5011, ROOT_ARCH, a1, "children", NS_SYS, "archivedItem", True, name="a1")
    f.prop(a1, "archivedDate", 7, 6, string_value="2025-05-20T10:00:00.000Z")
    f.prop(a1, "archivedBy", 6, 6, string_value="admin")
    f.prop(a1, "name", 6, 6, string_value=LONG_NAME)
    f.content(a1, f.cdata(4016, f.url(3016, P + "a1000000-aaaa-4aaa-8aaa-000000000016.bin", 16,
                                      file=b"x" * 16)))
    a2 = f.node(STORE_ARCH, uuid=U_A2)
    f.assoc(5012, ROOT_ARCH, a2, "children", NS_SYS, "archivedItem", True, name="a2")
    f.prop(a2, "archivedDate", 7, 6, string_value="2025-03-01T00:00:00+02:00")
    f.prop(a2, "archivedBy", 6, 6, string_value=LONG_BY)
    f.prop(a2, "name", 6, 6, string_value=QUOTED_NAME)
    f.content(a2, f.cdata(4006, 3004))
    child = f.node(STORE_ARCH)
    f.assoc(5013, a2, child, "contains", 12, "child-of-a2", True)
    f.content(child, f.cdata(4017, f.url(3017, P + "a2000000-aaaa-4aaa-8aaa-000000000017.bin",
                                         17, file=b"x" * 17)))
    a3 = f.node(STORE_ARCH, uuid=U_A3)
    f.assoc(5014, ROOT_ARCH, a3, "children", NS_SYS, "archivedItem", True, name="a3")
    f.prop(a3, "name", 6, 6, string_value="no date")
    f.content(a3, f.cdata(4018, f.url(3018, P + "a3000000-aaaa-4aaa-8aaa-000000000018.bin", 18)))
    # a node filed under A3 (primary, BIT 1) and also linked from A1 (secondary, BIT 0)
    child2 = f.node(STORE_ARCH)
    f.assoc(5016, a3, child2, "contains", 12, "child-of-a3", True)
    f.assoc(5017, a1, child2, "contains", 12, "linked-from-a1", False)
    f.content(child2, f.cdata(4024, f.url(3030, P + "a3000000-aaaa-4aaa-8aaa-000000000030.bin",
                                          30, file=b"x" * 30)))
    decoy = f.node(STORE_ARCH)
    f.assoc(5015, ROOT_ARCH, decoy, "children", NS_SYS, "ARCHIVEDITEM", True, name="decoy")
    f.prop(decoy, "archivedDate", 7, 6, string_value="2020-01-01T00:00:00.000Z")
    f.content(decoy, f.cdata(4019, f.url(3019, P + "dec00000-aaaa-4aaa-8aaa-000000000019.bin",
                                         19, file=b"x" * 19)))

    # orphans of every kind
    Q2 = "store://2025/4/1/0/0/"
    f.url(3020, Q2 + "o-protected.bin", 20, orphan=NOW_MS - 2 * DAY, file=b"x" * 20)
    f.url(3021, Q2 + "o-eligible.bin", 21, orphan=NOW_MS - 14 * DAY - DAY // 2, file=b"x" * 21)
    f.url(3022, Q2 + "o-overdue.bin", 22, orphan=NOW_MS - 40 * DAY, file=b"x" * 22)
    f.url(3023, Q2 + "o-kept.bin", 0, orphan=0, file=b"x" * 23)
    f.url(3024, Q2 + "o-unreferenced.bin", 24, file=b"x" * 24)
    f.url(3025, Q2 + "o-eligible-nofile.bin", 25, orphan=NOW_MS - 14 * DAY - 1)
    f.url(3028, Q2 + "o-5gb.bin", 5000000000, orphan=NOW_MS - 100 * DAY)
    # dangling content data: a row no node property points at
    f.cdata(4021, f.url(3026, Q2 + "dangling.bin", 26, file=b"x" * 26))

    f.files["2025/5/3/1/1/stray-0001.bin"] = b"stray"
    f.deleted["2025/1/1/1/1/gone.bin"] = b"g" * 9
    f.deleted["2025/5/1/10/15/11111111-aaaa-4aaa-8aaa-000000000001.bin"] = b"x" * 11
    return f


def write_tree(root, files):
    for rel, data in files.items():
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as fp:
            fp.write(data)
        os.utime(p, (MTIME, MTIME))


# ---- running alfwipe ---------------------------------------------------------------------

class Res:
    def __init__(self, rc, out, err):
        self.rc, self.out, self.err = rc, out, err

    def __str__(self):
        return "rc=%s\nstdout: %s\nstderr: %s" % (self.rc, self.out[-1500:], self.err[-2000:])


def conf_file(name, database=None, props=None, store=None):
    """An alfwipe.conf with the fixture's roots; database: dict of the database group;
    props: lines of an alfresco-global.properties it points at."""
    lines = ["alfresco = {",
             '  contentstore = "%s";' % (store or STORE),
             '  contentstore_deleted = "%s";' % DELETED]
    if props is not None:
        pp = os.path.join(TMP, name + ".properties")
        with open(pp, "w") as f:
            f.write("\n".join(props) + "\n")
        lines.append('  global_properties = "%s";' % pp)
    lines.append("};")
    if database:
        lines.append("database = {")
        for k, v in database.items():
            lines.append("  %s = %s;" % (k, v if isinstance(v, int) else '"%s"' % v))
        lines.append("};")
    path = os.path.join(TMP, name + ".conf")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def pw_file(pw):
    path = os.path.join(TMP, "db.pass.%08x" % zlib.crc32(pw.encode()))
    with open(path, "w") as f:
        f.write(pw + "\n")
    os.chmod(path, 0o600)
    return path


def alfwipe(conf, *args, env=None, timeout=300):
    e = dict(os.environ)
    e.pop("ALFWIPE_DB_PASSWORD", None)
    e["TZ"] = "America/Los_Angeles"       # the client's zone, neither server's
    e.update(env or {})
    p = subprocess.run([ALFWIPE, "-c", conf, "--now", NOW] + list(args), capture_output=True,
                       text=True, env=e, timeout=timeout)
    return Res(p.returncode, p.stdout, p.stderr)


def my_tcp(db=DB, pw=None, **extra):
    d = {"type": "mysql", "host": "127.0.0.1", "port": int(os.environ["AW_MY_PORT"]),
         "name": db, "user": USER, "password_file": pw_file(pw or PASSWORD)}
    d.update(extra)
    return d


def without_engine(doc):
    d = json.loads(json.dumps(doc))
    d["database"].pop("engine", None)
    d["database"].pop("version", None)
    return d


def first_diff(a, b, path="$"):
    if type(a) is not type(b):
        return "%s: %r != %r" % (path, a, b)
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return "%s.%s only on one side" % (path, k)
            d = first_diff(a[k], b[k], "%s.%s" % (path, k))
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return "%s: %d items != %d" % (path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_diff(x, y, "%s[%d]" % (path, i))
            if d:
                return d
        return None
    return None if a == b else "%s: %r != %r" % (path, a, b)


def parse(r):
    try:
        return json.loads(r.out)
    except ValueError:
        return None


# ---- cases -------------------------------------------------------------------------------

def t_parity(fx):
    pg = alfwipe(pg_conf("pg"), "report", "--format", "json")
    my = alfwipe(conf_file("my", my_tcp()), "report", "--format", "json")
    jp, jm = parse(pg), parse(my)
    check(jp is not None, "postgresql: report is JSON", pg)
    check(jm is not None, "mariadb: report is JSON", my)
    if jp is None or jm is None:
        return None
    eq((jp["database"]["engine"], jm["database"]["engine"]), ("postgresql", "mysql"),
       "engines named in the reports")
    check("MariaDB" in jm["database"]["version"], "mariadb: server version in the report",
          jm["database"])
    eq(pg.rc, my.rc, "same exit code on both engines", "%s\n%s" % (pg, my))
    eq(my.rc, 2, "exit 2: live and trashcan content with missing files", my)
    a, b = without_engine(jp), without_engine(jm)
    check(a == b, "JSON identical apart from the engine's name and version", first_diff(a, b))
    for name, j in (("postgresql", jp), ("mariadb", jm)):
        # URLs and files in one byte order (case twins and non-ASCII names included), whatever
        # order the server hands the rows in
        keys = [i["content_url"].encode("utf-8", "surrogateescape") for i in j["items"]]
        bad = [(keys[k - 1], keys[k]) for k in range(1, len(keys)) if keys[k - 1] > keys[k]]
        check(len(keys) > 30 and not bad, "%s: items in byte order of their URL" % name, bad[:3])
        urls = [i["content_url"] for i in j["items"]]
        check(urls.index("store://2024/5/1/10/15/AbC.bin") <
              urls.index("store://2024/5/1/10/15/abc.bin"),
              "%s: case twins in byte order (AbC before abc)" % name)

    # the other formats too: CSV has no engine; text names it on one line
    pc = alfwipe(pg_conf("pg"), "report", "--format", "csv")
    mc = alfwipe(conf_file("my", my_tcp()), "report", "--format", "csv")
    check(pc.rc == mc.rc == 2 and pc.out == mc.out and pc.out.count("\n") > 30,
          "CSV identical on both engines", "%s\n%s" % (pc, mc))
    pt = alfwipe(pg_conf("pg"), "-v", "report")
    mt = alfwipe(conf_file("my", my_tcp()), "-v", "report")

    def drop_engine(text):
        return re.sub(r"; database (postgresql|mysql) [^\n]*", "; database", text)
    check(pt.rc == mt.rc == 2 and drop_engine(pt.out) == drop_engine(mt.out)
          and "; database mysql " in mt.out,
          "text report identical apart from the engine line", "%s\n%s" % (pt, mt))

    items = {i["content_url"]: i for i in jm["items"] if i.get("content_url")}
    P = "store://2025/5/1/10/15/"
    Q2 = "store://2025/4/1/0/0/"

    def cls(url):
        return items.get(url, {}).get("class")
    eq((cls("store://2024/5/1/10/15/AbC.bin"), cls("store://2024/5/1/10/15/abc.bin")),
       ("live", "orphan_protected"), "case twins: two URLs, two classes")
    eq(cls(P + "22222222-aaaa-4aaa-8aaa-000000000002.bin"), "live",
       "type 3 on cm:content is a reference")
    eq(cls(P + "33333333-aaaa-4aaa-8aaa-000000000003.bin"), "unreferenced",
       "type 3 on a qname that is no content property is not a reference")
    enc = items.get(P + "77777777-aaaa-4aaa-8aaa-000000000007.bin", {})
    check(enc.get("encrypted") is True and "size_mismatch" not in enc.get("findings", []),
          "encrypted URL: flagged, no size check", enc)
    shared = items.get(P + "44444444-aaaa-4aaa-8aaa-000000000004.bin", {})
    check(shared.get("class") == "live" and "shared" in shared.get("findings", []),
          "shared URL: live and shared", shared)
    eq(cls(P + "dddddddd-aaaa-4aaa-8aaa-00000000000d.bin"), "version", "version-only URL")
    eq(sorted(c for c in (cls(u) for u in items) if c and c.startswith("orphan_")),
       sorted(["orphan_protected", "orphan_protected", "orphan_eligible", "orphan_eligible",
               "orphan_overdue", "orphan_overdue", "orphan_kept"]), "orphans of each kind")
    names = {t["node_ref"].rsplit("/", 1)[1]: t for t in jm["trashcan_items"]}
    eq(sorted(names), sorted([U_A1, U_A2, U_A3]),
       "trashcan items: the decoy 'ARCHIVEDITEM' association is not one, on MariaDB too")
    eq(names.get(U_A1, {}).get("name"), LONG_NAME, "2,000-byte TEXT name read whole")
    eq(names.get(U_A2, {}).get("archived_by"), LONG_BY, "long archivedBy read whole")
    eq(names.get(U_A2, {}).get("name"), QUOTED_NAME, "quote and 4-byte UTF-8 in a name")
    eq(items.get(P + "a3000000-aaaa-4aaa-8aaa-000000000030.bin", {}).get("trashcan_items"),
       [U_A3], "BIT is_primary: the item of the primary parent only")
    eq(cls(P + "c0000000-aaaa-4aaa-8aaa-000000000027.bin"), "live",
       "type 21 on a custom model's qname is a reference")
    eq(items.get(Q2 + "o-5gb.bin", {}).get("size"), 5000000000, "size above 2^32")
    check(any(c > 2 ** 31 for c in fx.crcs) and any(c < 2 ** 31 for c in fx.crcs),
          "fixture: CRC values on both sides of 2^31")
    return jm


def pg_conf(name, db=DB, store=None):
    return conf_file(name, {"type": "postgresql", "host": os.environ["AW_PG_HOST"],
                            "port": int(os.environ["AW_PG_PORT"]), "name": db,
                            "user": os.environ["AW_PG_USER"]}, store=store)


def t_empty_root(fx):
    """An empty contentstore while the database references store:// URLs: the same refusal
    on both engines (sql/mysql/q_report_count_store_urls.sql on MariaDB)."""
    empty = os.path.join(TMP, "empty-store")
    os.makedirs(empty, exist_ok=True)
    pg = alfwipe(pg_conf("pgempty", store=empty), "report", "--format", "json")
    my = alfwipe(conf_file("myempty", my_tcp(), store=empty), "report", "--format", "json")
    n = len([u for u in fx.cd_urls if fx.urls[u].startswith("store://")])
    want = "content root '%s' is empty while the database references %d store:// URLs" % (
        empty, n)
    check(pg.rc == 3 and want in pg.err, "empty root: postgresql refuses, counting URLs", pg)
    check(my.rc == 3 and want in my.err, "empty root: mariadb refuses with the same count", my)
    eq((pg.out, my.out), ("", ""), "empty root: nothing on stdout")


def t_pre50():
    """A schema before 5.0 (no alf_content_url_encryption): encryption is not read, on both."""
    pg = alfwipe(pg_conf("pg50", db=DB + "_pre50"), "report", "--format", "json")
    my = alfwipe(conf_file("my50", my_tcp(db=DB + "_pre50")), "report", "--format", "json")
    jp, jm = parse(pg), parse(my)
    check(jp is not None and jm is not None and without_engine(jp) == without_engine(jm),
          "before 5.0: same JSON on both engines",
          first_diff(without_engine(jp), without_engine(jm)) if jp and jm else "%s\n%s" % (pg, my))
    enc = [i for i in (jm or {}).get("items", []) if i.get("encrypted")]
    eq(enc, [], "before 5.0: nothing flagged as encrypted")


def t_plan():
    """The report's queries read each table once, with no join (the references are joined in
    memory): no nested loop over whole tables (MariaDB's block nested loop, "Using join
    buffer"), which is quadratic in the repository size."""
    for name in ("common/q_report_url_rows", "common/q_report_content_props",
                 "common/q_report_content_nodes", "common/q_report_content_data",
                 "common/q_report_encrypted_urls"):
        sql = re.sub(r"\$[1-8]", "-1", re.sub(r"--[^\n]*", "", read("sql/%s.sql" % name)))
        plan = my_admin("EXPLAIN " + sql, DB)
        rows = [l for l in plan.strip().splitlines() if l.strip()]
        check(rows and "join buffer" not in plan and "BNL" not in plan,
              "%s: no nested-loop join over whole tables in the plan" % name, plan)
        check(len(rows) == 1, "%s: one table read, nothing joined" % name, plan)


def t_bad_input():
    r = alfwipe(conf_file("badpw", my_tcp(pw="wrong")), "report", "--format", "json")
    check(r.rc == 3 and "refused user '%s'" % USER in r.err and "hint: " in r.err,
          "wrong password: exit 3 naming the user, with a hint", r)
    eq(r.out, "", "wrong password: nothing on stdout", r)
    r = alfwipe(conf_file("nodb", my_tcp(db="no_such_db_%d" % os.getpid())), "report",
                "--format", "json")
    # A user without rights on a missing database hears "access denied" (error 1044), not
    # "unknown database": the server does not tell such users which databases exist.
    check(r.rc == 3 and "database 'no_such_db_%d'" % os.getpid() in r.err
          and "does not exist" in r.err and "db.name" in r.err.split("hint: ")[-1],
          "unknown database: exit 3 naming it, with a hint naming db.name", r)
    eq(r.out, "", "unknown database: nothing on stdout", r)
    out = os.path.join(TMP, "nodb.json")
    r = alfwipe(conf_file("nodb", my_tcp(db="no_such_db_%d" % os.getpid())), "report",
                "--format", "json", "--output", out)
    check(r.rc == 3 and not os.path.exists(out), "unknown database with --output: no file", r)


def kill_user_connections():
    ids = my_admin("SELECT id FROM information_schema.processlist WHERE user = '%s'" % KILLUSER)
    for i in ids.split():
        try:
            my_admin("KILL CONNECTION %s" % i)
        except subprocess.CalledProcessError:
            pass
    return ids.split()


def killed_env():
    e = dict(os.environ)
    e["TZ"] = "America/Los_Angeles"
    return e


def stop_during_url_rows(p, admin=None):
    """SIGSTOP alfwipe while the server is sending it the rows of the URL query (the report
    reads every row before it prints anything), so that what is done next happens mid-stream.
    True when caught."""
    q = ("SELECT COUNT(*) FROM information_schema.processlist WHERE db = '%s' AND info LIKE "
         "'%%FROM alf_content_url u%%' AND info NOT LIKE '%%processlist%%'" % BIGDB)
    for _ in range(3000):
        if p.poll() is not None:
            return False
        if (admin or my_admin)(q).strip() not in ("", "0"):
            os.kill(p.pid, signal.SIGSTOP)
            return True
    return False


def t_killed_stdout(conf, port, kill, what, admin=None):
    """kill() ends the connection or the server while the URL rows stream to alfwipe; admin
    runs SQL on that server (default: the main one)."""
    for attempt in range(5):
        p = subprocess.Popen([ALFWIPE, "-c", conf, "--now", NOW, "report", "--format", "json"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=killed_env())
        stopped = stop_during_url_rows(p, admin)
        killed = kill() if stopped else False
        if stopped:
            os.kill(p.pid, signal.SIGCONT)
        out, err = p.communicate(timeout=300)
        # A kill that lands after the last row reached alfwipe's socket buffer ends nothing:
        # the report completes (exit 0, 1 or 2 with a whole report). That is not mid-stream;
        # try again.
        if stopped and not (p.returncode in (0, 1, 2) and out):
            break
        print("# %s: the URL query ended before it was seen or killed; again (%d)"
              % (what, attempt + 1))
    out = out.decode("utf-8", "replace")
    err = err.decode("utf-8", "replace")
    r = Res(p.returncode, out, err)
    check(stopped and killed, "%s (stdout): done while the URL rows streamed" % what, r)
    eq(p.returncode, 3, "%s (stdout): exit 3" % what, r)
    check("lost connection to mysql server at '127.0.0.1:%s'" % port in err
          and "hint: " in err, "%s (stdout): clear error with a hint" % what, r)
    eq(out, "", "%s (stdout): nothing printed, no partial report" % what, r)


def t_killed_output(conf):
    out = os.path.join(TMP, "big.json")
    for attempt in range(5):
        p = subprocess.Popen([ALFWIPE, "-c", conf, "--now", NOW, "report", "--format", "json",
                              "--output", out],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=killed_env())
        tmp = "%s.tmp.%d" % (out, p.pid)
        stopped = stop_during_url_rows(p)
        killed = kill_user_connections() if stopped else []
        if stopped:
            os.kill(p.pid, signal.SIGCONT)
        o, err = p.communicate(timeout=300)
        # a report that completed (exit 0, 1 or 2): the kill came after the last row; again
        if stopped and p.returncode not in (0, 1, 2):
            break
        for f in (out, tmp):
            if os.path.exists(f):
                os.remove(f)
        print("# killed (--output): the URL query ended before it was seen or killed; again "
              "(%d)" % (attempt + 1))
    r = Res(p.returncode, o.decode(), err.decode())
    check(stopped and len(killed) == 1, "killed mid-stream (--output): stopped during the rows",
          r)
    eq(p.returncode, 3, "killed mid-stream (--output): exit 3", r)
    check("lost connection to mysql server" in r.err, "killed mid-stream (--output): clear error",
          r)
    check(not os.path.exists(out) and not os.path.exists(tmp),
          "killed mid-stream (--output): no output file, no temporary file left", r)
    eq(r.out, "", "killed mid-stream (--output): nothing on stdout", r)


def t_statement_limit(conf):
    """A server-wide max_statement_time far below what the big URL query needs: the same query
    from another client is interrupted, alfwipe's session lifts the limit for itself."""
    out = os.path.join(TMP, "limit.json")
    my_admin("SET GLOBAL max_statement_time = 0.02")
    try:
        ctl = subprocess.run(
            ["mariadb", "--no-defaults", "--socket=" + os.environ["AW_MY_SOCKET"], "-u",
             os.environ["AW_MY_USER"], BIGDB, "-e", "SELECT content_url FROM alf_content_url "
             "ORDER BY CAST(content_url AS BINARY)"], capture_output=True, text=True)
        r = alfwipe(conf, "report", "--format", "json", "--output", out)
    finally:
        my_admin("SET GLOBAL max_statement_time = 0")
    check(ctl.returncode != 0 and "max_statement_time" in ctl.stderr,
          "statement limit: another client's query is interrupted", ctl.stderr[-500:])
    check(r.rc in (0, 1, 2) and os.path.exists(out), "statement limit: alfwipe's report completes",
          r)
    if os.path.exists(out):
        with open(out) as f:
            n = len([i for i in json.load(f)["items"] if i.get("content_url", "").endswith(
                "-big.bin")])
        eq(n, BIG_URLS, "statement limit: every URL in the report")


def t_jdbc(want):
    """db.url from alfresco-global.properties in the forms the drivers accept."""
    port = os.environ["AW_MY_PORT"]
    sock = os.environ["AW_MY_SOCKET"]
    base = ["db.username=" + USER, "db.password=" + PASSWORD]
    cases = [
        ("jdbc:mysql://127.0.0.1:%s/%s?useUnicode=yes&characterEncoding=UTF-8" % (port, DB),
         None, "jdbc:mysql over TCP with parameters"),
        ("jdbc:mariadb://127.0.0.1:%s/%s?useSsl=false&connectTimeout=5000" % (port, DB),
         None, "jdbc:mariadb over TCP, useSsl=false"),
        ("jdbc:mysql://127.0.0.1:%s/%s?sslMode=PREFERRED" % (port, DB), None,
         "jdbc:mysql sslMode=PREFERRED on a server without TLS"),
        ("jdbc:mariadb://localhost/%s?localSocket=%s" % (DB, sock), None,
         "jdbc:mariadb with localSocket: the Unix socket"),
        ("jdbc:mysql:///%s?characterEncoding=UTF-8" % DB, {"socket": sock},
         "jdbc:mysql:/// with database.socket from alfwipe.conf"),
    ]
    for url, group, what in cases:
        r = alfwipe(conf_file("jdbc", group, base + ["db.url=" + url]), "report", "--format",
                    "json")
        j = parse(r)
        check(j is not None and without_engine(j) == without_engine(want)
              and j["database"]["engine"] == "mysql", what + ": same report", r)
    r = alfwipe(conf_file("jdbc", None, base + ["db.url=jdbc:mariadb://127.0.0.1:%s/%s?"
                                                "localSocket=%s" % (port, DB, sock)]),
                "check")
    check(r.rc in (0, 1) and sock in r.out, "check: localSocket shown as the socket", r)

    r = alfwipe(conf_file("jdbc", None, base + [
        "db.url=jdbc:mysql://127.0.0.1:%s/%s?sslMode=REQUIRED" % (port, DB)]),
        "report", "--format", "json")
    check(r.rc == 3 and "offers no TLS, but sslmode is 'require'" in r.err and r.out == "",
          "sslMode=REQUIRED on a server without TLS: refused, exit 3", r)
    r = alfwipe(conf_file("jdbc", None, base + [
        "db.url=jdbc:mariadb://127.0.0.1:%s/%s?useSsl=true" % (port, DB)]),
        "report", "--format", "json")
    check(r.rc == 3 and r.out == "", "useSsl=true on a server without TLS: refused", r)
    r = alfwipe(conf_file("jdbc", None, base + [
        "db.url=jdbc:mysql://127.0.0.1:%s/%s?sslMode=sometimes" % (port, DB)]),
        "report", "--format", "json")
    check(r.rc == 3 and "sometimes" in r.err and "db.url" in r.err,
          "unknown sslMode in db.url: refused naming the value", r)
    r = alfwipe(conf_file("jdbc", None, base + [
        "db.url=jdbc:mysql:loadbalance://127.0.0.1:%s,127.0.0.2:%s/%s" % (port, port, DB)]),
        "report", "--format", "json")
    check(r.rc == 3 and "loadbalance" in r.err, "jdbc:mysql:loadbalance: refused", r)


def t_jdbc_tls(want):
    """A private MariaDB with a self-signed certificate: TLS modes through db.url."""
    tdm.TMP = TMP
    try:
        srv = tdm.private_server()
        a = lambda sql, db=None: tdm.admin(srv, sql, db)  # noqa: E731
        a("CREATE DATABASE %s CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci; "
          "CREATE USER '%s'@'127.0.0.1' IDENTIFIED BY '%s'; "
          "GRANT SELECT ON %s.* TO '%s'@'127.0.0.1';" % (DB, USER, PASSWORD, DB, USER))
        for part in (read("sql/mysql/schema.sql"), read("sql/mysql/bootstrap.sql"), FIXTURE_SQL):
            a(part, DB)
        port = srv["AW_MY_PORT"]
        base = ["db.username=" + USER, "db.password=" + PASSWORD]
        for mode in ("REQUIRED", "trust"):
            r = alfwipe(conf_file("tls", None, base + [
                "db.url=jdbc:mariadb://127.0.0.1:%s/%s?sslMode=%s" % (port, DB, mode)]),
                "report", "--format", "json")
            j = parse(r)
            check(j is not None and without_engine(j) == without_engine(want),
                  "TLS sslMode=%s: same report over TLS" % mode, r)
        r = alfwipe(conf_file("tls", None, base + [
            "db.url=jdbc:mysql://127.0.0.1:%s/%s?sslMode=VERIFY_IDENTITY" % (port, DB)]),
            "report", "--format", "json")
        check(r.rc == 3 and r.out == "" and "could not connect to mysql server" in r.err
              and "sslrootcert" in r.err.split("hint: ")[-1],
              "TLS sslMode=VERIFY_IDENTITY: self-signed certificate refused, exit 3", r)
        ca = os.path.join(srv["dir"], "cert.pem")
        r = alfwipe(conf_file("tls", None, base + [
            "db.url=jdbc:mariadb://127.0.0.1:%s/%s?sslMode=verify-full&serverSslCert=%s"
            % (port, DB, ca)]), "report", "--format", "json")
        j = parse(r)
        check(j is not None and without_engine(j) == without_engine(want),
              "TLS verify-full with serverSslCert in db.url: verified, same report", r)
        group = {"type": "mysql", "host": "127.0.0.1", "port": int(port), "name": DB,
                 "user": USER, "password_file": pw_file(PASSWORD), "sslmode": "verify-ca",
                 "sslrootcert": ca}
        r = alfwipe(conf_file("tls", group), "report", "--format", "json")
        j = parse(r)
        check(j is not None and without_engine(j) == without_engine(want),
              "TLS verify-ca with database.sslrootcert: verified, same report", r)
        group["sslrootcert"] = os.path.join(TMP, "no-such-ca.pem")
        r = alfwipe(conf_file("tls", group), "report", "--format", "json")
        check(r.rc == 3 and "no-such-ca.pem' cannot be read" in r.err and r.out == "",
              "TLS: an unreadable sslrootcert is refused naming it", r)

        # kill -9 the server while a large report streams over TLS
        a("CREATE DATABASE %s; GRANT SELECT ON %s.* TO '%s'@'127.0.0.1';"
          % (BIGDB, BIGDB, USER))
        for part in (read("sql/mysql/schema.sql"), read("sql/mysql/bootstrap.sql"), BIG_SQL):
            a(part, BIGDB)
        conf = conf_file("tlsbig", None, base + [
            "db.url=jdbc:mariadb://127.0.0.1:%s/%s?sslMode=trust" % (port, BIGDB)])

        def kill_server():
            pid = tdm.server_pid(srv["dir"])
            if not pid:
                return False
            os.kill(pid, signal.SIGKILL)
            return True
        t_killed_stdout(conf, port, kill_server, "server killed mid-stream",
                        lambda sql: tdm.admin(srv, sql))
    finally:
        for c in reversed(tdm.cleanups):
            try:
                c()
            except Exception as e:  # noqa: BLE001 - clean-up must go on
                print("# clean-up: %s" % e)


# ---- set-up ------------------------------------------------------------------------------

BIG_SQL = ("INSERT INTO alf_content_url (id, content_url, content_url_short, content_url_crc, "
           "content_size, orphan_time) SELECT seq, CONCAT('store://2020/1/1/0/0/', "
           "LPAD(seq, 8, '0'), '-big.bin'), RIGHT(CONCAT(LPAD(seq, 8, '0'), '-big.bin'), 12), "
           "CRC32(CONCAT('store://2020/1/1/0/0/', LPAD(seq, 8, '0'), '-big.bin')), seq, "
           "NULL FROM seq_1_to_%d;" % BIG_URLS)


def setup(fx):
    global STORE, DELETED, FIXTURE_SQL
    STORE = os.path.join(TMP, "alf_data", "contentstore")
    DELETED = os.path.join(TMP, "alf_data", "contentstore.deleted")
    write_tree(STORE, fx.files)
    write_tree(DELETED, fx.deleted)
    FIXTURE_SQL = "\n".join(fx.sql) + "\n"

    # PostgreSQL, in a zone of its own
    pg_admin("CREATE DATABASE %s ENCODING 'UTF8' TEMPLATE template0" % DB)
    cleanups.append(lambda: pg_admin("DROP DATABASE IF EXISTS %s" % DB))
    pg_admin("ALTER DATABASE %s SET timezone TO 'Asia/Kolkata'" % DB)
    pg_admin(read("sql/pg/schema.sql") + read("sql/pg/bootstrap.sql") + FIXTURE_SQL, DB)

    # MariaDB: case-insensitive default collation, data written from a +05:30 session, the
    # server's own zone at -07:00 while alfwipe reads
    my_admin("""
        DROP USER IF EXISTS '%(u)s'@'127.0.0.1', '%(u)s'@'localhost', '%(k)s'@'127.0.0.1';
        CREATE DATABASE %(db)s CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
        CREATE DATABASE %(big)s CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
        CREATE USER '%(u)s'@'127.0.0.1' IDENTIFIED BY '%(pw)s';
        CREATE USER '%(u)s'@'localhost' IDENTIFIED BY '%(pw)s';
        CREATE USER '%(k)s'@'127.0.0.1' IDENTIFIED BY '%(pw)s';
        GRANT SELECT ON %(db)s.* TO '%(u)s'@'127.0.0.1';
        GRANT SELECT ON %(db)s.* TO '%(u)s'@'localhost';
        GRANT SELECT ON %(big)s.* TO '%(k)s'@'127.0.0.1';
        """ % {"db": DB, "big": BIGDB, "u": USER, "k": KILLUSER, "pw": PASSWORD})
    cleanups.append(lambda: my_admin(
        "DROP DATABASE IF EXISTS %s; DROP DATABASE IF EXISTS %s; DROP USER IF EXISTS "
        "'%s'@'127.0.0.1', '%s'@'localhost', '%s'@'127.0.0.1';"
        % (DB, BIGDB, USER, USER, KILLUSER)))
    for part in (read("sql/mysql/schema.sql"), read("sql/mysql/bootstrap.sql"), FIXTURE_SQL):
        my_admin(part, DB, tz="+05:30")
    old_tz = my_admin("SELECT @@global.time_zone").strip()
    my_admin("SET GLOBAL time_zone = '-07:00'")
    cleanups.append(lambda: my_admin("SET GLOBAL time_zone = '%s'" % old_tz))

    # The same without the 5.0 encryption table, on both engines
    pre50 = "\n".join(x for x in fx.sql if "alf_content_url_encryption" not in x) + "\n"
    drop = "DROP TABLE alf_content_url_encryption;\n"
    pg_admin("CREATE DATABASE %s_pre50 ENCODING 'UTF8' TEMPLATE template0" % DB)
    cleanups.append(lambda: pg_admin("DROP DATABASE IF EXISTS %s_pre50" % DB))
    pg_admin(read("sql/pg/schema.sql") + drop + read("sql/pg/bootstrap.sql").replace(
        "SELECT setval('alf_content_url_enc_seq', 20000);", "") + pre50, DB + "_pre50")
    my_admin("CREATE DATABASE %s_pre50 CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci; "
             "GRANT SELECT ON %s_pre50.* TO '%s'@'127.0.0.1';" % (DB, DB, USER))
    cleanups.append(lambda: my_admin("DROP DATABASE IF EXISTS %s_pre50" % DB))
    for part in (read("sql/mysql/schema.sql") + drop, read("sql/mysql/bootstrap.sql").replace(
            "ALTER TABLE alf_content_url_encryption AUTO_INCREMENT = 20001;", ""), pre50):
        my_admin(part, DB + "_pre50")

    # A large database for the killed-connection cases: one file on disk, many URLs.
    for part in (read("sql/mysql/schema.sql"), read("sql/mysql/bootstrap.sql")):
        my_admin(part, BIGDB)
    my_admin(BIG_SQL, BIGDB)


def main():
    env_or_die("AW_PG_HOST", "AW_PG_PORT", "AW_PG_USER", "AW_MY_SOCKET", "AW_MY_PORT",
               "AW_MY_USER")
    try:
        fx = build_fixture()
        setup(fx)
        now_tz = my_admin("SELECT @@global.time_zone").strip()
        eq(now_tz, "-07:00", "mariadb: server time zone differs from UTC and from the client")
        want = t_parity(fx)
        t_empty_root(fx)
        t_plan()
        t_pre50()
        t_bad_input()
        big = conf_file("big", {"type": "mysql", "host": "127.0.0.1",
                                "port": int(os.environ["AW_MY_PORT"]), "name": BIGDB,
                                "user": KILLUSER, "password_file": pw_file(PASSWORD)})
        t_killed_stdout(big, os.environ["AW_MY_PORT"], lambda: len(kill_user_connections()) == 1,
                        "connection killed mid-stream")
        t_killed_output(big)
        t_statement_limit(big)
        if want is not None:
            t_jdbc(want)
            t_jdbc_tls(want)
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
