"""Figures stated in an era-A report's sentences: the shared prose finder (pipeline/prose.py)
with the era-A phrase rules of data/prose_2008.toml.

Given the document (its appendix, which is not prose, cut out), return one figure per rule hit
in table `stats`: key, column, value, the clause. Approximate figures (约, 余, 多, 近, 左右, 以上)
and qualified ones are not emitted but logged with the finder's reason; zeros stated in words
(未收到…申请, 暂不收费) are 0. A figure naming one request channel (信函申请1件) also stands
for requests_received when its sentence states no other request figure. A key stated twice
keeps its first figure (cells.csv holds one prose row a key).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

import regex

from parsers.model import Document

from .. import prose as PR
from ..datafiles import load_toml
from .stream import Stream

RULES = "prose_2008"


@dataclass
class Figure:
    """A figure a sentence states, as a cell of table `stats` (or why it is not emitted)."""
    key: str
    col: str
    value: Optional[float]
    raw: str                # the clause
    label: str              # the naming phrase (the clause)
    sentence: str           # figures of one sentence are checked together
    page: Optional[int] = None
    skipped: str = ""       # why it is not emitted (approximate, qualified, repeated)
    channel: bool = False


@lru_cache(maxsize=None)
def _extras() -> dict[str, dict]:
    """The adapter's keys of each rule (unit, context, channel, exclude), by rule id."""
    raw = load_toml(RULES)
    return {r["id"]: {"unit": r.get("unit", ""), "channel": r.get("channel", False),
                      "context": regex.compile(r["context"]) if r.get("context") else None,
                      "exclude": regex.compile(r["exclude"]) if r.get("exclude") else None}
            for r in raw["rules"]}


_END = ("。", "；", ";", "！", "？", "!", "?")


def _text(doc: Document, stream: Stream, exclude: Optional[tuple[int, int]]) -> str:
    """The report's text outside its appendix, as pipeline.prose.prose_text joins it (a line
    broken mid-sentence reads whole). Table cells count: a reader may take a report's closing
    paragraphs into the appendix's table (one cell per line)."""
    printed = stream.printed
    if exclude and exclude[1] > exclude[0]:
        a, b = stream.src[exclude[0]], stream.src[exclude[1] - 1] + 1
        printed = printed[:a] + "\n" + printed[b:]
    out, buf = [], []
    for t in PR.clean_lines(printed):
        if not t:
            continue
        buf.append(t)
        if t.endswith(_END):
            out.append("".join(buf))
            buf = []
    if buf:
        out.append("".join(buf))
    return "\n".join(out)


def find(doc: Document, stream: Stream, year: Optional[int], exclude: Optional[tuple[int, int]] = None) -> list[Figure]:
    text = _text(doc, stream, exclude)
    sents: list[str] = []     # the text's sentences, cut when a rule with a context first needs them
    extras = _extras()
    out: list[Figure] = []
    for f in PR.find_figures(text, PR.load_rules(RULES), year):
        x = extras.get(f.rule.id, {})
        table, row, col = f.rule.targets[0][0].split("/")
        why = f.reason
        if not why and x.get("exclude") is not None and x["exclude"].search(f.clause):
            continue
        if not why and x.get("context") is not None:
            sents = sents or PR.sentences(text)
            if not _in_context(x["context"], f.sentence, sents):
                continue
        value = f.value
        if value is not None and x.get("unit") == "元":
            value = value / 10000
        raw = _unheaded(f.clause)
        out.append(Figure(row, col, value, raw, raw, f.sentence, None, why, bool(x.get("channel"))))
    taken = {f.raw for f in out if not f.skipped}
    out = [f for f in out if not (f.skipped and f.raw in taken)]   # another rule read this clause
    _channels(out)
    _repeats(out)
    return out


@lru_cache(maxsize=None)
def _heading() -> regex.Pattern:
    raw = load_toml(RULES)
    return regex.compile(raw["settings"]["heading"])


def _unheaded(clause: str) -> str:
    """The clause without a section heading run into it ("四、…情况2012年全区未收到…")."""
    while True:
        m = _heading().match(clause)
        if not m or m.end() >= len(clause):
            return clause
        clause = clause[m.end():]


def _in_context(pat: regex.Pattern, sentence: str, sents: list[str]) -> bool:
    k = next((i for i, s in enumerate(sents) if s == sentence), None)
    window = sentence if k is None else "".join(sents[max(0, k - 1):k + 1])
    return bool(pat.search(window))


def _channels(figs: list[Figure]) -> None:
    """A channel figure also gives requests_received when its sentence states no other request figure."""
    for f in list(figs):
        if not f.channel or f.skipped:
            continue
        others = [g for g in figs if g is not f and g.sentence == f.sentence and g.key.startswith("requests_")
                  and not g.skipped and g.raw != f.raw]
        if not others and not any(g.key == "requests_received" and not g.skipped and g.sentence == f.sentence
                                  for g in figs):
            figs.insert(figs.index(f), Figure("requests_received", f.col, f.value, f.raw, f.label, f.sentence))


def _repeats(figs: list[Figure]) -> None:
    seen: dict[tuple[str, str], Figure] = {}
    for f in figs:
        if f.skipped:
            continue
        k = (f.key, f.col)
        if k in seen:
            f.skipped = ("repeated" if seen[k].value == f.value
                         else f"stated again with another number (first: {seen[k].raw})")
            continue
        seen[k] = f


def emitted(figs: list[Figure]) -> list[Figure]:
    return [f for f in figs if not f.skipped]


def notes(figs: list[Figure]) -> list[tuple[str, str, str]]:
    return [(f.key, f.col, f"prose figure not emitted ({f.skipped}): {f.raw}") for f in figs
            if f.skipped and f.skipped != "repeated"]
