"""The vocabulary of text shapes: what a printed number, a filler, an enumeration mark, a unit, a
Chinese character or a page number looks like. Readers and the pipeline (values, normalize) take
their patterns from here, so that "is this a number" is answered from one set of pieces.

The pieces are plain strings (character classes and alternations); the patterns are built from
them. Where two places have always read a shape differently, the difference is kept as a named
variant with the reason, never silently unified: changing one would change what a reader treats
as a table row or what the pipeline reads as a value, and so change outputs.

Variants of "a number" (all accept ASCII and other Unicode decimal digits through ``\\d``):

* `NUMBER` / `NUMBER_PARTS`: a value cell's number, after values' canonical form (NFKC,
  no whitespace): optional sign, digits with correct thousands groups, an optional fraction.
* `VALUE_TEXT`: `NUMBER` with an optional unit, money (`MONEY_UNITS`) or count (`COUNT_UNITS`).
* `PDF_NUMBER`: a word on a PDF page that is a number: loose separators (``1,2345``), a
  trailing ``%``; no units (units make a word a label there).
* `PDF_VALUE_WORD`: `PDF_NUMBER` with an optional ``元``/``万元``, or a run of one to three
  filler marks (`PDF_FILLER_MARKS`): the value cells of a table printed without ruling lines.
* `LAYOUT_NUMBER`: a token of a plain-text table (``pdftotext -layout``, tab rows): printed
  text before any normalization, so full-width separators (，．), a leading dash or slash and
  traditional unit characters are accepted; the count units are only `LAYOUT_COUNT_UNITS`
  (件个条项 without 次/人/家, which the text reader has never taken for table values).

Enumeration marks: `ENUM_MARK` (a label that starts an enumerated row: （一） 一、 1.),
`LEADING_NUMBERING` (normalize's wider form: spaces inside, ``1)``, circled ①–⑳), and the
three canonical parts `NUMBERING_PAREN`, `NUMBERING_CN`, `NUMBERING_ARABIC`.
"""
from __future__ import annotations

import re

import regex

# ------------------------------------------------------------------ pieces
CN_NUMERALS = "一二三四五六七八九十"            # the numerals of enumeration marks （一） 一、
MONEY_UNITS = ("万元", "万", "元")               # longest first: alternation order matters
COUNT_UNITS = ("件", "个", "条", "项", "次", "人", "家")   # what a count cell may carry (3件, 2人)
LAYOUT_COUNT_UNITS = ("件", "个", "個", "条", "條", "项", "項")   # text reader's variant, see above
LAYOUT_MONEY_UNITS = ("万元", "萬元", "万", "萬", "元")
DASHES = "—–\\-－"                              # em, en, hyphen-minus, full-width hyphen-minus
ZERO_FILLERS = frozenset({"—", "–", "-", "－", "/", "／", "无", "無", "\\", "——", "--", "0"})
PDF_FILLER_MARKS = "-—–―/／\\\\无"              # regex class body: marks printed for zero/none
LAYOUT_FILLERS = "—–\\-－/无無"                  # regex class body: one mark alone in a text cell

# Unicode ranges
CJK_UNIFIED = ("\u4e00", "\u9fff")              # CJK Unified Ideographs: "Chinese text" share
# Chinese script in the wide sense: radicals … unified ideographs, compatibility ideographs,
# full-width forms; HTML adds CJK punctuation (U+3000–U+303F) for its line joins.
CJK_WIDE = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
CJK_WIDE_PUNCT = CJK_WIDE + "\u3000-\u303f"
# Code points that stand for an ordinary ideograph (radicals, compatibility ideographs).
GLYPH_VARIANT_RANGES = ((0x2E80, 0x2FDF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))
COMPAT_IDEOGRAPHS = "\uf900-\ufaff\U0002f800-\U0002fa1f"


def _alt(words) -> str:
    return "|".join(words)


_GROUPED = r"\d{1,3}(?:,\d{3})+|\d+"             # 1,234,567 or 1234567 (never 1,23)

# ------------------------------------------------------------------ values (canonical text)
NUMBER_PARTS = regex.compile(rf"^([+-]?)({_GROUPED})(?:\.(\d+))?$")
MONEY_PARTS = regex.compile(rf"^([+-]?)({_GROUPED})(?:\.(\d+))?\s*({_alt(MONEY_UNITS)})?$")
VALUE_TEXT = regex.compile(rf"^[+-]?(?:{_GROUPED})(?:\.\d+)?(?:{_alt(MONEY_UNITS + COUNT_UNITS)})?$")
COUNT_UNIT_SUFFIX = regex.compile(rf"(?<=\d)(?:{_alt(COUNT_UNITS)})$")
DASH_RUN = regex.compile(rf"[{DASHES}]+")
CHANGE_WORDS = regex.compile(r"^(增加|增|减少|减)\s*(\d+)$")   # 增加3 / 减2 in a signed column
VALUE_SPACE = regex.compile(r"[\s\u3000]+")
SPLIT_DIGITS = regex.compile(r"\d[\s\u3000]+[+\-]?\d")   # "32 60": two cells run into one, never 3260
# one number despite the spaces: thousands grouped by spaces (1 234) or letter-spaced digits (1 2 3)
SPACE_GROUPED = regex.compile(rf"^[+\-]?(?:\d{{1,3}}(?:[ \u00a0\u3000]\d{{3}})+|\d(?:[\s\u3000]+\d)+)"
                              rf"(?:\.\d+)?(?:{_alt(MONEY_UNITS)})?$")

# ------------------------------------------------------------------ readers (printed text)
LAYOUT_NUMBER = regex.compile(rf"^[+\-－—–/]?[\d,，.．]*\d[\d,，.．]*({_alt(LAYOUT_MONEY_UNITS + LAYOUT_COUNT_UNITS)})?$"
                              rf"|^[{LAYOUT_FILLERS}]$")

# ------------------------------------------------------------------ enumeration marks
LEADING_NUMBERING = regex.compile(
    rf"^(?:[(（]\s*[{CN_NUMERALS}\d]+\s*[)）]|[{CN_NUMERALS}]+\s*[、.．]|\d+\s*[、.．)）](?!\d)|[①-⑳])\s*")
NUMBERING_PAREN = regex.compile(rf"^[(（]([{CN_NUMERALS}]+)[)）]")
NUMBERING_CN = regex.compile(rf"^([{CN_NUMERALS}]+)[、.．]")
NUMBERING_ARABIC = regex.compile(r"^(\d+)[、.．)）](?!\d)")

# Patterns only the PDF and HTML readers use (`re`, as they were), compiled when first imported
# (`from parsers.shapes import PDF_NUMBER`): the big character class of CJK_CHAR alone costs
# `re` several milliseconds, and a text report's parser process never needs any of them.
_READER_PATTERNS = {
    "PDF_NUMBER": r"^[+\-]?\d[\d,]*(?:\.\d+)?%?$",
    "PDF_VALUE_WORD": rf"^(?:[+\-]?\d[\d,]*(?:\.\d+)?%?(?:万?元)?|[{PDF_FILLER_MARKS}]{{1,3}})$",
    "PAGE_NUMBER": r"^[\s\-—–_·.]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*/\s*(?:共\s*)?\d{1,4}\s*页?)?[\s\-—–_·.]*$",
    "CJK_CHAR": f"[{CJK_WIDE_PUNCT}]",
    "ENUM_MARK": rf"^\s*(?:[(（][{CN_NUMERALS}\d]+[)）]|[{CN_NUMERALS}]+[、.．]|\d+[、.．](?!\d))",
}


def __getattr__(name: str):
    try:
        pattern = _READER_PATTERNS[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    compiled = globals()[name] = re.compile(pattern)
    return compiled


def is_glyph_variant(ch: str) -> bool:
    """Given one character, return whether it is a radical or compatibility code point that
    stands for an ordinary ideograph (what glyph repair maps)."""
    o = ord(ch)
    return 0x2E80 <= o <= 0x2FDF or 0xF900 <= o <= 0xFAFF or 0x2F800 <= o <= 0x2FA1F


def is_bad_glyph(ch: str) -> bool:
    """Given one character, return whether it is a private-use, replacement or control code point:
    the font had no usable Unicode map for the glyph."""
    o = ord(ch)
    return 0xE000 <= o <= 0xF8FF or o == 0xFFFD or 0xF0000 <= o or (o < 32 and ch not in "\r\n\t")
