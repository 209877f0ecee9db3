"""Text normalization for labels and metadata, so that printed variants compare equal.

Covers: NFKC (full/half width, Kangxi radicals, compatibility ideographs); the CJK Radicals
Supplement through Unicode's EquivalentUnifiedIdeograph table (NFKC leaves ⻔ ⺠ ⻅ alone);
traditional → simplified characters (OpenCC); whitespace and line breaks inside labels;
numbering styles （一）(一) 一、 1. 1、; curly and straight quotes.

Glyph repair lives with the readers (parsers.glyphs) and the enumeration marks in the shared
vocabulary (parsers.shapes): the pipeline builds on the readers, never the reverse.
"""
from __future__ import annotations

from functools import lru_cache

import regex

from parsers.glyphs import fix_glyphs, repair_glyphs
from parsers.shapes import LEADING_NUMBERING, NUMBERING_ARABIC, NUMBERING_CN, NUMBERING_PAREN

__all__ = ["fix_glyphs", "repair_glyphs", "to_simplified", "clean", "compact", "label_key", "numbering",
           "unify_quotes"]

_SPACE = regex.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
_QUOTE_MAP = {"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "「": '"', "」": '"',
              "‘": "'", "’": "'", "『": '"', "』": '"'}
_QUOTES = str.maketrans(_QUOTE_MAP)     # the same as a table (era_a.template uses it)


def unify_quotes(text: str) -> str:
    """Given text, return it with curly and corner quotes as straight ones (a search per quote
    mark: cheaper on a whole document than str.translate, which looks up every character)."""
    for ch, straight in _QUOTE_MAP.items():
        if ch in text:
            text = text.replace(ch, straight)
    return text


@lru_cache(maxsize=1)
def _t2s():
    import opencc
    return opencc.OpenCC("t2s")


_REMEMBERED = 256     # characters: labels and cells are remembered, whole documents are not


def to_simplified(text: str) -> str:
    """Given text, return it in simplified characters (OpenCC t2s). Short texts (labels, cells,
    which recur across reports) are remembered; a whole document's text is converted each time,
    so that a long batch does not keep every report it read in memory."""
    if not text or text.isascii():
        return text
    return _t2s().convert(text) if len(text) > _REMEMBERED else _simplified(text)


@lru_cache(maxsize=65536)
def _simplified(text: str) -> str:
    return _t2s().convert(text)


_CJK_GAP = regex.compile(r"(?<=[\p{Han}（）、，：“”])\s+(?=[\p{Han}（）、，：“”])")


@lru_cache(maxsize=65536)
def clean(text: str) -> str:
    """Trim, glyph-fix and collapse whitespace: the form kept as the printed label. Line breaks
    and spaces between Chinese characters are layout, not text, and are dropped."""
    return _CJK_GAP.sub("", _SPACE.sub(" ", repair_glyphs(text or ""))).strip()


def compact(text: str) -> str:
    """Glyph-fixed text without whitespace, quotes unified: for finding labels in long text
    (no traditional → simplified conversion, which is costly on a whole document)."""
    return _SPACE.sub("", unify_quotes(fix_glyphs(text or ""))).replace("：", ":").replace("，", ",")


@lru_cache(maxsize=65536)
def label_key(text: str, keep_numbering: bool = False) -> str:
    """The comparison form of a label: no whitespace, simplified, unified punctuation."""
    s = unify_quotes(fix_glyphs(text or ""))
    s = _SPACE.sub("", s)
    s = to_simplified(s)
    s = s.replace("：", ":").replace("，", ",").replace("、", "、")
    if not keep_numbering:
        prev = None
        while prev != s:
            prev, s = s, LEADING_NUMBERING.sub("", s)
    return s


@lru_cache(maxsize=65536)
def numbering(text: str) -> str:
    """The leading numbering of a label in a canonical form ('三', '（一）', '1'), or ''."""
    s = _SPACE.sub("", fix_glyphs(text or ""))
    m = NUMBERING_PAREN.match(s)
    if m:
        return f"（{m.group(1)}）"
    m = NUMBERING_CN.match(s)
    if m:
        return m.group(1)
    m = NUMBERING_ARABIC.match(s)
    if m:
        return m.group(1)
    return ""
