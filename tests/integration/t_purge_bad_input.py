#!/usr/bin/env python3
"""purge: bad input (flags, the api group of alfwipe.conf, the password and CA files, api.url,
unreachable servers) gets a message naming the input and a hint with the fix, exit 3, and no
request where none should be sent.

Alfresco cannot run here: tests/mock-alfresco/server.py stands in for it and plays the
documented deleted-nodes API; it logs every connection attempt that reaches it (a refused TLS
handshake as well as each HTTP request), so "no request" is asserted from its log.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mock-alfresco"))
import mockaf as m  # noqa: E402


def test(tmp, pki, start):
    mk = start({"items": m.base_items(), "page_size": 2})
    good = m.write_conf(tmp, mk.url, pki["ca"])

    def refused(conf, args, what, names, hint_has=None):
        """exit 3, 'alfwipe: ...' naming the input, a hint, and the mock saw nothing."""
        n = len(mk.requests())
        r = m.run(conf, *args)
        m.eq(r.rc, 3, "%s: exit code" % what, r)
        m.check(r.err.startswith("alfwipe: ") and names in r.err.splitlines()[0],
                "%s: the message names %r" % (what, names), r)
        m.check("\nhint: " in r.err, "%s: a hint says how to fix it" % what, r)
        if hint_has:
            m.check(hint_has in r.err, "%s: the hint mentions %r" % (what, hint_has), r)
        m.eq(len(mk.requests()), n, "%s: nothing sent to the server" % what, r)
        m.eq(r.out, "", "%s: no report on stdout" % what, r)
        return r

    # Flags.
    for val in ("P1M", "P1Y", "28d", "abc", "", "1,5", "PT"):
        refused(good, ["--older-than", val], "--older-than %r" % val, "'%s'" % val,
                "ISO-8601")
    for val in ("-5", "P-1D", "-PT1H"):
        refused(good, ["--older-than", val], "--older-than %r" % val, "'%s'" % val, "negative")
    for flag, val in (("--max-items", "-3"), ("--max-items", "ten"),
                      ("--max-items", "99999999999999999999"),
                      ("--retries", "21"), ("--retries", "x"), ("--auth", "digest"),
                      ("--format", "xml")):
        refused(good, [flag, val], "%s %s" % (flag, val), "'%s'" % val)
    refused(good, ["surplus"], "a stray argument", "'surplus'")
    # PT1M is valid and means one minute (java.time.Duration), not one month: all five
    # dated items qualify.
    r = m.run(good, "--older-than", "PT1M", "--dry-run")
    m.eq(r.rc, 0, "--older-than PT1M: exit code", r)
    m.check(r.out.startswith("purge (dry run) OK: would purge 5 of 5"),
            "--older-than PT1M is one minute", r)
    # Weeks and fractional days have a fixed length and are accepted.
    r = m.run(good, "--older-than", "P4W", "--dry-run", "--format", "json")
    m.eq(r.rc, 0, "--older-than P4W: exit code", r)
    m.check('"cutoff": "2024-06-02T00:00:00Z"' in r.out, "--older-than P4W is 28 days", r)

    # The api group.
    pw = os.path.join(tmp, "pw")
    with open(pw, "w") as f:
        f.write(m.PASSWORD + "\n")
    os.chmod(pw, 0o600)

    def conf(name, body):
        p = os.path.join(tmp, name + ".conf")
        with open(p, "w") as f:
            f.write('alfresco = { dir_root = "%s"; };\n%s\n'
                    % (os.path.join(tmp, "alf_data"), body))
        return p

    def api(**kw):
        keys = {"url": '"%s"' % mk.url, "user": '"admin"', "password_file": '"%s"' % pw,
                "ca_file": '"%s"' % pki["ca"]}
        keys.update(kw)
        return "api = {\n%s\n};" % "\n".join("  %s = %s;" % (k, v) for k, v in keys.items()
                                              if v is not None)

    refused(conf("typo", api(timeoutseconds="5")), [], "an unknown key", "api.timeoutseconds",
            "timeout_seconds")
    refused(conf("strtimeout", api(timeout_seconds='"five"')), [], "a string timeout",
            "api.timeout_seconds")
    refused(conf("zerotimeout", api(timeout_seconds="0")), [], "timeout 0",
            "api.timeout_seconds", "between 1 and 3600")
    refused(conf("negmax", api(max_per_run="-1")), [], "a negative max_per_run",
            "api.max_per_run")
    refused(conf("syntax", api()[:-2]), [], "a libconfig syntax error", "syntax error")
    refused(conf("nourl", api(url=None)), [], "api group without url", "api.url is not set")
    refused(conf("intourl", api(url="8443")), [], "url as a number", "api.url")
    refused(conf("nouser", api(user=None)), [], "api group without user", "api.user")
    refused(conf("nogroup", ""), [], "no api group", "no api group", "api group")

    # api.url.
    refused(conf("noscheme", api(url='"alfresco.example:8443/alfresco"')), [],
            "a URL without scheme", "alfresco.example:8443/alfresco", "https://")
    refused(conf("ftp", api(url='"ftp://127.0.0.1/alfresco"')), [], "an ftp URL",
            "ftp://127.0.0.1/alfresco")
    refused(conf("query", api(url='"%s?x=1"' % mk.url)), [], "a URL with a query", "?x=1")
    refused(conf("empty", api(url='"https://"')), [], "an empty https URL", "'https://'")
    refused(conf("plain", api(url='"http://alfresco.example.invalid/alfresco"')), [],
            "plain http to another host", "plain http", "https://")
    r = refused(conf("cred", api(url='"https://admin:hunter2@127.0.0.1:%d/alfresco"' % mk.port)),
                [], "credentials in the URL", "carries credentials", "api.password_file")
    m.check("hunter2" not in r.err, "credentials in the URL are not echoed", r)

    # The password file.
    refused(conf("nopw", api(password_file='"%s"' % os.path.join(tmp, "missing"))), [],
            "a missing password file", os.path.join(tmp, "missing"), "chmod 600")
    refused(conf("dirpw", api(password_file='"%s"' % tmp)), [], "a directory as password file",
            "not a regular file")
    for mode in (0o640, 0o604, 0o660):
        p = os.path.join(tmp, "pw-%o" % mode)
        with open(p, "w") as f:
            f.write(m.PASSWORD + "\n")
        os.chmod(p, mode)
        r = refused(conf("mode%o" % mode, api(password_file='"%s"' % p)), [],
                    "a password file of mode %o" % mode, p, "chmod 600 %s" % p)
    p = os.path.join(tmp, "pw-empty")
    open(p, "w").close()
    os.chmod(p, 0o600)
    refused(conf("emptypw", api(password_file='"%s"' % p)), [], "an empty password file",
            "is empty")
    p = os.path.join(tmp, "pw-2lines")
    with open(p, "w") as f:
        f.write("one\ntwo\n")
    os.chmod(p, 0o600)
    refused(conf("twolines", api(password_file='"%s"' % p)), [], "a two-line password file",
            "more than one line")
    # Without password_file, $ALFWIPE_API_PASSWORD is used; without either, refused.
    r = m.run(conf("envpw", api(password_file=None)), "--dry-run",
              env_extra={"ALFWIPE_API_PASSWORD": m.PASSWORD})
    m.eq(r.rc, 0, "$ALFWIPE_API_PASSWORD: exit code", r)
    refused(conf("nopwatall", api(password_file=None)), [], "no password at all",
            "no password", "ALFWIPE_API_PASSWORD")

    # The CA file: checked before any connection.
    refused(conf("noca", api(ca_file='"%s"' % os.path.join(tmp, "none.pem"))), [],
            "a missing ca_file", os.path.join(tmp, "none.pem"), "api.ca_file")
    refused(conf("dirca", api(ca_file='"%s"' % tmp)), [], "a directory as ca_file",
            "not a regular file")
    notpem = os.path.join(tmp, "notpem.txt")
    with open(notpem, "w") as f:
        f.write("this is not a certificate\n")
    n = len(mk.http_requests())
    r = m.run(conf("badca", api(ca_file='"%s"' % notpem)))
    m.eq(r.rc, 3, "a ca_file that is not PEM: exit code", r)
    m.check("api.ca_file '%s'" % notpem in r.err and "hint: " in r.err,
            "a ca_file that is not PEM: named, with a hint", r)
    m.eq(len(mk.http_requests()), n, "a ca_file that is not PEM: no HTTP request", r)

    # Unreachable servers: named, with a hint, nothing purged.
    r = m.run(conf("refused", api(url='"https://127.0.0.1:1/alfresco"')), "--retries", "1")
    m.eq(r.rc, 3, "connection refused: exit code", r)
    m.check("could not connect to 127.0.0.1" in r.err and "hint: " in r.err and
            "api.url" in r.err, "connection refused: message and hint", r)
    r = m.run(conf("nohost", api(url='"https://no-such-host.invalid/alfresco"')),
              "--retries", "0")
    m.eq(r.rc, 3, "unknown host: exit code", r)
    m.check("no-such-host.invalid" in r.err and "api.url" in r.err,
            "unknown host: message and hint", r)
    # https to a port that speaks plain HTTP.
    plain = start({"items": m.base_items()}, tls=False)
    r = m.run(conf("nottls", api(url='"https://127.0.0.1:%d/alfresco"' % plain.port)))
    m.eq(r.rc, 3, "https to a plain HTTP port: exit code", r)
    m.check("TLS" in r.err and "hint: " in r.err, "https to a plain HTTP port: message", r)
    m.eq(plain.http_requests(), [], "https to a plain HTTP port: no request in clear", r)

    m.eq(mk.deletes(), [], "no bad input deleted anything", None)


if __name__ == "__main__":
    sys.exit(m.main(test))
