"""Instructions per report of the in-process parse, counted by callgrind (a script, not a test).

    python -m tools.bench_instr [--baseline DIR] [--copies 2] [--only NAME] [--rows] [--stages] [FOLDER]

On a machine shared by many processes, CPU times of a 10 ms parse vary by more than the changes
worth measuring; an instruction count does not. Each checkout given (this one, and --baseline's
working tree) parses, in one process under `valgrind --tool=callgrind`, one warm-up copy and then
--copies distinct copies (trailing newlines added) of each text/Markdown file of FOLDER (default
../shared/corpus/reports); only the measured parses are counted (collection is switched on inside
`operator.call`, which nothing else here calls). With --rows the output rows and the review entry
a worker makes (pipeline.worker.pack_parts) are counted too. With --stages, the reading stages
are counted one by one instead, each over documents already read (reader; lines; template
detection; table reading, recovery included; recovery alone), and the whole parse: one callgrind
dump per stage (`--dump-after`), the garbage collector off inside each (a collection would land in
whichever stage allocates past the threshold). Needs valgrind.
"""
from __future__ import annotations

import argparse
import operator
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def measured(files: list[str], copies: int, rows: bool, tmp: str) -> int:
    """The child: parse a warm-up copy of each file, then `copies` more inside operator.call."""
    from pipeline.report import parse_file
    from pipeline.worker import pack_parts

    def made(k: int) -> list[str]:
        out = []
        for f in files:
            p = os.path.join(tmp, f"{k}_{os.path.basename(f)}")
            with open(f, "rb") as src, open(p, "wb") as dst:
                dst.write(src.read() + b"\n" * (k + 1))
            out.append(p)
        return out

    def run(paths: list[str]) -> None:
        for p in paths:
            rep = parse_file(p)
            if rows:
                pack_parts(rep.report, rep.cells, rep.checks, rep.log, True)

    run(made(0))
    todo = [p for k in range(1, copies + 1) for p in made(k)]
    operator.call(run, todo)
    return len(todo)


STAGES = ("reader", "lines", "template detection", "tables (recovery included)", "recovery", "whole parse")


def measured_stages(files: list[str], copies: int, tmp: str) -> int:
    """The child of --stages: each stage over every file `copies` times, one operator.call each,
    after a warm-up pass of every stage (inputs made beforehand, outside the count)."""
    import parsers
    from pipeline import extract as E
    from pipeline import recover as R
    from pipeline.report import parse_file
    from pipeline.templates import get
    made = []
    for f in files:
        parse_file(f)
        doc = parsers.read(f)
        lines = E.document_lines(doc)
        made.append((f, doc, lines, [get(t) for t in E.best_templates(E.template_hits(doc))]))
    run = {
        "reader": lambda f, doc, lines, tpls: parsers.read(f),
        "lines": lambda f, doc, lines, tpls: E.document_lines(doc),
        "template detection": lambda f, doc, lines, tpls: E.template_hits(doc),
        "tables (recovery included)": lambda f, doc, lines, tpls: [E.read_tables(t, lines) for t in tpls],
        "recovery": lambda f, doc, lines, tpls: [R.recover(t, lines, frozenset()) for t in tpls],
        "whole parse": lambda f, doc, lines, tpls: parse_file(f),
    }

    def stage(fn) -> None:
        for _ in range(copies):
            for m in made:
                fn(*m)
    for name in STAGES:     # warm-up: every cache and lazily compiled pattern a batch worker would hold
        for m in made:
            run[name](*m)
    import gc
    for name in STAGES:     # a collection falling in one stage here and another there is noise: none
        gc.collect()
        gc.disable()
        operator.call(stage, run[name])
        gc.enable()
    return len(files) * copies


def _callgrind(checkout: Path, call: str, options: list[str]) -> tuple[int, str]:
    """Run this file's `call` (e.g. "measured(...)") under callgrind with `checkout`'s pipeline
    (a baseline need not have this script); the number of reports it measured and callgrind's
    own output."""
    code = (f"import sys, importlib.util as u; sys.path.insert(0, {str(checkout)!r}); "
            f"s = u.spec_from_file_location('bench_instr', {__file__!r}); m = u.module_from_spec(s); "
            f"s.loader.exec_module(m); print('reports', m.{call})")
    env = dict(os.environ, PYTHONPATH=str(checkout))
    out = subprocess.run(["valgrind", "--tool=callgrind", "--toggle-collect=_operator_call", *options,
                          sys.executable, "-c", code], cwd=checkout, env=env, capture_output=True, text=True,
                         check=True)
    return int(re.search(r"^reports (\d+)", out.stdout, re.M).group(1)), out.stderr


def count_stages(checkout: Path, files: list[str], copies: int) -> dict[str, float]:
    """Instructions per report of each stage when `checkout`'s pipeline runs it."""
    with tempfile.TemporaryDirectory() as tmp:
        n, _ = _callgrind(checkout, f"measured_stages({files!r}, {copies}, {tmp!r})",
                          ["--dump-after=_operator_call", f"--callgrind-out-file={tmp}/cg.out"])
        dumps = sorted(Path(tmp).glob("cg.out.*"), key=lambda p: int(p.name.rsplit(".", 1)[1]))
        totals = []
        for d in dumps:
            m = re.search(r"^(?:totals|summary): (\d+)", d.read_text(errors="replace"), re.M)
            totals.append(int(m.group(1)) if m else 0)
    if len(totals) != len(STAGES):
        raise SystemExit(f"expected {len(STAGES)} callgrind dumps, got {len(totals)}")
    return {name: ir / n for name, ir in zip(STAGES, totals)}


def count(checkout: Path, files: list[str], copies: int, rows: bool) -> float:
    """Instructions per report when `checkout`'s pipeline parses the files."""
    with tempfile.TemporaryDirectory() as tmp:
        n, err = _callgrind(checkout, f"measured({files!r}, {copies}, {rows}, {tmp!r})",
                            ["--callgrind-out-file=/dev/null"])
    return int(re.search(r"Collected : (\d+)", err).group(1)) / n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", nargs="?", type=Path, default=ROOT.parent / "shared" / "corpus" / "reports")
    ap.add_argument("--baseline", type=Path, help="another checkout (e.g. a git worktree at the base revision)")
    ap.add_argument("--copies", type=int, default=2)
    ap.add_argument("--only", default="", help="only files whose name holds this text")
    ap.add_argument("--rows", action="store_true", help="count the output rows and review entry too")
    ap.add_argument("--stages", action="store_true", help="count the reading stages one by one")
    args = ap.parse_args(argv)
    files = sorted(str(p) for p in args.folder.iterdir()
                   if p.suffix in (".txt", ".md") and args.only in p.name and not p.name.startswith("."))
    if not files:
        raise SystemExit(f"no .txt/.md files in {args.folder}")
    checkouts = ([("baseline", args.baseline.resolve())] if args.baseline else []) + [("this", ROOT)]
    if args.stages:
        return print_stages({name: count_stages(path, files, args.copies) for name, path in checkouts},
                            len(files), args.copies)
    got = {name: count(path, files, args.copies, args.rows) for name, path in checkouts}
    for name, ir in got.items():
        print(f"{name:9} {ir / 1e6:8.2f} M instructions per report ({len(files)} files × {args.copies} copies)")
    if args.baseline:
        print(f"this ÷ baseline: {got['this'] / got['baseline']:.3f}")
    return 0


def print_stages(got: dict[str, dict[str, float]], n_files: int, copies: int) -> int:
    names = list(got)
    print(f"M instructions per report ({n_files} files × {copies} copies)")
    print(f"  {'stage':28}" + "".join(f"{n:>10}" for n in names) + ("   this ÷ baseline" if len(names) > 1 else ""))
    for stage in STAGES:
        row = [got[n][stage] / 1e6 for n in names]
        ratio = f"   {row[-1] / row[0]:.3f}" if len(row) > 1 and row[0] else ""
        print(f"  {stage:28}" + "".join(f"{x:10.2f}" for x in row) + ratio)
    return 0


if __name__ == "__main__":
    sys.exit(main())
