"""Find the standard tables in a document and map every printed cell to its stable key.

A chain of named stages over the result model (result.py), each a function of its inputs:

    detect template → score labels → align rows → (run-together recovery, recover.py)
    → fill gaps → variants → values to columns → displaced numbers (displaced.py)

`detect_template` counts the templates' signature labels; `score_matrix` scores every candidate
line against every row of a table; `align_rows` maps lines to rows (in any order, or as a
monotone alignment so a weak or repeated label cannot jump the sequence, as the table's
`reading` in the registry says); `fill_gaps` gives label-less value rows the gap they fill
exactly; `variant_position` and `merged_rows` find a variant column and sub-rows printed as
one row; `row_cells` reads each row's values into its columns, logging whatever cannot be
placed with certainty; `side_by_side_cells` reads a table whose rows are printed side by side
after its heading. `recover.recover` / `recover.recovered_table` and `displaced.place` are
peer stages in their own modules. What a template looks like comes from the registry only.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from parsers.formats import OCR_FORMATS
from parsers.model import Document

from . import column_recheck as CR
from . import forced as F
from . import foreign as FL
from . import ocr_rows as OR
from . import match as M
from . import placement_check as PC
from . import normalize as N
from . import displaced as D
from . import recover as R
from . import values as V
from .lines import Line, document_lines
from .result import CellValue, Extraction, Note, TableCells
from .templates import Column, MergedRows, Row, Template, TableSpec, get, load

__all__ = ["extract", "detect_template", "score_matrix", "align_rows", "fill_gaps", "CellValue", "Note",
           "Extraction"]


# ---------------------------------------------------------------- detect template
def template_hits(doc: Document) -> dict[str, int]:
    """How many of each template's signature labels occur in the document's text."""
    text = N.compact(doc.text())
    hits = {tid: sum(1 for s in t.signature if N.label_key(s) in text) for tid, t in load().items()}
    if not any(hits.values()):   # perhaps traditional characters (a mirror site's copy)
        text = N.to_simplified(text)
        hits = {tid: sum(1 for s in t.signature if N.label_key(s) in text) for tid, t in load().items()}
    return hits


def best_templates(hits: dict[str, int]) -> list[str]:
    """The templates with the most signature hits (several on a tie); none when no label occurs."""
    best = max(hits.values(), default=0)
    return [tid for tid, h in hits.items() if h == best] if best else []


def detect_template(lines: list[Line], doc: Document) -> tuple[Optional[str], dict[str, int]]:
    """The template whose signature labels occur most; None when no label occurs or on a tie."""
    hits = template_hits(doc)
    top = best_templates(hits)
    return (top[0] if len(top) == 1 else None), hits


# ---------------------------------------------------------------- score labels
def candidates(lines: list[Line]) -> list[Line]:
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


# ---------------------------------------------------------------- align rows
Aligned = dict[int, tuple[int, float]]     # line position in the candidates → (row index, score)


def align_in_order(score: list[list[float]], n_rows: int) -> Aligned:
    """Monotone alignment of lines to template rows maximizing the summed label scores
    (`score` from score_matrix)."""
    n, m = len(score), n_rows
    # dp[i][j]: best total over lines[:i], rows[:j]
    dp = [[0.0] * (m + 1) for _ in range(n + 1)]
    back = [[0] * (m + 1) for _ in range(n + 1)]
    weak = M.WEAK
    unmatched = [0] + [1] * m      # the back pointers of a line that matches no row (never changed)
    for i in range(1, n + 1):
        prev, cur, cur_back, row = dp[i - 1], dp[i], back[i], score[i - 1]
        if not any(row):
            # dp rises with j, so with no score the row above wins every cell (how 1): most
            # lines of a document match no row of a given table
            dp[i], back[i] = prev, unmatched     # neither is written again
            continue
        left = cur[0]
        for j in range(1, m + 1):
            best, how = prev[j], 1
            if left > best:
                best, how = left, 2
            s = row[j - 1]
            if s > 0:
                diag = prev[j - 1] + s - weak + 1
                if diag > best:
                    best, how = diag, 3
            cur[j] = left = best
            cur_back[j] = how
    out: Aligned = {}
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


def align_any_order(score: list[list[float]]) -> Aligned:
    """Best line for each row, each line used once, in no particular order: the sub-tables of
    主动公开 are independent and conversions sometimes print them out of order."""
    pairs = [(s, -i, i, j) for i, row in enumerate(score) for j, s in enumerate(row) if s > 0]
    out: Aligned = {}
    used_rows: set[int] = set()
    for s, _, i, j in sorted(pairs, reverse=True):
        if i in out or j in used_rows:
            continue
        out[i] = (j, s)
        used_rows.add(j)
    return out


def align_rows(spec: TableSpec, score: list[list[float]]) -> Aligned:
    """Lines to rows as the table's `reading` says (any_order, or in_order otherwise)."""
    if spec.reading == "any_order":
        return align_any_order(score)
    return align_in_order(score, len(spec.rows))


def one_table_per_line(aligned: dict[str, Aligned]) -> None:
    """A line claimed by several tables stays with the best score (the earlier table on a tie)."""
    tables = list(aligned)
    for a_pos, a in enumerate(tables):
        for b in tables[a_pos + 1:]:
            for k in set(aligned[a]) & set(aligned[b]):
                loser = a if aligned[a][k][1] < aligned[b][k][1] else b
                del aligned[loser][k]


# ---------------------------------------------------------------- fill gaps
def has_label(ln: Line) -> bool:
    return any(N.label_key(c.text) for c in ln.labels)


def fill_gaps(all_lines: list[Line], assigned: Aligned, taken: set[int], cands: list[Line]) -> list[tuple[int, int]]:
    """Label-less value rows between two aligned rows take the skipped template rows in order,
    but only when their number equals the number of skipped rows exactly: [(line index, row)]."""
    by_line = sorted((cands[k].index, r) for k, (r, _) in assigned.items())
    out = []
    for (a_idx, a_row), (b_idx, b_row) in zip(by_line, by_line[1:]):
        missing = list(range(a_row + 1, b_row))
        if not missing:
            continue
        between = [ln for ln in all_lines
                   if a_idx < ln.index < b_idx and ln.values and ln.index not in taken
                   and not has_label(ln) and len(ln.values) >= 2]
        if len(between) == len(missing):
            out += [(ln.index, r) for ln, r in zip(between, missing)]
    return out


# ---------------------------------------------------------------- values to columns: helpers
def windows(values: list, n: int) -> list[int]:
    """Start positions of the runs of `n` cells left after trimming only blank cells at the ends."""
    if len(values) == n:
        return [0]
    out = []
    for s in range(len(values) - n + 1):
        if all(V.is_blank(c.text) for c in values[:s]) and all(V.is_blank(c.text) for c in values[s + n:]):
            out.append(s)
    return out


def fit(values: list, n: int, anchor: Optional[int] = None, leading: bool = False) -> Optional[list]:
    """The `n` value cells of a row: blank cells at the ends are trimmed. When blanks stand at
    both ends, the grid column where the table's other rows start their values (`anchor`)
    decides, or, for cells that follow their label directly (`leading`), the first cell;
    otherwise the row is ambiguous and None is returned."""
    starts = windows(values, n)
    if len(starts) > 1 and leading:
        starts = starts[:1] if starts[0] == 0 else []
    elif len(starts) > 1 and anchor is not None:
        starts = [s for s in starts if values[s].col == anchor]
    return list(values[starts[0]:starts[0] + n]) if len(starts) == 1 else None


@dataclass
class Layout:
    """Facts of the document's grid the row readers share, computed once per table block."""
    lines: list[Line]
    headers: dict[str, str]
    _anchors: dict = field(default_factory=dict)
    _filled: dict = field(default_factory=dict)
    _blocks: dict = field(default_factory=dict)

    def block_lines(self, block: int) -> list[Line]:
        """The lines of one table block, in document order (grouped once for every block)."""
        if not self._blocks and self.lines:
            for ln in self.lines:
                self._blocks.setdefault(ln.block, []).append(ln)
        return self._blocks.get(block, [])

    def anchor(self, block: int, n: int) -> Optional[int]:
        """The grid column where rows of `n` values start in this table, from its unambiguous rows."""
        if (block, n) not in self._anchors:
            starts = Counter()
            for ln in self.block_lines(block):
                if ln.grid and len(ln.values) >= n:
                    w = windows(ln.values, n)
                    if len(w) == 1:
                        starts[ln.values[w[0]].col] += 1
            col = None
            if starts:
                (col, k), *rest = starts.most_common(2)
                col = col if not rest or rest[0][1] < k else None
            self._anchors[(block, n)] = col
        return self._anchors[(block, n)]

    def filled_columns(self, block: int) -> set[int]:
        """Grid columns that hold a number in some row of this table."""
        if block not in self._filled:
            self._filled[block] = {c.col for ln in self.block_lines(block) for c in ln.filled}
        return self._filled[block]


_HEADER_PLANS: dict[int, tuple] = {}    # id(template) → (template, plan): templates hold dicts, unhashable


def _header_plan(tpl: Template) -> tuple:
    """Per column of the template: its output name, the column, the label keys of its forms and
    the key lengths a printed text may have to reach the bar (84, with a margin below the 85
    accepted, so float rounding stays on the safe side) whatever its characters: a text of any
    other length is not compared, and the best of the rest is the same."""
    plan = []
    for t, spec in tpl.tables.items():
        for ck, col in spec.columns.items():
            keys = tuple(N.label_key(f) for f in (col.label, *col.aliases))
            width = len(keys[0]) + 4
            lens = frozenset(n for n in range(width + 1)
                             if max(M.similarity_bound(n, len(k)) for k in keys) >= 84)
            plan.append((f"{t}/{ck}", col, keys, lens))
    return tuple(plan)


def header_plan(tpl: Template) -> tuple:
    """_header_plan(tpl), made once per template object."""
    got = _HEADER_PLANS.get(id(tpl))
    if got is None or got[0] is not tpl:
        got = _HEADER_PLANS[id(tpl)] = (tpl, _header_plan(tpl))
    return got[1]


def header_labels(tpl: Template, lines: list[Line]) -> dict[str, str]:
    """Printed column labels ("table/col" → text), from cells of lines that carry no values."""
    texts = list(dict.fromkeys(c.text for ln in lines if not ln.filled for c in ln.labels if len(c.text) <= 24))
    by_key: dict[str, str] = {}
    for x in texts:
        by_key.setdefault(N.label_key(x), x)
    by_len: dict[int, list[str]] = {}
    for k, x in by_key.items():
        by_len.setdefault(len(k), []).append(x)
    out = {}
    for name, col, keys, lens in header_plan(tpl):
        exact = next((by_key[k] for k in keys if k in by_key), None)
        if exact is not None:
            out[name] = N.clean(exact)
            continue
        best = max(((M.score_header(x, col.label, col.aliases), x) for n in lens & by_len.keys()
                    for x in by_len[n]), default=(0, ""))
        if best[0] >= 85:
            out[name] = N.clean(best[1])
    return out


# ---------------------------------------------------------------- values to columns
def cell_value(part: TableCells, layout: Layout, row_key: str, col: Column, raw: Optional[str], label: str,
               score: float, ln: Line, src) -> CellValue:
    """One cell from its printed text, with a note when the text is unreadable or negative.
    Built with positional arguments (CellValue's field order; tests/test_fast_paths.py checks
    it against keywords): a dataclass call by 11 keywords costs three times as much."""
    v = V.parse(raw, col.kind) if raw is not None else _BLANK
    if not v.ok:
        part.note("warning", row_key, col.key, f"unreadable value {raw!r} kept in raw: {v.note}", ln.page)
    elif v.note and "negative" in v.note:
        part.note("warning", row_key, col.key, v.note, ln.page)
    table = part.table
    col_label = layout.headers.get(f"{table}/{col.key}", col.label) if layout.headers else col.label
    score = _rounded(score)
    if src is None:
        return CellValue(table, row_key, col.key, v.value, N.clean(raw or ""), label, col_label, score, ln.page)
    cell = CellValue(table, row_key, col.key, v.value, N.clean(raw or ""), label, col_label,
                     score, src.page, src.bbox, "read", False, False, src.pos)
    conf = getattr(src, "confidence", None)
    if conf is not None:     # a cell read from an OCR page: method `ocr` and the engine's scores
        cell.method, cell.confidence, cell.char_confidence = "ocr", conf, src.char_confidence
    return cell


_BLANK = V.Value(None)
_ROUNDED: dict[float, float] = {}    # round(score, 1) of the match scores met (a few dozen distinct)


def _rounded(score: float) -> float:
    """round(score, 1) (a float's round goes through its decimal digits: a few thousand
    instructions, on every cell), kept for a float score other than zero (0.0 and -0.0 are one
    key, two results; an int rounds to an int) while few are kept."""
    if score.__class__ is float:
        got = _ROUNDED.get(score)
        if got is not None:
            return got
    got = round(score, 1)
    if score and score.__class__ is float and len(_ROUNDED) < 4096:
        _ROUNDED[score] = got
    return got


def row_values(layout: Layout, ln: Line, row: Row, n: int) -> tuple[Optional[list], Optional[str]]:
    """The row's `n` value cells, and its label when some label cells turned out to be values."""
    # cells of a re-flowed line follow its label directly: they start at the first one
    anchor = layout.anchor(ln.block, n) if ln.grid else None
    vals = fit(ln.values, n, anchor, leading=not ln.grid)
    if vals is None and ln.grid and len(ln.values) > n:
        # columns no row of the table fills with a number came from header words placed
        # between the value columns (whitespace layouts): without them the row may fit
        vals = fit([c for c in ln.values if c.col in layout.filled_columns(ln.block)], n)
    if vals is None and len(ln.labels) > 1 and len(ln.values) < n:
        # text printed in a value cell ("见附件") was read as part of the label: the cells
        # after the one that carries the row's label are values
        k = max(range(len(ln.labels)), key=lambda i: M.score_text(ln.labels[i].text, row))
        vals = fit(ln.labels[k + 1:] + ln.values, n)
        if vals is not None:
            return vals, N.clean(" ".join(c.text for c in ln.labels[:k + 1]))
    return vals, None


def row_cells(part: TableCells, layout: Layout, row: Row, ln: Line, score: float, cols: list[Column],
              tpl: Optional[Template] = None) -> None:
    """Read one line's values into the row's columns; an ambiguous row is left empty and logged."""
    label = N.clean(ln.label)
    if ln.positional and len(ln.filled) == len(cols) and (not ln.doubt or ln.ordered):
        # every column printed, each number one cell: the order places them, not positions
        part.cells += [cell_value(part, layout, row.key, col, cell.text, label, score, ln, cell)
                       for col, cell in zip(cols, ln.filled)]
        return
    if ln.doubt:   # numbers the reader could not place
        return leave_empty(part, layout, row, ln, score, cols, label, f"row {row.label}: {ln.doubt}")
    vals = None
    if ln.values:
        vals, relabel = row_values(layout, ln, row, len(cols))
        label = relabel or label
        if vals is None:
            return leave_empty(part, layout, row, ln, score, cols, label,
                               f"row {row.label}: {len(ln.filled)} numbers printed for {len(cols)} columns "
                               f"({' | '.join(c.text for c in ln.values)})", "each belongs to")
    if vals is None:   # the row prints its label only (every cell blank)
        part.cells += [cell_value(part, layout, row.key, col, "", label, score, ln, None) for col in cols]
        return
    doubt = placement_doubt(tpl, part.table, cols, vals, ln) if tpl is not None else None
    if doubt:
        return leave_empty(part, layout, row, ln, score, cols, label, f"row {row.label}: {doubt}")
    by_position = ln.positional and len(ln.filled) < len(cols)
    for col, cell in zip(cols, vals):
        part.cells.append(cell_value(part, layout, row.key, col, cell.text, label, score, ln, cell))
        part.cells[-1].by_position = by_position


def placement_doubt(tpl: Template, table: str, cols: list[Column], vals: list, ln: Line) -> Optional[str]:
    """Why a row placed with blank cells is not certain: a row identity it breaks where another
    placement satisfies it (placement_check.py), or positions in a block whose columns do not
    line up with the table's."""
    doubt = PC.placement_doubt(tpl, table, cols, vals) if ln.grid else None
    if not doubt and ln.positional and len(ln.values) != len(cols) and len(ln.filled) < len(cols):
        doubt = (f"{len(ln.filled)} numbers for {len(cols)} columns placed by character position in a block "
                 f"of {len(ln.values)} columns ({' | '.join(c.text for c in ln.filled)})")
    return doubt


def leave_empty(part: TableCells, layout: Layout, row: Row, ln: Line, score: float, cols: list[Column],
                label: str, why: str, which: str = "each number belongs to") -> None:
    """A row whose numbers cannot be placed: its cells empty and marked `unplaced` (checks skip
    them rather than read them as 0), the reason and the numbers in the log."""
    part.ambiguous += len(cols)
    part.note("warning", row.key, "", f"{why}; cannot tell which column {which}, left empty", ln.page)
    for col in cols:
        part.cells.append(cell_value(part, layout, row.key, col, "", label, score, ln, None))
        part.cells[-1].unplaced = True


# ---------------------------------------------------------------- variants
def variant_position(part: TableCells, tpl: Template, spec: TableSpec, matched: list[Line]) -> Optional[tuple[int, Column]]:
    """Where a variant column (the 法人或其他组织 subtotal) sits when the rows print one number
    more than the standard columns: the position its identity settles, or None."""
    for vc in spec.variant_columns():
        n = len(spec.row_columns(spec.rows[0]))
        more = sum(1 for ln in matched if len(fit(ln.values, n + 1) or []) == n + 1 and len(ln.filled) == n + 1)
        if more <= sum(1 for ln in matched if len(ln.filled) == n):
            continue
        pos = _settled_position(tpl, spec, vc, matched)
        if pos is None:
            part.note("warning", "", vc.key,
                      f"the table has an extra {vc.label} column whose position the arithmetic does not settle")
            continue
        part.variant = True
        return pos, vc
    return None


def _settled_position(tpl: Template, spec: TableSpec, vc: Column, matched: list[Line]) -> Optional[int]:
    """The one position of `vc` among the row's cells at which its identity holds most often."""
    ident = next(i for i in tpl.identities if i.table == spec.key and i.rhs == (vc.key,))
    std = [c.key for c in spec.row_columns(spec.rows[0])]
    slots = {}
    for p in vc.positions:
        order = std[:p] + [vc.key] + std[p:]
        slots[p] = [order.index(k) for k in ident.lhs]
    votes = {p: 0 for p in vc.positions}
    for ln in matched:
        vals = [V.parse(c.text).value for c in ln.values if not V.is_blank(c.text)]
        if len(vals) != len(std) + 1 or any(v is None for v in vals):
            continue
        for p in votes:
            if abs(sum(vals[k] for k in slots[p]) - vals[p]) < 1e-9:
                votes[p] += 1
    ranked = sorted(votes.values(), reverse=True)
    best = max(votes, key=votes.get)
    return best if ranked[0] > 0 and (len(ranked) == 1 or ranked[1] < ranked[0]) else None


def merged_rows(part: TableCells, tpl: Template, spec: TableSpec, rows_seen: dict, cands: list[Line],
                taken: set[int]) -> Optional[tuple[MergedRows, Line, float]]:
    """Sub-rows printed as one row (a 2021 report keeping （六）其他处理 as the 2019 template
    printed it): when none of the sub-rows was found, the line between their neighbours that
    scores STRONG against the merged row is read as that row."""
    keys = [r.key for r in spec.rows]
    for m in tpl.merged_rows:
        if m.table != spec.key or any(keys.index(k) in rows_seen for k in m.rows):
            continue
        before = [rows_seen[keys.index(k)][0].index for k in keys[:keys.index(m.rows[0])]
                  if keys.index(k) in rows_seen]
        after = [rows_seen[keys.index(k)][0].index for k in keys[keys.index(m.rows[-1]) + 1:]
                 if keys.index(k) in rows_seen]
        lo, hi = max(before, default=-1), min(after, default=10 ** 9)
        best = max(((M.score_row([c.text for c in ln.labels], ln.context, m.row), ln) for ln in cands
                    if lo < ln.index < hi and ln.values and ln.index not in taken),
                   key=lambda x: x[0], default=(0.0, None))
        if best[0] < M.STRONG:
            continue
        taken.add(best[1].index)
        part.merged += (m,)
        part.note("info", m.row.key, "", m.note, best[1].page)
        return m, best[1], best[0]
    return None


# ---------------------------------------------------------------- tables read by alignment
def match_notes(part: TableCells, spec: TableSpec, ln: Line, r: int, s: float, scores: list[float]) -> None:
    """Log a weak label accepted for its place in the sequence, or one that fits two rows."""
    key, rival = spec.rows[r].key, None
    for x, o in zip(scores, spec.rows):      # the first best other row, as max() picks it
        if o.key != key and (rival is None or x > rival[0]):
            rival = (x, o)
    if rival is None:
        raise ValueError("max() arg is an empty sequence")     # as the max() this loop replaces
    if rival[0] >= M.WEAK and rival[0] >= s - 3:
        part.note("info", spec.rows[r].key, "",
                  f"ambiguous label {N.clean(ln.label)!r}: matches {spec.rows[r].label!r} ({s:.0f}) "
                  f"and {rival[1].label!r} ({rival[0]:.0f}); the row order decided", ln.page)
    if s < M.STRONG:
        part.note("info", spec.rows[r].key, "",
                  f"weak label match {s:.0f}: {N.clean(ln.label)!r} read as {spec.rows[r].label!r} "
                  f"(accepted because it falls in sequence)", ln.page)


def aligned_table(tpl: Template, spec: TableSpec, layout: Layout, cands: list[Line], aligned: Aligned,
                  scores: list, taken: set[int]) -> TableCells:
    """One table from its aligned lines, the label-less rows that fill gaps, and the variants
    (a variant column, merged rows); every template row gets its cells or a note."""
    part = TableCells(spec.key)
    taken |= {cands[k].index for k in aligned}
    rows_seen: dict[int, tuple[Line, float, str]] = {}
    for k, (r, s) in aligned.items():
        rows_seen[r] = (cands[k], s, "")
        match_notes(part, spec, cands[k], r, s, scores[k])
    gaps = fill_gaps(layout.lines, aligned, taken, cands) if spec.reading == "in_order" and aligned else []
    for idx, r in gaps:
        ln = layout.lines[idx]
        taken.add(idx)
        rows_seen[r] = (ln, 0.0, "position")
        part.note("info", spec.rows[r].key, "", f"row printed without its label; placed as {spec.rows[r].label!r} "
                  f"by its position between the neighbouring rows", ln.page)
    if not rows_seen:
        part.found = False
        return part
    in_order = spec.reading == "in_order"
    extra = variant_position(part, tpl, spec, [ln for ln, _, _ in rows_seen.values()]) if in_order else None
    merged = merged_rows(part, tpl, spec, rows_seen, cands, taken) if in_order else None
    for r_idx, row in enumerate(spec.rows):
        if merged and row.key in merged[0].rows:
            if row.key == merged[0].rows[0]:
                row_cells(part, layout, merged[0].row, merged[1], merged[2], spec.row_columns(row), tpl)
            continue
        if r_idx not in rows_seen:
            part.note("warning", row.key, "", f"row not found: {row.label}")
            continue
        ln, s, how = rows_seen[r_idx]
        cols = list(spec.row_columns(row))
        if extra is not None:
            cols.insert(*extra)
        row_cells(part, layout, row, ln, s, cols, tpl)
        if how:
            for c in part.cells[-len(cols):]:
                c.row_label = ""
    return part


# ---------------------------------------------------------------- tables printed side by side
def heading_line(spec: TableSpec, lines: list[Line]) -> Optional[int]:
    """Index of the first line whose label holds the table's heading words."""
    h = spec.heading

    def is_heading(ln: Line) -> bool:
        raw = ln.text or ln.label
        if h.quick and not any(ch in raw for ch in h.quick):   # cheap test before normalizing
            return False
        key = N.label_key(raw)
        return all(w in key for w in h.all) and (not h.any or any(w in key for w in h.any))

    found = next((ln.index for ln in lines if is_heading(ln)), None)
    if found is not None or not h.any:
        return found
    # printed as small tables, one per row, under a heading worded otherwise: a line with the
    # `all` words whose header (one of the `any` words) follows within three lines
    keys = [N.label_key(ln.text or ln.label) for ln in lines]
    for k, key in enumerate(keys):
        if all(w in key for w in h.all) and any(w in x for x in keys[k + 1:k + 4] for w in h.any):
            return lines[k].index
    return None


def side_by_side_cells(tpl: Template, spec: TableSpec, layout: Layout, taken: set[int]) -> TableCells:
    """A table whose rows the template prints side by side in one data row after its heading
    (行政复议 / 未经复议直接起诉 / 复议后起诉, five numbers each), or as one line per row."""
    part = TableCells(spec.key, found=False)
    heading = heading_line(spec, layout.lines) if spec.heading else None
    if heading is None:
        return part
    groups = [(row, spec.row_columns(row)) for row in spec.rows]
    width = sum(len(cols) for _, cols in groups)
    for ln in layout.lines[heading:]:
        if ln.index in taken or not ln.values:
            continue
        vals = fit(ln.values, width)
        doubt = side_by_side_doubt(tpl, spec, groups, ln, vals) if len(ln.filled) >= len(groups[0][1]) else ""
        if doubt:   # the table is found; its numbers are left empty, marked, and logged
            part.found = True
            part.ambiguous += width
            part.note("warning", "", "", f"{spec.key} row: {doubt}; cannot tell which column each number "
                      f"belongs to, left empty", ln.page)
            for row, cols in groups:
                for col in cols:
                    part.cells.append(cell_value(part, layout, row.key, col, "", "", 100.0, ln, None))
                    part.cells[-1].row_label, part.cells[-1].unplaced = row.label, True
            return part
        if vals is None:
            if len(ln.filled) >= len(groups[0][1]):
                break      # a per-group layout: one row of numbers per group
            continue
        part.found = True
        it = iter(vals)
        for row, cols in groups:
            for col in cols:
                cell = next(it)
                part.cells.append(cell_value(part, layout, row.key, col, cell.text, "", 100.0, ln, cell))
                part.cells[-1].row_label = row.label
        return part
    # grouped rows: labels 行政复议 / 直接起诉 / 复议后起诉 with five numbers each; a group's title
    # row (行政复议 over its own header, cells blank) is not its data row
    rows = [ln for ln in layout.lines[heading:] if ln.filled and ln.labels and ln.index not in taken]
    aligned = align_in_order(scores_without_foreign(part, rows, spec, tpl), len(spec.rows))
    part.found = bool(aligned)
    for k, (r, s) in sorted(aligned.items()):
        row_cells(part, layout, spec.rows[r], rows[k], s, spec.row_columns(spec.rows[r]), tpl)
    return part


def side_by_side_doubt(tpl: Template, spec: TableSpec, groups: list, ln: Line, vals: Optional[list]) -> str:
    """Why the one data row of a side-by-side table cannot be placed with certainty, or ""."""
    if ln.doubt:
        return ln.doubt
    width = sum(len(cols) for _, cols in groups)
    if vals is None or len(ln.filled) == width:
        return ""
    if ln.positional and len(ln.values) != width:
        return (f"{len(ln.filled)} numbers for {width} columns placed by character position in a block of "
                f"{len(ln.values)} columns ({' | '.join(c.text for c in ln.filled)})")
    start = 0
    for _, cols in groups:
        why = PC.placement_doubt(tpl, spec.key, cols, vals[start:start + len(cols)])
        if why:
            return why
        start += len(cols)
    return ""


def scores_without_foreign(part: TableCells, lines: list[Line], spec: TableSpec, tpl: Template) -> list[list[float]]:
    """score_matrix for the table, with lines that match another table's row (or a title)
    better vetoed (foreign.py) and, where they print numbers, logged."""
    scores = score_matrix(lines, spec, tpl.id)
    for i, label, other in FL.veto_foreign(lines, scores, tpl.id, spec.key):
        ln = lines[i]
        if ln.filled:   # a header line would not have given numbers anyway
            part.note("info", "", "", f"label {N.clean(ln.label)!r} matches {label!r} of another table "
                      f"({other:.0f}) better than any row of this table: not taken as a row here", ln.page)
    return scores


# ---------------------------------------------------------------- displaced numbers
def displaced_numbers(tpl: Template, ex: Extraction, taken: set[int]) -> None:
    """Stray numbers inside a table, put back where the arithmetic agrees (displaced.py)."""
    for t, spec in tpl.tables.items():
        if spec.displaced is None or t not in ex.tables_found:
            continue
        rows = sorted(taken)
        if not rows or not any(c.table == t for c in ex.cells):
            continue
        first, last = rows[0], rows[-1]
        orphans = [ln for ln in ex.lines if first < ln.index < last and ln.index not in taken
                   and not has_label(ln) and not ln.doubt and len(ln.values) == 1 and len(ln.filled) == 1]
        for key, idents in D.place(ex.cells, tpl, spec, orphans):
            ex.placed.append((key, idents))
            cell = ex.get(*key)
            ex.notes.append(Note("info", key[0], key[1], key[2],
                                 f"the number {cell.raw} printed on its own inside the table was put back into "
                                 f"this empty cell: {' and '.join(idents)} both require exactly {cell.raw} there",
                                 cell.page))


# ---------------------------------------------------------------- the chain
def read_tables(tpl: Template, lines: list[Line]) -> Extraction:
    """Every table of the template from the document's lines."""
    cands = candidates(lines)
    layout = Layout(lines, header_labels(tpl, lines))
    by_alignment = [t for t, s in tpl.tables.items() if s.reading != "side_by_side"]
    vetoes = {t: TableCells(t, found=False) for t in by_alignment}   # notes on foreign labels
    scores = {t: scores_without_foreign(vetoes[t], cands, tpl.tables[t], tpl) for t in by_alignment}
    aligned = {t: align_rows(tpl.tables[t], scores[t]) for t in by_alignment}
    # tables whose cells ran together in the text are recovered by arithmetic (recover.py)
    recovery = R.recover(tpl, lines, frozenset(t for t, a in aligned.items() if a))
    claimed = set(recovery.rows) if recovery else set()
    for t in claimed & set(aligned):
        aligned[t] = {}
    one_table_per_line(aligned)
    ex = Extraction(template=tpl.id, lines=lines, recovery=recovery)
    for part in vetoes.values():
        ex.add(part)
    taken: set[int] = set()
    for t, spec in tpl.tables.items():
        if t in claimed:
            ex.add(R.recovered_table(spec, recovery, layout.headers))
        elif spec.reading == "side_by_side":
            ex.add(side_by_side_cells(tpl, spec, layout, taken))
        else:
            ex.add(aligned_table(tpl, spec, layout, cands, aligned[t], scores[t], taken))
    displaced_numbers(tpl, ex, taken)
    OR.unplace_shifted(ex, tpl)     # OCR pages: a number outside its label's row band is left empty
    for table, key, printed, failed in CR.unplace_doubtful_rows(ex, tpl):
        ex.notes.append(Note("warning", table, key, "", f"row placed by character position ({printed}) left empty: "
                             f"{failed} fail in its table, so a number may sit in the wrong column"))
    return ex


def forced_template(doc: Document, lines: list[Line], template: str) -> Extraction:
    """A template forced with --template, checked against the labels (forced.py): refused (an
    empty extraction saying why), used with a warning, or used as is."""
    verdict = F.judge_forced(template, template_hits(doc), {t: len(x.signature) for t, x in load().items()})
    if verdict.action == "refuse":
        return Extraction(template=template, lines=lines, refused=verdict.message)
    ex = read_tables(get(template), lines)
    if verdict.action == "warn":
        ex.warnings.append(verdict.message)
        ex.notes.append(Note("warning", "", "", "", verdict.message))
    return ex


def extract(doc: Document, template: Optional[str] = None) -> Extraction:
    """The tables of `doc` read against `template` (default: detected; on a tie, each tied
    template is tried and the one that maps more rows is kept)."""
    lines = document_lines(doc)
    if template is not None:
        ex = forced_template(doc, lines, template)
    else:
        tids = best_templates(template_hits(doc))
        if not tids:
            return Extraction(template=None, lines=lines)
        ex = max((read_tables(get(t), lines) for t in tids), key=lambda e: len(e.cells) - len(e.notes))
    if doc.format in OCR_FORMATS:
        OR.distrust_splits(ex)      # an OCR reading may lose digits: its run-together splits are guesses
    return ex
