"""Shared test helpers: parse a text and compare its cells with a generated report's truth."""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

from parsers.text import parse_text
from pipeline.checks import run_checks
from pipeline.extract import extract
from pipeline.templates import get

ROOT = Path(__file__).resolve().parents[1]


def modules_after(code: str) -> list[str]:
    """The modules a fresh interpreter has loaded after running `code` (from the project root)."""
    probe = code + "\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=300, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def extract_text(text: str):
    doc = parse_text(text)
    ex = extract(doc)
    return doc, ex


def cell_map(ex) -> dict[str, float | None]:
    return {f"{c.table}/{c.row_key}/{c.col_key}": c.value for c in ex.cells}


def mismatches(expected: dict, got: dict) -> list:
    """Cells where the parse differs from the truth (blank and None are equal; 0 ≠ blank)."""
    out = []
    for k, v in expected.items():
        g = got.get(k, "MISSING")
        if v is None and g is None:
            continue
        if g == "MISSING" or g is None or v is None or not math.isclose(g, v, rel_tol=1e-9, abs_tol=1e-9):
            out.append((k, v, g))
    return out


def load_truth(corpus: Path, name: str) -> dict:
    return json.loads((corpus / "expected" / (Path(name).stem + ".json")).read_text("utf-8"))
