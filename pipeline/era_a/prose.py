"""Figures stated in an era-A report's sentences, by the phrase rules of data/prose_2008.toml.

Given the document stream (and the span of its appendix, which is not prose), return one
figure per rule hit: key, column, value, the clause as printed. Approximate figures (约, 余,
多, 近, 左右, 以上) are not emitted but logged; zeros stated in words (未收到…申请, 暂不收费)
are value 0. A key stated twice keeps its first figure (cells.csv holds one prose row a key).
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Optional

import regex

from .. import values as V
from .stream import Stream
from .template import SEP, EraATemplate


@dataclass
class Figure:
    key: str
    col: str
    value: Optional[float]
    raw: str                # the clause as printed
    label: str              # the naming phrase
    sentence: int           # sentence number (figures of one sentence are checked together)
    page: Optional[int] = None
    skipped: str = ""       # why it is not emitted (approximate, repeated)


@dataclass(frozen=True)
class Rule:
    key: str
    col: str
    pattern: regex.Pattern
    zero: bool
    kind: str
    exclude: Optional[regex.Pattern]
    context: Optional[regex.Pattern]
    subjects: tuple
    channels: tuple
    words: tuple
    cumulative: Optional[regex.Pattern]


@lru_cache(maxsize=None)
def rules() -> tuple[dict, tuple[Rule, ...]]:
    raw = tomllib.loads(resources.files("pipeline").joinpath("data/prose_2008.toml").read_text("utf-8"))
    st = raw["settings"]
    num = st["number"]
    comp = lambda p: regex.compile(p) if p else None
    out = []
    for f in raw["figures"]:
        pat = f["pattern"]
        out.append(Rule(key=f["key"], col=f.get("col", "this_year"), pattern=regex.compile(pat.replace("{N}", num)),
                        zero="{N}" not in pat, kind=f.get("kind", "count"), exclude=comp(f.get("exclude")),
                        context=comp(f.get("context")),
                        subjects=tuple((regex.compile(a), b) for a, b in f.get("subjects", ())),
                        channels=tuple((regex.compile(a), b) for a, b in f.get("channels", ())),
                        words=tuple((regex.compile(a), b) for a, b in f.get("words", ())),
                        cumulative=comp(f.get("cumulative"))))
    settings = dict(st) | {"approx_before_re": regex.compile(st["approx_before"]),
                           "approx_after_re": regex.compile(st["approx_after"]),
                           "share_re": regex.compile(st["share_clause"]), "lead_re": regex.compile(st["lead_clause"]),
                           "heading_re": regex.compile(st["heading"]), "trigger_re": regex.compile(st["trigger"]), "year_total_re": regex.compile(st["year_total"])}
    return settings, tuple(out)


@dataclass
class _Clause:
    text: str          # compact text of the clause
    idx: list[int]     # stream index of each character
    sentence: int


def _clauses(stream: Stream, exclude: Optional[tuple[int, int]], breaks: str, sbreaks: str,
             trigger: regex.Pattern) -> list[_Clause]:
    """Clauses (split at clause punctuation) that may state a figure (`trigger`), outside the
    appendix; separators are dropped, except between two digits (kept as a space)."""
    t = stream.text
    out: list[_Clause] = []
    sentence = 0
    cut = regex.compile(f"[{regex.escape(breaks)}]")
    start = 0
    for m in (*cut.finditer(t), None):
        end = m.start() if m else len(t)
        a, b = start, end
        if exclude and a < exclude[1] and exclude[0] < b:   # the appendix is not prose
            a, b = (a, exclude[0]) if a < exclude[0] else (exclude[1], b)
        seg = t[a:b]
        if seg and trigger.search(seg):
            idx = [a + k for k, ch in enumerate(seg) if ch != SEP or (0 < k < len(seg) - 1 and seg[k - 1].isdigit()
                                                                      and seg[k + 1].isdigit())]
            text = "".join(" " if t[i] == SEP else t[i] for i in idx)
            if text.strip():
                out.append(_Clause(text, idx, sentence))
        if m is not None and m.group() in sbreaks:
            sentence += 1
        start = end + 1
    return out


def find(stream: Stream, tpl: EraATemplate, exclude: Optional[tuple[int, int]] = None) -> list[Figure]:
    st, rs = rules()
    clauses = _clauses(stream, exclude, st["clause_breaks"], st["sentence_breaks"], st["trigger_re"])
    out: list[Figure] = []
    for k, cl in enumerate(clauses):
        used: list[tuple[int, int]] = []
        for rule in rs:
            for m in rule.pattern.finditer(cl.text):
                span = m.span("n") if not rule.zero else m.span()
                if any(a < span[1] and span[0] < b for a, b in used):
                    continue
                if rule.exclude and rule.exclude.search(cl.text):
                    continue
                if rule.context and not _in_context(rule.context, clauses, k, stream, st):
                    continue
                used.append(span)
                out += _figures(rule, m, cl, clauses, k, stream, st)
    _repeats(out, clauses)
    return out


def _in_context(pat: regex.Pattern, clauses: list[_Clause], k: int, stream: Stream, st) -> bool:
    """The pattern occurs in this sentence or the one before (in the printed text)."""
    a = clauses[k].idx[0]
    before = stream.text[max(0, a - 300):a].replace(SEP, "")
    cuts = [i for i, ch in enumerate(before) if ch in st["sentence_breaks"]]
    window = before[cuts[-2] + 1:] if len(cuts) >= 2 else before
    return bool(pat.search(window + clauses[k].text))


def _figures(rule: Rule, m, cl: _Clause, clauses, k, stream: Stream, st) -> list[Figure]:
    raw = _quote(cl, clauses, k, stream, st)
    page = stream.page_at(cl.idx[m.start()])
    label = stream.quote(cl.idx[m.start()], cl.idx[m.end() - 1] + 1)
    if rule.zero:
        keys = [b for a, b in rule.words if a.search(m.group())] if rule.words else [rule.key]
        return [Figure(key, rule.col, 0.0, raw, label, cl.sentence, page) for key in dict.fromkeys(keys)]
    before, after = cl.text[:m.start("n")], cl.text[m.end("n"):]
    skipped = ""
    if m.group("pre") or m.group("post") or st["approx_before_re"].search(before) \
            or st["approx_after_re"].search(after):
        skipped = "approximate figure"
    text = m.group("n")
    if rule.kind == "money":
        v = V.parse(text + (m.groupdict().get("unit") or ""), "money")
    else:
        v = V.parse(text, "count")
    key = rule.key
    head = cl.text[:m.start()]
    for pat, k2 in rule.subjects:
        if pat.search(head):
            key = k2
            break
    col = rule.col
    if rule.cumulative and rule.cumulative.search(cl.text[:m.start("n")]) \
            and not st["year_total_re"].search(cl.text[:m.start("n")]):
        col = "cumulative"
    out = [Figure(key, col, v.value, raw, label, cl.sentence, page, skipped)]
    for pat, k2 in rule.channels:
        if pat.search(m.group()):
            out.append(Figure(k2, col, v.value, raw, label, cl.sentence, page, skipped))
            out[0].skipped = out[0].skipped or "channel"   # the total only if the sentence has no other
            break
    return out


def _quote(cl: _Clause, clauses: list[_Clause], k: int, stream: Stream, st) -> str:
    """The clause as printed, without a section heading run into it, with a short leading
    clause naming the time ("今年以来，") and a following share ("，占73%")."""
    skip = 0
    while True:
        h = st["heading_re"].match(cl.text[skip:])
        if not h or skip + h.end() >= len(cl.text):
            break
        skip += h.end()
    a, b = cl.idx[skip], cl.idx[-1] + 1
    t = stream.text
    breaks = st["clause_breaks"]
    if not skip and a > 0 and t[a - 1] in breaks and t[a - 1] not in st["sentence_breaks"]:
        j = a - 1
        while j > 0 and t[j - 1] not in breaks and t[j - 1] != SEP and a - j <= st["lead_clause_max"] + 2:
            j -= 1
        lead = t[j:a - 1]
        if (j == 0 or t[j - 1] in breaks or t[j - 1] == SEP) and 0 < len(lead) <= st["lead_clause_max"] and st["lead_re"].search(lead):
            a = j
    if b < len(t) and t[b] in breaks and t[b] not in st["sentence_breaks"]:
        e = b + 1
        while e < len(t) and t[e] not in breaks and e - b < 20:
            e += 1
        if st["share_re"].search(t[b + 1:e].replace(SEP, "")):
            b = e
    return stream.quote(a, b)


def _repeats(figs: list[Figure], clauses) -> None:
    """One prose figure a key: the first is kept; a channel figure stands for the total only
    when its sentence states no other request figure."""
    for f in figs:
        if f.skipped == "channel":
            others = [g for g in figs if g is not f and g.sentence == f.sentence and g.key.startswith("requests_")
                      and g.raw != f.raw]
            f.skipped = "" if not others else "a channel figure, not the total"
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
