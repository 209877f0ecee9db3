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

import codecs
import re

import lxml.html
from lxml import etree

from .encoding import decode
from .html_grid import place
from .model import Document, Paragraph, ReadError, Table

MAX_BYTES = 64 * 1024 * 1024

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
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
_DECLARED = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_\-.]+)""", re.I)
_SPAN_INT = re.compile(r"\s*(\d+)")
# Purely presentational tags: removed (as tags, not text) when a page is nested too deep to parse.
_FLATTEN = re.compile(rb"</?(?:div|span|font|b|i|u|em|strong|section|article|center|small|big|a|o:p|st1:[a-z]+)"
                      rb"(?:\s[^>]*)?>", re.I)
# Scripts, styles, comments and tags, at the byte level: '<' and '>' are never part of a GBK, GB18030,
# Big5 or UTF-8 multi-byte character, so this is safe before the encoding is known.
_MARKUP = re.compile(rb"<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->|<[^>]*>", re.I | re.S)
_LEGACY_LATIN = {"iso-8859-1", "latin-1", "latin1", "windows-1252", "cp1252", "us-ascii", "ascii", "iso8859-1"}


# ------------------------------------------------------------------ bytes → tree
def declared_encoding(data: bytes) -> str | None:
    """The charset a page declares in <?xml?> or <meta> (charset= or http-equiv), normalized."""
    head = data[:65536]
    m = _XML_DECL.match(head) or _DECLARED.search(head)
    if not m:
        return None
    return _normal_charset(m.group(1).decode("ascii", "replace"))


def _normal_charset(name: str | None) -> str | None:
    """A codec name for a declared charset. Pages that say gb2312 use GBK and GB18030 characters
    too; a Western label on a Chinese page is a template default, not a fact."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    if name in ("gb2312", "gbk", "x-gbk", "cp936", "gb_2312-80", "euc-cn", "hz-gb-2312"):
        return "gb18030"
    if name in _LEGACY_LATIN:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_page(data: bytes, declared: str | None = None) -> tuple[str, str, list[str]]:
    """(text, encoding, warnings): BOM, then the declared charset (the caller's, else the page's
    own) when the bytes decode in it, then detection on the page's text without its markup
    (Word's HTML is mostly markup: Chinese is a few percent of its bytes)."""
    warnings: list[str] = []
    boms = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    if data.startswith(boms) or b"\x00" in data[:4096]:
        text, enc = decode(data)   # BOM or UTF-16: the shared decoder knows them
        return text, enc, warnings
    declared = _normal_charset(declared) or declared_encoding(data)
    if declared and not declared.startswith("utf"):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if any(b >= 0x80 for b in data):
                warnings.append(f"page declares {declared} but is UTF-8; read as UTF-8")
                return text, "utf-8", warnings
    if declared and not declared.startswith("utf-16"):
        try:
            return data.decode(declared), declared, warnings
        except UnicodeDecodeError:
            warnings.append(f"page declares {declared} but does not decode as {declared}; encoding detected")
    try:
        _, enc = decode(_MARKUP.sub(b" ", data))
        return data.decode(enc), enc, warnings
    except (ReadError, UnicodeDecodeError, LookupError):
        pass
    try:
        text, enc = decode(data)
    except ReadError:
        # a UTF-8 page with a few stray bytes (a footer pasted in GBK, a cut-off download): the
        # page is still readable; say how many characters were lost instead of refusing it
        text = data.decode("utf-8", errors="replace")
        bad = text.count("\ufffd")
        if not bad or bad > 0.01 * sum(1 for ch in text if ord(ch) > 0x7f):
            raise
        warnings.append(f"{bad} invalid UTF-8 byte sequence(s) replaced by U+FFFD")
        enc = "utf-8"
    return text, enc, warnings


def _parse(text: str) -> tuple[etree._Element, bool]:
    """Parse text; the flag says libxml2 stopped at its nesting limit."""
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True,
                                  huge_tree=False, no_network=True)
    data = text.replace("\x00", "").encode("utf-8")
    try:
        root = lxml.html.document_fromstring(data, parser=parser)
    except (etree.ParserError, ValueError):   # nothing parseable, e.g. whitespace only
        root = lxml.html.document_fromstring(b"<html><body></body></html>", parser=parser)
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
def read(path: str) -> Document:
    with open(path, "rb") as f:
        data = f.read(MAX_BYTES + 1)
    if not data:
        raise ReadError("empty file")
    if len(data) > MAX_BYTES:
        raise ReadError(f"HTML page larger than {MAX_BYTES // (1024 * 1024)} MB")
    if _binary(data[:8192]):
        raise ReadError("not an HTML page: binary content")
    head = data[:4096]
    if re.search(rb'progid="Word\.Document"|<pkg:package|<w:wordDocument', head):
        from .word import read_legacy   # Word's XML formats: LibreOffice reads them
        return read_legacy(path, suffix=".xml")
    if re.match(rb"\s*[A-Za-z-]+:", head) and b"mime-version:" in head.lower() and b"multipart/" in head.lower():
        data, declared = mhtml_page(data)
    else:
        declared = None
    text, enc, warnings = decode_page(data, declared)
    return parse_html(text, warnings=warnings)


def mhtml_page(data: bytes) -> tuple[bytes, str | None]:
    """The HTML part of a single-file web archive (.mht: IE's and Word's "single file web page")."""
    import email
    from email import policy

    msg = email.message_from_bytes(data, policy=policy.compat32)
    for part in msg.walk():
        if part.get_content_type() in ("text/html", "application/xhtml+xml"):
            payload = part.get_payload(decode=True)
            if payload:
                return payload, part.get_content_charset()
    raise ReadError("web archive (.mht) without an HTML page in it")


def _binary(head: bytes) -> bool:
    """Control bytes that no text page has (UTF-16 pages, whose NULs sit in one parity, excepted)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE)):
        return False
    half = len(head) // 2 or 1
    if max(head[0::2].count(0), head[1::2].count(0)) > 0.3 * half:
        return False
    control = sum(1 for b in head if b < 0x20 and b not in (0x09, 0x0a, 0x0c, 0x0d, 0x1b))
    return control > 0.02 * len(head)


def parse_html(text: str, warnings: list[str] | None = None) -> Document:
    """Document from page text (already decoded)."""
    warnings = list(warnings or [])
    root = parse_tree(text, warnings)
    doc = Document(format="html", warnings=warnings)
    body = root.find("body")
    if body is None:
        body = root
    rules = _Rules(_chrome_elements(body))
    _walk(body, doc, rules)
    if not doc.tables and rules.hidden_tables:
        # pages that show their article by script keep it hidden in the saved file
        doc.blocks = []
        _walk(body, doc, _Rules(rules.chrome, show_hidden=True))
        doc.warnings.append("no visible table: hidden page content read too")
    title = _title(root)
    if title and not any(title in b.text or (b.text in title and 2 * len(b.text) >= len(title))
                         for b in doc.blocks[:20] if isinstance(b, Paragraph)):
        doc.blocks.insert(0, Paragraph(title))
    return doc


def _title(root) -> str:
    t = root.find(".//title")
    return _clean_lines([t.text_content()])[0] if t is not None and t.text_content().strip() else ""


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


def _chrome_named(el) -> bool:
    tokens = (el.get("class") or "").lower().split() + (el.get("id") or "").lower().split()
    return any(t in _CHROME_EXACT or _CHROME_AFFIX.search(t) for t in tokens)


def _header_like(el) -> bool:
    tokens = (el.get("class") or "").lower().split() + (el.get("id") or "").lower().split()
    return _tag(el) == "header" or any(t in ("header", "head", "top", "page-header", "article-header", "title")
                                       or t.endswith(("-head", "_head", "-header", "_header")) for t in tokens)


def _link_text(el) -> int:
    """Characters of link text in el (menus are mostly links; articles are not)."""
    return sum(len(_WS_RUN.sub("", a.text_content())) for a in el.iter("a"))


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
    candidates = [el for el in body.iter() if isinstance(el.tag, str) and el is not body
                  and (_tag(el) in ("nav", "aside", "footer", "menu", "header") or _chrome_named(el))]
    if not candidates:
        return set()
    total = len(_WS_RUN.sub("", body.text_content())) or 1
    out = set()
    for el in candidates:
        if _tag(el) == "header" and any(_tag(a) in ("article", "main") for a in el.iterancestors()):
            continue   # an article's own header holds its title
        if _header_like(el) and any(h.text_content().strip() for h in el.iter("h1")):
            continue   # an article head with its h1 title ("head", "top" are article parts too)
        size = len(_WS_RUN.sub("", el.text_content()))
        if size >= 0.4 * total and size >= 200 and _link_text(el) < 0.5 * size:
            continue   # holds most of the page and is not a list of links: a wrapper, not chrome
        if _holds_data_table(el):
            continue   # a container with an unlucky name around the report's tables
        out.add(el)
    return out


class _Rules:
    """What the walk leaves out: chrome elements, and hidden ones unless `show_hidden`."""

    def __init__(self, chrome: set, show_hidden: bool = False):
        self.chrome = chrome
        self.show_hidden = show_hidden
        self.hidden_tables = False   # set when a hidden element that holds a table was skipped

    def skip(self, el) -> bool:
        if _tag(el) in _SKIP_TAGS or el in self.chrome:
            return True
        if not self.show_hidden and _hidden(el):
            if not self.hidden_tables and any(True for _ in el.iter("table")):
                self.hidden_tables = True
            return True
        return False


class _Flow:
    """Text pieces between hard breaks; each segment becomes one line."""

    def __init__(self):
        self.segments: list[list[str]] = [[]]

    def add(self, s: str | None):
        if s:
            self.segments[-1].append(s)

    def brk(self):
        if self.segments[-1]:
            self.segments.append([])

    def lines(self) -> list[str]:
        out = _clean_lines(["".join(s) for s in self.segments if s])
        self.segments = [[]]
        return out


def _clean_lines(raw: list[str]) -> list[str]:
    """Collapse HTML whitespace; a source line break between two CJK characters is no space at all
    (Word wraps its HTML source inside Chinese words)."""
    out = []
    for s in raw:
        def repl(m: re.Match) -> str:
            run = m.group(0)
            if ("\n" in run or "\r" in run) and m.start() > 0 and m.end() < len(s) \
                    and _CJK.match(s[m.start() - 1]) and _CJK.match(s[m.end()]):
                return ""
            return " "
        line = _WS_RUN.sub(repl, s).strip()
        if line:
            out.append(line)
    return out


def _walk(body, doc: Document, rules: _Rules) -> None:
    flow = _Flow()

    def flush():
        for line in flow.lines():
            doc.blocks.append(Paragraph(line))

    stack: list[tuple[object, bool]] = [(body, False)]
    while stack:
        el, closing = stack.pop()
        if closing:
            if _tag(el) in _BLOCK_TAGS:
                flush()
            flow.add(el.tail)
            continue
        tag = _tag(el)
        if not tag or rules.skip(el):
            flow.add(el.tail)
            continue
        if tag == "br":
            flow.brk()
            flow.add(el.tail)
            continue
        if tag == "pre":
            flush()
            for line in el.text_content().splitlines():
                if line.strip():
                    doc.blocks.append(Paragraph(line.strip()))
            flow.add(el.tail)
            continue
        if tag == "table":
            rows = _table_rows(el)
            if not _is_layout(el, rows):
                flush()
                cap = el.find("caption")
                if cap is not None and not rules.skip(cap):
                    for line in _cell_lines(cap, rules):
                        doc.blocks.append(Paragraph(line))
                table = _table(rows, rules, doc.warnings)
                if table.cells:
                    doc.blocks.append(table)
                flow.add(el.tail)
                continue
        if tag in _BLOCK_TAGS:
            flush()
        flow.add(el.text)
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(el))
    flush()


# ------------------------------------------------------------------ tables
def _table_rows(table) -> list[tuple[object, list]]:
    """The table's own rows (not those of nested tables) as (tr, cells): thead first, tfoot last,
    as displayed; cells placed straight in a table or row group form a row of their own, as
    browsers do."""
    head, mid, foot = [], [], []

    def collect(group, into):
        loose: list = []
        for el in group:
            t = _tag(el)
            if t == "tr":
                if loose:
                    into.append((None, loose))
                    loose = []
                into.append((el, [c for c in el if _tag(c) in ("td", "th")]))
            elif t in ("td", "th"):
                loose.append(el)
        if loose:
            into.append((None, loose))

    collect(table, mid)
    for child in table:
        t = _tag(child)
        if t in ("thead", "tbody", "tfoot"):
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
                if any(True for _ in c.iterdescendants("h1", "h2", "h3")) or len(c.text_content()) > 800:
                    return True
    return False


def _span(el, name: str) -> int:
    m = _SPAN_INT.match(el.get(name) or "")
    if not m:
        return 1
    v = int(m.group(1)[:7])
    if v == 0:
        return 1 if name == "colspan" else 1_000_000   # rowspan=0: to the end of the table
    return v


def _table(rows, rules: _Rules, warnings: list[str]) -> Table:
    spec = []
    for tr, cells in rows:
        if tr is not None and rules.skip(tr):
            continue
        spec.append([("\n".join(_cell_lines(c, rules)), _span(c, "rowspan"), _span(c, "colspan"))
                     for c in cells if not rules.skip(c)])
    return Table(cells=place(spec, warnings))


def _cell_lines(cell, rules: _Rules) -> list[str]:
    """A cell's text, one line per <br>, <p>, <div> or other block inside it."""
    flow = _Flow()
    flow.add(cell.text)
    stack = [(child, False) for child in reversed(cell)]
    while stack:
        el, closing = stack.pop()
        if closing:
            if _tag(el) in _BLOCK_TAGS:
                flow.brk()
            flow.add(el.tail)
            continue
        tag = _tag(el)
        if not tag or rules.skip(el):
            flow.add(el.tail)
            continue
        if tag == "br":
            flow.brk()
            flow.add(el.tail)
            continue
        if tag in _BLOCK_TAGS:
            flow.brk()
        flow.add(el.text)
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(el))
    return flow.lines()
