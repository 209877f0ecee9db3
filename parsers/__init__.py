"""Readers: one per input format, each turning a file into the neutral `Document`.

`read(path, fmt=None)` detects the format from the file's first bytes (not only its name) and
dispatches; a reader raises `ReadError` with a one-line reason for input it cannot read.
"""
from __future__ import annotations

import importlib
import os

from .model import Cell, Document, Paragraph, ReadError, Table

__all__ = ["read", "detect_format", "FORMATS", "Cell", "Document", "Paragraph", "ReadError", "Table"]

# format -> module in this package that provides read(path) -> Document
FORMATS = {
    "text": "text",
    "pdf": "pdf",
    "html": "html",
    "docx": "word",
    "doc": "word",
}
_EXT = {".txt": "text", ".md": "text", ".csv": "text", ".tsv": "text", ".text": "text",
        ".pdf": "pdf", ".html": "html", ".htm": "html", ".shtml": "html", ".xhtml": "html",
        ".docx": "docx", ".doc": "doc", ".wps": "doc", ".rtf": "doc", ".mht": "html", ".mhtml": "html"}


def detect_format(path: str) -> str:
    """The format by content signature first, then by extension; 'text' otherwise."""
    with open(path, "rb") as f:
        head = f.read(2048)
    ext = os.path.splitext(path)[1].lower()
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "doc"
    if head.startswith(b"{\\rtf"):
        return "doc"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    sniff = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if sniff.startswith((b"<!doctype html", b"<html", b"<?xml", b"<meta", b"<head", b"<body", b"<table",
                         b"<!--", b"<div", b"<p", b"<title", b"<style", b"<script")):
        return "html"
    if sniff.startswith(b"mime-version:") and b"multipart/related" in sniff:
        return "html"   # a saved web archive (.mht)
    by_name = _EXT.get(ext, "text")
    if by_name in ("pdf", "docx", "doc") and _looks_like_text(head):
        return "text"   # e.g. a text report saved under a .pdf name: the content decides
    return by_name


_CONTROL = frozenset(range(32)) - {9, 10, 12, 13, 27}


def _looks_like_text(head: bytes) -> bool:
    """The first bytes of a file are text (UTF-8 or GB18030, hardly any control bytes)."""
    if not head or b"\x00" in head or sum(b in _CONTROL for b in head) > len(head) // 100:
        return False
    for enc in ("utf-8", "gb18030"):
        try:
            head.decode(enc)
            return True
        except UnicodeDecodeError as e:
            if e.start >= len(head) - 4 and len(head) >= 2048:  # cut inside the last character
                return True
    return False


def read(path: str, fmt: str | None = None) -> Document:
    fmt = fmt or detect_format(path)
    if fmt not in FORMATS:
        raise ReadError(f"unknown format {fmt!r}; choose one of {', '.join(sorted(FORMATS))}")
    if os.path.getsize(path) == 0:
        raise ReadError("empty file")
    try:
        module = importlib.import_module(f".{FORMATS[fmt]}", __name__)
    except ModuleNotFoundError as e:
        raise ReadError(f"no reader for {fmt} input in this installation ({e.name} missing)")
    doc = module.read(path) if fmt != "doc" else module.read(path, legacy=True)
    doc.format = doc.format or fmt
    return doc
