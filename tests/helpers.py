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


# Two era-A years of one agency: the later one's cells run together and X1 settles them from the
# earlier year's cumulative column (used by the X1 tests and the review-build test).
X1_PAIR = {
    2016: "某某县人民政府2016年政府信息公开工作年度报告\n政府信息公开情况统计表\n"
          "指标名称 计量单位 2016年度 历年累计\n主动公开文件数 条 500 7915\n"
          "其中：1、政府网站公开数 条 500 7915\n2、政府公报公开数 条 0 0\n"
          "受理依申请公开信息总数 条 3 10\n",
    2017: "某某县人民政府2017年政府信息公开工作年度报告\n政府信息公开情况统计表指标名称计量单位"
          "2017年度历年累计主动公开文件数条212210037其中：1、政府网站公开数条212210037"
          "2、政府公报公开数条00受理依申请公开信息总数条312\n",
}
