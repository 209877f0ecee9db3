"""Word documents: .docx read straight from its XML, .doc/.wps converted by headless LibreOffice.

The body is read in order (paragraphs and tables, also inside content controls); a table's
grid comes from its merges: ``gridSpan`` and legacy ``hMerge`` across, ``vMerge`` restart and
continue down, ``gridBefore`` for rows that start late. Layout tables (holding other tables,
or a single column boxing the text) are read as containers, so the data tables come out as
tables and the prose as paragraphs. Deleted tracked changes and field codes are not text.

A .docx is a zip archive: its members' sizes and compression ratios are checked before any
byte is inflated, and only the parts needed are read, each with a size cap (zip bombs).
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from lxml import etree

from .html_grid import compact
from .model import Cell, Document, Paragraph, ReadError, Table

MAX_PART = 64 * 1024 * 1024        # bytes of XML read from one part
MAX_TOTAL = 1024 * 1024 * 1024     # all members together, uncompressed
MAX_RATIO = 200                    # uncompressed / compressed, for members over RATIO_FLOOR
RATIO_FLOOR = 8 * 1024 * 1024
MAX_MEMBERS = 10000
SOFFICE_TIMEOUT = 180              # seconds for one LibreOffice conversion

_W = {"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
      "http://purl.oclc.org/ooxml/wordprocessingml/main"}
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_WRAPPERS = {"sdt", "sdtContent", "customXml", "smartTag", "ins", "moveTo", "hyperlink", "fldSimple", "dir", "bdo"}
_NOT_TEXT = {"del", "moveFrom", "instrText", "delText", "delInstrText", "rPr", "pPr", "tcPr", "trPr", "tblPr",
             "sectPr", "footnoteReference", "endnoteReference", "commentReference"}


def read(path: str, legacy: bool = False) -> Document:
    with open(path, "rb") as f:
        head = f.read(8)
    if not head:
        raise ReadError("empty file")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return read_docx(path)
    if legacy or head.startswith(b"\xd0\xcf\x11\xe0") or head.startswith(b"{\\rtf"):
        return read_legacy(path)
    raise ReadError("not a valid .docx: not a zip archive")


# ------------------------------------------------------------------ .doc / .wps
def soffice() -> str | None:
    """The LibreOffice executable, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_legacy(path: str) -> Document:
    """Old binary Word / WPS (and RTF) through `soffice --convert-to docx`, in a private profile."""
    exe = soffice()
    if not exe:
        raise ReadError("reading .doc/.wps files needs LibreOffice (soffice), which is not installed")
    with tempfile.TemporaryDirectory(prefix="ogi-soffice-") as tmp:
        src = os.path.join(tmp, "input.doc")
        shutil.copyfile(path, src)
        out = os.path.join(tmp, "out")
        cmd = [exe, f"-env:UserInstallation={Path(tmp, 'profile').as_uri()}", "--headless", "--norestore",
               "--nologo", "--nodefault", "--nolockcheck", "--convert-to", "docx:MS Word 2007 XML",
               "--outdir", out, src]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        try:
            _, err = proc.communicate(timeout=SOFFICE_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise ReadError(f"LibreOffice did not convert the file within {SOFFICE_TIMEOUT} s")
        converted = os.path.join(out, "input.docx")
        if not os.path.exists(converted) or os.path.getsize(converted) == 0:
            msg = (err or b"").decode("utf-8", "replace").strip().splitlines()
            raise ReadError("LibreOffice could not convert the file" + (f": {msg[-1][:200]}" if msg else
                                                                       " (damaged, encrypted or not a Word file)"))
        doc = read_docx(converted)
    doc.format = "doc"
    doc.warnings.append("converted to .docx by LibreOffice")
    return doc


# ------------------------------------------------------------------ .docx
def read_docx(path: str) -> Document:
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ReadError("not a valid .docx: damaged or not a zip archive")
    except OSError as e:
        raise ReadError(f"cannot open .docx: {e.strerror or e}")
    with zf:
        _check_zip(zf)
        main = _main_part(zf)
        root = _xml(zf, main)
    body = next((el for el in root if _local(el) == "body"), None)
    if body is None:
        raise ReadError(f"not a Word document: {main} has no body")
    doc = Document(format="docx")
    _walk(body, doc)
    return doc


def _check_zip(zf: zipfile.ZipFile) -> None:
    """Refuse archives that would inflate far beyond their size, before inflating anything."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ReadError(f"refused: zip archive with {len(infos)} members (zip bomb?)")
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL:
        raise ReadError(f"refused: zip members would expand to {total // 2**20} MB (zip bomb?)")
    for i in infos:
        if i.file_size > RATIO_FLOOR and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise ReadError(f"refused: zip member {i.filename} expands {i.file_size // max(i.compress_size, 1)}-fold "
                            f"to {i.file_size // 2**20} MB (zip bomb?)")


def _read_part(zf: zipfile.ZipFile, name: str) -> bytes:
    try:
        with zf.open(name) as f:
            data = f.read(MAX_PART + 1)
    except KeyError:
        raise ReadError(f"not a Word document: no {name} in the archive")
    except RuntimeError as e:          # encrypted member
        raise ReadError(f"cannot read {name}: {e}")
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError) as e:
        raise ReadError(f"damaged .docx: {name}: {str(e)[:120]}")
    except Exception as e:             # zlib.error and friends
        raise ReadError(f"damaged .docx: {name}: {type(e).__name__}")
    if len(data) > MAX_PART:
        raise ReadError(f"refused: {name} larger than {MAX_PART // 2**20} MB")
    return data


def _xml(zf: zipfile.ZipFile, name: str):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True, remove_pis=True)
    try:
        return etree.fromstring(_read_part(zf, name), parser=parser)
    except etree.XMLSyntaxError as e:
        raise ReadError(f"damaged .docx: {name} is not well-formed XML ({str(e)[:100]})")


def _main_part(zf: zipfile.ZipFile) -> str:
    """The main document part named by the package relationships; a clear reason when the zip is
    some other kind of file."""
    names = set(zf.namelist())
    if "_rels/.rels" in names:
        rels = _xml(zf, "_rels/.rels")
        for rel in rels:
            if (rel.get("Type") or "").endswith("/officeDocument"):
                target = str(PurePosixPath("/", rel.get("Target") or "")).lstrip("/")
                if target in names:
                    if not target.startswith("word/"):
                        break
                    return target
    if "word/document.xml" in names:
        return "word/document.xml"
    if "mimetype" in names and "content.xml" in names:
        raise ReadError("not a .docx: an OpenDocument file (.odt/.ods); save it as .docx")
    if any(n.startswith("xl/") for n in names):
        raise ReadError("not a .docx: an Excel workbook")
    if any(n.startswith("ppt/") for n in names):
        raise ReadError("not a .docx: a PowerPoint presentation")
    raise ReadError("not a .docx: a zip archive without a Word document in it")


# ------------------------------------------------------------------ body
def _local(el) -> str:
    t = el.tag
    if not isinstance(t, str):
        return ""
    return t.rsplit("}", 1)[-1]


def _w(el, name: str):
    """The first child of el in the w: namespace with this local name."""
    for child in el:
        if _local(child) == name:
            return child
    return None


def _wval(el, default=None):
    if el is None:
        return default
    for k, v in el.attrib.items():
        if k.rsplit("}", 1)[-1] == "val":
            return v
    return default


def _int(v, default: int = 1) -> int:
    try:
        return max(0, int(str(v)[:6]))
    except (TypeError, ValueError):
        return default


def _blocks_of(container) -> list:
    """Block-level children (p, tbl), unwrapping content controls and custom XML."""
    out = []
    stack = list(reversed(list(container)))
    while stack:
        el = stack.pop()
        name = _local(el)
        if name in ("p", "tbl"):
            out.append(el)
        elif name in ("sdt", "sdtContent", "customXml", "ins", "moveTo"):
            stack.extend(reversed(list(el)))
        elif name == "AlternateContent":
            choice = next((c for c in el if _local(c) == "Choice"), None)
            if choice is not None:
                stack.extend(reversed(list(choice)))
    return out


def _walk(body, doc: Document) -> None:
    stack = list(reversed(_blocks_of(body)))
    while stack:
        el = stack.pop()
        if _local(el) == "p":
            doc.blocks.extend(Paragraph(line) for line in _para_lines(el))
            continue
        rows = _rows(el)
        if _is_layout(el, rows):
            inner = []
            for tr in rows:
                for tc in _tcs(tr):
                    inner.extend(_blocks_of(tc))
            stack.extend(reversed(inner))
            continue
        table = _table(rows)
        if table.cells:
            doc.blocks.append(table)


def _para_lines(p) -> list[str]:
    """A paragraph's text; soft line breaks and page breaks split it into lines."""
    lines: list[list[str]] = [[]]
    stack = list(reversed(list(p)))
    while stack:
        el = stack.pop()
        name = _local(el)
        if not name or name in _NOT_TEXT:
            continue
        if name == "t":
            lines[-1].append(el.text or "")
        elif name in ("tab", "ptab"):
            lines[-1].append(" ")
        elif name in ("br", "cr"):
            lines.append([])
        elif name == "noBreakHyphen":
            lines[-1].append("-")
        elif name == "AlternateContent":
            choice = next((c for c in el if _local(c) == "Choice"), None)
            if choice is not None:
                stack.extend(reversed(list(choice)))
        elif name == "p":            # a text box's paragraph inside this one
            lines.append([])
            stack.append(_Break)
            stack.extend(reversed(list(el)))
        elif el is _Break:
            lines.append([])
        else:
            stack.extend(reversed(list(el)))
    out = []
    for parts in lines:
        s = "".join(parts).replace("\xa0", " ").strip()
        if s:
            out.append(s)
    return out


class _BreakMarker:
    tag = "_break"


_Break = _BreakMarker()


def _rows(tbl) -> list:
    out = []
    stack = list(reversed(list(tbl)))
    while stack:
        el = stack.pop()
        name = _local(el)
        if name == "tr":
            tr_pr = _w(el, "trPr")
            if tr_pr is not None and _w(tr_pr, "del") is not None:
                continue   # a deleted tracked row
            out.append(el)
        elif name in _WRAPPERS:
            stack.extend(reversed(list(el)))
    return out


def _tcs(tr) -> list:
    out = []
    stack = list(reversed(list(tr)))
    while stack:
        el = stack.pop()
        name = _local(el)
        if name == "tc":
            out.append(el)
        elif name in _WRAPPERS:
            stack.extend(reversed(list(el)))
    return out


def _is_layout(tbl, rows) -> bool:
    """A table that frames the page rather than holds data."""
    if any(_local(d) == "tbl" for d in tbl.iterdescendants()):
        return True
    widths = [len(_tcs(r)) for r in rows]
    if not rows or max(widths) <= 1:
        return True
    if len(rows) <= 2:
        return any(len(_cell_text(tc)) > 800 for r in rows for tc in _tcs(r))
    return False


def _cell_text(tc) -> str:
    lines = []
    for b in _blocks_of(tc):
        if _local(b) == "p":
            lines.extend(_para_lines(b))
        else:   # a nested table inside a data cell: its text, row by row
            for tr in _rows(b):
                lines.append(" ".join(_cell_text(c) for c in _tcs(tr)).strip())
    return "\n".join(x for x in lines if x)


def _table(rows) -> Table:
    """Cells from merges: gridSpan/hMerge across, vMerge down, gridBefore shifts a row's start."""
    cells: list[Cell] = []
    last: dict[int, Cell] = {}   # grid column -> the cell placed there most recently
    for r, tr in enumerate(rows):
        tr_pr = _w(tr, "trPr")
        col = _int(_wval(_w(tr_pr, "gridBefore") if tr_pr is not None else None, 0), 0)
        prev: Cell | None = None
        for tc in _tcs(tr):
            pr = _w(tc, "tcPr")
            span = max(1, _int(_wval(_w(pr, "gridSpan") if pr is not None else None, 1)))
            vmerge = _w(pr, "vMerge") if pr is not None else None
            hmerge = _w(pr, "hMerge") if pr is not None else None
            if hmerge is not None and _wval(hmerge, "continue") != "restart" and prev is not None:
                prev.colspan += span
                col += span
                continue
            if vmerge is not None and _wval(vmerge, "continue") != "restart":
                above = last.get(col)
                if above is not None and above.row + above.rowspan == r:
                    above.rowspan += 1
                    col += span
                    prev = None
                    continue
            cell = Cell(text=_cell_text(tc), row=r, col=col, colspan=span)
            cells.append(cell)
            for c in range(col, col + span):
                last[c] = cell
            last[col] = cell
            prev = cell
            col += span
    return Table(cells=compact(cells))
