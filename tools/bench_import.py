"""Start-up cost of a parser process: CPU of `from pipeline.report import parse_file`, of the first
parse after it and of a steady parse, each in a fresh process, alternating between source trees.

Why: every `ogi parse` worker pays the import and the first parse, and a one-file run is little else.

    python -m tools.bench_import [--baseline DIR] [--rounds 5] [FILE...]

DIR is another checkout (e.g. `git archive REV | tar -x -C DIR`). Run with PYTHONDONTWRITEBYTECODE
unset: the first round of each tree warms its .pyc files (and its cache folder) and is not counted.
The child starts as a parse worker does: where the tree has `pipeline.label_scores`, it collects
the label scores it computes and saves them at its end, for the next round; `--cache cold-labels`
removes the kept label scores before each run (a report whose labels no earlier run saw),
`--cache off` runs without the cache folder.
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
try:    # as a parse worker starts (pipeline.worker.serve), where the tree keeps label scores
    from pipeline import label_scores
    label_scores.collect()
except ImportError:
    label_scores = None
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
if label_scores is not None:   # what a worker keeps for the next process
    label_scores.save(force=True)
print(json.dumps({"import": t1 - t0, "first": t2 - t1, "steady": min(steady), "where": pipeline.__file__}))
"""


def _run(tree: str, files: list[str], cache: str, cold_labels: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = tree
    env["OGI_CACHE_DIR"] = cache
    if cold_labels and cache:   # label texts never seen before (kept data files stay)
        for f in os.listdir(cache) if os.path.isdir(cache) else ():
            if f.startswith("label-scores."):
                os.unlink(os.path.join(cache, f))
    own = os.path.join(tree, ".venv", "bin", "python")   # a tree's own install: its editable finder maps its modules
    python = own if os.path.exists(own) else sys.executable
    proc = subprocess.run([python, "-c", _CHILD, *files], cwd=tree, env=env, capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"{tree}: the child failed:\n{proc.stderr[-3000:]}")
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    if not os.path.realpath(res["where"]).startswith(os.path.realpath(tree)):
        raise SystemExit(f"{tree}: imported {res['where']} instead")
    return res


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", default=["fixtures/seed_xiuzhou_2019.txt"])
    ap.add_argument("--baseline", help="another source tree, measured alternately")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--cache", choices=["warm", "cold-labels", "off"], default="warm",
                    help="$OGI_CACHE_DIR (one fresh folder per tree): warm (as a second run finds it), "
                         "cold-labels (label scores removed before each run: labels never seen), off (empty)")
    a = ap.parse_args(argv)
    files = [os.path.abspath(f) for f in a.files]
    trees = {"this": os.getcwd()} | ({"baseline": os.path.abspath(a.baseline)} if a.baseline else {})
    got = {name: [] for name in trees}
    import tempfile
    tmp = tempfile.mkdtemp(prefix="ogi-bench-import-")
    for rnd in range(a.rounds + 1):
        for name, tree in (list(trees.items()) if rnd % 2 else list(trees.items())[::-1]):
            cache = "" if a.cache == "off" else os.path.join(tmp, name)
            r = _run(tree, files, cache, a.cache == "cold-labels")
            if rnd:
                got[name].append(r)
    import shutil
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"{'tree':10} {'import ms':>10} {'first ms':>10} {'steady ms':>10}   (CPU, median of {a.rounds})")
    med = {}
    for name, rs in got.items():
        med[name] = {k: statistics.median(r[k] for r in rs) * 1000 for k in ("import", "first", "steady")}
        m = med[name]
        print(f"{name:10} {m['import']:10.1f} {m['first']:10.1f} {m['steady']:10.1f}")
    if "baseline" in med:
        b, t = med["baseline"], med["this"]
        print(f"cache: {a.cache}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print("ratio this/baseline: " + ", ".join(f"{k} {t[k] / b[k]:.2f}" for k in ("import", "first", "steady")))


if __name__ == "__main__":
    main()
