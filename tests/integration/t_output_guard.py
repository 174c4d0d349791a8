#!/usr/bin/env python3
"""--output never replaces live content or alfwipe's own files, and an option that takes a
value is never given twice.

- report, verify, purge and wipe refuse, before anything else, an --output inside a content
  root (a live .bin in contentstore, a new file in contentstore.deleted, an extra root, a
  wipe --root; also through a symbolic link to a directory and through a bind mount) or inside
  wipe.state_dir (or that is contentstore.deleted or the state directory not created yet),
  and one that is the certificate (wipe.certificate, wipe --certificate, a
  verify --certificate), the lock file (also before it exists), the HMAC key, the database
  password file, the alfwipe.conf being read or a file it pulls in with @include (also
  nested), the alfresco-global.properties being read, or a verify --from list: exit 3, "--output 'PATH' is ..." and a hint, the target's bytes unchanged, no
  temporary file, and for wipe no file wiped, no certificate record, no lock or journal;
- /dev/null and an ordinary file still work (a real wipe included);
- a single-valued option given twice is refused in every command and for -c and --now
  ("alfwipe wipe: --method given twice ('gutmann', then 'zero')", exit 3, nothing wiped),
  while --root, --node, --url, --certificate, -v and flags still repeat.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wipelib as L  # noqa: E402
from wipelib import ok, eq  # noqa: E402

NOW = "2024-06-30T00:00:00Z"


class Setup:
    """A store (wipelib.Store's layout) and an alfwipe.conf naming every file the guard
    protects: certificate and lock outside the state directory, an HMAC key, a database
    password file, an extra root and an alfresco-global.properties."""

    def __init__(self):
        self.db = L.PG("t_output_guard")
        self.s = L.Store("og", db=self.db)
        d = self.s.dir
        self.extra = os.path.join(d, "extra")
        os.makedirs(os.path.join(self.extra, "2024"))
        self.run_dir = os.path.join(d, "run")
        os.makedirs(self.run_dir)
        self.cert = os.path.join(d, "certificate.jsonl")
        self.lock = os.path.join(self.run_dir, "wipe.lock")
        self.key = os.path.join(d, "cert.key")
        self.pw = os.path.join(d, "db.pass")
        self.props = os.path.join(d, "alfresco-global.properties")
        for path, data in ((self.key, b"k" * 32), (self.pw, b"unused-with-trust\n"),
                           (self.props, b"system.content.orphanProtectDays=14\n")):
            with open(path, "wb") as f:
                f.write(data)
            os.chmod(path, 0o600)
        self.conf = self.s.conf
        with open(self.conf, "w") as f:
            f.write('alfresco = { dir_root = "%s"; extra_roots = [ "%s" ];\n'
                    '    global_properties = "%s"; };\n'
                    'wipe = { lock_file = "%s"; state_dir = "%s"; certificate = "%s";\n'
                    '    hmac_key_file = "%s"; operator = "test operator"; };\n'
                    'database = { type = "postgresql"; host = "%s"; port = %s; name = "%s";\n'
                    '    user = "%s"; password_file = "%s"; };\n'
                    % (self.s.alf, self.extra, self.props, self.lock, self.s.state, self.cert,
                       self.key, self.db.host, self.db.port, self.db.name, self.db.user,
                       self.pw))

    def run(self, cmd, *args, glob=()):
        # no --now: a real wipe judges ages by the clock, as the files were made
        argv = [L.ALFWIPE, "-c", self.conf] + list(glob) + [cmd] + list(args)
        e = {k: v for k, v in os.environ.items() if not k.startswith("ALFWIPE_")}
        p = subprocess.run(argv, capture_output=True, text=True, env=e, timeout=300,
                           cwd=self.s.dir)
        return L.Run(argv, p)


def snapshot(path):
    """Size and SHA-256 of path's bytes, or None when it does not exist (never follows a
    link)."""
    if os.path.islink(path) or not os.path.exists(path):
        return None
    return os.path.getsize(path), L.sha(path)


def leftovers(path):
    d, base = os.path.split(path)
    return sorted(n for n in os.listdir(d) if n.startswith(base + ".tmp."))


def refused(r, what, target, *words, real=None):
    """Exit 3, nothing on stdout, one message '--output 'TARGET' is ...' naming words, a hint,
    and no temporary file beside the target (real: the directory where it would land)."""
    eq(r.rc, 3, "%s: exit 3" % what, r)
    eq(r.out, "", "%s: nothing on stdout" % what, r)
    lines = r.err.splitlines()
    msg = [i for i, ln in enumerate(lines) if ln.startswith("alfwipe: ")]
    first = lines[msg[0]] if msg else ""
    ok(len(msg) == 1 and first.startswith("alfwipe: --output '%s' is " % target)
       and all(w in first for w in words),
       "%s: one message, '--output '...' is' %s" % (what, ", ".join(map(repr, words))), r)
    ok(msg and msg[0] + 1 < len(lines) and lines[msg[0] + 1].startswith("hint: Nothing was "
                                                                         "written."),
       "%s: a hint saying nothing was written" % what, r)
    eq(leftovers(real or target), [], "%s: no temporary file" % what)


def output_targets(t):
    s = t.s
    live = s.live                                   # a live .bin in contentstore
    deleted_new = s.d("2024/5/1/0/0/new.json")      # a file yet to be made (dirs too)
    os.makedirs(os.path.dirname(s.d("2024/5/1/0/0/x")), exist_ok=True)
    deleted_old = s.d("2024/4/1/0/0/old.bin")
    L.put(deleted_old, size=2048, age_days=30)
    extra_file = os.path.join(t.extra, "2024", "x.bin")
    L.put(extra_file, size=100, age_days=30)
    link = os.path.join(s.dir, "link-to-cs")
    os.symlink(s.cs, link)
    through_link = os.path.join(link, "2020", "1", "1", "0", "0", "live-fixture.bin")
    with open(t.cert, "w") as f:
        f.write("not yet a certificate, but not to be replaced\n")
    state_file = os.path.join(s.state, "report.json")
    # (target, what the message says, the file whose bytes must stay, cmds)
    return [
        (live, "the content root alfresco.contentstore", live),
        (through_link, "the content root alfresco.contentstore", live),
        (os.path.relpath(live, s.dir), "the content root alfresco.contentstore", live),
        (deleted_new, "the content root alfresco.contentstore_deleted", deleted_new),
        (deleted_old, "the content root alfresco.contentstore_deleted", deleted_old),
        (extra_file, "the content root alfresco.extra_roots[0]", extra_file),
        (state_file, "alfwipe's state directory wipe.state_dir", state_file),
        (t.cert, "the wipe certificate wipe.certificate", t.cert),
        (t.lock, "the wipe lock file wipe.lock_file", t.lock),
        (t.key, "the HMAC key file wipe.hmac_key_file", t.key),
        (t.pw, "the database password file database.password_file", t.pw),
        (t.conf, "the configuration file being read", t.conf),
        (t.props, "the alfresco-global.properties being read", t.props),
    ]


def refusals(t):
    targets = output_targets(t)
    for cmd, args in (("report", ["--format", "json"]),
                      ("verify", ["--node", "uuid-nothing", "--format", "json"]),
                      ("purge", ["--dry-run", "--format", "json"]),
                      ("wipe", ["--format", "json"])):
        for target, words, keep in targets:
            before = snapshot(keep)
            r = t.run(cmd, *(args + ["--output", target]))
            what = "%s --output %s" % (cmd, target)
            real = os.path.join(t.s.dir, target) if not os.path.isabs(target) else target
            refused(r, what, target, words, real=real)
            eq(snapshot(keep), before, "%s: %s unchanged" % (what, os.path.basename(keep)))
    eq(os.path.exists(t.lock), False, "no wipe took the lock")
    eq(os.listdir(t.s.state), [], "no wipe opened its journal")


def bind_mount(t):
    """The live contentstore's directory bound elsewhere is still the content root."""
    s = t.s
    mnt = os.path.join(s.dir, "bind-cs")
    os.makedirs(mnt)
    L.sh(["mount", "--bind", os.path.join(s.cs, "2020"), mnt])
    try:
        target = os.path.join(mnt, "1", "1", "0", "0", "live-fixture.bin")
        before = snapshot(s.live)
        for cmd in ("report", "wipe"):
            r = t.run(cmd, "--format", "json", "--output", target)
            refused(r, "%s --output through a bind mount of contentstore/2020" % cmd, target,
                    "the content root alfresco.contentstore")
        eq(snapshot(s.live), before, "bind mount: the live file is unchanged")
        target = os.path.join(mnt, "report.json")
        r = t.run("report", "--format", "json", "--output", target)
        refused(r, "report --output a new file through the bind mount", target,
                "the content root alfresco.contentstore")
        ok(not os.path.exists(os.path.join(s.cs, "2020", "report.json")),
           "bind mount: no file created in contentstore")
    finally:
        subprocess.run(["umount", mnt], check=False)


def wipe_guards(t):
    """A real wipe with candidates: refused outputs wipe nothing; /dev/null and an ordinary
    file still work; wipe's own --root and --certificate are guarded too."""
    s = t.s
    victim = s.d("2024/6/1/0/0/victim.bin")
    L.put(victim, size=8192, age_days=30)
    os.unlink(t.cert)
    other = os.path.join(s.dir, "copy-root")
    other_file = os.path.join(other, "2024", "1", "c.bin")
    L.put(other_file, size=4096, age_days=30)
    cert2 = os.path.join(s.dir, "cert2.jsonl")
    with open(cert2, "w") as f:
        f.write("")
    sums = {p: L.sha(p) for p in (victim, other_file)}
    for args, target, words in (
            (["--root", other], os.path.join(other, "2024", "1", "out.json"),
             "the wipe root --root"),
            (["--root", other], other_file, "the wipe root --root"),
            (["--certificate", cert2], cert2, "the wipe certificate --certificate"),
            ([], victim, "the content root alfresco.contentstore_deleted")):
        r = t.run("wipe", *(args + ["--format", "json", "--output", target]))
        refused(r, "wipe %s--output %s" % (" ".join(args) + " " if args else "", target),
                target, words)
    eq({p: L.sha(p) for p in sums}, sums, "refused wipes: every candidate intact")
    ok(not os.path.exists(t.cert) and os.path.getsize(cert2) == 0,
       "refused wipes: no certificate record")
    eq(os.path.exists(t.lock), False, "refused wipes: no lock file")
    r = t.run("wipe", "--format", "json", "--output", "/dev/null")
    eq(r.rc, 0, "wipe --output /dev/null: runs, exit 0", r)
    ok(not os.path.exists(victim) and os.path.exists("/dev/null")
       and not os.path.isfile("/dev/null"), "wipe --output /dev/null: the file is wiped, "
       "/dev/null still a device", r)
    L.put(victim, size=8192, age_days=30)
    out = os.path.join(s.dir, "wipe.json")
    r = t.run("wipe", "--format", "json", "--output", out)
    eq(r.rc, 0, "wipe --output FILE: exit 0", r)
    ok(os.path.exists(out) and len(json.load(open(out)).get("files", [])) == 1,
       "wipe --output FILE: the JSON, one file", r)
    for cmd, args in (("report", ["--format", "json"]), ("verify", ["--node", "uuid-x"]),
                      ("purge", ["--dry-run"])):
        r = t.run(cmd, *(args + ["--output", "/dev/null"]))
        ok("--output" not in r.err, "%s --output /dev/null: not refused" % cmd, r)
    r = t.run("report", "--format", "json", "--output", "/dev/null")
    ok(r.rc in (0, 1, 2), "report --output /dev/null: the report runs", r)
    out = os.path.join(s.dir, "report.json")
    r = t.run("report", "--format", "json", "--output", out)
    ok(r.rc in (0, 1, 2) and json.load(open(out)).get("status") is not None,
       "report --output FILE outside the roots: written", r)
    # verify: the certificates to check and the lists read
    lst = os.path.join(s.dir, "list.txt")
    with open(lst, "w") as f:
        f.write("uuid-x\n")
    copy = os.path.join(s.dir, "cert-copy.jsonl")
    with open(copy, "wb") as f:
        f.write(open(t.cert, "rb").read())
    for args, target, words in ((["--from", lst], lst, "a list being read --from"),
                                (["--certificate", copy], copy,
                                 "a certificate to check --certificate"),
                                (["--certificate", t.cert], t.cert,
                                 "the wipe certificate wipe.certificate")):
        before = snapshot(target)
        r = t.run("verify", *(args + ["--output", target]))
        refused(r, "verify %s --output" % " ".join(args), target, words)
        eq(snapshot(target), before, "verify %s --output: unchanged" % " ".join(args))


def included_conf(t):
    """A file alfwipe.conf pulls in with @include (here the database group, and one in a
    subdirectory through a nested @include) is configuration being read as much as
    alfwipe.conf itself: --output may not replace it."""
    s = t.s
    inc_dir = os.path.join(s.dir, "conf.d")
    os.makedirs(inc_dir, exist_ok=True)
    db_conf = os.path.join(inc_dir, "db.conf")
    wipe_conf = os.path.join(inc_dir, "wipe.conf")
    main_conf = os.path.join(s.dir, "main.conf")
    text = open(t.conf).read()
    db_line = text[text.index("database = {"):]
    with open(db_conf, "w") as f:
        f.write(db_line + '@include "conf.d/wipe.conf"\n')
    wipe_group = text[text.index("wipe = {"):text.index("database = {")]
    with open(wipe_conf, "w") as f:
        f.write(wipe_group)
    with open(main_conf, "w") as f:
        f.write(text[:text.index("wipe = {")] + '@include "conf.d/db.conf"\n')
    e = {k: v for k, v in os.environ.items() if not k.startswith("ALFWIPE_")}
    for target in (db_conf, wipe_conf, os.path.relpath(db_conf, s.dir)):
        for cmd, args in (("report", ["--format", "json"]), ("wipe", ["--dry-run"])):
            before = snapshot(db_conf), snapshot(wipe_conf)
            argv = [L.ALFWIPE, "-c", main_conf, cmd] + args + ["--output", target]
            r = L.Run(argv, subprocess.run(argv, capture_output=True, text=True, env=e,
                                           timeout=300, cwd=s.dir))
            what = "%s --output %s (an @include of the alfwipe.conf read)" % (cmd, target)
            refused(r, what, target, "a configuration file included",
                    real=os.path.join(s.dir, target))
            eq((snapshot(db_conf), snapshot(wipe_conf)), before, "%s: unchanged" % what)
    out = os.path.join(s.dir, "inc-report.json")
    argv = [L.ALFWIPE, "-c", main_conf, "report", "--format", "json", "--output", out]
    r = L.Run(argv, subprocess.run(argv, capture_output=True, text=True, env=e, timeout=300))
    ok(r.rc in (0, 1, 2) and os.path.exists(out), "@include: a report elsewhere is written", r)


def missing_root(t):
    """contentstore.deleted need not exist yet (Alfresco creates it on the first delete), nor
    wipe.state_dir before the first wipe: --output may not take their place with a file,
    which would keep Alfresco from creating the directory (its cleaner then unlinks the
    originals without the copy) and every later alfwipe run from using it."""
    s = t.s
    away = s.dl + ".away"
    os.rename(s.dl, away)
    state_away = s.state + ".away"
    os.rename(s.state, state_away)
    try:
        for target, words in ((s.dl, "the content root alfresco.contentstore_deleted"),
                              (s.dl + "/", "the content root alfresco.contentstore_deleted"),
                              (os.path.relpath(s.dl, s.dir),
                               "the content root alfresco.contentstore_deleted"),
                              (s.state, "alfwipe's state directory wipe.state_dir")):
            for cmd, args in (("report", ["--format", "json"]),
                              ("verify", ["--node", "uuid-nothing", "--format", "json"]),
                              ("purge", ["--dry-run", "--format", "json"])):
                r = t.run(cmd, *(args + ["--output", target]))
                what = "%s --output %s (not created yet)" % (cmd, target)
                real = os.path.join(s.dir, target.rstrip("/"))
                refused(r, what, target, words, real=real)
                ok(not os.path.exists(real), "%s: nothing created in its place" % what, r)
    finally:
        os.rename(away, s.dl)
        os.rename(state_away, s.state)


def twice(t):
    s = t.s
    victim = s.d("2024/6/2/0/0/twice.bin")
    L.put(victim, size=4096, age_days=30)
    before = L.sha(victim)
    a, b = os.path.join(s.dir, "a.json"), os.path.join(s.dir, "b.json")
    for cmd, args, name, v1, v2 in (
            ("wipe", ["--method", "gutmann", "--method", "zero"], "method", "gutmann", "zero"),
            ("wipe", ["--verify", "all", "--verify=off"], "verify", "all", "off"),
            ("wipe", ["--certificate", a, "--certificate", b], "certificate", a, b),
            ("wipe", ["--max-files", "1", "--max-files", "1"], "max-files", "1", "1"),
            ("report", ["--output", a, "--output", b], "output", a, b),
            ("report", ["--format", "json", "--format", "csv"], "format", "json", "csv"),
            ("verify", ["--node", "x", "--format", "json", "--format", "text"], "format",
             "json", "text"),
            ("verify", ["--node", "x", "--output", a, "--output", b], "output", a, b),
            ("purge", ["--older-than", "90", "--older-than", "1"], "older-than", "90", "1"),
            ("purge", ["--auth", "ticket", "--auth", "basic"], "auth", "ticket", "basic"),
            ("check", ["--format", "json", "--format", "text"], "format", "json", "text"),
            ("methods", ["--format", "json", "--format", "text"], "format", "json", "text")):
        r = t.run(cmd, *args)
        what = "%s %s" % (cmd, " ".join(args))
        eq((r.rc, r.out), (3, ""), "%s: exit 3, nothing on stdout" % what, r)
        lines = r.err.splitlines()
        eq(lines[:1], ["alfwipe %s: --%s given twice ('%s', then '%s')" % (cmd, name, v1, v2)],
           "%s: the message names both values" % what, r)
        ok(len(lines) > 1 and lines[1].startswith("hint: Give --%s once" % name),
           "%s: a hint" % what, r)
    eq(L.sha(victim), before, "repeated wipe options: the candidate is intact")
    ok(not os.path.exists(a) and not os.path.exists(b), "report --output twice: no file")
    for glob, name, v1, v2 in ((["--now", NOW, "--now", "2024-01-01T00:00:00Z"], "now", NOW,
                                "2024-01-01T00:00:00Z"),
                               (["-c", t.conf], "config", t.conf, t.conf)):
        r = t.run("report", glob=glob)
        eq(r.rc, 3, "global --%s twice: exit 3" % name, r)
        ok(r.err.startswith("alfwipe: --%s given twice ('%s', then '%s')\nhint: "
                            % (name, v1, v2)), "global --%s twice: message and hint" % name, r)
    # repeatable options still repeat; flags too
    r1 = os.path.join(s.dir, "rootA")
    r2 = os.path.join(s.dir, "rootB")
    L.put(os.path.join(r1, "2024", "a.bin"), size=100, age_days=30)
    L.put(os.path.join(r2, "2024", "b.bin"), size=100, age_days=30)
    r = t.run("wipe", "--dry-run", "--dry-run", "--root", r1, "--root", r2, "--format", "json")
    eq(r.rc, 0, "wipe --root A --root B --dry-run --dry-run: runs, exit 0", r)
    ok(r.rc == 0 and len(json.loads(r.out).get("files", [])) == 2,
       "wipe --root twice: both roots' files", r)
    r = t.run("verify", "--node", "uuid-a", "--node", "uuid-b", "--url",
              "store://2024/1/x.bin", "--format", "json")
    ok(r.rc != 3 and "given twice" not in r.err and len(json.loads(r.out)["items"]) >= 2,
       "verify --node twice, --url: every item checked", r)
    r = t.run("methods", glob=["-v", "-v"])
    eq(r.rc, 0, "-v -v: still repeatable", r)
    eq(L.sha(victim), before, "dry runs: the candidate is intact")


def main():
    t = Setup()
    refusals(t)
    bind_mount(t)
    wipe_guards(t)
    included_conf(t)
    missing_root(t)
    twice(t)
    L.finish()


if __name__ == "__main__":
    main()
