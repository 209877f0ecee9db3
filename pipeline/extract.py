"""Find the standard tables in a document and map every printed cell to its stable key.

Steps, each small: detect the template from its signature labels → score every candidate line
against the template's rows → align lines to rows in order (a monotone alignment, so a weak or
repeated label cannot jump the sequence) → give label-less value rows the gap they fill exactly
→ read each row's values into its columns, logging whatever cannot be placed with certainty.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from parsers.model import Document

from . import match as M
from . import normalize as N
from . import displaced as D
from . import column_recheck as CR
from . import forced as F
from . import placement_check as PC
from . import foreign as FL
from . import recover as R
from . import values as V
from .lines import Line, document_lines
from .templates import TABLES, Template, TableSpec, get, load

APPEAL_COLS = ["upheld", "corrected", "other", "pending", "total"]
OTHER_2021 = ["other_no_correction", "other_fee_unpaid", "other_misc"]


@dataclass
class CellValue:
    table: str
    row_key: str
    col_key: str
    value: Optional[float]
    raw: str
    row_label: str
    col_label: str
    match_score: float
    page: Optional[int] = None
    bbox: Optional[tuple] = None
    method: str = "read"
    unplaced: bool = False     # left empty because its number could not be placed with certainty
    by_position: bool = False  # its row printed blank cells and was placed by character positions


@dataclass
class Note:
    level: str        # info | warning | error
    table: str
    row_key: str
    col_key: str
    message: str
    page: Optional[int] = None


@dataclass
class Extraction:
    template: Optional[str]
    cells: list[CellValue] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    tables_found: list[str] = field(default_factory=list)
    variant: bool = False
    lines: list[Line] = field(default_factory=list)
    ambiguous: int = 0
    recovery: Optional[R.Recovery] = None    # run-together tables recovered by arithmetic
    placed: list = field(default_factory=list)  # displaced numbers put back: (cell key, identities)
    single_other: bool = False   # a 2021 report printing （六）其他处理 as one row
    warnings: list[str] = field(default_factory=list)   # report-level warnings (reports.csv `warnings`)
    refused: str = ""            # why the report was not extracted at all (a contradicted --template)

    def get(self, table: str, row: str, col: str) -> Optional[CellValue]:
        for c in self.cells:
            if (c.table, c.row_key, c.col_key) == (table, row, col):
                return c
        return None


# ---------------------------------------------------------------- template detection
def detect_template(lines: list[Line], doc: Document) -> tuple[Optional[str], dict[str, int]]:
    """The template whose signature labels occur most; None when no table label occurs."""
    text = N.compact(doc.text())
    hits = {tid: sum(1 for s in t.signature if N.label_key(s) in text) for tid, t in load().items()}
    if not any(hits.values()):   # perhaps traditional characters (a mirror site's copy)
        text = N.to_simplified(text)
        hits = {tid: sum(1 for s in t.signature if N.label_key(s) in text) for tid, t in load().items()}
    best = max(hits.values())
    if best == 0:
        return None, hits
    top = [tid for tid, h in hits.items() if h == best]
    return (top[0] if len(top) == 1 else None), hits


# ---------------------------------------------------------------- alignment
def _candidates(lines: list[Line]) -> list[Line]:
    """Lines that can be table rows: a label with values, or a table line that prints only a
    label (a row left entirely blank, as whitespace layouts print it)."""
    return [ln for ln in lines if ln.labels and (ln.values or ln.grid)]


@lru_cache(maxsize=100000)
def _row_scores(template_id: str, table: str, labels: tuple[str, ...], context: tuple[str, ...]) -> tuple[float, ...]:
    return tuple(M.score_row(labels, context, r) for r in get(template_id).tables[table].rows)


def score_matrix(lines: list[Line], spec: TableSpec, template_id: str) -> list[list[float]]:
    """Label score of every line against every row of the table (0 below the acceptance bar:
    WEAK for lines with values, STRONG for lines that print only a label)."""
    out = []
    for ln in lines:
        bar = M.WEAK if ln.values else M.STRONG
        scores = _row_scores(template_id, spec.key, tuple(c.text for c in ln.labels), tuple(ln.context))
        out.append([x if x >= bar else 0.0 for x in scores])
    return out


def _align(lines: list[Line], spec: TableSpec, score: list[list[float]]) -> dict[int, tuple[int, float]]:
    """Monotone alignment of lines to template rows maximizing the summed label scores
    (`score` from score_matrix). Returns {line position in `lines`: (row index, score)}."""
    n, m = len(lines), len(spec.rows)
    # dp[i][j]: best total over lines[:i], rows[:j]
    dp = [[0.0] * (m + 1) for _ in range(n + 1)]
    back = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            best, how = dp[i - 1][j], 1
            if dp[i][j - 1] > best:
                best, how = dp[i][j - 1], 2
            s = score[i - 1][j - 1]
            if s > 0 and dp[i - 1][j - 1] + s - M.WEAK + 1 > best:
                best, how = dp[i - 1][j - 1] + s - M.WEAK + 1, 3
            dp[i][j], back[i][j] = best, how
    out: dict[int, tuple[int, float]] = {}
    i, j = n, m
    while i > 0 and j > 0:
        how = back[i][j]
        if how == 3:
            out[i - 1] = (j - 1, score[i - 1][j - 1])
            i, j = i - 1, j - 1
        elif how == 1:
            i -= 1
        else:
            j -= 1
    return out


def _assign(lines: list[Line], spec: TableSpec, score: list[list[float]]) -> dict[int, tuple[int, float]]:
    """Best line for each row, each line used once, in no particular order: the sub-tables of
    主动公开 are independent and conversions sometimes print them out of order."""
    pairs = [(s, -i, i, j) for i, row in enumerate(score) for j, s in enumerate(row) if s > 0]
    out: dict[int, tuple[int, float]] = {}
    used_rows: set[int] = set()
    for s, _, i, j in sorted(pairs, reverse=True):
        if i in out or j in used_rows:
            continue
        out[i] = (j, s)
        used_rows.add(j)
    return out


def _fill_gaps(all_lines: list[Line], assigned: dict[int, tuple[int, float]], spec: TableSpec,
               taken: set[int], cands: list[Line]) -> list[tuple[int, int]]:
    """Label-less value rows between two aligned rows take the skipped template rows in order,
    but only when their number equals the number of skipped rows exactly."""
    by_line = sorted((cands[k].index, r) for k, (r, _) in assigned.items())
    out = []
    for (a_idx, a_row), (b_idx, b_row) in zip(by_line, by_line[1:]):
        missing = list(range(a_row + 1, b_row))
        if not missing:
            continue
        between = [ln for ln in all_lines
                   if a_idx < ln.index < b_idx and ln.values and ln.index not in taken
                   and not _has_label(ln) and len(ln.values) >= 2]
        if len(between) == len(missing):
            out += [(ln.index, r) for ln, r in zip(between, missing)]
    return out


def _has_label(ln: Line) -> bool:
    return any(N.label_key(c.text) for c in ln.labels)


# ---------------------------------------------------------------- values into columns
def _windows(values: list, n: int) -> list[int]:
    """Start positions of the runs of `n` cells left after trimming only blank cells at the ends."""
    if len(values) == n:
        return [0]
    out = []
    for s in range(len(values) - n + 1):
        if all(V.is_blank(c.text) for c in values[:s]) and all(V.is_blank(c.text) for c in values[s + n:]):
            out.append(s)
    return out


def _fit(values: list, n: int, anchor: Optional[int] = None, leading: bool = False) -> Optional[list]:
    """The `n` value cells of a row: blank cells at the ends are trimmed. When blanks stand at
    both ends, the grid column where the table's other rows start their values (`anchor`)
    decides, or, for cells that follow their label directly (`leading`), the first cell;
    otherwise the row is ambiguous and None is returned."""
    starts = _windows(values, n)
    if len(starts) > 1 and leading:
        starts = starts[:1] if starts[0] == 0 else []
    elif len(starts) > 1 and anchor is not None:
        starts = [s for s in starts if values[s].col == anchor]
    return list(values[starts[0]:starts[0] + n]) if len(starts) == 1 else None


def _anchor(lines: list[Line], block: int, n: int) -> Optional[int]:
    """The grid column where rows of `n` values start in this table, from its unambiguous rows."""
    starts = Counter()
    for ln in lines:
        if ln.block == block and ln.grid and len(ln.values) >= n:
            w = _windows(ln.values, n)
            if len(w) == 1:
                starts[ln.values[w[0]].col] += 1
    if not starts:
        return None
    (col, k), *rest = starts.most_common(2)
    return col if not rest or rest[0][1] < k else None


def _subtotal_position(lines: list[Line]) -> Optional[int]:
    """In the variant with a 法人或其他组织 subtotal column, where that column sits (1 or 6 of 8)."""
    votes = {1: 0, 6: 0}
    for ln in lines:
        vals = [V.parse(c.text).value for c in ln.values if not V.is_blank(c.text)]
        if len(vals) != 8 or any(v is None for v in vals):
            continue
        for p in votes:
            orgs = [v for k, v in enumerate(vals[1:7], start=1) if k != p]
            if abs(sum(orgs) - vals[p]) < 1e-9:
                votes[p] += 1
    best = max(votes, key=votes.get)
    return best if votes[best] > 0 and votes[1] != votes[6] else None


def _line_key(ln: Line) -> str:
    raw = ln.text or ln.label
    if "议" not in raw and "議" not in raw and "维" not in raw and "維" not in raw:   # cheap test first
        return ""
    return N.label_key(raw)


def _appeals_start(lines: list[Line]) -> Optional[int]:
    """Where the appeals table starts: its section heading (行政复议 with 行政诉讼 or 结果维持 in
    one line), else a 行政复议 title with the 结果维持 header within the next three lines (the
    table printed as three small tables, one per group, under a heading worded otherwise)."""
    keys = [_line_key(ln) for ln in lines]
    for k, key in enumerate(keys):
        if "行政复议" in key and ("行政诉讼" in key or "结果维持" in key):
            return lines[k].index
    for k, key in enumerate(keys):
        if "行政复议" in key and any("结果维持" in x for x in keys[k + 1:k + 4]):
            return lines[k].index
    return None


class _Builder:
    def __init__(self, tpl: Template, lines: list[Line]):
        self.tpl = tpl
        self.lines = lines
        self.ex = Extraction(template=tpl.id, lines=lines)
        self.headers = self._header_labels()
        self._filled: dict[int, set[int]] = {}
        self._anchors: dict[tuple[int, int], Optional[int]] = {}

    def _header_labels(self) -> dict[str, str]:
        """Printed column labels, from cells of lines that carry no values."""
        texts = list(dict.fromkeys(c.text for ln in self.lines if not ln.filled for c in ln.labels
                                   if len(c.text) <= 24))
        by_key = {}
        for x in texts:
            by_key.setdefault(N.label_key(x), x)
        out = {}
        for t in TABLES:
            for ck, col in self.tpl.tables[t].columns.items():
                exact = next((by_key[k] for k in (N.label_key(f) for f in (col.label, *col.aliases)) if k in by_key),
                             None)
                if exact is not None:
                    out[f"{t}/{ck}"] = N.clean(exact)
                    continue
                width = len(N.label_key(col.label)) + 4
                best = max(((M.score_header(x, col.label, col.aliases), x) for k, x in by_key.items()
                            if len(k) <= width), default=(0, ""))
                if best[0] >= 85:
                    out[f"{t}/{ck}"] = N.clean(best[1])
        return out

    def note(self, level, table, row, col, msg, page=None):
        self.ex.notes.append(Note(level, table, row, col, msg, page))

    def emit_row(self, table: str, row_key: str, ln: Line, score: float, cols, how: str = "", row=None):
        spec = self.tpl.tables[table]
        row = row or spec.row(row_key)
        label = N.clean(ln.label)
        if ln.positional and len(ln.filled) == len(cols) and (not ln.doubt or ln.ordered):
            # every column printed, each number one cell: the order places them, not positions
            for col, cell in zip(cols, ln.filled):
                self._cell(table, row_key, col, cell, cell.text, label, score, ln, cell)
            return
        if ln.doubt:   # numbers the reader could not place
            return self._leave_empty(table, row_key, cols, label, score, ln, f"row {row.label}: {ln.doubt}")
        if not ln.values:   # the row prints its label only: every cell blank
            for col in cols:
                self._cell(table, row_key, col, None, "", label, score, ln, None)
            return
        # cells of a re-flowed line follow its label directly: they start at the first one
        anchor = self._anchor(ln.block, len(cols)) if ln.grid else None
        vals = _fit(ln.values, len(cols), anchor, leading=not ln.grid)
        if vals is None and ln.grid and len(ln.values) > len(cols):
            # columns no row of the table fills with a number came from header words placed
            # between the value columns (whitespace layouts): without them the row may fit
            vals = _fit([c for c in ln.values if c.col in self._filled_columns(ln.block)], len(cols))
        if vals is None and len(ln.labels) > 1 and len(ln.values) < len(cols):
            # text printed in a value cell ("见附件") was read as part of the label: the cells
            # after the one that carries the row's label are values
            k = max(range(len(ln.labels)), key=lambda i: M.score_text(ln.labels[i].text, row))
            vals = _fit(ln.labels[k + 1:] + ln.values, len(cols))
            if vals is not None:
                label = N.clean(" ".join(c.text for c in ln.labels[:k + 1]))
        if vals is None:
            return self._leave_empty(table, row_key, cols, label, score, ln,
                                     f"row {row.label}: {len(ln.filled)} numbers printed for {len(cols)} columns "
                                     f"({' | '.join(c.text for c in ln.values)})", "each belongs to")
        doubt = self._placement_doubt(table, cols, vals, ln)
        if doubt:
            return self._leave_empty(table, row_key, cols, label, score, ln, f"row {row.label}: {doubt}")
        for col, cell in zip(cols, vals):
            self._cell(table, row_key, col, cell, cell.text, label, score, ln, cell)
            self.ex.cells[-1].by_position = ln.positional and len(ln.filled) < len(cols)

    def _placement_doubt(self, table: str, cols: list, vals: list, ln: Line) -> Optional[str]:
        """Why a row placed with blank cells is not certain: a row identity it breaks where
        another placement satisfies it, or positions in a block whose columns do not line up."""
        doubt = PC.placement_doubt(self.tpl, table, cols, vals) if ln.grid else None
        if not doubt and ln.positional and len(ln.values) != len(cols) and len(ln.filled) < len(cols):
            doubt = (f"{len(ln.filled)} numbers for {len(cols)} columns placed by character position in a block "
                     f"of {len(ln.values)} columns ({' | '.join(c.text for c in ln.filled)})")
        return doubt

    def _leave_empty(self, table, row_key, cols, label, score, ln, why: str, which: str = "each number belongs to"):
        """A row whose numbers cannot be placed: its cells empty and marked `unplaced` (checks
        skip them rather than read them as 0), the reason and the numbers in the log."""
        self.ex.ambiguous += len(cols)
        self.note("warning", table, row_key, "", f"{why}; cannot tell which column {which}, left empty", ln.page)
        for col in cols:
            self._cell(table, row_key, col, None, "", label, score, ln, None)
            self.ex.cells[-1].unplaced = True

    def _cell(self, table, row_key, col, cell, raw, label, score, ln, src):
        v = V.parse(raw, col.kind) if raw is not None else V.Value(None)
        if not v.ok:
            self.note("warning", table, row_key, col.key, f"unreadable value {raw!r} kept in raw: {v.note}", ln.page)
        elif v.note and "negative" in v.note:
            self.note("warning", table, row_key, col.key, v.note, ln.page)
        self.ex.cells.append(CellValue(
            table=table, row_key=row_key, col_key=col.key, value=v.value, raw=N.clean(raw or ""),
            row_label=label, col_label=self.headers.get(f"{table}/{col.key}", col.label),
            match_score=round(score, 1), page=src.page if src else ln.page, bbox=src.bbox if src else None))

    # ------------------------------------------------------------ tables
    def build(self) -> Extraction:
        cands = _candidates(self.lines)
        taken: set[int] = set()
        scores = {t: self._scores_without_foreign(cands, t) for t in ("active", "requests")}
        per_table = {"active": _assign(cands, self.tpl.tables["active"], scores["active"]),
                     "requests": _align(cands, self.tpl.tables["requests"], scores["requests"])}
        # tables whose cells ran together in the text are recovered by arithmetic (recover.py)
        self.recovery = self.ex.recovery = R.recover(self.tpl, self.lines,
                                                     frozenset(t for t, a in per_table.items() if a))
        claimed = set(self.recovery.rows) if self.recovery else set()
        for t in claimed & set(per_table):
            per_table[t] = {}
        # a line claimed by both tables stays with the better score
        for k in set(per_table["active"]) & set(per_table["requests"]):
            loser = "active" if per_table["active"][k][1] < per_table["requests"][k][1] else "requests"
            del per_table[loser][k]
        for t in ("active", "requests"):
            if t in claimed:
                R.emit(self, t)
            else:
                self._table(t, cands, per_table[t], scores[t], taken)
        self._appeals(taken)
        self._displaced(taken)
        self._recheck_positions()
        return self.ex

    def _recheck_positions(self) -> None:
        """Position-placed rows emptied where the column identities fail (column_recheck.py)."""
        for key, printed, failed in CR.unplace_doubtful_rows(self.ex, self.tpl):
            self.note("warning", "requests", key, "", f"row placed by character position ({printed}) left empty: "
                      f"{failed} fail in its table, so a number may sit in the wrong column")

    def _scores_without_foreign(self, lines: list[Line], t: str) -> list[list[float]]:
        """score_matrix for table `t`, with lines that match another table's row better vetoed
        (foreign.py) and logged."""
        scores = score_matrix(lines, self.tpl.tables[t], self.tpl.id)
        for i, label, other in FL.veto_foreign(lines, scores, self.tpl.id, t):
            ln = lines[i]
            if not ln.filled:   # a header line: it would not have given numbers anyway
                continue
            self.note("info", t, "", "", f"label {N.clean(ln.label)!r} matches {label!r} of another table "
                      f"({other:.0f}) better than any row of this table: not taken as a row here", ln.page)
        return scores

    def _table(self, t: str, cands: list[Line], aligned: dict, scores: list, taken: set[int]) -> None:
        """Emit one table from its aligned lines, the label-less rows that fill gaps, and the
        variants (法人或其他组织 subtotal column, a single （六）其他处理 row)."""
        spec = self.tpl.tables[t]
        taken |= {cands[k].index for k in aligned}
        rows_seen: dict[int, tuple[Line, float, str]] = {}
        for k, (r, s) in aligned.items():
            rows_seen[r] = (cands[k], s, "")
            self._note_match(t, spec, cands[k], r, s, scores[k])
        gaps = _fill_gaps(self.lines, aligned, spec, taken, cands) if t == "requests" and aligned else []
        for idx, r in gaps:
            ln = self.lines[idx]
            taken.add(idx)
            rows_seen[r] = (ln, 0.0, "position")
            self.note("info", t, spec.rows[r].key, "",
                      f"row printed without its label; placed as {spec.rows[r].label!r} by its position "
                      f"between the neighbouring rows", ln.page)
        if not rows_seen:
            return
        self.ex.tables_found.append(t)
        order = self._subtotal_column([ln for ln, _, _ in rows_seen.values()]) if t == "requests" else None
        single = self._single_other(rows_seen, cands, taken) if t == "requests" else None
        for r_idx, row in enumerate(spec.rows):
            if single and row.key in OTHER_2021:
                if row.key == OTHER_2021[0]:
                    ln, s = single
                    other = get("2019").tables["requests"].row("other_processing")
                    self.emit_row(t, other.key, ln, s, spec.row_columns(row), "", row=other)
                continue
            if r_idx not in rows_seen:
                self.note("warning", t, row.key, "", f"row not found: {row.label}")
                continue
            ln, s, how = rows_seen[r_idx]
            cols = list(spec.row_columns(row))
            if order is not None:
                cols.insert(order, spec.columns["legal_person_subtotal"])
            self.emit_row(t, row.key, ln, s, cols, how)
            if how:
                for c in self.ex.cells[-len(cols):]:
                    c.row_label = ""

    def _note_match(self, t: str, spec: TableSpec, ln: Line, r: int, s: float, scores: list[float]) -> None:
        """Log a weak label accepted for its place in the sequence, or one that fits two rows."""
        rival = max(((x, o) for x, o in zip(scores, spec.rows) if o.key != spec.rows[r].key), key=lambda x: x[0])
        if rival[0] >= M.WEAK and rival[0] >= s - 3:
            self.note("info", t, spec.rows[r].key, "",
                      f"ambiguous label {N.clean(ln.label)!r}: matches {spec.rows[r].label!r} ({s:.0f}) "
                      f"and {rival[1].label!r} ({rival[0]:.0f}); the row order decided", ln.page)
        if s < M.STRONG:
            self.note("info", t, spec.rows[r].key, "",
                      f"weak label match {s:.0f}: {N.clean(ln.label)!r} read as {spec.rows[r].label!r} "
                      f"(accepted because it falls in sequence)", ln.page)

    def _subtotal_column(self, matched: list[Line]) -> Optional[int]:
        """Where the extra 法人或其他组织 column sits when the requests rows print 8 numbers."""
        eight = sum(1 for ln in matched if len(_fit(ln.values, 8) or []) == 8 and len(ln.filled) == 8)
        seven = sum(1 for ln in matched if len(ln.filled) == 7)
        if eight <= seven:
            return None
        pos = _subtotal_position(matched)
        if pos is None:
            self.note("warning", "requests", "", "legal_person_subtotal",
                      "the table has an extra 法人或其他组织 column whose position the arithmetic does not settle")
            return None
        self.ex.variant = True
        return pos

    def _anchor(self, block: int, n: int) -> Optional[int]:
        if (block, n) not in self._anchors:
            self._anchors[(block, n)] = _anchor(self.lines, block, n)
        return self._anchors[(block, n)]

    def _filled_columns(self, block: int) -> set[int]:
        """Grid columns that hold a number in some row of this table."""
        if block not in self._filled:
            self._filled[block] = {c.col for ln in self.lines if ln.block == block for c in ln.filled}
        return self._filled[block]

    def _single_other(self, rows_seen: dict, cands: list[Line], taken: set[int]) -> Optional[tuple[Line, float]]:
        """A 2021 report that keeps （六）其他处理 as one row (as the 2019 template printed it)
        instead of its three sub-rows: the row is read as `other_processing`."""
        spec = self.tpl.tables["requests"]
        keys = [r.key for r in spec.rows]
        if self.tpl.id != "2021" or any(keys.index(k) in rows_seen for k in OTHER_2021):
            return None
        other = get("2019").tables["requests"].row("other_processing")
        before = [rows_seen[keys.index(k)][0].index for k in keys[:keys.index(OTHER_2021[0])]
                  if keys.index(k) in rows_seen]
        after = [rows_seen[keys.index(k)][0].index for k in keys[keys.index(OTHER_2021[-1]) + 1:]
                 if keys.index(k) in rows_seen]
        lo, hi = max(before, default=-1), min(after, default=10 ** 9)
        best = max(((M.score_row([c.text for c in ln.labels], ln.context, other), ln) for ln in cands
                    if lo < ln.index < hi and ln.values and ln.index not in taken),
                   key=lambda x: x[0], default=(0.0, None))
        if best[0] < M.STRONG:
            return None
        taken.add(best[1].index)
        self.ex.single_other = True
        self.note("info", "requests", "other_processing", "",
                  "（六）其他处理 is printed as one row without its three sub-rows: read as other_processing",
                  best[1].page)
        return best[1], best[0]

    def _displaced(self, taken: set[int]) -> None:
        """Stray numbers inside the requests table, put back where the arithmetic agrees."""
        used = [c for c in self.ex.cells if c.table == "requests"]
        rows = sorted(taken)
        if not used or not rows:
            return
        first, last = rows[0], rows[-1]
        orphans = [ln for ln in self.lines if first < ln.index < last and ln.index not in taken
                   and not _has_label(ln) and not ln.doubt and len(ln.values) == 1 and len(ln.filled) == 1]
        for key, idents in D.place(self.ex, self.tpl, orphans):
            self.ex.placed.append((key, idents))
            cell = self.ex.get(*key)
            self.note("info", key[0], key[1], key[2],
                      f"the number {cell.raw} printed on its own inside the table was put back into this empty "
                      f"cell: {' and '.join(idents)} both require exactly {cell.raw} there", cell.page)

    def _appeals_row_doubt(self, ln: Line, vals: Optional[list], cols: list) -> str:
        """Why the one-row appeals table (15 numbers) cannot be placed with certainty, or ""."""
        if ln.doubt:
            return ln.doubt
        if vals is None or len(ln.filled) == 15:
            return ""
        if ln.positional and len(ln.values) != 15:
            return (f"{len(ln.filled)} numbers for 15 columns placed by character position in a block of "
                    f"{len(ln.values)} columns ({' | '.join(c.text for c in ln.filled)})")
        for g in range(3):
            why = PC.placement_doubt(self.tpl, "appeals", cols, vals[g * 5:g * 5 + 5])
            if why:
                return why
        return ""

    def _appeals(self, taken: set[int]) -> None:
        if self.recovery and "appeals" in self.recovery.rows:
            R.emit(self, "appeals")
            return
        spec = self.tpl.tables["appeals"]
        cols = [spec.columns[c] for c in APPEAL_COLS]
        heading = _appeals_start(self.lines)
        if heading is None:
            return
        for ln in self.lines[heading:]:
            if ln.index in taken or not ln.values:
                continue
            vals = _fit(ln.values, 15)
            doubt = self._appeals_row_doubt(ln, vals, cols) if len(ln.filled) >= 5 else ""
            if doubt:
                self.note("warning", "appeals", "", "", f"appeals row: {doubt}; cannot tell which column "
                          f"each number belongs to, left empty", ln.page)
                return
            if vals is None:
                if len(ln.filled) >= 5:
                    # a per-group layout: 行政复议 / 未经复议直接起诉 / 复议后起诉 rows of 5
                    break
                continue
            self.ex.tables_found.append("appeals")
            for g, row in enumerate(spec.rows):
                for k, col in enumerate(cols):
                    cell = vals[g * 5 + k]
                    self._cell("appeals", row.key, col, cell, cell.text, "", 100.0, ln, cell)
                    self.ex.cells[-1].row_label = row.label
            return
        # grouped rows: labels 行政复议 / 直接起诉 / 复议后起诉 with five numbers each
        # a group's title row (行政复议 over its own header, cells blank) is not its data row
        rows = [ln for ln in self.lines[heading:] if ln.filled and ln.labels and ln.index not in taken]
        aligned = _align(rows, spec, self._scores_without_foreign(rows, "appeals"))
        if aligned:
            self.ex.tables_found.append("appeals")
            for k, (r, s) in sorted(aligned.items()):
                self.emit_row("appeals", spec.rows[r].key, rows[k], s, cols)


def _forced(lines: list[Line], doc: Document, template: str) -> Optional[Extraction]:
    """A forced template checked against the labels: refused (an empty extraction saying why),
    used with a warning, or used as is."""
    _, hits = detect_template(lines, doc)
    verdict = F.judge_forced(template, hits, {t: len(x.signature) for t, x in load().items()})
    if verdict.action == "refuse":
        return Extraction(template=template, lines=lines, refused=verdict.message)
    ex = _Builder(get(template), lines).build()
    if verdict.action == "warn":
        ex.warnings.append(verdict.message)
        ex.notes.append(Note("warning", "", "", "", verdict.message))
    return ex


def extract(doc: Document, template: Optional[str] = None) -> Extraction:
    lines = document_lines(doc)
    if template is not None:
        return _forced(lines, doc, template)
    tid = template
    hits = {}
    if tid is None:
        tid, hits = detect_template(lines, doc)
    if tid is None:
        if not any(hits.values()) if hits else True:
            return Extraction(template=None, lines=lines)
        # tie: try both, keep the one that maps more rows
        results = [_Builder(get(t), lines).build() for t in ("2019", "2021")]
        return max(results, key=lambda e: len(e.cells) - len(e.notes))
    return _Builder(get(tid), lines).build()
