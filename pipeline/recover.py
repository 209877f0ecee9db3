"""Recover tables whose cells ran together in scraped text, using the template's arithmetic.

Scrapers that flatten a web page to text print a table row as its label followed by all its
cells with no separator: `一、本年新收政府信息公开申请数量640020470` for 64, 0, 0, 2, 0, 4, 70.
This module

1. finds the template's row labels, in order, in paragraph text, each followed by a digit run
   (single spaces in a run are hard cell boundaries; the next row's printed numbering such as
   "2." is cut off the end of the previous run);
2. enumerates the splits of each run into the row's cells (no leading zeros except a lone 0;
   signs only in signed columns; decimals and 元/万元 only in money columns; a width cap per
   table), keeping those that satisfy the row identities (E3 总计 = six applicant columns, E4
   for the three appeal groups);
3. chooses jointly across the rows of 三 with the column identities (E1, E2) by a bounded
   backtracking search with interval pruning, then with numbers quoted in the prose;
4. never guesses: a cell whose candidates disagree is left empty, its raw is the printed run,
   and the candidates are logged.

Identities used to choose a split are recorded (`Recovery.used`), so the checks can say that
they pass by construction; rows and identities no split can satisfy are recorded as failures.

A peer stage of extract.py: `recover(template, lines, read)` returns a `Recovery` (result.py)
or None, `recovered_table(spec, recovery, headers)` the cells and notes of one recovered table.
What it searches for comes from the registry: each table's `recovery` rule (mode, cell width,
rows needed), the signal labels and the prose facts of [recovery] in templates.toml. The work
is proportional to the text: nothing is searched without a signal label glued to a digit, and
a label's fuzzy search runs only where a match could end just before a digit run.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

import regex

from . import normalize as N
from . import values as V
from .piecemap import PieceMap
from .result import CellValue, Note, Recovery, TableCells
from .templates import Column, TableSpec, Template, get, load, recovery_facts

MAX_NODES = 20000           # search nodes per row before giving up ("too many splits")
MAX_JOINT_NODES = 200000    # search nodes for the joint choice across rows
MAX_SOLUTIONS = 5000
WINDOW = 260                # normalized chars allowed between one row's run and the next label

# plain `re` for the patterns of literal characters and explicit classes (no \d, \s, \w): it
# reads them exactly as `regex` does and runs several times faster at each of the many places asked
_RUN = re.compile(r"[ \t\u3000\u00a0]*([0-9０-９+\-－][0-9０-９ \t\u3000\u00a0.．+\-－]*(?:万元|元)?)")
_SPACES = re.compile(r"[ \t\u3000\u00a0]+")
_DIGIT = re.compile(r"[0-9０-９]")
_SPACED_DIGITS = re.compile(r"[0-9０-９][0-9０-９ \t\u3000\u00a0]*")
_PROSE_UNIT = re.compile(r"[ \t]*[个件条项次人名家年月日号%％起场期篇份批余多倍天台辆所]")


# ---------------------------------------------------------------- data
@dataclass
class RunRow:
    table: str
    keys: list[str]                       # row key of each slot
    cols: list[Column]                    # column of each slot
    run: str                              # the printed digit run (trimmed)
    label: str = ""
    score: float = 100.0
    constraints: list = field(default_factory=list)   # (check_id, scope, lhs slots, rhs slots)
    cands: list[tuple[str, ...]] = field(default_factory=list)
    used: bool = False                    # a row identity rejected some split
    failed: bool = False                  # no split satisfies the row identities
    capped: bool = False                  # too many splits to enumerate
    page: Optional[int] = None
    end: int = 0                          # end of the run in the scanned text

    @property
    def tokens(self) -> list[str]:
        return [t for t in _SPACES.split(self.run) if t]


# ---------------------------------------------------------------- text → label positions
# the characters str.isspace() accepts (tests/test_recover.py checks the list), and two invisible ones
DROPPED = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
           "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000" "\u200b\ufeff")
_KEPT = re.compile(f"[^{re.escape(DROPPED)}]+")     # explicit characters: `re` reads them as `regex` did
_DROP = re.compile(f"[{re.escape(DROPPED)}]+")


def _normalized(text: str):
    """The comparison form of `text` (as normalize.label_key, whitespace dropped) and, for each of
    its characters, the index of the original character it came from (a PieceMap over the
    runs of kept characters; a list where some character expanded)."""
    starts: list[int] = []          # where each run of kept characters starts in the form
    stops: list[int] = []
    first: list[int] = []           # and in the text
    kept: list[str] = []
    at = 0
    for m in _KEPT.finditer(text):
        a, b = m.span()
        starts.append(at)
        at += b - a
        stops.append(at)
        first.append(a)
        kept.append(m.group())
    raw = "".join(kept)             # _DROP.sub("", text), from the same pass
    idx = PieceMap(starts, stops, first, 1, first, at)
    s = N.unify_quotes(N.fix_glyphs(raw))
    if len(s) != len(raw):          # some character expanded: map character by character
        chars: list[str] = []
        idx2: list[int] = []
        for i in idx:
            for x in N.unify_quotes(N.fix_glyphs(text[i])):
                chars.append(x)
                idx2.append(i)
        s, idx = "".join(chars), idx2
    simp = N.to_simplified(s)
    return (simp if len(simp) == len(s) else s), idx


@lru_cache(maxsize=4096)
def _before_digits(ch: str) -> re.Pattern:
    return re.compile(re.escape(ch) + "(?=[0-9+\\-])")


class _Text:
    """A text in comparison form, with the map back to the original and the places where a
    digit run follows (the only places a row label can end)."""

    def __init__(self, text: str):
        self.text = text
        self.norm, self.idx = _normalized(text)
        self._ends: dict[str, list[int]] = {}
        self._runs: dict[int, Optional[tuple[int, int, str]]] = {}   # run_at's answers
        self.found: dict[tuple, Optional[tuple[int, int, float]]] = {}    # _find_label's answers
        self.chains: dict[tuple, tuple] = {}                               # _chain_from's answers

    def back(self, i: int) -> int:
        """Normalized index at or after original index i."""
        return self.idx.first_at_least(i) if type(self.idx) is PieceMap else bisect_left(self.idx, i)

    def run_ends(self, last: str) -> list[int]:
        """Sorted normalized positions q after a character `last` where a digit run follows
        (run_at(q) is not None). A run starts with a digit or sign, which normalization keeps."""
        got = self._ends.get(last)
        if got is None:
            after = _before_digits(last)
            got = self._ends[last] = [m.end() for m in after.finditer(self.norm) if self.run_at(m.end()) is not None]
        return got

    def orig_end(self, q: int) -> int:
        """Original index just after normalized position q-1."""
        return self.idx[q - 1] + 1 if q > 0 else 0

    def run_at(self, q: int) -> Optional[tuple[int, int, str]]:
        """The digit run right after normalized position q: (start, end, text) in the original.
        Remembered: the label search and the chains ask about the same places again."""
        if q not in self._runs:
            self._runs[q] = self._run_at(q)
        return self._runs[q]

    def _run_at(self, q: int) -> Optional[tuple[int, int, str]]:
        start = self.orig_end(q)
        m = _RUN.match(self.text, start)
        if not m or not _DIGIT.search(m.group(1)):
            return None
        run = m.group(1).rstrip(" \t\u3000\u00a0")
        if _PROSE_UNIT.match(self.text, m.end()):
            return None     # "规范性文件8个": a number in a sentence, not a table row
        if run.endswith((".", "．")) and not run.endswith(("元",)):
            run = run[:-1]
        return m.start(1), m.start(1) + len(run), run


@lru_cache(maxsize=512)
def _forms(row) -> list[str]:
    out = sorted({N.label_key(x) for x in (row.label, *row.aliases)}, key=len, reverse=True)
    return [f for f in out if f]


_FUZZY_CACHE: dict[tuple[str, int], regex.Pattern] = {}


def _find_label(t: _Text, forms: list[str], lo: int, hi: int) -> Optional[tuple[int, int, float]]:
    """First occurrence of a label form in norm[lo:hi] that a digit run follows: (start, end, score).
    Remembered per text: the chains tried from several starts search the same places again."""
    key = (tuple(forms), lo, hi)
    if key not in t.found:
        t.found[key] = _search_label(t, forms, lo, min(hi, len(t.norm)))
    return t.found[key]


def _search_label(t: _Text, forms: list[str], lo: int, hi: int) -> Optional[tuple[int, int, float]]:
    best = None
    for f in forms:
        p = t.norm.find(f, lo, hi + len(f))
        while p >= 0:
            if t.run_at(p + len(f)) is not None:
                if best is None or p < best[0]:
                    best = (p, p + len(f), 100.0)
                break
            p = t.norm.find(f, p + 1, hi + len(f))
    if best is not None:
        return best
    for f in forms:
        if len(f) < 5:
            continue
        k = max(1, len(f) // 7)
        pat = _FUZZY_CACHE.get((f, k))
        if pat is None:
            pat = regex.compile(f"(?:{regex.escape(f)}){{e<={k}}}", regex.BESTMATCH)
            _FUZZY_CACHE[(f, k)] = pat
        end = min(len(t.norm), hi + len(f) + k)
        ends = t.run_ends(f[-1])
        i = bisect_left(ends, lo + 1)
        if i == len(ends) or ends[i] > end:
            continue        # no place in range where a match could end before a digit run
        if not _could_match(t.norm, f, k, ends, i, lo, end):
            continue        # no such place has enough of the label's characters before it
        for m in pat.finditer(t.norm, lo, end):
            if m.group()[-1:] != f[-1] or t.run_at(m.end()) is None:
                continue
            errs = sum(m.fuzzy_counts)
            return m.start(), m.end(), 100.0 * (1 - errs / len(f))
    return None


def _could_match(norm: str, form: str, k: int, ends: list[int], i: int, lo: int, end: int) -> bool:
    """Whether a match of `form` with at most k edits can end at one of the places ends[i:] (up
    to `end`, starting at or after `lo`): such a match keeps at least len(form) - k of the
    form's characters within the len(form) + k characters before its end. A necessary test,
    cheap beside the fuzzy scan it saves (which costs about a microsecond a character)."""
    need = len(form) - k
    want = Counter(form)
    for e in ends[i:]:
        if e > end:
            break
        got = Counter(norm[max(lo, e - len(form) - k):e])
        if sum(min(n, got[ch]) for ch, n in want.items()) >= need:
            return True
    return False


def _numbering_start(t: _Text, q: int, row) -> int:
    """Normalized start of the printed numbering ("2.", "（二）") just before a label found at q."""
    pat = _numbering_pattern(row.label)
    if pat is None:
        return q
    m = pat.search(t.norm[max(0, q - 6):q])
    return q - (len(m.group()) if m else 0)


@lru_cache(maxsize=256)
def _numbering_pattern(label: str) -> Optional[re.Pattern]:
    num = N.numbering(label)
    if not num:
        return None
    return re.compile(re.escape(num) + r"[.、．]$" if num.isdigit() else re.escape(N.fix_glyphs(num)) + "$")


def _chain(t: _Text, rows, start: int) -> list[tuple[int, int, int, float, str]]:
    """Rows found in order from `start`: (row index, run start, run end, score, label text)."""
    return list(_chain_from(t, rows, 0, start, None)[0])


def _chain_from(t: _Text, rows, r0: int, pos: int, limit: Optional[int]) -> tuple[tuple, Optional[int]]:
    """The chain's rows from row index r0, searching from `pos` up to `limit` (None: the text's
    end), and where the first of them cuts the run before it (its numbering's original start,
    None when it prints none). Remembered per text: the chains tried from several starts meet
    at the same label and then go on alike, so each rest of a chain is walked once."""
    key = (id(rows), r0, pos, limit)
    got = t.chains.get(key)
    if got is not None:
        return got
    end = len(t.norm) if limit is None else limit
    for r_idx in range(r0, len(rows)):
        row = rows[r_idx]
        hit = _find_label(t, _forms(row), pos, end)
        if hit is None:
            continue
        q0, q1, score = hit
        n0 = _numbering_start(t, q0, row)
        rs, re_, _ = t.run_at(q1)
        label = t.text[t.idx[n0]:t.orig_end(q1)]
        # the number just read may end in the next row's numbering: search on from the label end
        rest, cut = _chain_from(t, rows, r_idx + 1, q1, t.back(min(re_, len(t.text))) + WINDOW)
        # the next row's numbering may have been swallowed by this run ("…00000002.其他…")
        if cut is not None and rs < cut < re_:
            re_ = cut
        got = ((r_idx, rs, re_, score, label),) + rest, (t.orig_end(n0) if n0 < q0 else None)
        break
    else:
        got = (), None
    t.chains[key] = got
    return got


def _clean_run(text: str, rs: int, re_: int) -> str:
    run = text[rs:re_].strip()
    run = run.rstrip(".．").strip()
    return N.fix_glyphs(run) if not run.isascii() else run


# ---------------------------------------------------------------- splits
_COUNT = regex.compile(r"0|[1-9]\d*")
_SIGNED = regex.compile(r"[+\-]?(?:0|[1-9]\d*)")
_MONEY = regex.compile(r"(?:0|[1-9]\d*)(?:\.\d+)?(?:万元|万|元)?")


@lru_cache(maxsize=65536)
def _cell_ok(piece: str, kind: str, width: int) -> bool:
    """Whether `piece` can be one cell of a column of `kind` (keyed by the kind, not the column:
    the split search asks this at every node, and a column's dataclass hash is costly)."""
    if kind == "money":
        return bool(_MONEY.fullmatch(piece)) and len(piece.split(".")[0]) <= 12
    pat = _SIGNED if kind == "signed" else _COUNT
    digits = piece.lstrip("+-")
    return bool(pat.fullmatch(piece)) and len(digits) <= width


def _value(piece: str, col: Column) -> float:
    if col.kind != "money" and piece.lstrip("+-").isdigit():
        return float(int(piece))
    return _money(piece, col.kind)


@lru_cache(maxsize=4096)
def _money(piece: str, kind: str) -> float:
    v = V.parse(piece, kind).value
    return 0.0 if v is None else v


def _max_piece(col: Column, width: int) -> int:
    return 40 if col.kind == "money" else width + (1 if col.kind == "signed" else 0)


def enumerate_splits(tokens: list[str], cols: list[Column], constraints: list, width: int,
                     max_nodes: int = MAX_NODES) -> tuple[list[tuple[str, ...]], bool, bool]:
    """All splits of `tokens` into len(cols) cells valid for the columns and satisfying the
    constraints [(id, scope, lhs slots, rhs slots)]. Returns (splits, identity rejected some, capped).
    Rows that print the same run under the same columns (all zeros, say) are split once."""
    shape = tuple((c[0], tuple(c[2]), tuple(c[3])) for c in constraints)
    splits, rejected, capped = _splits(tuple(tokens), tuple(cols), shape, width, max_nodes)
    return list(splits), rejected, capped


@lru_cache(maxsize=4096)
def _splits(tokens: tuple, cols: tuple, shape: tuple, width: int, max_nodes: int) -> tuple[tuple, bool, bool]:
    constraints = [(cid, "", list(lhs), list(rhs)) for cid, lhs, rhs in shape]
    splits, rejected, capped = _split_search(list(tokens), list(cols), constraints, width, max_nodes)
    return tuple(splits), rejected, capped


def _split_search(tokens: list[str], cols: list[Column], constraints: list, width: int,
                  max_nodes: int) -> tuple[list[tuple[str, ...]], bool, bool]:
    """All splits of `tokens` into len(cols) cells valid for the columns and satisfying the
    constraints [(id, scope, lhs slots, rhs slots)]. Returns (splits, identity rejected some, capped).

    A row whose last cell is the total of all the others (E3) is split total first: the total is a
    suffix of the run, and the addends are then searched against a known target, pruned from both
    sides (running sum above the target; the most the remaining digits can add below it)."""
    n = len(cols)
    budget = {"nodes": max_nodes}
    whole = next((c for c in constraints if c[3] == [n - 1] and sorted(c[2]) == list(range(n - 1))
                  and cols[-1].kind == "count"), None)
    if whole is None or n < 2 or not tokens:
        return _enumerate(tokens, cols, constraints, width, budget, None)
    rest = [c for c in constraints if c is not whole]
    out: list[tuple[str, ...]] = []
    rejected = capped = False
    last = tokens[-1]
    for w in range(1, min(_max_piece(cols[-1], width), len(last)) + 1):
        piece = last[-w:]
        head = tokens[:-1] + ([last[:-w]] if w < len(last) else [])
        if not _cell_ok(piece, cols[-1].kind, width) or not head:
            continue
        sub, rej, cap = _enumerate(head, cols[:-1], rest, width, budget, _value(piece, cols[-1]))
        out += [x + (piece,) for x in sub]
        rejected |= rej
        capped |= cap
        if cap:
            break
    return out, rejected, capped


def _search_plan(cols: list[Column], constraints: list, width: int) -> tuple[dict, list, dict, dict, list]:
    """What the split search prunes with: constraints by the slot that completes them, the widest
    piece per slot, the running-sum bounds and forced totals of count identities, and the most
    characters slots k.. can take."""
    n = len(cols)
    at_slot: dict[int, list] = {}
    for c in constraints:
        at_slot.setdefault(max(c[2] + c[3]), []).append(c)
    maxp = [_max_piece(c, width) for c in cols]
    # a single count total after its addends bounds their running sum
    bounds: dict[int, list] = {}
    forced: dict[int, list] = {}
    for c in constraints:
        lhs, rhs = c[2], c[3]
        if len(rhs) == 1 and rhs[0] > max(lhs) and cols[rhs[0]].kind == "count":
            for k in lhs:
                bounds.setdefault(k, []).append((rhs[0], lhs))
            forced.setdefault(rhs[0], lhs)
    cap_from = [0] * (n + 1)
    for k in range(n - 1, -1, -1):
        cap_from[k] = cap_from[k + 1] + maxp[k]
    return at_slot, maxp, bounds, forced, cap_from


def _enumerate(tokens: list[str], cols: list[Column], constraints: list, width: int,
               budget: dict, target: Optional[float]) -> tuple[list[tuple[str, ...]], bool, bool]:
    """The split search; `target`: all cells must add up to it (counts only)."""
    n = len(cols)
    out: list[tuple[str, ...]] = []
    at_slot, maxp, bounds, forced, cap_from = _search_plan(cols, constraints, width)
    rest_chars = [sum(len(x) for x in tokens[i:]) for i in range(len(tokens) + 1)]
    state = {"nodes": 0, "rejected": False, "capped": False}
    max_nodes = budget["nodes"]
    pieces: list[str] = []
    vals: list[float] = []

    def rec(ti: int, ci: int, k: int) -> None:
        if state["capped"]:
            return
        state["nodes"] += 1
        if state["nodes"] > max_nodes:
            state["capped"] = True
            return
        if k == n:
            if ti == len(tokens):
                if target is not None and abs(sum(vals) - target) > 1e-6:
                    state["rejected"] = True
                    return
                out.append(tuple(pieces))
            return
        if target is not None and vals:
            done = sum(vals)
            c, m = rest_chars[ti] - ci, n - k
            most = min(10 ** min(width, c - m + 1) - 1 + 9 * (m - 1), m * (10 ** width - 1))
            if done > target + 1e-6 or done + most < target - 1e-6:
                state["rejected"] = True
                return
        if ti == len(tokens):
            return
        left = rest_chars[ti] - ci
        if n - k < len(tokens) - ti or left > cap_from[k] or left < n - k:
            return
        tok = tokens[ti]
        widths = range(1, min(maxp[k], len(tok) - ci) + 1)
        if k in forced:
            # a total whose addends are known: only its own digits can follow
            need = sum(vals[i] for i in forced[k])
            want = str(int(need)) if need >= 0 and float(need).is_integer() else ""
            allowed = len(widths)
            widths = [len(want)] if want and len(want) <= allowed and tok.startswith(want, ci) else []
            if allowed > len(widths):
                state["rejected"] = True
        for w in widths:
            piece = tok[ci:ci + w]
            end = ci + w == len(tok)
            if not _cell_ok(piece, cols[k].kind, width):
                continue
            # a piece that stops inside a token must leave it a valid start
            pieces.append(piece)
            vals.append(_value(piece, cols[k]))
            ok = True
            left_after = rest_chars[ti] - ci - w
            for rhs_slot, lhs in bounds.get(k, ()):
                if sum(vals[i] for i in lhs if i <= k) >= 10 ** min(maxp[rhs_slot], max(left_after, 0)):
                    ok = False
                    break
            for cid, scope, lhs, rhs in (at_slot.get(k, ()) if ok else ()):
                if abs(sum(vals[i] for i in lhs) - sum(vals[i] for i in rhs)) > 1e-6:
                    ok = False
                    state["rejected"] = True
                    break
            if ok:
                rec(ti + 1, 0, k + 1) if end else rec(ti, ci + w, k + 1)
            pieces.pop()
            vals.pop()

    rec(0, 0, 0)
    budget["nodes"] -= state["nodes"]
    return out, state["rejected"], state["capped"]


# ---------------------------------------------------------------- finding the tables
def _run_together(row: RunRow) -> bool:
    toks = row.tokens
    return len(toks) < len(row.cols) or any(not _cell_ok(x, c.kind, 10 ** 6) for x, c in zip(toks, row.cols))


def _row_constraints(tpl: Template, table: str, keys: list[str], cols: list[Column]) -> list:
    """The row identities a split must satisfy: (check_id, scope, lhs slots, rhs slots); an
    identity over a variant column (which the run may not print) is left out. Remembered for
    registry templates (they depend on the row's keys and columns only), a fresh list each time."""
    col_keys = tuple(c.key for c in cols)
    if load().get(tpl.id) is not tpl:
        return _constraints(tpl, table, tuple(keys), col_keys)
    return [(cid, rk, list(lhs), list(rhs)) for cid, rk, lhs, rhs in
            _registry_constraints(tpl.id, table, tuple(keys), col_keys)]


@lru_cache(maxsize=4096)
def _registry_constraints(template_id: str, table: str, keys: tuple, col_keys: tuple) -> tuple:
    return tuple((cid, rk, tuple(lhs), tuple(rhs)) for cid, rk, lhs, rhs in
                 _constraints(get(template_id), table, keys, col_keys))


def _constraints(tpl: Template, table: str, keys: tuple, col_keys: tuple) -> list:
    spec = tpl.tables[table]
    out = []
    for ident in tpl.identities:
        if ident.table != table or ident.over != "rows" or \
                any(spec.columns[c].variant for c in ident.lhs + ident.rhs):
            continue
        for rk in dict.fromkeys(keys):
            slot = {c: i for i, (k, c) in enumerate(zip(keys, col_keys)) if k == rk}
            if all(x in slot for x in ident.lhs + ident.rhs):
                out.append((ident.id, rk, [slot[x] for x in ident.lhs], [slot[x] for x in ident.rhs]))
    return out


def _find_table(t: _Text, tpl: Template, table: str) -> list[RunRow]:
    """The table's rows found in order, each label followed by its digit run (mode "rows")."""
    spec = tpl.tables[table]
    rows = spec.rows
    starts = []
    for r in rows[:3]:
        for f in _forms(r):
            p = t.norm.find(f)
            while p >= 0 and len(starts) < 12:
                starts.append(max(0, p - 8))
                p = t.norm.find(f, p + 1)
    best: list = []
    for s in sorted(set(starts))[:12]:
        ch = _chain(t, rows, s)
        if len(ch) > len(best):
            best = ch
    if best and best[0][0] > 0:
        # the first rows were not found exactly (a misprinted label): look just before the chain
        ch = _chain(t, rows, max(0, t.back(best[0][1]) - WINDOW))
        if len(ch) > len(best):
            best = ch
    out = []
    for r_idx, rs, re_, score, label in best:
        row = rows[r_idx]
        cols = spec.row_columns(row)
        run = _clean_run(t.text, rs, re_)
        keys = [row.key] * len(cols)
        out.append(RunRow(table, keys, list(cols), run, N.clean(label), score,
                          _row_constraints(tpl, table, keys, list(cols)), end=re_))
    return out


def _find_one_row(t: _Text, tpl: Template, table: str, after: int) -> list[RunRow]:
    """The one digit run after the column label `recovery.after` that prints every row of the
    table side by side (mode "one_row"), searched from normalized position `after`."""
    spec = tpl.tables[table]
    q = t.norm.find(N.label_key(spec.recovery.after), after)
    if q < 0:
        return []
    # the data row follows the header: the first digit run after the last header word
    m = _SPACED_DIGITS.search(t.text, t.orig_end(q))
    if not m or t.back(m.start()) - q > WINDOW:
        return []
    run = m.group().strip()
    keys, cols = [], []
    for r in spec.rows:
        for c in spec.row_columns(r):
            keys.append(r.key)
            cols.append(c)
    return [RunRow(table, keys, cols, N.fix_glyphs(run), "", 100.0, _row_constraints(tpl, table, keys, cols))]


# ---------------------------------------------------------------- joint choice across rows
def _column_identities(tpl: Template, table: str, by_key: dict[str, RunRow]) -> list[tuple[str, str, list, list]]:
    """(check_id, column, lhs row keys, rhs row keys) for the column identities (E1, E2) of the
    table whose rows were all recovered."""
    out = []
    spec = tpl.tables[table]
    for ident in tpl.identities:
        if ident.table != table or ident.over != "columns":
            continue
        lhs, rhs = tpl.expand(ident.lhs), tpl.expand(ident.rhs)
        if not all(r in by_key and not by_key[r].failed and by_key[r].cands for r in lhs + rhs):
            continue
        for col in spec.columns.values():
            if not col.variant:
                out.append((ident.id, col.key, lhs, rhs))
    return out


def _contributions(by_key: dict[str, RunRow], slot: dict[str, dict[str, int]], idents: list) -> list[dict]:
    """contrib[e][k][j]: the signed value of row k's candidate j in identity e (lhs − rhs = 0);
    each row's column values are read once, whatever the number of identities over them."""
    contrib: list[dict[str, list[float]]] = []
    values: dict[tuple[str, int], list[float]] = {}     # (row key, slot): each candidate's value
    for cid, col, lhs, rhs in idents:
        d = {}
        for k in set(lhs + rhs):
            sign = lhs.count(k) - rhs.count(k)
            i = slot[k][col]
            got = values.get((k, i))
            if got is None:
                r = by_key[k]
                # most rows have one candidate: its value alone (what _column_values gives it)
                got = values[k, i] = (_column_values([c[i] for c in r.cands], r.cols[i]) if len(r.cands) > 1
                                      else [_value(r.cands[0][i], r.cols[i])])
            d[k] = [sign * v for v in got]
        contrib.append(d)
    return contrib


def _column_values(pieces: list[str], col: Column) -> list[float]:
    """_value of each piece, each distinct piece read once (candidates repeat a column's few pieces)."""
    of = {p: _value(p, col) for p in set(pieces)}
    return [of[p] for p in pieces]


class _Bounds:
    """The least and greatest contribution of each row's remaining candidates to each identity
    (contrib, dom as in _joint), recomputed only for a row whose domain was narrowed since."""

    def __init__(self, contrib: list[dict], dom: dict[str, list[int]]):
        self.contrib, self.dom = contrib, dom
        self.version = dict.fromkeys(dom, 0)
        self.kept: dict[tuple[int, str], tuple[int, float, float]] = {}

    def narrow(self, k: str, keep: list[int]) -> None:
        self.dom[k] = keep
        self.version[k] += 1

    def of(self, e: int) -> tuple[dict, dict]:
        """({row: least}, {row: greatest}) over identity e's rows, in its order (0 for an empty domain)."""
        lo, hi = {}, {}
        for k, vals in self.contrib[e].items():
            got = self.kept.get((e, k))
            if got is None or got[0] != self.version[k]:
                dk = self.dom[k]
                got = self.kept[e, k] = (self.version[k], min(vals[j] for j in dk) if dk else 0,
                                         max(vals[j] for j in dk) if dk else 0)
            lo[k], hi[k] = got[1], got[2]
        return lo, hi


def _narrow(contrib: list[dict], dom: dict[str, list[int]], touching: dict[str, list[int]], bounds: _Bounds) -> None:
    """Narrow the domains per identity to a fixpoint: a candidate that cannot meet an identity
    whatever the other rows take is dropped, pass after pass until a pass drops nothing.

    Fast paths, exact: an identity none of whose rows was narrowed since it was last read is
    not read again (it would read the same domains and drop nothing), and a row left with one
    candidate is tested without building a list (the same sums, in the same order)."""
    stale = set(range(len(contrib)))     # identities whose rows were narrowed since they were read
    changed = True
    while changed:
        changed = False
        for e, d in enumerate(contrib):
            if e not in stale:
                continue
            stale.discard(e)
            lo, hi = bounds.of(e)
            slo, shi = sum(lo.values()), sum(hi.values())
            for k in d:
                dk, dv = dom[k], d[k]
                if len(dk) == 1:
                    j = dk[0]
                    if slo - lo[k] + dv[j] <= 1e-6 and shi - hi[k] + dv[j] >= -1e-6:
                        continue
                    keep = []
                else:
                    keep = [j for j in dk if slo - lo[k] + dv[j] <= 1e-6 and shi - hi[k] + dv[j] >= -1e-6]
                if len(keep) < len(dk):
                    bounds.narrow(k, keep)
                    stale.update(touching[k])
                    changed = True


def _joint(rows: list[RunRow], idents: list) -> tuple[Optional[list[dict]], bool]:
    """All choices {row key: candidate index} satisfying the column identities; None when capped.

    Domains are first narrowed per identity (a candidate that cannot meet an identity whatever
    the other rows take is dropped, repeated to a fixpoint), then a backtracking search with
    interval bounds enumerates the remaining combinations, most constrained rows first."""
    by_key = {r.keys[0]: r for r in rows}
    slot = {k: {c.key: i for i, c in enumerate(r.cols)} for k, r in by_key.items()}
    involved = sorted({k for _, _, l, rr in idents for k in l + rr})
    contrib = _contributions(by_key, slot, idents)
    dom = {k: list(range(len(by_key[k].cands))) for k in involved}
    touching = {k: [e for e, d in enumerate(contrib) if k in d] for k in involved}
    bounds = _Bounds(contrib, dom)
    _narrow(contrib, dom, touching, bounds)
    if any(not v for v in dom.values()):
        return [], False
    order = sorted(involved, key=lambda k: (len(dom[k]), -len(touching[k])))
    lo, hi = map(list, zip(*(bounds.of(e) for e in range(len(contrib))))) if contrib else ([], [])
    partial = [0.0] * len(contrib)
    rem_min = [sum(x.values()) for x in lo]
    rem_max = [sum(x.values()) for x in hi]
    sols: list[dict] = []
    state = {"nodes": 0, "capped": False}
    choice: dict[str, int] = {}

    def rec(i: int) -> None:
        if state["capped"]:
            return
        state["nodes"] += 1
        if state["nodes"] > MAX_JOINT_NODES or len(sols) > MAX_SOLUTIONS:
            state["capped"] = True
            return
        if i == len(order):
            sols.append(dict(choice))
            return
        k = order[i]
        es = touching[k]
        for e in es:
            rem_min[e] -= lo[e][k]
            rem_max[e] -= hi[e][k]
        for j in dom[k]:
            ok = True
            for e in es:
                partial[e] += contrib[e][k][j]
            for e in es:
                if partial[e] + rem_min[e] > 1e-6 or partial[e] + rem_max[e] < -1e-6:
                    ok = False
                    break
            if ok:
                choice[k] = j
                rec(i + 1)
                del choice[k]
            for e in es:
                partial[e] -= contrib[e][k][j]
        for e in es:
            rem_min[e] += lo[e][k]
            rem_max[e] += hi[e][k]

    rec(0)
    return (None if state["capped"] else sols), state["capped"]


@lru_cache(maxsize=None)
def _prose_patterns() -> tuple[tuple[str, str, regex.Pattern], ...]:
    return tuple((row, col, regex.compile(p)) for row, col, p in recovery_facts().prose)


def prose_facts(text: str) -> dict[str, float]:
    """Numbers quoted in the prose for a row's cell ([[recovery.prose]] of the registry):
    {row key: value}. Only a number quoted once counts."""
    out: dict[str, float] = {}
    for key, _, pat in _prose_patterns():
        got = {float(m.group(1)) for m in pat.finditer(text)}
        if len(got) == 1:
            out[key] = got.pop()
    return out


def _flag_clashes(tpl: Template, table: str, rows: list[RunRow], idents: list, rec: Recovery) -> None:
    """No choice of splits satisfies the column identities: record which ones fail."""
    by_key = {r.keys[0]: r for r in rows}

    def runs(keys):
        return "; ".join(f"{by_key[k].label or k} '{by_key[k].run}'" for k in dict.fromkeys(keys)
                         if len(by_key[k].cands) > 1)[:300]
    flagged = False
    for cid, col, lhs, rhs in idents:
        alone, _ = _joint(rows, [(cid, col, lhs, rhs)])
        if alone == []:
            flagged = True
            rec.failures.append((cid, table, col, "",
                                 f"no split of the printed digit runs satisfies this identity ({runs(lhs + rhs)})"))
    if not flagged:
        # each identity can be met alone, not all together: flag the columns where they clash
        for col in dict.fromkeys(i[1] for i in idents):
            group = [i for i in idents if i[1] == col]
            together, _ = _joint(rows, group)
            if together == []:
                flagged = True
                keys = [k for i in group for k in i[2] + i[3]]
                for cid, *_ in group:
                    rec.failures.append((cid, table, col, "",
                                         "no split of the printed digit runs satisfies "
                                         f"{' and '.join(i[0] for i in group)} together ({runs(keys)})"))
    if not flagged:
        ids = [i.id for i in tpl.identities if i.table == table and i.over == "columns"]
        rec.failures.append((ids[-1], table, table, f"{', '.join(ids)} across all columns",
                             "no split of the printed digit runs satisfies the column identities together"))


def _settle_by_prose(table: str, by_key: dict[str, RunRow], sols: list[dict], prose: dict[str, float],
                     rec: Recovery) -> list[dict]:
    """Keep the joint choices that agree with the numbers quoted in the prose."""
    cols = {row: col for row, col, _ in recovery_facts().prose}
    for key, value in prose.items():
        r = by_key.get(key)
        if r is None or key not in sols[0]:
            continue
        ti = [i for i, c in enumerate(r.cols) if c.key == cols[key]]
        keep = [s for s in sols if ti and _value(r.cands[s[key]][ti[0]], r.cols[ti[0]]) == value]
        if keep and len(keep) < len(sols):
            sols = keep
            rec.notes.append(("info", table, key, cols[key],
                              f"split settled by the number quoted in the prose ({value:g})"))
    return sols


def choose_jointly(tpl: Template, rows: list[RunRow], rec: Recovery, prose) -> None:
    """Narrow the rows' candidate splits to those that together satisfy the table's column
    identities (and then the numbers quoted in the prose: `prose` is prose_facts' dict, or a
    function giving it, asked only when the identities leave a choice); record what was used
    or failed."""
    table = rows[0].table
    by_key = {r.keys[0]: r for r in rows}
    idents = _column_identities(tpl, table, by_key)
    if not idents or all(len(r.cands) <= 1 for r in rows):
        return
    sols, capped = _joint(rows, idents)
    if capped:
        rec.notes.append(("warning", table, "", "",
                          "too many combinations of splits to search jointly; column identities not used"))
        return
    if not sols:
        _flag_clashes(tpl, table, rows, idents, rec)
        return
    if any(len({s[k] for s in sols}) > 1 for k in sols[0]):
        facts = prose() if callable(prose) else prose
        if facts:
            sols = _settle_by_prose(table, by_key, sols, facts, rec)
    narrowed = False
    for k in sols[0]:
        r = by_key[k]
        keep = sorted({s[k] for s in sols})
        if len(keep) < len(r.cands):
            narrowed = True
            r.cands = [r.cands[j] for j in keep]
    if narrowed:
        for cid, col, _, _ in idents:
            rec.used.add((cid, table, col))


# ---------------------------------------------------------------- entry points
_LEADING_ZERO = regex.compile(r"0\d+")


def _scraped(ln, prev) -> bool:
    """Paragraph text, or a row a text reader took for a table although it is scraped digits:
    a cell like '001717' (no table prints a leading zero), or a bare number row that follows
    paragraph text rather than a table header."""
    if not ln.grid:
        return True
    for c in ln.values:   # the cheap test first: most cells do not start with 0
        x = c.text.strip()
        if x[:1] == "0" and _LEADING_ZERO.fullmatch(x):
            return True
    return not ln.labels and prev is not None and not prev.grid


@lru_cache(maxsize=None)
def _signal() -> re.Pattern:
    """A row label with digits glued to it: the cheap test that there may be anything to recover."""
    labels = "|".join(re.escape(x) for x in recovery_facts().signal_labels)
    return re.compile(f"(?:{labels})[ \u3000]?[0-9０-９]")


def _find_runs(t: _Text, tpl: Template, read: frozenset) -> dict[str, list[RunRow]]:
    """The run-together tables of the text: {table: rows}. A "rows" table needs `min_rows` rows
    and some run that is run together (or the ordinary matching did not find the table); a
    "one_row" table is searched after the table before it and counts only beside another."""
    found: dict[str, list[RunRow]] = {}
    end = 0
    for table, spec in tpl.tables.items():
        mode = spec.recovery.mode
        if mode == "rows":
            rows = _find_table(t, tpl, table)
            if len(rows) >= spec.recovery.min_rows and (any(_run_together(r) for r in rows) or table not in read):
                found[table] = rows
                end = t.back(rows[-1].end)
            else:
                end = 0
        elif mode == "one_row":
            row = _find_one_row(t, tpl, table, end)
            if row and _run_together(row[0]) and found:
                found[table] = row
    return found


def _split_rows(table: str, rows: list[RunRow], width: int, rec: Recovery) -> None:
    """Every split of each row's run that its row identities allow; what fails is recorded."""
    for r in rows:
        r.cands, r.used, r.capped = enumerate_splits(r.tokens, r.cols, r.constraints, width)
        where = r.label or f"the {table} row"
        if r.capped:
            r.cands = []
            rec.notes.append(("warning", table, r.keys[0], "",
                              f"too many splits of '{r.run[:60]}' ({where}) into {len(r.cols)} cells: left empty"))
        elif not r.cands and r.constraints:
            free, _, capped = enumerate_splits(r.tokens, r.cols, [], width)
            r.failed = True
            r.cands = [] if capped else free
            expr = " and ".join(sorted({c[0] for c in r.constraints}))
            scope = "+".join(dict.fromkeys(r.keys))
            rec.failures.append((r.constraints[0][0], table, scope, "",
                                 f"no split of the printed digits '{r.run[:80]}' ({where}) into "
                                 f"{len(r.cols)} cells satisfies {expr}: the report's arithmetic is wrong"))
        elif not r.cands:
            rec.notes.append(("warning", table, r.keys[0], "",
                              f"'{r.run[:60]}' ({where}) cannot be split into {len(r.cols)} cells: left empty"))
        if r.used and r.cands:
            for cid, scope, _, _ in r.constraints:
                rec.used.add((cid, table, scope))


def recover(tpl: Template, lines, read: frozenset = frozenset()) -> Optional[Recovery]:
    """Run-together tables in the document's paragraph text, or None when there are none.
    `read`: tables the ordinary line matching found; a table it did not find is taken from
    the text even when its numbers are spaced (a whole report flattened into one paragraph)."""
    text = "\n".join(ln.text for k, ln in enumerate(lines)
                     if ln.text and _scraped(ln, lines[k - 1] if k else None))
    if not _signal().search(text):
        return None
    t = _Text(text)
    rec = Recovery(rows=_find_runs(t, tpl, read))
    if not rec.rows:
        return None
    for table, rows in rec.rows.items():
        _split_rows(table, rows, tpl.tables[table].recovery.max_width, rec)
    prose = lru_cache(maxsize=1)(lambda: prose_facts(text))    # scanned for once, if a choice needs it
    for table, rows in rec.rows.items():
        if any(i.table == table and i.over == "columns" for i in tpl.identities):
            choose_jointly(tpl, rows, rec, prose)
    return rec


def recovered_table(spec: TableSpec, rec: Recovery, headers: dict[str, str]) -> TableCells:
    """The cells and notes of a recovered table: a cell whose candidate splits agree on its
    value is read (method `recovered` where the split was not printed), any other is left
    empty, listed as ambiguous and logged with its candidates."""
    table = spec.key
    part = TableCells(table)
    rows = rec.rows[table]
    seen = {k for r in rows for k in r.keys}
    for row in spec.rows:
        if row.key not in seen:
            part.note("warning", row.key, "", f"row not found: {row.label}")
    for r in rows:
        _recovered_row(spec, r, headers, rec, part)
    for level, t, rk, ck, msg in rec.notes:
        if t == table:
            part.notes.append(Note(level, t, rk, ck, msg))
    return part


def _recovered_row(spec: TableSpec, r: RunRow, headers: dict[str, str], rec: Recovery, part: TableCells) -> None:
    """The cells of one recovered run into `part`. The candidates are read column by column
    (a row may keep thousands of splits), the run's tokens once."""
    table = spec.key
    tokens = r.tokens
    printed = tokens if len(tokens) == len(r.cols) else None    # the run printed one token a cell
    toks = set(printed or ())
    one_key = len(set(r.keys)) == 1
    score = round(r.score, 1)
    columns = list(zip(*r.cands)) if len(r.cands) > 1 else None
    only = r.cands[0] if len(r.cands) == 1 else None
    for i, (rk, col) in enumerate(zip(r.keys, r.cols)):
        if only is not None:        # one candidate (most rows): its piece, without gathering sets
            pieces, vals = (only[i],), {_value(only[i], col)}
        else:
            pieces = set(columns[i]) if columns is not None else set()
            vals = {_value(next(iter(pieces)), col)} if len(pieces) == 1 else {_value(p, col) for p in pieces}
        label = r.label if one_key else spec.row(rk).label
        if len(vals) == 1:
            piece = min(pieces)     # the first of them sorted
            value = vals.pop()
            method = "read" if printed is not None and printed[i] == piece and piece in toks else "recovered"
            raw = piece
        else:
            value, raw, method = None, r.run, "read"
            rec.ambiguous.add((table, rk, col.key))
            part.ambiguous += 1
            shown = ", ".join(V.fmt(v) for v in sorted(vals)[:12]) + (" …" if len(vals) > 12 else "")
            why = "candidates: " + shown if vals else "no valid split"
            part.note("warning", rk, col.key, f"ambiguous split of '{r.run[:80]}' into {len(r.cols)} cells: "
                      f"{col.label} not settled by the arithmetic ({why}); left empty")
        # positional: CellValue's field order (tests/test_fast_paths.py checks it against keywords)
        part.cells.append(CellValue(table, rk, col.key, value, raw, label,
                                    headers.get(f"{table}/{col.key}", col.label) if headers else col.label,
                                    score, r.page, None, method))
