#!/usr/bin/env python3
"""purge: SIGINT or SIGTERM during the deletes ends the run after the request in flight; what
was purged is reported, the rest is listed as not attempted, the exit code says interrupted.

Alfresco cannot run here: tests/mock-alfresco/server.py stands in for it and plays the
documented deleted-nodes API; the DELETE of uuid-d is held for a while so that the signal
arrives while it is in flight.
"""
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mock-alfresco"))
import mockaf as m  # noqa: E402


def test(tmp, pki, start):
    for sig, code in ((signal.SIGINT, 130), (signal.SIGTERM, 143)):
        name = signal.Signals(sig).name
        mk = start({"items": m.base_items(), "page_size": 2, "rules": [
            {"method": "DELETE", "path": "deleted-nodes/uuid-d",
             "responses": [{"delay": 1.5, "status": 204}]}]})
        conf = m.write_conf(tmp, mk.url, pki["ca"], name=name + ".conf")
        env = {k: v for k, v in os.environ.items() if not k.startswith("ALFWIPE_")}
        p = subprocess.Popen([m.ALFWIPE, "-c", conf, "--now", m.NOW, "purge", "--format", "json"],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 20
        while time.time() < deadline and not [d for d in mk.deletes() if d[0] == "uuid-d"]:
            time.sleep(0.02)
        p.send_signal(sig)
        out, err = p.communicate(timeout=60)
        r = m.Run(p.args, p.returncode, out, err)
        m.eq(r.rc, code, "%s: exit code" % name, r)
        m.eq([d[0] for d in mk.deletes()], ["uuid-e", "uuid-d"],
             "%s: no DELETE after the one in flight" % name, r)
        j = json.loads(out)
        m.eq([(i["id"], i["status"]) for i in j["items"]],
             [("uuid-e", "purged"), ("uuid-d", "purged"), ("uuid-c", "not_attempted")],
             "%s: the report says what went and what was not attempted" % name, r)
        m.eq(j["stopped"], "interrupted", "%s: stop reason" % name, r)

    # A signal while the trashcan is still being listed: no further page is asked for, nothing
    # is deleted (the listing used to go on to its end, however long).
    for sig, code in ((signal.SIGINT, 130), (signal.SIGTERM, 143)):
        name = signal.Signals(sig).name
        mk = start({"items": m.base_items(), "page_size": 1, "rules": [
            {"method": "GET", "path": "deleted-nodes", "query": {"skipCount": 1},
             "responses": [{"delay": 1.5}]}]})
        conf = m.write_conf(tmp, mk.url, pki["ca"], name=name + "-list.conf")
        env = {k: v for k, v in os.environ.items() if not k.startswith("ALFWIPE_")}
        p = subprocess.Popen([m.ALFWIPE, "-c", conf, "--now", m.NOW, "purge"],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 20
        while time.time() < deadline and not mk.list_gets():
            time.sleep(0.02)
        time.sleep(0.3)
        p.send_signal(sig)
        out, err = p.communicate(timeout=60)
        r = m.Run(p.args, p.returncode, out, err)
        m.eq(r.rc, code, "%s while listing: exit code" % name, r)
        m.eq(len(mk.list_gets()), 2, "%s while listing: no page after the one in flight" % name,
             r)
        m.eq(mk.deletes(), [], "%s while listing: nothing deleted" % name, r)
        m.check("interrupted before any purge" in err, "%s while listing: message" % name, r)


if __name__ == "__main__":
    sys.exit(m.main(test))
