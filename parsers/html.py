"""HTML pages (saved government web pages, Word's and LibreOffice's "save as web page").

The page becomes paragraphs and tables in document order. Tables carry their structure
explicitly (``rowspan``/``colspan``), so the grid is rebuilt the way a browser lays it out.
What a person would not read as the report is left out: scripts and styles, hidden
elements, and the chrome of government CMS templates (navigation, breadcrumbs, headers,
footers, share and print bars). Layout tables (tables that hold other tables, single-column
boxes, one-row page frames) are read as containers, so only the innermost data tables come
out as tables and the article text around them stays paragraphs.

The walk is iterative (no recursion limit), libxml2's size limits stay on, and a page nested
deeper than libxml2 allows is re-read with its purely presentational tags removed.
"""
from __future__ import annotations

import re

from lxml import etree

from .html_grid import place
from .contract import Source, read_bytes
from .model import Document, Paragraph, ReadError, Table
from .shapes import CJK_CHAR
from .webpage import MAX_BYTES, declared_encoding, decode_page, is_binary, is_mhtml, mhtml_page

__all__ = ["read", "parse_html", "parse_tree", "declared_encoding", "decode_page", "mhtml_page"]

_SKIP_TAGS = {"script", "style", "noscript", "template", "head", "title", "iframe", "object", "embed",
              "svg", "canvas", "map", "audio", "video", "select", "option", "button", "textarea",
              "input", "link", "meta", "base"}
_BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
               "section", "article", "main", "header", "blockquote", "address", "center", "figure",
               "figcaption", "hr", "table", "tr", "td", "th", "caption", "thead", "tbody", "tfoot",
               "body", "html", "form", "fieldset", "legend", "details", "summary", "pre"}
# class/id tokens of page chrome in common CMS templates (TRS, Hanweb/大汉, Founder/方正, SiteFactory,
# DedeCMS, plain hand-made pages): exact tokens and token prefixes/suffixes.
_CHROME_EXACT = {"header", "head", "top", "topbar", "bottom", "foot", "footer", "nav", "menu", "banner",
                 "logo", "sidebar", "side", "dqwz", "mbx", "wzdh", "position", "location", "crumb",
                 "crumbs", "xgwz", "xglj", "fxd", "ewm", "qrcode", "erweima", "toolbar", "skip",
                 "site-header", "site-footer", "page-header", "page-footer", "gotop", "go-top", "print", "dayin",
                 "printbar", "print-bar", "dh", "daohang", "yjdh", "ejdh", "lmdh", "zydh", "dbdh"}
_CHROME_AFFIX = re.compile(
    r"^(?:nav|menu|breadcrumb|crumb|footer|sidebar|share|bdshare|jiathis|copyright|search|login|"
    r"topbar|toolbar|related|friend-?link|yqlj|fenxiang|qrcode)|"
    r"(?:[-_](?:nav|navbar|menu|footer|breadcrumbs?|crumbs?|share|sidebar|copyright|search|toolbar|"
    r"position|location))$")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_WS_RUN = re.compile(r"[ \t\r\n\f\xa0\u200b]+")
_CJK = CJK_CHAR
_SPAN_INT = re.compile(r"\s*(\d+)")
# Purely presentational tags: removed (as tags, not text) when a page is nested too deep to parse.
_FLATTEN = re.compile(rb"</?(?:div|span|font|b|i|u|em|strong|section|article|center|small|big|a|o:p|st1:[a-z]+)"
                      rb"(?:\s[^>]*)?>", re.I)


# ------------------------------------------------------------------ text → tree
def _parse(text: str) -> tuple[etree._Element, bool]:
    """Parse text; the flag says libxml2 stopped at its nesting limit. Plain lxml elements (not
    lxml.html's classes, whose Python lookup runs for every element the reader touches)."""
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True,
                              huge_tree=False, no_network=True)
    data = text.replace("\x00", "").encode("utf-8")
    try:
        root = etree.fromstring(data, parser)
        if root is None:
            raise etree.ParserError("Document is empty")
    except (etree.ParserError, ValueError):   # nothing parseable, e.g. whitespace only
        root = etree.fromstring(b"<html><body></body></html>", parser)
    too_deep = any("Excessive depth" in e.message for e in parser.error_log)
    return root, too_deep


def parse_tree(text: str, warnings: list[str]) -> etree._Element:
    root, too_deep = _parse(text)
    if too_deep:
        flat = _FLATTEN.sub(lambda m: b"<br>" if m.group(0)[1:4].lower() in (b"div", b"/di") else b"",
                            text.encode("utf-8")).decode("utf-8")
        root, still = _parse(flat)
        warnings.append("page nested deeper than 256 levels: presentational tags ignored"
                        + ("; text past the limit is lost" if still else ""))
    return root


# ------------------------------------------------------------------ reading
def read(source: Source) -> Document:
    """Given an HTML page or a web archive (.mht) as a path or bytes, return its Document."""
    data = read_bytes(source, MAX_BYTES + 1)
    if not data:
        raise ReadError("empty file")
    if len(data) > MAX_BYTES:
        raise ReadError(f"HTML page larger than {MAX_BYTES // (1024 * 1024)} MB")
    if is_binary(data[:8192]):
        raise ReadError("not an HTML page: binary content")
    if is_mhtml(data[:4096]):
        data, declared = mhtml_page(data)
    else:
        declared = None
    text, enc, warnings = decode_page(data, declared)
    return parse_html(text, warnings=warnings)


def parse_html(text: str, warnings: list[str] | None = None) -> Document:
    """Document from page text (already decoded)."""
    warnings = list(warnings or [])
    root = parse_tree(text, warnings)
    doc = Document(format="html", warnings=warnings)
    body = root.find("body")
    if body is None:
        body = root
    rules = _Rules(body, _chrome_elements(body))
    _walk(body, doc, rules)
    if not doc.tables and rules.hidden_tables:
        # pages that show their article by script keep it hidden in the saved file
        doc.blocks = []
        _walk(body, doc, _Rules(body, rules.chrome, show_hidden=True))
        doc.warnings.append("no visible table: hidden page content read too")
    title = _title(root)
    if title and not any(title in b.text or (b.text in title and 2 * len(b.text) >= len(title))
                         for b in doc.blocks[:20] if isinstance(b, Paragraph)):
        doc.blocks.insert(0, Paragraph(title))
    return doc


# The tree is walked with lxml's C-level means where they exist: iterators with tag filters,
# `iterwalk`, compiled XPath; Python runs per element only where the reading needs a decision.
# libxml2's HTML parser gives lower-case tag names without namespaces, so an element's tag is
# its name (`_tag` stays for the few places that look at arbitrary elements).
_text = etree.XPath("string()")   # an element's text content (what lxml.html's text_content() is)
# Attribute values, not elements with predicates (libxml2 evaluates a predicate per element, slowly);
# a value's element is its getparent(). Plain strings where only the distinct values matter.
_STYLES = etree.XPath("descendant-or-self::*/@style", smart_strings=False)
_STYLES_AT = etree.XPath("descendant-or-self::*/@style")
_HIDDEN_AT = etree.XPath("descendant-or-self::*/@hidden")
_CLASSES_AT = etree.XPath("descendant::*/@class")
_IDS_AT = etree.XPath("descendant::*/@id")
_CHROME_TAGS = ("nav", "aside", "footer", "menu", "header")
_EVENTS = ("start", "end", "comment", "pi")
_CACHE_LEN = 200   # strings up to this length are cached (table labels and numbers repeat)


def _title(root) -> str:
    t = root.find(".//title")
    return _clean_lines([_text(t)])[0] if t is not None and _text(t).strip() else ""


def _tag(el) -> str:
    t = el.tag
    if not isinstance(t, str):
        return ""
    return t.rsplit("}", 1)[-1].lower()


def _hidden(el) -> bool:
    if el.get("hidden") is not None:
        return True
    style = el.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def _tokens(el) -> list[str]:
    return (el.get("class") or "").lower().split() + (el.get("id") or "").lower().split()


def _chrome_named(el) -> bool:
    return any(t in _CHROME_EXACT or _CHROME_AFFIX.search(t) for t in _tokens(el))


_chrome_cache: dict[str, bool] = {}


def _chrome_value(v: str) -> bool:
    """A class or id value with a chrome token in it (remembered: templates repeat their classes)."""
    hit = _chrome_cache.get(v)
    if hit is None:
        hit = any(t in _CHROME_EXACT or _CHROME_AFFIX.search(t) for t in v.lower().split())
        if len(v) <= _CACHE_LEN:
            if len(_chrome_cache) > 4096:
                _chrome_cache.clear()
            _chrome_cache[v] = hit
    return hit


def _header_like(el) -> bool:
    return _tag(el) == "header" or any(t in ("header", "head", "top", "page-header", "article-header", "title")
                                       or t.endswith(("-head", "_head", "-header", "_header")) for t in _tokens(el))


def _link_text(el) -> int:
    """Characters of link text in el (menus are mostly links; articles are not)."""
    return sum(len(_WS_RUN.sub("", _text(a))) for a in el.iter("a"))


def _holds_data_table(el, min_cells: int = 20) -> bool:
    """A table of at least `min_cells` cells inside el (menus and footers have small ones, if any)."""
    for t in el.iter("table"):
        n = 0
        for _ in t.iter("td", "th"):
            n += 1
            if n >= min_cells:
                return True
    return False


def _chrome_elements(body) -> set:
    """Elements that are page chrome by tag or by class/id, unless they hold most of the page's text
    (a wrapper with an unlucky class name must not swallow the article)."""
    # by tag, or by a chrome token in the class or the id (what _chrome_named says of an element)
    candidates = set(body.iterdescendants(*_CHROME_TAGS))
    candidates.update(v.getparent() for v in _CLASSES_AT(body) if _chrome_value(v))
    candidates.update(v.getparent() for v in _IDS_AT(body) if _chrome_value(v))
    if not candidates:
        return set()
    total = len(_WS_RUN.sub("", _text(body))) or 1
    out = set()
    for el in candidates:
        if _tag(el) == "header" and any(_tag(a) in ("article", "main") for a in el.iterancestors()):
            continue   # an article's own header holds its title
        if _header_like(el) and any(_text(h).strip() for h in el.iter("h1")):
            continue   # an article head with its h1 title ("head", "top" are article parts too)
        size = len(_WS_RUN.sub("", _text(el)))
        if size >= 0.4 * total and size >= 200 and _link_text(el) < 0.5 * size:
            continue   # holds most of the page and is not a list of links: a wrapper, not chrome
        if _holds_data_table(el):
            continue   # a container with an unlucky name around the report's tables
        out.add(el)
    return out


class _Rules:
    """What the walk leaves out: chrome elements, and hidden ones unless `show_hidden`.

    The elements concerned are found once per walk (tag-filtered iteration and XPath), so the
    walk asks a set, not each element's tag and attributes."""

    def __init__(self, body, chrome: set, show_hidden: bool = False):
        self.chrome = chrome
        self.show_hidden = show_hidden
        self.hidden_tables = False   # set when a hidden element that holds a table was skipped
        self.dropped = set(body.iter(*_SKIP_TAGS)) | chrome
        self.hidden = set() if show_hidden else _hidden_elements(body)
        self.out = self.dropped | self.hidden   # every element `skip` says yes to

    def skip(self, el) -> bool:
        if el not in self.out:
            return False
        if el not in self.dropped and not self.hidden_tables and any(True for _ in el.iter("table")):
            self.hidden_tables = True
        return True


def _hidden_elements(body) -> set:
    """The elements `_hidden` says are hidden, body included."""
    out = {v.getparent() for v in _HIDDEN_AT(body)}
    hidden_styles = {v for v in set(_STYLES(body)) if _HIDDEN_STYLE.search(v)}
    if hidden_styles:
        out.update(v.getparent() for v in _STYLES_AT(body) if v in hidden_styles)
    return out


def _clean_line(s: str) -> str:
    """One line of text with HTML whitespace collapsed; a source line break between two CJK
    characters is no space at all (Word wraps its HTML source inside Chinese words)."""
    if "\n" not in s and "\r" not in s:
        return _WS_RUN.sub(" ", s).strip()

    def repl(m: re.Match) -> str:
        run = m.group(0)
        if ("\n" in run or "\r" in run) and m.start() > 0 and m.end() < len(s) \
                and _CJK.match(s[m.start() - 1]) and _CJK.match(s[m.end()]):
            return ""
        return " "
    return _WS_RUN.sub(repl, s).strip()


_line_cache: dict[str, str] = {}


def _clean(s: str) -> str:
    """`_clean_line`, remembered for short strings."""
    hit = _line_cache.get(s)
    if hit is None:
        hit = _clean_line(s)
        if len(s) <= _CACHE_LEN:
            if len(_line_cache) > 8192:
                _line_cache.clear()
            _line_cache[s] = hit
    return hit


def _clean_lines(raw: list[str]) -> list[str]:
    """Collapse HTML whitespace in each string; empty lines left out."""
    out = []
    for s in raw:
        line = _clean(s)
        if line:
            out.append(line)
    return out


def _walk(body, doc: Document, rules: _Rules) -> None:
    """Paragraphs and tables of body into doc. Text pieces between hard breaks (blocks, <br>)
    form one line each."""
    blocks = doc.blocks
    out = rules.out
    done: list[str] = []   # lines (joined pieces) since the last block boundary
    cur: list[str] = []    # pieces of the current line

    def flush():
        if cur:
            done.append("".join(cur))
            cur.clear()
        for s in done:
            line = _clean(s)
            if line:
                blocks.append(Paragraph(line))
        done.clear()

    walker = etree.iterwalk(body, events=_EVENTS)
    ordinals = None
    atomic = None   # the element just read whole (its subtree skipped): its end only adds its tail
    for ev, el in walker:
        if ev == "start":
            tag = el.tag
            if el in out and rules.skip(el):
                pass
            elif tag == "br":
                if cur:
                    done.append("".join(cur))
                    cur.clear()
            elif tag == "pre":
                flush()
                for line in _text(el).splitlines():
                    if line.strip():
                        blocks.append(Paragraph(line.strip()))
            elif tag == "table" and not _is_layout(el, rows := _table_rows(el)):
                flush()
                cap = el.find("caption")
                if cap is not None and not rules.skip(cap):
                    for line in _cell_lines(cap, rules):
                        blocks.append(Paragraph(line))
                table = _table(rows, rules, doc.warnings)
                if table.cells:
                    if ordinals is None:   # where each table sits among the page's <table> elements
                        ordinals = {t: k for k, t in enumerate(body.iter("table"), start=1)}
                    blocks.append(table.mark_source(ordinals.get(el, 0)))
            else:
                if tag in _BLOCK_TAGS:
                    flush()
                t = el.text
                if t:
                    cur.append(t)
                continue
            walker.skip_subtree()
            atomic = el
        elif ev == "end":
            if el is atomic:
                atomic = None
            elif el.tag in _BLOCK_TAGS:
                flush()
            t = el.tail
            if t:
                cur.append(t)
        else:   # comment, processing instruction
            t = el.tail
            if t:
                cur.append(t)
    flush()


# ------------------------------------------------------------------ tables
def _table_rows(table) -> list[tuple[object, list]]:
    """The table's own rows (not those of nested tables) as (tr, cells): thead first, tfoot last,
    as displayed; cells placed straight in a table or row group form a row of their own, as
    browsers do."""
    head, mid, foot = [], [], []

    def collect(group, into):
        loose: list = []
        for el in group.iterchildren("tr", "td", "th"):
            if el.tag == "tr":
                if loose:
                    into.append((None, loose))
                    loose = []
                into.append((el, list(el.iterchildren("td", "th"))))
            else:
                loose.append(el)
        if loose:
            into.append((None, loose))

    collect(table, mid)
    for child in table.iterchildren("thead", "tbody", "tfoot"):
        t = child.tag
        collect(child, head if t == "thead" else foot if t == "tfoot" else mid)
    return head + mid + foot


def _trivial(table) -> bool:
    """A table of at most one cell: a box around text, read as the text."""
    n = 0
    for _ in table.iter("td", "th"):
        n += 1
        if n > 1:
            return False
    return True


def _is_layout(table, rows) -> bool:
    """A table used to lay out the page rather than to hold data."""
    if any(not _trivial(t) for t in table.iterdescendants("table")):
        return True
    widths = [len(cells) for _, cells in rows]
    if not rows or max(widths) <= 1:
        return True
    if len(rows) <= 2:
        for _, cells in rows:
            for c in cells:
                if any(True for _ in c.iterdescendants("h1", "h2", "h3")) or len(_text(c)) > 800:
                    return True
    return False


_span_cache: dict[tuple[str, str], int] = {}


def _span_value(v: str, name: str) -> int:
    m = _SPAN_INT.match(v)
    if not m:
        return 1
    n = int(m.group(1)[:7])
    if n == 0:
        return 1 if name == "colspan" else 1_000_000   # rowspan=0: to the end of the table
    return n


def _span(v: str, name: str) -> int:
    """The span an attribute value gives (remembered: tables repeat a few values)."""
    key = (v, name)
    hit = _span_cache.get(key)
    if hit is None:
        hit = _span_value(v, name)
        if len(v) <= _CACHE_LEN and len(_span_cache) <= 4096:
            _span_cache[key] = hit
    return hit


def _table(rows, rules: _Rules, warnings: list[str]) -> Table:
    out = rules.out
    spec = []
    for tr, cells in rows:
        if tr is not None and tr in out and rules.skip(tr):
            continue
        row = []
        for c in cells:
            if c in out and rules.skip(c):
                continue
            if len(c):
                text = "\n".join(_cell_lines(c, rules))
            else:
                t = c.text
                text = _clean(t) if t else ""
            rs = c.get("rowspan")
            cs = c.get("colspan")
            row.append((text, 1 if rs is None else _span(rs, "rowspan"), 1 if cs is None else _span(cs, "colspan")))
        spec.append(row)
    return Table(cells=place(spec, warnings))


def _cell_lines(cell, rules: _Rules) -> list[str]:
    """A cell's text, one line per <br>, <p>, <div> or other block inside it."""
    out = rules.out
    done: list[str] = []
    cur: list[str] = []
    walker = etree.iterwalk(cell, events=_EVENTS)
    atomic = None
    for ev, el in walker:
        if ev == "start":
            if el is cell:
                t = el.text
            elif el in out and rules.skip(el):
                walker.skip_subtree()
                atomic = el
                continue
            else:
                tag = el.tag
                if tag == "br" or tag in _BLOCK_TAGS:
                    if cur:
                        done.append("".join(cur))
                        cur.clear()
                    if tag == "br":
                        walker.skip_subtree()
                        atomic = el
                        continue
                t = el.text
            if t:
                cur.append(t)
        elif ev == "end":
            if el is cell:
                break
            if el is atomic:
                atomic = None
            elif el.tag in _BLOCK_TAGS and cur:
                done.append("".join(cur))
                cur.clear()
            t = el.tail
            if t:
                cur.append(t)
        else:
            t = el.tail
            if t:
                cur.append(t)
    if cur:
        done.append("".join(cur))
    return _clean_lines(done)
