"""Helpers for the purge tests: a throwaway CA, the mock Alfresco server, alfwipe's config, and
assertions on what the mock saw.

The mock (server.py beside this file) stands in for Alfresco, which cannot run in the tests: it
plays the documented deleted-nodes REST API and its failure modes. Standard library only, plus
the openssl command-line tool for the certificates.
"""

import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("AW_SRC") or os.path.abspath(os.path.join(HERE, "..", ".."))
ALFWIPE = os.environ.get("ALFWIPE") or os.path.join(SRC, "build", "alfwipe")
CORE = "/alfresco/api/-default-/public/alfresco/versions/1/"
TICKETS = "/alfresco/api/-default-/public/authentication/versions/1/tickets"
PASSWORD = "pw-Zq7!secret-4711"
NOW = "2024-06-30T00:00:00Z"


def scratch():
    d = os.environ.get("AW_TMP")
    if d:
        os.makedirs(d, exist_ok=True)
        return tempfile.mkdtemp(prefix="purge-", dir=d)
    return tempfile.mkdtemp(prefix="aw-purge-")


def item(uid, name, ntype, archived, by, size):
    """One trashcan entry as Alfresco's deleted-nodes API shows it (fields of facts section 9);
    archived None leaves archivedAt out, size None leaves content out (folders)."""
    e = {"id": uid, "name": name, "nodeType": ntype,
         "isFolder": ntype == "cm:folder", "isFile": ntype != "cm:folder",
         "createdAt": "2023-11-02T08:00:00.000+0000", "modifiedAt": "2023-11-02T08:00:00.000+0000",
         "createdByUser": {"id": by, "displayName": by.capitalize()},
         "modifiedByUser": {"id": by, "displayName": by.capitalize()},
         "archivedByUser": {"id": by, "displayName": by.capitalize()}}
    if archived is not None:
        e["archivedAt"] = archived
    if size is not None:
        e["content"] = {"mimeType": "application/octet-stream",
                        "mimeTypeName": "Binary File (Octet Stream)",
                        "sizeInBytes": size, "encoding": "UTF-8"}
    return e


def base_items():
    """The base trashcan of purge-cases.md, most recently deleted first."""
    return [
        item("uuid-a", "a.txt", "cm:content", "2024-06-25T10:00:00.000+0000", "alice", 100),
        item("uuid-b", "b.pdf", "cm:content", "2024-06-10T10:00:00.000+0000", "bob", 2000),
        item("uuid-c", "c.docx", "cm:content", "2024-05-20T10:00:00.000+0000", "alice", 30000),
        item("uuid-d", "Reports", "cm:folder", "2024-04-01T10:00:00.000+0000", "carol", None),
        item("uuid-e", "e.png", "cm:content", "2024-01-15T10:00:00.000+0000", "bob", 500000),
    ]


def undated_f():
    return item("uuid-f", "f.txt", "cm:content", None, "alice", 10)


def _openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def make_pki(d):
    """A throwaway CA, a server certificate for 127.0.0.1 signed by it, and a second CA that
    signed nothing here. Returns dict of paths."""
    os.makedirs(d, exist_ok=True)
    for ca in ("ca", "otherca"):
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca + ".key",
                 "-out", ca + ".pem", "-days", "2", "-subj", "/CN=alfwipe test " + ca, cwd=d)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out",
             "server.csr", "-subj", "/CN=127.0.0.1", cwd=d)
    with open(os.path.join(d, "ext.cnf"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf",
             cwd=d)
    # Signed by the right CA, but for another name: host name verification must refuse it.
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "othername.key", "-out",
             "othername.csr", "-subj", "/CN=alfresco.example.invalid", cwd=d)
    with open(os.path.join(d, "ext2.cnf"), "w") as f:
        f.write("subjectAltName=DNS:alfresco.example.invalid\n"
                "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    _openssl("x509", "-req", "-in", "othername.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "othername.pem", "-days", "2", "-extfile", "ext2.cnf",
             cwd=d)
    return {k: os.path.join(d, v) for k, v in
            (("ca", "ca.pem"), ("otherca", "otherca.pem"), ("cert", "server.pem"),
             ("key", "server.key"), ("othername_cert", "othername.pem"),
             ("othername_key", "othername.key"))}


class Mock:
    """The mock Alfresco, started with a scenario; stop() ends it."""

    def __init__(self, tmp, scenario, pki, tls=True):
        self.tmp = tmp
        self.log = os.path.join(tmp, "requests-%d.log" % id(self))
        sc = os.path.join(tmp, "scenario-%d.json" % id(self))
        scenario = copy.deepcopy(scenario)
        scenario.setdefault("users", {"admin": PASSWORD})
        with open(sc, "w") as f:
            json.dump(scenario, f, indent=1)
        cmd = [sys.executable, os.path.join(HERE, "server.py"), "--scenario", sc,
               "--log", self.log]
        if tls:
            cmd += ["--cert", pki["cert"], "--key", pki["key"]]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.proc.kill()
            raise RuntimeError("mock server did not start: %r" % line)
        self.port = int(line.split()[1])
        self.scheme = "https" if tls else "http"
        self.url = "%s://127.0.0.1:%d/alfresco" % (self.scheme, self.port)

    def requests(self):
        if not os.path.exists(self.log):
            return []
        with open(self.log) as f:
            return [json.loads(x) for x in f if x.strip()]

    def http_requests(self):
        return [r for r in self.requests() if "method" in r]

    def deletes(self):
        """(id, status) of every DELETE of a trashcan item, in the order received."""
        out = []
        for r in self.http_requests():
            if r["method"] == "DELETE" and r["path"].startswith(CORE + "deleted-nodes/"):
                out.append((r["path"][len(CORE + "deleted-nodes/"):], r["status"]))
        return out

    def purged(self):
        """Ids whose DELETE answered 204."""
        return [i for i, s in self.deletes() if s == 204]

    def list_gets(self):
        return [r for r in self.http_requests()
                if r["method"] == "GET" and r["path"] == CORE + "deleted-nodes"]

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.proc.stdout.close()


def write_conf(tmp, url, ca=None, timeout=5, extra="", name="alfwipe.conf",
               password=PASSWORD, pw_mode=0o600, max_per_run=None, global_properties=None):
    """alfwipe.conf with an api group and the password in a 0600 file."""
    pw = os.path.join(tmp, name + ".apipass")
    with open(pw, "w") as f:
        f.write(password + "\n")
    os.chmod(pw, pw_mode)
    # Absolute content roots keep the configuration loader quiet; purge does not use them.
    lines = ["alfresco = {",
             '  dir_root = "%s";' % os.path.join(tmp, "alf_data")]
    if global_properties:
        lines.append('  global_properties = "%s";' % global_properties)
    lines += ["};",
             "api = {",
             '  url = "%s";' % url,
             '  user = "admin";',
             '  password_file = "%s";' % pw,
             "  timeout_seconds = %d;" % timeout]
    if ca:
        lines.append('  ca_file = "%s";' % ca)
    if max_per_run is not None:
        lines.append("  max_per_run = %d;" % max_per_run)
    lines.append("};")
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n" + extra)
    return path


class Run:
    def __init__(self, argv, rc, out, err):
        self.argv, self.rc, self.out, self.err = argv, rc, out, err


def run(conf, *args, env_extra=None, now=NOW, verbose=None):
    """Run 'alfwipe -c conf --now NOW [-vv] purge args...'; the password must appear nowhere."""
    argv = [ALFWIPE, "-c", conf, "--now", now]
    if verbose:
        argv.append(verbose)
    argv += ["purge"] + list(args)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("ALFWIPE_") or k == "ALFWIPE"}
    env["ALFWIPE_TEST_BACKOFF_MS"] = "5"
    env.update(env_extra or {})
    p = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    r = Run(argv, p.returncode, p.stdout, p.stderr)
    assert_no_secret(r)
    return r


def assert_no_secret(r):
    where = [w for w, text in (("argv", " ".join(r.argv)), ("stdout", r.out), ("stderr", r.err))
             if PASSWORD in text]
    check(not where, "password in no argv, stdout or stderr (purge %s)%s"
          % (" ".join(r.argv[r.argv.index("purge") + 1:]),
             ": found in " + ", ".join(where) if where else ""), r)


class Failed(Exception):
    pass


def fail(msg):
    raise Failed(msg)


PASSED = []


def check(cond, msg, r=None, label=None):
    """One check: prints "ok - msg", or ends the test with msg (and the run's output)."""
    if not cond:
        if r is not None:
            msg += "\n--- rc %s\n--- stdout\n%s\n--- stderr\n%s" % (r.rc, r.out, r.err)
        fail(msg)
    label = label or msg.splitlines()[0]
    PASSED.append(label)
    print("ok - %s" % label, flush=True)


def eq(got, want, what, r=None):
    check(got == want, "%s: got %r, want %r" % (what, got, want), r, label=what)


def main(test_fn):
    """Run test_fn(tmp, pki); exit 0 on success, 1 with the reason on failure."""
    tmp = scratch()
    mocks = []
    try:
        pki = make_pki(os.path.join(tmp, "pki"))

        def start(scenario, tls=True, pki=pki):
            m = Mock(tmp, scenario, pki, tls)
            mocks.append(m)
            return m
        test_fn(tmp, pki, start)
    except Failed as e:
        print("not ok - %s" % e)
        return 1
    finally:
        for m in mocks:
            m.stop()
        if not os.environ.get("AW_KEEP"):
            shutil.rmtree(tmp, ignore_errors=True)
    print("# %d checks passed" % len(PASSED))
    return 0
