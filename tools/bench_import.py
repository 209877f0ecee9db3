"""Start-up cost of a parser process: CPU of `from pipeline.report import parse_file`, of the first
parse after it and of a steady parse, each in a fresh process, alternating between source trees.

Why: every `ogi parse` worker pays the import and the first parse, and a one-file run is little else.

    python -m tools.bench_import [--baseline DIR] [--rounds 5] [FILE...]

DIR is another checkout (e.g. `git archive REV | tar -x -C DIR`). Run with PYTHONDONTWRITEBYTECODE
unset: the first round of each tree warms its .pyc files and is not counted.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

_CHILD = r"""
import json, sys, time
t0 = time.process_time()
from pipeline.report import parse_file
t1 = time.process_time()
files = sys.argv[1:]
parse_file(files[0])
t2 = time.process_time()
steady = []
for _ in range(3):
    s = time.process_time()
    for f in files:
        parse_file(f)
    steady.append((time.process_time() - s) / len(files))
import pipeline
print(json.dumps({"import": t1 - t0, "first": t2 - t1, "steady": min(steady), "where": pipeline.__file__}))
"""


def _run(tree: str, files: list[str]) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = tree
    out = subprocess.run([sys.executable, "-c", _CHILD, *files], cwd=tree, env=env,
                         capture_output=True, text=True, check=True).stdout
    res = json.loads(out.strip().splitlines()[-1])
    if not os.path.realpath(res["where"]).startswith(os.path.realpath(tree)):
        raise SystemExit(f"{tree}: imported {res['where']} instead")
    return res


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", default=["fixtures/seed_xiuzhou_2019.txt"])
    ap.add_argument("--baseline", help="another source tree, measured alternately")
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args(argv)
    files = [os.path.abspath(f) for f in a.files]
    trees = {"this": os.getcwd()} | ({"baseline": os.path.abspath(a.baseline)} if a.baseline else {})
    got = {name: [] for name in trees}
    for rnd in range(a.rounds + 1):
        for name, tree in trees.items():
            r = _run(tree, files)
            if rnd:
                got[name].append(r)
    print(f"{'tree':10} {'import ms':>10} {'first ms':>10} {'steady ms':>10}   (CPU, median of {a.rounds})")
    med = {}
    for name, rs in got.items():
        med[name] = {k: statistics.median(r[k] for r in rs) * 1000 for k in ("import", "first", "steady")}
        m = med[name]
        print(f"{name:10} {m['import']:10.1f} {m['first']:10.1f} {m['steady']:10.1f}")
    if "baseline" in med:
        b, t = med["baseline"], med["this"]
        print("ratio this/baseline: " + ", ".join(f"{k} {t[k] / b[k]:.2f}" for k in ("import", "first", "steady")))


if __name__ == "__main__":
    main()
