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

import io
import os
import shutil
import signal
import subprocess
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from lxml import etree

from .contract import Source, copy_to, head, is_bytes, source_size
from .html_grid import compact
from .model import Cell, Document, Paragraph, ReadError, Table
from .webpage import decode_page, mhtml_page

MAX_PART = 64 * 1024 * 1024        # bytes of XML read from one part
MAX_TOTAL = 1024 * 1024 * 1024     # all members together, uncompressed
MAX_RATIO = 200                    # uncompressed / compressed, for members over RATIO_FLOOR
RATIO_FLOOR = 8 * 1024 * 1024
MAX_MEMBERS = 10000
SOFFICE_TIMEOUT = 180              # seconds for one LibreOffice conversion

_WRAPPERS = {"sdt", "sdtContent", "customXml", "smartTag", "ins", "moveTo", "hyperlink", "fldSimple", "dir", "bdo"}
_NOT_TEXT = {"del", "moveFrom", "instrText", "delText", "delInstrText", "rPr", "pPr", "tcPr", "trPr", "tblPr",
             "sectPr", "footnoteReference", "endnoteReference", "commentReference"}


def read(source: Source, legacy: bool = False) -> Document:
    """Given a Word file (path or bytes), return its Document: .docx read here, .doc/.wps/RTF and
    Word XML through LibreOffice, a web page under a Word name by the HTML reader (the router
    decides, parsers.formats.route); `legacy`: the name says .doc, so unknown content goes to
    LibreOffice instead of being refused."""
    from .formats import load, route

    if source_size(source) == 0:
        raise ReadError("empty file")
    reader, options = route("doc" if legacy else "docx", head(source), source_size(source))
    return load(reader)(source, **options)


# ------------------------------------------------------------------ .doc / .wps
def soffice() -> str | None:
    """The LibreOffice executable, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_legacy(source: Source, suffix: str = ".doc") -> Document:
    """Old binary Word / WPS (and RTF, Word XML) through `soffice --convert-to docx`, in a private
    profile; `suffix` names the copy LibreOffice opens, a hint for its type detection."""
    exe = soffice()
    if not exe:
        raise ReadError("reading old Word files (.doc/.wps/RTF/Word XML) needs LibreOffice (soffice), which is not installed")
    with tempfile.TemporaryDirectory(prefix="ogi-soffice-") as tmp:
        src = os.path.join(tmp, "input" + suffix)
        copy_to(source, src)
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
def read_docx(source: Source) -> Document:
    """Given a .docx (path or bytes), return its Document."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(source) if is_bytes(source) else source)
    except zipfile.BadZipFile as e:
        raise ReadError(f"not a valid .docx: damaged or not a zip archive ({e})")
    except NotImplementedError as e:  # e.g. "zip file version 23.5": a zip feature Python cannot read
        raise ReadError(f"not a readable .docx: the zip archive uses a feature that cannot be read ({e})")
    except UnicodeDecodeError:
        raise ReadError("not a valid .docx: a zip member name flagged UTF-8 is not valid UTF-8")
    except (ValueError, EOFError) as e:
        raise ReadError(f"not a valid .docx: damaged zip archive ({type(e).__name__}: {e})")
    except OSError as e:
        raise ReadError(f"cannot open .docx: {e.strerror or e}")
    with zf:
        _check_zip(zf)
        main = _main_part(zf)
        root = _xml(zf, main)
        rels = _part_rels(zf, main)
        numbering = _Numbering(_optional_xml(zf, rels.get("numbering")), _optional_xml(zf, rels.get("styles")))
        chunks = _alt_chunks(zf, rels)
    body = next((el for el in root if _local(el) == "body"), None)
    if body is None:
        raise ReadError(f"not a Word document: {main} has no body")
    doc = Document(format="docx")
    _walk(body, doc, _Ctx(numbering, chunks))
    return doc


class _Ctx:
    """What the body walk needs besides the body: list numbering and imported HTML chunks."""

    def __init__(self, numbering: "_Numbering", chunks: dict[str, Document]):
        self.numbering = numbering
        self.chunks = chunks


def _part_rels(zf: zipfile.ZipFile, main: str) -> dict:
    """Relationship targets of the main part: kind ("numbering", "styles") → part name, and
    relationship id → (kind, part name)."""
    folder, name = PurePosixPath(main).parent, PurePosixPath(main).name
    rels_name = str(folder / "_rels" / f"{name}.rels")
    out: dict = {}
    if rels_name not in zf.namelist():
        return out
    for rel in _xml(zf, rels_name):
        kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target") or ""
        part = str(PurePosixPath("/", target)).lstrip("/") if target.startswith("/") else \
            os.path.normpath(str(folder / target)).replace(os.sep, "/")
        out.setdefault(kind, part)
        out[("id", rel.get("Id"))] = (kind, part)
    return out


def _optional_xml(zf: zipfile.ZipFile, name: str | None):
    if not name or name not in zf.namelist():
        return None
    try:
        return _xml(zf, name)
    except ReadError:
        return None   # a damaged styles or numbering part costs the numbering, not the document


def _alt_chunks(zf: zipfile.ZipFile, rels: dict) -> dict[str, Document]:
    """HTML imported as-is into the document (w:altChunk), as some office systems export reports."""
    from .html import parse_html   # a reader using the HTML reader: one way, never back

    out: dict[str, Document] = {}
    for key, val in rels.items():
        if not (isinstance(key, tuple) and val[0] == "aFChunk"):
            continue
        part = val[1]
        if not part.lower().endswith((".htm", ".html", ".xhtml", ".mht", ".mhtml")) or part not in zf.namelist():
            continue
        data, declared = _read_part(zf, part), None
        if part.lower().endswith((".mht", ".mhtml")):
            data, declared = mhtml_page(data)
        text, _, warnings = decode_page(data, declared)
        out[key[1]] = parse_html(text, warnings)
    return out


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
        if name in ("p", "tbl", "altChunk"):
            out.append(el)
        elif name in ("sdt", "sdtContent", "customXml", "ins", "moveTo"):
            stack.extend(reversed(list(el)))
        elif name == "AlternateContent":
            choice = next((c for c in el if _local(c) == "Choice"), None)
            if choice is not None:
                stack.extend(reversed(list(choice)))
    return out


def _walk(body, doc: Document, ctx: _Ctx) -> None:
    stack = list(reversed(_blocks_of(body)))
    ordinals = None
    while stack:
        el = stack.pop()
        if _local(el) == "p":
            doc.blocks.extend(Paragraph(line) for line in _para_lines(el, ctx.numbering))
            continue
        if _local(el) == "altChunk":
            rid = next((v for k, v in el.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
            chunk = ctx.chunks.get(rid)
            if chunk is not None:
                doc.blocks.extend(chunk.blocks)
                doc.warnings.extend(chunk.warnings)
            else:
                doc.warnings.append("an imported chunk (altChunk) that is not HTML was skipped")
            continue
        rows = _rows(el)
        if _is_layout(el, rows):
            inner = []
            for tr in rows:
                for tc in _tcs(tr):
                    inner.extend(_blocks_of(tc))
            stack.extend(reversed(inner))
            continue
        table = _table(rows, ctx.numbering)
        if table.cells:
            if ordinals is None:   # where each table sits among the body's w:tbl elements
                ordinals = {t: k for k, t in enumerate(
                    (e for e in body.iter() if _local(e) == "tbl"), start=1)}
            doc.blocks.append(table.mark_source(ordinals.get(el, 0)))


def _para_lines(p, numbering: "_Numbering | None" = None) -> list[str]:
    """A paragraph's text, after its list number if it has one (Word's automatic 一、 and （一）
    are not in the text); soft line breaks and page breaks split it into lines."""
    lines: list[list[str]] = [[numbering.label(p)] if numbering is not None else []]
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
    if len(out) == 1 and numbering is not None and out[0] == lines[0][0].strip():
        return []   # a number on an empty paragraph
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
    for d in tbl.iterdescendants():
        if _local(d) == "tbl" and sum(1 for x in d.iterdescendants() if _local(x) == "tc") > 1:
            return True   # a nested table of data; a one-cell box is just its text
    widths = [len(_tcs(r)) for r in rows]
    if not rows or max(widths) <= 1:
        return True
    if len(rows) <= 2:
        return any(len(_cell_text(tc)) > 800 for r in rows for tc in _tcs(r))
    return False


def _cell_text(tc, numbering: "_Numbering | None" = None) -> str:
    lines = []
    for b in _blocks_of(tc):
        if _local(b) == "p":
            lines.extend(_para_lines(b, numbering))
        elif _local(b) == "tbl":   # a nested table inside a data cell: its text, row by row
            for tr in _rows(b):
                lines.append(" ".join(_cell_text(c, numbering) for c in _tcs(tr)).strip())
    return "\n".join(x for x in lines if x)


def _table(rows, numbering: "_Numbering | None" = None) -> Table:
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
                if above is not None and above.row + above.rowspan == r and above.col == col and above.colspan == span:
                    above.rowspan += 1
                    col += span
                    prev = None
                    continue
            cell = Cell(text=_cell_text(tc, numbering), row=r, col=col, colspan=span)
            cells.append(cell)
            for c in range(col, col + span):
                last[c] = cell
            last[col] = cell
            prev = cell
            col += span
    return Table(cells=compact(cells))


# ------------------------------------------------------------------ list numbering
_CN_DIGITS = "〇一二三四五六七八九"
_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"


def _chinese(n: int, digits: str = _CN_DIGITS, ten: str = "十", hundred: str = "百") -> str:
    if n <= 0 or n >= 1000:
        return str(n)
    h, rest = divmod(n, 100)
    t, u = divmod(rest, 10)
    out = (digits[h] + hundred) if h else ""
    if t:
        out += ("" if t == 1 and not h else digits[t]) + ten
    elif h and u:
        out += "零"
    if u:
        out += digits[u]
    return out


def _roman(n: int) -> str:
    if not 0 < n < 4000:
        return str(n)
    out = ""
    for v, r in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
                 (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= v:
            out += r
            n -= v
    return out


def _letters(n: int) -> str:
    if n <= 0:
        return str(n)
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    """A list counter in one of Word's number formats (the ones Chinese documents use, and the basics)."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "taiwaneseCounting", "taiwaneseCountingThousand"):
        return _chinese(n)
    if fmt == "chineseLegalSimplified":
        return _chinese(n, _CN_LEGAL, "拾", "佰")
    if fmt in ("ideographDigital", "taiwaneseDigital"):
        return "".join(_CN_DIGITS[int(d)] for d in str(n))
    if fmt == "ideographTraditional":
        return "甲乙丙丁戊己庚辛壬癸"[(n - 1) % 10] if n > 0 else str(n)
    if fmt == "ideographZodiac":
        return "子丑寅卯辰巳午未申酉戌亥"[(n - 1) % 12] if n > 0 else str(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 0 < n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "decimalEnclosedParen" and 0 < n <= 20:
        return chr(0x2474 + n - 1)
    if fmt == "decimalFullWidth":
        return "".join(chr(0xFF10 + int(d)) for d in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "upperLetter":
        return _letters(n)
    if fmt == "lowerLetter":
        return _letters(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt in ("none", "bullet"):
        return ""
    return str(n)


class _Numbering:
    """Automatic list numbers of paragraphs, counted in document order as Word does."""

    def __init__(self, numbering, styles):
        self.levels: dict[str, dict[int, tuple[int, str, str]]] = {}   # abstractNumId -> ilvl -> (start, fmt, text)
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}         # numId -> (abstractNumId, start overrides)
        self.styles: dict[str, tuple] = {}                             # styleId -> (numId, ilvl, basedOn)
        self.counters: dict[str, dict[int, int]] = {}
        self.started: set[str] = set()
        if numbering is not None:
            for el in numbering:
                name = _local(el)
                if name == "abstractNum":
                    aid = _attr(el, "abstractNumId")
                    self.levels[aid] = {lvl: spec for lvl, spec in (self._level(x) for x in el if _local(x) == "lvl")}
                elif name == "num":
                    aid = _wval(_w(el, "abstractNumId"))
                    overrides = {}
                    for o in el:
                        if _local(o) == "lvlOverride":
                            so = _w(o, "startOverride")
                            if so is not None:
                                overrides[_int(_attr(o, "ilvl"), 0)] = _int(_wval(so), 1)
                    self.nums[_attr(el, "numId")] = (aid, overrides)
        if styles is not None:
            for st in styles:
                if _local(st) != "style" or _attr(st, "type") not in (None, "paragraph"):
                    continue
                ppr = _w(st, "pPr")
                num_pr = _w(ppr, "numPr") if ppr is not None else None
                num_id = _wval(_w(num_pr, "numId")) if num_pr is not None else None
                ilvl = _wval(_w(num_pr, "ilvl")) if num_pr is not None else None
                self.styles[_attr(st, "styleId")] = (num_id, ilvl, _wval(_w(st, "basedOn")))

    @staticmethod
    def _level(lvl):
        return _int(_attr(lvl, "ilvl"), 0), (_int(_wval(_w(lvl, "start"), 1), 1), _wval(_w(lvl, "numFmt"), "decimal"),
                                              _wval(_w(lvl, "lvlText"), ""))

    def _style_num(self, style_id):
        num_id = ilvl = None
        for _ in range(20):   # basedOn chains; cycles stop here
            if style_id not in self.styles:
                break
            sid_num, sid_lvl, based = self.styles[style_id]
            num_id = num_id if num_id is not None else sid_num
            ilvl = ilvl if ilvl is not None else sid_lvl
            if num_id is not None:
                break
            style_id = based
        return num_id, ilvl

    def label(self, p) -> str:
        if not self.nums:
            return ""
        ppr = _w(p, "pPr")
        if ppr is None:
            return ""
        num_pr = _w(ppr, "numPr")
        num_id = _wval(_w(num_pr, "numId")) if num_pr is not None else None
        ilvl = _wval(_w(num_pr, "ilvl")) if num_pr is not None else None
        if num_id is None:
            style = _wval(_w(ppr, "pStyle"))
            if style is None:
                return ""
            num_id, style_lvl = self._style_num(style)
            ilvl = ilvl if ilvl is not None else style_lvl
        if num_id is None or num_id == "0" or num_id not in self.nums:
            return ""
        level = _int(ilvl, 0) if ilvl is not None else 0
        aid, overrides = self.nums[num_id]
        levels = self.levels.get(aid, {})
        if level not in levels:
            return ""
        counters = self.counters.setdefault(aid, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for lv in overrides:
                counters.pop(lv, None)
        start = overrides.get(level, levels[level][0])
        counters[level] = counters[level] + 1 if level in counters else start
        for deeper in [k for k in counters if k > level]:
            del counters[deeper]
        fmt, text = levels[level][1], levels[level][2]
        if fmt == "bullet":
            return ""

        def sub(m) -> str:
            lv = int(m.group(1)) - 1
            spec = levels.get(lv)
            n = counters.get(lv, spec[0] if spec else 1)
            return format_number(n, spec[1] if spec else "decimal")
        import re
        return re.sub(r"%([1-9])", sub, text)


def _attr(el, name: str):
    for k, v in el.attrib.items():
        if k.rsplit("}", 1)[-1] == name:
            return v
    return None
