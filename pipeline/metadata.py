"""Agency and year from the report's title and intro (templates.md §10).

The year is the first `YYYY年(度)` before 政府/政务信息公开 in the title; the agency is the text
before it, or between it and 政府信息公开 when the year leads. Titles broken over two or three
lines are read joined. The intro's statistics period (自YYYY年1月1日…) supplies the year when the title
gives none.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

import regex

from parsers.model import Document, Paragraph, Table

from . import normalize as N

_WS = re.compile(f"[{N.WHITE_SPACE}]+")     # `regex`'s [\s\u3000]+, read alike by `re`
_PREFIX = regex.compile(r"^(?:标题|题目|正文|title)[:：]?", regex.I)
_TAIL = r"(?:关于)?(?:政府|政务)(?:信息)?公开"
_AGENCY_FIRST = regex.compile(rf"^(?P<agency>[^\s，。；;:：《》“”\"]{{2,40}}?)(?P<year>20\d{{2}})年度?(?:的)?{_TAIL}")
_YEAR_FIRST = regex.compile(rf"^(?P<year>20\d{{2}})年度?(?P<agency>[^\s，。；;:：《》“”\"]{{2,40}}?){_TAIL}")
_PERIOD = regex.compile(r"(?:统计期限|统计周期|统计时限|统计时间|数据统计)[^。]{0,30}?(20\d{2})年\s*1\s*月\s*1\s*日")
_ANY_TITLE = regex.compile(rf"(20\d{{2}})年度?{_TAIL}[^。]{{0,12}}报告")
# markup a title keeps when copied from Markdown, a CMS or a list: heading marks, block quotes,
# list bullets and numbers at the start; emphasis marks and invisible characters anywhere
_LEAD_MARKUP = regex.compile(r"^(?:[#>]+|[-*+•·●○◆◇■□▪▶►]|\d{1,2}[.、)](?!\d)|\(\d{1,2}\)|\[\s*[xX ]?\s*\])+")
_INLINE_MARKUP = regex.compile(r"\*+|_{2,}|~~|`+|[\u200b-\u200f\u2060\ufeff]|#+$")
_BRACKETED = regex.compile(r"[【\[](.{2,40})[】\]]")
_CLOSING_BRACKET = regex.compile(r"[】\]]")
_LEADING_REMARK = regex.compile(r"^[（(【\[].*?[)）】\]]")
_TRAILING_GUANYU = regex.compile(r"关于$")


@dataclass
class Metadata:
    agency: str = ""
    year: Optional[int] = None
    title: str = ""


def strip_markup(text: str) -> str:
    """Given one line of a title (whitespace already removed), return it without the markup a
    Markdown, CMS or list copy adds around it ("# ", "**…**", "- ", "1. ", "> ")."""
    return _LEAD_MARKUP.sub("", _INLINE_MARKUP.sub("", text))


def _heads(doc: Document, limit: int = 25):
    """The first `limit` non-empty paragraphs before the first table, as title text (one at a
    time: a title is nearly always found in the first two, and cleaning a paragraph costs)."""
    n = 0
    for b in doc.blocks:
        if isinstance(b, Paragraph):
            t = _PREFIX.sub("", strip_markup(N.to_simplified(_WS.sub("", N.fix_glyphs(b.text)))))
            if t:
                yield t
                n += 1
        elif isinstance(b, Table) and n:
            return
        if n >= limit:
            return


class _Lazy:
    """A list made from an iterator as far as it is read."""

    def __init__(self, it):
        self.items, self._it = [], it

    def has(self, i: int) -> bool:
        """Is there an item `i`?"""
        while len(self.items) <= i:
            try:
                self.items.append(next(self._it))
            except StopIteration:
                return False
        return True


def _clean_agency(a: str) -> str:
    whole = _BRACKETED.fullmatch(a)   # "【XX局】2019年…": the bracket is the name
    if whole:
        return whole.group(1).strip("·-—_:：、，, ")
    if a[:1] in "【[" and not _CLOSING_BRACKET.search(a):   # "【XX局2019年…报告】": the whole title bracketed
        a = a[1:]
    a = _LEADING_REMARK.sub("", a)
    a = _TRAILING_GUANYU.sub("", a)      # "XX局关于2021年度政府信息公开工作的报告"
    return a.strip("·-—_:：、，, ")


def extract_metadata(doc: Document) -> Metadata:
    lazy = _Lazy(_heads(doc))
    heads, has = lazy.items, lazy.has
    md = Metadata()
    for size in (1, 2, 3):
        k = 0
        while has(k + size - 1):
            text = "".join(heads[k:k + size])[:120]
            for pat in (_AGENCY_FIRST, _YEAR_FIRST):
                m = pat.match(text)
                # the title's 报告 may stand in the next head (or the last)
                if m and "报告" in text[m.end():m.end() + 30] + heads[k + size if has(k + size) else -1][:12]:
                    agency = _clean_agency(m.group("agency"))
                    if len(agency) >= 2:
                        md.agency, md.year, md.title = agency, int(m.group("year")), text
                        break
            if md.year:
                break
            k += 1
        if md.year:
            break
    if md.year is None:
        full = _WS.sub("", doc.text()[:20000])
        period = _PERIOD.search(full)
        if period:
            md.year = int(period.group(1))
        else:
            m = _ANY_TITLE.search(full)
            if m:
                md.year = int(m.group(1))
    return md
