#!/usr/bin/env python3
"""Benchmark of the review site (not a test): `ogi review` time against the parse time of the
same run, and the size of review/.

Generates a batch with the test report generator (default 5,000 reports: text in every layout
and HTML, clean, plus a share with one planted wrong cell, and PDF copies of the fixtures
with planted PDFs when Chromium is there), runs `ogi parse --no-review` on it, then
`ogi review`, each as a subprocess, and prints CPU seconds (the machine is shared: CPU time of
the processes, summed over workers, is the stable figure), wall seconds, their ratio, and the
size of review/ split into page images and the rest. With --corpus, the same on a folder of
real reports.

    .venv/bin/python -m tools.bench_review                       # 5,000 reports
    .venv/bin/python -m tools.bench_review --reports 500 --keep /tmp/bench-review
    .venv/bin/python -m tools.bench_review --reports 0 --corpus ../shared/corpus/reports
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def make_batch(folder: Path, n: int, flagged_share: float, seed: int) -> dict:
    """n reports under folder: clean text/HTML, planted ones, PDF copies; returns counts."""
    from tests import planted
    from tests.reportgen import LAYOUTS, random_report, render_html, render_text

    rng = random.Random(seed)
    counts = {"clean": 0, "planted": 0, "pdf": 0}
    (folder / "clean").mkdir(parents=True, exist_ok=True)
    (folder / "planted").mkdir(parents=True, exist_ok=True)
    n_planted = int(n * flagged_share)
    pdfs = sorted((ROOT / "fixtures" / "pdf").glob("*.pdf"))
    n_pdf = min(n // 50, 100) if pdfs else 0
    for i in range(n - n_planted - n_pdf):
        rep = random_report(rng)
        if i % 3 == 2:
            (folder / "clean" / f"h{i:06d}.html").write_text(render_html(rep), "utf-8")
        else:
            (folder / "clean" / f"t{i:06d}.txt").write_text(render_text(rep, LAYOUTS[i % len(LAYOUTS)]), "utf-8")
        counts["clean"] += 1
    for i in range(n_planted):
        table = planted.TABLES[i % 3]
        rep, _ = planted.planted_report(seed + i, rng.choice(["2019", "2021"]), (table,))
        if i % 3 == 2:
            (folder / "planted" / f"p{i:06d}.html").write_text(render_html(rep), "utf-8")
        else:
            (folder / "planted" / f"p{i:06d}.txt").write_text(render_text(rep, LAYOUTS[i % len(LAYOUTS)]), "utf-8")
        counts["planted"] += 1
    for i in range(n_pdf):   # copies of the fixtures, made unique after %%EOF
        src = pdfs[i % len(pdfs)]
        (folder / "clean" / f"f{i:06d}.pdf").write_bytes(src.read_bytes() + f"\n% copy {i}\n".encode())
        counts["pdf"] += 1
    chromium = shutil.which("chromium")
    if chromium and n_planted:
        for m in planted.write_planted(folder / "planted_pdf", layouts=(), docx=False, chromium=chromium):
            if not m.path.endswith(".pdf"):
                os.unlink(m.path)
            else:
                counts["planted"] += 1
                counts["pdf"] += 1
    return counts


def timed(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child and its workers)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def size(path: Path) -> tuple[int, int]:
    """(bytes of page images, bytes of everything else) under path."""
    img = other = 0
    for d, _, files in os.walk(path):
        for f in files:
            n = os.path.getsize(os.path.join(d, f))
            if Path(d).name == "img":
                img += n
            else:
                other += n
    return img, other


def bench(inputs: Path, out: Path, label: str, workers: int) -> None:
    ogi = [sys.executable, "-m", "pipeline.cli"]
    pw, pc = timed(ogi + ["parse", str(inputs), "--out", str(out), "--no-review", "-q", "--workers", str(workers)])
    rw, rc = timed(ogi + ["review", str(out), "-q"])
    img, other = size(out / "review")
    n_img = len(os.listdir(out / "review" / "img"))
    flagged = len(os.listdir(out / "review" / "data" / "r"))
    reports = sum(1 for _ in open(out / "reports.csv", encoding="utf-8-sig")) - 1
    print(f"{label}: {reports} reports, {flagged} with something to review, {n_img} page images")
    print(f"  parse : {pc:8.1f} s CPU {pw:8.1f} s wall ({workers} workers)")
    print(f"  review: {rc:8.1f} s CPU {rw:8.1f} s wall  -> {100 * rc / pc:.1f} % of parse CPU, "
          f"{100 * rw / pw:.1f} % of parse wall")
    print(f"  review/: {other / 1e6:.2f} MB without images ({other / max(reports, 1):.0f} B a report), "
          f"+ {img / 1e6:.2f} MB of page images")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reports", type=int, default=5000)
    ap.add_argument("--flagged", type=float, default=0.02, help="share of reports with a planted error")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--corpus", help="also measure on this folder of real reports")
    ap.add_argument("--keep", help="work in this folder and keep it (default: a temporary one)")
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args(argv)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-review-"))
    try:
        if args.reports:
            inputs = work / "in"
            if not inputs.exists():
                counts = make_batch(inputs, args.reports, args.flagged, args.seed)
                print(f"generated: {counts}")
            shutil.rmtree(work / "out", ignore_errors=True)
            bench(inputs, work / "out", f"generated batch ({args.reports})", args.workers)
        if args.corpus:
            shutil.rmtree(work / "corpus-out", ignore_errors=True)
            bench(Path(args.corpus), work / "corpus-out", f"corpus {args.corpus}", args.workers)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
