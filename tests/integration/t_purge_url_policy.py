#!/usr/bin/env python3
"""purge: how api.url is checked. https always verifies the certificate; plain http is accepted
only to a loopback address (nothing crosses a network in clear); credentials in the URL are
refused without echoing them.

Alfresco cannot run here: tests/mock-alfresco/server.py stands in for it (plain HTTP here).
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mock-alfresco"))
import mockaf as m  # noqa: E402



def test(tmp, pki, start):
    mk = start({"items": m.base_items(), "page_size": 2}, tls=False)
    conf = m.write_conf(tmp, mk.url, None)
    r = m.run(conf)
    m.eq(r.rc, 0, "http to 127.0.0.1: exit code", r)
    m.eq(mk.purged(), ["uuid-e", "uuid-d", "uuid-c"], "http to 127.0.0.1: deletes", r)

    conf = m.write_conf(tmp, "http://alfresco.example.invalid/alfresco", None, name="far.conf")
    r = m.run(conf)
    m.eq(r.rc, 3, "http to another host: exit code", r)
    m.check("plain http" in r.err and "https://" in r.err, "http to another host: message", r)

    conf = m.write_conf(tmp, "https://admin:%s@127.0.0.1:%d/alfresco" % ("hunter2", mk.port),
                        None, name="cred.conf")
    r = m.run(conf)
    m.eq(r.rc, 3, "credentials in the URL: exit code", r)
    m.check("carries credentials" in r.err and "hunter2" not in r.err,
            "credentials in the URL: refused, not echoed", r)

    # Without an api group there is nothing to talk to.
    plain = os.path.join(tmp, "noapi.conf")
    with open(plain, "w") as f:
        f.write('alfresco = { dir_root = "%s"; };\n' % os.path.join(tmp, "alf_data"))
    r = m.run(plain)
    m.eq(r.rc, 3, "no api group: exit code", r)
    m.check("api" in r.err, "no api group: message", r)


if __name__ == "__main__":
    sys.exit(m.main(test))
