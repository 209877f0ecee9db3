"""Era-A parse speed, side by side with modern reports, in one run (CPU time, ratios).

Generated: era-A reports of every variant and layout (tests/reportgen/era_a.py) vs modern
reports (tests/reportgen/) in the same text layouts; real: the corpus's era-A reports vs its
modern text reports, when ../shared/corpus is present. Each file is parsed by
pipeline.report.parse_file (read → modern extract → era-A stage → checks).

    .venv/bin/python -m tools.bench_era_a [--n 40] [--repeat 3]
"""
from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from pipeline.report import parse_file
from tests import reportgen
from tests.reportgen import era_a as G

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "reports"


def cpu_per_file(paths: list[Path], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        for p in paths:
            parse_file(str(p))
        best = min(best, time.process_time() - t0)
    return best / max(1, len(paths))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args(argv)
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        era, modern = [], []
        layouts = ["tab_rows", "layout", "dump", "tab_cells"]
        for i in range(a.n):
            rep = G.random_report(rng)
            lay = rng.choice(layouts + (["run_together"] if rep.variant != "N" else []))
            rep = G.random_report(rng, rep.variant, small=lay == "run_together")
            p = Path(tmp) / f"era{i}.txt"
            p.write_text(G.render_text(rep, lay), "utf-8")
            era.append(p)
            m = reportgen.random_report(rng)
            q = Path(tmp) / f"mod{i}.txt"
            q.write_text(reportgen.render_text(m, rng.choice(layouts)), "utf-8")
            modern.append(q)
        for p in era[:3] + modern[:3]:   # warm caches and lazy imports
            parse_file(str(p))
        te, tm = cpu_per_file(era, a.repeat), cpu_per_file(modern, a.repeat)
        print(f"generated: era A {te * 1000:.1f} ms/report, modern {tm * 1000:.1f} ms/report, ratio {te / tm:.2f}")
    if CORPUS.exists():
        era = sorted(CORPUS.glob("01[047]_*.txt"))
        modern = [p for p in sorted(CORPUS.glob("*.txt")) if p not in era]
        te, tm = cpu_per_file(era, a.repeat), cpu_per_file(modern, a.repeat)
        print(f"corpus ({len(era)} era A, {len(modern)} modern text): era A {te * 1000:.1f} ms/report, "
              f"modern {tm * 1000:.1f} ms/report, ratio {te / tm:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
