"""The template `2008` of the registry, loaded from data/template_2008.toml.

Every era-A fact (row and column keys, label variants, units, identities, phrase rules) is
data; code asks this module instead of naming rows.
"""
from __future__ import annotations

import re
from functools import cached_property, lru_cache
from typing import Optional

import regex

from ..datafiles import load_toml
from ..records import Record, factory
from .forms import label_form

SEP = "\x1f"   # a cell or whitespace boundary in the compact stream


class StatsRow(Record):
    """A row of table `stats`: key, printed label variants, kind (count or money), parent."""
    key: str
    labels: tuple[str, ...]
    kind: str = "count"
    parent: str = ""


class StatsIdentity(Record):
    """An identity between rows (A1–A12): which rows, how compared, when it applies."""
    id: str
    kind: str                  # exact | plausible
    lhs: tuple[str, ...]
    rhs: tuple[str, ...]
    op: str = "eq"             # eq | le_each | le
    when: tuple[str, ...] = ()
    when_any: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    cells: tuple[str, ...] = ("appendix",)
    cols: tuple[str, ...] = ("this_year", "cumulative")
    split: bool = False
    need_all: bool = False

    @property
    def severity(self) -> str:
        return "error" if self.kind == "exact" else "warning"


class StatsColumn(Record):
    """A value column of table `stats`: key, printed labels, patterns, label priorities."""
    key: str
    labels: tuple[str, ...]
    patterns: tuple[str, ...] = ()
    priority: dict = factory(dict)


class EraATemplate(Record):
    """Template 2008 as data/template_2008.toml holds it."""
    id: str
    name: str
    table: str
    last_year: int
    min_rows: int
    units: tuple[str, ...]
    header_words: tuple[str, ...]
    columns: tuple[StatsColumn, ...]
    rows: tuple[StatsRow, ...]
    identities: tuple[StatsIdentity, ...]
    unkeyed_rows: tuple[str, ...]
    headings: tuple[str, ...]
    check_kinds: dict
    anchors: tuple[str, ...] = ()

    def row(self, key: str) -> StatsRow:
        return next(r for r in self.rows if r.key == key)

    def severity(self, check_id: str) -> str:
        return "error" if self.check_kinds.get(check_id) == "exact" else "warning"

    def keys(self) -> list[tuple[str, str]]:
        """(row_key, col_key) in template order, for wide/stats.csv (rows stated only in prose
        have no cumulative column)."""
        return [(r.key, c.key) for r in self.rows for c in (self.columns if r.labels else self.columns[:1])]


@lru_cache(maxsize=None)
def load() -> EraATemplate:
    raw = load_toml("template_2008")
    t = raw["template"]
    cols = tuple(StatsColumn(key=c["key"], labels=tuple(c["labels"]), patterns=tuple(c.get("patterns", ())),
                             priority=dict(c.get("priority", {}))) for c in raw["columns"])
    rows = tuple(StatsRow(key=r["key"], labels=tuple(r["labels"]), kind=r.get("kind", "count"),
                          parent=r.get("parent", "")) for r in raw["rows"])
    idents = tuple(StatsIdentity(
        id=i["id"], kind=i["kind"], lhs=tuple(i["lhs"]), rhs=tuple(i["rhs"]), op=i.get("op", "eq"),
        when=tuple(i.get("when", ())), when_any=tuple(i.get("when_any", ())), unless=tuple(i.get("unless", ())),
        cells=tuple(i.get("cells", ("appendix",))), cols=tuple(i.get("cols", ("this_year", "cumulative"))),
        split=i.get("split", False), need_all=i.get("need_all", False)) for i in raw["identities"])
    return EraATemplate(id=t["id"], name=t["name"], table=t["table"], last_year=t["last_year"],
                        min_rows=t["min_rows"], units=tuple(t["units"]), header_words=tuple(t["header_words"]),
                        columns=cols, rows=rows, identities=idents,
                        unkeyed_rows=tuple(raw["unkeyed"]["rows"]), headings=tuple(raw["unkeyed"]["headings"]),
                        check_kinds=dict(raw["checks"]) | {i.id: i.kind for i in idents},
                        anchors=tuple(t.get("anchors", ())))


@lru_cache(maxsize=None)
def crosswalk() -> tuple[dict, ...]:
    """era-a.md's crosswalk to modern keys, as data: [{era_a, class, modern: {template: [keys]}}]
    (`same` rows are joined in harmonized series, `approx` rows only listed)."""
    raw = load_toml("template_2008")
    return tuple({"era_a": c["era_a"], "class": c["class"], "modern": dict(c["modern"])} for c in raw["crosswalk"])


def _loose(label: str) -> str:
    """A regex matching the label with optional separators between its characters."""
    chars = [c for c in label_form(label) if not c.isspace()]
    return f"{SEP}?".join(regex.escape(c) for c in chars)


def _first_literal(pattern: str) -> str:
    """The character every match of a data pattern starts with, when that is plain to see (a
    literal first character, not quantified, no alternation); "" when not."""
    if not pattern or "|" in pattern or pattern[0] in "\\.^$*+?{}[]()" or pattern[1:2] in ("*", "+", "?", "{"):
        return ""
    return pattern[0]


def _first(form: str) -> str:
    """The first character of a label form as `_loose` spells it ("" for none)."""
    return next((c for c in label_form(form) if not c.isspace()), "")


def _by_first_character(alts: list[str], firsts: list[str]) -> str:
    """The alternation of `alts` (each a pattern that starts with its literal first character),
    grouped by that character: `a(?:…|…)|b(?:…)`. At a place of the text only the group of the
    character printed there can match, in the alternatives' own order, so the first that
    matches is the one the flat alternation finds; but the engine tries one test a group, not
    one an alternative."""
    groups: dict[str, list[str]] = {}
    for alt, ch in zip(alts, firsts):
        head = regex.escape(ch)
        if not ch or not alt.startswith(head):
            return "|".join(alts)
        groups.setdefault(head, []).append(alt[len(head):])
    return "|".join(f"{head}(?:{'|'.join(rests)})" for head, rests in groups.items())


def _trie(rests: list[tuple[str, ...]]) -> str:
    """The ordered alternation of words (character tuples, longest first) after a prefix they
    share, each spelt as `_loose` spells it (a separator allowed before every character), as a
    trie: the words are grouped by their next character, which no separator and no other group
    can match, so at a place only one group can go on, its words in their own order; a word
    that ends here is shorter than every word that goes on, so it comes last, as the optional
    rest. The first match is the flat alternation's; the engine tests a character a branch."""
    groups: dict[str, list[tuple[str, ...]]] = {}
    ends = False
    for w in rests:
        if w:
            groups.setdefault(w[0], []).append(w[1:])
        else:
            ends = True
    if not groups:
        return ""
    body = "|".join(regex.escape(ch) + _trie(r) for ch, r in groups.items())
    body = f"{SEP}?(?:{body})" if len(groups) > 1 else f"{SEP}?{body}"
    return f"(?:{body})?" if ends else body


def _fast_body(skips: tuple[str, ...], words: list[tuple[str, ...]]) -> Optional[str]:
    """The label pattern for `re` as one group of branches, each led by a literal first
    character (so `re` skips, at C speed, every place no label can start at): the unkeyed rows
    that start with the character first, then the keyed labels' trie. None when an unkeyed row
    does not start with a plain literal or a label is empty."""
    firsts = [_first_literal(u) for u in skips]
    if "" in firsts or any(not w for w in words):
        return None
    groups: dict[str, tuple[list[str], list[tuple[str, ...]]]] = {}
    for u, ch in zip(skips, firsts):
        groups.setdefault(ch, ([], []))[0].append(u[1:])
    for w in words:
        groups.setdefault(w[0], ([], []))[1].append(w[1:])
    alts = []
    for ch, (rows, rests) in groups.items():
        inner = rows + ([_trie(rests)] if rests else [])
        alts.append(regex.escape(ch) + (f"(?:{'|'.join(inner)})" if len(inner) > 1 else inner[0]))
    return f"(?:{'|'.join(alts)})"


class _Hit:
    """A match of the fast pattern as `exact`'s match answers: group `skip` for an unkeyed row
    (one of whose patterns matches the whole of it), else group `label`."""
    __slots__ = ("_m", "_skip")

    def __init__(self, m: re.Match, skip: bool):
        self._m, self._skip = m, skip

    def start(self) -> int:
        return self._m.start()

    def end(self) -> int:
        return self._m.end()

    def span(self) -> tuple[int, int]:
        return self._m.span()

    def group(self, name=0):
        if name == "skip":
            return self._m.group() if self._skip else None
        if name == "label":
            return None if self._skip else self._m.group()
        return self._m.group(name)


class LabelPattern:
    """The label pattern in two engines. `regex` tries every label at every place of a text;
    plain `re`, given the labels as branches led by their first characters (`_fast_body`),
    finds the same matches many times faster, wherever the two read the pattern alike: its data
    patterns use no class escape but \\d, and \\d differs only on digits outside the Basic
    Multilingual Plane (a test checks both), so a text holding any such character is read by
    `regex`. A fast match is an unkeyed row when an unkeyed row's pattern matches all of it:
    those are tried first at every place, so one that matches there is the match."""

    def __init__(self, body: str, fast_body: Optional[str], skip: str):
        self.body = body
        self.fast = self._skip = None
        if fast_body is not None:
            try:
                self.fast, self._skip = re.compile(fast_body), re.compile(f"(?:{skip})")
            except re.error:     # a data pattern in `regex`'s own syntax
                self.fast = None

    @cached_property
    def exact(self) -> regex.Pattern:
        return regex.compile(self.body)

    def finditer(self, text: str):
        if self.fast is not None and not _astral().search(text):
            skip = self._skip.fullmatch
            return [_Hit(m, skip(m.group()) is not None) for m in self.fast.finditer(text)]
        return self.exact.finditer(text)


@lru_cache(maxsize=1)
def _astral() -> re.Pattern:
    return re.compile("[\\U00010000-\\U0010ffff]")


@lru_cache(maxsize=None)
def label_regex() -> tuple[LabelPattern, dict[str, tuple[str, ...]]]:
    """One pattern for every keyed label (longest first) and the row keys each label form names;
    unkeyed rows match as group `skip`."""
    tpl = load()
    by_form: dict[str, list[str]] = {}
    for r in tpl.rows:
        for lab in r.labels:
            by_form.setdefault("".join(label_form(lab).split()), []).append(r.key)
    forms = sorted(by_form, key=len, reverse=True)
    keyed = _by_first_character([_loose(f) for f in forms], [_first(f) for f in forms])
    skip = "|".join(tpl.unkeyed_rows)
    fast = not any(re.search(r"\\[^d\\\W]", u) for u in tpl.unkeyed_rows)   # no class escape but \\d
    words = [tuple(c for c in label_form(f) if not c.isspace()) for f in forms]   # as _loose spells them
    return (LabelPattern(f"(?P<skip>{skip})|(?P<label>{keyed})", _fast_body(tpl.unkeyed_rows, words) if fast else None,
                         skip), {f: tuple(v) for f, v in by_form.items()})
