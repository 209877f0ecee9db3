"""Figures a report states in its own prose: "全年收到政府信息公开申请 34 件".

Given the report's paragraphs and a set of phrase rules (data files beside the templates), return
every figure a rule's wording pins down, with the clause it came from. A figure is kept only when
its clause names it without qualification: approximate wording (约, 余, 多, 近, 左右, 以上 …), a
sub-count (其中), a comparison (同比, 较上年, 增长 …) or another year disqualifies it, and the
reason is kept so a caller can say why it was skipped. Zero stated in words (未收到…申请) is a
figure of 0. Nothing here knows about tables or templates: callers map a rule to their keys.
"""
from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Iterable, Optional

import regex

from parsers.model import Document, Paragraph

#: the number of a figure: digits with optional thousands separators and decimals
NUMBER = r"(?<![\d.])(?P<n>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
#: count units a figure must carry (a bare number is a year, a date or a page, not a figure)
UNITS = r"(?:件|条|个|次|宗|起|份|项|人次|篇)"

_SENTENCE = regex.compile(r"[。；;！!？?\n]")
_CLAUSE = regex.compile(r"[，,：:]")
_SPACE = regex.compile(r"[\s\u3000]+")
#: a figure's place in a pattern: the number with the approximate markers that may wrap it
FIGURE = rf"(?P<pre>大约|将近|接近|超过|约|近|逾)?{NUMBER}(?P<post>余|多)?"
_APPROX_AFTER = regex.compile(r"^[件条个次宗起份项篇]?(?:左右|以上|以下|有余)")


@dataclass(frozen=True)
class Rule:
    """One indicator's wording: patterns with a `{N}` placeholder for the number, or zero phrases."""
    id: str
    targets: tuple[tuple[str, ...], ...]   # alternatives of cell keys "table/row/col" whose sum it states
    patterns: tuple[str, ...] = ()
    zero: tuple[str, ...] = ()             # phrases that state 0 in words
    label: str = ""
    allow: tuple[str, ...] = ()            # disqualifier ids that do not apply to this rule


@dataclass(frozen=True)
class Figure:
    """A figure a rule found: value None with a reason when the wording disqualifies it."""
    rule: Rule
    value: Optional[float]
    clause: str
    sentence: str
    reason: str = ""


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    disqualifiers: tuple[tuple[str, str, str], ...]   # (id, regex, reason) over the clause


def clean(text: str) -> str:
    """Given prose, return it NFKC-normalized without whitespace (PDF and web copies put spaces
    and line breaks inside numbers and phrases: "34 件", "不予公开答复 2\\n件")."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def prose_text(doc: Document) -> str:
    """The report's paragraphs (not its tables), joined so that a line broken mid-sentence reads
    whole; a paragraph that ends a sentence keeps its break."""
    out, buf = [], []
    for b in doc.blocks:
        if not isinstance(b, Paragraph):
            if buf:                      # a table ends the sentence before it
                out.append("".join(buf))
                buf = []
            continue
        t = clean(b.text)
        if not t:
            continue
        buf.append(t)
        if t.endswith(("。", "；", ";", "！", "？", "!", "?")):
            out.append("".join(buf))
            buf = []
    if buf:
        out.append("".join(buf))
    return "\n".join(out)


def sentences(text: str) -> list[str]:
    """Given cleaned prose, return its sentences (split at 。；！？ and line breaks)."""
    return [s for s in _SENTENCE.split(text) if s]


def _clauses(sentence: str) -> list[str]:
    return [c for c in _CLAUSE.split(sentence) if c]


@lru_cache(maxsize=None)
def _compiled(pattern: str) -> regex.Pattern:
    return regex.compile(pattern.replace("{N}", FIGURE).replace("{U}", UNITS))


def _approximate(clause: str, m: regex.Match) -> bool:
    return bool(m.group("pre") or m.group("post") or _APPROX_AFTER.match(clause[m.end("n"):]))


def _disqualified(clause: str, rule: Rule, rs: RuleSet, other_year: Optional[str]) -> str:
    for did, pat, reason in rs.disqualifiers:
        if did not in rule.allow and _compiled(pat).search(clause):
            return reason
    if other_year:
        return f"another year ({other_year})"
    return ""


def _other_year(sentence: str, year: Optional[int]) -> Optional[str]:
    """A year other than the report's, named in the sentence (a figure then may be of that year)."""
    if year is None:
        return None
    for y in regex.findall(r"(?<!\d)(20\d{2}|19\d{2})(?=年)", sentence):
        if int(y) != year:
            return y
    return None


def _value(n: str) -> float:
    return float(n.replace(",", ""))


def find_figures(text: str, rs: RuleSet, year: Optional[int] = None) -> list[Figure]:
    """Given cleaned prose (see `prose_text`), return the figures the rules find, in text order,
    each once per (rule, clause)."""
    out: list[Figure] = []
    for sent in sentences(text):
        other = _other_year(sent, year)
        for clause in _clauses(sent):
            out += _clause_figures(clause, sent, rs, other)
    return out


def _clause_figures(clause: str, sent: str, rs: RuleSet, other_year: Optional[str]) -> Iterable[Figure]:
    for rule in rs.rules:
        hit = next((m for p in rule.patterns if (m := _compiled(p).search(clause))), None)
        if hit is not None:
            why = "approximate figure" if _approximate(clause, hit) else _disqualified(clause, rule, rs, other_year)
            yield Figure(rule, None if why else _value(hit.group("n")), clause, sent, why)
        elif any(_compiled(z).search(clause) for z in rule.zero):
            why = _disqualified(clause, rule, rs, other_year)
            yield Figure(rule, None if why else 0.0, clause, sent, why)


def _rule(d: dict) -> Rule:
    targets = tuple(tuple(t) if isinstance(t, list) else (t,) for t in d["targets"])
    return Rule(id=d["id"], targets=targets, patterns=tuple(d.get("patterns", ())),
                zero=tuple(d.get("zero", ())), label=d.get("label", ""), allow=tuple(d.get("allow", ())))


@lru_cache(maxsize=None)
def load_rules(name: str) -> RuleSet:
    """The rule set in `pipeline/data/<name>.toml`."""
    raw = tomllib.loads(resources.files("pipeline").joinpath(f"data/{name}.toml").read_text("utf-8"))
    return RuleSet(rules=tuple(_rule(r) for r in raw["rules"]),
                   disqualifiers=tuple((d["id"], d["pattern"], d["reason"])
                                      for d in raw.get("disqualifiers", ())))
