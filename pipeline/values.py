"""Cell values: printed text → number, by the column's kind, with the reason when it fails.

Counts accept thousands separators, full-width digits and the fillers that mean zero
(—, -, /, 无); blank stays blank. Signed columns keep the sign. Money is normalized to 万元.
The shapes (numbers, units, fillers) come from the shared vocabulary, parsers.shapes.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from decimal import Decimal, InvalidOperation
from typing import Optional

from parsers.shapes import (CHANGE_WORDS as _WORDS, COUNT_UNIT_SUFFIX as _COUNT_UNIT, DASH_RUN as _DASHES,
                            MONEY_PARTS as _MONEY, NUMBER_PARTS as _NUMBER, SPACE_GROUPED as _SPACE_GROUPED,
                            SPLIT_DIGITS as _SPLIT_DIGITS, VALUE_SPACE as _WS, VALUE_TEXT, ZERO_FILLERS)

__all__ = ["Value", "ZERO_FILLERS", "is_blank", "parse", "looks_numeric", "fmt"]


@dataclass(frozen=True)
class Value:
    value: Optional[float]        # None = blank or unreadable
    ok: bool = True               # False: non-numeric text (kept in raw, logged)
    note: str = ""


@lru_cache(maxsize=65536)
def _canon(raw: str) -> str:
    s = unicodedata.normalize("NFKC", raw or "")
    s = _WS.sub("", s)
    return (s.replace("，", ",").replace("。", ".").replace("−", "-").replace("＋", "+")
            .replace("萬", "万").replace("個", "个").replace("條", "条").replace("項", "项"))


def is_blank(raw: str) -> bool:
    return _canon(raw) == ""


def _two_numbers(raw: str) -> bool:
    """Digits separated by white space that is neither a thousands grouping (1 234) nor letter
    spacing (1 2): two cells run into one ("32 60", "88782 33"), never one number."""
    s = unicodedata.normalize("NFKC", raw or "").strip()
    return bool(_SPLIT_DIGITS.search(s)) and not _SPACE_GROUPED.match(s)


@lru_cache(maxsize=65536)
def parse(raw: str, kind: str = "count") -> Value:
    """Read one printed cell. kind: count | signed | money. Remembered: a report prints the
    same few cells ("0", "—", "1") over and over, and a Value is frozen."""
    if _two_numbers(raw):
        return Value(None, ok=False, note=f"two numbers in one cell: {raw!r}")
    s = _canon(raw)
    if s == "":
        return Value(None)
    if s in ZERO_FILLERS or _DASHES.fullmatch(s):
        return Value(0.0)
    if kind == "money":
        m = _MONEY.match(s)
        if m:
            sign, whole, frac, unit = m.groups()
            num = Decimal(sign + whole.replace(",", "") + ("." + frac if frac else ""))
            if unit == "元":
                num = num / Decimal(10000)
                return Value(float(num), note="元 → 万元")
            return Value(float(num))
    m = _NUMBER.match(_COUNT_UNIT.sub("", s)) if kind != "money" else _NUMBER.match(s)
    if m:
        sign, whole, frac = m.groups()
        if frac is not None and kind != "money":
            return Value(None, ok=False, note=f"decimal where a count is expected: {raw!r}")
        try:
            num = Decimal(sign + whole.replace(",", "") + ("." + frac if frac else ""))
        except InvalidOperation:
            return Value(None, ok=False, note=f"not a number: {raw!r}")
        if sign == "-" and kind == "count":
            return Value(float(num), note=f"negative count: {raw!r}")
        return Value(float(num))
    m = _WORDS.match(s)
    if m and kind == "signed":
        n = float(m.group(2))
        return Value(-n if m.group(1).startswith("减") else n)
    return Value(None, ok=False, note=f"not a number: {raw!r}")


@lru_cache(maxsize=65536)
def looks_numeric(raw: str) -> bool:
    """True for text a value cell could hold: a number, a zero filler or an amount (not blank)."""
    s = _canon(raw)
    return bool(s) and (s in ZERO_FILLERS or bool(_DASHES.fullmatch(s))
                        or bool(VALUE_TEXT.match(s)))


@lru_cache(maxsize=65536)
def fmt(v: Optional[float]) -> str:
    """A value for CSV: integers without '.0', decimals without float noise (remembered: every
    cell and check side of a report goes through here, most of them small integers)."""
    if v is None:
        return ""
    if float(v).is_integer():
        return str(int(v))
    return format(Decimal(repr(v)).normalize(), "f")
