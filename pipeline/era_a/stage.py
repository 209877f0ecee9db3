"""The era-A stage: a document the modern templates do not read, as an `Extraction` of table
`stats` (appendix cells read or recovered, prose figures), or None when it is not era A.

Called by the report flow only when no 2019/2021 table was found and the report's year is not
after the template's last year (a report of 2019 or later is never read as 2008).
"""
from __future__ import annotations

from collections import Counter
from typing import Optional

from parsers.formats import OCR_FORMATS
from parsers.model import Document

from .. import values as V
from ..result import CellValue, Extraction, Note
from . import appendix as A
from . import prose as P
from . import split as S
from .stream import build
from .template import EraATemplate, load


def applies(year: Optional[int], tpl: Optional[EraATemplate] = None) -> bool:
    tpl = tpl or load()
    return year is None or year <= tpl.last_year


def extract(doc: Document, year: Optional[int], neighbours: Optional[dict] = None) -> Optional[Extraction]:
    """Appendix and prose of an era-A report. With an unknown year only an appendix counts.
    `neighbours` = {"prev_cum": {row: value}, "next": {row: (this_year, cumulative)}} for X1."""
    tpl = load()
    if not applies(year, tpl):
        return None
    text = doc.text()
    if tpl.anchors and not any(a in text for a in tpl.anchors):
        return None
    plain = None
    for simplified in (False, True):   # a mirror site's copy in traditional characters: read simplified
        stream = build(doc, simplified)
        if simplified and stream.text == plain:
            return None
        app = A.find(stream, tpl, year)
        found = P.find(doc, stream, year, exclude=(app.start, app.end) if app.rows else None) if year is not None else []
        figures = P.emitted(found)
        if app.rows or figures:
            break
        plain = stream.text
    else:
        return None
    ex = Extraction(template=tpl.id)
    if app.rows:
        ex.era_a = {"status": "ok", "reason": "", "split": None}
    else:
        ex.era_a = {"status": "partial", "split": None,
                    "reason": f"no statistics appendix: {len(figures)} figures from the prose only"}
    if app.rows:
        ex.tables_found.append(tpl.table)
        _appendix_cells(ex, app, tpl, figures, neighbours or {}, doc.format in OCR_FORMATS)
    for f in figures:
        ex.cells.append(CellValue(table=tpl.table, row_key=f.key, col_key=f.col, value=f.value, raw=f.raw,
                                  row_label=f.label, col_label="prose", match_score=100.0, page=f.page,
                                  method="prose"))
    for n in P.notes(found):
        ex.notes.append(Note("info", tpl.table, n[0], n[1], n[2]))
    return ex


def _note(ex: Extraction, level: str, row: str, col: str, msg: str, page=None) -> None:
    ex.notes.append(Note(level, load().table, row, col, msg, page))


def _value(text: str, unit: str, kind: str) -> V.Value:
    """A printed appendix value; a dash or slash (not applicable) stays blank, not 0."""
    if not any(ch.isdigit() for ch in text):
        return V.Value(None) if V.parse(text).value == 0.0 else V.parse(text)
    if kind == "money":
        if unit in ("元", "万元"):
            return V.parse(text + unit, "money")
        v = V.parse(text, "money")
        if v.value not in (None, 0.0):
            return V.Value(None, ok=False, note="amount printed without its unit (元 or 万元): left empty")
        return v
    return V.parse(text, "count")


def _columns(app: A.Appendix) -> list[tuple[int, str, str]]:
    """(position among the printed value columns, col_key, printed label), dropped ones left out."""
    return [(i, k, lab) for i, (k, lab) in enumerate(zip(app.col_keys, app.col_labels))
            if lab not in app.dropped_cols or not lab]


def _appendix_cells(ex: Extraction, app: A.Appendix, tpl: EraATemplate, figures: list, nb: dict, ocr: bool) -> None:
    for n in app.notes:
        _note(ex, "info", "", "", n)
    cols = _columns(app)
    ncols = len(app.col_keys)
    grid = _value_grid_columns(app, ncols)
    runs: dict[str, str] = {}
    fixed: dict[str, tuple[int, int]] = {}
    by_key = {r.key: r for r in app.rows}
    for r in app.rows:
        kind = tpl.row(r.key).kind
        if app.run_together and len(r.tokens) == 1 and r.tokens[0].text.isdigit() and len(r.tokens[0].text) >= 2:
            if [k for _, k, _ in cols] in (["this_year", "cumulative"], ["cumulative", "this_year"]) and ncols == 2:
                runs[r.key] = r.tokens[0].text
                continue
            ex.ambiguous += len(cols)
            _note(ex, "warning", r.key, "", f"run-together cells {r.tokens[0].text!r} of row {r.label}: "
                  f"{ncols} printed columns cannot be split apart; left empty", r.page)
            continue
        placed = _place(r, ncols, grid, app.col_keys.index("this_year") if "this_year" in app.col_keys else 0)
        if placed is None:
            ex.ambiguous += len(cols)
            _note(ex, "warning", r.key, "", f"row {r.label}: {len(r.tokens)} numbers printed for {ncols} columns "
                  f"({' | '.join(t.text for t in r.tokens)}); cannot tell which column each belongs to, left empty",
                  r.page)
            continue
        if len(r.tokens) == 1 and ncols >= 2:
            _note(ex, "info", r.key, "", f"row {r.label} prints one number ({r.tokens[0].text}): "
                  f"read as {app.col_keys[placed[0][0]]}, the other column empty", r.page)
        got = {}
        for pos, key, lab in cols:
            tok = next((t for p, t in placed if p == pos), None)
            v = _value(tok.text, r.unit, kind) if tok else V.Value(None)
            if not v.ok:
                _note(ex, "warning", r.key, key, f"unreadable value {tok.text!r}: {v.note}", r.page)
            ex.cells.append(CellValue(table=tpl.table, row_key=r.key, col_key=key, value=v.value,
                                      raw=(tok.text + (r.unit if kind == "money" and r.unit else "")) if tok else "",
                                      row_label=r.label, col_label=lab or key, match_score=100.0, page=r.page))
            got[key] = v.value
        if kind != "money" and got.get("this_year") is not None and got.get("cumulative") is not None:
            fixed[r.key] = (int(got["this_year"]), int(got["cumulative"]))
    if runs and ocr:
        _unsplit(ex, runs, by_key)
    elif runs:
        _recover(ex, app, tpl, runs, fixed, figures, nb, by_key, cols)


def _unsplit(ex: Extraction, runs: dict[str, str], by_key: dict) -> None:
    """Run-together cells of a document read by OCR are left empty, never split: in scraped
    text every digit is printed, an OCR reading may have lost one, so no split is evidence."""
    for key, digits in runs.items():
        ex.ambiguous += 2
        _note(ex, "warning", key, "", f"run-together cells {digits!r} of row {by_key[key].label} read by OCR, "
              "which may have lost digits: not split; left empty", by_key[key].page)


def _value_grid_columns(app: A.Appendix, ncols: int) -> list[int]:
    """The grid columns that hold each value column, from rows printing every column."""
    votes: list[Counter] = [Counter() for _ in range(ncols)]
    for r in app.rows:
        if len(r.tokens) == ncols:
            for i, t in enumerate(r.tokens):
                if t.col >= 0:
                    votes[i][t.col] += 1
    return [v.most_common(1)[0][0] if v else -1 for v in votes]


def _place(r: A.AppendixRow, ncols: int, grid: list[int], ty_pos: int = 0) -> Optional[list[tuple[int, A.Token]]]:
    """Which printed value column each number of a row belongs to; None when it cannot tell."""
    if len(r.tokens) == ncols:
        return list(enumerate(r.tokens))
    if len(r.tokens) > ncols:
        return None
    if not r.tokens:
        return []
    if len(r.tokens) == 1:
        t = r.tokens[0]
        if t.col >= 0 and t.col in grid:
            return [(grid.index(t.col), t)]
        if t.col >= 0 and any(g >= 0 for g in grid):
            return None    # a table cell in no known value column
        return [(ty_pos, t)]    # era-a.md: a row printing one value → this_year
    return None


def _recover(ex, app, tpl, runs, fixed, figures, nb, by_key, cols) -> None:
    prose = {f.key: f.value for f in figures if f.col == "this_year" and f.value is not None}
    # a key stated twice in prose with different numbers is no evidence
    counts = Counter(f.key for f in figures if f.col == "this_year")
    prose = {k: v for k, v in prose.items() if counts[k] == 1 or
             len({f.value for f in figures if f.key == k and f.col == "this_year"}) == 1}
    first = [k for _, k, _ in cols][:1] == ["cumulative"]
    out = S.solve(runs, fixed, list(tpl.identities), prose, nb.get("prev_cum", {}), nb.get("next", {}),
                  cumulative_first=first)
    labels = {k: lab for _, k, lab in cols}
    ex.era_a["split"] = {"runs": runs, "used": sorted(out.used), "ambiguous": dict(out.ambiguous),
                         "labels": {k: by_key[k].label for k in runs}, "col_labels": labels,
                         "units": {k: by_key[k].unit for k in runs}, "cumulative_first": first}
    for key, digits in runs.items():
        r = by_key[key]
        if key in out.values:
            ty, cum = out.values[key]
            for ck, v in (("this_year", ty), ("cumulative", cum)):
                if ck not in labels:
                    continue
                value = _value(str(v), r.unit, tpl.row(key).kind).value
                ex.cells.append(CellValue(table=tpl.table, row_key=key, col_key=ck, value=value, raw=digits,
                                          row_label=r.label, col_label=labels[ck] or ck, match_score=100.0,
                                          page=r.page, method="recovered"))
            if out.reasons[key] != "the only split with cumulative ≥ this year":
                _note(ex, "info", key, "", f"run-together cells {digits!r} read as {ty} | {cum}: {out.reasons[key]}",
                      r.page)
        elif key in out.ambiguous:
            ex.ambiguous += 2
            cands = "; ".join(f"{a} | {b}" for a, b in out.ambiguous[key])
            _note(ex, "warning", key, "", f"run-together cells {digits!r} of row {r.label}: the split is not settled "
                  f"by the identities, the neighbouring years or the prose; candidates (this year | cumulative) {cands}; "
                  "left empty", r.page)
        else:
            ex.ambiguous += 2
            _note(ex, "warning", key, "", f"run-together cells {digits!r} of row {r.label}: no split gives "
                  "cumulative ≥ this year; left empty", r.page)
