"""Glyph repair: radical and compatibility code points → the ordinary ideographs they stand for.

PDF fonts and some web pages print ⻔ ⺠ ⻅ (CJK Radicals Supplement), ⾏ (Kangxi radicals) or
compatibility ideographs where the text means 门 民 见 行. NFKC maps the Kangxi radicals and the
compatibility block; the Radicals Supplement goes through Unicode's EquivalentUnifiedIdeograph
table (data/equivalent_unified_ideographs.json). Readers repair per character (so printed
punctuation stays as printed); the pipeline's normalize builds its comparison forms on this.
"""
from __future__ import annotations

import json
import os
import re
import unicodedata
from functools import lru_cache

import regex

from .shapes import COMPAT_IDEOGRAPHS, GLYPH_VARIANT_RANGES

# Kangxi radicals whose NFKC target is the traditional form; reports are simplified text.
_SIMPLIFIED_OVERRIDES = {"\u2f3e": "户", "\u2eb6": "户"}


@lru_cache(maxsize=1)
def _translate() -> dict:
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "equivalent_unified_ideographs.json")
    with open(path, encoding="utf-8") as f:     # a plain path: importlib.resources costs ~20 ms to import
        equiv = json.load(f)
    return str.maketrans({**equiv, **_SIMPLIFIED_OVERRIDES})


# Characters that glyph repair and NFKC leave as they are, alone and beside any other character
# (NFKC quick check Yes, combining class 0, not in the repair table): ASCII, general and CJK
# punctuation that NFKC keeps, the CJK unified ideographs. tests/test_normalize.py checks each.
STABLE_CHARS = ("\x00-\x9f\u2010\u2012-\u2016\u2018-\u2023\u2027-\u202e\u2030-\u2032"
                "\u3001-\u3029\u3030-\u3035\u3400-\u4dbf\u4e00-\u9fff")
_UNSTABLE = re.compile(f"[^{STABLE_CHARS}]")


@lru_cache(maxsize=65536)
def _fixed_char(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch.translate(_translate()))


def fix_glyphs(text: str) -> str:
    """Given text, return it with radical and compatibility code points mapped to the ordinary
    ideographs they stand for, then NFKC (full-width forms become ASCII too).

    Whole-text NFKC costs about 0.15 µs a character, and a report's text is mostly ideographs
    and punctuation it keeps; so only the distinct characters outside STABLE_CHARS are mapped
    (each alone, remembered), and NFKC runs on the whole only where the result is not already
    normalized (a combining mark, a Hangul jamo). Mapping each character to its own NFKC keeps
    the text's NFKD, so a result that is normalized is exactly NFKC of the input."""
    changes = {}
    for ch in set(_UNSTABLE.findall(text)):
        fixed = _fixed_char(ch)
        if fixed != ch:
            changes[ch] = fixed
    if any(x in changes for fixed in changes.values() for x in fixed):
        return unicodedata.normalize("NFKC", text.translate(_translate()))   # replacements would chain
    for ch, fixed in changes.items():
        text = text.replace(ch, fixed)
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


_COMPAT = regex.compile(f"[{COMPAT_IDEOGRAPHS}]")


def repair_glyphs(text: str) -> str:
    """Given text, return it glyph-fixed like `fix_glyphs` but with full-width punctuation kept as
    printed (only compatibility ideographs go through NFKC): for labels shown to users."""
    if not _UNSTABLE.search(text):
        return text         # no radical or compatibility code point (they are all outside STABLE_CHARS)
    return _COMPAT.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text.translate(_translate()))


@lru_cache(maxsize=1)
def glyph_variant_pattern() -> re.Pattern:
    """What shapes.is_glyph_variant accepts, as one character class (a search instead of a test
    a character); compiled when first used (only the PDF reader repairs per character)."""
    return re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in GLYPH_VARIANT_RANGES) + "]")


def repair_chars(text: str) -> str:
    """Given printed text, return it with each radical or compatibility code point repaired on its
    own (`fix_glyphs` per character), every other character (punctuation, full-width forms) as
    printed."""
    variant = glyph_variant_pattern()
    if not variant.search(text):
        return text
    return variant.sub(lambda m: fix_glyphs(m.group()), text)
