#!/usr/bin/env python3
"""purge P10: with the database configured too, what the purge releases to the orphan cleaner
and when, against the real PostgreSQL and MariaDB of the runner.

Alfresco cannot run here: tests/mock-alfresco/server.py stands in for its deleted-nodes REST
API, and each database is loaded with sql/<dialect>/schema.sql, bootstrap.sql and the rows of
the trashcan items below (store, root node, qname, namespace and locale ids are looked up, not
assumed). alfwipe only reads the database; the test checks it is unchanged afterwards.

Rows (sizes in bytes), in archive://SpacesStore unless said otherwise:
  e  uuid-e  Ue 500000, referenced only by e
  g  uuid-g  Ush 66, also referenced by d's child d4
  h  uuid-h  listed by the API, not in the database
  d  uuid-d  folder: d1 Ud1 7000 (+ rendition r1 Ur 1234, + version history in
             workspace://version2Store: v1 Uv 40000, v2 Ud1), d2 Ud2 800 also referenced by a
             live node, d3 Ub also referenced by the trashcan item b (younger, kept), d4 Ush,
             sub-folder d5 with d6 Ud6 9
  c  uuid-c  Uc 30000, also referenced by a live copy in workspace://SpacesStore
  b  uuid-b  Ub 2000 (kept: archived 20 days ago)
"""
import csv
import datetime
import io
import json
import os
import subprocess
import sys
import time
import uuid
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mock-alfresco"))
import mockaf as m  # noqa: E402

DBNAME = "t_purge_p10_%d" % os.getpid()


# ---- the two engines ---------------------------------------------------------------------

class Pg:
    name = "postgresql"
    dialect = "pg"

    def __init__(self):
        self.base = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", os.environ["AW_PG_HOST"],
                     "-p", os.environ["AW_PG_PORT"], "-U", os.environ["AW_PG_USER"]]

    def sql(self, text, db=DBNAME):
        p = subprocess.run(self.base + ["-At", "-F", "\t", "-d", db], input=text,
                           capture_output=True, text=True)
        if p.returncode != 0:
            m.fail("psql failed: %s" % p.stderr)
        return p.stdout

    def create(self):
        self.sql("DROP DATABASE IF EXISTS %s; CREATE DATABASE %s;" % (DBNAME, DBNAME), "postgres")

    def drop(self):
        self.sql("DROP DATABASE IF EXISTS %s;" % DBNAME, "postgres")

    def conf_group(self):
        return ('database = {\n  type = "postgresql";\n  host = "%s";\n  port = %s;\n'
                '  name = "%s";\n  user = "%s";\n};\n'
                % (os.environ["AW_PG_HOST"], os.environ["AW_PG_PORT"], DBNAME,
                   os.environ["AW_PG_USER"]))


class My:
    name = "mariadb"
    dialect = "mysql"

    def __init__(self):
        self.base = ["mariadb", "--no-defaults", "--socket=" + os.environ["AW_MY_SOCKET"],
                     "-u", os.environ["AW_MY_USER"], "--batch", "--skip-column-names"]

    def sql(self, text, db=DBNAME):
        p = subprocess.run(self.base + ([db] if db else []), input=text, capture_output=True,
                           text=True)
        if p.returncode != 0:
            m.fail("mariadb failed: %s" % p.stderr)
        return p.stdout

    def create(self):
        self.sql("DROP DATABASE IF EXISTS %s; CREATE DATABASE %s;" % (DBNAME, DBNAME), None)

    def drop(self):
        self.sql("DROP DATABASE IF EXISTS %s;" % DBNAME, None)

    def conf_group(self):
        return ('database = {\n  type = "mysql";\n  socket = "%s";\n  name = "%s";\n'
                '  user = "%s";\n};\n' % (os.environ["AW_MY_SOCKET"], DBNAME,
                                           os.environ["AW_MY_USER"]))


# ---- the rows ----------------------------------------------------------------------------

class Fixture:
    """Writes the trashcan rows; every id of a bootstrap row is looked up first."""

    def __init__(self, eng):
        self.eng = eng
        self.stmts = []
        one = lambda q: eng.sql(q).strip()  # noqa: E731
        self.store = {}
        for line in eng.sql("SELECT protocol, identifier, id, root_node_id FROM alf_store;")\
                .splitlines():
            proto, ident, sid, root = line.split("\t")
            self.store[proto + "://" + ident] = (int(sid), int(root))
        self.qn = {}
        for line in eng.sql("SELECT ns.uri, q.local_name, q.id FROM alf_qname q "
                            "JOIN alf_namespace ns ON ns.id = q.ns_id;").splitlines():
            uri, local, qid = line.split("\t")
            self.qn[(uri, local)] = int(qid)
        self.ns = {}
        for line in eng.sql("SELECT uri, id FROM alf_namespace;").splitlines():
            uri, nid = line.split("\t")
            self.ns[uri] = int(nid)
        self.locale = int(one("SELECT id FROM alf_locale WHERE locale_str = '.default';"))
        self.mime = int(one("SELECT id FROM alf_mimetype "
                            "WHERE mimetype_str = 'application/octet-stream';"))
        self.enc = int(one("SELECT id FROM alf_encoding WHERE encoding_str = 'UTF-8';"))
        self.next = {t: int(one("SELECT COALESCE(MAX(id), 0) FROM %s;" % t)) + 1
                     for t in ("alf_transaction", "alf_node", "alf_child_assoc",
                               "alf_content_url", "alf_content_data")}
        self.txn = self.new_id("alf_transaction")
        self.stmts.append("INSERT INTO alf_transaction (id, version, change_txn_id, "
                          "commit_time_ms) VALUES (%d, 1, '%s', 1718000000000);"
                          % (self.txn, uuid.uuid4()))
        self.urls = {}

    SYS = "http://www.alfresco.org/model/system/1.0"
    CM = "http://www.alfresco.org/model/content/1.0"
    RN = "http://www.alfresco.org/model/rendition/1.0"
    VER2 = "http://www.alfresco.org/model/versionstore/2.0"

    def new_id(self, table):
        v = self.next[table]
        self.next[table] += 1
        return v

    def q(self, uri, local):
        return self.qn[(uri, local)]

    def url(self, key, size):
        """A content URL row (orphan_time NULL: referenced)."""
        u = "store://2024/1/2/3/%d/%s.bin" % (len(self.urls), uuid.uuid4())
        uid = self.new_id("alf_content_url")
        short = u.lower()[-12:]
        crc = zlib.crc32(u.encode()) & 0xffffffff
        self.stmts.append("INSERT INTO alf_content_url (id, content_url, content_url_short, "
                          "content_url_crc, content_size, orphan_time) VALUES "
                          "(%d, '%s', '%s', %d, %d, NULL);" % (uid, u, short, crc, size))
        self.urls[key] = uid
        return uid

    def prop(self, node, qname, actual, persisted, col, val):
        self.stmts.append("INSERT INTO alf_node_properties (node_id, actual_type_n, "
                          "persisted_type_n, %s, qname_id, list_index, locale_id) VALUES "
                          "(%d, %d, %d, %s, %d, -1, %d);"
                          % (col, node, actual, persisted, val, qname, self.locale))

    def content(self, node, url_key):
        did = self.new_id("alf_content_data")
        self.stmts.append("INSERT INTO alf_content_data (id, version, content_url_id, "
                          "content_mimetype_id, content_encoding_id, content_locale_id) VALUES "
                          "(%d, 1, %d, %d, %d, %d);" % (did, self.urls[url_key], self.mime,
                                                        self.enc, self.locale))
        self.prop(node, self.q(self.CM, "content"), 21, 3, "long_value", did)

    def node(self, store, parent, uid=None, ntype="content", assoc=("cm", "contains"),
             name_ns=None, name_local=None):
        sid = self.store[store][0]
        nid = self.new_id("alf_node")
        uid = uid or str(uuid.uuid4())
        tq = self.q(self.VER2 if ntype in ("versionHistory",) else self.CM, ntype)
        self.stmts.append("INSERT INTO alf_node (id, version, store_id, uuid, transaction_id, "
                          "type_qname_id, locale_id) VALUES (%d, 1, %d, '%s', %d, %d, %d);"
                          % (nid, sid, uid, self.txn, tq, self.locale))
        ns_uri = {"cm": self.CM, "sys": self.SYS, "rn": self.RN, "ver2": self.VER2}
        aq = self.q(ns_uri[assoc[0]], assoc[1])
        name_ns = name_ns or self.CM
        name_local = name_local or uid
        aid = self.new_id("alf_child_assoc")
        self.stmts.append("INSERT INTO alf_child_assoc (id, version, parent_node_id, "
                          "type_qname_id, child_node_name_crc, child_node_name, child_node_id, "
                          "qname_ns_id, qname_localname, qname_crc, is_primary, assoc_index) "
                          "VALUES (%d, 1, %d, %d, %d, '%s', %d, %d, '%s', %d, TRUE, -1);"
                          % (aid, parent, aq, zlib.crc32(uid.encode()), uid[:50], nid,
                             self.ns[name_ns], name_local, zlib.crc32(name_local.encode())))
        return nid, uid

    def archived_item(self, uid, ntype, date):
        root = self.store["archive://SpacesStore"][1]
        nid, _ = self.node("archive://SpacesStore", root, uid, ntype, ("sys", "children"),
                           self.SYS, "archivedItem")
        self.prop(nid, self.q(self.SYS, "archivedDate"), 7, 6, "string_value", "'%s'" % date)
        return nid

    def load(self):
        self.eng.sql("\n".join(self.stmts) + "\n")


def build(eng):
    """Loads schema, bootstrap and the rows; returns the uuids the summary must name."""
    eng.create()
    for f in ("schema.sql", "bootstrap.sql"):
        with open(os.path.join(m.SRC, "sql", eng.dialect, f)) as fh:
            eng.sql(fh.read())
    fx = Fixture(eng)
    ws_root = fx.store["workspace://SpacesStore"][1]
    vs_root = fx.store["workspace://version2Store"][1]
    for key, size in (("Ue", 500000), ("Ush", 66), ("Ud1", 7000), ("Ur", 1234), ("Uv", 40000),
                      ("Ud2", 800), ("Ub", 2000), ("Ud6", 9), ("Uc", 30000)):
        fx.url(key, size)
    # live nodes sharing URLs with trashcan items
    live_c, live_c_uuid = fx.node("workspace://SpacesStore", ws_root)
    fx.content(live_c, "Uc")
    live_d2, live_d2_uuid = fx.node("workspace://SpacesStore", ws_root)
    fx.content(live_d2, "Ud2")
    # trashcan items
    e = fx.archived_item("uuid-e", "content", "2024-01-15T10:00:00.000Z")
    fx.content(e, "Ue")
    g = fx.archived_item("uuid-g", "content", "2024-02-01T10:00:00.000Z")
    fx.content(g, "Ush")
    d = fx.archived_item("uuid-d", "folder", "2024-04-01T10:00:00.000Z")
    d1, d1_uuid = fx.node("archive://SpacesStore", d)
    fx.content(d1, "Ud1")
    r1, _ = fx.node("archive://SpacesStore", d1, assoc=("rn", "rendition"))
    fx.content(r1, "Ur")
    hist, _ = fx.node("workspace://version2Store", vs_root, ntype="versionHistory",
                      assoc=("ver2", "versionHistory"))
    fx.prop(hist, fx.q(fx.VER2, "versionedNodeId"), 6, 6, "string_value", "'%s'" % d1_uuid)
    for url_key in ("Uv", "Ud1"):
        v, _ = fx.node("workspace://version2Store", hist, assoc=("ver2", "version"))
        fx.prop(v, fx.q(fx.VER2, "frozenNodeRef"), 12, 6, "string_value",
                "'workspace://SpacesStore/%s'" % d1_uuid)
        fx.content(v, url_key)
    d2, _ = fx.node("archive://SpacesStore", d)
    fx.content(d2, "Ud2")
    d3, _ = fx.node("archive://SpacesStore", d)
    fx.content(d3, "Ub")
    d4, d4_uuid = fx.node("archive://SpacesStore", d)
    fx.content(d4, "Ush")
    d5, _ = fx.node("archive://SpacesStore", d, ntype="folder")
    d6, _ = fx.node("archive://SpacesStore", d5)
    fx.content(d6, "Ud6")
    c = fx.archived_item("uuid-c", "content", "2024-05-20T10:00:00.000Z")
    fx.content(c, "Uc")
    b = fx.archived_item("uuid-b", "content", "2024-06-10T10:00:00.000Z")
    fx.content(b, "Ub")
    fx.load()
    return {"live_c": live_c_uuid, "live_d2": live_d2_uuid, "d4": d4_uuid}


def snapshot(eng):
    """What alfwipe must leave unchanged."""
    return eng.sql("SELECT id, content_size, COALESCE(orphan_time, -1) FROM alf_content_url "
                   "ORDER BY id; SELECT COUNT(*) FROM alf_content_data; "
                   "SELECT COUNT(*) FROM alf_node; SELECT COUNT(*) FROM alf_node_properties;")


def trashcan():
    """The base trashcan plus g (shares a URL with d) and h (not in the database)."""
    items = m.base_items()
    items.insert(3, m.item("uuid-h", "h.txt", "cm:content", "2024-03-01T10:00:00.000+0000",
                           "carol", 5))
    items.insert(5, m.item("uuid-g", "g.bin", "cm:content", "2024-02-01T10:00:00.000+0000",
                           "bob", 66))
    return items


def rel_of(j):
    return {i["id"]: (i["release"]["found"], i["release"]["bytes"], i["release"]["urls"],
                      i["release"]["kept_urls"], i["release"]["shared_with"])
            for i in j["items"] if "release" in i}


def test_engine(eng, tmp, pki, start):
    n = eng.name
    ids = build(eng)
    before = snapshot(eng)
    order = ["uuid-e", "uuid-g", "uuid-h", "uuid-d", "uuid-c"]

    # The full run: e, g, h, d, c purged oldest first.
    mk = start({"items": trashcan(), "page_size": 2})
    conf = m.write_conf(tmp, mk.url, pki["ca"], name=n + ".conf", extra=eng.conf_group())
    r = m.run(conf, "--format", "json")
    m.eq(r.rc, 0, "%s: exit code" % n, r)
    m.eq(mk.purged(), order, "%s: deletes, oldest first" % n, r)
    j = json.loads(r.out)
    rel = rel_of(j)
    m.eq(rel["uuid-e"], (True, 500000, 1, 0, None), "%s: e releases 500000 bytes" % n, r)
    m.eq(rel["uuid-g"], (True, 66, 1, 0, None),
         "%s: g releases the URL it shares with d, which goes too" % n, r)
    m.eq(rel["uuid-h"][0], False, "%s: h is not in the database" % n, r)
    m.eq(rel["uuid-d"][:4], (True, 7000 + 1234 + 40000 + 9 + 66, 5, 2),
         "%s: d releases its descendants' URLs, renditions and version history, not the "
         "URLs shared with a live node or with b" % n, r)
    m.check(rel["uuid-d"][4] in ("workspace://SpacesStore/" + ids["live_d2"],
                                 "archive://SpacesStore/uuid-b"),
            "%s: d names what keeps a URL: %r" % (n, rel["uuid-d"][4]), r)
    m.eq(rel["uuid-c"], (True, 0, 0, 1, "workspace://SpacesStore/" + ids["live_c"]),
         "%s: c releases 0, shared with the live copy" % n, r)
    t = j["release"]
    m.eq((t["available"], t["bytes"], t["urls"], t["kept_urls"]),
         (True, 500000 + 66 + 7000 + 1234 + 40000 + 9, 6, 3),
         "%s: total released, a URL shared by two purged items counted once" % n, r)
    # a real purge marks the URLs on the clock, whatever --now says (it moves the cut-off)
    def instant(v):
        for fmt in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
            try:
                return datetime.datetime.strptime(v, fmt).replace(
                    tzinfo=datetime.timezone.utc).timestamp()
            except (TypeError, ValueError):
                pass
        return None
    marked, after = instant(t["orphan_time"]), instant(t["cleaner_after"])
    m.check(marked is not None and abs(marked - time.time()) < 600 and after is not None and
            abs(after - marked - 14 * 86400) < 0.01,
            "%s: marked at purge time (the clock, not --now), taken after orphan_time + 14 "
            "days: %s, %s" % (n, t["orphan_time"], t["cleaner_after"]), r)
    m.eq((t["eager_cleanup"], t["orphan_protect_days"], t["copied_to_contentstore_deleted"]),
         (False, 14, True), "%s: the cleaner's settings" % n, r)
    m.eq(snapshot(eng), before, "%s: the database is unchanged" % n, r)

    # Text: the summary says how many bytes and when.
    mk = start({"items": trashcan(), "page_size": 2})
    conf = m.write_conf(tmp, mk.url, pki["ca"], name=n + "-text.conf", extra=eng.conf_group())
    r = m.run(conf)
    m.eq(r.rc, 0, "%s text: exit code" % n, r)
    m.check("releases 548309 bytes in 6 content URLs to the orphan cleaner; 3 URLs stay "
            "referenced from outside the purged items" in r.out, "%s text: release total" % n, r)
    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    m.check(("marked at purge time (%s" % today) in r.out and "(orphanProtectDays 14, cron "
            "'0 0 4 * * ?': 04:00 server time)" in r.out and "contentstore.deleted" in r.out,
            "%s text: when the cleaner takes them" % n, r)
    # a dry run previews the purge at --now
    mk = start({"items": trashcan(), "page_size": 2})
    conf = m.write_conf(tmp, mk.url, pki["ca"], name=n + "-dry.conf", extra=eng.conf_group())
    r = m.run(conf, "--dry-run")
    m.check("marked at purge time (2024-06-30T00:00:00Z); the cleaner takes them at its first "
            "run after 2024-07-14T00:00:00Z" in r.out,
            "%s dry run: the release dated at --now" % n, r)
    m.check("[releases 0 bytes; shared with workspace://SpacesStore/%s]" % ids["live_c"]
            in r.out, "%s text: c shared with the live copy" % n, r)
    m.check("[release: not in the database]" in r.out, "%s text: h not in the database" % n, r)

    # CSV: the release row carries bytes, URLs and when.
    mk = start({"items": trashcan(), "page_size": 2})
    conf = m.write_conf(tmp, mk.url, pki["ca"], name=n + "-csv.conf", extra=eng.conf_group())
    r = m.run(conf, "--format", "csv")
    m.eq(r.rc, 0, "%s csv: exit code" % n, r)
    recs = list(csv.DictReader(io.StringIO(r.out)))
    relrow = [x for x in recs if x["record"] == "summary" and x["status"] == "release"]
    fortnight = (datetime.datetime.now(datetime.timezone.utc) +
                 datetime.timedelta(days=14)).strftime("%Y-%m-%d")
    m.check([(x["size_bytes"], x["count"]) for x in relrow] == [("548309", "6")] and
            relrow[0]["reason"].startswith("taken by the first cleaner run after " + fortnight),
            "%s csv: release row (cleaner 14 days after the real purge)" % n, r)
    m.eq({x["id"]: x["release_bytes"] for x in recs if x["record"] == "item"},
         {"uuid-e": "500000", "uuid-g": "66", "uuid-h": "", "uuid-d": "48309", "uuid-c": "0"},
         "%s csv: release bytes per item" % n, r)

    # d fails (HTTP 500): the URL g shares with d is not released, g's bytes stay.
    mk = start({"items": trashcan(), "page_size": 2, "rules": [
        {"method": "DELETE", "path": "deleted-nodes/uuid-d", "responses": [{"status": 500}]}]})
    conf = m.write_conf(tmp, mk.url, pki["ca"], name=n + "-fail.conf", extra=eng.conf_group())
    r = m.run(conf, "--format", "json")
    m.eq(r.rc, 2, "%s d failed: exit code" % n, r)
    m.eq(mk.purged(), ["uuid-e", "uuid-g", "uuid-h", "uuid-c"], "%s d failed: deletes" % n, r)
    j = json.loads(r.out)
    rel = rel_of(j)
    m.eq(rel["uuid-g"], (True, 0, 0, 1, "archive://SpacesStore/" + ids["d4"]),
         "%s d failed: g releases nothing, its URL is still held by d" % n, r)
    m.check("uuid-d" not in rel, "%s d failed: no release figure for d" % n, r)
    m.eq((j["release"]["bytes"], j["release"]["urls"], j["release"]["kept_urls"]),
         (500000, 1, 2), "%s d failed: total" % n, r)

    # Dry run: the same figures, nothing deleted.
    mk = start({"items": trashcan(), "page_size": 2})
    conf = m.write_conf(tmp, mk.url, pki["ca"], name=n + "-dry.conf", extra=eng.conf_group())
    r = m.run(conf, "--dry-run", "--format", "json")
    m.eq(r.rc, 0, "%s dry run: exit code" % n, r)
    m.eq(mk.deletes(), [], "%s dry run: no DELETE" % n, r)
    m.eq(json.loads(r.out)["release"]["bytes"], 548309, "%s dry run: release total" % n, r)

    # Eager cleanup and orphanProtectDays from alfresco-global.properties.
    for props, want in (("system.content.eagerOrphanCleanup=true\n",
                         (True, None, None, False)),
                        ("system.content.orphanProtectDays=3\n"
                         "system.content.orphanCleanup.cronExpression=0 30 2 * * ?\n",
                         (False, "2024-06-30T00:00:00Z", "2024-07-03T00:00:00Z", True))):
        label = props.replace("\n", " ").strip()
        pf = os.path.join(tmp, n + "-alfresco-global.properties")
        with open(pf, "w") as f:
            f.write("dir.root=%s\n%s" % (os.path.join(tmp, "alf_data"), props))
        mk = start({"items": trashcan(), "page_size": 2})
        conf = m.write_conf(tmp, mk.url, pki["ca"], name=n + "-props.conf", extra=eng.conf_group(),
                            global_properties=pf)
        # a dry run: the release is dated at --now
        r = m.run(conf, "--format", "json", "--dry-run")
        m.eq(r.rc, 0, "%s %s: exit code" % (n, label), r)
        t = json.loads(r.out)["release"]
        m.eq((t["eager_cleanup"], t["orphan_time"], t["cleaner_after"],
              t["copied_to_contentstore_deleted"]), want, "%s %s: timing" % (n, label), r)
        m.eq(t["bytes"], 548309, "%s %s: bytes" % (n, label), r)
        if "cron" in props:
            m.eq(t["cleaner_cron"], "0 30 2 * * ?", "%s: the cleaner's cron from the "
                 "properties" % n, r)
        if "eager" in props:
            mk = start({"items": trashcan(), "page_size": 2})
            conf = m.write_conf(tmp, mk.url, pki["ca"], name=n + "-eager.conf",
                                extra=eng.conf_group(), global_properties=pf)
            r = m.run(conf)
            m.check("unlinked right after each purge, without a copy in contentstore.deleted"
                    in r.out, "%s eager: the text says so" % n, r)
    m.eq(snapshot(eng), before, "%s: the database is still unchanged" % n)


def test(tmp, pki, start):
    # Without a reachable database the purge still runs; the figures are reported unknown
    # and the run ends with a warning (exit 1), naming the database problem.
    mk = start({"items": m.base_items(), "page_size": 2})
    bad = ('database = {\n  type = "postgresql";\n  host = "127.0.0.1";\n  port = 1;\n'
           '  name = "none";\n  user = "nobody";\n};\n')
    conf = m.write_conf(tmp, mk.url, pki["ca"], name="nodb.conf", extra=bad)
    r = m.run(conf, "--format", "json")
    m.eq(r.rc, 1, "database unreachable: exit code", r)
    m.eq(mk.purged(), ["uuid-e", "uuid-d", "uuid-c"], "database unreachable: deletes", r)
    m.eq(json.loads(r.out)["release"]["available"], False, "database unreachable: figures", r)
    m.check("could not work out what the purge releases" in r.err,
            "database unreachable: warning", r)

    for eng in (Pg(), My()):
        try:
            test_engine(eng, tmp, pki, start)
        finally:
            if not os.environ.get("AW_KEEP"):
                eng.drop()


if __name__ == "__main__":
    sys.exit(m.main(test))
