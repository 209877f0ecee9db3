"""Figures a report states in its own prose: "全年收到政府信息公开申请 34 件".

Given the report's paragraphs and a set of phrase rules (data files beside the templates), return
every figure a rule's wording pins down, with the clause it came from. A figure is kept only when
its clause names it without qualification: approximate wording (约, 余, 多, 近, 左右, 以上 …), a
sub-count (其中), a comparison (同比, 较上年, 增长 …) or another year disqualifies it, and the
reason is kept so a caller can say why it was skipped. Zero stated in words (未收到…申请) is a
figure of 0. Nothing here knows about tables or templates: callers map a rule to their keys.
"""
from __future__ import annotations

import re
from functools import cached_property, lru_cache
from typing import Iterable, Optional

import regex

from parsers.model import Document, Paragraph

from .datafiles import load_toml
from .records import Record

#: the number of a figure: digits with optional thousands separators and decimals
NUMBER = r"(?<![\d.])(?P<n>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
#: count units a figure must carry (a bare number is a year, a date or a page, not a figure)
UNITS = r"(?:件|条|个|次|宗|起|份|项|人次|篇)"

# plain `re` for the scans over the whole text (it is several times faster than `regex` there);
# the rules' own patterns use `regex` (variable-length look-behinds) on the few clauses gated in
_SENTENCE_END = "。；;！!？?\n"      # characters that end a sentence
_CLAUSE_END = "，,：:"               # and those that only end a clause
_SENTENCE = re.compile(f"[{_SENTENCE_END}]")
_STOP = re.compile(f"[{_SENTENCE_END}{_CLAUSE_END}]")
_SPACE = re.compile(r"[\s\u3000]+")
#: full-width ASCII (digits, punctuation) to half-width: what NFKC does to these phrases, faster
_HALF_WIDTH = {chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)} | {"\u3000": " "}
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")
#: a year named with 年 (the look-behind after the literal "19"/"20" lets `re` skip ahead fast)
_YEAR = re.compile(r"(?:19|20)(?<!\d..)\d\d(?=年)")
_ENDS = re.compile(r"[。；;！!？?]\s*$")
#: a figure's place in a pattern: the number with the approximate markers that may wrap it
FIGURE = rf"(?P<pre>大约|将近|接近|超过|约|近|逾)?{NUMBER}(?P<post>余|多)?"
_APPROX_AFTER = re.compile(r"[件条个次宗起份项篇]?(?:左右|以上|以下|有余)")


class Rule(Record):
    """One indicator's wording: patterns with a `{N}` placeholder for the number, or zero phrases."""
    id: str
    targets: tuple[tuple[str, ...], ...]   # alternatives of cell keys "table/row/col" whose sum it states
    patterns: tuple[str, ...] = ()
    zero: tuple[str, ...] = ()             # phrases that state 0 in words
    label: str = ""
    allow: tuple[str, ...] = ()            # disqualifier ids that do not apply to this rule
    anchors: tuple[str, ...] = ()          # words one of which a clause must hold (a fast pre-test)


class Figure(Record):
    """A figure a rule found: value None with a reason when the wording disqualifies it."""
    rule: Rule
    value: Optional[float]
    clause: str
    sentence: str
    reason: str = ""


class RuleSet(Record):
    """The rules of one data file, the disqualifiers they share and the gate that passes over
    the clauses none of them can match."""
    rules: tuple[Rule, ...]
    disqualifiers: tuple[tuple[str, str, str], ...]   # (id, regex, reason) over the clause
    gate: str = ""                                    # a clause no rule can match lacks this

    @cached_property
    def anchor_scan(self) -> "AnchorScan":
        return AnchorScan(self.rules)

    def compiled(self, exact: bool) -> "_Compiled":
        """The rules' patterns and the disqualifiers compiled (`_compiled`), looked up once."""
        return self._exact if exact else self._plain

    @cached_property
    def _exact(self) -> "_Compiled":
        return _Compiled(self, True)

    @cached_property
    def _plain(self) -> "_Compiled":
        return _Compiled(self, False)


class _Compiled:
    """A rule set's patterns compiled one way: each rule's (patterns, zero phrases) by the
    rule's identity, and the disqualifiers as (id, pattern, reason)."""

    def __init__(self, rs: RuleSet, exact: bool):
        self.exact = exact
        self.rules = {id(r): _rule_patterns(r, exact) for r in rs.rules}
        self.disqualifiers = tuple((did, _compiled(pat, exact), reason) for did, pat, reason in rs.disqualifiers)

    def of(self, rule: Rule) -> tuple[tuple, tuple]:
        got = self.rules.get(id(rule))
        return got if got is not None else _rule_patterns(rule, self.exact)


def _rule_patterns(rule: Rule, exact: bool) -> tuple[tuple, tuple]:
    return tuple(_compiled(p, exact) for p in rule.patterns), tuple(_compiled(z, exact) for z in rule.zero)


def half_width(text: str) -> str:
    """Given text, return it with full-width ASCII forms (digits, letters, punctuation) and the
    ideographic space as their half-width ASCII, one character for one (so positions keep)."""
    # each distinct full-width character replaced once over the text (no call per occurrence);
    # the replacements are ASCII, which no later replacement touches
    for ch in set(_FULL_WIDTH.findall(text)):
        text = text.replace(ch, _HALF_WIDTH[ch])
    return text


def clean(text: str) -> str:
    """Given prose, return it with half-width digits and punctuation and without whitespace (PDF
    and web copies put spaces and line breaks inside numbers and phrases: "34 件", "答复 2\\n件")."""
    return _SPACE.sub("", half_width(text))


def clean_lines(text: str) -> list[str]:
    """Given text, `clean` of each of its lines (split at "\\n")."""
    return _unspaced_lines(half_width(text))


def _unspaced_lines(text: str) -> list[str]:
    """The lines of `text` (split at "\\n") without white space (what `re` reads as `\\s`:
    str.split splits at the same characters, str.isspace, and at C speed)."""
    return ["".join(line.split()) for line in text.split("\n")]


_SENTENCE_END_SET = frozenset("。；;！!？?\x00")


def _soft_breaks_joined(lines: list[str]) -> str:
    """The lines joined, a line broken mid-sentence read whole: a run of line breaks goes where
    the text before it ends no sentence (or the text starts with it) and no table (\\x00)
    follows it; other runs stay (`re.sub(r"(?<![。；;！!？?\\x00\\n])\\n+(?![\\x00\\n])", "", text)`,
    line by line: that pattern, led by a look-behind, is tried at every character)."""
    out = [lines[0]]
    n, i = len(lines), 1
    while i < n:
        j = i
        while j < n - 1 and not lines[j]:      # empty lines: more breaks in the same run
            j += 1
        before = out[-1][-1:] if i > 1 or lines[0] else ""
        after = lines[j][:1]
        if (before and before in _SENTENCE_END_SET) or after == "\x00":
            out.append("\n" * (j - i + 1))
        out.append(lines[j])
        i = j + 1
    return "".join(out)


def prose_text(doc: Document, gate: str = "") -> str:
    """The report's paragraphs (not its tables) without whitespace, joined so that a line broken
    mid-sentence reads whole; a line ending a sentence, and a table, keep a break. With a `gate`
    (a rule set's), only the sentences around paragraphs the gate finds are kept: most of a
    report's prose holds no figure, and reading only the rest keeps this cheap. Full-width forms
    are left as printed (`find_figures` converts the few clauses it reads)."""
    paras = [b.text if isinstance(b, Paragraph) else None for b in doc.blocks]
    if gate:
        hit = _gate(gate + r"|[0-9０-９]\s*$").search
        keep = _windows(paras, [i for i, p in enumerate(paras) if p and hit(p)])
        paras = [p if i in keep else None for i, p in enumerate(paras)]
    text = "\n".join("\x00" if p is None else p for p in paras)
    return _soft_breaks_joined(_unspaced_lines(text)).replace("\x00", "\n")


def _windows(paras: list[Optional[str]], hits: list[int], reach: int = 8) -> set[int]:
    """Given paragraph texts (None for a table) and the indices of some, return those indices
    widened to whole sentences: back while the line before does not end one, on while this one
    does not (at most `reach` lines each way)."""
    keep: set[int] = set()
    n = len(paras)
    for i in hits:
        lo = i
        while lo > 0 and i - lo < reach and paras[lo - 1] and not _ENDS.search(paras[lo - 1]):
            lo -= 1
        hi = i
        while hi + 1 < n and hi - i < reach and paras[hi + 1] and not _ENDS.search(paras[hi]):
            hi += 1
        keep.update(range(lo, hi + 1))
    return keep


def sentences(text: str) -> list[str]:
    """Given cleaned prose, return its sentences (split at 。；！？ and line breaks)."""
    return [s for s in _SENTENCE.split(text) if s]


@lru_cache(maxsize=None)
def _compiled(pattern: str, exact: bool = True):
    """A rule's pattern ({N} the figure, {U} the units) compiled by `regex`, or with `exact`
    false by plain `re` where `re` reads it alike (`_plain`): several times quicker to compile
    (a fresh worker's first report compiles a score of them) and to search short clauses."""
    body = pattern.replace("{N}", FIGURE).replace("{U}", UNITS)
    return (None if exact else _plain(body)) or regex.compile(body)


_ESCAPE = re.compile(r"\\(.)", re.S)
_INLINE_FLAG = re.compile(r"\(\?[a-zA-Z^]")      # (?i), (?x), (?a)…: (?P<name> excepted below
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _plain(body: str) -> Optional[re.Pattern]:
    """`body` compiled by plain `re` when `re` reads it as `regex` does on text without
    characters outside the Basic Multilingual Plane, else None. That holds for patterns of
    literals, classes, groups, alternation, quantifiers and look-arounds `re` accepts (a
    variable-width look-behind it refuses), whose only escapes are \\d (the two engines
    disagree on digits outside the BMP alone: tests/test_era_a_forms.py) and escaped
    punctuation; not for \\s \\w \\b \\p… (classes the engines draw apart) nor inline flags."""
    if any(m.group(1).isalnum() and m.group(1) != "d" for m in _ESCAPE.finditer(body)):
        return None
    if any(not body.startswith("(?P", m.start()) for m in _INLINE_FLAG.finditer(body)):
        return None
    try:
        return re.compile(body)
    except re.error:
        return None


def _approximate(clause: str, m) -> bool:
    return bool(m.group("pre") or m.group("post") or _APPROX_AFTER.match(clause, m.end("n")))


def _disqualified(clause: str, rule: Rule, rs: RuleSet, other_year: Optional[str], exact: bool = True) -> str:
    for did, pat, reason in rs.compiled(exact).disqualifiers:
        if did not in rule.allow and pat.search(clause):
            return reason
    if other_year:
        return f"another year ({other_year})"
    return ""


def _value(n: str) -> float:
    return float(n.replace(",", ""))


def find_figures(text: str, rs: RuleSet, year: Optional[int] = None) -> list[Figure]:
    """Given cleaned prose (see `prose_text`), return the figures the rules find, in text order,
    each once per (rule, clause). A clause is read only when it holds an anchor of a rule and a
    hit of the rule set's gate (words within one clause), and then only by the rules whose
    anchors it holds: the text is scanned once for the anchors (for the gate, when a rule has
    none), and only the clauses they fall in are cut out and looked at."""
    out: list[Figure] = []
    gate, scan = _gate(rs.gate), rs.anchor_scan
    exact = _ASTRAL.search(text) is not None     # a character outside the BMP: the rules read by `regex`
    rev = text[::-1]             # the stop before a place is the first one after it here
    sentences: dict[int, tuple[str, Optional[str]]] = {}   # by start: the sentence, another year it names
    pos = 0
    while (hit := (gate if scan.always else scan).search(text, pos)) is not None:
        lo, hi = _span(text, rev, hit.start(), _STOP)
        pos = hi            # on from the stop that ends this clause
        if not scan.always and gate.search(text, lo, hi) is None:
            continue
        body = half_width(text[lo:hi])
        rules = scan.rules_for(body)
        if rules:
            before = _SENTENCE.search(rev, len(text) - 1 - lo)
            s_lo = len(text) - before.start() if before else 0
            got = sentences.get(s_lo)
            if got is None:     # clauses of one sentence (one start) share its end: cut it once
                after = _SENTENCE.search(text, lo + 1)
                sentence = half_width(text[s_lo:after.start() if after else len(text)])
                got = sentences[s_lo] = (sentence, _other_year(sentence, year))
            out += _clause_figures(body, got[0], rules, rs, got[1], exact)
    return out


def _span(text: str, rev: str, at: int, stop: re.Pattern) -> tuple[int, int]:
    """Given a text, the text reversed and a position, the span from after the last `stop` at or
    before the position to the first one after it (a clause or a sentence)."""
    before, after = stop.search(rev, len(text) - 1 - at), stop.search(text, at + 1)
    return (len(text) - before.start() if before else 0), (after.start() if after else len(text))


def _other_year(sentence: str, year: Optional[int]) -> Optional[str]:
    """A year other than the report's, named in the sentence (a figure then may be of that year)."""
    if year is None:
        return None
    for y in _YEAR.findall(sentence):
        if int(y) != year:
            return y
    return None


class AnchorScan:
    """A rule set's anchor words as one pattern. `search` finds the next place in cleaned prose
    where one of them stands, in full-width or half-width form; `rules_for` gives the rules
    with an anchor in a (half-width) clause, in rule order, and the rules without anchors
    always (then `always` is true and every clause is a candidate)."""

    def __init__(self, rules: tuple[Rule, ...]):
        self.rules = rules
        self._always = frozenset(i for i, r in enumerate(rules) if not r.anchors or "" in r.anchors)
        self.always = bool(self._always)
        # longest first, then by text: the same pattern in every process (a set's order is not)
        words = sorted({w for r in rules for w in r.anchors if w}, key=lambda w: (-len(w), w))
        owners = {w: frozenset(i for i, r in enumerate(rules) if w in r.anchors) for w in words}
        # the longest word found at a place stands for every anchor that is a prefix of it
        self._implied = {w: frozenset().union(*(owners[p] for p in words if w.startswith(p))) for w in words}
        self._half = re.compile("|".join(map(re.escape, words)) or "(?!)")
        self._raw = re.compile("|".join(map(_either_width, words)) or "(?!)")

    def search(self, text: str, pos: int = 0) -> Optional[re.Match]:
        return self._raw.search(text, pos)

    def rules_for(self, clause: str) -> list[Rule]:
        ids = set(self._always)
        m = self._half.search(clause)
        while m is not None:
            ids |= self._implied[m.group()]
            m = self._half.search(clause, m.start() + 1)
        return [self.rules[i] for i in sorted(ids)]


def _either_width(word: str) -> str:
    """A pattern for `word` as `half_width` would read it: each ASCII character also in its
    full-width form (a word holding a full-width form itself is never read: `(?!)`)."""
    out = []
    for ch in word:
        if _FULL_WIDTH.match(ch):
            return "(?!)"
        full = next((k for k, v in _HALF_WIDTH.items() if v == ch), "")
        out.append(f"[{re.escape(ch)}{full}]" if full else re.escape(ch))
    return "".join(out)


@lru_cache(maxsize=None)
def _gate(pattern: str) -> re.Pattern:
    """The rule set's gate as a plain `re` pattern that also takes full-width digits and spaces."""
    return re.compile(pattern.replace("\\d", "[0-9０-９]") or ".")


def _clause_figures(clause: str, sent: str, rules: list[Rule], rs: RuleSet,
                    other_year: Optional[str], exact: bool = True) -> Iterable[Figure]:
    compiled = rs.compiled(exact)
    for rule in rules:
        patterns, zero = compiled.of(rule)
        hit = None
        for p in patterns:
            hit = p.search(clause)
            if hit is not None:
                break
        if hit is not None:
            why = ("approximate figure" if _approximate(clause, hit)
                   else _disqualified(clause, rule, rs, other_year, exact))
            yield Figure(rule, None if why else _value(hit.group("n")), clause, sent, why)
        elif any(z.search(clause) for z in zero):
            why = _disqualified(clause, rule, rs, other_year, exact)
            yield Figure(rule, None if why else 0.0, clause, sent, why)


def _rule(d: dict) -> Rule:
    targets = tuple(tuple(t) if isinstance(t, list) else (t,) for t in d["targets"])
    return Rule(id=d["id"], targets=targets, patterns=tuple(d.get("patterns", ())),
                zero=tuple(d.get("zero", ())), label=d.get("label", ""), allow=tuple(d.get("allow", ())),
                anchors=tuple(d.get("anchors", ())))


@lru_cache(maxsize=None)
def load_rules(name: str) -> RuleSet:
    """The rule set in `pipeline/data/<name>.toml`."""
    raw = load_toml(name)
    return RuleSet(rules=tuple(_rule(r) for r in raw["rules"]),
                   disqualifiers=tuple((d["id"], d["pattern"], d["reason"])
                                      for d in raw.get("disqualifiers", ())),
                   gate=raw.get("gate", ""))
