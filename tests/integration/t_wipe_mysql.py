#!/usr/bin/env python3
"""alfwipe wipe on MariaDB (wipe-cases W2): the reference check of each file in
contentstore.deleted against a real MariaDB holding the Alfresco schema, with the URL compared
byte-wise (the column's default collation may be case-insensitive; a URL differing only in
letter case is another content URL and another file)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wipelib as L  # noqa: E402
from wipelib import ok, eq  # noqa: E402


def main():
    db = L.MY("aw_wipe_mysql")
    s = L.Store("my", db=db)
    m_ref = L.put(s.d("2024/2/2/2/2/d1.bin"), size=8192, age_days=30)
    ref = db.add_url("store://2024/2/2/2/2/d1.bin")
    L.put(s.d("2024/2/2/2/2/up.bin"), size=4096, age_days=30)
    db.add_url("store://2024/2/2/2/2/UP.bin")
    L.put(s.d("2024/2/2/2/2/free.bin"), size=4096, age_days=30)
    db.add_url("store://2024/2/2/2/2/free.bin", referenced=False)
    L.put(s.d("2024/2/2/2/2/unknown.bin"), size=4096, age_days=30)
    r = L.wipe(s, "--method", "dod-3")
    eq(r.rc, 1, "W2 on MariaDB: exit 1", r)
    f = L.by_path(L.last_run(s)[1])
    eq(f["2024/2/2/2/2/d1.bin"]["status"], "REFUSED", "W2 MariaDB: referenced file REFUSED", r)
    ok(("content URL still referenced by " + ref) in (f["2024/2/2/2/2/d1.bin"]["reason"] or ""),
       "W2 MariaDB: reason names the node", f["2024/2/2/2/2/d1.bin"])
    eq(L.count_in(s.d("2024/2/2/2/2/d1.bin"), m_ref), 8192 // 30, "W2 MariaDB: file intact")
    eq(f["2024/2/2/2/2/up.bin"]["status"], "ERASED",
       "W2 MariaDB: a referenced URL differing in case does not match (binary comparison)", r)
    eq((f["2024/2/2/2/2/free.bin"]["status"], f["2024/2/2/2/2/unknown.bin"]["status"]),
       ("ERASED", "ERASED"), "W2 MariaDB: unreferenced and unknown URLs are wiped", r)
    L.finish()


if __name__ == "__main__":
    main()
