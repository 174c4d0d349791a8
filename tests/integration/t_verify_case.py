#!/usr/bin/env python3
"""verify compares node uuids, node refs and store identifiers byte for byte on both engines
(R17): MariaDB's usual case-insensitive collation must not find a node, or a version that
freezes it, for a uuid that differs in letter case, since PostgreSQL does not. The same inputs
give the same verdicts, URLs and exit codes on PostgreSQL and MariaDB, and an upper-case uuid
that finds nothing is told that uuids are compared exactly."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import verifylib as L  # noqa: E402
from verifylib import check, eq  # noqa: E402

UUID = "0d4c6f1e-2b3a-4c5d-8e9f-a0b1c2d3e4f5"
VUUID = "7e1f00aa-1b2c-4d3e-8f90-a1b2c3d4e5f6"


def summary(r):
    out = []
    for it in r.items():
        node = it.get("node") or {}
        out.append((it.get("verdict"), node.get("known"),
                    sorted(u["url"] for u in it.get("urls", [])),
                    len(node.get("versions", []))))
    return r.rc, out


def run(engine):
    db = L.Db(engine, L.dbname("t_verify_case", engine))
    try:
        env = L.Env(db, "vcase-" + engine)
        u1 = "store://2024/6/1/9/0/live-case.bin"
        n = db.node("workspace://SpacesStore", UUID, "cm:content")
        db.content(n, db.url(u1, 10))
        L.put(env.cs, u1[8:], 10)
        # a version history written for the upper-case spelling of another node's uuid: on
        # PostgreSQL it versions no node that exists here
        db.node("workspace://SpacesStore", VUUID, "cm:content")
        u2 = "store://2024/6/1/9/0/ver-case.bin"
        db.version(VUUID.upper(), db.url(u2, 20))
        L.put(env.cs, u2[8:], 20)
        # a URL whose last 12 characters are not ASCII: its content_url_short is Java's, found
        # by CRC and full text
        u3 = "store://2024/6/1/9/0/r\u00e9sum\u00e9-\u00e9t\u00e9-\u00e0.bin"
        n3 = db.node("workspace://SpacesStore", "uuid-non-ascii", "cm:content")
        db.content(n3, db.url(u3, 30))
        L.put(env.cs, u3[8:], 30)
        # an old month moved to another volume and linked back: the file Alfresco would open
        # is still there, so nothing is destroyed
        u4 = "store://2024/7/1/9/0/linked.bin"
        vol = os.path.join(os.path.dirname(env.cs), "oldvol-" + engine)
        os.makedirs(os.path.join(vol, "1/9/0"), exist_ok=True)
        with open(os.path.join(vol, "1/9/0/linked.bin"), "wb") as f:
            f.write(b"still here")
        os.makedirs(os.path.join(env.cs, "2024"), exist_ok=True)
        if not os.path.lexists(os.path.join(env.cs, "2024/7")):
            os.symlink(vol, os.path.join(env.cs, "2024/7"))
        c = env.conf("c")
        res = {}
        res["non-ascii url"] = L.verify(c, "--url", u3, "--format", "json")
        res["linked dir"] = L.verify(c, "--url", u4, "--format", "json")
        for label, ref in (("lower ref", "workspace://SpacesStore/" + UUID),
                           ("upper ref", "workspace://SpacesStore/" + UUID.upper()),
                           ("upper uuid", UUID.upper()),
                           ("archive ref, upper", "archive://SpacesStore/" + UUID.upper()),
                           ("versioned, lower", VUUID)):
            res[label] = L.verify(c, "--node", ref, "--format", "json")
        res["text upper"] = L.verify(c, "--node", UUID.upper())
        return res
    finally:
        db.drop()


def main():
    got = {e: run(e) for e in L.engines()}
    for e, res in got.items():
        eq(summary(res["lower ref"]), (2, [("not_destroyed", True, [
            "store://2024/6/1/9/0/live-case.bin"], 0)]),
           "%s: the lower-case ref finds the live node and its content" % e, res["lower ref"])
        for label in ("upper ref", "upper uuid", "archive ref, upper"):
            eq(summary(res[label]), (1, [("unknown", False, [], 0)]),
               "%s: %s finds no node (uuids compare exactly)" % (e, label), res[label])
        eq(summary(res["versioned, lower"]), (2, [("not_destroyed", True, [], 0)]),
           "%s: a version history of the upper-case spelling is not this node's" % e,
           res["versioned, lower"])
        its = res["non-ascii url"].items()
        eq([(it.get("verdict"), [(u.get("orphan_state"), (u.get("row") or {}).get("id") is not None,
                                  [x.get("node_ref") for x in u.get("referenced_by", [])])
                                 for u in it.get("urls", [])]) for it in its],
           [("not_destroyed", [("referenced", True,
                                ["workspace://SpacesStore/uuid-non-ascii"])])],
           "%s: a non-ASCII URL is found in the database: not destroyed" % e,
           res["non-ascii url"])
        its = res["linked dir"].items()
        eq([it.get("verdict") for it in its], ["pending"],
           "%s: a file reached through a linked directory is not destroyed" % e,
           res["linked dir"])
        check(any("through a symbolic link" in (u.get("why") or "")
                  for it in its for u in it.get("urls", [])),
              "%s: the reason says it was reached through a link" % e, res["linked dir"])
        why = (res["upper uuid"].items() or [{}])[0].get("why") or ""
        check("compared exactly" in why and "try " + UUID in why,
              "%s: the unknown upper-case uuid is told why, with the lower-case one" % e,
              res["upper uuid"])
        check("try " + UUID in res["text upper"].out,
              "%s: text output gives the hint too" % e, res["text upper"])
    if "pg" in got and "mysql" in got:
        for label in got["pg"]:
            a, b = got["pg"][label], got["mysql"][label]
            if a.j is not None:
                eq(summary(b), summary(a), "R17 %s: same verdicts, URLs and exit code on both "
                                           "engines" % label, b)
            else:
                eq(b.rc, a.rc, "R17 %s: same exit code on both engines" % label, b)
    return L.finish()


if __name__ == "__main__":
    sys.exit(main())
