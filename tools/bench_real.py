"""Speed on real reports, side by side with the baselines in the same run (a script, not a test).

    python -m tools.bench_real [FOLDER...] [--rounds 5] [--copies 30] [--no-processes]

Reads the real reports of ../shared/corpus/reports (and any folders given), grouped by format
(text/HTML/Markdown vs. PDF vs. other), and measures, alternating in several rounds so machine
noise hits every variant alike:

1. in one process (one core, each round on its own distinct copies): a full parse of each file
   and its output as a worker of `ogi parse` makes it (`parse_file`, then `worker.pack_parts`:
   the rows as CSV text, the wide rows, the review entry, compressed) against the baselines —
   reading and decoding the file; for PDFs a bare pypdfium2 text pass and pdfplumber
   `extract_tables` on every page. CPU time per file, reports per second per core, and the ratios;
2. the per-stage split of our parse (reader, lines, template detection, alignment and values,
   recovery, checks, metadata, era A, hash, check rows, output: CSV text / review entry / the
   rest of it, the rest of parse_file), from an instrumented pass;
3. as whole processes (unless --no-processes): `ogi parse --workers 1` and `--workers 2` over
   --copies distinct copies of each group's files (a trailing newline added, so no two copies
   share a hash), against the same baselines run as processes over the same files; CPU time of
   the whole process tree, wall time, peak memory (max RSS) — and peak memory of one copy vs.
   all copies, which shows whether memory is flat in the number of files.

Prefer the CPU figures and the ratios: the machine is shared and wall time is noisy.
"""
from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from tools import pdf_baselines
from tools.pdf_baselines import pdfium_text, pdfplumber_tables

ROOT = Path(__file__).resolve().parents[1]
TEXT_FORMATS = ("text", "html")


def default_corpus() -> Path:
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "corpus" / "reports").is_dir():
            return base / "shared" / "corpus" / "reports"
    return ROOT.parent / "shared" / "corpus" / "reports"


# ---------------------------------------------------------------- the variants, in one process
def ours(path: str) -> None:
    """A parse and its output as a worker of `ogi parse` makes it (rows as CSV text, wide rows,
    the review entry, compressed: pipeline.worker.pack_parts)."""
    from pipeline import worker
    from pipeline.report import parse_file
    rep = parse_file(path)
    worker.pack_parts(rep.report, rep.cells, rep.checks, rep.log, True)


def read_decode(path: str) -> None:
    from parsers.encoding import decode
    data = Path(path).read_bytes()
    if not data.startswith(b"%PDF") and not data.startswith(b"PK"):
        decode(data)


VARIANTS = {"ours": ours, "read+decode": read_decode, "pypdfium2 text": pdfium_text,
            "pdfplumber tables": pdfplumber_tables}
GROUP_VARIANTS = {"text/html": ["ours", "read+decode"],
                  "pdf": ["ours", "read+decode", "pypdfium2 text", "pdfplumber tables"],
                  "other": ["ours", "read+decode"]}
# the same baselines as whole processes
PROCESS_CODE = {
    "read+decode": "import sys; from tools.bench_real import read_decode\nfor p in sys.argv[1:]: read_decode(p)",
}
PDF_BASELINES = {"pypdfium2 text": "pdfium", "pdfplumber tables": "pdfplumber"}   # tools.pdf_baselines


def group_files(folders: list[Path]) -> dict[str, list[str]]:
    import parsers
    groups: dict[str, list[str]] = defaultdict(list)
    for folder in folders:
        for p in sorted(folder.rglob("*") if folder.is_dir() else [folder]):
            if not p.is_file() or p.name.startswith("."):
                continue
            try:
                fmt = parsers.detect_format(str(p))
            except Exception:
                continue
            groups["text/html" if fmt in TEXT_FORMATS else "pdf" if fmt == "pdf" else "other"].append(str(p))
    return dict(groups)


def in_process(files: list[str], variants: list[str], rounds: int, tmp: Path) -> dict[str, list[float]]:
    """CPU seconds per round for each variant over all files, the variants' order rotated.
    Each round reads its own distinct copies of the files (as a real run reads each report
    once: nothing cached for one text serves the next round), after a warm-up round."""
    per_round = [copies(files, 1, tmp / f"round{r}", first=r) or files for r in range(rounds + 1)]
    for v in variants:                  # warm up: imports, caches shared by all reports
        for f in per_round[0]:
            VARIANTS[v](f)
    out: dict[str, list[float]] = {v: [] for v in variants}
    for r in range(rounds):
        order = variants[r % len(variants):] + variants[:r % len(variants)]
        for v in order:
            gc.collect()
            t = time.process_time()
            for f in per_round[r + 1]:
                VARIANTS[v](f)
            out[v].append(time.process_time() - t)
    return out


def per_file(files: list[str], rounds: int) -> dict[str, float]:
    """Median CPU ms of a full parse, per file."""
    out = {}
    for f in files:
        times = []
        for _ in range(rounds):
            t = time.process_time()
            ours(f)
            times.append(time.process_time() - t)
        out[f] = 1000 * statistics.median(times)
    return out


# ---------------------------------------------------------------- stage split
STAGES = [  # (stage, module, attribute): exclusive CPU time of each wrapped call
    ("reader", "parsers", "read"),
    ("lines", "pipeline.extract", "document_lines"),
    ("template detection", "pipeline.extract", "template_hits"),
    ("alignment + values", "pipeline.extract", "read_tables"),
    ("recovery", "pipeline.recover", "recover"),
    ("recovery", "pipeline.recover", "recovered_table"),
    ("extract, other", "pipeline.report", "extract"),
    ("checks", "pipeline.report", "run_checks"),
    ("checks", "pipeline.report", "prose_checks"),
    ("metadata", "pipeline.report", "extract_metadata"),
    ("era A", "pipeline.era_a.stage", "extract"),
    ("hash", "pipeline.report", "sha256_file"),
    ("check rows", "pipeline.report", "_add_checks"),
    ("output: CSV text", "pipeline.schema", "csv_text"),
    ("output: review entry", "pipeline.review.entry", "rendered_entry"),
    ("output: other", "pipeline.worker", "pack_parts"),
    ("rest (cell/log rows)", "", "ours"),    # "": this module
]


def stage_split(files: list[str], rounds: int) -> dict[str, float]:
    """Exclusive CPU seconds per stage over `rounds` passes (a wrapped call's time minus the
    time of the wrapped calls inside it)."""
    import importlib
    totals: dict[str, float] = defaultdict(float)
    stack: list[float] = []
    saved = []

    def wrap(stage, fn):
        def timed(*a, **k):
            stack.append(0.0)
            t = time.process_time()
            try:
                return fn(*a, **k)
            finally:
                dt = time.process_time() - t
                inner = stack.pop()
                totals[stage] += dt - inner
                if stack:
                    stack[-1] += dt
        return timed

    for stage, mod, attr in STAGES:
        try:
            m = importlib.import_module(mod) if mod else sys.modules[__name__]
        except ModuleNotFoundError:    # a module this revision does not have
            continue
        if not hasattr(m, attr):       # a stage this revision does not have
            continue
        saved.append((m, attr, getattr(m, attr)))
        setattr(m, attr, wrap(stage, getattr(m, attr)))
    try:
        for _ in range(rounds):
            for f in files:
                globals()["ours"](f)
    finally:
        for m, attr, fn in reversed(saved):
            setattr(m, attr, fn)
    return dict(totals)


# ---------------------------------------------------------------- whole processes
def copies(files: list[str], n: int, out: Path, first: int = 0) -> list[str]:
    """`n` distinct copies of each file (k trailing newlines on copy k: a different hash and
    text, the same report). Word files are not copied (their zip would not survive it)."""
    out.mkdir(parents=True, exist_ok=True)
    made = []
    for f in files:
        data = Path(f).read_bytes()
        if data.startswith(b"PK"):
            continue
        for k in range(first, first + n):
            p = out / f"{k:04d}_{Path(f).name}"
            p.write_bytes(data + b"\n" * (k + 1))
            made.append(str(p))
    return made


GNU_TIME = "/usr/bin/time"


def run_process(cmd: list[str], cwd: Path = ROOT) -> tuple[float, float, int]:
    """(CPU seconds of the process tree, wall seconds, peak RSS in MB of its largest process).
    Run under GNU time where it is installed: a child forked from this (large) process would
    otherwise report this process's peak, which Linux keeps across exec."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        timed = os.path.exists(GNU_TIME)
        full = [GNU_TIME, "-q", "-f", "%M", "-o", out.name, *cmd] if timed else cmd
        t = time.perf_counter()
        proc = subprocess.Popen(full, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            raise SystemExit(f"{cmd[:4]} exited {os.waitstatus_to_exitcode(status)}")
        rss = int(out.read().split()[-1]) // 1024 if timed else -1
    return ru.ru_utime + ru.ru_stime, wall, rss


def processes(files: list[str], variants: list[str], rounds: int, tmp: Path) -> dict[str, list[tuple]]:
    ogi = str(Path(sys.executable).with_name("ogi"))
    cmds = {}
    for w in (1, 2):
        cmds[f"ogi parse --workers {w}"] = lambda w=w: [ogi, "parse", *files, "--out", str(tmp / f"out{w}"),
                                                        "--workers", str(w), "--quiet", "--force"]
    for v in variants[1:]:
        cmds[v] = lambda v=v: (pdf_baselines.command(PDF_BASELINES[v], files) if v in PDF_BASELINES
                               else [sys.executable, "-c", PROCESS_CODE[v], *files])
    names = list(cmds)
    out: dict[str, list[tuple]] = {n: [] for n in names}
    for r in range(rounds):
        for n in names[r % len(names):] + names[:r % len(names)]:
            # ogi from a neutral folder: its workers import the pipeline PYTHONPATH names
            out[n].append(run_process(cmds[n](), cwd=tmp if n.startswith("ogi") else ROOT))
    return out


# ---------------------------------------------------------------- report
def _rate(n: int, secs: float) -> str:
    return f"{n / secs:8.1f}" if secs > 0 else "     inf"


def print_in_process(group: str, files: list[str], res: dict[str, list[float]]) -> None:
    n = len(files)
    med = {v: statistics.median(t) for v, t in res.items()}
    print(f"\n== {group}: {n} files, in one process ({len(res['ours'])} rounds, median CPU)")
    print(f"   {'variant':22} {'ms/file':>9} {'reports/s/core':>15} {'ours ÷ it':>10}")
    for v, s in med.items():
        ratio = med["ours"] / s if s > 0 else float("inf")
        print(f"   {v:22} {1000 * s / n:9.2f} {_rate(n, s):>15} {ratio:10.2f}")


def print_stages(totals: dict[str, float], n_parses: int) -> None:
    total = sum(totals.values())
    print(f"   stage split (exclusive CPU, {n_parses} parses, instrumented):")
    for stage in dict.fromkeys(s for s, _, _ in STAGES):
        t = totals.get(stage, 0.0)
        print(f"     {stage:22} {1000 * t / n_parses:8.2f} ms/file {100 * t / total if total else 0:6.1f} %")


def print_processes(group: str, n: int, res: dict[str, list[tuple]], one_copy: tuple) -> None:
    print(f"\n== {group}: {n} files as whole processes ({len(next(iter(res.values())))} rounds, median)")
    print(f"   {'command':24} {'CPU s':>8} {'wall s':>8} {'reports/s/core':>15} {'peak RSS MB':>11} {'÷ ogi -w1 CPU':>14}")
    base = statistics.median(x[0] for x in res["ogi parse --workers 1"])
    for name, rows in res.items():
        cpu = statistics.median(x[0] for x in rows)
        wall = statistics.median(x[1] for x in rows)
        rss = max(x[2] for x in rows)
        shown = f"{rss:11d}" if rss >= 0 else f"{'n/a':>11}"     # no /usr/bin/time (Debian: time)
        print(f"   {name:24} {cpu:8.2f} {wall:8.2f} {_rate(n, cpu):>15} {shown} {base / cpu if cpu else 0:14.2f}")
    print(f"   memory flat in files: ogi parse --workers 1 peak RSS {one_copy[2]} MB on 1 copy of each, "
          f"{max(x[2] for x in res['ogi parse --workers 1'])} MB on all {n} files")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folders", nargs="*", type=Path)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--copies", type=int, default=30, help="distinct copies of each file for the process runs")
    ap.add_argument("--no-processes", action="store_true")
    ap.add_argument("--no-corpus", action="store_true", help="only the folders given")
    args = ap.parse_args(argv)
    folders = ([] if args.no_corpus else [default_corpus()]) + args.folders
    folders = [f for f in folders if f.exists()]
    if not folders:
        raise SystemExit("no input: ../shared/corpus/reports not found and no folder given")
    groups = group_files(folders)
    print(f"bench_real: {', '.join(map(str, folders))}; python {sys.version.split()[0]}, {os.cpu_count()} cores")
    for group, files in groups.items():
        variants = GROUP_VARIANTS[group]
        tmp = Path(tempfile.mkdtemp(prefix="ogi-bench-real-"))
        try:
            print_in_process(group, files, in_process(files, variants, args.rounds, tmp))
            slow = sorted(per_file(files, 3).items(), key=lambda x: -x[1])
            print("   per file (median CPU ms of a full parse, warm): "
                  + ", ".join(f"{Path(f).name} {ms:.1f}" for f, ms in slow))
            print_stages(stage_split(files, args.rounds), len(files) * args.rounds)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    if args.no_processes:
        return 0
    for group, files in groups.items():
        tmp = Path(tempfile.mkdtemp(prefix="ogi-bench-real-"))
        try:
            many = copies(files, args.copies, tmp / "in")
            one = copies(files, 1, tmp / "in1")
            if not many:
                continue
            one_copy = run_process([str(Path(sys.executable).with_name("ogi")), "parse", *one, "--out",
                                    str(tmp / "out_one"), "--workers", "1", "--quiet", "--force"], cwd=tmp)
            print_processes(group, len(many), processes(many, GROUP_VARIANTS[group], max(1, args.rounds // 2), tmp),
                            one_copy)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
