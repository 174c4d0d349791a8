#!/usr/bin/env python3
"""purge P6 with the database: an item whose DELETE answers 404 has left the trashcan already
(purged from Share or by Alfresco's trashcan cleaner between the listing and the DELETE, or
restored). Purged elsewhere, its content is released exactly as if this run had purged it;
restored (the node is live in workspace://SpacesStore again), it releases nothing and keeps
the URLs it shares with purged items. Both engines.

Alfresco cannot run here: tests/mock-alfresco/server.py stands in for its deleted-nodes REST
API and answers 404 for the items below; the database rows are built with the fixture of
t_purge_p10_release (ids looked up, not assumed). alfwipe only reads the database.

Trashcan (eligible, oldest first): e, g, h, d, c.
  e  uuid-e  Ue 500000, only e                     DELETE 204
  g  uuid-g  Ug 66, also held by d's child d4       DELETE 204
  h  uuid-h  only a sys:deleted placeholder left    DELETE 404 (purged before the run read it)
  d  uuid-d  folder: d1 Ud1 7000, d4 Ug             DELETE 404; phase 1: restored (a live
                                                     workspace node uuid-d), phase 2: not
  c  uuid-c  Uc 30000, only c                       DELETE 404, not restored
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "mock-alfresco"))
sys.path.insert(0, HERE)
import mockaf as m  # noqa: E402
import t_purge_p10_release as p10  # noqa: E402


def not_found(uid):
    return {"method": "DELETE", "path": "deleted-nodes/" + uid, "repeat": True,
            "responses": [{"status": 404, "body": {"error": {
                "errorKey": "framework.exception.EntityNotFound", "statusCode": 404,
                "briefSummary": "The entity with id: %s was not found" % uid,
                "logId": "404" + uid[-1]}}}]}


def scenario():
    return {"items": p10.trashcan(), "page_size": 2,
            "rules": [not_found("uuid-h"), not_found("uuid-d"), not_found("uuid-c")]}


def build(eng):
    eng.create()
    for f in ("schema.sql", "bootstrap.sql"):
        with open(os.path.join(m.SRC, "sql", eng.dialect, f)) as fh:
            eng.sql(fh.read())
    fx = p10.Fixture(eng)
    ws_root = fx.store["workspace://SpacesStore"][1]
    arch_root = fx.store["archive://SpacesStore"][1]
    for key, size in (("Ue", 500000), ("Ug", 66), ("Ud1", 7000), ("Uc", 30000)):
        fx.url(key, size)
    e = fx.archived_item("uuid-e", "content", "2024-01-15T10:00:00.000Z")
    fx.content(e, "Ue")
    g = fx.archived_item("uuid-g", "content", "2024-02-01T10:00:00.000Z")
    fx.content(g, "Ug")
    # h: purged before the run read the database; only its placeholder is left.
    h, _ = fx.node("archive://SpacesStore", arch_root, "uuid-h")
    fx.stmts.append("UPDATE alf_node SET type_qname_id = %d WHERE id = %d;"
                    % (fx.q(fx.SYS, "deleted"), h))
    d = fx.archived_item("uuid-d", "folder", "2024-04-01T10:00:00.000Z")
    d1, _ = fx.node("archive://SpacesStore", d)
    fx.content(d1, "Ud1")
    d4, d4_uuid = fx.node("archive://SpacesStore", d)
    fx.content(d4, "Ug")
    c = fx.archived_item("uuid-c", "content", "2024-05-20T10:00:00.000Z")
    fx.content(c, "Uc")
    # d restored to the repository between the listing and its DELETE. The test's own
    # database is static, so the restored node is already there when alfwipe first reads it;
    # the archived rows stay too (the run saw d in the trashcan).
    restored, _ = fx.node("workspace://SpacesStore", ws_root, "uuid-d", "folder")
    fx.load()
    return {"d4": d4_uuid, "restored": restored}


def test_engine(eng, tmp, pki, start):
    n = eng.name
    ids = build(eng)
    before = p10.snapshot(eng)

    # Phase 1: d restored, c and h already gone.
    mk = start(scenario())
    conf = m.write_conf(tmp, mk.url, pki["ca"], name=n + "-gone.conf", extra=eng.conf_group())
    r = m.run(conf, "--format", "json")
    m.eq(r.rc, 0, "%s: exit code (gone and restored items are not failures)" % n, r)
    m.eq(mk.deletes(), [("uuid-e", 204), ("uuid-g", 204), ("uuid-h", 404), ("uuid-d", 404),
                        ("uuid-c", 404)], "%s: deletes, oldest first" % n, r)
    j = json.loads(r.out)
    st = {i["id"]: i["status"] for i in j["items"]}
    m.eq(st, {"uuid-e": "purged", "uuid-g": "purged", "uuid-h": "already_gone",
              "uuid-d": "restored", "uuid-c": "already_gone"}, "%s: item states" % n, r)
    s = j["summary"]
    m.eq((s["purged"]["count"], s["already_gone"]["count"], s["restored"]["count"],
          s["failed"]["count"]), (2, 2, 1, 0), "%s: summary counts" % n, r)
    rel = p10.rel_of(j)
    m.eq(rel["uuid-c"], (True, 30000, 1, 0, None),
         "%s: c, gone without being restored, releases its 30000 bytes" % n, r)
    m.eq(rel["uuid-h"][0], False,
         "%s: h, only a sys:deleted placeholder left, is not in the database" % n, r)
    m.check("uuid-d" not in rel, "%s: the restored d has no release figure" % n, r)
    m.eq(rel["uuid-g"], (True, 0, 0, 1, "archive://SpacesStore/" + ids["d4"]),
         "%s: g releases nothing: its URL stays with the restored d" % n, r)
    m.eq(rel["uuid-e"], (True, 500000, 1, 0, None), "%s: e releases 500000" % n, r)
    t = j["release"]
    m.eq((t["bytes"], t["urls"], t["kept_urls"], t["already_gone_items"],
          t["already_gone_checked"]), (530000, 2, 1, 2, True),
         "%s: total counts the gone c, not the restored d" % n, r)
    d = [i for i in j["items"] if i["id"] == "uuid-d"][0]
    m.check("restored" in d["reason"] and d["http_status"] == 404,
            "%s: d's reason says restored, with the 404" % n, r)

    # The same in text: the status line and the release lines say so.
    mk = start(scenario())
    conf = m.write_conf(tmp, mk.url, pki["ca"], name=n + "-gone-text.conf",
                        extra=eng.conf_group())
    r = m.run(conf)
    m.eq(r.rc, 0, "%s text: exit code" % n, r)
    first = r.out.splitlines()[0]
    m.check("already gone 2, restored meanwhile 1, failed 0" in first,
            "%s text: status line: %s" % (n, first), r)
    m.check("releases 530000 bytes in 2 content URLs" in r.out,
            "%s text: release total" % n, r)
    m.check("2 of the items were already gone" in r.out and "not restored" in r.out,
            "%s text: the gone items are named in the release lines" % n, r)
    m.check(any(ln.startswith("restored ") and "uuid-d" in ln for ln in r.out.splitlines()),
            "%s text: d's row says restored" % n, r)
    m.check(any(ln.startswith("already_gone ") and "uuid-c" in ln and "[releases 30000 bytes]"
                in ln for ln in r.out.splitlines()), "%s text: c's row releases 30000" % n, r)
    m.eq(p10.snapshot(eng), before, "%s: the database is unchanged" % n, r)

    # Phase 2: d was purged elsewhere too (no live workspace node). Its URLs are released,
    # including the one it shares with the purged g, once.
    eng.sql("DELETE FROM alf_child_assoc WHERE child_node_id = %d; "
            "DELETE FROM alf_node WHERE id = %d;" % (ids["restored"], ids["restored"]))
    mk = start(scenario())
    conf = m.write_conf(tmp, mk.url, pki["ca"], name=n + "-gone2.conf", extra=eng.conf_group())
    r = m.run(conf, "--format", "json")
    m.eq(r.rc, 0, "%s phase 2: exit code" % n, r)
    j = json.loads(r.out)
    m.eq({i["id"]: i["status"] for i in j["items"]}["uuid-d"], "already_gone",
         "%s phase 2: d already gone" % n, r)
    rel = p10.rel_of(j)
    m.eq(rel["uuid-d"][:4], (True, 7000 + 66, 2, 0), "%s phase 2: d releases its URLs" % n, r)
    m.eq(rel["uuid-g"][:4], (True, 66, 1, 0),
         "%s phase 2: g's URL, shared with the gone d, is released" % n, r)
    t = j["release"]
    m.eq((t["bytes"], t["urls"], t["kept_urls"], t["already_gone_items"]),
         (500000 + 66 + 7000 + 30000, 4, 0, 3),
         "%s phase 2: total, the shared URL counted once" % n, r)

    # Without a database nothing can tell restored from purged: d stays already_gone, and
    # there are no release figures to get wrong.
    mk = start(scenario())
    conf = m.write_conf(tmp, mk.url, pki["ca"], name=n + "-nodb.conf")
    r = m.run(conf, "--format", "json")
    m.eq(r.rc, 0, "%s without database: exit code" % n, r)
    j = json.loads(r.out)
    m.eq(j["summary"]["already_gone"]["count"], 3, "%s without database: 3 gone" % n, r)
    m.check("release" not in j, "%s without database: no release figures" % n, r)


def test(tmp, pki, start):
    for eng in (p10.Pg(), p10.My()):
        try:
            test_engine(eng, tmp, pki, start)
        finally:
            if not os.environ.get("AW_KEEP"):
                eng.drop()


if __name__ == "__main__":
    sys.exit(m.main(test))
