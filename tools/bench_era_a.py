"""Era-A parse speed: CPU per report, the era-A stage split and the import cost, optionally side by
side with another checkout in the same run (a script, not a test).

    .venv/bin/python -m tools.bench_era_a [--n 40] [--rounds 3] [--baseline DIR]

Files: the corpus's era-A reports (../shared/corpus/reports/01[047]_*.txt) and its modern text
reports, and --n generated era-A reports of every variant and layout (tests/reportgen/era_a.py),
written once and parsed by both sides. Each file is parsed by pipeline.report.parse_file (read →
modern extract → era-A stage → checks), warm (after one parse of every file), CPU time.

With --baseline DIR (a checkout of another revision, e.g. `git worktree add /tmp/base dc0ea04`),
every round runs the measurement once in a fresh process of each tree, alternating, so machine
noise hits both alike; the medians over the rounds and the ratios are printed. The split
shows where an era-A report's time goes (exclusive CPU per report); the import line is the
self time of the era-A and prose modules in a fresh process (`-X importtime`, .pyc warm).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = next((b / "shared" / "corpus" / "reports" for b in (ROOT.parent, ROOT.parent.parent)
               if (b / "shared" / "corpus" / "reports").is_dir()), ROOT.parent / "shared" / "corpus" / "reports")

# (stage, module, attribute): exclusive CPU time of each wrapped call
STAGES = [
    ("reader", "pipeline.report", "parsers.read"),
    ("modern extract", "pipeline.report", "extract"),
    ("metadata", "pipeline.report", "extract_metadata"),
    ("era-A stream", "pipeline.era_a.stage", "build"),
    ("era-A appendix", "pipeline.era_a.appendix", "find"),
    ("era-A prose", "pipeline.era_a.prose", "find"),
    ("era-A checks", "pipeline.era_a.checks", "run"),
    ("era-A cells and rest", "pipeline.era_a.stage", "extract"),
    ("P7 prose checks", "pipeline.report", "prose_checks"),
]
IMPORTS = ("pipeline.prose", "pipeline.prose_checks", "pipeline.era_a")


def write_generated(out: Path, n: int) -> list[str]:
    from tests.reportgen import era_a as G
    rng = random.Random(7)
    layouts = ["tab_rows", "layout", "dump", "tab_cells"]
    paths = []
    for i in range(n):
        rep = G.random_report(rng)
        lay = rng.choice(layouts + (["run_together"] if rep.variant != "N" else []))
        rep = G.random_report(rng, rep.variant, small=lay == "run_together")
        p = out / f"era{i}.txt"
        p.write_text(G.render_text(rep, lay), "utf-8")
        paths.append(str(p))
    return paths


# ---------------------------------------------------------------- one measurement, in this process
def _cpu_per_file(paths: list[str], parse, passes: int = 3) -> float:
    """CPU ms per file, the best of `passes` passes over the files (the machine is noisy)."""
    best = float("inf")
    for _ in range(passes):
        t = time.process_time()
        for p in paths:
            parse(p)
        best = min(best, time.process_time() - t)
    return 1000 * best / max(1, len(paths))


def _split(paths: list[str], parse) -> dict[str, float]:
    """Exclusive CPU ms per report of each stage (a wrapped call minus the wrapped calls inside)."""
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
        obj = importlib.import_module(mod)
        *path, name = attr.split(".")
        for part in path:
            obj = getattr(obj, part, None)
        if obj is None or not hasattr(obj, name):
            continue
        saved.append((obj, name, getattr(obj, name)))
        setattr(obj, name, wrap(stage, getattr(obj, name)))
    try:
        t = time.process_time()
        for p in paths:
            parse(p)
        totals["whole parse"] = time.process_time() - t
    finally:
        for obj, name, fn in reversed(saved):
            setattr(obj, name, fn)
    return {k: 1000 * v / max(1, len(paths)) for k, v in totals.items()}


def _finder(paths: list[str]) -> dict[str, float]:
    """CPU ms per report of the prose figure finder alone (pipeline.prose.find_figures), with the
    P7 rules on the report's prose as prose_checks reads it and with the era-A rules on the
    whole cleaned text, the best of five passes."""
    import parsers
    from pipeline import prose as PR
    texts = {"P7 rules": [], "era-A rules": []}
    for p in paths:
        doc = parsers.read(p, parsers.detect_format(p))
        texts["P7 rules"].append(PR.prose_text(doc, PR.load_rules("prose_checks").gate))
        texts["era-A rules"].append(PR.clean(doc.text()))
    out = {}
    for name, rules in (("P7 rules", "prose_checks"), ("era-A rules", "prose_2008")):
        rs = PR.load_rules(rules)
        PR.find_figures(texts[name][0], rs, 2019) if texts[name] else None
        out[name] = _cpu_per_file(texts[name], lambda t: PR.find_figures(t, rs, 2019), passes=5)
    return out


def _import_ms(tree: Path) -> dict[str, float]:
    """Self ms of the era-A and prose modules when pipeline.report and then the era-A stage are
    imported in a fresh process."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    run = [sys.executable, "-X", "importtime", "-c", "import pipeline.report, pipeline.era_a.stage"]
    subprocess.run(run, cwd=tree, env=env, capture_output=True)      # warm the .pyc files
    err = subprocess.run(run, cwd=tree, env=env, capture_output=True, text=True).stderr
    out: dict[str, float] = defaultdict(float)
    for line in err.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[2].strip().startswith(IMPORTS):
            out[parts[2].strip()] += int(parts[0].split(":")[1]) / 1000
    return dict(out)


def measure(files: dict[str, list[str]]) -> dict:
    """CPU ms per report of each group, warm, the split of the era-A files, the import cost."""
    import pipeline
    from pipeline.report import parse_file
    for group in files.values():
        for p in group:
            parse_file(p)
    res = {"cpu": {g: _cpu_per_file(ps, parse_file) for g, ps in files.items() if ps}}
    era = files.get("corpus era A", []) + files.get("generated era A", [])
    res["split"] = _split(era, parse_file)
    res["finder"] = _finder(files.get("corpus era A", []) + files.get("corpus modern text", []))
    res["import"] = _import_ms(Path(pipeline.__file__).resolve().parents[1])
    return res


# ---------------------------------------------------------------- side by side
def _run_in(tree: Path, files: dict) -> dict:
    """`measure` in a fresh process importing the pipeline of `tree` (this script run as a file)."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--measure", json.dumps(files)],
                         cwd=tree, env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _median(runs: list[dict], *keys) -> float:
    vals = []
    for r in runs:
        for k in keys:
            r = r.get(k, {}) if isinstance(r, dict) else {}
        vals.append(r if isinstance(r, (int, float)) else 0.0)
    return statistics.median(vals) if vals else 0.0


def report(sides: dict[str, list[dict]]) -> None:
    names = list(sides)
    first = sides[names[0]][0]
    print(f"CPU ms per report, warm, in one process (median of {len(sides[names[0]])} rounds)")
    print(f"  {'':24}" + "".join(f"{n:>14}" for n in names) + ("      ratio" if len(names) == 2 else ""))
    for g in first["cpu"]:
        vals = [_median(sides[n], "cpu", g) for n in names]
        ratio = f"   {vals[0] / vals[1]:6.2f}×" if len(vals) == 2 and vals[1] else ""
        print(f"  {g:24}" + "".join(f"{v:14.2f}" for v in vals) + ratio)
    print("where an era-A report's time goes (exclusive CPU ms per report, corpus and generated era A)")
    for stage in [s for s, _, _ in STAGES] + ["whole parse"]:
        vals = [_median(sides[n], "split", stage) for n in names]
        if any(vals):
            print(f"  {stage:24}" + "".join(f"{v:14.2f}" for v in vals))
    print("the prose figure finder alone, CPU ms per report (the corpus's text reports)")
    for name in first.get("finder", {}):
        vals = [_median(sides[n], "finder", name) for n in names]
        ratio = f"   {vals[0] / vals[1]:6.2f}×" if len(vals) == 2 and vals[1] else ""
        print(f"  {name:24}" + "".join(f"{v:14.2f}" for v in vals) + ratio)
    print("import, self ms in a fresh process (.pyc warm)")
    mods = sorted({m for n in names for r in sides[n] for m in r["import"]})
    for m in mods:
        print(f"  {m:32}" + "".join(f"{_median(sides[n], 'import', m):10.2f}" for n in names))
    print(f"  {'total':32}" + "".join(f"{statistics.median(sum(r['import'].values()) for r in sides[n]):10.2f}"
                                        for n in names))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=40, help="generated era-A reports")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--baseline", type=Path, help="another checkout to measure side by side")
    ap.add_argument("--measure", help=argparse.SUPPRESS)     # internal: one measurement, as JSON
    a = ap.parse_args(argv)
    if a.measure:
        print(json.dumps(measure(json.loads(a.measure))))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        files = {"corpus era A": [str(p) for p in sorted(CORPUS.glob("01[047]_*.txt"))],
                 "corpus modern text": [str(p) for p in sorted(CORPUS.glob("*.txt")) + sorted(CORPUS.glob("*.md"))
                                        if not p.name.startswith(("010_", "014_", "017_"))],
                 "generated era A": write_generated(Path(tmp), a.n)}
        trees = {"baseline": a.baseline.resolve(), "this tree": ROOT} if a.baseline else {"this tree": ROOT}
        sides: dict[str, list[dict]] = {n: [] for n in trees}
        for _ in range(a.rounds):
            for name, tree in trees.items():
                sides[name].append(_run_in(tree, files))
        report(sides)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
