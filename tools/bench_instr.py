"""Instructions per report of the in-process parse, counted by callgrind (a script, not a test).

    python -m tools.bench_instr [--baseline DIR] [--copies 2] [--only NAME] [--rows] [FOLDER]

On a machine shared by many processes, CPU times of a 10 ms parse vary by more than the changes
worth measuring; an instruction count does not. Each checkout given (this one, and --baseline's
working tree) parses, in one process under `valgrind --tool=callgrind`, one warm-up copy and then
--copies distinct copies (trailing newlines added) of each text/Markdown file of FOLDER (default
../shared/corpus/reports); only the measured parses are counted (collection is switched on inside
`operator.call`, which nothing else here calls). With --rows the output rows and the review entry
a worker makes (pipeline.worker.pack_parts) are counted too. Needs valgrind.
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


def count(checkout: Path, files: list[str], copies: int, rows: bool) -> float:
    """Instructions per report when `checkout`'s pipeline parses the files."""
    with tempfile.TemporaryDirectory() as tmp:
        # this file's `measured`, the checkout's pipeline (a baseline need not have this script)
        code = (f"import sys, importlib.util as u; sys.path.insert(0, {str(checkout)!r}); "
                f"s = u.spec_from_file_location('bench_instr', {__file__!r}); m = u.module_from_spec(s); "
                f"s.loader.exec_module(m); print('reports', m.measured({files!r}, {copies}, {rows}, {tmp!r}))")
        env = dict(os.environ, PYTHONPATH=str(checkout))
        out = subprocess.run(["valgrind", "--tool=callgrind", "--toggle-collect=_operator_call",
                              "--callgrind-out-file=/dev/null", sys.executable, "-c", code],
                             cwd=checkout, env=env, capture_output=True, text=True, check=True)
    n = int(re.search(r"^reports (\d+)", out.stdout, re.M).group(1))
    ir = int(re.search(r"Collected : (\d+)", out.stderr).group(1))
    return ir / n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", nargs="?", type=Path, default=ROOT.parent / "shared" / "corpus" / "reports")
    ap.add_argument("--baseline", type=Path, help="another checkout (e.g. a git worktree at the base revision)")
    ap.add_argument("--copies", type=int, default=2)
    ap.add_argument("--only", default="", help="only files whose name holds this text")
    ap.add_argument("--rows", action="store_true", help="count the output rows and review entry too")
    args = ap.parse_args(argv)
    files = sorted(str(p) for p in args.folder.iterdir()
                   if p.suffix in (".txt", ".md") and args.only in p.name and not p.name.startswith("."))
    if not files:
        raise SystemExit(f"no .txt/.md files in {args.folder}")
    checkouts = ([("baseline", args.baseline.resolve())] if args.baseline else []) + [("this", ROOT)]
    got = {name: count(path, files, args.copies, args.rows) for name, path in checkouts}
    for name, ir in got.items():
        print(f"{name:9} {ir / 1e6:8.2f} M instructions per report ({len(files)} files × {args.copies} copies)")
    if args.baseline:
        print(f"this ÷ baseline: {got['this'] / got['baseline']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
