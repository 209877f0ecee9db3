#!/usr/bin/env python3
"""Benchmark of bulk runs (not a test).

Generates a corpus with the test report generator (tests/reportgen.py) and runs `ogi parse`
on it as a user would (a subprocess, fresh output folder each time), then prints:

- reports/s and pages/s per format, with 1 worker and with all cores (and the speed-up);
- peak memory (RSS of the main process plus its workers, sampled every 50 ms) for two
  corpus sizes (default 1,000 and 4,000 files), to show it does not grow with the corpus.

    python -m tools.bench_batch                      # 2,000 text+HTML reports, 200 PDFs, sizes 1000 4000
    python -m tools.bench_batch --reports 400 --sizes 200 800 --keep /tmp/bench
    python -m tools.bench_batch --real ../shared/corpus/reports --copies 240 --rounds 3 \
        --baseline /path/to/other/checkout                 # real text reports, one-file start-up
    python -m tools.bench_batch --one fixtures/seed_xiuzhou_2019.txt --rounds 9 --baseline DIR [--cache cold-labels]

`--real DIR` copies the folder's .txt/.md reports to `--copies` unique files (a comment line
appended to each copy) and runs `ogi parse --workers 1` and `--workers 2` on them, and a
one-file `ogi parse`, alternating with the same runs of `--baseline` (another checkout with its
own .venv) when given, for `--rounds` rounds; it prints reports per CPU-second (all processes
of the run: the CPU a report costs, independent of the machine's load), of it the parent
process's own (planning, transport, state, output files, review site: everything but the
workers) and the workers' (the rest), reports/s per core of wall time, and the one-file run's
wall and CPU time (best of the rounds; each column its own best). Runs write the review site,
as `ogi parse` does by default.

PDFs are copies of fixtures/pdf/*.pdf (made unique by appending a comment after %%EOF) when
that folder exists and a PDF reader is installed; HTML needs the HTML reader. A format
without a reader is skipped with a note.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def have_reader(fmt: str) -> bool:
    mod = {"html": "html", "pdf": "pdf"}.get(fmt)
    return mod is None or (ROOT / "parsers" / f"{mod}.py").exists() or (ROOT / "parsers" / mod).is_dir()


def make_text(folder: Path, n: int, seed: int) -> None:
    from tests.reportgen import LAYOUTS, random_report, render_text
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        rep = random_report(rng)
        (folder / f"t{i:06d}.txt").write_text(render_text(rep, LAYOUTS[i % len(LAYOUTS)]), encoding="utf-8")


def make_html(folder: Path, n: int, seed: int) -> None:
    from tests.reportgen import random_report, render_html
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"h{i:06d}.html").write_text(render_html(random_report(rng)), encoding="utf-8")


def make_pdf(folder: Path, n: int) -> bool:
    fixtures = sorted((ROOT / "fixtures" / "pdf").glob("*.pdf"))
    if not fixtures:
        return False
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        data = fixtures[i % len(fixtures)].read_bytes()
        (folder / f"p{i:06d}.pdf").write_bytes(data + f"\n%bench {i}\n".encode())  # unique SHA-256
    return True


class PeakRss:
    """Peak of the summed RSS of a process and all its descendants."""

    def __init__(self, pid: int):
        import psutil
        self.proc = psutil.Process(pid)
        self.peak = 0
        self.main_peak = 0
        self.worker_peak = 0  # the largest single worker process
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _run(self) -> None:
        import psutil
        while not self._stop.is_set():
            try:
                procs = [self.proc] + self.proc.children(recursive=True)
                total = 0
                for p in procs:
                    try:
                        rss = p.memory_info().rss
                    except psutil.Error:
                        continue
                    total += rss
                    if p.pid == self.proc.pid:
                        self.main_peak = max(self.main_peak, rss)
                    else:
                        self.worker_peak = max(self.worker_peak, rss)
                self.peak = max(self.peak, total)
            except psutil.Error:
                return
            time.sleep(0.05)

    def stop(self) -> int:
        self._stop.set()
        self._t.join()
        return self.peak


# `ogi` as `python -m pipeline.cli` runs it, writing the CPU time of the parent process alone
# (the run's own work: planning, transport, state, output files, review site) to argv[1]
_PARENT_CPU = """import resource, sys
from pipeline.cli import main
try:
    code = main(sys.argv[2:])
finally:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    open(sys.argv[1], "w").write(repr(ru.ru_utime + ru.ru_stime))
sys.exit(code)
"""


def run_ogi(src: Path, out: Path, workers: int, root: Path = ROOT) -> dict:
    if out.exists():
        shutil.rmtree(out)
    python = str(root / ".venv" / "bin" / "python") if root != ROOT else sys.executable
    own = out.parent / f".{out.name}.parent-cpu"
    cmd = [python, "-c", _PARENT_CPU, str(own), "parse", str(src), "--out", str(out), "--workers", str(workers),
           "-q", "--no-bom"]
    env = dict(os.environ, PYTHONPATH=str(root) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    import resource
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=root, stderr=subprocess.PIPE)
    mem = PeakRss(proc.pid)
    _, err = proc.communicate()
    wall = time.perf_counter() - t0
    peak = mem.stop()
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)  # ogi and its (reaped) workers
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"ogi failed ({proc.returncode}): {err.decode(errors='replace')[-2000:]}")
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    pages = 0
    with open(out / "reports.csv", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            pages += int(r["pages"] or 0)
    parent = float(own.read_text()) if own.exists() else float("nan")
    return {"wall": wall, "cpu": cpu, "parent_cpu": parent, "main_peak": mem.main_peak, "worker_peak": mem.worker_peak, "files": run["files"], "status": run["status"], "pages": pages, "peak": peak}


def make_real_copies(src: Path, folder: Path, n: int) -> int:
    """n unique copies of the folder's .txt/.md reports (a comment line appended to each)."""
    reports = sorted(p for p in src.rglob("*") if p.suffix.lower() in (".txt", ".md") and p.is_file())
    if not reports:
        raise SystemExit(f"no .txt/.md reports in {src}")
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        p = reports[i % len(reports)]
        (folder / f"c{i:05d}_{p.name}").write_bytes(p.read_bytes() + f"\n<!-- copy {i} -->\n".encode())
    return len(reports)


def bench_real(a) -> None:
    base = Path(tempfile.mkdtemp(prefix="ogi-bench-real-"))
    src = base / "copies"
    k = make_real_copies(Path(a.real), src, a.copies)
    one = sorted(src.iterdir())[0]
    roots = [("this", ROOT)] + ([("baseline", Path(a.baseline).resolve())] if a.baseline else [])
    print(f"real text reports: {a.copies} copies of {k} files from {a.real}; {os.cpu_count()} cores; "
          f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    best: dict = {}
    for rnd in range(a.rounds):
        for name, root in (roots if rnd % 2 == 0 else roots[::-1]):  # alternate the order each round
            for w in (1, 2):
                r = run_ogi(src, base / f"out-{name}-{w}", w, root)
                b = best.setdefault((name, w), {"cpu": 1e9, "wall": 1e9, "parent_cpu": 1e9, "worker_cpu": 1e9})
                b["cpu"], b["wall"] = min(b["cpu"], r["cpu"]), min(b["wall"], r["wall"])
                b["parent_cpu"] = min(b["parent_cpu"], r["parent_cpu"])
                b["worker_cpu"] = min(b["worker_cpu"], r["cpu"] - r["parent_cpu"])
                b["files"], b["status"] = r["files"], r["status"]
            r = run_ogi(one, base / f"out-{name}-one", 1, root)
            b = best.setdefault((name, "one"), {"cpu": 1e9, "wall": 1e9, "parent_cpu": 1e9})
            b["cpu"], b["wall"] = min(b["cpu"], r["cpu"]), min(b["wall"], r["wall"])
            b["parent_cpu"] = min(b["parent_cpu"], r["parent_cpu"])
    print(f"{'revision':<10}{'workers':>8}{'files':>7}{'cpu s':>8}{'parent':>8}{'workers':>8}{'rep/cpu-s':>11}"
          f"{'wall s':>8}{'rep/s/core':>11}  statuses")
    for name, _ in roots:
        for w in (1, 2):
            b = best[(name, w)]
            st = " ".join(f"{s} {n}" for s, n in sorted(b["status"].items()))
            print(f"{name:<10}{w:>8}{b['files']:>7}{b['cpu']:>8.2f}{b['parent_cpu']:>8.2f}{b['worker_cpu']:>8.2f}"
                  f"{b['files'] / b['cpu']:>11.1f}{b['wall']:>8.2f}{b['files'] / b['wall'] / w:>11.1f}  {st}")
    for name, _ in roots:
        b = best[(name, "one")]
        print(f"{name:<10} one-file run ({one.name}): wall {b['wall']:.3f} s, cpu {b['cpu']:.3f} s, of it the "
              f"parent {b['parent_cpu']:.3f} s (best of {a.rounds})")
    if a.baseline:
        for w in (1, 2):
            print(f"ratio this/baseline, rep/cpu-s, {w} worker(s): "
                  f"{best[('this', w)]['cpu'] and best[('baseline', w)]['cpu'] / best[('this', w)]['cpu']:.2f}")
    shutil.rmtree(base, ignore_errors=True)


def run_one_file(root: Path, path: Path, out: Path, env: dict) -> tuple[float, float]:
    """(wall, CPU of the process and its workers) of `ogi parse PATH --out NEW -q` as a user
    types it: the tree's own console script, a fresh output folder."""
    import resource
    shutil.rmtree(out, ignore_errors=True)
    ogi = root / ".venv" / "bin" / "ogi"
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([str(ogi), "parse", str(path), "--out", str(out), "-q"], env=env, cwd=root, check=True)
    wall = time.perf_counter() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)


def bench_one(a) -> None:
    """One-file runs of this tree and `--baseline`, alternating, `--rounds` rounds after one
    uncounted warm-up round each (it writes the .pyc files and fills the tree's cache folder)."""
    import statistics
    base = Path(tempfile.mkdtemp(prefix="ogi-bench-one-"))
    roots = [("this", ROOT)] + ([("baseline", Path(a.baseline).resolve())] if a.baseline else [])
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH")}
    got: dict = {name: [] for name, _ in roots}
    loads = []
    for rnd in range(a.rounds + 1):
        for name, root in (roots if rnd % 2 == 0 else roots[::-1]):
            cache = base / f"cache-{name}"
            if a.cache == "cold-labels" and cache.is_dir():   # a report whose labels no earlier run saw
                for f in cache.glob("label-scores.*"):
                    f.unlink()
            e = dict(env, OGI_CACHE_DIR="" if a.cache == "off" else str(cache))
            r = run_one_file(root, Path(a.one).resolve(), base / f"out-{name}", e)
            if rnd:
                got[name].append(r)
        loads.append(os.getloadavg()[0])
    print(f"one-file `ogi parse {a.one} --out NEW -q`: {a.rounds} rounds, cache {a.cache}, {os.cpu_count()} cores, "
          f"load average {min(loads):.2f}–{max(loads):.2f}")
    print(f"{'revision':<10}{'wall median':>12}{'wall min':>10}{'cpu median':>12}{'cpu min':>9}")
    for name, rs in got.items():
        w, c = [x[0] for x in rs], [x[1] for x in rs]
        print(f"{name:<10}{statistics.median(w):>12.3f}{min(w):>10.3f}{statistics.median(c):>12.3f}{min(c):>9.3f}")
    if a.baseline:
        t, b = got["this"], got["baseline"]
        print(f"ratio this/baseline (medians): wall {statistics.median(x[0] for x in t) / statistics.median(x[0] for x in b):.2f}"
              f", cpu {statistics.median(x[1] for x in t) / statistics.median(x[1] for x in b):.2f}")
    shutil.rmtree(base, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--real", metavar="DIR", help="benchmark copies of the real .txt/.md reports in DIR instead")
    ap.add_argument("--copies", type=int, default=240, help="with --real: number of unique copies (default 240)")
    ap.add_argument("--rounds", type=int, default=3, help="with --real: rounds, alternating revisions (default 3)")
    ap.add_argument("--baseline", metavar="CHECKOUT", help="with --real: another checkout (with .venv) to compare")
    ap.add_argument("--reports", type=int, default=2000, help="text+HTML reports (half each; default 2000)")
    ap.add_argument("--pdfs", type=int, default=200, help="PDF reports (default 200)")
    ap.add_argument("--sizes", type=int, nargs=2, default=[1000, 4000], metavar=("SMALL", "LARGE"),
                    help="corpus sizes for the peak-memory comparison (default 1000 4000)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="'all cores' (default: cpu count)")
    ap.add_argument("--keep", metavar="DIR", help="build the corpus and outputs here and keep them")
    ap.add_argument("--one", metavar="FILE", help="benchmark one-file runs of FILE instead (with --rounds, "
                    "--baseline): `ogi parse FILE --out NEW -q` through each tree's .venv/bin/ogi")
    ap.add_argument("--cache", choices=["warm", "cold-labels", "off"], default="warm",
                    help="with --one: $OGI_CACHE_DIR as a second run finds it (warm), without the label scores "
                         "kept by earlier runs (cold-labels: labels never seen), or off")
    a = ap.parse_args()
    if a.one:
        bench_one(a)
        return 0
    if a.real:
        bench_real(a)
        return 0

    base = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="ogi-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    print(f"ogi bulk-run benchmark: {os.cpu_count()} cores, python {sys.version.split()[0]}, corpus in {base}")
    corpora: dict[str, Path] = {}
    notes = []
    t = time.perf_counter()
    n_text = a.reports - a.reports // 2
    make_text(base / "text", n_text, seed=1)
    corpora["text"] = base / "text"
    if have_reader("html"):
        make_html(base / "html", a.reports // 2, seed=2)
        corpora["html"] = base / "html"
    else:
        notes.append(f"html: skipped, no HTML reader (parsers.html) in this installation")
    if a.pdfs:
        if not have_reader("pdf"):
            notes.append("pdf: skipped, no PDF reader (parsers.pdf) in this installation")
        elif make_pdf(base / "pdf", a.pdfs):
            corpora["pdf"] = base / "pdf"
        else:
            notes.append("pdf: skipped, no fixtures/pdf/*.pdf to copy")
    print(f"corpus generated in {time.perf_counter() - t:.1f} s: "
          + ", ".join(f"{k} {len(list(v.iterdir()))}" for k, v in corpora.items()))
    for n in notes:
        print("note:", n)

    print()
    print(f"load average before the runs: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"(other processes on the machine slow the wall-clock figures; reports/cpu-s does not depend on them)")
    print(f"{'format':<7}{'workers':>8}{'files':>7}{'wall s':>9}{'reports/s':>11}{'per core':>10}"
          f"{'pages/s':>9}{'speed-up':>9}{'cpu s':>8}{'rep/cpu-s':>10}  statuses")
    for fmt, src in corpora.items():
        one = None
        for w in sorted({1, a.workers}):
            r = run_ogi(src, base / f"out-{fmt}-{w}", w)
            rps = r["files"] / r["wall"]
            one = one or rps
            pps = f"{r['pages'] / r['wall']:.1f}" if r["pages"] else "n/a"
            st = " ".join(f"{k} {v}" for k, v in sorted(r["status"].items()))
            print(f"{fmt:<7}{w:>8}{r['files']:>7}{r['wall']:>9.2f}{rps:>11.1f}{rps / w:>10.1f}{pps:>9}"
                  f"{rps / one:>9.2f}{r['cpu']:>8.1f}{r['files'] / r['cpu']:>10.1f}  {st}")

    print()
    print(f"peak memory (RSS of ogi + workers), text corpus, {a.workers} workers:")
    peaks = []
    for n in a.sizes:
        src = base / f"mem-{n}"
        if not src.exists():
            make_text(src, n, seed=3)
        r = run_ogi(src, base / f"out-mem-{n}", a.workers)
        peaks.append(r["peak"])
        print(f"  {n:>6} files: peak {r['peak'] / 2**20:7.1f} MB  (main process {r['main_peak'] / 2**20:.1f} MB, "
              f"largest worker {r['worker_peak'] / 2**20:.1f} MB; {r['files'] / r['wall']:.1f} reports/s)")
    print(f"  growth {a.sizes[0]} -> {a.sizes[1]} files: {(peaks[1] - peaks[0]) / 2**20:+.1f} MB "
          f"({(peaks[1] / peaks[0] - 1) * 100:+.1f} %)")
    if not a.keep:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
