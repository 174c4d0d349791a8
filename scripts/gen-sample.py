#!/usr/bin/env python3
"""Sample generator: an Alfresco-shaped data set and a matching content store on disk.

    gen-sample.py --out DIR --now ISO8601 --dialect postgresql|mysql [--urls N] [--data-only]

Writes
  DIR/data.sql       rows to load after sql/<dialect>/schema.sql and sql/<dialect>/bootstrap.sql
                     (PostgreSQL: COPY blocks; MySQL/MariaDB: multi-row INSERTs)
  DIR/alf_data/contentstore/Y/M/D/h/m/<uuid>.bin and DIR/alf_data/contentstore.deleted/...
                     the files (not with --data-only), paths without zero padding
  DIR/expected.json  what was built: count and bytes per report class, findings, per-store
                     totals, trashcan items and the exit code alfwipe report should give

The ids of namespaces, qnames, locales, mimetypes, encodings, stores and their root nodes are
read from sql/pg/bootstrap.sql (the same rows as sql/mysql/bootstrap.sql); nothing here assumes
an id the bootstrap does not define. New rows start where the bootstrap leaves each sequence.

The default sample holds one or more instances of every case alfwipe reports: live documents
(with renditions, a person's preferences, copies sharing a URL, an encrypted URL), version
history in workspace://version2Store (ver2:frozenNodeRef, ver2:frozenNodeDbId, the history's
ver2:versionedNodeId), trashcan items in archive://SpacesStore (sys:archived and its
properties, the sys:children / sys:archivedItem association from the archive root, the
deleting user's sys:archiveUser node, a folder tree, one item without sys:archivedDate, one
sharing its URL with a live document, one with version history), sys:deleted placeholders,
orphans of every kind (protected, on the protect boundary, eligible, overdue, kept with
orphan_time 0, unreferenced with orphan_time NULL), a stale orphan mark, two URLs differing
only in letter case, s3:// and spoof:// URLs, strays (old and in flight), files in
contentstore.deleted (deleted and deleted_referenced), a missing file and a size mismatch.

--urls N (at least the size of the default sample) adds bulk rows in a fixed mix of the same
kinds until there are exactly N content URL rows, with about N files. Everything is derived
from a fixed seed and --now, so two runs with the same arguments produce the same data (the
benchmark loads the same set into PostgreSQL and MariaDB with --data-only the second time).
Bulk files are sparse (the size is right, no data blocks are written) so that a million of
them are created quickly.
"""
import argparse
import datetime
import json
import os
import random
import re
import shutil
import sys
import tempfile
import uuid
import zlib

SRC = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

NS = {
    "sys": "http://www.alfresco.org/model/system/1.0",
    "cm": "http://www.alfresco.org/model/content/1.0",
    "rn": "http://www.alfresco.org/model/rendition/1.0",
    "ver2": "http://www.alfresco.org/model/versionstore/2.0",
    "app": "http://www.alfresco.org/model/application/1.0",
}

MS_DAY = 86400000
MS_HOUR = 3600000
MS_MIN = 60000

# The policy the expected results assume: alfwipe's and Alfresco's defaults.
PROTECT_DAYS = 14
SLACK_DAYS = 1
KEEP_DAYS = 28
GRACE_MIN = 60

CLASSES = ["live", "version", "trashcan", "orphan_protected", "orphan_eligible",
           "orphan_overdue", "orphan_kept", "unreferenced", "non_file", "stray", "deleted",
           "deleted_referenced"]
FINDINGS = ["missing_file", "size_mismatch", "stale_orphan_mark", "shared", "trashcan_expired",
            "no_archived_date", "in_flight", "dangling_content_data", "invalid_url",
            "not_regular_file", "not_walked", "hard_linked", "not_content_name"]

TABLES = {
    "alf_transaction": ["id", "version", "change_txn_id", "commit_time_ms"],
    "alf_node": ["id", "version", "store_id", "uuid", "transaction_id", "type_qname_id",
                 "locale_id", "acl_id", "audit_creator", "audit_created", "audit_modifier",
                 "audit_modified", "audit_accessed"],
    "alf_node_aspects": ["node_id", "qname_id"],
    "alf_child_assoc": ["id", "version", "parent_node_id", "type_qname_id",
                        "child_node_name_crc", "child_node_name", "child_node_id",
                        "qname_ns_id", "qname_localname", "qname_crc", "is_primary",
                        "assoc_index"],
    "alf_content_url": ["id", "content_url", "content_url_short", "content_url_crc",
                        "content_size", "orphan_time"],
    "alf_content_data": ["id", "version", "content_url_id", "content_mimetype_id",
                         "content_encoding_id", "content_locale_id"],
    "alf_content_url_encryption": ["id", "content_url_id", "algorithm", "key_size",
                                   "encrypted_key", "master_keystore_id", "master_key_alias",
                                   "unencrypted_file_size"],
    "alf_node_properties": ["node_id", "actual_type_n", "persisted_type_n", "boolean_value",
                            "long_value", "float_value", "double_value", "string_value",
                            "serializable_value", "qname_id", "list_index", "locale_id"],
}
# Load order: every foreign key points at a table loaded earlier.
ORDER = ["alf_transaction", "alf_node", "alf_node_aspects", "alf_child_assoc",
         "alf_content_url", "alf_content_data", "alf_content_url_encryption",
         "alf_node_properties"]
# Sequences to move past the loaded rows (PostgreSQL).
SEQUENCES = {"alf_transaction": "alf_transaction_seq", "alf_node": "alf_node_seq",
             "alf_child_assoc": "alf_child_assoc_seq", "alf_content_url": "alf_content_url_seq",
             "alf_content_data": "alf_content_data_seq",
             "alf_content_url_encryption": "alf_content_url_enc_seq"}


def die(msg, hint):
    sys.stderr.write("gen-sample: %s\nhint: %s\n" % (msg, hint))
    sys.exit(2)


# ---------------------------------------------------------------- content URLs

def url_short(url):
    """content_url_short: the last 12 characters of the lower-cased URL (facts §6.3)."""
    if url == "":
        url = ".empty"
    return url.lower()[-12:]


def url_crc(url):
    """content_url_crc: unsigned CRC-32 of the URL's UTF-8 bytes as written."""
    return zlib.crc32(url.encode("utf-8")) & 0xFFFFFFFF


def iso(ms):
    d = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


def time_path(ms):
    """Y/M/D/h/m of an instant, without zero padding (TimeBasedFileContentUrlProvider, UTC)."""
    d = datetime.datetime.fromtimestamp(ms // 1000, datetime.timezone.utc)
    return "%d/%d/%d/%d/%d" % (d.year, d.month, d.day, d.hour, d.minute)


def parse_now(s):
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)", s)
    if not m:
        die("'%s' is not an ISO-8601 instant" % s, "Give --now like 2024-06-30T00:00:00Z.")
    d = datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
    return int(d.timestamp() * 1000)


# ---------------------------------------------------------------- bootstrap ids

def read_bootstrap(path):
    """Ids the bootstrap defines, keyed by what they stand for."""
    try:
        text = open(path, encoding="utf-8").read()
    except OSError as e:
        die("could not read '%s': %s" % (path, e.strerror), "Run from the source tree.")
    b = {"ns": {}, "qname": {}, "locale": {}, "mimetype": {}, "encoding": {}, "store": {},
         "root": {}, "seq": {}, "max": {}}
    ins = re.compile(r"INSERT INTO (\w+) \(([^)]*)\)\s*VALUES \((.*?)\);", re.S)

    def vals(s):
        out = []
        for v in re.findall(r"'(?:[^']|'')*'|[^,\s][^,]*", s):
            v = v.strip()
            out.append(v[1:-1].replace("''", "'") if v.startswith("'") else v)
        return out

    for table, cols, values in ins.findall(text):
        row = dict(zip([c.strip() for c in cols.split(",")], vals(values)))
        if "id" in row and row["id"].isdigit():
            b["max"][table] = max(b["max"].get(table, 0), int(row["id"]))
        if table == "alf_namespace":
            b["ns"][row["uri"]] = int(row["id"])
        elif table == "alf_qname":
            b["qname"][(int(row["ns_id"]), row["local_name"])] = int(row["id"])
        elif table == "alf_locale":
            b["locale"][row["locale_str"]] = int(row["id"])
        elif table == "alf_mimetype":
            b["mimetype"][row["mimetype_str"]] = int(row["id"])
        elif table == "alf_encoding":
            b["encoding"][row["encoding_str"]] = int(row["id"])
        elif table == "alf_store":
            b["store"][(row["protocol"], row["identifier"])] = int(row["id"])
    for node, store in re.findall(r"UPDATE alf_store SET root_node_id = (\d+) WHERE id = (\d+)",
                                  text):
        b["root"][int(store)] = int(node)
    for seq, val in re.findall(r"setval\('(\w+)', (\d+)\)", text):
        b["seq"][seq] = int(val)
    return b


# ---------------------------------------------------------------- SQL writers

class Table:
    """Rows of one table, formatted for the dialect and spooled to a temporary file."""

    def __init__(self, name, dialect, tmpdir):
        self.name = name
        self.cols = TABLES[name]
        self.dialect = dialect
        self.fp = open(os.path.join(tmpdir, name), "w", encoding="utf-8", newline="\n")
        self.buf = []
        self.n = 0
        self.max_id = 0
        self.has_id = self.cols[0] == "id"
        self.pg_text = dialect == "postgresql"
        self.fmt = Table.pg if self.pg_text else Table.my

    @staticmethod
    def pg(v):
        t = type(v)
        if t is int:
            return str(v)
        if t is str:
            if "\\" in v or "\t" in v or "\n" in v or "\r" in v:
                v = (v.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
                     .replace("\r", "\\r"))
            return v
        if v is None:
            return "\\N"
        if t is bool:
            return "t" if v else "f"
        return "\\\\x" + v.hex()

    @staticmethod
    def my(v):
        t = type(v)
        if t is int:
            return str(v)
        if t is str:
            return "'" + v.replace("\\", "\\\\").replace("'", "''") + "'"
        if v is None:
            return "NULL"
        if t is bool:
            return "1" if v else "0"
        return "X'" + v.hex() + "'"

    def add(self, row):
        if self.has_id and row[0] > self.max_id:
            self.max_id = row[0]
        f = self.fmt
        if self.pg_text:
            self.buf.append("\t".join([f(v) for v in row]))
        else:
            self.buf.append("(" + ",".join([f(v) for v in row]) + ")")
        self.n += 1
        if len(self.buf) >= 2000:
            self.flush()

    def flush(self):
        if not self.buf:
            return
        if self.dialect == "postgresql":
            self.fp.write("\n".join(self.buf))
            self.fp.write("\n")
        else:
            self.fp.write("INSERT INTO %s (%s) VALUES\n" % (self.name, ", ".join(self.cols)))
            self.fp.write(",\n".join(self.buf))
            self.fp.write(";\n")
        self.buf = []

    def close(self):
        self.flush()
        self.fp.close()


# ---------------------------------------------------------------- the generator

class Gen:
    def __init__(self, args, boot, tmpdir):
        self.now = args.now_ms
        self.dialect = args.dialect
        self.write_files = not args.data_only
        self.rng = random.Random(20240630)
        self.boot = boot
        self.t = {name: Table(name, args.dialect, tmpdir) for name in TABLES}
        self.cs = os.path.join(args.out, "alf_data", "contentstore")
        self.deleted_root = os.path.join(args.out, "alf_data", "contentstore.deleted")
        self.made_dirs = set()
        seq = boot["seq"]

        def start(table, seqname):
            return max(seq.get(seqname, 0), boot["max"].get(table, 0)) + 1

        self.next = {
            "node": start("alf_node", "alf_node_seq"),
            "txn": start("alf_transaction", "alf_transaction_seq"),
            "assoc": start("alf_child_assoc", "alf_child_assoc_seq"),
            "url": start("alf_content_url", "alf_content_url_seq"),
            "data": start("alf_content_data", "alf_content_data_seq"),
            "enc": start("alf_content_url_encryption", "alf_content_url_enc_seq"),
        }
        self.locale = boot["locale"].get(".default")
        if self.locale is None:
            die("the bootstrap has no '.default' locale", "Check sql/pg/bootstrap.sql.")
        self.enc_utf8 = boot["encoding"].get("UTF-8")
        self.stores = {}
        for key, name in (("workspace", ("workspace", "SpacesStore")),
                          ("archive", ("archive", "SpacesStore")),
                          ("version", ("workspace", "version2Store"))):
            sid = boot["store"].get(name)
            if sid is None or sid not in boot["root"]:
                die("the bootstrap has no store %s://%s with a root node" % name,
                    "Check sql/pg/bootstrap.sql.")
            self.stores[key] = (sid, boot["root"][sid])
        self.store_names = {"%s://%s" % k: v for k, v in boot["store"].items()}
        # expected results
        self.sum = {c: [0, 0] for c in CLASSES}
        self.protos = {}
        self.findings = {f: 0 for f in FINDINGS}
        self.store_tot = {name: [0, 0] for name in self.store_names}
        self.trash = {}          # trash item key -> record
        self.critical = 0
        self.warn = set()
        self.nfiles = 0
        self.open_urls = {}      # url id -> record, until closed
        self.txn = None
        self.archive_users = {}
        self.bulk_trash = {"count": 0, "bytes": 0, "reclaimable": 0, "trashcan_expired": 0,
                           "no_archived_date": 0}

    # ---- ids, qnames ------------------------------------------------------------------
    def nid(self, kind):
        v = self.next[kind]
        self.next[kind] = v + 1
        return v

    def q(self, prefix, local):
        ns = self.boot["ns"].get(NS[prefix])
        qid = self.boot["qname"].get((ns, local)) if ns is not None else None
        if qid is None:
            die("the bootstrap has no qname %s:%s" % (prefix, local),
                "Add it to sql/pg/bootstrap.sql and sql/mysql/bootstrap.sql.")
        return qid

    def ns_id(self, prefix):
        return self.boot["ns"][NS[prefix]]

    def uuid(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    # ---- rows ---------------------------------------------------------------------------
    def transaction(self, commit_ms):
        tid = self.nid("txn")
        self.t["alf_transaction"].add((tid, 1, self.uuid(), commit_ms))
        self.txn = tid
        return tid

    def node(self, store, type_q, uuid_=None, created_ms=None, creator="admin"):
        nid = self.nid("node")
        c = iso(created_ms if created_ms is not None else self.now - 400 * MS_DAY)
        self.t["alf_node"].add((nid, 1, self.stores[store][0] if store in self.stores else store,
                                uuid_ or self.uuid(), self.txn, type_q, self.locale, None,
                                creator, c, creator, c, None))
        return nid

    def aspect(self, node, q):
        self.t["alf_node_aspects"].add((node, q))

    def prop(self, node, q, actual, persisted, string=None, long=None, boolean=None):
        self.t["alf_node_properties"].add((node, actual, persisted, boolean, long, None, None,
                                           string, None, q, -1, self.locale))

    def prop_str(self, node, q, s):
        self.prop(node, q, 6, 6, string=s)

    def assoc(self, parent, child, type_q, ns, local, name, primary=True):
        lname = name.lower()[:50]
        self.t["alf_child_assoc"].add((
            self.nid("assoc"), 1, parent, type_q, zlib.crc32(lname.encode("utf-8")), lname,
            child, self.ns_id(ns), local, zlib.crc32((NS[ns] + local).encode("utf-8")),
            primary, None))

    # ---- URLs and their expected class ----------------------------------------------
    def url(self, url, size, orphan=None, encrypted_size=None):
        """A content URL row; stays open (collecting references and files) until closed."""
        uid = self.nid("url")
        self.t["alf_content_url"].add((uid, url, url_short(url), url_crc(url), size, orphan))
        if encrypted_size is not None:
            self.t["alf_content_url_encryption"].add((
                self.nid("enc"), uid, "AES", 256, bytes(range(32)), "keystore1", "k1", size))
        self.open_urls[uid] = {"url": url, "size": size, "orphan": orphan,
                               "encrypted": encrypted_size is not None, "refs": [],
                               "files": [], "deleted": []}
        return uid

    def new_url(self, ms, size, orphan=None, name=None, **kw):
        return self.url("store://%s/%s.bin" % (time_path(ms), name or self.uuid()), size,
                        orphan, **kw)

    def content(self, node, store, uid, q=None, owner=None, mimetype="application/pdf"):
        """A d:content property of node pointing at URL uid through its own content data row.
        owner: the trashcan item whose purge deletes this reference (archive tree, or version
        nodes of an archived document)."""
        did = self.nid("data")
        self.t["alf_content_data"].add((did, 0, uid, self.boot["mimetype"].get(mimetype),
                                        self.enc_utf8, self.locale))
        self.prop(node, q or self.q("cm", "content"), 21, 3, long=did)
        self.open_urls[uid]["refs"].append((store, node, owner))

    def file(self, uid, size=None, mtime=None, root="cs", path=None):
        """The file of URL uid in contentstore (root 'cs') or contentstore.deleted ('del')."""
        u = self.open_urls[uid]
        rel = path or u["url"].split("://", 1)[1]
        size = u["size"] if size is None else size
        self.disk(root, rel, size, mtime if mtime is not None else self.now - 30 * MS_DAY)
        (u["files"] if root == "cs" else u["deleted"]).append(size)

    def disk(self, root, rel, size, mtime_ms, sparse=False):
        self.nfiles += 1
        if not self.write_files:
            return
        base = self.cs if root == "cs" else self.deleted_root
        d, name = os.path.split(rel)
        full_dir = os.path.join(base, d)
        if full_dir not in self.made_dirs:
            os.makedirs(full_dir, exist_ok=True)
            self.made_dirs.add(full_dir)
        fd = os.open(os.path.join(full_dir, name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            if sparse:
                os.ftruncate(fd, size)
            else:
                block = (rel.encode("utf-8") + b"\n") * 8
                left = size
                while left > 0:
                    left -= os.write(fd, block[:left] if left < len(block) else block)
            t = mtime_ms * 1000000
            os.utime(fd, ns=(t, t))
        finally:
            os.close(fd)

    def stray(self, rel, size, mtime_ms, sparse=False):
        self.disk("cs", rel, size, mtime_ms, sparse)
        self.tally("stray", size)
        if mtime_ms > self.now - GRACE_MIN * MS_MIN:
            self.findings["in_flight"] += 1
        else:
            self.warn.add("stray")

    def deleted_file(self, rel, size, mtime_ms, sparse=False):
        """A file the cleaner copied into contentstore.deleted: no URL row any more."""
        self.disk("del", rel, size, mtime_ms, sparse)
        self.tally("deleted", size)
        if mtime_ms > self.now - GRACE_MIN * MS_MIN:
            self.findings["in_flight"] += 1

    def tally(self, cls, size):
        self.sum[cls][0] += 1
        self.sum[cls][1] += max(size, 0)

    def close(self, uid):
        """Classify a finished URL the way facts §14 and the report issue define the classes."""
        u = self.open_urls.pop(uid)
        proto = u["url"].split("://", 1)[0] if "://" in u["url"] else ""
        kinds = {store for store, _, _ in u["refs"]}
        referenced = bool(u["refs"])
        orphan = u["orphan"]
        f = set()
        if proto != "store":
            cls = "non_file"
            p = self.protos.setdefault(proto, [0, 0])
            p[0] += 1
            p[1] += u["size"]
        elif "workspace" in kinds:
            cls = "live"
        elif "version" in kinds:
            cls = "version"
        elif "archive" in kinds:
            cls = "trashcan"
        elif orphan is None:
            cls = "unreferenced"
        elif orphan <= 0:
            cls = "orphan_kept"
        elif orphan >= self.now - PROTECT_DAYS * MS_DAY:
            cls = "orphan_protected"
        elif orphan >= self.now - (PROTECT_DAYS + SLACK_DAYS) * MS_DAY:
            cls = "orphan_eligible"
        else:
            cls = "orphan_overdue"
        if cls in ("orphan_kept", "unreferenced", "orphan_overdue"):
            self.warn.add(cls)
        if referenced and orphan is not None:
            f.add("stale_orphan_mark")
        if len({n for _, n, _ in u["refs"]}) > 1:
            f.add("shared")
        if proto == "store":
            if not u["files"]:
                f.add("missing_file")
                if cls in ("live", "version", "trashcan"):
                    self.critical += 1
            elif (not u["encrypted"] and not (orphan is not None and orphan <= 0)
                  and u["files"][0] != u["size"]):
                f.add("size_mismatch")
                self.warn.add("size_mismatch")
        owners = {o for _, _, o in u["refs"] if o is not None}
        outside = any(o is None for _, _, o in u["refs"])
        for o in owners:
            t = self.trash[o]
            t["urls"] += 1
            t["bytes"] += u["size"]
            if len(owners) == 1 and not outside:
                t["reclaimable"] += u["size"]
            f |= t["findings"]
        for store in {store for store, _, _ in u["refs"]}:
            name = {"workspace": "workspace://SpacesStore", "archive": "archive://SpacesStore",
                    "version": "workspace://version2Store"}[store]
            self.store_tot[name][0] += 1
            self.store_tot[name][1] += u["size"]
        self.tally(cls, u["size"])
        for x in f:
            self.findings[x] += 1
        for size in u["deleted"]:
            self.tally("deleted_referenced" if referenced else "deleted", size)
            if referenced:
                self.warn.add("deleted_referenced")

    # ---- documents, folders, trashcan, versions ----------------------------------------
    def folder(self, store, parent, name, created_ms, assoc_type=None, assoc_ns="cm",
               local=None):
        n = self.node(store, self.q("cm", "folder"), created_ms=created_ms)
        self.prop_str(n, self.q("cm", "name"), name)
        self.assoc(parent, n, assoc_type or self.q("cm", "contains"), assoc_ns,
                   local or name.lower(), name)
        return n

    def doc(self, store, parent, name, created_ms, uid=None, uuid_=None, owner=None,
            mimetype="application/pdf", primary=True):
        n = self.node(store, self.q("cm", "content"), uuid_=uuid_, created_ms=created_ms)
        self.prop_str(n, self.q("cm", "name"), name)
        if uid is not None:
            self.content(n, store, uid, owner=owner, mimetype=mimetype)
        if parent is not None:
            self.assoc(parent, n, self.q("cm", "contains"), "cm", name.lower(), name, primary)
        return n

    def placeholder(self, store, uuid_):
        """The sys:deleted row a node leaves behind in its store (sys:originalId = old id)."""
        old = self.nid("node")
        n = self.node(store, self.q("sys", "deleted"), uuid_=uuid_)
        self.prop(n, self.q("sys", "originalId"), 3, 3, long=old)
        return n

    def archive_user(self, user):
        users = self.archive_users
        if user not in users:
            root = self.stores["archive"][1]
            n = self.node("archive", self.q("sys", "archiveUser"))
            self.assoc(root, n, self.q("sys", "archiveUserLink"), "cm", user, user)
            users[user] = n
        return users[user]

    def trash_item(self, name, archived_ms, by, type_local="content", parent_uuid=None,
                   created_ms=None):
        """The top node of a deleted tree in archive://SpacesStore, with sys:archived and the
        archive root's sys:children / sys:archivedItem association; the workspace keeps a
        sys:deleted placeholder with the same uuid. Returns (node id, uuid, item key)."""
        self.transaction(archived_ms if archived_ms is not None else self.now - 100 * MS_DAY)
        u = self.uuid()
        n = self.node("archive", self.q("cm", type_local), uuid_=u, created_ms=created_ms)
        self.prop_str(n, self.q("cm", "name"), name)
        self.aspect(n, self.q("sys", "archived"))
        self.aspect(n, self.q("cm", "ownable"))
        if archived_ms is not None:
            self.prop(n, self.q("sys", "archivedDate"), 7, 6, string=iso(archived_ms))
        self.prop_str(n, self.q("sys", "archivedBy"), by)
        self.prop_str(n, self.q("sys", "archivedOriginalOwner"), by)
        self.prop_str(n, self.q("cm", "owner"), by)
        cm = NS["cm"]
        self.prop(n, self.q("sys", "archivedOriginalParentAssoc"), 13, 6,
                  string="workspace://SpacesStore/%s|workspace://SpacesStore/%s|{%s}contains|"
                         "{%s}%s|true|-1" % (parent_uuid or self.uuid(), u, cm, cm, name.lower()))
        self.assoc(self.stores["archive"][1], n, self.q("sys", "children"), "sys",
                   "archivedItem", name)
        self.assoc(self.archive_user(by), n, self.q("sys", "archivedLink"), "sys", name, name,
                   primary=False)
        self.placeholder("workspace", u)
        f = set()
        if archived_ms is None:
            f.add("no_archived_date")
        elif archived_ms < self.now - KEEP_DAYS * MS_DAY:
            f.add("trashcan_expired")
            self.warn.add("trashcan_expired")
        key = "archive://SpacesStore/" + u
        self.trash[key] = {"urls": 0, "bytes": 0, "reclaimable": 0, "findings": f}
        return n, u, key

    def version_history(self, node_uuid, node_dbid, versions, owner=None):
        """ver2:versionHistory under the version store root and one version node per
        (label, url id): cm:content frozen with its own content data row."""
        vroot = self.stores["version"][1]
        h = self.node("version", self.q("ver2", "versionHistory"))
        self.prop_str(h, self.q("ver2", "versionedNodeId"), node_uuid)
        self.assoc(vroot, h, self.q("ver2", "versionHistory"), "ver2", node_uuid, node_uuid)
        for i, (label, uid) in enumerate(versions):
            v = self.node("version", self.q("cm", "content"))
            self.aspect(v, self.q("ver2", "version"))
            self.prop(v, self.q("ver2", "frozenNodeRef"), 12, 6,
                      string="workspace://SpacesStore/" + node_uuid)
            self.prop(v, self.q("ver2", "frozenNodeDbId"), 3, 3, long=node_dbid)
            self.prop_str(v, self.q("ver2", "versionLabel"), label)
            self.content(v, "version", uid, owner=owner)
            self.assoc(h, v, self.q("ver2", "version"), "ver2", "version-%d" % i,
                       "version-%d" % i)

    # ---- the default sample -------------------------------------------------------------
    def sample(self):
        now = self.now
        D = MS_DAY
        ws_root = self.stores["workspace"][1]
        self.transaction(now - 400 * D)
        home = self.folder("workspace", ws_root, "Company Home", now - 400 * D,
                           assoc_type=self.q("sys", "children"), assoc_ns="app",
                           local="company_home")
        docs = self.folder("workspace", home, "Documents", now - 400 * D)
        self.home, self.docs = home, docs

        # Live documents with their files.
        for i, (days, size, name) in enumerate([(300, 48213, "contract.pdf"),
                                                (200, 1290, "minutes.txt"),
                                                (120, 250000, "plan.pdf"),
                                                (45, 9000, "offer.pdf"),
                                                (3, 777, "todo.txt")]):
            self.transaction(now - days * D)
            t = now - days * D + i * 7 * MS_MIN + 5 * MS_MIN
            uid = self.new_url(t, size)
            self.doc("workspace", docs, name, t, uid)
            self.file(uid, mtime=t)
            self.close(uid)

        # A document with a rendition (cm:thumbnail child through rn:rendition).
        self.transaction(now - 90 * D)
        t = now - 90 * D + 3 * MS_HOUR
        uid = self.new_url(t, 30500)
        src = self.doc("workspace", docs, "photo.png", t, uid, mimetype="image/png")
        self.aspect(src, self.q("rn", "renditioned"))
        self.file(uid, mtime=t)
        self.close(uid)
        uid = self.new_url(t + MS_MIN, 2100)
        th = self.node("workspace", self.q("cm", "thumbnail"), created_ms=t + MS_MIN)
        self.prop_str(th, self.q("cm", "name"), "doclib")
        self.aspect(th, self.q("rn", "rendition2"))
        self.content(th, "workspace", uid, mimetype="image/png")
        self.assoc(src, th, self.q("rn", "rendition"), "cm", "doclib", "doclib")
        self.file(uid, mtime=t + MS_MIN)
        self.close(uid)

        # A person whose preferences are a d:content property other than cm:content.
        t = now - 380 * D
        uid = self.new_url(t, 412)
        p = self.node("workspace", self.q("cm", "person"), created_ms=t)
        self.prop_str(p, self.q("cm", "userName"), "alice")
        self.content(p, "workspace", uid, q=self.q("cm", "preferenceValues"),
                     mimetype="text/plain")
        self.assoc(ws_root, p, self.q("sys", "children"), "cm", "alice", "alice")
        self.file(uid, mtime=t)
        self.close(uid)

        # A copy: two documents share one URL row (one item, finding 'shared').
        self.transaction(now - 150 * D)
        t = now - 150 * D + 2 * MS_HOUR
        uid = self.new_url(t, 64000)
        self.doc("workspace", docs, "handbook.pdf", t, uid)
        self.doc("workspace", docs, "handbook (copy).pdf", t + D, uid)
        self.file(uid, mtime=t)
        self.close(uid)

        # An encrypted URL: the file is ciphertext, longer than content_size, no mismatch.
        t = now - 60 * D + 11 * MS_HOUR
        uid = self.new_url(t, 4096, encrypted_size=4112)
        self.doc("workspace", docs, "secret.docx", t, uid)
        self.file(uid, size=4112, mtime=t)
        self.close(uid)

        # Live content whose file is missing (CRITICAL) and one whose size differs.
        t = now - 29 * D + 9 * MS_HOUR
        uid = self.new_url(t, 4096)
        self.doc("workspace", docs, "lost.pdf", t, uid)
        self.close(uid)
        t = now - 28 * D + 9 * MS_HOUR
        uid = self.new_url(t, 4096)
        self.doc("workspace", docs, "truncated.pdf", t, uid)
        self.file(uid, size=1024, mtime=t)
        self.close(uid)

        # A stale orphan mark: marked once, referenced again.
        t = now - 70 * D
        uid = self.new_url(t, 5120, orphan=now - 20 * D)
        self.doc("workspace", docs, "restored.pdf", t, uid)
        self.file(uid, mtime=t)
        self.close(uid)

        # Two URLs that differ only in letter case: two rows, same short value, other CRC.
        t = now - 60 * D
        uid = self.url("store://%s/AbC.bin" % time_path(t), 700)
        self.doc("workspace", docs, "case-upper.txt", t, uid, mimetype="text/plain")
        self.file(uid, mtime=t)
        self.close(uid)
        uid = self.url("store://%s/abc.bin" % time_path(t), 300)
        self.file(uid, mtime=t)
        self.close(uid)

        # Non-file protocols, referenced by live documents.
        uid = self.url("s3://%s/%s.bin" % (time_path(now - 50 * D), self.uuid()), 10)
        self.doc("workspace", docs, "in-s3.pdf", now - 50 * D, uid)
        self.close(uid)
        uid = self.url("spoof://abc", 0)
        self.doc("workspace", docs, "spoofed.txt", now - 50 * D, uid, mimetype="text/plain")
        self.close(uid)

        # A live URL whose file also sits in contentstore.deleted (restored database).
        t = now - 100 * D
        uid = self.new_url(t, 300)
        self.doc("workspace", docs, "back-again.pdf", t, uid)
        self.file(uid, mtime=t)
        self.file(uid, root="del", mtime=now - 80 * D + 4 * MS_HOUR)
        self.close(uid)

        # A versioned live document: 1.0 only in version2Store, 1.1 current (shared with the
        # version node that froze it).
        self.transaction(now - 200 * D)
        t0 = now - 200 * D + 10 * MS_HOUR
        t1 = now - 20 * D + 10 * MS_HOUR
        old = self.new_url(t0, 20000)
        cur = self.new_url(t1, 21000)
        u = self.uuid()
        n = self.doc("workspace", docs, "policy.docx", t0, cur, uuid_=u)
        self.aspect(n, self.q("cm", "versionable"))
        self.prop_str(n, self.q("cm", "versionLabel"), "1.1")
        self.version_history(u, n, [("1.0", old), ("1.1", cur)])
        self.file(old, mtime=t0)
        self.file(cur, mtime=t1)
        self.close(old)
        self.close(cur)

        # Trashcan: an old item (expired), a recent one, one without sys:archivedDate.
        for name, days, by, size in (("budget.xlsx", 167, "alice", 524288),
                                     ("draft.txt", 5, "bob", 1500)):
            t = now - (days + 30) * D
            uid = self.new_url(t, size)
            n, u, key = self.trash_item(name, now - days * D, by, created_ms=t)
            self.content(n, "archive", uid, owner=key)
            self.file(uid, mtime=t)
            self.close(uid)
        t = now - 150 * D
        uid = self.new_url(t, 1000)
        n, u, key = self.trash_item("notes.txt", None, "bob", created_ms=t)
        self.content(n, "archive", uid, owner=key, mimetype="text/plain")
        self.file(uid, mtime=t)
        self.close(uid)

        # A deleted folder with two documents below it (the item owns both URLs).
        n, fu, key = self.trash_item("Project X", now - 40 * D, "carol", type_local="folder")
        for i, size in enumerate((3000, 4000)):
            t = now - 90 * D + i * MS_HOUR
            uid = self.new_url(t, size)
            self.doc("archive", n, "spec-%d.pdf" % i, t, uid, owner=key)
            self.file(uid, mtime=t)
            self.close(uid)

        # A trashcan item sharing its URL with a live document: purging it frees nothing.
        t = now - 120 * D
        uid = self.new_url(t, 1000000)
        self.doc("workspace", docs, "report.pdf", t, uid)
        n, u, key = self.trash_item("copy-of-report.pdf", now - 60 * D, "carol", created_ms=t)
        self.content(n, "archive", uid, owner=key)
        self.file(uid, mtime=t)
        self.close(uid)

        # A versioned document in the trashcan: its version history goes with a purge.
        t0 = now - 250 * D
        t1 = now - 100 * D
        old = self.new_url(t0, 7000)
        cur = self.new_url(t1, 7500)
        n, u, key = self.trash_item("design.odt", now - 10 * D, "alice", created_ms=t0)
        self.aspect(n, self.q("cm", "versionable"))
        self.content(n, "archive", cur, owner=key)
        self.version_history(u, n, [("1.0", old), ("1.1", cur)], owner=key)
        self.file(old, mtime=t0)
        self.file(cur, mtime=t1)
        self.close(old)
        self.close(cur)

        # Orphans: purged documents leave placeholders in both stores and a marked URL.
        for label, orphan_ms, upload_days in (
                ("protected", now - 10 * D, 60),
                ("boundary", now - PROTECT_DAYS * D, 60),
                ("eligible", now - 14 * D - 12 * MS_HOUR, 70),
                ("overdue", now - 60 * D, 90),
                ("overdue-old", now - 200 * D, 300)):
            self.transaction(orphan_ms)
            u = self.uuid()
            self.placeholder("workspace", u)
            self.placeholder("archive", u)
            t = now - upload_days * D + 7 * MS_HOUR
            uid = self.new_url(t, 100 + len(label), orphan=orphan_ms)
            self.file(uid, mtime=t)
            self.close(uid)
        t = now - 120 * D + MS_HOUR
        uid = self.new_url(t, 700, orphan=0)       # KEEP_URL after a failed delete
        self.file(uid, mtime=t)
        self.close(uid)
        t = now - 61 * D + MS_HOUR
        uid = self.new_url(t, 50)                  # never marked, never referenced
        self.file(uid, mtime=t)
        self.close(uid)

        # Strays: one long past the grace period, one upload in flight.
        t = now - 59 * D
        self.stray("%s/%s.bin" % (time_path(t), self.uuid()), 2048, t)
        t = now - 30 * MS_MIN
        self.stray("%s/%s.bin" % (time_path(t), self.uuid()), 10, t)

        # contentstore.deleted: copies the cleaner made at 04:00 after the protect window.
        for upload_days, moved_days, size in ((165, 149, 5000000), (75, 40, 12000),
                                              (16, 1, 1000)):
            t = now - upload_days * D + 9 * MS_HOUR + 30 * MS_MIN
            moved = now - moved_days * D + 4 * MS_HOUR
            self.deleted_file("%s/%s.bin" % (time_path(t), self.uuid()), size, moved)

    # ---- bulk --------------------------------------------------------------------------
    BULK_MIX = (["live"] * 78 + ["versioned"] * 3 + ["trash"] * 5 + ["protected"] * 3 +
                ["eligible"] * 2 + ["overdue"] * 2 + ["kept", "unreferenced", "shared", "s3"])

    def bulk(self, n_urls):
        """n_urls more URL rows in BULK_MIX proportions (per 100 URLs: 78 live, 3 versioned
        documents with two URLs each, 5 trashcan items, 3 protected, 2 eligible, 2 overdue, 1
        kept and 1 unreferenced orphan, 1 URL shared by two documents, 1 s3:// URL; plus 1
        stray and 2 files in contentstore.deleted)."""
        now = self.now
        D = MS_DAY
        t = now - 420 * D
        step = 1200                     # ms between uploads: about 50 files per minute folder
        made = 0
        k = 0
        folder = None
        in_folder = 0
        nfolder = 0
        rng = self.rng
        while made < n_urls:
            kind = self.BULK_MIX[k % len(self.BULK_MIX)]
            k += 1
            if kind == "versioned" and n_urls - made < 2:
                kind = "live"
            if k % 100 == 1 or folder is None:
                self.transaction(t)
            if folder is None or in_folder >= 1000:
                nfolder += 1
                folder = self.folder("workspace", self.docs, "Bulk %05d" % nfolder, t)
                in_folder = 0
            t += step
            in_folder += 1
            size = 1000 + rng.randrange(200000)
            name = "doc-%07d.bin" % k
            if kind in ("live", "shared", "s3"):
                if kind == "s3":
                    uid = self.url("s3://%s/%s.bin" % (time_path(t), self.uuid()), size)
                else:
                    uid = self.new_url(t, size)
                    self.file_sparse(uid, t)
                self.doc("workspace", folder, name, t, uid)
                if kind == "shared":
                    in_folder += 1
                    self.doc("workspace", folder, "copy-" + name, t, uid)
                self.close(uid)
                made += 1
            elif kind == "versioned":
                old = self.new_url(t, size)
                t += step
                cur = self.new_url(t, size + 10)
                u = self.uuid()
                nd = self.doc("workspace", folder, name, t, cur, uuid_=u)
                self.aspect(nd, self.q("cm", "versionable"))
                self.version_history(u, nd, [("1.0", old), ("1.1", cur)])
                self.file_sparse(old, t - step)
                self.file_sparse(cur, t)
                self.close(old)
                self.close(cur)
                made += 2
            elif kind == "trash":
                uid = self.new_url(t, size)
                days = 1 + rng.randrange(200)
                nd, u, key = self.trash_item(name, now - days * D - rng.randrange(D),
                                             ("alice", "bob", "carol")[k % 3], created_ms=t)
                self.content(nd, "archive", uid, owner=key)
                self.file_sparse(uid, t)
                self.close(uid)
                self.trash_bulk(key)
                self.transaction(t)
                made += 1
            else:
                orphan = {"protected": now - rng.randrange(PROTECT_DAYS * D),
                          "eligible": now - PROTECT_DAYS * D - 1 - rng.randrange(SLACK_DAYS * D),
                          "overdue": now - (PROTECT_DAYS + SLACK_DAYS) * D - 1 -
                          rng.randrange(300 * D),
                          "kept": 0, "unreferenced": None}[kind]
                uid = self.new_url(t, size, orphan=orphan)
                self.file_sparse(uid, t)
                self.close(uid)
                made += 1
            if k % 100 == 0:
                ts = t - 50 * step
                self.stray("%s/%s.bin" % (time_path(ts), self.uuid()), size // 3, ts, True)
                for j in (1, 2):
                    ts = t - (10 + j) * step
                    self.deleted_file("%s/%s.bin" % (time_path(ts), self.uuid()), size // 2,
                                      ts + (PROTECT_DAYS + j) * D, True)

    def file_sparse(self, uid, mtime):
        u = self.open_urls[uid]
        self.disk("cs", u["url"].split("://", 1)[1], u["size"], mtime, sparse=True)
        u["files"].append(u["size"])

    def trash_bulk(self, key):
        """Bulk trashcan items are summed, not listed one by one, in expected.json."""
        t = self.trash.pop(key)
        b = self.bulk_trash
        b["count"] += 1
        b["bytes"] += t["bytes"]
        b["reclaimable"] += t["reclaimable"]
        for f in t["findings"]:
            b[f] += 1

    # ---- output -------------------------------------------------------------------------
    def expected(self):
        summary = {c: {"count": v[0], "bytes": v[1]} for c, v in self.sum.items()}
        summary["non_file"]["protocols"] = {p: {"count": v[0], "bytes": v[1]}
                                            for p, v in sorted(self.protos.items())}
        if self.critical:
            code = 2
        elif self.warn:
            code = 1
        else:
            code = 0
        items = {k: {"urls": v["urls"], "bytes": v["bytes"], "reclaimable": v["reclaimable"],
                     "findings": sorted(v["findings"])} for k, v in sorted(self.trash.items())}
        bulk = self.bulk_trash
        totals = {"count": len(items) + bulk["count"],
                  "bytes": sum(v["bytes"] for v in items.values()) + bulk["bytes"],
                  "reclaimable": sum(v["reclaimable"] for v in items.values()) +
                  bulk["reclaimable"],
                  "trashcan_expired": sum("trashcan_expired" in v["findings"]
                                          for v in items.values()) + bulk["trashcan_expired"],
                  "no_archived_date": sum("no_archived_date" in v["findings"]
                                          for v in items.values()) + bulk["no_archived_date"]}
        return {
            "now": iso(self.now),
            "policy": {"orphan_protect_days": PROTECT_DAYS, "cleaner_slack_days": SLACK_DAYS,
                       "trashcan_keep_days": KEEP_DAYS, "in_flight_grace_minutes": GRACE_MIN,
                       "eager_orphan_cleanup": False},
            "content_urls": self.t["alf_content_url"].n,
            "files": self.nfiles,
            "summary": summary,
            "findings": self.findings,
            "stores": {k: {"urls": v[0], "bytes": v[1]} for k, v in sorted(self.store_tot.items())},
            "trashcan_totals": totals,
            "trashcan_items": items,
            "exit_code": code,
        }

    def write_sql(self, path):
        for t in self.t.values():
            t.close()
        with open(path, "w", encoding="utf-8", newline="\n") as out:
            out.write("-- Generated by scripts/gen-sample.py (now %s). Load after the schema and "
                      "the bootstrap.\n" % iso(self.now))
            if self.dialect == "mysql":
                out.write("SET foreign_key_checks = 0;\nSET unique_checks = 0;\n"
                          "SET autocommit = 0;\n")
            else:
                out.write("BEGIN;\n")
            for name in ORDER:
                t = self.t[name]
                if t.n == 0:
                    continue
                if self.dialect == "postgresql":
                    out.write("COPY %s (%s) FROM stdin;\n" % (name, ", ".join(t.cols)))
                with open(t.fp.name, encoding="utf-8") as src:
                    shutil.copyfileobj(src, out, 1 << 20)
                if self.dialect == "postgresql":
                    out.write("\\.\n")
            if self.dialect == "mysql":
                out.write("COMMIT;\nSET unique_checks = 1;\nSET foreign_key_checks = 1;\n")
            else:
                for name, seq in SEQUENCES.items():
                    if self.t[name].n:
                        out.write("SELECT setval('%s', %d);\n" % (seq, self.t[name].max_id))
                out.write("COMMIT;\n")


def main():
    ap = argparse.ArgumentParser(description="Generate an Alfresco-shaped sample data set.")
    ap.add_argument("--out", required=True, help="output directory (created)")
    ap.add_argument("--now", required=True, help="the instant the sample is built around")
    ap.add_argument("--dialect", required=True, choices=["postgresql", "mysql"])
    ap.add_argument("--urls", type=int, default=0,
                    help="total content URL rows (default: the built-in sample only)")
    ap.add_argument("--data-only", action="store_true",
                    help="write data.sql and expected.json, no files")
    args = ap.parse_args()
    args.now_ms = parse_now(args.now)
    os.makedirs(args.out, exist_ok=True)
    if not args.data_only:
        alf = os.path.join(args.out, "alf_data")
        if os.path.exists(alf):
            die("'%s' already exists" % alf, "Give an empty or new --out directory.")
        os.makedirs(os.path.join(alf, "contentstore"))
        os.makedirs(os.path.join(alf, "contentstore.deleted"))
    boot = read_bootstrap(os.path.join(SRC, "sql", "pg", "bootstrap.sql"))
    tmpdir = tempfile.mkdtemp(prefix="gen-sample.", dir=args.out)
    try:
        g = Gen(args, boot, tmpdir)
        g.sample()
        base = g.t["alf_content_url"].n
        if args.urls and args.urls < base:
            die("--urls %d is smaller than the built-in sample (%d URLs)" % (args.urls, base),
                "Give --urls %d or more, or leave it out." % base)
        if args.urls > base:
            g.bulk(args.urls - base)
        if g.open_urls:
            die("internal: %d URL(s) left unclassified" % len(g.open_urls), "Report a bug.")
        g.write_sql(os.path.join(args.out, "data.sql"))
        exp = g.expected()
        with open(os.path.join(args.out, "expected.json"), "w", encoding="utf-8") as fp:
            json.dump(exp, fp, indent=1, sort_keys=True)
            fp.write("\n")
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    print("gen-sample: %d content URLs, %d files, data in %s" %
          (exp["content_urls"], exp["files"], args.out))


if __name__ == "__main__":
    main()
