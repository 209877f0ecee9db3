"""PDF reader: exact table grids from text-layer PDFs, work proportional to what the pages hold.

Steps, each a module of small pure functions (pdfplumber's shape: objects → edges → cells → tables):

1. `pages.open_document`: pdfium opens the file (path or bytes; `pdfium`: pypdfium2's library
   with only the calls the reader makes); encrypted, corrupt and truncated files become a
   one-line `ReadError`.
2. `pages.scan_page`, every page: pdfium's text page (C speed), its text in one call, each
   glyph's flags, one walk over the page objects (images counted, paths kept). Pages whose
   lines hold no numbers and whose paths draw no table (a logo, a rule, a frame around prose)
   become `Paragraph` blocks straight from pdfium's text.
3. `pages.analyse_page`, table pages only: glyph boxes (`objects.chars`) and ruling edges
   (`objects.edges`); `ruled`: the table finder (edges → intersections → cells → tables) and
   each cell's text; without ruled tables, `wordgrid`: a grid from word positions (value rows
   and columns from the numbers, label and header blocks placed around them, empty cells kept).
4. `lines`: cell and line texts (lines joined with "\\n", fake-bold doubles dropped, radical
   code points repaired).
5. `join`: grid positions from the distinct cell edges; a table that ends a page and a table
   that starts the next page with compatible column edges are one table (repeated header rows
   dropped, cells cut by the page break merged again).

Tolerances are in `settings.PdfSettings`. The reader knows nothing of the report template:
only geometry and text.
"""
from __future__ import annotations

from ..contract import Source
from ..model import Document, ReadError
from .items import PageTable
from .join import assemble, strip_page_numbers
from .pages import analyse_page, open_document, prose_lines, ruled_groups, scan_page
from .pdfium import as_pypdfium2
from .settings import DEFAULT, PdfSettings

__all__ = ["read", "page_tables", "PageTable", "PdfSettings"]


def read(source: Source, settings: PdfSettings = DEFAULT, ocr: str = "auto") -> Document:
    """Given a PDF (path or bytes), return its paragraphs and tables; ReadError for files
    without usable text. `ocr`: never | auto (pages without a usable text layer are read from
    their image, see parsers.ocr) | always."""
    pdf = open_document(source)
    try:
        return _read(pdf, settings, ocr)
    except (ReadError, MemoryError):   # out of memory is the batch's limit, not a damaged file
        raise
    except Exception as e:  # pdfium or geometry failure on a damaged file: a reason, never a crash
        raise ReadError(f"corrupt: PDF content cannot be read ({type(e).__name__}: {str(e)[:80]})") from None
    finally:
        pdf.close()


def _page_items(page, textpage, number: int, carry: bool, doc: Document, s: PdfSettings):
    """One page's items (page tables and lines, page numbers stripped), warnings into doc;
    (items, scan) with items None for a page without usable text."""
    scan = scan_page(page, textpage, number, s)
    if not scan.has_text:
        if scan.n_images:
            doc.warnings.append(f"page {number}: no text layer (scanned image)")
        return None, scan
    if scan.undecodable:
        doc.warnings.append(f"page {number}: text not decodable (fonts without Unicode map: "
                            f"{scan.n_bad} of {scan.n_chars} glyphs cid/private-use); page skipped")
        return None, scan
    if scan.may_hold_table or carry:
        h = page.get_size()[1]
        groups = ruled_groups(scan, h, s)
        if groups or carry or scan.numeric_lines >= s.min_table_lines:
            items = analyse_page(page, textpage, scan, groups, s)
            doc.warnings.extend(items.warnings)
            return strip_page_numbers(items.blocks), scan
    return strip_page_numbers(prose_lines(scan)), scan


def _read(pdf, s: PdfSettings, ocr: str = "auto") -> Document:
    n = len(pdf)
    if n == 0:
        raise ReadError("corrupt: PDF has no pages")
    doc = Document(format="pdf", pages=n)
    stream: list = []            # PageTable | Line in reading order over all pages
    scans = []
    carry = False                # previous page ended in a table: look at this one closely
    ocr_pages: dict[int, str] = {}
    for i in range(n):
        page = pdf[i]
        textpage = page.get_textpage()
        try:
            items, scan = _page_items(page, textpage, i + 1, carry, doc, s)
            scans.append(scan)
            reason = _ocr_reason(scan, ocr)
            if reason:
                ocr_pages[i] = reason
                stream.append(("ocr", i))
                carry = False
                continue
            carry = bool(items) and isinstance(items[-1], PageTable)
            stream.extend(items or [])
        finally:
            textpage.close()
            page.close()
    if ocr_pages:
        from ..ocr import read_pdf_pages
        ocr_pdf = as_pypdfium2(pdf)     # OCR renders pages: pypdfium2's document of the file
        try:
            stream = read_pdf_pages(ocr_pdf, doc, stream, ocr_pages)
        finally:
            if ocr_pdf is not pdf:
                ocr_pdf.close()
        if doc.format == "pdf-ocr":
            doc.blocks = assemble(stream, s)
            from ..ocr import attach_confidence
            attach_confidence(doc)
            return doc
    if not any(sc.has_text for sc in scans):
        raise ReadError("scanned: no text layer")
    if all(sc.undecodable for sc in scans if sc.has_text):
        raise ReadError("undecodable text: fonts without a Unicode map (cid/private-use glyphs) on every page")
    doc.blocks = assemble(stream, s)
    return doc


def _ocr_reason(scan, mode: str) -> str:
    """Why this page goes to OCR ('' when its text layer is used; see parsers.ocr.ocr_reason)."""
    if mode == "never":
        return ""
    from ..ocr import ocr_reason
    text = "".join(scan.lines)
    if _all_plain(text):     # no character outside CJK/ASCII/punctuation: none to count
        text = ""
    return ocr_reason(text, scan.n_chars, scan.n_bad, scan.n_images, mode)


_PLAIN_SEEN: dict[str, bool] = {}     # character → plain for parsers.ocr (white space counts as plain)


def _all_plain(text: str) -> bool:
    """Given a page's text, return whether every character but white space is one that
    parsers.ocr counts as plain: the page's distinct characters looked up, each new one tested
    once per process (compiling a pattern of the whole class repeated costs more than a
    process reads in a small PDF)."""
    distinct = set(text)
    seen = _PLAIN_SEEN
    new = distinct.difference(seen)
    if new:
        from ..ocr import _PLAIN
        for ch in new:
            seen[ch] = ch.isspace() or _PLAIN.match(ch) is not None
    return all(map(seen.__getitem__, distinct))


def page_tables(source: Source, settings: PdfSettings = DEFAULT) -> list[PageTable]:
    """Given a PDF, return every table found on every page, before joining (for the benchmark's
    comparison with pdfplumber)."""
    pdf = open_document(source)
    out: list[PageTable] = []
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            tp = page.get_textpage()
            try:
                scan = scan_page(page, tp, i + 1, settings)
                groups = ruled_groups(scan, page.get_size()[1], settings)
                items = analyse_page(page, tp, scan, groups, settings)
                out.extend(b for b in items.blocks if isinstance(b, PageTable))
            finally:
                tp.close()
                page.close()
    finally:
        pdf.close()
    return out
