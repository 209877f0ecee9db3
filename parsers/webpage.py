"""Web pages as bytes: the shared helpers of the HTML and Word readers (Word documents import
HTML chunks, Word saves web pages under .doc names), kept apart so that neither reader imports
the other for them.

Given a page's bytes: is it binary, a Word XML document or a web archive (.mht); which charset
does it declare; its text (`decode_page`); the HTML part of a web archive (`mhtml_page`).
"""
from __future__ import annotations

import codecs
import re

from .encoding import decode
from .model import ReadError

MAX_BYTES = 64 * 1024 * 1024

_DECLARED = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_\-.]+)""", re.I)
# Scripts, styles, comments and tags, at the byte level: '<' and '>' are never part of a GBK, GB18030,
# Big5 or UTF-8 multi-byte character, so this is safe before the encoding is known.
_MARKUP = re.compile(rb"<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->|<[^>]*>", re.I | re.S)
_LEGACY_LATIN = {"iso-8859-1", "latin-1", "latin1", "windows-1252", "cp1252", "us-ascii", "ascii", "iso8859-1"}
_WORD_XML = re.compile(rb'progid="Word\.Document"|<pkg:package|<w:wordDocument')
_MIME_START = re.compile(rb"\s*[A-Za-z-]+:")
_CONTROL_BYTES = bytes(b for b in range(0x20) if b not in (0x09, 0x0a, 0x0c, 0x0d, 0x1b))


def is_word_xml(head: bytes) -> bool:
    """Given a page's first 4096 bytes, return whether it is one of Word's XML formats (Word 2003
    XML, flat OPC), which LibreOffice reads, not the HTML reader."""
    return bool(_WORD_XML.search(head))


def is_mhtml(head: bytes) -> bool:
    """Given a page's first 4096 bytes, return whether it is a MIME web archive (.mht)."""
    low = head.lower()
    return bool(_MIME_START.match(head)) and b"mime-version:" in low and b"multipart/" in low


def is_binary(head: bytes) -> bool:
    """Given a file's first 8192 bytes, return whether they hold control bytes that no text page
    has (UTF-16 pages, whose NULs sit in one parity, excepted)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE)):
        return False
    half = len(head) // 2 or 1
    if max(head[0::2].count(0), head[1::2].count(0)) > 0.3 * half:
        return False
    control = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return control > 0.02 * len(head)


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
