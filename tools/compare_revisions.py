"""Compare the outputs of two revisions of ogi-reports on the same inputs (a script, not a test).

    python -m tools.compare_revisions [REV_A] [REV_B] [--corpus DIR] [--seeds N] [--keep]

REV_A defaults to dd418e1 (the revision before the restructuring of issue 9), REV_B to
`WORKTREE`: this checkout as it is on disk, uncommitted changes included. Any other name is a
git revision, checked out into a temporary `git worktree` and run from there (PYTHONPATH and
working directory point at it, so its own `pipeline` and `parsers` are imported, not the
installed ones; `--python-a/--python-b` pick another interpreter when a revision needs other
dependencies).

Both revisions parse, each group in its own `ogi parse` run, the same input files:
- `fixtures`: every file of REV_A's fixtures/;
- `corpus`: every file of ../shared/corpus/reports (or --corpus DIR; skipped when absent);
- `generated`: a fixed set of reports from the test report generator (tests/reportgen, this
  checkout's): for --seeds seeds and both templates, every text layout, flattened (run-together)
  text, HTML (UTF-8 and GBK, clean, CMS page, split tables) and Word (plain, web-style, framed);
- `generated_era_a`: era-A reports (tests/reportgen/era_a.py) for --seeds seeds and every
  appendix variant, in every text layout (run-together ones included), HTML and Word.

Every output file is compared: CSV files row by row with the `seconds` column left out,
ogi.log without its time stamps and run ids, the review site's data files by their inflated
payloads, run.json and state/ not at all (times and hashes of the run itself). Prints every
difference (the first rows of each) and a verdict line; exits 0 when the outputs are
identical, 1 otherwise.
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_A = "dd418e1"
WORKTREE = "WORKTREE"
IGNORED_FILES = {"run.json"}
IGNORED_DIRS = {"state"}
IGNORED_COLUMNS = {"seconds"}
GENERATIONS = ".generations"
_LOG_STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ ")
_RUN_ID = re.compile(r"\brun \S+")


# ---------------------------------------------------------------- inputs
def default_corpus() -> Path:
    """../shared/corpus/reports beside the checkout, or beside the folder holding a worktree."""
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "corpus" / "reports").is_dir():
            return base / "shared" / "corpus" / "reports"
    return ROOT.parent / "shared" / "corpus" / "reports"


def generated_reports(out: Path, seeds: int) -> int:
    """Write the fixed set of generated reports into `out`; returns the number of files."""
    from tests.reportgen import LAYOUTS, random_report, render_docx, render_html, render_text
    from tests.reportgen import web
    from tests.reportgen.flat import flatten

    out.mkdir(parents=True, exist_ok=True)
    n = 0
    for seed in range(seeds):
        for template in ("2019", "2021"):
            name = f"{template}_{seed}"
            rng = random.Random(1000 * seed + int(template))
            rep = random_report(rng, template=template)
            for layout in LAYOUTS:
                (out / f"{name}_{layout}.txt").write_text(render_text(rep, layout), "utf-8")
            (out / f"{name}_flat_one_line.txt").write_text(flatten(rep, one_line=True), "utf-8")
            (out / f"{name}_flat_rows.txt").write_text(
                flatten(rep, one_line=False, rng=random.Random(seed), space_rate=0.2), "utf-8")
            (out / f"{name}.html").write_text(render_html(rep), "utf-8")
            (out / f"{name}_gbk.html").write_bytes(render_html(rep, encoding="gbk").encode("gbk"))
            (out / f"{name}_cms.html").write_text(web.render_html_cms(rep, random.Random(seed)), "utf-8")
            (out / f"{name}_split.html").write_text(web.render_html_split(rep, random.Random(seed)), "utf-8")
            render_docx(rep, str(out / f"{name}.docx"))
            web.render_docx_web(rep, str(out / f"{name}_web.docx"), random.Random(seed), split=True)
            web.render_docx_web(rep, str(out / f"{name}_framed.docx"), random.Random(seed), framed=True)
            n += len(LAYOUTS) + 9
    return n


def generated_era_a(out: Path, seeds: int) -> int:
    """Write the fixed set of generated era-A reports into `out`; returns the number of files."""
    from tests.reportgen import era_a as G

    out.mkdir(parents=True, exist_ok=True)
    n = 0
    for seed in range(seeds):
        for k, variant in enumerate(sorted(G.VARIANTS)):
            name = f"{variant}_{seed}"
            for layout in G.LAYOUTS:
                small = layout.startswith("run_together")
                rep = G.random_report(random.Random(100 * seed + k), variant, small=small)
                (out / f"{name}_{layout}.txt").write_text(G.render_text(rep, layout), "utf-8")
            rep = G.random_report(random.Random(100 * seed + k), variant)
            (out / f"{name}.html").write_text(G.render_html(rep), "utf-8")
            G.render_docx(rep, str(out / f"{name}.docx"))
            n += len(G.LAYOUTS) + 2
    return n


# ---------------------------------------------------------------- revisions
class Revision:
    """One revision's source tree (a temporary git worktree, or this checkout) and interpreter."""

    def __init__(self, rev: str, python: str, tmp: Path):
        self.rev, self.python = rev, python
        if rev == WORKTREE:
            self.tree, self.temporary = ROOT, False
        else:
            self.tree, self.temporary = tmp / f"tree_{re.sub(r'[^A-Za-z0-9]', '_', rev)}", True
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(self.tree), rev],
                           check=True)
        self.env = dict(os.environ, PYTHONPATH=str(self.tree))
        where = subprocess.run([self.python, "-c", "import pipeline, parsers; print(pipeline.__file__)"],
                               cwd=self.tree, env=self.env, capture_output=True, text=True, check=True).stdout
        if not where.strip().startswith(str(self.tree)):
            raise SystemExit(f"{rev}: imports pipeline from {where.strip()}, not from {self.tree}")

    def parse(self, inputs: Path, out: Path, workers: int) -> int:
        cmd = [self.python, "-c", "import sys; from pipeline.cli import main; sys.exit(main())",
               "parse", str(inputs), "--out", str(out), "--quiet", "--workers", str(workers)]
        return subprocess.run(cmd, cwd=self.tree, env=self.env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode

    def close(self) -> None:
        if self.temporary:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(self.tree)], check=False)


# ---------------------------------------------------------------- comparison
def _output_files(out: Path) -> dict[str, Path]:
    """Output file name → its path. A run publishes into `.generations/<time stamp>/` (the
    top-level names link there through `.current`): such a file is named without the stamp."""
    found = {}
    for p in sorted(out.rglob("*")):
        parts = p.relative_to(out).parts
        if parts[0] == GENERATIONS:
            parts = parts[2:]
        if not parts or not p.is_file() or p.name in IGNORED_FILES or set(parts[:-1]) & IGNORED_DIRS:
            continue
        found.setdefault(str(Path(*parts)), p)
    return found


def _csv_rows(data: bytes) -> tuple[bool, list[list[str]]]:
    """(starts with a BOM, rows without the ignored columns)."""
    bom = data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    if not rows:
        return bom, rows
    keep = [k for k, name in enumerate(rows[0]) if name not in IGNORED_COLUMNS]
    return bom, [[r[k] if k < len(r) else "<missing>" for k in keep] for r in rows]


def _log_lines(data: bytes) -> list[str]:
    return [_RUN_ID.sub("run <id>", _LOG_STAMP.sub("", ln)) for ln in data.decode("utf-8", "replace").splitlines()]


_PACKED = re.compile(rb'OGI\.packed\("(\w+)","([A-Za-z0-9+/=]*)"\);')


def _review_data(data: bytes) -> bytes:
    """A review data file with its gzipped payloads inflated: what the page reads, whatever the
    compression level."""
    import base64
    import gzip
    return _PACKED.sub(lambda m: b"OGI.packed(" + m[1] + b"," + gzip.decompress(base64.b64decode(m[2])) + b");", data)


def compare_file(a: Path, b: Path, name: str, show: int = 5) -> list[str]:
    """Differences between two output files, as printable lines (empty when equal)."""
    da, db = a.read_bytes(), b.read_bytes()
    if name.startswith("review/data/") and name.endswith(".js"):
        da, db = _review_data(da), _review_data(db)
    if name.endswith(".csv"):
        (bom_a, ra), (bom_b, rb) = _csv_rows(da), _csv_rows(db)
        out = [] if bom_a == bom_b else [f"  byte-order mark: {bom_a} vs {bom_b}"]
    elif name.endswith(".log"):
        ra, rb, out = _log_lines(da), _log_lines(db), []
    else:
        return [] if da == db else [f"  bytes differ ({len(da)} vs {len(db)} bytes)"]
    if ra == rb:
        return out
    out.append(f"  {len(ra)} vs {len(rb)} rows")
    only_a = [r for r in ra if r not in rb]
    only_b = [r for r in rb if r not in ra]
    out += [f"  - {r}" for r in only_a[:show]] + [f"  + {r}" for r in only_b[:show]]
    if not only_a and not only_b:
        out.append("  same rows in a different order")
    return out


def compare_runs(out_a: Path, out_b: Path) -> tuple[int, list[str]]:
    files_a, files_b = _output_files(out_a), _output_files(out_b)
    report = [f"  only in A: {f}" for f in sorted(files_a.keys() - files_b.keys())]
    report += [f"  only in B: {f}" for f in sorted(files_b.keys() - files_a.keys())]
    for name in sorted(files_a.keys() & files_b.keys()):
        diff = compare_file(files_a[name], files_b[name], name)
        if diff:
            report += [f" {name}:"] + diff
    return len(files_a.keys() | files_b.keys()), report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("rev_a", nargs="?", default=DEFAULT_A)
    ap.add_argument("rev_b", nargs="?", default=WORKTREE)
    ap.add_argument("--corpus", default=str(default_corpus()),
                    help="real reports (default ../shared/corpus/reports, or ../../shared/… from a git worktree)")
    ap.add_argument("--seeds", type=int, default=3, help="generated reports: seeds per template (default 3)")
    ap.add_argument("--python-a", default=sys.executable)
    ap.add_argument("--python-b", default=sys.executable)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder and print its path")
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="ogi-compare-"))
    revs = []
    try:
        revs = [Revision(args.rev_a, args.python_a, tmp), Revision(args.rev_b, args.python_b, tmp)]
        groups: dict[str, Path] = {}
        groups["fixtures"] = tmp / "inputs" / "fixtures"
        shutil.copytree(revs[0].tree / "fixtures", groups["fixtures"])
        if Path(args.corpus).is_dir():
            groups["corpus"] = tmp / "inputs" / "corpus"
            shutil.copytree(args.corpus, groups["corpus"])
        else:
            print(f"corpus: {args.corpus} not found, skipped")
        groups["generated"] = tmp / "inputs" / "generated"
        generated_reports(groups["generated"], args.seeds)
        groups["generated_era_a"] = tmp / "inputs" / "generated_era_a"
        generated_era_a(groups["generated_era_a"], args.seeds)
        different = 0
        for group, inputs in groups.items():
            n_inputs = sum(1 for p in inputs.rglob("*") if p.is_file())
            outs, codes = [], []
            for side, rev in zip("AB", revs):
                outs.append(tmp / "out" / side / group)
                codes.append(rev.parse(inputs, outs[-1], args.workers))
            n_files, report = compare_runs(*outs)
            if codes[0] != codes[1]:
                report.insert(0, f"  exit codes differ: {codes[0]} vs {codes[1]}")
            verdict = "identical" if not report else "DIFFERENT"
            print(f"{group}: {n_inputs} input files, {n_files} output files compared: {verdict}")
            for line in report[:80]:
                print(line)
            different += bool(report)
        print()
        who = f"{args.rev_a} vs {args.rev_b}"
        if different:
            print(f"VERDICT: outputs DIFFER ({who}) in {different} of {len(groups)} groups")
        else:
            print(f"VERDICT: outputs byte-identical ({who}) on {', '.join(groups)} "
                  f"(CSV `seconds`, run.json and state/ ignored)")
        return 1 if different else 0
    finally:
        for rev in revs:
            rev.close()
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
