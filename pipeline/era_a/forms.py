"""The form era-A labels and stream text compare in, and a fast exact way to it for whole texts.

`label_form` is glyph repair with NFKC, quotes and colons unified. Over a whole report it is
slow (a translation table and NFKC over every character), yet a report's characters map on
their own: the form of a text of such characters is the forms of its characters side by side.
`quick_form` passes over the ideographs, ASCII and CJK punctuation that stay as they are in
one regex pass and replaces each other character, everywhere at once, by its own form (looked
up once a process); a text holding a character that does not map on its own goes through
`label_form` itself, so the result is always the same.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Optional

from parsers import glyphs

from .. import normalize as N

#: blocks in which no character composes with the one before it (a test checks it against the
#: Unicode data): a decomposition of only their starters cannot change with its neighbours
NO_COMPOSING = ((0x09, 0x0D), (0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x2100, 0x22FF),
                (0x2460, 0x25FF), (0x2E80, 0x2FDF), (0x3000, 0x303F), (0x31C0, 0x31EF), (0x3200, 0x33FF),
                (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF))
#: what the fast pass skips when it stays as it is: controls \t–\r, ASCII, CJK punctuation
COMMON = ((0x09, 0x0D), (0x20, 0x7E), (0x3000, 0x303F))
#: blocks Unicode gives no decomposition (a test checks it): only the glyph table may map them
IDEOGRAPHS = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF))


def label_form(text: str) -> str:
    """Labels and stream text compare in this form: glyph-fixed (NFKC), quotes and colons unified."""
    return N.fix_glyphs(text).translate(N._QUOTES).replace("：", ":").replace("，", ",")


def _within(o: int, blocks) -> bool:
    return any(lo <= o <= hi for lo, hi in blocks)


def own_form(ch: str) -> str:
    """Given one character, its form when it maps so whatever stands beside it ("" when not):
    one character out, which is its own form too, and the decomposition of its repaired glyph
    only starters of blocks where nothing composes."""
    form, glyph = label_form(ch), ch.translate(glyphs._translate())
    if len(form) != 1 or len(glyph) != 1 or (form != ch and label_form(form) != form):
        return ""
    decomposed = unicodedata.normalize("NFKD", glyph)
    if any(unicodedata.combining(d) or not _within(ord(d), NO_COMPOSING) for d in decomposed):
        return ""
    return form


class _FastPass:
    """The pattern of the characters the pass must look at (all but those that stay as they
    are) and the forms looked up so far. The pattern is plain `re` (it scans over ten times
    faster than `regex` over so large a class) and spelt as one negated class, the few blocks
    that mostly stay with the few characters in them that do not cut out: one class, so `re`
    skips at C speed to the next character to look at (compiled in 2 ms; the class of every
    staying ideograph takes `re` over 20)."""

    def __init__(self):
        keys = glyphs._translate()
        moving = [o for lo, hi in COMMON for o in range(lo, hi + 1) if own_form(chr(o)) != chr(o)]
        moving += sorted(o for o in keys if _within(o, IDEOGRAPHS))     # glyph-table ideographs
        staying = _cut(sorted(COMMON + IDEOGRAPHS), sorted(set(moving)))
        self.other = re.compile("[^" + "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in staying) + "]")
        self.forms: dict[str, str] = {}

    def form(self, ch: str) -> str:
        form = self.forms.get(ch)
        if form is None:
            form = self.forms[ch] = own_form(ch)
        return form


def _cut(blocks: list[tuple[int, int]], codes: list[int]) -> list[tuple[int, int]]:
    """Sorted code point ranges without the sorted code points `codes` (non-empty ranges only)."""
    out = []
    for lo, hi in blocks:
        for o in codes:
            if lo <= o <= hi:
                if o > lo:
                    out.append((lo, o - 1))
                lo = o + 1
        if lo <= hi:
            out.append((lo, hi))
    return out


@lru_cache(maxsize=1)
def _fast_pass() -> _FastPass:
    return _FastPass()


def quick_form(text: str) -> Optional[str]:
    """Given text, its `label_form` character for character (same length, same positions) when
    every character of it maps on its own; None when one does not (then use `label_form`)."""
    fp = _fast_pass()
    pos = 0
    while (m := fp.other.search(text, pos)) is not None:
        ch = m.group()
        form = fp.form(ch)
        if not form:
            return None
        if form != ch:   # every occurrence at once: a form is its own form, so it is never mapped twice
            text = text.replace(ch, form)
        pos = m.end()
    return text


def fast_label_form(text: str) -> str:
    """`label_form(text)`, through the fast pass where it applies."""
    quick = quick_form(text)
    return label_form(text) if quick is None else quick
