"""Shared test helpers: parse a text and compare its cells with a generated report's truth."""
from __future__ import annotations

import json
import math
from pathlib import Path

from parsers.text import parse_text
from pipeline.checks import run_checks
from pipeline.extract import extract
from pipeline.templates import get


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
