#!/usr/bin/env python3
"""alfwipe report over two PostgreSQL sessions that share one snapshot.

On PostgreSQL the report exports its snapshot (pg_export_snapshot) and opens a second
connection with SET TRANSACTION SNAPSHOT, so the trashcan queries and the scan of content data
run while the first session reads the content properties, nodes and URLs.
Checked here:
- the second session is used (-vv says so) and the report equals the one-session report, which
  the engine falls back to when a second connection is refused (a role with CONNECTION LIMIT 1)
  and which MariaDB always uses;
- both sessions see the same snapshot: changes committed after the report began (while the
  report waits on a lock the test holds) are seen by neither session;
- the fallback says why, at -vv only, and changes nothing else.
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture import Case, check, eq, finish, iso_ms, normalised, sql  # noqa: E402


def build_case(name):
    c = Case(name)
    # a live document, a trashcan item with a child, a version, an orphan
    c.u("live", "store://2024/6/1/9/0/live.bin", 11)
    c.d("d-live", "live")
    c.n("n-live", "workspace/SpacesStore", "uuid-live")
    c.p("n-live", "cm:content", "d-live")
    c.f("cs", "2024/6/1/9/0/live.bin", 11, "2024-06-01T09:00:00Z")
    c.u("tr", "store://2024/5/1/9/0/tr.bin", 22)
    c.d("d-tr", "tr")
    c.n("n-tr", "archive/SpacesStore", "uuid-tr")
    c.t("n-tr", "2024-05-02T00:00:00.000Z", "alice", "folder")
    c.u("ch", "store://2024/5/1/9/1/ch.bin", 33)
    c.d("d-ch", "ch")
    c.n("n-ch", "archive/SpacesStore", "uuid-ch", parent="n-tr")
    c.p("n-ch", "cm:content", "d-ch")
    c.f("cs", "2024/5/1/9/0/tr.bin", 22, "2024-05-01T09:00:00Z")
    c.f("cs", "2024/5/1/9/1/ch.bin", 33, "2024-05-01T09:01:00Z")
    c.u("or", "store://2024/4/1/9/0/or.bin", 44, orphan=iso_ms("2024-06-25T00:00:00Z"))
    c.f("cs", "2024/4/1/9/0/or.bin", 44, "2024-04-01T09:00:00Z")
    return c


def pg(db, text):
    return sql("pg", db, text)


def run_pg(c, conf, args=(), wait=True):
    e = dict(os.environ)
    e.pop("ALFWIPE_CONFIG", None)
    e["ALFWIPE_DB_PASSWORD"] = "unused-with-trust"
    cmd = [os.environ["ALFWIPE"], "-c", conf, "--now", "2024-06-30T00:00:00Z", "-vv",
           "report", "--format", "json"] + list(args)
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e)
    if not wait:
        return p
    out, err = p.communicate(timeout=120)
    return p.returncode, out.decode(), err.decode()


def limited_conf(c, conf, role):
    with open(conf) as fp:
        text = fp.read()
    lim = c.path("alfwipe-limited.conf")
    with open(lim, "w") as fp:
        fp.write(text.replace('user = "%s"' % os.environ["AW_PG_USER"], 'user = "%s"' % role))
    check(('user = "%s"' % role) in open(lim).read(), "limited conf names role %s" % role)
    return lim


def main():
    c = build_case("snap")
    res = c.run(engines=("pg", "my"))
    conf = c._built["pg"]
    db = c.dbname("pg")
    rc, out, err = run_pg(c, conf)
    eq(rc, 1, "two sessions: exit 1 (the trashcan item and the orphan)", err)
    check("shares snapshot" in err, "two sessions: -vv reports the second session", err)
    two = json.loads(out) if out.startswith("{") else None
    check(two is not None, "two sessions: a JSON report", out[-500:])
    ch = [i for i in (two or {}).get("items", []) if i.get("path") == "2024/5/1/9/1/ch.bin"]
    eq([(i["class"], i.get("trashcan_items")) for i in ch],
       [("trashcan", ["uuid-tr"])],
       "two sessions: the child URL belongs to its trashcan item (trees from the other session)")
    eq(normalised(two), normalised(res["my"].json),
       "two sessions on PostgreSQL = one session on MariaDB")

    # A role that may hold one connection only: the second session is refused, the report runs
    # on one session and is the same.
    role = "rs_lim_%d" % os.getpid()
    pg(db, "CREATE ROLE %s LOGIN CONNECTION LIMIT 1; GRANT SELECT ON ALL TABLES IN SCHEMA "
           "public TO %s;" % (role, role))
    lim = limited_conf(c, conf, role)
    rc1, out1, err1 = run_pg(c, lim)
    eq(rc1, 1, "one session: exit 1", err1)
    check("one after another" in err1 and "shares snapshot" not in err1,
          "one session: -vv says the queries run one after another", err1)
    one = json.loads(out1) if out1.startswith("{") else None
    eq(normalised(one), normalised(two), "one session: the same report")
    e = dict(os.environ, ALFWIPE_DB_PASSWORD="unused-with-trust")
    e.pop("ALFWIPE_CONFIG", None)
    q = subprocess.run([os.environ["ALFWIPE"], "-c", lim, "--now", "2024-06-30T00:00:00Z",
                        "report", "--format", "json"], capture_output=True, env=e, timeout=120)
    eq(q.stderr.decode(), "", "one session: nothing on stderr without -vv")

    # Same snapshot on both sessions: the test holds a lock on alf_store, so the report's
    # first session waits on its store query: its snapshot is taken, the second session is not
    # open yet. Inside the locking transaction the test changes what each session reads: the
    # orphan's orphan_time (URL query, first session) and the trashcan item's archived date
    # (trashcan queries, second session), and commits. Neither change may show in that run: a
    # second session that took a snapshot of its own would see the new date.
    locker = subprocess.Popen(
        ["psql", "-X", "-q", "-At", "-h", os.environ["AW_PG_HOST"], "-p",
         os.environ["AW_PG_PORT"], "-U", os.environ["AW_PG_USER"], "-d", db, "-v",
         "ON_ERROR_STOP=1"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    locker.stdin.write("BEGIN; LOCK TABLE alf_store IN ACCESS EXCLUSIVE MODE;\n"
                       "SELECT 'locked';\n")
    locker.stdin.flush()
    line = locker.stdout.readline()
    check("locked" in line, "snapshot: the test holds the lock", line)
    p = run_pg(c, conf, wait=False)
    waiting = False
    for _ in range(200):
        rows = pg(db, "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                      "'alfwipe' AND wait_event_type = 'Lock'")
        if rows and int(rows[0][0]) >= 1:
            waiting = True
            break
        time.sleep(0.05)
    check(waiting, "snapshot: the report waits on the lock")
    locker.stdin.write("""
        UPDATE alf_content_url SET orphan_time = NULL
        WHERE content_url = 'store://2024/4/1/9/0/or.bin';
        UPDATE alf_node_properties SET string_value = '2024-06-29T00:00:00.000Z'
        WHERE node_id = (SELECT id FROM alf_node WHERE uuid = 'uuid-tr')
          AND qname_id = (SELECT q.id FROM alf_qname q JOIN alf_namespace ns ON ns.id = q.ns_id
                          WHERE ns.uri = 'http://www.alfresco.org/model/system/1.0'
                            AND q.local_name = 'archivedDate');
        COMMIT;
        \\q
    """)
    locker.stdin.flush()
    _, lerr = locker.communicate(timeout=60)
    eq((locker.returncode, lerr), (0, ""), "snapshot: the test's changes committed")
    out2, err2 = p.communicate(timeout=120)
    late = json.loads(out2.decode()) if out2.startswith(b"{") else None
    check("shares snapshot" in err2.decode(), "snapshot: the run used two sessions",
          err2.decode())
    eq(normalised(late), normalised(two),
       "snapshot: changes committed after the start are seen by neither session")
    after = run_pg(c, conf)
    aj = json.loads(after[1]) if after[1].startswith("{") else {}
    orph = [i["class"] for i in aj.get("items", []) if i.get("path") == "2024/4/1/9/0/or.bin"]
    eq(orph, ["unreferenced"], "snapshot: a new run sees the new orphan_time")
    tr = [t.get("archived_at") for t in aj.get("trashcan_items", [])]
    eq(tr, ["2024-06-29T00:00:00Z"], "snapshot: a new run sees the new archived date")
    pg(db, "DROP OWNED BY %s; DROP ROLE %s;" % (role, role))
    finish()


if __name__ == "__main__":
    main()
