"""Bulk runs (pipeline.batch): bad files cost only themselves, killed runs resume exactly,
Dask and the local pool agree, identical files are parsed once and listed per path."""
from __future__ import annotations

import csv
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from reportgen import LAYOUTS, random_report, render_text  # noqa: E402

from pipeline import batch  # noqa: E402
from pipeline.writers import discard_unpublished  # noqa: E402

OUTPUTS = ["cells.csv", "reports.csv", "checks.csv", "log.csv", "wide/active.csv", "wide/requests.csv",
           "wide/appeals.csv"]


def make_corpus(folder: Path, n: int, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        rep = random_report(rng)
        p = folder / f"r{i:03d}.txt"
        p.write_text(render_text(rep, LAYOUTS[i % len(LAYOUTS)]), encoding="utf-8")
        out.append(p)
    return out


def read_outputs(out: Path) -> dict[str, list[tuple]]:
    """Every output CSV as a list of rows; the timing column of reports.csv left out."""
    res = {}
    for name in OUTPUTS:
        with open(out / name, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
        res[name] = [tuple((k, v) for k, v in r.items() if k != "seconds") for r in rows]
    return res


def reports(out: Path) -> dict[str, dict]:
    with open(out / "reports.csv", encoding="utf-8-sig", newline="") as f:
        return {Path(r["source_path"]).name: r for r in csv.DictReader(f)}


@pytest.fixture
def faults(monkeypatch):
    monkeypatch.setenv("OGI_TEST_FAULTS", "1")


# ---------------------------------------------------------------- bad files
def test_hang_crash_hog_and_garbage_cost_only_their_files(tmp_path, faults, monkeypatch):
    src = tmp_path / "in"
    good = make_corpus(src, 6)
    text = good[0].read_text(encoding="utf-8")
    for tag in ("hang", "crash", "hog"):
        (src / f"x__{tag}__.txt").write_text(text + f"\n{tag}\n", encoding="utf-8")
    (src / "garbage.txt").write_text("这不是一份报告。\n" * 20, encoding="utf-8")
    (src / "noise.bin").write_bytes(bytes(random.Random(1).randrange(256) for _ in range(4000)))
    (src / "empty.txt").write_bytes(b"")
    out = tmp_path / "out"
    summary = batch.run([str(src)], str(out), workers=2, timeout=6, max_memory_mb=400, quiet=True)
    rep = reports(out)
    assert len(rep) == 12 and summary["files"] == 12
    assert rep["x__hang__.txt"]["status"] == "failed"
    assert rep["x__hang__.txt"]["error"] == "timeout after 6 s"
    assert rep["x__crash__.txt"]["status"] == "failed"
    assert rep["x__crash__.txt"]["error"] == "worker crashed: exit code 139"
    assert rep["x__hog__.txt"]["status"] == "failed"
    assert rep["x__hog__.txt"]["error"] == "memory limit 400 MB exceeded"
    assert rep["garbage.txt"]["status"] == "not_a_report"
    assert rep["empty.txt"]["status"] == "failed" and rep["empty.txt"]["error"] == "empty file"
    assert rep["noise.bin"]["status"] in ("failed", "not_a_report")
    for p in good:  # the good files around the bad ones all came through, with their cells
        assert rep[p.name]["status"] in ("ok", "partial"), rep[p.name]
        assert int(rep[p.name]["cells"]) > 0
    ids = {r["report_id"] for r in csv.DictReader(open(out / "cells.csv", encoding="utf-8-sig"))}
    assert {rep[p.name]["report_id"] for p in good} <= ids
    assert "timeout after 6 s" in (out / "ogi.log").read_text(encoding="utf-8")
    assert summary["status"]["failed"] == 4

    # the failures are recorded: a plain re-run keeps them, --retry-failed parses them again
    monkeypatch.delenv("OGI_TEST_FAULTS")
    again = batch.run([str(src)], str(out), workers=2, timeout=6, max_memory_mb=400, quiet=True)
    assert again["parsed"] == 0 and reports(out)["x__crash__.txt"]["status"] == "failed"
    retried = batch.run([str(src)], str(out), workers=2, timeout=6, max_memory_mb=400, quiet=True,
                        retry_failed=True)
    assert retried["parsed"] == summary["status"]["failed"]  # hang, crash, hog, the empty file
    rep = reports(out)
    for tag in ("hang", "crash", "hog"):
        assert rep[f"x__{tag}__.txt"]["status"] in ("ok", "partial")


def test_the_memory_limit_counts_what_a_forked_worker_holds_of_its_own(tmp_path):
    """Workers are forked from the run: memory the run holds (here 400 MB) is resident in a
    worker too, shared, until either writes to it; the limit is about what the worker itself
    allocates (a hog is still stopped, test above)."""
    src = tmp_path / "in"
    make_corpus(src, 3, seed=3)
    out = tmp_path / "out"
    code = ("import sys; from pipeline import batch\n"
            "ballast = b'x' * (400 << 20)   # resident in the run, shared with its forked worker\n"
            f"s = batch.run([{str(src)!r}], {str(out)!r}, workers=1, max_memory_mb=200, quiet=True)\n"
            "sys.exit(0 if len(ballast) and s['status'].get('failed', 0) == 0 else 1)\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, (r.stderr, [x["error"] for x in reports(out).values()])
    assert all(x["status"] in ("ok", "partial") for x in reports(out).values())


# ---------------------------------------------------------------- kill -9 and resume
def _results(out: Path) -> int:
    db = out / "state" / batch.STATE_DB
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return con.execute("SELECT count(*) FROM results").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def test_killed_run_resumes_to_exactly_the_uninterrupted_outputs(tmp_path, faults):
    src = tmp_path / "in"
    files = make_corpus(src, 24, seed=11)
    # slow files keep the run going long enough to be killed in the middle
    for i, p in enumerate(files[4:16]):
        p.rename(p.with_name(f"{p.stem}__slow__.txt"))
    (src / "copy_of_r000.txt").write_bytes(files[0].read_bytes())
    ref = tmp_path / "ref"
    batch.run([str(src)], str(ref), workers=2, quiet=True)

    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "pipeline.cli", "parse", str(src), "--out", str(out), "--workers", "2", "-q"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT)
    deadline = time.monotonic() + 60
    while _results(out) < 6 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    journaled = _results(out)
    assert 6 <= journaled < 24
    assert not (out / "cells.csv").exists() and not (out / "reports.csv").exists()  # never half-written

    rc = subprocess.run(cmd, env=env, cwd=ROOT).returncode
    assert rc == 0
    assert read_outputs(out) == read_outputs(ref)
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["parsed"] == 24 - journaled  # only what the killed run had not finished
    assert run["parsed"] + run["reused"] + run["duplicates"] == 25


def test_a_run_killed_while_publishing_leaves_the_previous_set_or_the_new_one(tmp_path, monkeypatch):
    """Kill the publish at every step: a reader sees either the old set or the new one, never a
    mix, and the next run cleans up what was left."""
    from pipeline import writers
    src = tmp_path / "in"
    make_corpus(src, 2, seed=21)
    out = tmp_path / "out"
    batch.run([str(src)], str(out), workers=1, quiet=True)
    old = read_outputs(out)
    (src / "r000.txt").write_text((src / "r001.txt").read_text(encoding="utf-8").replace("2019", "2020", 1),
                                  encoding="utf-8")
    new_ref = tmp_path / "ref"
    batch.run([str(src)], str(new_ref), workers=1, quiet=True)
    new = read_outputs(new_ref)
    assert new != old
    real_replace = os.replace
    for kill_at in range(1, 4):
        calls = {"n": 0}

        def dying_replace(a, b, _k=kill_at):
            calls["n"] += 1
            if calls["n"] == _k:
                raise KeyboardInterrupt  # stands for kill -9 at this point of the publish
            return real_replace(a, b)
        monkeypatch.setattr(writers.os, "replace", dying_replace)
        try:
            batch.run([str(src)], str(out), workers=1, quiet=True, force=True)
        except KeyboardInterrupt:
            pass
        monkeypatch.setattr(writers.os, "replace", real_replace)
        assert read_outputs(out) in (old, new), kill_at
        old = read_outputs(out)
    batch.run([str(src)], str(out), workers=1, quiet=True)
    assert read_outputs(out) == new
    gens = os.listdir(out / writers.GENERATIONS)
    assert gens == [writers.current_generation(str(out))]
    assert not list(out.glob(".tmp-*"))
    discard_unpublished(str(out))
    assert read_outputs(out) == new


def test_outputs_respect_the_umask(tmp_path):
    src = tmp_path / "in"
    make_corpus(src, 1, seed=2)
    out = tmp_path / "out"
    old = os.umask(0o022)
    try:
        batch.run([str(src)], str(out), workers=1, quiet=True)
    finally:
        os.umask(old)
    for name in OUTPUTS + ["run.json"]:
        assert (out / name).stat().st_mode & 0o777 == 0o644, name


# ---------------------------------------------------------------- duplicates, reuse, force
def test_identical_files_parsed_once_listed_per_path(tmp_path):
    src = tmp_path / "in"
    files = make_corpus(src, 3, seed=5)
    (src / "sub").mkdir()
    (src / "sub" / "same_as_r001.txt").write_bytes(files[1].read_bytes())
    out = tmp_path / "out"
    s1 = batch.run([str(src)], str(out), workers=2, quiet=True)
    rep = reports(out)
    assert len(rep) == 4 and s1["parsed"] == 3 and s1["duplicates"] == 1
    assert rep["same_as_r001.txt"]["report_id"] == rep["r001.txt"]["report_id"]
    assert rep["same_as_r001.txt"]["cells"] == rep["r001.txt"]["cells"]
    rid = rep["r001.txt"]["report_id"]
    cells = [r for r in csv.DictReader(open(out / "cells.csv", encoding="utf-8-sig")) if r["report_id"] == rid]
    assert len(cells) == int(rep["r001.txt"]["cells"]) > 0  # the cells once, not twice
    wide = [r for r in csv.DictReader(open(out / "wide/requests.csv", encoding="utf-8-sig"))
            if r["report_id"] == rid]
    assert len(wide) == 1
    first = read_outputs(out)

    s2 = batch.run([str(src)], str(out), workers=2, quiet=True)  # everything recorded: nothing parsed
    assert s2["parsed"] == 0 and s2["reused"] == 4
    assert read_outputs(out) == first
    s3 = batch.run([str(src)], str(out), workers=1, quiet=True, force=True, max_files_per_worker=1)  # a fresh worker per file
    assert s3["parsed"] == 3 and s3["reused"] == 0
    assert read_outputs(out) == first


# ---------------------------------------------------------------- Dask
def test_dask_local_cluster_outputs_equal_the_pool(tmp_path, faults):
    pytest.importorskip("dask.distributed")
    src = tmp_path / "in"
    files = make_corpus(src, 8, seed=3)
    (src / "x__crash__.txt").write_text(files[0].read_text(encoding="utf-8") + "\ncrash\n", encoding="utf-8")
    (src / "dup.txt").write_bytes(files[2].read_bytes())
    (src / "garbage.txt").write_text("garbage\n", encoding="utf-8")
    pool, dask_out = tmp_path / "pool", tmp_path / "dask"
    s_pool = batch.run([str(src)], str(pool), workers=2, quiet=True)
    s_dask = batch.run([str(src)], str(dask_out), workers=2, quiet=True, dask="local")
    assert read_outputs(dask_out) == read_outputs(pool)
    assert s_dask["status"] == s_pool["status"]
    assert reports(dask_out)["x__crash__.txt"]["error"] == "worker crashed: exit code 139"
    assert s_dask["parsed"] == 10


def test_results_of_another_parser_version_are_reparsed(tmp_path):
    from pipeline.batch import State, parser_fingerprint
    st = State(str(tmp_path))
    st.put_result("k1", {"sha": "ab" * 32, "report": {"status": "ok", "source_path": "x"}, "blob": b""}, "run1")
    st.close()
    assert State(str(tmp_path)).result_status("k1", "run2")[0] == "ok"
    st = State(str(tmp_path))
    st.db.execute("UPDATE meta SET value = 'an older parser' WHERE key = 'parser'")
    st.close()
    st = State(str(tmp_path))
    assert st.stale and st.result_status("k1", "run2") == (None, False)
    assert st.db.execute("SELECT value FROM meta WHERE key = 'parser'").fetchone()[0] == parser_fingerprint()
