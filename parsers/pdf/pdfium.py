"""The few pdfium calls the reader makes, bound straight to pypdfium2's own libpdfium.

Importing pypdfium2 costs a process about 190 M instructions (its ctypes bindings declare every
function of pdfium's API, several thousand), more than reading a small PDF; the reader calls
about thirty of them. This module loads the same shared library (found in the pypdfium2_raw
package without importing it) and declares only those, each as `objects.bare` wants it: the
C function without ctypes' argument conversion, the GIL held. The classes below have the
shape of pypdfium2's (`len(doc)`, `doc[i]`, `page.raw`, `page.get_size()`,
`page.get_textpage()`, `textpage.count_chars()`, `textpage.get_text_range()`, `close()`) and
compute what pypdfium2 computes, so the reader takes either; a file this module cannot open
is handed to pypdfium2 itself (`open_pdf`), so every error reads as it always has.

pdfium's library state is process-wide: initialising it again (pypdfium2 does when it is
imported later, e.g. for OCR) is a no-op inside pdfium, and both load the same file.
"""
from __future__ import annotations

import codecs
import ctypes
import os
from importlib.util import find_spec

FPDF_PAGEOBJ_PATH, FPDF_PAGEOBJ_IMAGE, FPDF_PAGEOBJ_FORM = 2, 3, 5
FPDF_SEGMENT_MOVETO = 2


class _Opaque(ctypes.Structure):
    """pdfium's handles are pointers to structures the caller never looks into."""


HANDLE = ctypes.POINTER(_Opaque)


class FS_MATRIX(ctypes.Structure):
    _fields_ = [(k, ctypes.c_float) for k in "abcdef"]


class _LibraryConfig(ctypes.Structure):
    """FPDF_LIBRARY_CONFIG, version 2 (what pypdfium2 passes: no font paths, no V8)."""
    _fields_ = [("version", ctypes.c_int), ("m_pUserFontPaths", ctypes.c_void_p),
                ("m_pIsolate", ctypes.c_void_p), ("m_v8EmbedderSlot", ctypes.c_uint)]


# name → result type; every argument is a handle, a pointer or a C int (passed as is)
_SIGNATURES = {
    "FPDF_LoadDocument": HANDLE, "FPDF_LoadMemDocument64": HANDLE, "FPDF_CloseDocument": None,
    "FPDF_GetPageCount": ctypes.c_int, "FPDF_LoadPage": HANDLE, "FPDF_ClosePage": None,
    "FPDF_GetPageWidthF": ctypes.c_float, "FPDF_GetPageHeightF": ctypes.c_float,
    "FPDFText_LoadPage": HANDLE, "FPDFText_ClosePage": None, "FPDFText_CountChars": ctypes.c_int,
    "FPDFText_GetText": ctypes.c_int, "FPDFText_GetTextIndexFromCharIndex": ctypes.c_int,
    "FPDFText_GetUnicode": ctypes.c_uint, "FPDFText_IsGenerated": ctypes.c_int,
    "FPDFText_HasUnicodeMapError": ctypes.c_int, "FPDFText_GetLooseCharBox": ctypes.c_int,
    "FPDFText_GetCharOrigin": ctypes.c_int,
    "FPDFPage_CountObjects": ctypes.c_int, "FPDFPage_GetObject": HANDLE, "FPDFPageObj_GetType": ctypes.c_int,
    "FPDFPageObj_GetMatrix": ctypes.c_int, "FPDFFormObj_CountObjects": ctypes.c_int,
    "FPDFFormObj_GetObject": HANDLE,
    "FPDFPath_CountSegments": ctypes.c_int, "FPDFPath_GetPathSegment": HANDLE,
    "FPDFPath_GetDrawMode": ctypes.c_int, "FPDFPathSegment_GetPoint": ctypes.c_int,
    "FPDFPathSegment_GetType": ctypes.c_int, "FPDFPathSegment_GetClose": ctypes.c_int,
}
_FUNCTIONS: dict = {}
_LIBRARY_NAMES = ("libpdfium.so", "libpdfium.dylib", "pdfium.dll")    # pypdfium2_raw's, by platform


def _library() -> ctypes.CDLL:
    """pypdfium2's libpdfium, loaded and initialised once."""
    lib = _FUNCTIONS.get("")
    if lib is None:
        spec = find_spec("pypdfium2_raw")
        folder = list(spec.submodule_search_locations)[0]
        names = [os.path.join(folder, n) for n in _LIBRARY_NAMES if os.path.isfile(os.path.join(folder, n))]
        lib = ctypes.CDLL(names[0] if names else _loaded_by_pypdfium2())
        lib.FPDF_InitLibraryWithConfig.restype = None
        lib.FPDF_InitLibraryWithConfig(ctypes.byref(_LibraryConfig(version=2)))
        _FUNCTIONS[""] = lib
    return lib


def _loaded_by_pypdfium2() -> str:
    """The path of the library pypdfium2 loads (imported for it): where pypdfium2_raw holds it
    under a name this module does not know."""
    import pypdfium2  # noqa: F401  (loads and initialises the library)
    from pypdfium2_raw import bindings
    return bindings._libs["pdfium"]._name


def fn(name: str):
    """Given the name of one of the functions above, return it bound as `objects.bare` wants."""
    f = _FUNCTIONS.get(name)
    if f is None:
        f = _FUNCTIONS[name] = ctypes.PYFUNCTYPE(_SIGNATURES[name])((name, _library()))
    return f


def _loaded(raw, what: str):
    """Given the handle a pdfium load call returned, return it, or raise pypdfium2's error for a
    null one ("Failed to load page.")."""
    if not raw:
        raise RuntimeError(f"Failed to load {what}.")
    return raw


class TextPage:
    """pdfium's text page of one page (pypdfium2's PdfTextPage, the calls the reader makes)."""

    def __init__(self, raw):
        self.raw = raw

    def count_chars(self) -> int:
        n = fn("FPDFText_CountChars")(self.raw)
        if n == -1:
            raise RuntimeError("Failed to get character count.")
        return n

    def get_text_range(self) -> str:
        """The page's whole text, as pypdfium2's get_text_range() reads it (leading and trailing
        characters pdfium leaves out of its text skipped, UTF-16 decoded, errors ignored)."""
        lo, hi = 0, self.count_chars() - 1
        to_text = fn("FPDFText_GetTextIndexFromCharIndex")
        while lo <= hi and to_text(self.raw, lo) == -1:
            lo += 1
        while lo <= hi and to_text(self.raw, hi) == -1:
            hi -= 1
        if lo > hi:
            return ""
        t_start, t_end = to_text(self.raw, lo), to_text(self.raw, hi)
        buffer = (ctypes.c_ushort * (t_end + 2 - t_start))()
        out = fn("FPDFText_GetText")(self.raw, lo, hi - lo + 1, buffer)
        return codecs.decode(memoryview(buffer)[:out - 1], "utf-16-le", errors="ignore")

    def close(self) -> None:
        if self.raw is not None:
            fn("FPDFText_ClosePage")(self.raw)
            self.raw = None


class Page:
    """One loaded page (pypdfium2's PdfPage, the calls the reader makes)."""

    def __init__(self, raw):
        self.raw = raw

    def get_size(self) -> tuple[float, float]:
        return fn("FPDF_GetPageWidthF")(self.raw), fn("FPDF_GetPageHeightF")(self.raw)

    def get_textpage(self) -> TextPage:
        return TextPage(_loaded(fn("FPDFText_LoadPage")(self.raw), "text page"))

    def close(self) -> None:
        if self.raw is not None:
            fn("FPDF_ClosePage")(self.raw)
            self.raw = None


class Document:
    """An open PDF (pypdfium2's PdfDocument, the calls the reader makes); bytes it was read
    from are held until it is closed."""

    def __init__(self, raw, source):
        self.raw, self.source = raw, source      # the path or bytes it was opened from
        self._n = fn("FPDF_GetPageCount")(raw)

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i: int) -> Page:
        return Page(_loaded(fn("FPDF_LoadPage")(self.raw, i), "page"))

    def close(self) -> None:
        if self.raw is not None:
            fn("FPDF_CloseDocument")(self.raw)
            self.raw, self.source = None, None


def open_pdf(source):
    """Given a path or bytes, return the open document: this module's when pdfium opens it with
    pages, else whatever pypdfium2.PdfDocument makes of it (its document or its exception)."""
    if isinstance(source, (bytes, str, os.PathLike)):
        if isinstance(source, bytes):
            raw = fn("FPDF_LoadMemDocument64")(source, ctypes.c_size_t(len(source)), None)
        else:    # the path as pypdfium2 passes it: user expanded, resolved (os.path: pathlib costs an import)
            path = os.path.realpath(os.path.expanduser(os.fspath(source)))
            raw = fn("FPDF_LoadDocument")((path + "\x00").encode("utf-8", errors="surrogateescape"),
                                          None) if os.path.isfile(path) else None
        if raw:
            if fn("FPDF_GetPageCount")(raw) >= 1:
                return Document(raw, source)
            fn("FPDF_CloseDocument")(raw)
    import pypdfium2 as pdfium
    return pdfium.PdfDocument(source)


def as_pypdfium2(doc):
    """Given an open document (this module's or pypdfium2's), return pypdfium2's document of the
    same file, for the callers that need more of pypdfium2 (OCR renders pages); a new one the
    caller closes when `doc` is this module's."""
    if not isinstance(doc, Document):
        return doc
    import pypdfium2 as pdfium
    return pdfium.PdfDocument(doc.source)
