"""Text normalization for labels and metadata, so that printed variants compare equal.

Covers: NFKC (full/half width, Kangxi radicals, compatibility ideographs); the CJK Radicals
Supplement through Unicode's EquivalentUnifiedIdeograph table (NFKC leaves ⻔ ⺠ ⻅ alone);
traditional → simplified characters (OpenCC); whitespace and line breaks inside labels;
numbering styles （一）(一) 一、 1. 1、; curly and straight quotes.
"""
from __future__ import annotations

import json
import unicodedata
from functools import lru_cache
from importlib import resources

import regex

_EQUIV: dict[str, str] = json.loads(
    resources.files("pipeline").joinpath("data/equivalent_unified_ideographs.json").read_text("utf-8"))
# Kangxi radicals whose NFKC target is the traditional form; reports are simplified text.
_SIMPLIFIED_OVERRIDES = {"\u2f3e": "户", "\u2eb6": "户"}
_TRANSLATE = str.maketrans({**_EQUIV, **_SIMPLIFIED_OVERRIDES})

_SPACE = regex.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "「": '"', "」": '"',
                         "‘": "'", "’": "'", "『": '"', "』": '"'})
_CN_NUM = "一二三四五六七八九十"
# Leading numbering: （一） (一) 一、 一. 1. 1、 1) （1） ① — any sequence of them.
_NUMBERING = regex.compile(
    rf"^(?:[(（]\s*[{_CN_NUM}\d]+\s*[)）]|[{_CN_NUM}]+\s*[、.．]|\d+\s*[、.．)）](?!\d)|[①-⑳])\s*")


def fix_glyphs(text: str) -> str:
    """Map radical and compatibility code points to the ordinary ideographs they stand for."""
    return unicodedata.normalize("NFKC", text.translate(_TRANSLATE))


_COMPAT = regex.compile(r"[\uf900-\ufaff\U0002f800-\U0002fa1f]")


def repair_glyphs(text: str) -> str:
    """Like fix_glyphs, but keeps full-width punctuation as printed (for labels shown to users)."""
    return _COMPAT.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text.translate(_TRANSLATE))


@lru_cache(maxsize=1)
def _t2s():
    import opencc
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=65536)
def to_simplified(text: str) -> str:
    if not text or text.isascii():
        return text
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
    return _SPACE.sub("", fix_glyphs(text or "").translate(_QUOTES)).replace("：", ":").replace("，", ",")


@lru_cache(maxsize=65536)
def label_key(text: str, keep_numbering: bool = False) -> str:
    """The comparison form of a label: no whitespace, simplified, unified punctuation."""
    s = fix_glyphs(text or "").translate(_QUOTES)
    s = _SPACE.sub("", s)
    s = to_simplified(s)
    s = s.replace("：", ":").replace("，", ",").replace("、", "、")
    if not keep_numbering:
        prev = None
        while prev != s:
            prev, s = s, _NUMBERING.sub("", s)
    return s


_NUM_PAREN = regex.compile(rf"^[(（]([{_CN_NUM}]+)[)）]")
_NUM_CN = regex.compile(rf"^([{_CN_NUM}]+)[、.．]")
_NUM_ARABIC = regex.compile(r"^(\d+)[、.．)）](?!\d)")


@lru_cache(maxsize=65536)
def numbering(text: str) -> str:
    """The leading numbering of a label in a canonical form ('三', '（一）', '1'), or ''."""
    s = _SPACE.sub("", fix_glyphs(text or ""))
    m = _NUM_PAREN.match(s)
    if m:
        return f"（{m.group(1)}）"
    m = _NUM_CN.match(s)
    if m:
        return m.group(1)
    m = _NUM_ARABIC.match(s)
    if m:
        return m.group(1)
    return ""
