"""Text normalization for labels and metadata, so that printed variants compare equal.

Covers: NFKC (full/half width, Kangxi radicals, compatibility ideographs); the CJK Radicals
Supplement through Unicode's EquivalentUnifiedIdeograph table (NFKC leaves ⻔ ⺠ ⻅ alone);
traditional → simplified characters (OpenCC); whitespace and line breaks inside labels;
numbering styles （一）(一) 一、 1. 1、; curly and straight quotes.

Glyph repair lives with the readers (parsers.glyphs) and the enumeration marks in the shared
vocabulary (parsers.shapes): the pipeline builds on the readers, never the reverse.
"""
from __future__ import annotations

import os
import re
import zlib
from functools import lru_cache

import regex

from parsers.glyphs import fix_glyphs, repair_glyphs
from parsers.shapes import LEADING_NUMBERING, NUMBERING_ARABIC, NUMBERING_CN, NUMBERING_PAREN

__all__ = ["fix_glyphs", "repair_glyphs", "to_simplified", "clean", "compact", "label_key", "numbering",
           "unify_quotes", "no_space"]

# the `regex` module's \s, spelled out (`re`'s \s also takes U+001C–U+001F): patterns over whole
# documents use `re` with this class, which reads them as `regex` did, at a fraction of the cost
WHITE_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_SPACE = re.compile(f"[{WHITE_SPACE}\u200b\ufeff]+")
_WHITE = re.compile(f"[{WHITE_SPACE}]+")


def no_space(text: str, invisible: bool = True) -> str:
    """Given text, return it without WHITE_SPACE (and, with `invisible`, without U+200B and
    U+FEFF): `_SPACE.sub("", text)`. str.split() drops exactly WHITE_SPACE and U+001C–U+001F
    at a few ns a character, a third of the regex's cost on a whole document; text holding one
    of those four controls goes through the regex."""
    if "\x1c" in text or "\x1d" in text or "\x1e" in text or "\x1f" in text:
        return (_SPACE if invisible else _WHITE).sub("", text)
    s = "".join(text.split())
    if invisible:
        if "\u200b" in s:
            s = s.replace("\u200b", "")
        if "\ufeff" in s:
            s = s.replace("\ufeff", "")
    return s
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


# OpenCC's t2s files, and the characters without which t2s leaves a text unchanged (made from
# them by tools/make_t2s_triggers.py, which says why that holds).
T2S_FILES = ("t2s.json", "CJK_Compatibility_Ideographs.ocd2", "TSPhrases.ocd2", "TSCharactersExt.ocd2",
             "TSCharacters.ocd2")
TRIGGERS_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "t2s_triggers.txt")
_SURROGATES = frozenset(map(chr, range(0xD800, 0xE000)))    # OpenCC refuses them: keep its error


def opencc_share_dir() -> str:
    """The folder of the installed OpenCC's dictionaries, found without importing it ("" if none)."""
    import importlib.util
    try:
        spec = importlib.util.find_spec("opencc")
    except (ImportError, ValueError):
        return ""
    places = list(spec.submodule_search_locations or ()) if spec else []
    share = os.path.join(places[0], "clib", "share", "opencc") if places else ""
    return share if os.path.isdir(share) else ""


def opencc_dicts_crc(share: str) -> int:
    """CRC-32 over the t2s files in `share`, in T2S_FILES order."""
    crc = 0
    for name in T2S_FILES:
        with open(os.path.join(share, name), "rb") as f:
            crc = zlib.crc32(f.read(), crc)
    return crc


@lru_cache(maxsize=1)
def t2s_triggers():
    """The characters t2s can change, as a frozenset; None (every text goes through OpenCC) when
    the installed dictionaries are not the ones the triggers file was made from."""
    try:
        with open(TRIGGERS_FILE, encoding="utf-8") as f:
            _, crc_line, chars = f.read().split("\n", 2)
        share = opencc_share_dir()
        if not share or crc_line != f"crc32 {opencc_dicts_crc(share):08x}":
            return None
    except (OSError, ValueError):
        return None
    return frozenset(chars.rstrip("\n")) | _SURROGATES


_REMEMBERED = 256     # characters: labels and cells are remembered, whole documents are not


def to_simplified(text: str) -> str:
    """Given text, return it in simplified characters (OpenCC t2s). Short texts (labels, cells,
    which recur across reports) are remembered; a whole document's text is converted each time,
    so that a long batch does not keep every report it read in memory. A text holding none of
    the characters t2s can change is returned as it is, without starting OpenCC."""
    if not text or text.isascii():
        return text
    return _convert(text) if len(text) > _REMEMBERED else _simplified(text)


@lru_cache(maxsize=65536)
def _simplified(text: str) -> str:
    return _convert(text)


def _convert(text: str) -> str:
    triggers = t2s_triggers()
    if triggers is not None and not _may_change(text, triggers):
        return text
    return _t2s().convert(text)


_SCANS_BEFORE_COMPILING = 4     # whole documents checked by set before the class is compiled
_scans = 0


def _may_change(text: str, triggers: frozenset) -> bool:
    """Whether `text` holds a character t2s can change. frozenset.isdisjoint costs about 50 ns
    a character on a whole document (each character is made a str to hash it); a compiled
    class of the triggers below U+10000 scans at a tenth of that, but takes ~9 ms to compile,
    so a process compiles it only once it has checked a few whole documents (a one-file run
    never does). Text with a character above U+FFFF is checked by the set."""
    global _scans
    if len(text) <= _REMEMBERED or _scans < _SCANS_BEFORE_COMPILING:
        _scans += len(text) > _REMEMBERED
        return not triggers.isdisjoint(text)
    if len(text.encode("utf-16-le", "surrogatepass")) != 2 * len(text):
        return not triggers.isdisjoint(text)
    return _bmp_trigger_class(triggers).search(text) is not None


@lru_cache(maxsize=1)
def _bmp_trigger_class(triggers: frozenset) -> re.Pattern:
    """A character class of the triggers below U+10000 (surrogates included), as ranges."""
    runs: list[list[int]] = []
    for o in sorted(ord(c) for c in triggers if ord(c) < 0x10000):
        if runs and runs[-1][1] == o - 1:
            runs[-1][1] = o
        else:
            runs.append([o, o])
    body = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in runs)
    return re.compile(f"[{body}]")


_CJK_GAP = regex.compile(r"(?<=[\p{Han}（）、，：“”])\s+(?=[\p{Han}（）、，：“”])")


@lru_cache(maxsize=65536)
def clean(text: str) -> str:
    """Trim, glyph-fix and collapse whitespace: the form kept as the printed label. Line breaks
    and spaces between Chinese characters are layout, not text, and are dropped."""
    return _CJK_GAP.sub("", _SPACE.sub(" ", repair_glyphs(text or ""))).strip()


def compact(text: str) -> str:
    """Glyph-fixed text without whitespace, quotes unified: for finding labels in long text
    (no traditional → simplified conversion, which is costly on a whole document)."""
    return no_space(unify_quotes(fix_glyphs(text or ""))).replace("：", ":").replace("，", ",")


@lru_cache(maxsize=65536)
def label_key(text: str, keep_numbering: bool = False) -> str:
    """The comparison form of a label: no whitespace, simplified, unified punctuation."""
    s = unify_quotes(fix_glyphs(text or ""))
    s = no_space(s)
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
    s = no_space(fix_glyphs(text or ""))
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
