"""The statistics appendix: chains of keyed labels, each followed by its unit and numbers.

Given the compact stream, return the appendix rows: label occurrences whose tail holds only a
unit, numbers and the next row's numbering ("其中：", "2、", "（一）", a heading row of the
national table), chained, at least `min_rows` long. Prose that names a label ("主动公开信息数为
121条") breaks a chain and is not a row. The list index that the next label runs into the
digits ("网站公开条41815092.政府公报公开") is stripped, as era-a.md prescribes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

import regex

from .stream import Stream
from .template import SEP, EraATemplate, label_regex, load

_CN = "一二三四五六七八九十"
_rx = lru_cache(maxsize=None)(regex.compile)   # the module-level regex.search & co. look up their cache slowly


@dataclass
class Token:
    """A number (or filler) printed after an appendix label."""
    text: str          # the printed number (or filler)
    start: int         # position in the stream
    glued: bool        # printed against the preceding label/unit without a separator
    col: int           # grid column (-1 outside tables)


@dataclass
class AppendixRow:
    """One keyed (or unkeyed) row of the appendix: its label, unit and numbers."""
    key: str
    label: str                     # as printed, with its unit in full-width brackets
    unit: str
    tokens: list[Token]
    start: int
    end: int
    page: Optional[int] = None
    skip: bool = False             # an unkeyed row (read past, not emitted)


@dataclass
class Appendix:
    """The appendix found: its rows, the printed value columns and what was noted on the way."""
    rows: list[AppendixRow] = field(default_factory=list)
    col_keys: list[str] = field(default_factory=list)     # printed value columns, in order
    col_labels: list[str] = field(default_factory=list)
    dropped_cols: list[str] = field(default_factory=list)
    run_together: bool = False
    notes: list[str] = field(default_factory=list)
    start: int = 0
    end: int = 0


@lru_cache(maxsize=None)
def _tail_regex(units: tuple[str, ...]) -> regex.Pattern:
    # a unit or remark wrapped inside its cell (PDF) carries separators: "万\x1f元"
    u = "|".join(f"{SEP}?".join(regex.escape(ch) for ch in x) for x in sorted(units, key=len, reverse=True))
    num = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
    return regex.compile(
        rf"(?P<paren>(?:{SEP}?\([^()]{{0,60}}\))*)"
        rf"(?:{SEP}?(?P<unit>{u})(?![\p{{Han}}]))?"
        rf"(?P<vals>(?:{SEP}?(?:{num}|[—\-/]+|无(?![\p{{Han}}])))*)")


@lru_cache(maxsize=None)
def _gap_regex(headings: tuple[str, ...], units: tuple[str, ...]) -> regex.Pattern:
    """What may stand between two appendix rows: numbering, 其中, fillers, a heading row of the
    national table, or a row the template does not key (a label, its unit, its numbers)."""
    index = rf"(?:其中:?|\([{_CN}\d]{{1,3}}\)|[{_CN}]{{1,3}}[、.]|\d{{1,2}}[、.]|[—\-/]+|:)"
    head = "|".join(headings)
    u = "|".join(regex.escape(x) for x in units)
    return regex.compile(rf"^(?:{SEP}|{index}|{head}|{_UNKNOWN.format(u=u, sep=SEP)})*$")


# a printed row the template does not know: label text, optional unit, numbers
_UNKNOWN = r"(?P<unknown>[^\d{sep},。;:!?()]{{2,30}}?(?:{sep}?(?:{u}))?(?:{sep}?\d+(?:\.\d+)?)+)"


@lru_cache(maxsize=None)
def _col_regex() -> regex.Pattern:
    tpl = load()
    alts = []
    for c in tpl.columns:
        for lab in sorted(c.labels, key=len, reverse=True):
            alts.append((len(lab), regex.escape(lab)))
        for p in c.patterns:
            alts.append((10, p))
    alts.sort(key=lambda x: -x[0])
    return regex.compile("|".join(a for _, a in alts))


def _column_key(text: str) -> str:
    tpl = load()
    for c in tpl.columns:
        if text in c.labels or any(_rx(p).fullmatch(text) for p in c.patterns):
            return c.key
    return ""


def _tokens(vals: str, base: int, stream: Stream) -> list[Token]:
    out, pos, glued = [], 0, True
    for piece in vals.split(SEP):
        if piece == "":
            glued = False
            pos += 1
            continue
        out.append(Token(piece, base + pos, glued, stream.col_at(base + pos)))
        pos += len(piece) + 1
        glued = False
    return out


def _strip_index(vals: str, rest: str) -> tuple[str, str]:
    """The next row's list index printed against the digits: "…43592、" → "…4359" + "2、"."""
    if not rest or rest[0] not in "、.":
        return vals, rest
    if vals.endswith(SEP):
        return vals, rest
    m = _rx(rf"(?:^|{SEP})(\d{{1,2}})$").search(vals)
    if m and len(vals) > len(m.group(1)) + 1 and m.start() > 0:   # a separate index token
        return vals[:m.start()], m.group(1) + rest
    if _rx(r"\d\d$").search(vals):                                # run into the digits: one digit
        return vals[:-1], vals[-1] + rest
    if _rx(r"\d").fullmatch(vals):
        return "", vals + rest
    return vals, rest


def _rows(stream: Stream, tpl: EraATemplate) -> list[tuple[AppendixRow, str]]:
    """Every label occurrence with its parsed tail and the text between it and the next label."""
    pat, forms = label_regex()
    tail = _tail_regex(tpl.units)
    text = stream.text
    hits = list(pat.finditer(text))
    out = []
    for k, m in enumerate(hits):
        nxt = hits[k + 1].start() if k + 1 < len(hits) else len(text)
        t = tail.match(text, m.end(), nxt)
        paren = t.group("paren").replace(SEP, "")
        unit = (t.group("unit") or "").replace(SEP, "")
        vals = t.group("vals")
        rest = text[t.end():nxt]
        vals, rest = _strip_index(vals, rest)
        vstart = t.start("vals")
        toks = _tokens(vals, vstart, stream)
        if paren and not unit:
            inner = paren[1:-1] if paren.startswith("(") else paren
            if inner in tpl.units:
                unit, paren = inner, ""
        printed = (m.group("skip") or m.group("label")).replace(SEP, "") + paren
        form = printed[:len(printed) - len(paren)] if paren else printed
        keys = forms.get(form, ())
        label = _display(printed) + (f"（{unit}）" if unit else "")
        row = AppendixRow(key=keys[0] if keys else "", label=label, unit=unit, tokens=toks, start=m.start(),
                          end=vstart + len(vals), page=stream.page_at(m.start()), skip=bool(m.group("skip")))
        row._keys = keys   # type: ignore[attr-defined]
        out.append((row, rest))
    return out


def _display(label: str) -> str:
    return label.replace("(", "（").replace(")", "）").replace(":", "：")


def find(stream: Stream, tpl: Optional[EraATemplate] = None, year: Optional[int] = None) -> Appendix:
    """The appendix rows of the document (empty when no chain is long enough). A column headed
    by another year than the report's (`year`) is not read."""
    tpl = tpl or load()
    gap = _gap_regex(tpl.headings, tpl.units)
    rows = _rows(stream, tpl)
    chains: list[list[AppendixRow]] = []
    cur: list[AppendixRow] = []
    unknown: list[str] = []
    for row, rest in rows:
        ok_row = bool(row.tokens) or bool(row.unit)
        if ok_row:
            cur.append(row)
        m = gap.match(rest) if ok_row else None
        if m is not None and m.captures("unknown"):
            unknown += [x.replace(SEP, " ") for x in m.captures("unknown")]
        if m is None:
            if cur:
                chains.append(cur)
            cur = []
    if cur:
        chains.append(cur)
    good = [c for c in chains if sum(1 for r in c if r.tokens and not r.skip) >= tpl.min_rows]
    app = Appendix()
    if not good:
        return app
    app.notes += [f"appendix row not in the template, not keyed: {x}" for x in unknown
                  if good[0][0].start <= stream.text.find(x.replace(" ", SEP)) <= good[-1][-1].end]
    seen: set[str] = set()
    for chain in good:
        for r in _resolve_parents(chain, tpl):
            if r.skip:
                continue
            if r.key in seen:
                app.notes.append(f"row {r.label} printed twice in the appendix: the first one is kept")
                continue
            seen.add(r.key)
            app.rows.append(r)
    app.start, app.end = good[0][0].start, good[-1][-1].end
    _columns(stream, app, good[0][0].start, year)
    return app


def _resolve_parents(chain: list[AppendixRow], tpl: EraATemplate) -> list[AppendixRow]:
    """A label shared by rows of several parents (被依法纠错数) goes to the last parent printed."""
    last_parent = ""
    parents = {r.parent for r in tpl.rows if r.parent}
    for r in chain:
        keys = getattr(r, "_keys", ())
        if len(keys) > 1:
            pick = [k for k in keys if tpl.row(k).parent == last_parent]
            r.key = pick[0] if pick else keys[0]
        if r.key in parents:
            last_parent = r.key
    return chain


def _columns(stream: Stream, app: Appendix, first: int, year: Optional[int] = None) -> None:
    """The value columns from the header printed before the first row, else from the rows."""
    tpl = load()
    window = stream.text[max(0, first - 120):first].replace(SEP, "")
    heads = [m.end() for w in tpl.header_words for m in _rx(regex.escape(w)).finditer(window)]
    window = window[max(heads):] if heads else window[-30:]
    hits = list(_col_regex().finditer(window))
    keys, labels = [], []
    for h in hits:
        k = _column_key(h.group())
        y = _rx(r"(?:19|20)\d\d").match(h.group())
        if k and y and year is not None and int(y.group()) != year:
            keys.append("")            # another year's column (a comparison): printed, not read
            labels.append(h.group())
            app.dropped_cols.append(h.group())
            app.notes.append(f"column {h.group()} is not the report's year ({year}): not read")
        elif k:
            keys.append(k)
            labels.append(h.group())
    if keys:
        for k in set(keys) - {""}:
            idx = [i for i, x in enumerate(keys) if x == k]
            if len(idx) > 1:
                pri = next(c.priority for c in tpl.columns if c.key == k)
                best = max(idx, key=lambda i: pri.get(labels[i], 0))
                for i in idx:
                    if i != best:
                        app.dropped_cols.append(labels[i])
                app.notes.append(f"two printed columns mean {k} ({', '.join(labels[i] for i in idx)}): "
                                 f"{labels[best]} is read, the other left out")
        app.col_keys, app.col_labels = keys, labels
    else:
        n = max((len(r.tokens) for r in app.rows), default=1)
        defaults = [c.key for c in tpl.columns]
        app.col_keys = defaults[:max(1, min(n, len(defaults)))]
        app.col_labels = [""] * len(app.col_keys)
        app.notes.append("no column header found before the appendix: columns taken as "
                         + ", ".join(app.col_keys))
    # run together: no row prints its numbers apart, and the digits stick to their labels or
    # read "00", "012" (no count is printed with a leading zero)
    many = any(len(r.tokens) >= 2 for r in app.rows)
    singles = [r for r in app.rows if len(r.tokens) == 1]
    glued = sum(1 for r in singles if r.tokens[0].glued)
    zeros = any(len(t.text) > 1 and t.text[0] == "0" and t.text.isdigit() for r in singles for t in r.tokens)
    app.run_together = bool(len(app.col_keys) - len(app.dropped_cols) >= 2 and not many and singles
                            and (glued * 2 > len(singles) or zeros))
