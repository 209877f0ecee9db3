"""Agency identity: given the agency names printed in every report (with their years), return one
agency_id per body, and a log line for every grouping decision.

A name is normalized (NFKC full → half width, traditional → simplified, spaces, Markdown and list
marks), split into a region prefix (resolved to a GB/T 2260 code by `regions`) and the body
(人民政府, 人民政府办公室, 发展和改革局…), and keyed by (region code, body): so 秀洲区人民政府 and
嘉兴市秀洲区人民政府 are one body, while 人民政府 ≠ 人民政府办公室 and a district's 发展和改革局 ≠ its
人民政府. A body printed with one wrong character is joined to its series only where the region and
kind agree, the body is long enough for one character not to be a different body, and the two
spellings never appear in the same year. A user's CSV (name → agency_id) overrides everything.
"""
from __future__ import annotations

import csv
import hashlib
import tomllib
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import regex

from . import regions

_DATA = Path(__file__).with_name("data") / "agency_names.toml"
_MARKS = regex.compile(r"^(?:[#>*\-+|\s]+|\d{1,2}[.、)]\s*|[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}、)+")
_JUNK = regex.compile(r"[\s\u3000*_`#|“”\"'‘’《》「」【】\[\]]+")
MIN_TYPO_BODY = 5   # a one-character difference in a shorter body is a different body (财政局/民政局)


@lru_cache(maxsize=1)
def rules() -> dict:
    with open(_DATA, "rb") as f:
        return tomllib.load(f)


@lru_cache(maxsize=1)
def _t2s():
    import opencc
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=65536)
def normalize(name: str) -> str:
    """Given a printed agency name, return it without width, script, space or Markdown differences."""
    s = unicodedata.normalize("NFKC", name or "").strip()
    s = _MARKS.sub("", s)
    s = _JUNK.sub("", s)
    s = _t2s().convert(s)
    return s.strip("，。,.:：;；-—")


@lru_cache(maxsize=65536)
def canonical_body(body: str) -> str:
    """Given the body part of a name, return its canonical spelling (abbreviations, zone committees)."""
    r = rules()
    body = r["abbreviations"].get(body, body)
    z = r["zones"]
    for c in sorted(z["committee"], key=len, reverse=True):
        if body.endswith(c) and any(body[: -len(c)].endswith(e) for e in z["endings"]):
            return body[: -len(c)] + z["canonical_committee"]
    if any(body.endswith(e) for e in z["endings"]):
        return body + z["canonical_committee"]
    return body


@lru_cache(maxsize=1)
def _kind_patterns():
    return [(regex.compile(k["pattern"]), k["kind"]) for k in rules()["kinds"]]


@lru_cache(maxsize=1)
def _township():
    return regex.compile(rules()["township"]["pattern"])


@lru_cache(maxsize=65536)
def kind_of(body: str) -> str:
    for pattern, kind in _kind_patterns():
        if pattern.search(body):
            return kind
    return "other"


@dataclass
class Parsed:
    printed: str
    year: int | None
    norm: str
    region: regions.Region
    body: str
    kind: str
    level: str
    key: str


def parse_name(printed: str, year: int | None) -> Parsed:
    """Given a printed name and its year, return its normalized parts and identity key."""
    norm = normalize(printed)
    if any(norm.startswith(p) for p in rules()["national"]["prefixes"]):
        reg = regions.Region(reason="a central-government body: no GB/T 2260 division")
        body = canonical_body(norm)
        return Parsed(printed, year, norm, reg, body, kind_of(body), "national", f"national|{body}")
    reg = regions.resolve(norm, year)
    if not reg.code:
        body = canonical_body(norm)
        return Parsed(printed, year, norm, reg, body, kind_of(body), "", f"?|{body}")
    body = canonical_body(norm[reg.end:]) if reg.end < len(norm) else "人民政府"
    if reg.reason.startswith("matched by the short name"):
        body = canonical_body(norm[reg.end:] or norm)
    level = "township" if _township().match(body) else reg.level
    return Parsed(printed, year, norm, reg, body, kind_of(body), level, f"{reg.code}|{body}")


def agency_id_of(key: str) -> str:
    code, _, body = key.partition("|")
    digest = hashlib.sha1(key.encode()).hexdigest()[:8]
    return f"{code}-{digest}" if code.isdigit() else f"{code if code != '?' else 'x'}-{digest}"


@dataclass
class Grouping:
    names: list[dict] = field(default_factory=list)     # one per (printed name, year)
    agencies: list[dict] = field(default_factory=list)  # one per agency_id
    log: list[dict] = field(default_factory=list)


def _typo_pairs(keys: dict[str, list[Parsed]]) -> dict[str, str]:
    """Keys whose body differs from another key's in one character, same region and kind → that key."""
    by_region: dict[tuple[str, str, int], list[str]] = defaultdict(list)
    for k, ps in keys.items():
        p = ps[0]
        if p.region.code and len(p.body) >= MIN_TYPO_BODY:
            by_region[(p.region.code, p.kind, len(p.body))].append(k)
    years = {k: {p.year for p in ps} for k, ps in keys.items()}
    size = {k: len(ps) for k, ps in keys.items()}
    out = {}
    for group in by_region.values():
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                ba, bb = keys[a][0].body, keys[b][0].body
                if sum(x != y for x, y in zip(ba, bb)) == 1 and not (years[a] & years[b]):
                    small, big = sorted((a, b), key=lambda k: (size[k], k))
                    out[small] = big
    return out


def group(entries: list[tuple[str, int | None, int]], overrides: dict[str, str] | None = None) -> Grouping:
    """Given (printed name, year, report count) entries and name → agency_id overrides, group them."""
    overrides = overrides or {}
    parsed = [(parse_name(n, y), c) for n, y, c in entries if n]
    keys: dict[str, list[Parsed]] = defaultdict(list)
    for p, c in parsed:
        keys[p.key].extend([p] * max(c, 1))
    joined = _typo_pairs(keys)
    g = Grouping()
    final: dict[str, str] = {}
    for p, c in parsed:
        key = joined.get(p.key, p.key)
        aid = overrides.get(p.printed) or overrides.get(p.norm) or agency_id_of(key)
        decision, reason = _decision(p, key, joined, overrides)
        final[p.printed + "\x00" + str(p.year)] = aid
        g.names.append({"agency_id": aid, "year": p.year, "name_printed": p.printed, "name_normalized": p.norm,
                        "body": p.body, "group_key": key, "reports": c, "decision": decision})
        g.log.append({"agency_id": aid, "year": p.year, "name": p.printed, "event": decision, "message": reason})
        if not p.region.code:
            g.log.append({"agency_id": aid, "year": p.year, "name": p.printed, "event": "region_unknown",
                          "message": p.region.reason})
        elif p.region.reason:
            g.log.append({"agency_id": aid, "year": p.year, "name": p.printed, "event": "region_short_name",
                          "message": p.region.reason})
    g.agencies = _agency_rows(g.names, parsed, final)
    return g


def _decision(p: Parsed, key: str, joined: dict, overrides: dict) -> tuple[str, str]:
    if p.printed in overrides or p.norm in overrides:
        return "override", f"agency_id from the --agencies file for '{p.printed}'"
    if key != p.key:
        return "typo_joined", (f"body '{p.body}' differs in one character from '{key.partition('|')[2]}' "
                               f"(same region {p.region.code}, kind {p.kind}, never printed in the same year): joined")
    if p.region.code:
        how = f"region {p.region.code} {p.region.name} from '{p.region.matched}'"
        return "grouped", f"{how}, body '{p.body}' ({p.kind}): key {key}"
    return "grouped_by_name", f"no region resolved; grouped by the normalized name '{p.body}' only"


def _agency_rows(names: list[dict], parsed, final: dict) -> list[dict]:
    by_id: dict[str, list[tuple[dict, Parsed]]] = defaultdict(list)
    for row, (p, _) in zip(names, parsed):
        by_id[row["agency_id"]].append((row, p))
    out = []
    for aid, items in sorted(by_id.items()):
        latest = max(items, key=lambda it: (it[1].year or 0, it[0]["reports"]))[1]
        counts = Counter()
        for row, p in items:
            counts[p.norm] += row["reports"]
        canonical = max(counts, key=lambda n: (len(n), counts[n], n))
        years = defaultdict(set)
        for row, p in items:
            years[p.year].add(p.printed)
        printed = " | ".join(f"{y or '?'} {'; '.join(sorted(ns))}" for y, ns in sorted(years.items(), key=lambda t: t[0] or 0))
        out.append({"agency_id": aid, "canonical_name": canonical, "names_by_year": printed,
                    "region_code": latest.region.code, "region_name": latest.region.name, "level": latest.level,
                    "kind": latest.kind, "region_reason": latest.region.reason,
                    "first_year": min((p.year for _, p in items if p.year), default=None),
                    "last_year": max((p.year for _, p in items if p.year), default=None)})
    return out


def read_overrides(path: str | None) -> dict[str, str]:
    """A user CSV with columns name, agency_id (BOM or not): name as printed or normalized."""
    if not path:
        return {}
    out = {}
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            name, aid = (row.get("name") or "").strip(), (row.get("agency_id") or "").strip()
            if name and aid:
                out[name] = aid
                out[normalize(name)] = aid
    return out
