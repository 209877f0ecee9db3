"""X1 across a run: the cumulative column of an era-A report continues the previous year's
report of the same agency (cumulative(t) = cumulative(t−1) + this_year(t), a plausibility
check), and run-together cells a report could not split alone are settled against its
neighbouring years when both reports are in the run.

Given each report's era-A summary (made by `summary` in the worker and kept in its reports.csv
row under the key `era_a`, which no output file prints), `collect` indexes the run and `amend`
adds a report's X1 checks and settled cells to its rendered rows before they are written.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

# The run's parent imports this module to index era-A reports (it imports no parser): the
# template, values and split modules are imported where they are used.
_SUFFIX = re.compile(r"(?:管委会|管理委员会|人民政府)$")
_SPACE = re.compile(r"[^\S\x1c-\x1f]+")   # whitespace as the `regex` module's \s (not U+001C–U+001F)


def summary(ex: "pipeline.result.Extraction", agency: str, year: int | None) -> dict | None:
    """What X1 needs of one report: its appendix values, runs, prose figures and labels."""
    from .template import load
    if ex.era_a is None or year is None or not agency:
        return None
    cells = {}
    labels = {}
    for c in ex.cells:
        if c.method in ("read", "recovered") and c.value is not None:
            cells.setdefault(c.row_key, {})[c.col_key] = c.value
            labels[c.row_key] = [c.row_label, c.page or ""]
    split = ex.era_a.get("split") or {}
    return {"agency": agency, "year": year, "cells": cells, "labels": labels, "runs": split.get("runs", {}),
            "row_labels": split.get("labels", {}), "ambiguous": sorted(split.get("ambiguous", {})),
            "col_labels": split.get("col_labels", {}), "units": split.get("units", {}),
            "cumulative_first": split.get("cumulative_first", False),
            "money": [r.key for r in load().rows if r.kind == "money"],
            "prose": {c.row_key: c.value for c in ex.cells if c.method == "prose" and c.col_key == "this_year"}}


def agency_key(agency: str) -> str:
    return _SUFFIX.sub("", _SPACE.sub("", agency))


def collect(reports: Iterable[dict]) -> dict[tuple[str, int], dict]:
    """(agency, year) → summary; an agency-year printed by two different reports is left out."""
    out: dict = {}
    twice = set()
    for rep in reports:
        s = rep.get("era_a")
        if not s:
            continue
        k = (agency_key(s["agency"]), int(s["year"]))
        if k in out and out[k] != s:
            twice.add(k)
        out[k] = s
    for k in twice:
        del out[k]
    return out


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text))) if text else []


def _text(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue()


def _neighbours(rep: dict, index: dict) -> tuple[dict | None, dict | None]:
    """The summaries of the previous and next year's report of the same agency in the run."""
    s = rep.get("era_a")
    if not s or not index:
        return None, None
    k = (agency_key(s["agency"]), int(s["year"]))
    return index.get((k[0], k[1] - 1)), index.get((k[0], k[1] + 1))


def neighbours(rep: dict, index: dict) -> bool:
    """Whether `amend` may change this report's rows (the run holds a neighbouring year's report):
    the build decodes a report's rows for it only then."""
    return _neighbours(rep, index) != (None, None)


def amend(rep: dict, parts: dict, index: dict, fields: dict) -> None:
    """Add X1 checks and the cells X1 settles to one report's rendered rows (in place).
    `fields`: the column lists of cells.csv, checks.csv and log.csv."""
    prev, nxt = _neighbours(rep, index)
    if prev is None and nxt is None:
        return
    s = rep["era_a"]
    from .template import load
    tpl = load()
    settled = _settle(s, prev, nxt, tpl)
    if settled:
        _add_cells(rep, parts, s, settled, fields, prev, nxt)
        s = dict(s, cells={**s["cells"], **{r: {"this_year": a, "cumulative": b} for r, (a, b) in settled.items()}})
    if prev is not None:
        _x1_checks(rep, parts, s, prev, fields, tpl, set(settled))


def _settle(s: dict, prev: dict | None, nxt: dict | None, tpl) -> dict:
    from . import split as S
    if not s["ambiguous"]:
        return {}
    fixed = {r: (int(v["this_year"]), int(v["cumulative"])) for r, v in s["cells"].items()
             if "this_year" in v and "cumulative" in v and r not in s["runs"]}
    money = set(s.get("money", ()))    # amounts are kept in 万元, runs in the printed unit
    prev_cum = {r: v["cumulative"] for r, v in (prev or {}).get("cells", {}).items()
                if "cumulative" in v and r not in money}
    next_year = {r: (v["this_year"], v["cumulative"]) for r, v in (nxt or {}).get("cells", {}).items()
                 if "this_year" in v and "cumulative" in v and r not in money}
    out = S.solve(s["runs"], fixed, list(tpl.identities), s["prose"], prev_cum, next_year,
                  cumulative_first=s.get("cumulative_first", False))
    return {r: out.values[r] for r in s["ambiguous"] if r in out.values}


def _add_cells(rep, parts, s, settled, fields, prev, nxt) -> None:
    from ..values import fmt
    from .template import load
    cf, lf = fields["cells"], fields["log"]
    cells, log = _rows(parts.get("cells", "")), _rows(parts.get("log", ""))
    ri, mi = lf.index("row_key"), lf.index("message")
    years = " and ".join(str(x["year"]) for x in (prev, nxt) if x is not None)
    wide_keys = fields.get("wide_stats", ())
    wide = parts.get("wide", {}).get(load().table)
    for row, (ty, cum) in settled.items():
        digits = s["runs"][row]
        log = [r for r in log if not (r[ri] == row and "run-together" in r[mi] and "left empty" in r[mi])]
        log.append([dict(zip(lf, [rep["report_id"], "info", load().table, row, "", "",
                                  f"run-together cells {digits!r} read as {ty} | {cum}: settled by X1 against "
                                  f"the {years} report of the same agency"]))[f] for f in lf])
        for col, v in (("this_year", ty), ("cumulative", cum)):
            v = _value(v, s["units"].get(row, ""), row in s.get("money", ()))
            d = {"report_id": rep["report_id"], "agency": rep.get("agency", ""), "year": rep.get("year", ""),
                 "template": rep.get("template", ""), "table": load().table, "row_key": row, "col_key": col,
                 "value": fmt(v), "raw": digits, "row_label": s["row_labels"].get(row, ""),
                 "col_label": s["col_labels"].get(col, col), "match_score": "100", "method": "recovered"}
            cells.append([d.get(f, "") for f in cf])
            if wide is not None and f"{row}.{col}" in wide_keys:
                wide[wide_keys.index(f"{row}.{col}")] = fmt(v)
        rep["cells"] = int(rep.get("cells") or 0) + 2
        rep["ambiguous_cells"] = max(0, int(rep.get("ambiguous_cells") or 0) - 2)
    parts["cells"], parts["log"] = _text(cells), _text(log)


def _value(v: int, unit: str, money: bool) -> float | None:
    from .. import values as V
    if money:
        return V.parse(f"{v}{unit if unit in ('元', '万元') else ''}", "money").value
    return float(v)


def _x1_checks(rep, parts, s, prev, fields, tpl, settled: set) -> None:
    from ..values import fmt
    rows = _rows(parts.get("checks", ""))
    sev = tpl.severity("X1")
    for row, v in s["cells"].items():
        p = prev["cells"].get(row, {})
        if "cumulative" not in v or "this_year" not in v or "cumulative" not in p:
            continue
        lhs, rhs = v["cumulative"], p["cumulative"] + v["this_year"]
        ok = abs(lhs - rhs) < 1e-6
        msg = ("used to settle run-together cells: not independent evidence" if row in settled else "") if ok else (f"{row} cumulative does not continue the {prev['year']} report's "
                             f"(printed {fmt(lhs)}, expected {fmt(p['cumulative'])} + {fmt(v['this_year'])} = {fmt(rhs)})")
        d = {"report_id": rep["report_id"], "check_id": "X1", "table": tpl.table, "scope": row,
             "expression": f"cumulative({s['year']}) = cumulative({prev['year']}) + this_year({s['year']}) [{row}]",
             "lhs": fmt(lhs), "rhs": fmt(rhs), "diff": fmt(lhs - rhs), "status": "pass" if ok else "fail",
             "severity": sev, "message": msg}
        rows.append([d.get(f, "") for f in fields["checks"]])
    parts["checks"] = _text(rows)
