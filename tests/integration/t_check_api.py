#!/usr/bin/env python3
"""check: an api group that purge would refuse makes 'alfwipe check' fail too, with the same
message and hint (one validation shared by both), exit 3, and nothing sent anywhere.

Alfresco cannot run here: tests/mock-alfresco/server.py stands in for its deleted-nodes REST
API so that 'purge' has a real server to (not) talk to; the URLs below point at it, so a value
that slipped through would show up as a request in its log.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mock-alfresco"))
import mockaf as m  # noqa: E402
from fixture import first_error  # noqa: E402


def run_check(conf, *args, env_extra=None):
    argv = [m.ALFWIPE, "-c", conf, "check"] + list(args)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("ALFWIPE_") or k == "ALFWIPE"}
    env.update(env_extra or {})
    p = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    r = m.Run(argv, p.returncode, p.stdout, p.stderr)
    m.check(m.PASSWORD not in p.stdout + p.stderr, "check %s: the password appears nowhere"
            % " ".join(argv[3:]), r)
    return r


def cfg_str(s):
    """A libconfig string literal."""
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def test(tmp, pki, start):
    mk = start({"items": m.base_items(), "page_size": 2})
    base = mk.url  # https://127.0.0.1:<port>/alfresco
    hostport = base[len("https://"):-len("/alfresco")]
    pw = os.path.join(tmp, "api.pass")
    with open(pw, "w") as f:
        f.write(m.PASSWORD + "\n")
    os.chmod(pw, 0o600)

    def conf(name, **kw):
        keys = {"url": cfg_str(base), "user": '"admin"', "password_file": cfg_str(pw),
                "ca_file": cfg_str(pki["ca"])}
        keys.update(kw)
        p = os.path.join(tmp, name + ".conf")
        with open(p, "w") as f:
            f.write('alfresco = { dir_root = "%s"; };\napi = {\n%s\n};\n'
                    % (os.path.join(tmp, "alf_data"),
                       "\n".join("  %s = %s;" % (k, v) for k, v in keys.items()
                                 if v is not None)))
        return p

    def same_as_purge(c, what, names, env_extra=None, loader=False):
        """check exits 3 with purge's message and hint; purge refuses it and sends nothing.
        loader: the configuration loader itself refuses the value (so check prints no
        settings); else check still prints them."""
        r = run_check(c, env_extra=env_extra)
        m.eq(r.rc, 3, "%s: check exit code" % what, r)
        line, hint = first_error(r.err)
        m.check(line is not None and names in line, "%s: check names %r" % (what, names), r)
        m.check(hint is not None and len(hint) > len("hint: ") + 10,
                "%s: check gives a hint" % what, r)
        if loader:
            m.eq(r.out, "", "%s: refused while loading, no settings printed" % what, r)
        else:
            m.check("\n[api]\n" in r.out, "%s: check still prints the settings" % what, r)
        rj = run_check(c, "--format", "json", env_extra=env_extra)
        m.eq(rj.rc, 3, "%s: check --format json exit code" % what, rj)
        if not loader:
            try:
                ok = "api" in json.loads(rj.out)["settings"]
            except (ValueError, KeyError):
                ok = False
            m.check(ok, "%s: check --format json still prints the settings" % what, rj)
        m.eq(first_error(rj.err), (line, hint), "%s: the same message in JSON mode" % what, rj)
        n = len(mk.requests())
        rp = m.run(c, env_extra=env_extra)
        m.eq(rp.rc, 3, "%s: purge exit code" % what, rp)
        m.eq(first_error(rp.err), (line, hint), "%s: purge gives the same message and hint"
             % what, rp)
        m.eq(len(mk.requests()), n, "%s: purge sent nothing" % what, rp)
        return r

    # The valid settings pass, and purge works with them.
    r = run_check(conf("good"))
    m.eq((r.rc, r.err), (0, ""), "a valid api group: check exit code, no message", r)
    r = run_check(conf("slash", url=cfg_str(base + "/")))
    m.eq(r.rc, 0, "a trailing slash: check exit code", r)
    r = run_check(conf("loopback", url=cfg_str("http://127.0.0.1:8080/alfresco")))
    m.eq(r.rc, 0, "plain http to 127.0.0.1 is allowed: check exit code", r)
    r = run_check(conf("localhost", url=cfg_str("http://localhost/alfresco")))
    m.eq(r.rc, 0, "plain http to localhost is allowed: check exit code", r)
    r = m.run(conf("good"), "--dry-run")
    m.eq(r.rc, 0, "a valid api group: purge --dry-run exit code", r)

    # Bad api.url values: what purge refuses, check refuses the same way.
    for name, url, names in (
            ("noscheme", "alfresco.example:8443/alfresco", "alfresco.example:8443/alfresco"),
            ("ftp", "ftp://%s/alfresco" % hostport, "ftp://"),
            ("oneslash", "https:/%s/alfresco" % hostport, "https:/127.0.0.1"),
            ("empty", "https://", "'https://'"),
            ("nohost", "https:///alfresco", "has no host"),
            ("portonly", "https://:8443/alfresco", "has no host"),
            ("remotehttp", "http://alfresco.example.invalid/alfresco", "plain http"),
            ("space", base + " extra", "holds ' '"),
            ("backslash", base + "\\x", "holds '\\'"),
            ("quote", base + '"', "holds '\"'"),
            ("percent", base + "%zz", "holds '%'"),
            ("newline", base + "\n", "control character 0x0a"),
            ("tab", "https://127.0.0.1\t/alfresco", "control character 0x09"),
            ("badport", "https://%sx/alfresco" % hostport, "is not a URL"),
            ("bigport", "https://127.0.0.1:99999/alfresco", "is not a URL"),
            ("query", base + "?x=1", "query or fragment"),
            ("fragment", base + "#top", "query or fragment"),
            ("apipath", base + "/api/-default-/public/alfresco/versions/1",
             "already holds an API path"),
            ("cred", "https://admin:hunter2@%s/alfresco" % hostport, "carries credentials")):
        r = same_as_purge(conf(name, url=cfg_str(url)), "api.url %r" % url, names,
                          loader=name in ("noscheme", "ftp", "oneslash"))
        m.check("hunter2" not in r.err, "api.url %r: no password echoed" % url, r)

    # The rest of what purge checks before sending anything.
    same_as_purge(conf("nourl", url=None), "api group without url", "api.url is not set")
    same_as_purge(conf("nouser", user=None), "api group without user", "api.user")
    same_as_purge(conf("noca", ca_file=cfg_str(os.path.join(tmp, "none.pem"))),
                  "a missing ca_file", os.path.join(tmp, "none.pem"))
    same_as_purge(conf("dirca", ca_file=cfg_str(tmp)), "a directory as ca_file",
                  "not a regular file")
    loose = os.path.join(tmp, "loose.pass")
    with open(loose, "w") as f:
        f.write(m.PASSWORD + "\n")
    os.chmod(loose, 0o644)
    same_as_purge(conf("loosepw", password_file=cfg_str(loose)), "a password file of mode 644",
                  loose)
    # No password from anywhere is not a setting: a later run may have $ALFWIPE_API_PASSWORD.
    # check warns; purge refuses.
    r = run_check(conf("nopw", password_file=None))
    m.eq(r.rc, 0, "no password at all: check exit code", r)
    m.check(r.err.startswith("alfwipe: warning: no password for the Alfresco REST API user "
                             "'admin'") and "ALFWIPE_API_PASSWORD" in r.err,
            "no password at all: check warns", r)
    r = m.run(conf("nopw", password_file=None))
    m.eq(r.rc, 3, "no password at all: purge exit code", r)
    m.check("no password" in r.err and "ALFWIPE_API_PASSWORD" in r.err,
            "no password at all: purge says so", r)
    # Without password_file, $ALFWIPE_API_PASSWORD is what purge would use.
    r = run_check(conf("envpw", password_file=None),
                  env_extra={"ALFWIPE_API_PASSWORD": m.PASSWORD})
    m.eq((r.rc, r.err), (0, ""), "$ALFWIPE_API_PASSWORD: check exit code", r)

    # No api group at all: purge has nothing to talk to, but check has nothing to object to
    # (the other commands do not need the API).
    plain = os.path.join(tmp, "noapi.conf")
    with open(plain, "w") as f:
        f.write('alfresco = { dir_root = "%s"; };\n' % os.path.join(tmp, "alf_data"))
    r = run_check(plain)
    m.eq((r.rc, r.err), (0, ""), "no api group: check exit code", r)
    r = m.run(plain)
    m.eq(r.rc, 3, "no api group: purge exit code", r)

    m.eq(mk.deletes(), [], "nothing was deleted", None)


if __name__ == "__main__":
    sys.exit(m.main(test))
