"""Benchmark (not a test): the PDF path against its two baselines, side by side in one run.

Two file sets, measured separately: real reports (../shared/corpus/reports/*.pdf, or the PDFs
given with --real) and generated ones (fixtures/pdf/*.pdf, or --generated). For each set,
alternating, for several rounds:

* whole processes, one per set (start-up included, as a user runs them):
  - `ogi parse --workers 1 FILES --out TMP --quiet` (this checkout's pipeline),
  - pdfplumber: open every file, `extract_tables()` on every page (the "pdfplumber baseline"),
  - bare pypdfium2: open every file, every page's text page and its text (the "pdfium floor");
* in this process (imports done): `parsers.read` alone, the same baselines in-process.

It prints CPU seconds (user + system of the child processes; the machine is shared, CPU is
steadier than wall time) and wall seconds, medians over the rounds, and the ratios the issue
asks for: baseline / ogi (higher is better, goal ≥ 5) and ogi / pdfium floor (goal ≤ 2).
Then, once: whether the reader's page tables reproduce pdfplumber's (cell texts, whitespace
ignored).

    .venv/bin/python -m tools.bench_pdf [--rounds 5] [--real PDF...] [--generated PDF...]
        [--copies 30] [--baseline DIR] [--processes-only]

--copies makes distinct copies of each file (a batch parses identical files once); --baseline
runs another checkout's `ogi parse` alongside, alternating, and prints this ÷ baseline.

--instr counts instructions instead (callgrind, whole processes with their forks; steady on a
loaded machine, unlike times): `ogi parse --workers 1` (and --baseline's), the bare pypdfium2
pass, and with --instr-plumber the pdfplumber baseline too (slow under valgrind).
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tools import pdf_baselines  # noqa: E402  (the baselines, defined once for both benchmarks)

def default_sets() -> dict[str, list[Path]]:
    real = ROOT.parent / "shared" / "corpus" / "reports"
    gen = sorted(p for p in (ROOT / "fixtures" / "pdf").glob("*.pdf") if not p.name.startswith("bad_"))
    return {"real": sorted(real.glob("*.pdf")) if real.is_dir() else [], "generated": gen}


def ogi_command() -> list[str]:
    exe = Path(sys.executable).with_name("ogi")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "pipeline.cli"]


def run_process(cmd: list[str], cwd: Path = ROOT, env: dict | None = None) -> tuple[float, float]:
    """(CPU seconds of the child, wall seconds) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def run_ogi(names: list[str], checkout: Path | None = None) -> tuple[float, float]:
    """`ogi parse --workers 1` over the files as one process: this checkout's console script,
    or `python -m pipeline.cli` of another checkout (its tree first on the path)."""
    tmp = tempfile.mkdtemp(prefix="ogi-bench-")
    args = ["parse", "--workers", "1", "--quiet", "--out", tmp] + names
    try:
        if checkout is None:
            return run_process(ogi_command() + args)
        env = dict(os.environ, PYTHONPATH=str(checkout))
        return run_process([sys.executable, "-m", "pipeline.cli"] + args, cwd=checkout, env=env)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def processes(files: list[Path], rounds: int, baseline: Path | None = None) -> dict[str, list[tuple[float, float]]]:
    """Each contender as a whole process over the set, alternating, `rounds` times."""
    names = [str(Path(f).resolve()) for f in files]     # the commands run from the repo root
    out: dict[str, list] = {"ogi parse --workers 1": [], "pdfplumber extract_tables": [], "bare pypdfium2 text": []}
    if baseline is not None:
        out["baseline ogi parse --workers 1"] = []
    for _ in range(rounds):
        out["ogi parse --workers 1"].append(run_ogi(names))
        if baseline is not None:
            out["baseline ogi parse --workers 1"].append(run_ogi(names, baseline))
        out["pdfplumber extract_tables"].append(run_process(pdf_baselines.command("pdfplumber", names)))
        out["bare pypdfium2 text"].append(run_process(pdf_baselines.command("pdfium", names)))
    return out


def callgrind_instructions(cmd: list[str], cwd: Path = ROOT, env: dict | None = None) -> int:
    """Instructions one command executes, its forked and executed children included (callgrind's
    totals summed over every process)."""
    with tempfile.TemporaryDirectory(prefix="ogi-bench-cg-") as tmp:
        subprocess.run(["valgrind", "--tool=callgrind", "--trace-children=yes",
                        f"--callgrind-out-file={tmp}/cg.%p", *cmd], check=True, cwd=cwd, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        total = 0
        for f in Path(tmp).glob("cg.*"):
            m = re.search(r"^(?:totals|summary): (\d+)", f.read_text(errors="replace"), re.M)
            total += int(m.group(1)) if m else 0
    return total


def instructions(files: list[Path], baseline: Path | None, plumber: bool) -> dict[str, int]:
    """Instructions of each contender as a whole process over the set (see --instr)."""
    names = [str(Path(f).resolve()) for f in files]
    out: dict[str, int] = {}
    for label, checkout in [("ogi parse --workers 1", None)] + ([("baseline ogi parse --workers 1", baseline)]
                                                               if baseline is not None else []):
        tmp = tempfile.mkdtemp(prefix="ogi-bench-")
        args = ["parse", "--workers", "1", "--quiet", "--out", tmp] + names
        try:
            if checkout is None:
                out[label] = callgrind_instructions(ogi_command() + args)
            else:
                env = dict(os.environ, PYTHONPATH=str(checkout))
                out[label] = callgrind_instructions([sys.executable, "-m", "pipeline.cli"] + args, checkout, env)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    out["bare pypdfium2 text"] = callgrind_instructions(pdf_baselines.command("pdfium", names))
    if plumber:
        out["pdfplumber extract_tables"] = callgrind_instructions(pdf_baselines.command("pdfplumber", names))
    return out


def report_instr(label: str, files: list[Path], baseline: Path | None, plumber: bool) -> None:
    print(f"\n== {label}: {len(files)} PDFs, instructions of whole processes (callgrind)")
    got = instructions(files, baseline, plumber)
    for k, v in got.items():
        print(f"  {k:32s} {v / 1e9:8.3f} G")
    bare = got["bare pypdfium2 text"]
    for k in ("ogi parse --workers 1", "baseline ogi parse --workers 1"):
        if k in got:
            line = f"  {k}: ogi / bare pypdfium2 = {got[k] / bare:.2f}x (goal <= 2)"
            if plumber:
                line += f"; pdfplumber / ogi = {got['pdfplumber extract_tables'] / got[k]:.2f}x (goal >= 5)"
            print(line)


def in_process(files: list[Path], rounds: int) -> dict[str, float]:
    """CPU seconds per pass, in this process (imports and first calls done beforehand)."""
    from parsers import read

    def plumber():
        for f in files:
            pdf_baselines.pdfplumber_tables(str(f))

    def bare():
        for f in files:
            pdf_baselines.pdfium_text(str(f))

    def reader():
        for f in files:
            read(str(f))

    fns = {"parsers.read": reader, "pdfplumber extract_tables": plumber, "bare pypdfium2 text": bare}
    for fn in fns.values():
        fn()
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(rounds):
        for k, fn in fns.items():
            t0 = time.process_time()
            fn()
            times[k].append(time.process_time() - t0)
    return {k: statistics.median(v) for k, v in times.items()}


def _squash(s):
    from parsers.glyphs import fix_glyphs
    return re.sub(r"\s+", "", fix_glyphs(s or ""))


def compare(path: Path) -> tuple[int, int, int]:
    """(pdfplumber tables, of those reproduced cell for cell by the reader's page tables, of the
    rest those the reader holds whole with more cells: pdfplumber drops the cells of a table cut
    by a page break where the frame has no closing rule, which the reader closes)."""
    import pdfplumber

    from parsers.pdf import page_tables
    from parsers.pdf.join import text_grid
    ours: dict[int, list] = {}
    for t in page_tables(str(path)):
        ours.setdefault(t.page, []).append(sorted(_squash(s) for row in text_grid(t) for s in row if s is not None))
    n = same = sup = 0
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            for tb in page.extract_tables():
                cells = sorted(_squash(s) for row in tb for s in row if s is not None)
                if len([c for c in cells if c]) < 2 or len(tb[0]) < 2:
                    continue   # pdfplumber's one-column "tables" are frames around prose
                n += 1
                mine = ours.get(page.page_number, [])
                if any(cells == o for o in mine):
                    same += 1
                elif any(not (Counter(cells) - Counter(o)) for o in mine):
                    sup += 1
    return n, same, sup


def distinct_copies(files: list[Path], n: int, out: Path) -> list[Path]:
    """`n` distinct copies of each file (a comment after %%EOF: another hash, the same pages), so
    a batch run parses every one (identical files are parsed once)."""
    made = []
    for k in range(n):
        for f in files:
            p = out / f"{k}_{f.name}"
            p.write_bytes(f.read_bytes() + b"\n%copy " + str(k).encode() + b"\n")
            made.append(p)
    return made


def report(label: str, files: list[Path], rounds: int, baseline: Path | None = None, in_proc: bool = True) -> None:
    import pypdfium2 as pdfium
    pages = 0
    for f in files:
        d = pdfium.PdfDocument(str(f))
        pages += len(d)
        d.close()
    print(f"\n== {label}: {len(files)} PDFs, {pages} pages, {rounds} rounds (medians)")
    procs = processes(files, rounds, baseline)
    med = {k: (statistics.median(c for c, _ in v), statistics.median(w for _, w in v)) for k, v in procs.items()}
    for k, (cpu, wall) in med.items():
        print(f"  process  {k:28s} cpu {cpu:7.3f} s   wall {wall:7.3f} s")
    ogi, plumb, bare = med["ogi parse --workers 1"], med["pdfplumber extract_tables"], med["bare pypdfium2 text"]
    print(f"  ratios (cpu; wall): pdfplumber / ogi = {plumb[0] / ogi[0]:.2f}x; {plumb[1] / ogi[1]:.2f}x   (goal >= 5)")
    print(f"                      ogi / bare pypdfium2 = {ogi[0] / bare[0]:.2f}x; {ogi[1] / bare[1]:.2f}x   (goal <= 2)")
    if baseline is not None:
        old = med["baseline ogi parse --workers 1"]
        print(f"  baseline ({baseline}): pdfplumber / ogi = {plumb[0] / old[0]:.2f}x; "
              f"ogi / bare pypdfium2 = {old[0] / bare[0]:.2f}x (cpu); this / baseline = {ogi[0] / old[0]:.3f}")
    if not in_proc:
        return
    inproc = in_process(files, rounds)
    for k, v in inproc.items():
        print(f"  in-process {k:26s} cpu {v * 1000:8.1f} ms  ({pages / v:7.1f} pages/s)")
    r, p, b = inproc["parsers.read"], inproc["pdfplumber extract_tables"], inproc["bare pypdfium2 text"]
    print(f"  in-process ratios: pdfplumber / reader = {p / r:.2f}x; reader / bare pypdfium2 = {r / b:.2f}x")
    tot = ok = more = 0
    for f in files:
        n, same, sup = compare(f)
        tot, ok, more = tot + n, ok + same, more + sup
    print(f"  tables: pdfplumber finds {tot}; identical in the reader {ok}; reader holds all their cells and "
          f"more (cut by a page break) {more}; different {tot - ok - more}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--real", nargs="*", help="real report PDFs (default: ../shared/corpus/reports/*.pdf)")
    ap.add_argument("--generated", nargs="*", help="generated report PDFs (default: fixtures/pdf/*.pdf)")
    ap.add_argument("--baseline", type=Path, help="another checkout (e.g. a git worktree at the base revision) "
                    "whose `ogi parse` runs alongside, alternating")
    ap.add_argument("--copies", type=int, default=0, help="distinct copies of each file (a comment after %%%%EOF)")
    ap.add_argument("--processes-only", action="store_true", help="skip the in-process and table comparisons")
    ap.add_argument("--instr", action="store_true", help="count instructions (callgrind) instead of timing")
    ap.add_argument("--instr-plumber", action="store_true", help="with --instr: count the pdfplumber baseline too")
    args = ap.parse_args(argv)
    sets = default_sets()
    if args.real is not None:
        sets["real"] = [Path(p) for p in args.real]
    if args.generated is not None:
        sets["generated"] = [Path(p) for p in args.generated]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores; ogi = {' '.join(ogi_command())}")
    with tempfile.TemporaryDirectory(prefix="ogi-bench-copies-") as tmp:
        for label, files in sets.items():
            if files and args.copies:
                (Path(tmp) / label).mkdir()
                files = distinct_copies(files, args.copies, Path(tmp) / label)
            if files and args.instr:
                report_instr(label, files, args.baseline and args.baseline.resolve(), args.instr_plumber)
            elif files:
                report(label, files, args.rounds, args.baseline and args.baseline.resolve(), not args.processes_only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
