"""Bytes → text for text-like inputs: BOM first, then strict UTF-8, UTF-16 and GB18030, then
charset-normalizer. Text that no candidate decodes cleanly is refused, never mangled."""
from __future__ import annotations

import codecs

from .model import ReadError
from .shapes import CJK_UNIFIED

_BOMS = [(codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]


def _cjk_share(text: str) -> float:
    if not text:
        return 0.0
    lo, hi = CJK_UNIFIED
    cjk = sum(1 for ch in text if lo <= ch <= hi)
    return cjk / len(text)


def _looks_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: many NUL bytes in one parity."""
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) // 2
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def _refuse_damaged_utf8(data: bytes) -> None:
    """Mostly-valid UTF-8 with a few bad bytes would decode as GB18030 mojibake: refuse it."""
    try:
        data.decode("utf-8")
        return
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 0x7f) - bad
    if bad and good > 10 * bad:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ReadError(f"undecodable text: invalid UTF-8 at byte {e.start} in an otherwise UTF-8 file")


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Return (text, encoding). Raises ReadError when no encoding fits."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as e:
                raise ReadError(f"undecodable text: {enc} byte-order mark but invalid data at byte {e.start}")
    candidates = []
    if declared:
        candidates.append(declared)
    u16 = _looks_utf16(data)
    if u16:
        candidates.append(u16)
    candidates += ["utf-8", "gb18030", "big5"]
    _refuse_damaged_utf8(data)
    for enc in candidates:
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if enc in ("gb18030", "big5") and _cjk_share(text) < 0.05 and any(b >= 0x80 for b in data):
            continue  # decodes, but into noise
        if "\x00" in text:
            continue
        return text, enc
    try:
        from charset_normalizer import from_bytes
        best = from_bytes(data).best()
    except Exception:  # pragma: no cover - library failure is treated as "no match"
        best = None
    if best is not None and best.encoding and "\x00" not in str(best):
        return str(best), best.encoding
    raise ReadError("undecodable text: not UTF-8, UTF-16 or GB18030")
