"""Whatever is in the folder, a batch finishes (issue 10, items 7–18): odd file names, files
that are not regular files, unreadable and symlinked folders, the output folder inside the
input, bad options, zip archives Python cannot read, the exit statuses and --quiet."""
from __future__ import annotations

import csv
import fcntl
import os
import random
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

from reportgen import LAYOUTS, random_report, render_text  # noqa: E402

from pipeline import batch  # noqa: E402


def report_text(seed: int = 1) -> str:
    return render_text(random_report(random.Random(seed)), LAYOUTS[0])


def rows(out: Path) -> dict[str, dict]:
    with open(out / "reports.csv", encoding="utf-8-sig", newline="") as f:
        return {os.path.basename(r["source_path"]): r for r in csv.DictReader(f)}


def ogi(*args, cwd=ROOT, **kw) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=kw.pop("timeout", 300), **kw)


# ---------------------------------------------------------------- item 7
def test_a_file_name_that_is_not_utf8_gets_its_row(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    with open(os.path.join(os.fsencode(src), b"r\xff\xfe.txt"), "w", encoding="utf-8") as f:
        f.write(report_text())
    (src / "ok.txt").write_text(report_text(2), encoding="utf-8")
    out = tmp_path / "out"
    s = batch.run([str(src)], str(out), workers=1, quiet=True)
    rep = rows(out)
    assert s["files"] == 2 and rep["r\\xff\\xfe.txt"]["status"] == "ok" and rep["ok.txt"]["status"] == "ok"
    s2 = batch.run([str(src)], str(out), workers=1, quiet=True)  # and it resumes like any other
    assert s2["parsed"] == 0 and s2["reused"] == 2


def test_fifos_devices_and_links_to_dev_zero_are_skipped_with_a_reason(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "good.txt").write_text(report_text(), encoding="utf-8")
    os.mkfifo(src / "pipe.txt")
    (src / "zero.pdf").symlink_to("/dev/zero")
    (src / "null.txt").symlink_to("/dev/null")
    (src / "dangling.txt").symlink_to(src / "missing.txt")
    out = tmp_path / "out"
    s = batch.run([str(src)], str(out), workers=2, timeout=20, quiet=True)
    rep = rows(out)
    assert s["files"] == 5 and rep["good.txt"]["status"] == "ok"
    assert rep["pipe.txt"]["error"] == "not a regular file: a named pipe (FIFO); skipped"
    assert rep["zero.pdf"]["error"] == "not a regular file: a character device; skipped"
    assert rep["null.txt"]["error"] == "not a regular file: a character device; skipped"
    assert rep["dangling.txt"]["error"] == "cannot read file: a broken symbolic link"
    assert all(rep[n]["status"] == "failed" for n in ("pipe.txt", "zero.pdf", "null.txt", "dangling.txt"))
    # given by name, too
    s = batch.run([str(src / "pipe.txt"), str(src / "zero.pdf")], str(tmp_path / "o2"), quiet=True, timeout=20)
    assert s["status"] == {"failed": 2}


def test_a_file_that_blocks_on_read_costs_only_the_time_limit(tmp_path, monkeypatch):
    """The parent never reads a file: hashing is a worker's job, under --timeout."""
    monkeypatch.setenv("OGI_TEST_FAULTS", "1")
    src = tmp_path / "in"
    src.mkdir()
    (src / "good.txt").write_text(report_text(), encoding="utf-8")
    (src / "slow.txt").write_text(report_text(3), encoding="utf-8")

    from pipeline import worker
    real = worker.hash_file

    def blocking_hash(path):
        if path.endswith("slow.txt"):
            import time
            time.sleep(3600)
        return real(path)
    monkeypatch.setattr(worker, "hash_file", blocking_hash)  # forked one-file workers inherit it
    s = batch.run([str(src / "slow.txt")], str(tmp_path / "out"), timeout=1, quiet=True)
    assert s["status"] == {"failed": 1}
    assert rows(tmp_path / "out")["slow.txt"]["error"] == "timeout after 1 s"


# ---------------------------------------------------------------- item 8
def test_a_huge_text_file_is_refused_with_a_reason(tmp_path):
    from parsers.text import MAX_BYTES
    big = tmp_path / "big.txt"
    with open(big, "wb") as f:
        f.write(report_text().encode("utf-8"))
        f.write(b"0 " * (MAX_BYTES // 2 + 10))
    out = tmp_path / "out"
    batch.run([str(big)], str(out), quiet=True)
    r = rows(out)["big.txt"]
    assert r["status"] == "failed" and r["error"].startswith("text file larger than 16 MB")


def test_a_line_of_30000_numbers_is_read_well_within_the_time_limit(tmp_path):
    line = " ".join(str(i % 97) for i in range(30000))
    p = tmp_path / "numbers.txt"
    p.write_text(report_text() + "\n" + line + "\n", encoding="utf-8")
    out = tmp_path / "out"
    batch.run([str(p)], str(out), quiet=True, timeout=60)  # it took minutes when quadratic
    assert rows(out)["numbers.txt"]["status"] == "ok"


# ---------------------------------------------------------------- item 9
def test_a_text_report_under_a_pdf_name_is_read_and_decides_nothing_for_its_copy(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    text = report_text(4)
    (src / "a_report.pdf").write_text(text, encoding="utf-8")
    (src / "b_report.txt").write_text(text, encoding="utf-8")
    (src / "c_fake.pdf").write_bytes(b"\x00\x01binary\xff" * 300)
    (src / "d_fake.txt").write_bytes(b"\x00\x01binary\xff" * 300)
    out = tmp_path / "out"
    for force in (False, True):
        batch.run([str(src)], str(out), quiet=True, force=force)
        rep = rows(out)
        assert rep["a_report.pdf"]["status"] == rep["b_report.txt"]["status"] == "ok"
        assert rep["a_report.pdf"]["format"] == "text"
        assert rep["a_report.pdf"]["cells"] == rep["b_report.txt"]["cells"]
        assert rep["c_fake.pdf"]["status"] == "failed"
        assert rep["d_fake.txt"]["status"] in ("failed", "not_a_report")
        rid = rep["a_report.pdf"]["report_id"]
        with open(out / "cells.csv", encoding="utf-8-sig") as f:
            n = sum(1 for r in csv.DictReader(f) if r["report_id"] == rid)
        assert n == int(rep["b_report.txt"]["cells"])  # one content's cells once, not per name


# ---------------------------------------------------------------- item 10
def test_symlinked_and_unreadable_folders_are_reported(tmp_path, monkeypatch):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "locked").mkdir()
    (src / "sub" / "r.txt").write_text(report_text(), encoding="utf-8")
    (src / "locked" / "hidden.txt").write_text(report_text(5), encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (src / "linked").symlink_to(elsewhere)
    real_scandir = os.scandir

    def scandir(path="."):  # root may read any folder: a permission error stands for what a user gets
        if os.path.basename(os.fspath(path)) == "locked":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)
    monkeypatch.setattr(os, "scandir", scandir)
    out = tmp_path / "out"
    s = batch.run([str(src)], str(out), quiet=True)
    rep = rows(out)
    assert rep["r.txt"]["status"] == "ok"
    assert rep["locked"]["status"] == "failed" and rep["locked"]["error"] == "folder not read: Permission denied"
    assert rep["linked"]["status"] == "failed" and "symbolic link to a folder" in rep["linked"]["error"]
    assert s["files"] == 3
    assert "folder not read" in (out / "ogi.log").read_text(encoding="utf-8")


# ---------------------------------------------------------------- item 12
def _zip_with_member_name(path: Path, name: bytes, version: int | None = None) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    data = bytearray(path.read_bytes())
    cd = data.rfind(b"PK\x01\x02")
    if version is not None:  # "version needed to extract" of the last central directory entry
        struct.pack_into("<H", data, cd + 6, version)
    else:  # flag the name UTF-8 and make it invalid UTF-8 (same length as the real one)
        n = struct.unpack_from("<H", data, cd + 28)[0]
        flags = struct.unpack_from("<H", data, cd + 8)[0]
        struct.pack_into("<H", data, cd + 8, flags | 0x800)
        data[cd + 46:cd + 46 + n] = name.ljust(n, b"x")[:n]
    path.write_bytes(bytes(data))


def test_zip_archives_python_cannot_read_fail_with_a_clear_reason(tmp_path):
    _zip_with_member_name(tmp_path / "version.docx", b"", version=235)
    _zip_with_member_name(tmp_path / "badname.docx", b"word/\xff\xfe.xml")
    out = tmp_path / "out"
    batch.run([str(tmp_path / "version.docx"), str(tmp_path / "badname.docx")], str(out), quiet=True)
    rep = rows(out)
    assert rep["version.docx"]["error"].startswith("not a readable .docx: the zip archive uses a feature")
    assert "zip file version 23.5" in rep["version.docx"]["error"]
    assert rep["badname.docx"]["error"] == "not a valid .docx: a zip member name flagged UTF-8 is not valid UTF-8"
    assert all("internal error" not in r["error"] for r in rep.values())


def test_memory_limit_failures_have_their_seconds(tmp_path, monkeypatch):
    monkeypatch.setenv("OGI_TEST_FAULTS", "1")
    p = tmp_path / "x__hog__.txt"
    p.write_text(report_text(), encoding="utf-8")
    out = tmp_path / "out"
    batch.run([str(p), str(tmp_path / "x__hog__.txt")], str(out), quiet=True, max_memory_mb=300)
    r = rows(out)["x__hog__.txt"]
    assert r["error"] == "memory limit 300 MB exceeded" and float(r["seconds"]) > 0


def test_the_exit_status_tells_a_locked_folder_from_a_failed_file(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "good.txt").write_text(report_text(), encoding="utf-8")
    assert ogi("parse", str(src), "--out", str(tmp_path / "o1"), "-q").returncode == 0
    (src / "empty.txt").write_bytes(b"")
    assert ogi("parse", str(src), "--out", str(tmp_path / "o1"), "-q").returncode == 1
    (tmp_path / "o1" / "state").mkdir(exist_ok=True)
    with open(tmp_path / "o1" / "state" / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        r = ogi("parse", str(src), "--out", str(tmp_path / "o1"), "-q")
    assert r.returncode == 3 and "another run is using the output folder" in r.stderr
    r = ogi("parse", str(tmp_path / "nothing-here"), "--out", str(tmp_path / "o1"))
    assert r.returncode == 2 and "no such file or folder" in r.stderr


# ---------------------------------------------------------------- item 13 (end to end)
def test_a_file_name_that_looks_like_a_formula_is_neutralized(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "=HYPERLINK(1).txt").write_text(report_text(), encoding="utf-8")
    r = ogi("parse", "=HYPERLINK(1).txt", "--out", str(tmp_path / "out"), "-q", cwd=src)
    assert r.returncode == 0, r.stderr
    with open(tmp_path / "out" / "reports.csv", encoding="utf-8-sig", newline="") as f:
        row = next(csv.DictReader(f))
    assert row["source_path"] == "'=HYPERLINK(1).txt"


# ---------------------------------------------------------------- item 15
@pytest.mark.parametrize("args, message", [
    (["--workers", "-3"], "--workers must be at least 1"),
    (["--workers", "0"], "--workers must be at least 1"),
    (["--workers", "two"], "--workers must be a whole number"),
    (["--timeout", "-5"], "must be ≥ 0 seconds"),
    (["--timeout", "nan"], "must be ≥ 0 seconds"),
    (["--max-memory", "10"], "at least 64 MB"),
    (["--max-memory", "-1"], "--max-memory must be at least 0"),
    (["--max-files-per-worker", "-1"], "--max-files-per-worker must be at least 0"),
    (["--dask", "nowhere"], "scheduler address"),
])
def test_every_option_is_validated_with_a_clear_error(tmp_path, args, message):
    r = ogi("parse", "fixtures/seed_xiuzhou_2019.txt", "--out", str(tmp_path / "o"), *args, timeout=60)
    assert r.returncode == 2 and message in r.stderr, r.stderr
    assert not (tmp_path / "o").exists()


def test_run_refuses_bad_options_given_through_the_api(tmp_path):
    for kw in ({"workers": -3}, {"workers": 0}, {"timeout": -5}, {"max_memory_mb": 1}, {"max_files_per_worker": -1}):
        with pytest.raises(batch.UsageError):
            batch.run(["fixtures"], str(tmp_path / "o"), quiet=True, **kw)
    (tmp_path / "afile").write_text("x")
    with pytest.raises(batch.UsageError):
        batch.run(["fixtures"], str(tmp_path / "afile"), quiet=True)


# ---------------------------------------------------------------- item 16
def test_the_output_folder_is_never_read_as_input(tmp_path):
    src = tmp_path / "reports"
    src.mkdir()
    (src / "r.txt").write_text(report_text(), encoding="utf-8")
    for _ in range(2):  # `cd reports && ogi parse .`, twice: outputs/ is inside the input
        r = ogi("parse", ".", "-q", cwd=src)
        assert r.returncode == 0, r.stderr
        assert list(rows(src / "outputs")) == ["r.txt"]
    r = ogi("parse", "outputs/reports.csv", ".", "-q", cwd=src)
    assert list(rows(src / "outputs")) == ["r.txt"]


# ---------------------------------------------------------------- item 18
def test_quiet_still_prints_a_one_line_failure_summary(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "good.txt").write_text(report_text(), encoding="utf-8")
    r = ogi("parse", str(src), "--out", str(tmp_path / "out"), "-q")
    assert r.returncode == 0 and r.stdout == "" and r.stderr == ""
    (src / "empty.txt").write_bytes(b"")
    r = ogi("parse", str(src), "--out", str(tmp_path / "out"), "-q")
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("ogi: 1 of 2 files failed")


# ---------------------------------------------------------------- item 14
def test_readme_and_ci_set_up_the_same_way_and_run_the_first_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    setup = (ROOT / "tools" / "setup.sh").read_text(encoding="utf-8")
    assert "bash tools/setup.sh && .venv/bin/ogi parse fixtures --out outputs" in readme
    assert "bash tools/setup.sh .ci-venv" in ci and "ogi parse fixtures" in ci
    assert "libreoffice-writer-nogui" in setup and "command -v soffice" in setup
    # the fixtures that need LibreOffice are exactly the old Word formats the set-up covers
    assert {p.suffix for p in (ROOT / "fixtures").rglob("*") if p.suffix in (".doc", ".wps", ".rtf")} <= {".doc", ".wps", ".rtf"}


@pytest.mark.skipif(not (__import__("shutil").which("soffice") or __import__("shutil").which("libreoffice")),
                    reason="LibreOffice (soffice) not installed: tools/setup.sh installs it")
def test_the_readme_first_command_exits_0_on_the_bundled_fixtures(tmp_path):
    r = ogi("parse", "fixtures", "--out", str(tmp_path / "outputs"), "-q", timeout=900)
    assert r.returncode == 0, r.stderr
    assert all(row["status"] == "ok" for row in rows(tmp_path / "outputs").values())


def test_a_reader_out_of_memory_still_reports_its_seconds(tmp_path, monkeypatch):
    import parsers
    from pipeline.report import parse_file

    def hungry(path, fmt=None):
        raise MemoryError
    monkeypatch.setattr(parsers, "read", hungry)
    p = tmp_path / "r.txt"
    p.write_text(report_text(), encoding="utf-8")
    row = parse_file(str(p)).report
    assert row["error"] == "out of memory while reading" and row["seconds"] != ""
