"""Fuzzers of every reader, with a fixed budget (hypothesis, derandomized so CI runs the same
examples every time): whatever the bytes, a reader returns a Document or raises ReadError
with a one-line reason, and `parse_file` returns a row; never an internal error, never a
number out of nothing."""
from __future__ import annotations

import io
import random
import shutil
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import parsers
from parsers.model import Document, ReadError
from pipeline.report import parse_file

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
EXAMPLES = int(__import__("os").environ.get("OGI_FUZZ_EXAMPLES", "60"))  # a longer hunt: OGI_FUZZ_EXAMPLES=2000
BUDGET = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def check_file(path: Path, fmt: str | None = None) -> None:
    """The reader's contract and parse_file's, on one file."""
    try:
        doc = parsers.read(str(path), fmt)
        assert isinstance(doc, Document)
    except ReadError as e:
        assert str(e).strip()
    row = parse_file(str(path), fmt).report
    assert row["status"] in ("ok", "partial", "not_a_report", "failed")
    assert not row["error"].startswith("internal error"), row["error"]
    assert "\n" not in row["error"] and (row["status"] != "failed" or row["error"])


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def mutate(data: bytes, rng: random.Random, n: int) -> bytes:
    """Flip, delete, duplicate or truncate a few byte ranges."""
    b = bytearray(data)
    for _ in range(n):
        if not b:
            break
        i = rng.randrange(len(b))
        op = rng.randrange(4)
        if op == 0:
            b[i] = rng.randrange(256)
        elif op == 1:
            del b[i:i + rng.randrange(1, 64)]
        elif op == 2:
            b[i:i] = b[i:i + rng.randrange(1, 64)]
        else:
            del b[i:]
    return bytes(b)


CELL_TEXT = st.one_of(st.sampled_from(["", "0", "—", "-", "/", "无", "+52", "-13", "1,234", "16681.8715万元", "12件",
                                       "行政复议", "总计", "自然人", "（一）予以公开", "一、本年新收政府信息公开申请数量",
                                       "规章", "本年新制作数量", "采购总金额", "9" * 40, "1e309", "１２３"]),
                      st.text(max_size=12))
SEPARATORS = st.sampled_from(["\t", " | ", "  ", "    ", "|", "\t\t", " "])


@st.composite
def text_reports(draw) -> str:
    """Table-like text: rows of label and number cells in one of the text layouts, with noise."""
    sep = draw(SEPARATORS)
    lines = [draw(st.sampled_from(["某县人民政府2019年政府信息公开工作年度报告", "", "# 标题", "三、收到和处理政府信息公开申请情况"]))]
    for _ in range(draw(st.integers(0, 25))):
        cells = draw(st.lists(CELL_TEXT, max_size=10))
        line = sep.join(cells)
        if sep.strip() == "|" and draw(st.booleans()):
            line = "| " + line + " |"
        lines.append(line)
        if draw(st.integers(0, 5)) == 0:
            lines.append(draw(st.sampled_from(["", "|---|---|", "\f", "\t", "   "])))
    return draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines)


@BUDGET
@given(text=text_reports(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
def test_text_reader_fuzz(tmp_path, text, encoding):
    check_file(write(tmp_path, "r.txt", text.encode(encoding, errors="replace")))


@BUDGET
@given(data=st.binary(max_size=3000), name=st.sampled_from(["x.txt", "x.md", "x.pdf", "x.docx", "x.doc", "x.html",
                                                             "x"]))
def test_any_bytes_under_any_name(tmp_path, data, name):
    if name.endswith(".doc") and shutil.which("soffice") is None:
        name = "x.bin"
    if name.endswith(".doc"):  # LibreOffice is slow: the detector only, and the reader on text
        fmt = parsers.detect_format(str(write(tmp_path, name, data)))
        assert fmt in parsers.FORMATS
        return
    check_file(write(tmp_path, name, data))


SPAN = st.one_of(st.integers(-3, 5).map(str), st.sampled_from(["", "x", "99999999", "2.5", " 3 "]))


@st.composite
def html_pages(draw) -> str:
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        cells = []
        for _ in range(draw(st.integers(0, 8))):
            tag = draw(st.sampled_from(["td", "th", "td", "p", "span"]))
            attrs = ""
            if draw(st.booleans()):
                attrs += f' rowspan="{draw(SPAN)}"'
            if draw(st.booleans()):
                attrs += f' colspan="{draw(SPAN)}"'
            cells.append(f"<{tag}{attrs}>{draw(CELL_TEXT)}</{tag}>" if draw(st.integers(0, 9)) else f"<{tag}>")
        rows.append("<tr>" + "".join(cells) + ("</tr>" if draw(st.booleans()) else ""))
    head = draw(st.sampled_from(["<html><head><meta charset='gbk'></head><body>", "<!DOCTYPE html><html><body>",
                                 "<table>", "<div><p>某县人民政府2019年政府信息公开工作年度报告</p>"]))
    nest = draw(st.sampled_from(["", "<table><tr><td>", "<td>" * 5]))
    return head + "<table>" + nest + "".join(rows) + draw(st.sampled_from(["</table>", "", "</body></html>"]))


@BUDGET
@given(page=html_pages(), encoding=st.sampled_from(["utf-8", "gb18030", "utf-16"]))
def test_html_reader_fuzz(tmp_path, page, encoding):
    check_file(write(tmp_path, "r.html", page.encode(encoding, errors="replace")))


def _fixture_bytes(pattern: str) -> list[bytes]:
    return [p.read_bytes() for p in sorted(FIXTURES.rglob(pattern))][:3]


@BUDGET
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 12))
def test_docx_reader_fuzz_on_damaged_archives(tmp_path, seed, n):
    sources = _fixture_bytes("*.docx")
    rng = random.Random(seed)
    check_file(write(tmp_path, "r.docx", mutate(rng.choice(sources), rng, n)))


@BUDGET
@given(seed=st.integers(0, 2**32 - 1), xml=st.text(max_size=400))
def test_docx_reader_fuzz_on_damaged_xml(tmp_path, seed, xml):
    """A valid zip whose document part is damaged or replaced."""
    src = rng_source = random.Random(seed)
    data = rng_source.choice(_fixture_bytes("*.docx"))
    zin = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename == "word/document.xml":
                cut = src.randrange(len(body))
                body = body[:cut] + xml.encode("utf-8", errors="replace") + body[cut + src.randrange(200):]
            zout.writestr(info.filename, body)
    check_file(write(tmp_path, "r.docx", buf.getvalue()))


@settings(BUDGET, max_examples=30)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 8))
def test_pdf_reader_fuzz_on_damaged_files(tmp_path, seed, n):
    pytest.importorskip("pypdfium2")
    sources = _fixture_bytes("*.pdf")
    rng = random.Random(seed)
    check_file(write(tmp_path, "r.pdf", mutate(rng.choice(sources), rng, n)))
