"""Glyph repair: radical and compatibility code points → the ordinary ideographs they stand for.

PDF fonts and some web pages print ⻔ ⺠ ⻅ (CJK Radicals Supplement), ⾏ (Kangxi radicals) or
compatibility ideographs where the text means 门 民 见 行. NFKC maps the Kangxi radicals and the
compatibility block; the Radicals Supplement goes through Unicode's EquivalentUnifiedIdeograph
table (data/equivalent_unified_ideographs.json). Readers repair per character (so printed
punctuation stays as printed); the pipeline's normalize builds its comparison forms on this.
"""
from __future__ import annotations

import json
import unicodedata
from functools import lru_cache
from importlib import resources

import regex

from .shapes import COMPAT_IDEOGRAPHS, is_glyph_variant

# Kangxi radicals whose NFKC target is the traditional form; reports are simplified text.
_SIMPLIFIED_OVERRIDES = {"\u2f3e": "户", "\u2eb6": "户"}


@lru_cache(maxsize=1)
def _translate() -> dict:
    equiv = json.loads(resources.files("parsers").joinpath("data/equivalent_unified_ideographs.json")
                       .read_text("utf-8"))
    return str.maketrans({**equiv, **_SIMPLIFIED_OVERRIDES})


def fix_glyphs(text: str) -> str:
    """Given text, return it with radical and compatibility code points mapped to the ordinary
    ideographs they stand for, then NFKC (full-width forms become ASCII too)."""
    return unicodedata.normalize("NFKC", text.translate(_translate()))


_COMPAT = regex.compile(f"[{COMPAT_IDEOGRAPHS}]")


def repair_glyphs(text: str) -> str:
    """Given text, return it glyph-fixed like `fix_glyphs` but with full-width punctuation kept as
    printed (only compatibility ideographs go through NFKC): for labels shown to users."""
    return _COMPAT.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text.translate(_translate()))


def repair_chars(text: str) -> str:
    """Given printed text, return it with each radical or compatibility code point repaired on its
    own (`fix_glyphs` per character), every other character (punctuation, full-width forms) as
    printed."""
    if not any(is_glyph_variant(ch) for ch in text):
        return text
    return "".join(fix_glyphs(ch) if is_glyph_variant(ch) else ch for ch in text)
