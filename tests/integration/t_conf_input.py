#!/usr/bin/env python3
"""The configuration as a new administrator writes it, and what 'alfwipe check' and the other
commands make of it: numbers beyond 32 bits are refused as written (libconfig 1.5 would wrap
them), check refuses what the commands refuse and never prints a password, an unresolved
${...} in alfresco-global.properties is an error, and so is a NUL (\\u0000) in a value alfwipe
reads, no database means no database everywhere, db.url's currentSchema=, user= and password=
are honoured (PostgreSQL) or refused, ssl=true is verify-full, parameters alfwipe does not
apply (options=, socketFactory=, sslfactory=) are refused unless alfwipe.conf replaces them,
a partial database group does not hide db.url's problem, JSON keeps a value
that is not UTF-8 (value_base64), and the command line errors (no command, two method names,
-c '', --output '' / /dev/full / a symbolic link) say what is wrong.
"""
import base64
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture import (ALFWIPE, NOW, SRC, TMP, Case, _run, check, eq, finish,  # noqa: E402
                     first_error, pg_cmd)

SECRET = "Sup3rS3cretPw"
BASE = os.path.join(TMP, "conf-input")


class Run:
    def __init__(self, argv, p):
        self.argv = argv
        self.rc = p.returncode
        self.raw = p.stdout
        self.out = p.stdout.decode("utf-8", "replace")
        self.err = p.stderr.decode("utf-8", "replace")

    def __str__(self):
        return "%s\nrc=%s\nstdout: %s\nstderr: %s" % (" ".join(self.argv), self.rc,
                                                      self.out[-2000:], self.err[-1500:])


def run(*argv, conf=None, env_extra=None):
    cmd = [ALFWIPE] + (["-c", conf] if conf else []) + ["--now", NOW] + list(argv)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALFWIPE_")}
    env.update(env_extra or {})
    # from another directory: an @include is found relative to alfwipe.conf, not to this one
    p = subprocess.run(cmd, capture_output=True, env=env, timeout=120, cwd=TMP)
    return Run(cmd, p)


def write(name, text, mode="w"):
    p = os.path.join(BASE, name)
    with open(p, mode) as fp:
        fp.write(text)
    return p


def conf(name, text):
    """alfwipe.conf with the content roots under BASE unless text sets alfresco itself."""
    if "alfresco = {" not in text:
        text = 'alfresco = { dir_root = "%s"; };\n' % os.path.join(BASE, "alf_data") + text
    return write(name + ".conf", text)


def refused(r, what, *names):
    eq(r.rc, 3, "%s: exit 3" % what, r)
    line, hint = first_error(r.err)
    check(line is not None and all(n in line for n in names),
          "%s: the message names %s" % (what, ", ".join(repr(n) for n in names)), r)
    check(hint is not None and len(hint) > 16, "%s: a hint" % what, r)
    return line


def big_integers():
    for key, group, val in (("min_age_days", "wipe", "4294967296"),
                            ("orphan_protect_days", "policy", "4294967310"),
                            ("min_age_days", "wipe", "99999999999"),
                            ("timeout_seconds", "api", "-4294967295"),
                            ("port", "database", "4294972832"),
                            ("trashcan_keep_days", "policy", "4294967300"),
                            ("in_flight_grace_minutes", "policy", "0x100000001"),
                            ("max_per_run", "api", "99999999999999999999L")):
        c = conf("big-%s-%s" % (key, val), "%s = {\n    %s = %s;\n};\n" % (group, key, val))
        for cmd in (["check"], ["report"]):
            r = run(*cmd, conf=c)
            refused(r, "%s.%s = %s: %s" % (group, key, val, cmd[0]), "%s.%s" % (group, key),
                    "line 3", "%s is out of range" % val)
            eq(r.out, "", "%s.%s = %s: %s prints no settings" % (group, key, val, cmd[0]), r)
    # a quoted number: the hint gives the key's own range, not another key's example
    for key, group, rng in (("port", "database", "from 1 to 65535"),
                            ("timeout_seconds", "api", "from 1 to "),
                            ("min_age_days", "wipe", "from 0 to ")):
        c = conf("quoted-%s" % key, '%s = { %s = "7"; };\n' % (group, key))
        r = run("check", conf=c)
        refused(r, "%s.%s as a string" % (group, key), "%s.%s" % (group, key), "expected an "
                "integer, found a string")
        check("hint: Write it as %s = N; N is a whole number %s" % (key, rng) in r.err,
              "%s.%s as a string: the hint gives its range" % (group, key), r)
    # libconfig's bare "syntax error" is said once
    r = run("check", conf=conf("syntax", "policy = { orphan_protect_days = ; };\n"))
    refused(r, "a syntax error", "syntax error in", "line 2")
    check(r.err.count("syntax error") == 1, "a syntax error: said once", r)
    huge = "1" + "0" * 70
    r = run("check", conf=conf("huge", "wipe = { min_age_days = %s; };\n" % huge))
    refused(r, "a 71-digit number", "wipe.min_age_days", huge[:40], "... is out of range")
    # The number as written, across lines and from an @include file.
    inc = write("big.inc", "cleaner_slack_days =\n    8589934593;\n")
    c = conf("big-include", 'policy = {\n    @include "big.inc"\n};\n')
    r = run("check", conf=c)
    refused(r, "a wrapped number in an @include file", "policy.cleaner_slack_days", "big.inc",
            "line 1", "8589934593 is out of range")
    # In range, in the forms libconfig reads, the values are kept.
    c = conf("small", "wipe = { min_age_days = 010; };\npolicy = { cleaner_slack_days = 0x10; "
                      "orphan_protect_days = 20L; };\n")
    r = run("check", "--format", "json", conf=c)
    eq(r.rc, 0, "in-range numbers: check exit code", r)
    s = json.loads(r.out)["settings"] if r.rc == 0 else {}
    eq((s.get("wipe", {}).get("min_age_days", {}).get("value"),
        s.get("policy", {}).get("cleaner_slack_days", {}).get("value"),
        s.get("policy", {}).get("orphan_protect_days", {}).get("value")), ("10", "16", "20"),
       "010 is ten (decimal), 0x10 sixteen, 20L twenty", r)


def check_refuses_like_the_commands():
    # A password in api.url: never printed, in text or JSON, by check or purge.
    c = conf("creds", 'api = {\n    url = "http://user:%s@127.0.0.1:1/alfresco";\n'
                      '    user = "admin";\n};\n' % SECRET)
    for args in (["check"], ["check", "--format", "json"], ["purge", "--dry-run"]):
        r = run(*args, conf=c)
        refused(r, "api.url with a password: %s" % " ".join(args), "api.url carries credentials")
        check(SECRET not in r.out + r.err, "api.url with a password: %s prints no password"
              % " ".join(args), r)
    r = run("check", conf=c)
    check("url                      = http://***@127.0.0.1:1/alfresco" in r.out,
          "check shows api.url with the user information masked", r)
    r = run("check", "--format", "json", conf=c)
    try:
        shown = json.loads(r.out)["settings"]["api"]["url"]["value"]
    except (ValueError, KeyError):
        shown = None
    eq(shown, "http://***@127.0.0.1:1/alfresco", "check --format json masks it too", r)
    # A URL the loader refuses is not echoed with its password either.
    for url in ("ftp://u:%s@127.0.0.1/alfresco" % SECRET, "admin:%s@127.0.0.1/alfresco" % SECRET):
        r = run("check", conf=conf("credsftp", 'api = { url = "%s"; };\n' % url))
        refused(r, "api.url %r" % url.replace(SECRET, "PW"), "api.url")
        check(SECRET not in r.out + r.err, "api.url %r: no password in the message"
              % url.replace(SECRET, "PW"), r)
    # A password in db.url is not shown in a message.
    props = write("creds.properties",
                  "db.url=jdbc:postgresql://127.0.0.1/alf?password=%s&sslmode=often\n" % SECRET)
    r = run("check", conf=conf("credsdb", 'alfresco = { global_properties = "%s"; };\n' % props))
    refused(r, "a password in db.url", "password=***", "often")
    check(SECRET not in r.out + r.err, "a password in db.url: not printed", r)

    # The method and schedule: check runs the validation wipe runs, with its message.
    c = conf("rcmp", 'wipe = { method = "rcmp-ops2"; final_zero = true; };\n')
    rc = run("check", conf=c)
    refused(rc, "rcmp-ops2 with final_zero: check", "wipe.final_zero", "rcmp-ops2")
    rw = run("wipe", "--dry-run", conf=c)
    eq(rw.rc, 3, "rcmp-ops2 with final_zero: wipe exit code", rw)
    eq(first_error(rw.err), first_error(rc.err), "check and wipe give the same message and hint",
       rw)
    check("\n[wipe]\n" in rc.out, "check still prints the settings", rc)
    r = run("check", conf=conf("rcmpok", 'wipe = { method = "rcmp-ops2"; };\n'))
    eq(r.rc, 0, "rcmp-ops2 without final_zero: check exit code", r)
    r = run("check", conf=conf("gutzero", 'wipe = { method = "gutmann"; final_zero = true; };\n'))
    eq(r.rc, 0, "gutmann with final_zero: check exit code", r)

    # database.sslrootcert naming a file that is not there.
    missing = os.path.join(BASE, "no-such-ca.pem")
    c = conf("sslroot", 'database = { type = "postgresql"; host = "127.0.0.1"; '
                        'sslmode = "verify-full"; sslrootcert = "%s"; };\n' % missing)
    refused(run("check", conf=c), "a missing database.sslrootcert", missing,
            "No such file or directory")
    c = conf("sslrootdir", 'database = { type = "postgresql"; host = "127.0.0.1"; '
                           'sslrootcert = "%s"; };\n' % BASE)
    refused(run("check", conf=c), "a directory as database.sslrootcert", BASE,
            "not a regular file")
    ca = write("ca.pem", "-----BEGIN CERTIFICATE-----\n")
    c = conf("sslrootok", 'database = { type = "postgresql"; host = "127.0.0.1"; '
                          'sslrootcert = "%s"; };\n' % ca)
    eq(run("check", conf=c).rc, 0, "an existing database.sslrootcert: check exit code")
    props = write("sslroot.properties",
                  "db.url=jdbc:postgresql://127.0.0.1/alf?sslmode=verify-ca&sslrootcert=%s\n"
                  % missing)
    c = conf("sslrooturl", 'alfresco = { global_properties = "%s"; };\n' % props)
    refused(run("check", conf=c), "a missing sslrootcert in db.url", missing, "db.url")


def unresolved_placeholders():
    for key, line, conf_key in (
            ("dir.contentstore", "dir.contentstore=${undefined.prop}/contentstore",
             "alfresco.contentstore"),
            ("dir.root", "dir.root=/srv/${alf.home}", "alfresco.dir_root"),
            ("dir.contentstore.deleted", "dir.root=/srv/${x${y}}", "alfresco.dir_root"),
            ("db.username", "db.username=${db.user}", "database.user"),
            ("system.content.orphanProtectDays", "system.content.orphanProtectDays=${days}",
             "policy.orphan_protect_days"),
            ("trashcan-cleaner.keepPeriod", "trashcan-cleaner.keepPeriod=P${keep}D",
             "policy.trashcan_keep_days")):
        props = write("ph.properties",
                      "db.url=jdbc:postgresql://127.0.0.1/alfresco\n%s\n" % line)
        c = conf("ph", 'alfresco = { global_properties = "%s"; };\n' % props)
        placeholder = line[line.index("${"):]
        placeholder = placeholder[:placeholder.rindex("}") + 1]
        for cmd in ("check", "report"):
            r = run(cmd, conf=c)
            want_key = "dir.root" if "dir.root" in line else key
            refused(r, "%s: %s" % (line, cmd), "'%s'" % want_key, placeholder, props, "line 2")
            check(conf_key in r.err, "%s: %s: the hint names %s" % (line, cmd, conf_key), r)
    props = write("ph3.properties", "dir.root=/srv\ndb.url=jdbc:postgresql://${db.host}/alf\n")
    c = conf("ph3", 'alfresco = { global_properties = "%s"; };\n' % props)
    refused(run("check", conf=c), "an unresolved placeholder in db.url", "db.url",
            "${db.host}", props, "line 2", "unresolved placeholder")
    # db.password is a secret: the message names the key and line, not the value.
    props = write("ph4.properties", "db.url=jdbc:postgresql://127.0.0.1/alf\n"
                                    "db.password=%s${vault.key}\n" % SECRET)
    c = conf("ph4", 'alfresco = { global_properties = "%s"; };\n' % props)
    r = run("check", conf=c)
    refused(r, "an unresolved placeholder in db.password", "db.password", props, "line 2")
    check(SECRET not in r.out + r.err and "vault.key" not in r.err,
          "an unresolved placeholder in db.password: nothing of the value printed", r)
    # Overridden in alfwipe.conf: the property is not used, so it is not an error.
    props = write("ph2.properties", "db.url=jdbc:postgresql://127.0.0.1/alfresco\n"
                                    "dir.contentstore=${undefined.prop}/contentstore\n")
    c = conf("ph2", 'alfresco = { global_properties = "%s"; contentstore = "%s"; '
                    'dir_root = "%s"; };\n' % (props, BASE, BASE))
    eq(run("check", conf=c).rc, 0, "an unresolved property alfwipe.conf overrides: exit 0")


def nul_escapes():
    """A NUL (\\u0000, or a NUL byte) in a value alfwipe reads: Java keeps it, a C string ends
    there; refused naming the file, line and key, never read cut short."""
    pg = "db.url=jdbc:postgresql://127.0.0.1/alfresco\n"
    for name, text, key, line, conf_key in (
            ("root", "dir.root=/srv/\\u0000x\n" + pg, "'dir.root'", "line 1",
             "alfresco.dir_root"),
            ("url", "db.url=jdbc:postgresql://h/alf\\u0000resco\n", "'db.url'", "line 1",
             "database group"),
            ("user", pg + "db.username=bob\\u0000x\n", "'db.username'", "line 2",
             "database.user"),
            ("byte", pg + "db.schema.name=alf\0x\n", "'db.schema.name'", "line 2",
             "database.schema"),
            ("keep", pg + "trashcan-cleaner.keepPeriod=P1\\u0000D\n",
             "'trashcan-cleaner.keepPeriod'", "line 2", "policy.trashcan_keep_days"),
            ("via", pg + "base=/srv/\\u0000\ndir.contentstore=${base}/cs\n",
             "'dir.contentstore'", "line 3", "alfresco.contentstore"),
            ("cron", pg + "system.content.orphanCleanup.cronExpression=0 0 4 * * ?\\u0000\n",
             "'system.content.orphanCleanup.cronExpression'", "line 2", "Remove"),
            ("key", pg + "dir.root\\u0000=/srv\n", "'dir.root\\u0000...'", "line 2",
             "Remove")):
        props = write("nul-%s.properties" % name, text)
        c = conf("nul-" + name, 'alfresco = { global_properties = "%s"; };\n' % props)
        for cmd in ("check", "report"):
            r = run(cmd, conf=c)
            err = refused(r, "a NUL in %s: %s" % (name, cmd), key, props, line, "NUL character")
            check("\\u0000" in r.err and conf_key in (first_error(r.err)[1] or ""),
                  "a NUL in %s: %s: the hint says what to remove or set (%s)"
                  % (name, cmd, conf_key), r)
            check(err is not None and "\0" not in err, "a NUL in %s: no raw NUL printed" % name,
                  r)
    # through a placeholder: the key used and the key (and line) that holds the NUL
    r = run("check", conf=os.path.join(BASE, "nul-via.conf"))
    check("from 'base' (line 2)" in r.err, "a NUL through ${base}: names base and its line", r)
    # alfwipe.conf sets the value itself: the property is not read, so no error
    props = write("nul-over.properties", pg + "dir.root=/srv/\\u0000x\ndb.username=b\\u0000\n")
    c = conf("nul-over", 'alfresco = { global_properties = "%s"; dir_root = "%s"; };\n'
             'database = { user = "alice"; };\n' % (props, BASE))
    r = run("check", conf=c)
    eq(r.rc, 0, "a NUL in properties alfwipe.conf overrides: exit 0", r)
    # db.password: a secret; the message names the key and line only
    props = write("nul-pw.properties", pg + "db.password=%s\\u0000x\n" % SECRET)
    c = conf("nul-pw", 'alfresco = { global_properties = "%s"; };\n' % props)
    r = run("check", conf=c)
    refused(r, "a NUL in db.password", "db.password", props, "line 2", "NUL character")
    check(SECRET not in r.out + r.err, "a NUL in db.password: nothing of it printed", r)
    # a key alfwipe does not read may hold one: Java and alfwipe both ignore it
    props = write("nul-other.properties", pg + "mail.from.default=a\\u0000b\nx\\u0000y=1\n")
    c = conf("nul-other", 'alfresco = { global_properties = "%s"; };\n' % props)
    eq(run("check", conf=c).rc, 0, "a NUL in keys alfwipe does not read: exit 0")


def no_database():
    empty = write("empty.conf", "")
    r = run("check", conf=empty)
    eq(r.rc, 0, "no database: check exit code", r)
    check("no database configured" in r.out, "no database: check says so", r)
    check("mysql" not in r.out and "localhost" not in r.out and "3306" not in r.out,
          "no database: check shows no made-up database", r)
    r = run("check", "--format", "json", conf=empty)
    try:
        j = json.loads(r.out)
        d = j["settings"]["database"]
        got = (j["database_configured"], d["type"]["value"], d["host"]["value"],
               d["port"]["value"])
    except (ValueError, KeyError) as e:
        got = str(e)
    eq(got, (False, None, None, None), "no database: check --format json", r)
    r = run("check", "--connect", conf=empty)
    eq(r.rc, 3, "no database: check --connect exit code", r)
    check("not configured: add a database group to alfwipe.conf" in r.out,
          "no database: check --connect says where to configure one", r)
    r = run("check", "--connect", "--format", "json", conf=empty)
    try:
        got = json.loads(r.out)["checks"]["database"]["ok"]
    except (ValueError, KeyError, TypeError) as e:
        got = str(e)
    eq((r.rc, got), (3, False), "no database: check --connect --format json", r)
    r = run("report", conf=empty)
    refused(r, "no database: report", "no database configured")
    # With a database group the database is configured, and Alfresco's defaults fill in.
    r = run("check", conf=conf("dbgroup", 'database = { type = "mysql"; };\n'))
    eq(r.rc, 0, "a database group: check exit code", r)
    check("localhost" in r.out and "3306" in r.out and "no database configured" not in r.out,
          "a database group: host and port from the defaults", r)
    check(re.search(r"^  type +\= mysql +\(alfwipe\.conf: .*dbgroup\.conf:2\)$", r.out, re.M),
          "a database group: check names the file and line of type", r)
    r = run("check", "--format", "json", conf=conf("dbgroup", 'database = { type = "mysql"; };\n'))
    eq(json.loads(r.out).get("database_configured") if r.rc == 0 else r.rc, True,
       "a database group: database_configured in JSON", r)


def check_connect_roots():
    """check --connect on a root report would refuse: exit 3, and the message and hint report
    gives (the setting's file and line, what to do) on standard error, not only a state."""
    missing = os.path.join(BASE, "no-such-store")
    deleted = os.path.join(BASE, "deleted-root")
    os.makedirs(deleted, exist_ok=True)
    c = conf("root-missing", 'alfresco = { contentstore = "%s"; contentstore_deleted = "%s"; };\n'
             % (missing, deleted))
    for fmt in ("text", "json"):
        r = run("check", "--connect", "--format", fmt, conf=c)
        line = refused(r, "check --connect, contentstore missing (%s)" % fmt, "contentstore",
                       missing, "root-missing.conf:1", "No such file or directory")
        check("hint: Check that the volume is mounted" in r.err,
              "check --connect, contentstore missing (%s): the hint says what to do" % fmt, r)
        if fmt == "json":
            try:
                got = json.loads(r.out)["checks"]["contentstore"]
                got = (got["state"], got["ok"])
            except (ValueError, KeyError, TypeError) as e:
                got = str(e)
            eq(got, ("missing", False), "check --connect --format json: contentstore missing", r)
        else:
            check(re.search(r"^  contentstore +%s: missing$" % re.escape(missing), r.out, re.M),
                  "check --connect: the contentstore line says missing", r)
    afile = write("not-a-dir", "x\n")
    c = conf("root-file", 'alfresco = { contentstore = "%s"; contentstore_deleted = "%s"; };\n'
             % (afile, deleted))
    r = run("check", "--connect", conf=c)
    refused(r, "check --connect, contentstore is a file", afile, "Not a directory")
    check("hint: Point alfresco.contentstore at the content store directory itself" in r.err,
          "check --connect, contentstore is a file: the hint", r)
    # Alfresco's default dir.root (./alf_data) is relative: refused by report, named by check
    r = run("check", "--connect", conf=write("empty.conf", ""))
    refused(r, "check --connect, relative default contentstore", "'contentstore'",
            "./alf_data/contentstore", "is a relative path")
    check("hint: Set alfresco.dir_root" in r.err and
          re.search(r"^  contentstore +\./alf_data/contentstore: relative path$", r.out, re.M),
          "check --connect, relative default contentstore: the line and the hint", r)


def jdbc_parameters():
    def props_conf(name, text):
        props = write(name + ".properties", text)
        return conf(name, 'alfresco = { global_properties = "%s"; };\n' % props), props

    c, _ = props_conf("cs", "db.url=jdbc:postgresql://127.0.0.1:5432/alf?currentSchema=alfs"
                            "&user=bob\ndb.username=alice\n")
    r = run("check", "--format", "json", conf=c)
    try:
        d = json.loads(r.out)["settings"]["database"]
        got = (d["schema"]["value"], d["user"]["value"], "currentSchema" in d["schema"]["origin"],
               "user=" in d["user"]["origin"])
    except (ValueError, KeyError) as e:
        got = str(e)
    eq(got, ("alfs", "bob", True, True), "PostgreSQL db.url: currentSchema= is the schema, "
       "user= wins over db.username (the driver's order)", r)
    c2 = conf("cs2", 'alfresco = { global_properties = "%s"; };\n'
              'database = { type = "postgresql"; user = "carol"; schema = "s2"; };\n'
              % os.path.join(BASE, "cs.properties"))
    r = run("check", "--format", "json", conf=c2)
    try:
        d = json.loads(r.out)["settings"]["database"]
        got = (d["schema"]["value"], d["user"]["value"], d["host"]["value"])
    except (ValueError, KeyError) as e:
        got = str(e)
    eq(got, ("s2", "carol", "127.0.0.1"), "alfwipe.conf's database.user and schema come first",
       r)
    c, props = props_conf("csconflict", "db.url=jdbc:postgresql://h/alf?currentSchema=a\n"
                                        "db.schema.name=b\n")
    refused(run("check", conf=c), "currentSchema= and db.schema.name disagree",
            "currentSchema=a", "db.schema.name", "'b'", props)
    c, props = props_conf("cssame", "db.url=jdbc:postgresql://h/alf?currentSchema=a\n"
                                    "db.schema.name=a\n")
    eq(run("check", conf=c).rc, 0, "currentSchema= and db.schema.name agree: exit 0")
    c, props = props_conf("cslist", "db.url=jdbc:postgresql://h/alf?currentSchema=a,public\n")
    refused(run("check", conf=c), "currentSchema= with a list", "a,public", "not one schema")
    c, props = props_conf("myuser", "db.url=jdbc:mysql://h/alf?user=bob\n")
    refused(run("check", conf=c), "MySQL user= against the default db.username", "user=bob",
            "'alfresco'", props)
    c, props = props_conf("myuser2", "db.url=jdbc:mysql://h/alf?user=bob\ndb.username=bob\n")
    eq(run("check", conf=c).rc, 0, "MySQL user= equal to db.username: exit 0")

    # ssl=true without sslmode: pgjdbc 42.2.5+ verifies certificate and host (verify-full);
    # ssl=false is its default, prefer; an explicit sslmode wins either way.
    for params, want in (("ssl=true", "verify-full"), ("ssl", "verify-full"),
                         ("ssl=false", "prefer"), ("ssl=true&sslmode=require", "require"),
                         ("sslmode=disable&ssl=true", "disable")):
        c, props = props_conf("ssl", "db.url=jdbc:postgresql://h/alf?%s\n" % params)
        r = run("check", "--format", "json", conf=c)
        try:
            got = json.loads(r.out)["settings"]["database"]["sslmode"]["value"]
        except (ValueError, KeyError) as e:
            got = str(e)
        eq(got, want, "PostgreSQL db.url ?%s: sslmode" % params, r)
    c, props = props_conf("sslyes", "db.url=jdbc:postgresql://h/alf?ssl=yes\n")
    r = run("check", conf=c)
    refused(r, "ssl=yes (pgjdbc reads it as false)", "ssl 'yes'", props, "line 1")
    check("database.sslmode" in r.err, "ssl=yes: the hint names database.sslmode", r)

    # Parameters that move the connection or the schema and that alfwipe does not apply: refused
    # naming db.url's file and line and the parameter, with the alfwipe.conf key to use instead;
    # that key given, the rest of db.url is still read.
    for name, params, shown, conf_key, given in (
            ("options", "options=-c%20search_path%3Dfoo", "options '-c search_path=foo'",
             "database.schema", 'schema = "foo";'),
            ("sockf", "socketFactory=org.newsclub.net.unix.AFUNIXSocketFactory$FactoryArg"
             "&socketFactoryArg=/run/postgresql/.s.PGSQL.5432", "socketFactory",
             "database.socket", 'socket = "/run/postgresql";'),
            ("sockarg", "socketFactoryArg=/run/postgresql/.s.PGSQL.5432", "socketFactoryArg",
             "database.socket", 'host = "127.0.0.1";'),
            ("nonval", "ssl=true&sslfactory=org.postgresql.ssl.NonValidatingFactory",
             "does not verify the server's certificate", "database.sslmode",
             'sslmode = "require";'),
            ("cslist", "currentSchema=a,public", "not one schema", "database.schema",
             'schema = "a";')):
        c, props = props_conf("un-" + name, "db.url=jdbc:postgresql://dbh:5433/alf?%s\n" % params)
        for cmd in ("check", "report"):
            r = run(cmd, conf=c)
            refused(r, "db.url ?%s: %s" % (params, cmd), shown, props, "line 1", "db.url")
            check(conf_key in (first_error(r.err)[1] or ""),
                  "db.url ?%s: %s: the hint names %s" % (params, cmd, conf_key), r)
        c2 = conf("un2-" + name, 'alfresco = { global_properties = "%s"; };\n'
                  'database = { %s };\n' % (props, given))
        r = run("check", "--format", "json", conf=c2)
        try:
            d = json.loads(r.out)["settings"]["database"]
            got = (r.rc, d["type"]["value"], d["name"]["value"], d["port"]["value"])
        except (ValueError, KeyError) as e:
            got = str(e)
        eq(got, (0, "postgresql", "alf", "5433"),
           "db.url ?%s with %s in alfwipe.conf: the rest of db.url is read" % (params, given), r)

    # password= in db.url: used as the PostgreSQL driver uses it (before db.password), never
    # shown; check says where it comes from. On MySQL one that differs from db.password is
    # refused, as the drivers disagree on the order.
    c, props = props_conf("urlpw", "db.url=jdbc:postgresql://127.0.0.1/alf?password=%s\n"
                                   "db.password=other\n" % SECRET)
    for fmt in ("text", "json"):
        r = run("check", "--format", fmt, conf=c)
        eq(r.rc, 0, "password= in db.url: check --format %s exit 0" % fmt, r)
        check("set (password= in db.url in '%s' line 1)" % props in r.out,
              "password= in db.url: check --format %s says where it comes from" % fmt, r)
        check(SECRET not in r.out + r.err, "password= in db.url: %s: not printed" % fmt, r)
    r = run("check", conf=c, env_extra={"ALFWIPE_DB_PASSWORD": "x"})
    check("set (from the environment)" in r.out, "$ALFWIPE_DB_PASSWORD comes before password=",
          r)
    c, props = props_conf("urlpwmy", "db.url=jdbc:mysql://127.0.0.1/alf?password=%s\n"
                                     "db.password=other\n" % SECRET)
    r = run("check", conf=c)
    refused(r, "MySQL password= differing from db.password", "password= in db.url", props,
            "line 1", "db.password")
    check("database.password_file" in r.err and SECRET not in r.out + r.err,
          "MySQL password= differing: the hint names password_file; nothing printed", r)

    # A partial database group (no type) does not hide what is wrong with db.url.
    for name, url, shown in (
            ("pcs", "jdbc:postgresql://h/alf?currentSchema=public,x", "not one schema"),
            ("pfo", "jdbc:postgresql://pg1:5432,pg2:5432/alf", "several hosts"),
            ("pnul", "jdbc:postgresql://h/alf\\u0000x", "NUL character")):
        props = write("partial-%s.properties" % name, "db.url=%s\n" % url)
        c = conf("partial-" + name, 'alfresco = { global_properties = "%s"; };\n'
                 'database = { host = "127.0.0.1"; };\n' % props)
        for cmd in ("check", "report"):
            r = run(cmd, conf=c)
            line = refused(r, "a partial database group and db.url %s: %s" % (name, cmd),
                           shown, props, "line 1")
            check(line is not None and "database.type is not set" not in line,
                  "a partial database group: %s: db.url's problem, not the missing type" % cmd,
                  r)

    # End to end on PostgreSQL: the tables in schema 'alfs', reached through db.url alone
    # (currentSchema= and user=), with a decoy alf_store in public that must not be read.
    c = Case("curschema")
    c.f("cs", "2024/6/1/9/0/s.bin", 5, "2024-06-01T09:00:00Z")
    c.no_db_group = True
    db = c.dbname("pg")
    c.global_properties = ("db.url=jdbc:postgresql://127.0.0.1:%s/%s?currentSchema=alfs&user=%s"
                           "\ndb.username=nobody\n" % (os.environ["AW_PG_PORT"], db,
                                                      os.environ["AW_PG_USER"]))
    c._write_files()
    _run(pg_cmd("postgres"), stdin=("CREATE DATABASE %s;" % db).encode())
    _run(pg_cmd(db), stdin=b"CREATE SCHEMA alfs; CREATE TABLE public.alf_store (x int);")
    for f in ("schema.sql", "bootstrap.sql"):
        with open(os.path.join(SRC, "sql", "pg", f), "rb") as fp:
            _run(pg_cmd(db), stdin=b"SET search_path TO alfs;\n" + fp.read())
    c._loaded = {"pg"}
    c._built = {"pg": c.build("pg")}
    r = c.invoke("pg")
    eq((r.rc, r.json and r.json["summary"]["stray"]["count"]), (1, 1),
       "db.url currentSchema=alfs&user=: the alfs schema is read as that user", r)
    return c


def not_utf8():
    root = os.path.join(BASE, "r\xe9").encode("latin-1")
    os.makedirs(root, exist_ok=True)
    text = b'alfresco = { dir_root = "' + root + b'"; extra_roots = ["' + root + \
        b'", "/srv/ok"]; };\n'
    c = write("latin1.conf", text, "wb")
    r = run("check", "--format", "json", conf=c)
    eq(r.rc, 0, "a root path with byte 0xE9: check exit code", r)
    try:
        a = json.loads(r.out)["settings"]["alfresco"]
        got = (base64.b64decode(a["dir_root"]["value_base64"]),
               a["dir_root"]["value"] == root.decode("utf-8", "replace"),
               [base64.b64decode(x) for x in a["extra_roots"]["value_base64"]],
               len(a["extra_roots"]["value"]),
               base64.b64decode(a["contentstore"]["value_base64"]))
    except (ValueError, KeyError, TypeError) as e:
        got = str(e)
    eq(got, (root, True, [root, b"/srv/ok"], 2, root + b"/contentstore"),
       "JSON: the value lossily, value_base64 the exact bytes (also for extra_roots)", r)
    r = run("check", "--format", "json", "--connect", conf=c)
    try:
        ck = json.loads(r.out)["checks"]
        got = base64.b64decode(ck["extra_roots[0]"]["path_base64"])
    except (ValueError, KeyError, TypeError) as e:
        got = str(e)
    eq(got, root, "check --connect JSON: a root's path as path_base64", r)


def command_line(case):
    p = subprocess.run([ALFWIPE, "-c", "report"], capture_output=True, timeout=30)
    r = Run([ALFWIPE, "-c", "report"], p)
    eq((r.rc, r.out), (3, ""), "alfwipe -c report: exit 3, nothing on stdout", r)
    check(r.err.startswith("alfwipe: no command given\nhint: ") and "-c" in r.err
          and "report" in r.err, "alfwipe -c report: 'no command given' and why", r)
    p = subprocess.run([ALFWIPE], capture_output=True, timeout=30)
    r = Run([ALFWIPE], p)
    eq((r.rc, r.out), (3, ""), "alfwipe alone: exit 3, nothing on stdout", r)
    check(r.err.startswith("alfwipe: no command given\nhint: "), "alfwipe alone: says so", r)
    # -c '' (a script's unset variable) is no configuration file: never the one from
    # $ALFWIPE_CONFIG or /etc/alfwipe/alfwipe.conf in its place, silently.
    other = write("other-env.conf", 'wipe = { method = "zero"; };\n')
    for argv in (["-c", ""], ["--config="], ["--config", ""]):
        cmd = [ALFWIPE] + argv + ["check"]
        env = {k: v for k, v in os.environ.items() if not k.startswith("ALFWIPE_")}
        env["ALFWIPE_CONFIG"] = other
        r = Run(cmd, subprocess.run(cmd, capture_output=True, env=env, timeout=60, cwd=TMP))
        refused(r, "%s check (ALFWIPE_CONFIG set)" % " ".join(map(repr, argv)),
                "empty -c")
        eq(r.out, "", "%s check: nothing on stdout" % " ".join(map(repr, argv)), r)
    # -q and -v together: refused, neither wins silently (also wipe's -q after the command)
    for argv in (["-q", "-v", "methods"], ["-v", "-q", "methods"], ["-vv", "--quiet", "methods"],
                 ["-v", "wipe", "--dry-run", "-q"]):
        r = Run([ALFWIPE] + argv, subprocess.run([ALFWIPE] + argv, capture_output=True,
                                                  timeout=30))
        refused(r, " ".join(argv), "-q (--quiet)")
        eq(r.out, "", "%s: nothing on stdout" % " ".join(argv), r)
    eq(run("-v", "-v", "methods", "zero").rc, 0, "-v -v: still more detail, exit 0")
    r = run("methods", "gutmann", "dod-3")
    refused(r, "methods with two names", "at most one method name")
    check("unknown method" not in r.err, "methods with two names: no 'unknown method'", r)
    r = run("methods", "gutman")
    refused(r, "methods with a misspelt name", "unknown method 'gutman'")
    eq(run("methods", "gutmann").rc, 0, "methods with one name: exit 0")

    with open("/dev/full", "w") as full:
        p = subprocess.run([ALFWIPE, "methods"], stdout=full, stderr=subprocess.PIPE,
                           timeout=30)
    err = p.stderr.decode("utf-8", "replace")
    eq((p.returncode, err), (3, "alfwipe: could not write to standard output: No space left on "
                                "device\n"), "methods > /dev/full: exit 3, one message, the reason")
    # A report to a full standard output: one message (the report's), not a second one.
    with open("/dev/full", "w") as full:
        e = dict(os.environ, ALFWIPE_DB_PASSWORD="unused-with-trust")
        p = subprocess.run([ALFWIPE, "-c", case._built["pg"], "--now", NOW, "report"],
                           stdout=full, stderr=subprocess.PIPE, timeout=120, env=e)
    err = p.stderr.decode("utf-8", "replace")
    check(p.returncode == 3 and err.count("alfwipe: ") == 1 and "No space left" in err,
          "report > /dev/full: exit 3, one message with the reason", err)
    # A settings error stays exit 3 when --connect then succeeds (text and JSON alike).
    with open(case._built["pg"]) as fp:
        text = fp.read()
    c = write("rcmp-db.conf", text + 'wipe = { method = "rcmp-ops2"; final_zero = true; };\n')
    for fmt in ("text", "json"):
        r = run("check", "--connect", "--format", fmt, conf=c,
                env_extra={"ALFWIPE_DB_PASSWORD": "unused-with-trust"})
        eq(r.rc, 3, "rcmp-ops2 with final_zero, database reachable: check --connect --format "
           "%s exit code" % fmt, r)
        check("rcmp-ops2" in r.err, "... and the message (%s)" % fmt, r)
    r = run("check", "--connect", "--format", "json", conf=case._built["pg"],
            env_extra={"ALFWIPE_DB_PASSWORD": "unused-with-trust"})
    ok = r.rc == 0 and json.loads(r.out)["checks"]["database"]["ok"] is True
    check(ok, "the same without the wipe group: check --connect --format json exit 0", r)
    # --output, on a report that works.
    r = case.invoke("pg", args=["--output", ""])
    refused(r, "--output ''", "empty --output")
    eq(r.out, "", "--output '': nothing on stdout", r)
    check(not [n for n in os.listdir(".") if n.startswith(".tmp.")],
          "--output '': no temporary file left", r)
    # (args, not output=: the fixture would read the output file back)
    r = case.invoke("pg", args=["--output", "/dev/full"])
    eq(r.rc, 3, "--output /dev/full: exit 3", r)
    lines = [ln for ln in r.err.splitlines() if ln.startswith("alfwipe: ")]
    check(len(lines) == 1 and "No space left on device" in lines[0],
          "--output /dev/full: one message, with the reason", r)
    check("Success" not in r.err, "--output /dev/full: no 'Success'", r)
    target = case.path("real.json")
    with open(target, "w") as fp:
        fp.write("keep\n")
    link = case.path("link.json")
    os.symlink(target, link)
    r = case.invoke("pg", args=["--output", link])
    refused(r, "--output onto a symbolic link", link, "symbolic link")
    check(os.path.islink(link) and open(target).read() == "keep\n",
          "--output onto a symbolic link: the link and its file are untouched", r)
    dangling = case.path("dangling.json")
    os.symlink(case.path("nowhere.json"), dangling)
    r = case.invoke("pg", args=["--output", dangling])
    refused(r, "--output onto a dangling symbolic link", dangling, "symbolic link")
    check(not os.path.exists(case.path("nowhere.json")),
          "--output onto a dangling link: nothing created", r)
    devlink = case.path("null-link")
    os.symlink("/dev/null", devlink)
    r = case.invoke("pg", args=["--output", devlink])
    eq(r.rc, 1, "--output onto a link to /dev/null: written through (exit 1: one stray)", r)
    check(os.path.islink(devlink), "--output onto a link to /dev/null: the link stays", r)


def options_misplaced():
    """An option on the wrong side of the command: refused (exit 3), with where it belongs."""
    for argv, what, hint in ((["report", "-v"], "-v after report", "-v is a global option"),
                             (["verify", "--quiet"], "--quiet after verify",
                              "--quiet is a global option"),
                             (["wipe", "--config=/x"], "--config after wipe",
                              "--config is a global option"),
                             (["purge", "--quiet"], "--quiet after purge",
                              "--quiet is a global option"),
                             (["--format", "json", "report"], "--format before report",
                              "--format belongs to a command")):
        p = subprocess.run([ALFWIPE] + argv, capture_output=True, text=True, timeout=60)
        check(p.returncode == 3 and ("hint: " + hint) in p.stderr and p.stdout == "",
              "%s: exit 3, the hint says where it belongs" % what, p.stderr)
    # the example in the hint is a command that runs: the option keeps its value
    for argv, want in ((["report", "--now", "2024-06-30"], "'alfwipe --now 2024-06-30 report"),
                       (["report", "--now=2024-06-30"], "'alfwipe --now=2024-06-30 report"),
                       (["-c", "x.conf", "--output", "r.json", "report"],
                        "'alfwipe report --output r.json"),
                       (["wipe", "-c"], "'alfwipe -c VALUE wipe")):
        p = subprocess.run([ALFWIPE] + argv, capture_output=True, text=True, timeout=60)
        check(p.returncode == 3 and want in p.stderr,
              "%s: the hint's example keeps the value" % " ".join(argv), p.stderr)
    # a command's option before the command: the example names a command that takes it, the
    # one typed when it does, and every command option gets the hint
    for argv, want in ((["--dry-run", "wipe"], "'alfwipe wipe --dry-run ...'"),
                       (["--dry-run", "purge"], "'alfwipe purge --dry-run ...'"),
                       (["--older-than", "30", "purge"], "'alfwipe purge --older-than 30 ...'"),
                       (["--connect", "check"], "'alfwipe check --connect ...'"),
                       (["--from", "list.txt", "verify"], "'alfwipe verify --from list.txt ...'"),
                       (["--keep", "wipe"], "'alfwipe wipe --keep ...'"),
                       (["--keep", "purge"], "'alfwipe wipe --keep ...'"),
                       (["--root=/srv/x", "wipe"], "'alfwipe wipe --root=/srv/x ...'"),
                       (["--max-files", "5", "wipe"], "'alfwipe wipe --max-files 5 ...'"),
                       (["--include-undated", "purge"], "'alfwipe purge --include-undated ...'"),
                       (["--format", "json", "methods"], "'alfwipe methods --format json ...'"),
                       (["--output", "m.txt", "methods"], "'alfwipe report --output m.txt ...'")):
        p = subprocess.run([ALFWIPE] + argv, capture_output=True, text=True, timeout=60)
        check(p.returncode == 3 and "belongs to a command" in p.stderr and want in p.stderr,
              "%s: the hint's example is a command that takes the option" % " ".join(argv),
              p.stderr)
    p = subprocess.run([ALFWIPE, "report", "--bogus"], capture_output=True, text=True,
                       timeout=60)
    check(p.returncode == 3 and "hint:" not in p.stderr and "--help" in p.stderr,
          "an unknown option: exit 3, no misleading hint", p.stderr)


def main():
    os.makedirs(BASE, exist_ok=True)
    os.chdir(BASE)
    big_integers()
    check_refuses_like_the_commands()
    unresolved_placeholders()
    nul_escapes()
    no_database()
    check_connect_roots()
    case = jdbc_parameters()
    not_utf8()
    command_line(case)
    options_misplaced()
    finish()


if __name__ == "__main__":
    main()
