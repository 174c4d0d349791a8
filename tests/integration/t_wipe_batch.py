#!/usr/bin/env python3
"""alfwipe wipe, batches of several small files: the last stage (read-back, removal) runs file by
file on a pool of threads, the removals of a batch are made durable by one barrier, and the
batch's certificate records are written and synced only after it. Checks the crash consistency
of that design (SIGKILL in the last stage, a file left under its removal name, SIGTERM, a
mismatch, a failing removal barrier), the verification matrix on several files, batches cut
to fit a low descriptor limit, and batches whose last stages overlap the next batch's passes
(a failing barrier in each, SIGTERM at any point)."""
import json
import os
import resource
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wipelib as L  # noqa: E402
from wipelib import ok, eq  # noqa: E402

NO_DB = "--no-db-check"
REL = ["2024/5/1/1/1/a.bin", "2024/5/1/1/1/b.bin", "2024/5/1/1/2/c.bin", "2024/5/1/2/1/d.bin",
       "2024/5/2/1/1/e.bin"]


def five(name, size=65536):
    s = L.Store(name)
    marks = {rel: L.put(s.d(rel), size=size, age_days=30) for rel in REL}
    return s, marks


def journal(s):
    return json.load(open(os.path.join(s.state, "wipe-state.json")))["entries"]


def b1_sigkill_in_last_stage():
    s, marks = five("b1")
    # killed right before the third file's removal: two are gone, three are overwritten
    hook = L.hook_script(s, "if ev == 'before-remove' and a1.endswith('/c.bin'):\n"
                            "    os.kill(os.getppid(), 9)")
    r = L.wipe(s, "--method", "dod-3", NO_DB, env={"ALFWIPE_TEST_HOOK": hook})
    eq(r.rc, -9, "B1 first run killed", r)
    h, files, foot = L.last_run(s)
    ok(h is not None and foot is None, "B1 the certificate has the header and no footer", h)
    eq(files, [], "B1 no file record of the batch: none is durable before the batch's barrier")
    eq([os.path.exists(s.d(x)) for x in REL], [False, False, True, True, True],
       "B1 the first two files removed, the others still there")
    eq([L.count_in(s.d(x), marks[x]) for x in REL[2:]], [0, 0, 0],
       "B1 the files still there hold none of their old bytes")
    j = journal(s)
    eq(sorted(e["rel"] for e in j), REL, "B1 the journal names every file of the batch")
    ok(all(e.get("cur_rel") and os.path.dirname(e["cur_rel"]) == os.path.dirname(e["rel"]) and
           len(os.path.basename(e["cur_rel"])) == len(os.path.basename(e["rel"])) and
           e["cur_rel"] != e["rel"] for e in j),
       "B1 each entry names the file's removal name, in the same directory and of the same "
       "length", j)
    # a crash between the rename and the unlink leaves d.bin under its removal name
    cur = [e["cur_rel"] for e in j if e["rel"] == REL[3]][0]
    os.rename(s.d(REL[3]), s.d(cur))
    r = L.wipe(s, "--method", "dod-3", NO_DB)
    eq(r.rc, 0, "B1 rerun exit 0 (the ages come from the journal)", r)
    h, files, foot = L.last_run(s)
    f = L.by_path(files)
    eq(sorted(f), sorted([REL[2], cur, REL[4]]), "B1 rerun finds the three files, one under "
       "its removal name", files)
    eq([(f[x]["status"], f[x]["passes_done"], f[x]["removed"]) for x in sorted(f)],
       [("ERASED", 3, True)] * 3, "B1 rerun ERASED them from pass 1 and removed them", files)
    ok(all("interrupted earlier" in (f[x]["interrupted_earlier"] or "") for x in f),
       "B1 every record says it was interrupted earlier", files)
    ok(("first named " + REL[3]) in (f[cur]["interrupted_earlier"] or ""),
       "B1 the renamed one names the file it was", f[cur])
    eq(journal(s), [], "B1 journal empty afterwards")
    left = sorted(os.path.relpath(os.path.join(d, x), s.dl)
                  for d, ds, fs in os.walk(s.dl) for x in ds + fs)
    # the killed run removed a.bin and b.bin but died before removing their directory: it
    # stays, empty; the rerun removes the directories it emptied
    eq(left, ["2024", "2024/5", "2024/5/1", "2024/5/1/1", "2024/5/1/1/1"],
       "B1 nothing left but the directory the killed run emptied")
    ec, res = L.certcheck(s.cert)
    eq((ec, res.get("incomplete"), res.get("complete")), (0, "1", "1"),
       "B1 certificate: one incomplete run, one complete, chain intact", res)


def b2_sigkill_during_readback():
    s, marks = five("b2")
    hook = L.hook_script(s, "if ev == 'verify-start' and a1.endswith('/b.bin'):\n"
                            "    os.kill(os.getppid(), 9)")
    r = L.wipe(s, "--method", "nist-clear", NO_DB, env={"ALFWIPE_TEST_HOOK": hook})
    eq(r.rc, -9, "B2 killed during the read-back", r)
    eq(L.last_run(s)[1], [], "B2 no file record")
    eq([os.path.exists(s.d(x)) for x in REL], [False, True, True, True, True],
       "B2 only the file read back and removed before the kill is gone")
    r = L.wipe(s, "--method", "nist-clear", NO_DB)
    h, files, foot = L.last_run(s)
    eq((r.rc, sorted((x["path"], x["status"], x["verified"]) for x in files)),
       (0, [(x, "ERASED", True) for x in REL[1:]]), "B2 rerun erases the four left", r)


def b3_sigterm_in_last_stage():
    s, marks = five("b3")
    hook = L.hook_script(s, "if ev == 'verify-start' and a1.endswith('/c.bin'):\n"
                            "    os.kill(os.getppid(), 15)")
    r = L.wipe(s, "--method", "dod-3", NO_DB, env={"ALFWIPE_TEST_HOOK": hook})
    eq(r.rc, 143, "B3 SIGTERM: exit 143", r)
    h, files, foot = L.last_run(s)
    f = L.by_path(files)
    eq([(f[x]["status"], f[x]["removed"]) for x in REL[:2]], [("ERASED", True)] * 2,
       "B3 the files read back before the signal are ERASED and removed", files)
    eq([f[x]["status"] for x in REL[2:]], ["ABORTED"] * 3, "B3 the others ABORTED", files)
    ok(all("during verification of pass 3 (2 of 3 passes done)" in f[x]["reason"]
           for x in REL[2:]), "B3 ABORTED during the read-back of pass 3, 2 passes done", files)
    eq([os.path.exists(s.d(x)) for x in REL], [False, False, True, True, True],
       "B3 the ABORTED files are kept")
    ok(foot is not None and foot["stopped"] == "SIGTERM", "B3 footer written", foot)
    eq(sorted((e["rel"], e["state"]) for e in journal(s)), [(x, "aborted") for x in REL[2:]],
       "B3 the journal keeps the ABORTED files")


def b4_mismatch_in_batch():
    s, marks = five("b4")
    target = s.d(REL[1])
    hook = L.hook_script(s, """
if ev == 'verify-start' and a1.endswith('/b.bin'):
    f = os.environ['F']
    st = os.stat(f)
    with open(f, 'r+b') as fh:
        fh.seek(4242)
        b = fh.read(1)
        fh.seek(4242)
        fh.write(bytes([b[0] ^ 0x5A]))
        os.fsync(fh.fileno())
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
""")
    r = L.wipe(s, "--method", "dod-3", NO_DB, env={"ALFWIPE_TEST_HOOK": hook, "F": target})
    eq(r.rc, 2, "B4 mismatch: exit 2", r)
    f = L.by_path(L.last_run(s)[1])
    eq((f[REL[1]]["status"], f[REL[1]]["reason"], f[REL[1]]["verified"]),
       ("FAILED", "verification mismatch at offset 4242 in pass 3", False),
       "B4 the mismatching file FAILED with offset and pass", f[REL[1]])
    ok(os.path.exists(target), "B4 the FAILED file is kept")
    eq(sorted((x, f[x]["status"], f[x]["removed"]) for x in REL if x != REL[1]),
       [(x, "ERASED", True) for x in REL if x != REL[1]], "B4 the others ERASED and removed")


def b5_removal_not_durable():
    s, marks = five("b5")
    r = L.wipe(s, "--method", "zero", NO_DB, env={"ALFWIPE_TEST_FAULT": "rmsync:EIO"})
    eq(r.rc, 1, "B5 removal barrier failed: exit 1", r)
    files = L.last_run(s)[1]
    eq(sorted((x["path"], x["status"], x["verified"], x["removed"]) for x in files),
       [(x, "ERASED", True, False) for x in REL],
       "B5 ERASED and verified, but not claimed removed", files)
    ok(all("the removal could not be made durable" in x["reason"] for x in files),
       "B5 the reason says the removal is not durable", files)
    ok("could not sync the directories of removed files" in r.err, "B5 warned", r)
    ok(not any(os.path.exists(s.d(x)) for x in REL), "B5 the files were unlinked all the same")


def b6_verify_matrix_batch():
    s = L.Store("b6")
    bad, n = [], 0
    sizes = [0, 1, 4095, 4096, 4097, 65536, 3 << 20]
    for m in ("nist-clear", "dod-3", "rm-522022m", "gutmann"):
        for v in ("off", "last", "all"):
            for keep in (False, True):
                for i, size in enumerate(sizes):
                    L.put(s.d("x/%d/f%d.bin" % (i % 3, i)), size=size, age_days=30)
                r = L.wipe(s, "--method", m, "--verify", v, "--format", "json", NO_DB,
                           *(["--keep"] if keep else []))
                n += 1
                j = r.json()
                nver = sum(1 for p in j["passes"] if p["verify"])
                for x in j["files"]:
                    size = x["size"]
                    want = ("ERASED", size * nver, nver > 0 and size > 0,
                            "o_direct" if nver and size else "none", not keep)
                    got = (x["status"], x["bytes_verified"], x["verified"], x["verify_how"],
                           x["removed"])
                    if got != want or x["passes_done"] != len(j["passes"]):
                        bad.append((m, v, keep, x["path"], got, want))
                if r.rc != 0 or len(j["files"]) != len(sizes):
                    bad.append((m, v, keep, "rc", r.rc, len(j["files"])))
                if keep != all(os.path.exists(s.d("x/%d/f%d.bin" % (i % 3, i)))
                               for i in range(len(sizes))):
                    bad.append((m, v, keep, "kept/removed on disk"))
    eq(bad, [], "B6 %d runs on a batch of %d files: status, bytes read back, verified, how, "
       "removed" % (n, len(sizes)))


def b7_many_files_low_fd_limit():
    s = L.Store("b7")
    rels = ["2024/7/%d/%d/%d/f%04d.bin" % (i // 500, i // 50 % 10, i % 7, i)
            for i in range(1300)]
    for i, rel in enumerate(rels):
        L.put(s.d(rel), size=(i % 5) * 3000, age_days=30)
    r = L.wipe(s, "--method", "dod-3", NO_DB)
    files = L.last_run(s)[1]
    eq((r.rc, len(files), sorted({(x["status"], x["removed"]) for x in files})),
       (0, 1300, [("ERASED", True)]), "B7 1,300 files in batches: all ERASED and removed", r)
    eq(os.listdir(s.dl), [], "B7 every emptied directory removed, the root kept")
    ec, res = L.certcheck(s.cert)
    eq(ec, 0, "B7 certificate chain intact", res)
    # a descriptor limit of 160 (soft and hard): batches shrink to fit, nothing fails
    for i, rel in enumerate(rels[:400]):
        L.put(s.d(rel), size=4096, age_days=30)

    def low():
        resource.setrlimit(resource.RLIMIT_NOFILE, (160, 160))
    p = subprocess.run([L.ALFWIPE, "-c", s.conf, "wipe", "--method", "zero", NO_DB],
                       capture_output=True, text=True, preexec_fn=low, timeout=600)
    files = L.last_run(s)[1]
    eq((p.returncode, len(files), sorted({(x["status"], x["removed"]) for x in files})),
       (0, 400, [("ERASED", True)]), "B7 with 160 descriptors: 400 files ERASED and removed",
       p.stderr[-2000:])


def many(name, n, per_dir=3, size=65536):
    """n files, per_dir in each leaf directory, in the walk's order (byte order of names)."""
    s = L.Store(name)
    rels = ["2024/8/%d/%d/f%05d.bin" % (i // 300, i // per_dir % 100, i) for i in range(n)]
    marks = {rel: L.put(s.d(rel), size=size, age_days=30) for rel in rels}
    return s, sorted(rels), marks


def b8_overlapped_barrier_failure():
    # batches of 4: each batch's read-back and removal run beside the next batch's passes. The
    # removal barrier fails for every batch: no record may reach the certificate before its
    # batch's barrier has been tried, so every one says why it is not claimed removed.
    s, rels, marks = many("b8", 26)
    r = L.wipe(s, "--method", "dod-3", NO_DB,
               env={"ALFWIPE_TEST_FAULT": "rmsync:EIO", "ALFWIPE_TEST_BATCH": "4"})
    eq(r.rc, 1, "B8 removal barriers failed: exit 1", r)
    files = L.last_run(s)[1]
    eq([x["path"] for x in files], rels,
       "B8 one record per file, in the walk's order across the overlapping batches")
    eq(sorted({(x["status"], x["verified"], x["removed"], x["passes_done"]) for x in files}),
       [("ERASED", True, False, 3)], "B8 every file ERASED and verified, none claimed removed",
       files)
    ok(all("the removal could not be made durable" in (x["reason"] or "") for x in files),
       "B8 every record carries its batch's barrier failure (none written before it)", files)
    ok(not any(os.path.exists(s.d(x)) for x in rels), "B8 the files were unlinked all the same")
    ec, res = L.certcheck(s.cert)
    eq(ec, 0, "B8 certificate chain intact", res)


def b9_sigterm_while_batches_overlap():
    # SIGTERM at some point of a run whose batches overlap: whatever was reached, the
    # certificate, the journal and the disk agree, and a rerun finishes the work.
    s, rels, marks = many("b9", 900)
    e = dict(os.environ)
    for k in list(e):
        if k.startswith("ALFWIPE_TEST_"):
            del e[k]
    e["ALFWIPE_TEST_BATCH"] = "60"
    argv = [L.ALFWIPE, "-c", s.conf, "wipe", "--method", "dod-3", NO_DB]
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=e)
    deadline = time.time() + 60
    # the signal once some batch is in the certificate: others are then being written or
    # read back
    while time.time() < deadline and p.poll() is None:
        if os.path.exists(s.cert) and sum(1 for _ in open(s.cert)) >= 61:
            break
        time.sleep(0.002)
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=120)
    ok(p.returncode in (143, 0), "B9 exit 143 (or 0 when the run ended first)",
       (p.returncode, err[-2000:]))
    h, files, foot = L.last_run(s)
    ok(foot is not None, "B9 footer written", err[-2000:])
    got = [x["path"] for x in files]
    eq(got, rels[:len(got)], "B9 records in the walk's order, none twice, none skipped")
    j = {e["rel"]: e for e in journal(s)}
    bad = []
    for x in files:
        rel = x["path"]
        here = os.path.exists(s.d(rel)) or (rel in j and j[rel].get("cur_rel") and
                                            os.path.exists(s.d(j[rel]["cur_rel"])))
        if x["status"] == "ERASED" and not (x["removed"] and not here):
            bad.append((rel, "ERASED but", x["removed"], here))
        elif x["status"] == "ABORTED" and not (here and rel in j and
                                               j[rel]["state"] == "aborted"):
            bad.append((rel, "ABORTED but", here, j.get(rel)))
        elif x["status"] not in ("ERASED", "ABORTED"):
            bad.append((rel, x["status"], x["reason"]))
    eq(bad, [], "B9 every ERASED file is gone, every ABORTED one is kept and in the journal")
    gone = [rel for rel in rels[len(got):] if not os.path.exists(s.d(rel))]
    eq(gone, [], "B9 every file not reached is still there, under its own name")
    r = L.wipe(s, "--method", "dod-3", NO_DB)
    eq(r.rc, 0, "B9 rerun exit 0", r)
    eq([x for x in L.last_run(s)[1] if x["status"] != "ERASED" or not x["removed"]], [],
       "B9 rerun: every file left ERASED and removed")
    eq(os.listdir(s.dl), [], "B9 nothing left under contentstore.deleted")
    ec, res = L.certcheck(s.cert)
    eq(ec, 0, "B9 certificate chain intact over both runs", res)


def main():
    b1_sigkill_in_last_stage()
    b2_sigkill_during_readback()
    b3_sigterm_in_last_stage()
    b4_mismatch_in_batch()
    b5_removal_not_durable()
    b6_verify_matrix_batch()
    b7_many_files_low_fd_limit()
    b8_overlapped_barrier_failure()
    b9_sigterm_while_batches_overlap()
    L.finish()


if __name__ == "__main__":
    main()
