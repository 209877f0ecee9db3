"""Open a PDF and read its pages: a fast scan of every page (pdfium's text, glyph flags, one
walk over its objects), and the close analysis of the pages that hold tables."""
from __future__ import annotations

from ..contract import Source, head, is_bytes, source_size, tail
from ..model import ReadError
from . import objects as O
from .items import Line, PageTable
from .lines import count_numeric, numeric_lines, text_lines
from .ruled import ruled_tables, table_groups
from .settings import DEFAULT, PdfSettings
from .wordgrid import word_tables


def open_document(source: Source):
    """Given a path or bytes, return the pdfium document (`pdfium.open_pdf`), or raise a ReadError
    that says why not."""
    from .pdfium import open_pdf

    if b"%PDF" not in head(source, 1024):
        raise ReadError("corrupt: not a PDF file (no %PDF header)")
    if b"%%EOF" not in tail(source, 1024):
        raise ReadError("truncated: PDF ends without its end-of-file marker (%%EOF)")
    try:
        return open_pdf(bytes(source) if is_bytes(source) else source)
    except Exception as e:
        import pypdfium2 as pdfium      # imported already: only pypdfium2 raises for a file pdfium refuses

        if not isinstance(e, pdfium.PdfiumError):
            raise
        msg = str(e).lower()
        if "password" in msg or "security" in msg:
            raise ReadError("encrypted: PDF needs a password to open") from None
        if "format" in msg or "data" in msg:
            raise ReadError("corrupt: PDF structure cannot be parsed") from None
        raise ReadError(f"corrupt: PDF cannot be opened ({str(e).strip()})") from None


class PageScan:
    """What the fast pass learns of one page (a plain class: see items.Record)."""
    __slots__ = ("number", "lines", "glyphs", "objects", "n_chars", "n_bad", "numeric_lines", "settings")

    def __init__(self, number: int, lines: list[str], settings: PdfSettings = DEFAULT):
        self.number = number              # 1-based
        self.lines = lines                # pdfium's text lines, stripped, empty ones left out
        self.glyphs: list = []            # (index, char, undecodable) of real glyphs
        self.objects = O.PageObjects()
        self.n_chars = self.n_bad = self.numeric_lines = 0
        self.settings = settings

    @property
    def has_text(self) -> bool:
        return self.n_chars > 0

    @property
    def n_images(self) -> int:
        return self.objects.n_images

    @property
    def n_rulings(self) -> int:
        return len(self.objects.paths)

    @property
    def undecodable(self) -> bool:
        return self.n_chars > 0 and self.n_bad > self.settings.bad_glyph_share * self.n_chars

    @property
    def may_hold_table(self) -> bool:
        """Lines with several numbers, or enough path objects to draw a grid."""
        s = self.settings
        return self.numeric_lines >= s.min_table_lines or self.n_rulings >= s.min_ruling_edges


def scan_page(page, textpage, number: int, s: PdfSettings = DEFAULT) -> PageScan:
    """Given a page and its text page, return the fast pass's findings: text lines, glyph
    counts (undecodable ones apart), numeric lines, images and paths."""
    n = textpage.count_chars()
    text = textpage.get_text_range() if n else ""
    lines = [ln.strip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    scan = PageScan(number, [ln for ln in lines if ln], s)
    scan.glyphs = O.glyph_flags(textpage, text) if n else []
    scan.n_chars, scan.n_bad = O.glyph_counts(scan.glyphs)
    scan.numeric_lines = count_numeric(scan.lines)
    scan.objects = O.page_objects(page)
    return scan


class PageItems:
    """A table page's items in top-to-bottom order, and what the reader has to say about it."""
    __slots__ = ("blocks", "warnings")

    def __init__(self, blocks: list, warnings: list):
        self.blocks, self.warnings = blocks, warnings


def ruled_groups(scan: PageScan, page_h: float, s: PdfSettings = DEFAULT) -> list:
    """Given a page's scan, return the cell groups of the ruled tables its paths draw (frames cut
    by a page break closed); none for a logo, a rule or a frame around prose."""
    if not scan.objects.paths:
        return []
    return table_groups(O.close_frames(O.edges(scan.objects, page_h, s), s), s)


def analyse_page(page, textpage, scan: PageScan, groups: list, s: PdfSettings = DEFAULT) -> PageItems:
    """Given a table page, its scan and ruled cell groups, return its tables and the text lines
    outside them, top to bottom: ruled tables first; without them, a grid from word positions
    when enough lines hold numbers."""
    w, h = page.get_size()
    number = scan.number
    chars = O.dedupe(O.chars(textpage, scan.glyphs, h), s)
    warnings: list[str] = []
    tables = ruled_tables(groups, chars, number, s)
    all_lines = None
    if not tables:
        all_lines = text_lines(chars, number, s)
        if numeric_lines(all_lines) >= s.min_table_lines:
            O.baselines(textpage, chars, h)
            tables = word_tables(chars, w, number, s) if chars else []
            if tables:
                warnings.append(f"page {number}: table without ruling lines, grid from word positions")
    if tables:
        lines = text_lines(_outside(chars, [t.bbox for t in tables]), number, s)
    else:
        lines = all_lines
    blocks: list = sorted(tables + lines, key=lambda b: b.bbox[1] if isinstance(b, PageTable) else b.top)
    return PageItems(blocks, warnings)


def _outside(chars: list, boxes: list) -> list:
    """Given glyphs and table boxes, return the glyphs whose centre lies in none of the boxes."""
    out = []
    for c in chars:
        cx, cy = (c.x0 + c.x1) / 2, (c.top + c.bottom) / 2
        for x0, top, x1, bottom in boxes:
            if x0 <= cx <= x1 and top <= cy <= bottom:
                break
        else:
            out.append(c)
    return out


def prose_lines(scan: PageScan) -> list[Line]:
    """Given a prose page's scan, return its lines straight from pdfium's text, radicals repaired."""
    from ..glyphs import repair_chars
    return [Line(scan.number, 0, 0, repair_chars(t)) for t in scan.lines]
