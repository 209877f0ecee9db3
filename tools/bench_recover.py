#!/usr/bin/env python3
"""Time run-together recovery per report (a script, not a test).

    python -m tools.bench_recover [N generated reports]

For each report: the time of extract() with recovery and the time spent in recover.recover()
(the cost it adds). Target: under 50 ms added per report. Inputs: the two scraped corpus reports
(when ../shared is present) and generated reports flattened as a scraper does, plus a
pathological run of 300 digits.
"""
from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path


from parsers.text import parse_text          # noqa: E402
from pipeline import recover as R            # noqa: E402
from pipeline.extract import extract         # noqa: E402
from tests.reportgen import random_report    # noqa: E402
from tests.reportgen.flat import flatten     # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def timed(doc, reps: int = 3) -> tuple[float, float]:
    """(ms in recover.recover, ms in extract) for one document, best of `reps`."""
    best_rec, best_all = float("inf"), float("inf")
    orig = R.recover
    for _ in range(reps):
        spent = [0.0]

        def wrapped(*a, **k):
            t0 = time.perf_counter()
            try:
                return orig(*a, **k)
            finally:
                spent[0] += time.perf_counter() - t0

        R.recover = wrapped
        try:
            t0 = time.perf_counter()
            extract(doc)
            total = time.perf_counter() - t0
        finally:
            R.recover = orig
        best_rec, best_all = min(best_rec, spent[0] * 1000), min(best_all, total * 1000)
    return best_rec, best_all


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    rows = []
    for name in ("019_pingtan_syq_2019.txt", "021_pingtan_syq_2021.txt"):
        p = SHARED / "corpus/reports" / name
        if p.exists():
            rows.append((name, *timed(parse_text(p.read_text("utf-8")))))
    gen = []
    for seed in range(n):
        rep = random_report(random.Random(seed), blank_rate=0.0)
        gen.append(timed(parse_text(flatten(rep, one_line=seed % 2 == 0)), reps=1))
    rep = random_report(random.Random(1), "2021", blank_rate=0.0, noise=False)
    rep.printed[("requests", "granted", "natural_person")] = "7" * 300
    rep.printed[("appeals", "review", "upheld")] = "1" * 300
    rows.append(("pathological 300-digit runs", *timed(parse_text(flatten(rep)))))
    print(f"{'report':40} {'recovery ms':>12} {'extract ms':>11}")
    for name, r, a in rows:
        print(f"{name:40} {r:12.1f} {a:11.1f}")
    rec = [r for r, _ in gen]
    print(f"{'generated (' + str(n) + ') median':40} {statistics.median(rec):12.1f} {statistics.median([a for _, a in gen]):11.1f}")
    print(f"{'generated (' + str(n) + ') max':40} {max(rec):12.1f} {max(a for _, a in gen):11.1f}")
    worst = max([r for _, r, _ in rows] + rec)
    print(f"worst recovery time {worst:.1f} ms per report: {'within' if worst < 50 else 'OVER'} the 50 ms target")


if __name__ == "__main__":
    main()
