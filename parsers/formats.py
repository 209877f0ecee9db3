"""The one format detector and router.

`detect` names a file's format from its first bytes, then its name ('text' otherwise): the
value reports.csv records. `route` then picks the reader that reads it: the format's own,
except where the content says the file is something else under that name (the only places
where one reader's format is read by another):

* a Word name (`docx`/`doc`) on a zip → the .docx reader; on an OLE or RTF file → LibreOffice;
  on Word's XML formats → LibreOffice (as .xml); on a web page or web archive → the HTML reader
  (sites serve Word's "web page" as .doc); `doc` on anything else → LibreOffice;
* an HTML page that is one of Word's XML formats (Word 2003 XML, flat OPC) → LibreOffice.

Readers are declared here (`READERS`), so detecting and routing import no reader; the chosen
one is imported when a file of its format is read.
"""
from __future__ import annotations

import importlib
import os
from typing import Optional

from .contract import HEAD_BYTES, Reader, Source, head, source_name, source_size
from .model import Document, ReadError

_HTML_STARTS = (b"<!doctype html", b"<html", b"<?xml", b"<meta", b"<head", b"<body", b"<table",
                b"<!--", b"<div", b"<p", b"<title", b"<style", b"<script")


def _sniff_text(head_: bytes) -> bytes:
    """The start of a text file for sniffing: UTF-16 re-encoded, BOM and leading space dropped."""
    if head_.startswith((b"\xff\xfe", b"\xfe\xff")):
        head_ = head_.decode("utf-16", errors="ignore").encode("utf-8")
    return head_.lstrip(b"\xef\xbb\xbf \t\r\n").lower()


def _is_pdf(h: bytes) -> bool:
    return h.startswith(b"%PDF")


def _is_zip(h: bytes) -> bool:
    return h.startswith(b"PK\x03\x04")


def _is_legacy_word(h: bytes) -> bool:
    """OLE compound file (.doc, .wps) or RTF."""
    return h.startswith(b"\xd0\xcf\x11\xe0") or h.startswith(b"{\\rtf")


def _is_html(h: bytes) -> bool:
    """A web page by its first tag, or a saved web archive (.mht) by its MIME header."""
    sniff = _sniff_text(h[:2048])
    if sniff.startswith(_HTML_STARTS):
        return True
    return sniff.startswith(b"mime-version:") and b"multipart/related" in sniff


def _is_image(h: bytes) -> bool:
    """PNG, JPEG or TIFF (a scanned page: read by OCR)."""
    return h.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*"))


# Detection order: the first reader whose sniff accepts the head wins; then the name decides.
READERS: tuple[Reader, ...] = (
    Reader("pdf", "pdf", extensions=(".pdf",), sniff=_is_pdf),
    Reader("docx", "word", "read_docx", extensions=(".docx",), sniff=_is_zip),
    Reader("doc", "word", "read_legacy", extensions=(".doc", ".wps", ".rtf"), sniff=_is_legacy_word),
    Reader("html", "html", extensions=(".html", ".htm", ".shtml", ".xhtml", ".mht", ".mhtml"), sniff=_is_html),
    Reader("image", "ocr", "read_image", extensions=(".png", ".jpg", ".jpeg", ".tif", ".tiff"), sniff=_is_image),
    Reader("text", "text", extensions=(".txt", ".md", ".csv", ".tsv", ".text")),
)
# readers that take the --ocr mode (never | auto | always)
OCR_AWARE = {"pdf", "image"}
OCR_FORMATS = ("pdf-ocr", "image-ocr")     # Document.format of a document read (in part) from page images
BY_FORMAT = {r.format: r for r in READERS}
FORMATS = {r.format: r.module for r in READERS}   # format -> module (the old table's shape)
_BY_EXTENSION = {ext: r.format for r in READERS for ext in r.extensions}


def detect(head_: bytes, name: str = "") -> str:
    """Given a file's first bytes and its name, return its format: content signature first,
    then the name's extension, 'text' otherwise."""
    for r in READERS:
        if r.sniff is not None and r.sniff(head_):
            return r.format
    by_name = _BY_EXTENSION.get(os.path.splitext(name)[1].lower(), "text")
    if by_name in ("pdf", "docx", "doc") and _looks_like_text(head_[:2048]):
        return "text"   # e.g. a text report saved under a .pdf name: the content decides, not the name
    return by_name


_CONTROL = frozenset(range(32)) - {9, 10, 12, 13, 27}


def _looks_like_text(h: bytes) -> bool:
    """The first bytes of a file are text (UTF-8 or GB18030, hardly any control bytes)."""
    if not h or b"\x00" in h or sum(b in _CONTROL for b in h) > len(h) // 100:
        return False
    for enc in ("utf-8", "gb18030"):
        try:
            h.decode(enc)
            return True
        except UnicodeDecodeError as e:
            if e.start >= len(h) - 4 and len(h) >= 2048:  # cut inside the last character
                return True
    return False


def detect_format(source: Source) -> str:
    """Given a path (or bytes), return its format (see `detect`)."""
    return detect(head(source, 2048), source_name(source))


def route(fmt: str, head_: bytes, size: int) -> tuple[Reader, dict]:
    """Given a format and the file's first bytes and size, return the reader that reads it and
    the options to call it with (the crossings listed in the module docstring)."""
    from .webpage import MAX_BYTES, is_binary, is_word_xml

    word_xml = lambda: is_word_xml(head_[:4096])
    if fmt in ("docx", "doc"):
        start = head_[:4096]
        sniff = start.lstrip(b"\xef\xbb\xbf \t\r\n")
        if head_.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            return BY_FORMAT["docx"], {}
        if _is_legacy_word(head_):
            return BY_FORMAT["doc"], {}
        if sniff.startswith(b"<") and word_xml():
            return BY_FORMAT["doc"], {"suffix": ".xml"}   # Word 2003 XML or flat OPC under a Word name
        if sniff[:1] == b"<" and b"<html" in start.lower() or b"mime-version:" in start.lower():
            return BY_FORMAT["html"], {}                   # Word's "web page" formats under a .doc name
        if fmt == "doc":
            return BY_FORMAT["doc"], {}
        raise ReadError("not a valid .docx: not a zip archive")
    if fmt == "html" and size <= MAX_BYTES and not is_binary(head_[:8192]) and word_xml():
        return BY_FORMAT["doc"], {"suffix": ".xml"}       # Word's XML formats: LibreOffice reads them
    return BY_FORMAT[fmt], {}


def load(reader: Reader, fmt: str = ""):
    """The entry function of a reader (its module imported now); `fmt` names the requested
    format in the reason when the reader's libraries are missing."""
    try:
        module = importlib.import_module(f"{__package__}.{reader.module}")
    except ModuleNotFoundError as e:
        raise ReadError(f"no reader for {fmt or reader.format} input in this installation ({e.name} missing)")
    return getattr(module, reader.entry)


def read(source: Source, fmt: Optional[str] = None, ocr: str = "auto") -> Document:
    """Given a path or bytes and optionally a forced format, return the Document (ReadError with
    a one-line reason for input no reader can read). `ocr` (never | auto | always): whether PDF
    pages are read from their image (parsers.ocr); image files need it."""
    fmt = fmt or detect_format(source)
    if fmt not in BY_FORMAT:
        raise ReadError(f"unknown format {fmt!r}; choose one of {', '.join(sorted(BY_FORMAT))}")
    size = source_size(source)
    if size == 0:
        raise ReadError("empty file")
    reader, options = route(fmt, head(source, HEAD_BYTES), size)
    if reader.format in OCR_AWARE:
        options = dict(options, ocr=ocr)
    doc = load(reader, fmt)(source, **options)
    doc.format = doc.format or fmt
    return doc
