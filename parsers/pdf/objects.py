"""Page objects → items: one walk over a page's objects (into form XObjects, matrices composed
only for paths and forms), glyphs read once from pdfium's text page (the Unicode text in one
call, per glyph only the flags and boxes pdfium has no bulk call for), and ruling edges from
path segments in pdfplumber's edge shape."""
from __future__ import annotations

import ctypes
import struct
from itertools import repeat
from operator import itemgetter

from ..shapes import is_bad_glyph
from .items import Char, edge
from .pdfium import FPDF_PAGEOBJ_FORM, FPDF_PAGEOBJ_IMAGE, FPDF_PAGEOBJ_PATH, FPDF_SEGMENT_MOVETO, FS_MATRIX, fn
from .settings import DEFAULT, PdfSettings

_IDENTITY = (1, 0, 0, 1, 0, 0)
_INDEX, _TEXT, _FLAG = itemgetter(0), itemgetter(1), itemgetter(2)
_FOUR_FLOATS = struct.Struct("4f")      # a C float[4] (native order and size, as ctypes.c_float)


def bare(name: str):
    """Given the name of a pdfium function the reader uses (`pdfium._SIGNATURES`), return the C
    function without ctypes' argument conversion (same result type as pypdfium2's), called with
    the GIL held. The reader calls a few of them once per glyph or page object, and the
    conversion and the GIL hand-over cost more than the call itself; callers pass only ctypes
    handles and pointers of the declared types (pypdfium2's handles too), and Python ints for
    C ints. None of them calls back into Python, and each returns at once."""
    return fn(name)


class PageObjects:
    """What one walk over a page's objects finds: images (counted) and paths (with the matrix
    that places them on the page)."""
    __slots__ = ("n_images", "paths")

    def __init__(self, n_images: int = 0, paths: list | None = None):
        self.n_images = n_images
        self.paths = [] if paths is None else paths     # (raw path object, matrix)


def _mul(m, n):
    """Matrix product m·n of PDF matrices (a b c d e f): apply m, then n."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _apply(m, x, y):
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def page_objects(page) -> PageObjects:
    """Given a pdfium page, return its images and paths, descending into form XObjects."""
    out = PageObjects()
    get_type, fm = bare("FPDFPageObj_GetType"), FS_MATRIX()
    t_form, t_path, t_image = FPDF_PAGEOBJ_FORM, FPDF_PAGEOBJ_PATH, FPDF_PAGEOBJ_IMAGE
    get_page_obj, get_form_obj = bare("FPDFPage_GetObject"), bare("FPDFFormObj_GetObject")
    get_matrix, pfm = bare("FPDFPageObj_GetMatrix"), ctypes.byref(fm)
    count_page, count_form = bare("FPDFPage_CountObjects"), bare("FPDFFormObj_CountObjects")

    def matrix(obj, parent):
        get_matrix(obj, pfm)
        return _mul((fm.a, fm.b, fm.c, fm.d, fm.e, fm.f), parent)

    wanted = (t_form, t_path, t_image)

    def holder(h, is_form: bool, parent):
        """(objects, types, matrix) of a page or form, only its forms, paths and images kept
        (in content order); the types read in one pass."""
        get = get_form_obj if is_form else get_page_obj
        n = (count_form if is_form else count_page)(h)
        objs = list(map(get, repeat(h, n), range(n)))
        types = list(map(get_type, objs))
        keep = [k for k, t in enumerate(types) if t in wanted]
        return [objs[k] for k in keep], [types[k] for k in keep], parent

    # depth-first, in content order (what a recursive walk yields): (objects, types, matrix, next)
    stack = [(*holder(page.raw, False, _IDENTITY), 0)]
    while stack:
        objs, types, parent, i = stack.pop()
        while i < len(objs):
            obj, t = objs[i], types[i]
            i += 1
            if t == t_form:
                stack.append((objs, types, parent, i))
                stack.append((*holder(obj, True, matrix(obj, parent)), 0))
                break
            if t == t_path:
                out.paths.append((obj, matrix(obj, parent)))
            else:
                out.n_images += 1
    return out


# ---------------------------------------------------------------- glyphs
def glyph_flags(textpage, text: str) -> list[tuple[int, str, bool]]:
    """Given a text page and its text (`get_text_range`), return (index, character, undecodable)
    of every real glyph: line breaks and spaces left out, and with them every character pdfium
    generates (it generates only spaces and line breaks; a test holds it to that). The
    characters come from the text when it is aligned with the glyph indexes (one character per
    glyph), else one by one."""
    tp = textpage.raw
    n = textpage.count_chars()
    map_error = bare("FPDFText_HasUnicodeMapError")
    if len(text) == n:
        bad = {ch for ch in set(text) if is_bad_glyph(ch)}
        glyphs = [(i, ch, False) for i, ch in enumerate(text) if ch not in "\r\n "]
        errors = list(map(map_error, repeat(tp, len(glyphs)), map(_INDEX, glyphs)))
        if not bad and 1 not in errors:       # the usual page: every glyph mapped
            return glyphs
        return [(i, ch, e == 1 or ch in bad) for (i, ch, _), e in zip(glyphs, errors)]
    out = []
    generated, unicode = bare("FPDFText_IsGenerated"), bare("FPDFText_GetUnicode")
    for i in range(n):
        if generated(tp, i):
            continue
        u = unicode(tp, i)
        if u in (13, 10, 32):
            continue
        ch = chr(u) if u < 0x110000 else None
        out.append((i, ch, map_error(tp, i) == 1 or is_bad_glyph(ch if ch is not None else "\ufffd")))
    return out


def glyph_counts(glyphs: list[tuple[int, str, bool]]) -> tuple[int, int]:
    """Given a page's glyphs (`glyph_flags`), return (glyphs, undecodable glyphs), tabs not counted."""
    n_tabs = list(map(_TEXT, glyphs)).count("\t")
    bad = sum(map(_FLAG, glyphs))
    if bad and n_tabs:
        bad -= sum(1 for g in glyphs if g[2] and g[1] == "\t")
    return len(glyphs) - n_tabs, bad


def chars(textpage, glyphs: list[tuple[int, str, bool]], page_h: float) -> list[Char]:
    """Given a text page and its glyphs (`glyph_flags`), return them with their loose boxes
    (top measured from the page top); glyphs without a box or without width left out."""
    box = (ctypes.c_float * 4)()        # FS_RECTF's fields in order: left, top, right, bottom
    tp, loose, pbox = textpage.raw, bare("FPDFText_GetLooseCharBox"), ctypes.byref(box)
    read_box = _FOUR_FLOATS.unpack_from     # the four fields at once, as box[:] reads them
    out: list[Char] = []
    append = out.append
    sizes: dict[float, float] = {}      # box height → rounded (round() costs more than the lookup)
    new = object.__new__                # a Char made field by field: its __init__ call costs more
    for i, ch, bad in glyphs:
        if ch is None or not loose(tp, i, pbox):
            continue
        x0, y1, x1, y0 = read_box(box)
        if x1 - x0 <= 0:
            continue
        top, bottom = page_h - y1, page_h - y0
        height = bottom - top
        size = sizes.get(height)
        if size is None:
            size = sizes[height] = round(height, 1)
        c = new(Char)
        c.index, c.text, c.x0, c.x1, c.top, c.bottom, c.size, c.bad, c.base = i, ch, x0, x1, top, bottom, size, bad, None
        append(c)
    return out


def dedupe(chars: list[Char], s: PdfSettings = DEFAULT) -> list[Char]:
    """Given glyphs, return them without fake-bold doubles: the same glyph printed again within
    `dedupe_tolerance` (what pdfplumber's dedupe_chars does, in O(n log n))."""
    tol = s.dedupe_tolerance
    kept: list[Char] = []
    seen: dict[tuple, list[Char]] = {}
    for c in chars:
        key = (c.text, c.size)
        twins = seen.get(key)
        if twins is None:
            seen[key] = [c]
            kept.append(c)
            continue
        top, x0 = c.top, c.x0
        for o in (twins if len(twins) <= 8 else twins[-8:]):
            d = o.top - top           # abs(d) <= tol, without the call (once per glyph and twin)
            if -tol <= d <= tol and -tol <= o.x0 - x0 <= tol:
                break
        else:
            twins.append(c)
            kept.append(c)
    return kept


def baselines(textpage, chars: list[Char], page_h: float) -> None:
    """Set each glyph's baseline (from the page top): glyph boxes vary in height, baselines do not."""
    x, y = ctypes.c_double(), ctypes.c_double()
    origin, tp, px, py = bare("FPDFText_GetCharOrigin"), textpage.raw, ctypes.byref(x), ctypes.byref(y)
    for c in chars:
        if c.base is None:
            origin(tp, c.index, px, py)
            c.base = page_h - y.value


# ---------------------------------------------------------------- edges
def _subpath_reader():
    """Return subpaths(path object, matrix, page height): its subpaths as point lists on the
    page (closed subpaths end where they began); the pdfium calls and buffers are set up once."""
    x, y = ctypes.c_float(), ctypes.c_float()
    px, py = ctypes.byref(x), ctypes.byref(y)
    get_seg, get_point, get_type, get_close = (bare("FPDFPath_GetPathSegment"), bare("FPDFPathSegment_GetPoint"),
                                               bare("FPDFPathSegment_GetType"), bare("FPDFPathSegment_GetClose"))
    count, moveto = bare("FPDFPath_CountSegments"), FPDF_SEGMENT_MOVETO

    def subpaths(obj, m, page_h: float) -> list[list[tuple[float, float]]]:
        a, b, c, d, e, f = m
        out: list[list[tuple[float, float]]] = []
        for i in range(count(obj)):
            seg = get_seg(obj, i)
            get_point(seg, px, py)
            sx, sy = x.value, y.value
            pt = (a * sx + c * sy + e, page_h - (b * sx + d * sy + f))
            if get_type(seg) == moveto or not out:
                out.append([pt])
            else:
                out[-1].append(pt)
            if get_close(seg) and out[-1][0] != pt:
                out[-1].append(out[-1][0])
        return out
    return subpaths


def edges(objects: PageObjects, page_h: float, s: PdfSettings = DEFAULT) -> list[dict]:
    """Given a page's paths, return the horizontal and vertical ruling edges they draw (lines,
    thin filled rects, rect outlines); paths neither filled nor stroked draw nothing."""
    out: list[dict] = []
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    pfill, pstroke, draw_mode = ctypes.byref(fill), ctypes.byref(stroke), bare("FPDFPath_GetDrawMode")
    subpaths = _subpath_reader()
    for obj, m in objects.paths:
        draw_mode(obj, pfill, pstroke)
        if not fill.value and not stroke.value:
            continue
        for pts in subpaths(obj, m, page_h):
            out.extend(subpath_edges(pts, bool(fill.value), s))
    return out


def subpath_edges(pts: list[tuple[float, float]], filled: bool, s: PdfSettings = DEFAULT) -> list[dict]:
    """Given a subpath's points, return its edges: a filled sliver (thinner than
    `edge_max_thickness`) is one ruling line along its long side; otherwise every axis-parallel
    segment is an edge (a rectangle gives its four sides, as pdfplumber does)."""
    if filled and len(pts) >= 4:
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        x0, x1, top, bottom = min(xs), max(xs), min(ys), max(ys)
        w, h = x1 - x0, bottom - top
        if h <= s.edge_max_thickness and w > h:
            return [edge("h", x0, x1, (top + bottom) / 2, (top + bottom) / 2)]
        if w <= s.edge_max_thickness and h > w:
            return [edge("v", (x0 + x1) / 2, (x0 + x1) / 2, top, bottom)]
    out = []
    tol = s.axis_tolerance
    for (ax, ay), (bx, by) in zip(pts, pts[1:]):
        if abs(ay - by) < tol and abs(ax - bx) >= tol:
            out.append(edge("h", min(ax, bx), max(ax, bx), ay, ay))
        elif abs(ax - bx) < tol and abs(ay - by) >= tol:
            out.append(edge("v", ax, ax, min(ay, by), max(ay, by)))
    return out


def close_frames(edges_: list[dict], s: PdfSettings = DEFAULT) -> list[dict]:
    """Given a page's edges, return them with the missing side of a frame cut by a page break:
    where the lowest vertical rules end (or the highest begin) below (above) every horizontal
    rule (Chromium prints a cut table so), a horizontal rule is drawn across them."""
    vs = [e for e in edges_ if e["orientation"] == "v" and e["height"] > 2]
    hs = [e for e in edges_ if e["orientation"] == "h"]
    if len(vs) < 2:
        return edges_
    out = list(edges_)
    end_tol, cover = s.frame_end_tolerance, s.frame_cover_tolerance
    for end, sign in (("bottom", 1), ("top", -1)):
        y = max(e[end] * sign for e in vs) * sign
        ends = [e for e in vs if abs(e[end] - y) <= end_tol]
        if len(ends) < 2:
            continue
        x0, x1 = min(e["x0"] for e in ends), max(e["x0"] for e in ends)
        covered = any(abs(e["top"] - y) <= cover and e["x0"] <= x0 + cover and e["x1"] >= x1 - cover for e in hs)
        if not covered:
            out.append(edge("h", x0, x1, y, y))
    return out
