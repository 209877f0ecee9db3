"""OCR reader: scanned pages and broken text layers read from page images.

The PDF reader calls `read_pdf_pages` for the pages that `ocr_reason` names (no text layer,
glyphs without a Unicode map, characters no report prints); image files (PNG, JPEG, TIFF with
any number of frames) are read whole by `read_image`. Either way the result is the PDF reader's
own page blocks, so tables come out as the same neutral Document, with each cell's
`confidence` (the engine's lowest character score in it) and per-character scores.
"""
from __future__ import annotations

import re

from ..model import Document, ReadError

MODES = ("never", "auto", "always")
FOREIGN_SHARE = 0.3      # share of characters outside CJK/ASCII/punctuation that fails a text layer
MIN_DPI, MAX_DPI = 150, 300
TEXT_PX = 22.0           # render so body text is about this many pixels tall (150 dpi for 10.5 pt)
MAX_PIXELS = 30_000_000  # a page image larger than this is reduced first (memory per worker stays bounded)

_PLAIN = re.compile(r"[\u0020-\u007e\u00a0-\u00ff\u2000-\u206f\u2160-\u217f\u2460-\u24ff\u2500-\u257f"
                    r"\u25a0-\u25ff\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
                    r"\u2e80-\u2fdf\u31c0-\u31ef\u3200-\u32ff\u3300-\u33ff\u00b7\u2014\u2018-\u201f\u2026]")


def ocr_reason(text: str, n_chars: int, n_bad: int, n_images: int, mode: str) -> str:
    """Why a PDF page must be read by OCR ('' when its text layer will do)."""
    if mode == "never":
        return ""
    if mode == "always":
        return "OCR forced (--ocr always)"
    if n_chars == 0:
        return "no text layer" if n_images else ""
    if n_bad > 0.3 * n_chars:
        return f"text layer unusable: {n_bad} of {n_chars} glyphs have no Unicode map"
    chars = [c for c in text if not c.isspace()]
    foreign = sum(1 for c in chars if not _PLAIN.match(c))
    if chars and foreign > FOREIGN_SHARE * len(chars):
        return f"text layer unusable: {foreign} of {len(chars)} characters outside CJK/ASCII/punctuation"
    return ""


def render_dpi(text_pt: float | None, native_dpi: float | None) -> float:
    """Resolution for a page: body text about TEXT_PX pixels tall, never finer than the scan
    itself holds (its native resolution), within MIN_DPI..MAX_DPI."""
    dpi = TEXT_PX / (text_pt or 10.5) * 72
    if native_dpi:
        dpi = min(dpi, max(native_dpi, MIN_DPI))
    return float(max(MIN_DPI, min(MAX_DPI, round(dpi))))


def pdf_page_blocks(page, number: int, text_pt: float | None = None):
    """OCR of one pdfium page: rendered in gray at the chosen resolution; `PageResult`."""
    from . import engine as E
    E.engine()                      # a ReadError naming the missing extra, before numpy is needed
    from .page import read_page

    w, h = page.get_size()
    dpi = render_dpi(text_pt, _native_dpi(page, w, h))
    if w * h * (dpi / 72) ** 2 > MAX_PIXELS:
        dpi = (MAX_PIXELS / (w * h)) ** 0.5 * 72
    from .image import without_bleed
    gray = without_bleed(page_gray(page, dpi))
    result = read_page(gray, dpi, number)
    result.warnings.insert(0, f"page {number}: OCR at {dpi:g} dpi")
    return result


def page_gray(page, dpi: float):
    """The page rendered at `dpi` as a gray image with coloured ink dropped (`image.gray_of`:
    a red seal over a table). Rendered in colour: pdfium renders a colour scan in RGB faster
    than in gray, and a gray scan's pixels come out the same either way."""
    import numpy as np
    from .image import gray_of
    bitmap = page.render(scale=dpi / 72, rev_byteorder=True)
    rgb = bitmap.to_numpy()
    gray = gray_of(np.ascontiguousarray(rgb[..., :3]))
    bitmap.close()
    return gray


def _native_dpi(page, w: float, h: float) -> float | None:
    """Resolution of the largest image on the page (pixels over its placed size), if any."""
    import pypdfium2.raw as raw
    best = None
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        try:
            px_w, px_h = obj.get_size()
            l, b, r, t = obj.get_pos()
        except Exception:
            continue
        if r - l > 0.3 * w and px_w:
            dpi = px_w / ((r - l) / 72)
            best = max(best or 0, dpi)
    return best


def attach_confidence(doc: Document) -> None:
    """Each cell of an OCR page gets the engine's lowest score over the characters inside it
    (`confidence`) and every character's score in reading order (`char_confidence`); the
    glyphs come from `doc.ocr_chars` (page number → OcrChar list), which is then dropped."""
    chars_by_page = doc.__dict__.pop("ocr_chars", {})
    for t in doc.tables:
        for c in t.cells:
            chars = chars_by_page.get(c.page)
            if chars is None or not c.bbox:
                continue
            x0, top, x1, bottom = c.bbox
            inside = sorted((ch for ch in chars if x0 <= ch.cx <= x1 and top <= ch.mid <= bottom),
                            key=lambda ch: (round(ch.base), ch.x0))
            if inside:
                c.char_confidence = tuple((ch.text, round(ch.conf, 3)) for ch in inside)
                c.confidence = round(min(ch.conf for ch in inside), 3)
                blank_unreadable_number(doc, c)


_DIGIT_LOOKALIKES = frozenset("oOilI|")
_NUMBER_CHARS = frozenset("0123456789,.，．") | _DIGIT_LOOKALIKES


def blank_unreadable_number(doc: Document, c) -> None:
    """Given an OCR cell, empty it (confidence 0, the reading named in the warnings) when its
    text is digits mixed with letters that only look like digits ('lo', 'l0', '1O': a rule's
    faint edge read as 'l', a 0 as 'o'). Such a cell is no number anyone can vouch for, and
    as text it made the pipeline lose its whole table; empty, it is left to the user and
    flagged, while the rest of its table is read."""
    text = c.text.strip()
    if not text or not any(ch in _DIGIT_LOOKALIKES for ch in text) or not all(ch in _NUMBER_CHARS for ch in text):
        return
    doc.warnings.append(f"page {c.page}: OCR read {text!r} in a cell: not a number, left empty")
    c.text, c.confidence, c.char_confidence = "", 0.0, ()


def read_pdf_pages(pdf, doc: Document, stream: list, pages: dict[int, str]) -> list:
    """The PDF reader's item stream with each OCR placeholder ("ocr", page index) replaced by
    that page's OCR items (only the pages `choose_pages` picks); with any read, the document
    becomes `pdf-ocr` and keeps the glyphs for `attach_confidence`."""
    from ..pdf.join import strip_page_numbers
    from . import engine as E
    try:
        E.model_files()
    except ReadError as e:
        for i in sorted(pages):
            doc.warnings.append(f"page {i + 1}: {pages[i]}; not read: {e}")
        if all(r.startswith("no text layer") for r in pages.values()) and len(pages) == len(pdf):
            raise ReadError(f"scanned: no text layer; {e}") from None
        return [item for item in stream if not (isinstance(item, tuple) and item[0] == "ocr")]
    chosen, skipped = choose_pages(pdf, sorted(pages))
    for i in skipped:
        doc.warnings.append(f"page {i + 1}: {pages[i]}; no table rulings found at low resolution, not read by OCR")
    out, chars = [], {}
    for item in stream:
        if not (isinstance(item, tuple) and item[0] == "ocr"):
            out.append(item)
            continue
        i = item[1]
        if i not in chosen:
            continue
        page = pdf[i]
        try:
            res = pdf_page_blocks(page, i + 1)
        finally:
            page.close()
        doc.warnings.append(f"page {i + 1}: read by OCR: {pages[i]}")
        doc.warnings.extend(res.warnings)
        chars[i + 1] = res.chars
        out.extend(strip_page_numbers(res.blocks))
    if any(chars.values()):
        doc.format = "pdf-ocr"
        doc.__dict__["ocr_chars"] = chars
    return out


def read_image(source, ocr: str = "auto") -> Document:
    """An image file (PNG, JPEG, TIFF, multi-page TIFF; path or bytes) as a scanned document."""
    if ocr == "never":
        raise ReadError("image file: needs OCR (run without --ocr never)")
    from . import engine as E
    E.engine()
    import io
    from PIL import Image, ImageOps
    import numpy as np
    from ..contract import is_bytes
    from ..pdf.join import assemble, strip_page_numbers
    from .image import gray_of, without_bleed
    from .page import read_page

    try:
        im = Image.open(io.BytesIO(bytes(source)) if is_bytes(source) else source)
    except Exception as e:
        raise ReadError(f"corrupt: image cannot be opened ({type(e).__name__})") from None
    doc = Document(format="image-ocr")
    stream, chars = [], {}
    n = getattr(im, "n_frames", 1)
    doc.pages = n
    for i in range(n):
        im.seek(i)
        frame = ImageOps.exif_transpose(im) if i == 0 else im
        dpi = float((frame.info.get("dpi") or (0, 0))[0] or 0) or None
        gray = gray_of(np.array(frame.convert("RGB"))) if frame.mode not in ("1", "L", "I;16") else np.array(frame.convert("L"))
        gray = without_bleed(gray)
        dpi = dpi or _guess_dpi(gray.shape)
        if gray.size > MAX_PIXELS:
            gray, dpi = _reduce(gray, dpi)
        res = read_page(gray, dpi, i + 1)
        doc.warnings.append(f"page {i + 1}: OCR of an image file at {dpi:g} dpi")
        doc.warnings.extend(res.warnings)
        chars[i + 1] = res.chars
        stream.extend(strip_page_numbers(res.blocks))
    if not any(chars.values()):
        raise ReadError("scanned: no text found by OCR")
    doc.blocks = assemble(stream)
    doc.__dict__["ocr_chars"] = chars
    attach_confidence(doc)
    return doc


def _guess_dpi(shape) -> float:
    """An image without a resolution tag: assume it shows an A4 page (its long side 297 mm)."""
    return max(shape) / (297 / 25.4)


def _reduce(gray, dpi: float):
    import cv2
    k = (MAX_PIXELS / gray.size) ** 0.5
    return cv2.resize(gray, (int(gray.shape[1] * k), int(gray.shape[0] * k)), interpolation=cv2.INTER_AREA), dpi * k


SCOUT_DPI = 40


def has_rulings(page) -> bool:
    """A fast low-resolution look: does the page hold a ruled table (≥3 horizontal and ≥3
    vertical rules)? Decides which scanned pages are worth reading. Rules a degree off level
    count (a page scanned askew is deskewed only when it is read)."""
    from . import image as I
    gray = page_gray(page, SCOUT_DPI)
    segs = I.rulings(I.ink(gray, SCOUT_DPI), SCOUT_DPI, askew=True)
    return sum(s.orientation == "h" for s in segs) >= 3 and sum(s.orientation == "v" for s in segs) >= 3


def choose_pages(pdf, pages: list[int]) -> tuple[set[int], list[int]]:
    """Of the (0-based) pages that need OCR, those to read: the first page (title, body, year)
    and every page with a ruled table; all of them when none has rules (tables without lines
    cannot be told from prose without reading). Returns (chosen, skipped)."""
    ruled = {i for i in pages if i == 0 or has_rulings(pdf[i])}
    if len(ruled - {0}) == 0:
        return set(pages), []
    return ruled, [i for i in pages if i not in ruled]
