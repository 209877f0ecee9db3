#!/usr/bin/env python3
"""Benchmark of `ogi dataset` (not a test).

1. Synthesizes the outputs of N generated reports (default 50,000: N/7 bodies × 7 years, values
   continuous across years, as tests/reportgen/archive.py makes them) directly as an `ogi parse`
   output folder (cells.csv, reports.csv, checks.csv, log.csv), because parsing 50,000 files
   would take hours on 2 cores; then
2. parses a sample of the same kind of reports for real (`ogi parse`, text and HTML files) to
   measure the parse time per report, and extrapolates it to N;
3. builds the dataset from the synthesized run in a subprocess for each size in --sizes: wall
   and CPU time, peak memory (max RSS of the build process), so its flatness in N shows;
4. times one agency's series query in DuckDB (indicators by year, and its cells).

    .venv/bin/python -m tools.bench_dataset                    # 50,000 reports, sizes 10000 50000
    .venv/bin/python -m tools.bench_dataset --reports 7000 --sizes 7000 --sample 140
    .venv/bin/python -m tools.bench_dataset --archive 300      # full-size acceptance archive

`--archive B` instead renders the acceptance archive (B bodies × 7 years in several formats, with
duplicates, name changes, planted P1/P2 breaks and missing years), parses it with `ogi parse`,
builds the dataset and prints what `tests.reportgen.archive.verify` finds (every list must be empty).
"""
from __future__ import annotations

import argparse
import csv
import json
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

CELL_HEAD = ["report_id", "agency", "year", "template", "table", "row_key", "col_key", "value", "raw", "row_label",
             "col_label", "match_score", "page", "bbox", "method"]
REPORT_HEAD = ["report_id", "source_path", "sha256", "format", "pages", "agency", "year", "template", "status",
               "tables_found", "cells", "checks_failed", "error", "seconds", "ambiguous_cells"]
CHECK_HEAD = ["report_id", "check_id", "table", "scope", "expression", "lhs", "rhs", "diff", "status", "severity",
              "message"]


def _labels():
    from pipeline import templates as T
    out = {}
    for tid, tpl in T.load().items():
        for tk, spec in tpl.tables.items():
            for r in spec.rows:
                for c in spec.row_columns(r, variant=True):
                    out[(tid, tk, r.key, c.key)] = (r.label, c.label)
    return out


def _fmt(v) -> str:
    if v is None:
        return ""
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def synthesize(folder: Path, n_reports: int, seed: int = 1) -> dict:
    """An `ogi parse` output folder for n_reports generated reports (N/7 bodies × 7 years)."""
    from tests.reportgen import archive as A

    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    labels = _labels()
    n_bodies = max(1, n_reports // len(A.YEARS))
    counties = A._counties(min(n_bodies, 2000), rng)
    t0 = time.perf_counter()
    n = 0
    with open(folder / "cells.csv", "w", newline="", encoding="utf-8-sig") as fc, \
         open(folder / "reports.csv", "w", newline="", encoding="utf-8-sig") as fr, \
         open(folder / "checks.csv", "w", newline="", encoding="utf-8-sig") as fk, \
         open(folder / "log.csv", "w", newline="", encoding="utf-8-sig") as fl:
        wc, wr, wk, wl = csv.writer(fc), csv.writer(fr), csv.writer(fk), csv.writer(fl)
        wc.writerow(CELL_HEAD), wr.writerow(REPORT_HEAD), wk.writerow(CHECK_HEAD)
        wl.writerow(["report_id", "level", "table", "row_key", "col_key", "page", "message"])
        for b in range(n_bodies):
            county, city, prov = counties[b % len(counties)]
            body = A.BODIES[(b // len(counties)) % len(A.BODIES)] + ("" if b < len(counties) * len(A.BODIES)
                                                                       else f"第{b // (len(counties) * len(A.BODIES))}分局")
            bd = A.Body(f"B{b:06d}", county, city, prov, body)
            bd.names = {y: (county if y < 2021 else city + county) + body for y in A.YEARS}
            for y, rep in A._series(rng, bd).items():
                if n >= n_reports:
                    break
                rid = f"{rng.getrandbits(64):016x}"
                rows = 0
                for (t, rk, ck), v in rep.values.items():
                    rl, cl = labels.get((rep.template, t, rk, ck), ("", ""))
                    wc.writerow([rid, rep.agency, y, rep.template, t, rk, ck, _fmt(v), rep.printed.get((t, rk, ck), ""),
                                 rl, cl, 100, "", "", "read"])
                    rows += 1
                _checks(wk, rid, rep)
                wr.writerow([rid, f"synthetic/{bd.body_id}_{y}.txt", rid * 4, "text", "", rep.agency, y, rep.template,
                             "ok", "active;requests;appeals", rows, 0, "", "0.05", 0])
                n += 1
    (folder / "run.json").write_text(json.dumps({"tool": "ogi-reports", "version": "bench", "files": n}), "utf-8")
    return {"reports": n, "seconds": round(time.perf_counter() - t0, 1)}


def _checks(w, rid: str, rep) -> None:
    """The per-report identities E1, E3, E4 with their real sums (all pass), as checks.csv prints them."""
    from tests.reportgen import APPLICANT_COLS
    v = lambda t, r, c: rep.values.get((t, r, c)) or 0
    for c in APPLICANT_COLS + ["total"]:
        lhs = v("requests", "new_received", c) + v("requests", "carried_over", c)
        rhs = v("requests", "total_processed", c) + v("requests", "carried_forward", c)
        w.writerow([rid, "E1", "requests", c, f"一、本年新收 + 二、上年结转 = （七）总计 + 四、结转下年度 [{c}]", lhs, rhs,
                    lhs - rhs, "pass" if lhs == rhs else "fail", "error", ""])
    for rk in {k[1] for k in rep.values if k[0] == "requests"}:
        lhs = v("requests", rk, "total")
        rhs = sum(v("requests", rk, c) for c in APPLICANT_COLS)
        w.writerow([rid, "E3", "requests", rk, f"总计 = 自然人 + … + 其他 [{rk}]", lhs, rhs, lhs - rhs,
                    "pass" if lhs == rhs else "fail", "error", ""])
    for rk in ("review", "suit_direct", "suit_after_review"):
        lhs = v("appeals", rk, "total")
        rhs = sum(v("appeals", rk, c) for c in ("upheld", "corrected", "other", "pending"))
        w.writerow([rid, "E4", "appeals", rk, f"总计 = 维持 + 纠正 + 其他 + 尚未审结 [{rk}]", lhs, rhs, lhs - rhs,
                    "pass" if lhs == rhs else "fail", "error", ""])


def sample_parse(folder: Path, n: int, seed: int = 2) -> dict:
    """Render n reports (text layouts and HTML) and parse them with `ogi parse`: CPU and wall per report."""
    from tests.reportgen import LAYOUTS, random_report, render_html, render_text

    rng = random.Random(seed)
    src = folder / "files"
    src.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        rep = random_report(rng)
        if i % 4 == 3:
            (src / f"h{i:05d}.html").write_text(render_html(rep), "utf-8")
        else:
            (src / f"t{i:05d}.txt").write_text(render_text(rep, LAYOUTS[i % len(LAYOUTS)]), "utf-8")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pipeline.cli", "parse", str(src), "--out", str(folder / "run"), "--quiet",
                    "--workers", "2"], check=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"files": n, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "wall_per_report_s": wall / n,
            "cpu_per_report_s": cpu / n}


BUILD = """
import json, resource, sys, time
from ogi.dataset.build import update
t0 = time.perf_counter(); c0 = time.process_time()
s = update(sys.argv[1], [sys.argv[2]])
print(json.dumps({"wall_s": round(time.perf_counter() - t0, 2), "cpu_s": round(time.process_time() - c0, 2),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                  "reports": s["reports"], "cells": s["cells"], "agencies": s["agencies"]}))
"""


def build(ds: Path, run: Path) -> dict:
    shutil.rmtree(ds, ignore_errors=True)
    out = subprocess.run([sys.executable, "-c", BUILD, str(ds), str(run)], check=True, capture_output=True, text=True,
                         cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def query_times(ds: Path, repeats: int = 30) -> dict:
    import duckdb

    con = duckdb.connect(str(ds / "ogi.duckdb"), read_only=True)
    ids = [r[0] for r in con.execute("SELECT agency_id FROM agencies ORDER BY agency_id").fetchall()]
    rng = random.Random(3)
    series, cells = [], []
    for _ in range(repeats):
        aid = rng.choice(ids)
        t0 = time.perf_counter()
        con.execute("SELECT year, indicator, value FROM indicators WHERE agency_id = ? ORDER BY year, indicator",
                    [aid]).fetchall()
        series.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        con.execute("SELECT year, \"table\", row_key, col_key, value FROM cells WHERE agency_id = ? AND is_canonical "
                    "ORDER BY year", [aid]).fetchall()
        cells.append(time.perf_counter() - t0)
    series.sort(), cells.sort()
    return {"series_query_median_ms": round(series[len(series) // 2] * 1000, 2),
            "series_query_max_ms": round(series[-1] * 1000, 2),
            "cells_query_median_ms": round(cells[len(cells) // 2] * 1000, 2)}


def archive(bodies: int, work: Path, docx_limit: int) -> dict:
    from tests.reportgen import archive as A

    arc = A.make_archive(seed=5, n_counties=max(1, bodies // 3), bodies_per_county=3, docx_limit=docx_limit)
    t0 = time.perf_counter()
    A.write_archive(arc, str(work / "files"))
    t_write = time.perf_counter() - t0
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pipeline.cli", "parse", str(work / "files"), "--out", str(work / "run"),
                    "--quiet", "--workers", "2"], cwd=ROOT)
    t_parse = time.perf_counter() - t0
    b = build(work / "ds", work / "run")
    problems = A.verify(arc, str(work / "ds"))
    from collections import Counter
    return {"bodies": len(arc.bodies), "files": len(arc.reports), "formats": dict(Counter(r.fmt for r in arc.reports)),
            "duplicates": sum(1 for r in arc.reports if r.duplicate_of), "p1_breaks": len(arc.p1_breaks),
            "p2_breaks": len(arc.p2_breaks), "missing_years": len(arc.missing),
            "name_changes": sum(1 for x in arc.bodies if len(set(x.names.values())) > 1),
            "render_s": round(t_write, 1), "parse_wall_s": round(t_parse, 1), "build": b,
            "problems": {k: len(v) for k, v in problems.items()}, "problem_examples": {k: v[:3] for k, v in problems.items() if v}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", type=int, default=50_000)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    ap.add_argument("--sample", type=int, default=300, help="reports parsed for real to measure the parse time")
    ap.add_argument("--archive", type=int, default=0, metavar="BODIES", help="run the acceptance archive instead")
    ap.add_argument("--docx", type=int, default=30, help="--archive: at most this many Word files (slow to render)")
    ap.add_argument("--keep", metavar="DIR", help="work in DIR and keep it")
    ap.add_argument("--reuse", action="store_true",
                    help="with --keep: reuse the synthesized runs and the sample parse already in DIR")
    args = ap.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="ogi-bench-dataset-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        if args.archive:
            print(json.dumps(archive(args.archive, work, args.docx), ensure_ascii=False, indent=1))
            return
        saved = work / "sample.json"
        if args.reuse and saved.exists():
            sample = json.loads(saved.read_text())
        else:
            shutil.rmtree(work / "sample", ignore_errors=True)
            sample = sample_parse(work / "sample", args.sample)
            saved.write_text(json.dumps(sample))
        print("sample parse:", json.dumps(sample))
        results = []
        for size in sorted(set(args.sizes)):
            run = work / f"run{size}"
            if args.reuse and (run / "run.json").exists():
                syn = {"seconds": 0.0}
            else:
                shutil.rmtree(run, ignore_errors=True)
                syn = synthesize(run, size)
            b = build(work / f"ds{size}", run)
            q = query_times(work / f"ds{size}")
            parse_cpu, parse_wall = sample["cpu_per_report_s"] * size, sample["wall_per_report_s"] * size
            row = {"reports": size, "synthesize_s": syn["seconds"], **b, **q,
                   "parse_cpu_s_est": round(parse_cpu, 1), "parse_wall_s_est": round(parse_wall, 1),
                   "build_vs_parse_cpu": f"{b['cpu_s'] / parse_cpu:.1%}",
                   "build_vs_parse_wall": f"{b['wall_s'] / parse_wall:.1%}"}
            results.append(row)
            print(json.dumps(row, ensure_ascii=False))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
