"""The PDF reader's faster forms give what the plain computation gives: pdfium calls made with
the GIL held and without argument conversion (`objects.bare`), the ruled-cell corner search over
index ranges, line extents kept as lines grow, the cell-text sort by key, the word-grid overlap."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from parsers.pdf import objects as O
from parsers.pdf import ruled as R
from parsers.pdf.items import Char, Line, edge
from parsers.pdf.lines import _join_line, cell_text, text_lines
from parsers.pdf.settings import DEFAULT
from parsers.pdf.wordgrid import overlap

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pdf"
PDFS = sorted(p for p in FIXTURES.glob("*.pdf") if not p.name.startswith("bad_"))


@pytest.mark.parametrize("path", PDFS[:3], ids=lambda p: p.name)
def test_bare_calls_read_what_pypdfium2_reads(path):
    """Object types, paths and images, and every glyph's loose box, as pypdfium2's own
    (argument-checking, GIL-releasing) API returns them."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument(str(path))
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            tp = page.get_textpage()
            found = O.page_objects(page)
            objs = list(page.get_objects(max_depth=15))
            assert len(found.paths) == sum(1 for o in objs if o.type == raw.FPDF_PAGEOBJ_PATH)
            assert found.n_images == sum(1 for o in objs if o.type == raw.FPDF_PAGEOBJ_IMAGE)
            text = tp.get_text_range()
            glyphs = O.glyph_flags(tp, text)
            assert all(raw.FPDFText_HasUnicodeMapError(tp.raw, k) != 1 for k, _, bad in glyphs if not bad)
            h = page.get_size()[1]
            chars = O.chars(tp, glyphs, h)
            assert chars, "fixture pages hold text"
            for c in chars:
                left, bottom, right, top = tp.get_charbox(c.index, loose=True)
                assert (c.x0, c.x1, c.top, c.bottom) == pytest.approx((left, right, h - top, h - bottom), abs=1e-4)
            tp.close()
            page.close()
    finally:
        pdf.close()


def _plain_cells(points: dict) -> list:
    """pdfplumber's cell search as written there: every point below and right tested in turn."""
    vset = {p: at[0] for p, at in points.items()}
    hset = {p: at[1] for p, at in points.items()}

    def connects(p, q):
        return (p[0] == q[0] and not vset[p].isdisjoint(vset[q])) or \
            (p[1] == q[1] and not hset[p].isdisjoint(hset[q]))
    ordered = sorted(points)
    out = []
    for i, pt in enumerate(ordered[:-1]):
        below = [p for p in ordered[i + 1:] if p[0] == pt[0]]
        right = [p for p in ordered[i + 1:] if p[1] == pt[1]]
        done = False
        for b in below:
            if done or not connects(pt, b):
                continue
            for r in right:
                corner = (r[0], b[1])
                if connects(pt, r) and corner in points and connects(corner, r) and connects(corner, b):
                    out.append((pt[0], pt[1], corner[0], corner[1]))
                    done = True
                    break
    return out


@pytest.mark.parametrize("seed", range(40))
def test_cells_equal_the_plain_search(seed):
    """Random grids with missing and broken rules: the same cells in the same order."""
    rnd = random.Random(seed)
    xs = sorted(rnd.sample(range(0, 400, 10), rnd.randint(2, 9)))
    ys = sorted(rnd.sample(range(0, 400, 10), rnd.randint(2, 9)))
    edges = []
    for y in ys:
        for a, b in zip(xs, xs[1:]):
            if rnd.random() < 0.85:
                edges.append(edge("h", a, b, y, y))
    for x in xs:
        for a, b in zip(ys, ys[1:]):
            if rnd.random() < 0.85:
                edges.append(edge("v", x, x, a, b))
    points = R.intersections(R.merged_edges(edges))
    assert R.cells(points) == _plain_cells(points)


def _chars(rnd, n):
    out = []
    for k in range(n):
        x0 = rnd.choice([rnd.uniform(0, 300), float(rnd.randrange(0, 300, 12))])
        top = rnd.choice([float(rnd.randrange(0, 100, 7)), rnd.uniform(0, 100)])
        h = rnd.choice([10.0, 10.5, rnd.uniform(4, 14)])
        out.append(Char(k, rnd.choice("一二三1234"), x0, x0 + rnd.uniform(3, 11), top, top + h, round(h, 1), False))
    return out


@pytest.mark.parametrize("seed", range(90))
def test_line_texts_and_extents_equal_the_plain_computation(seed):
    rnd = random.Random(seed)
    chars = _chars(rnd, rnd.randint(1, 40))
    if seed >= 30:      # centres within a point (cell_text's one-line path) or a few points, x ties
        spread = 1.0 if seed < 60 else 6.0
        for c in chars:
            c.top = 50.0 + rnd.choice([0.0, 0.25, rnd.uniform(0, spread)])
            c.bottom = c.top + rnd.choice([10.0, 4.0])
    # cell_text's lines: sorted by (centre, input order) as tuples, a glyph joins a line whose
    # mean centre is within max(line_join_min, share x its height)
    lines, total = [], 0.0
    for mid, _, c in sorted([((c.top + c.bottom) / 2, k, c) for k, c in enumerate(chars)]):
        if lines and abs(mid - total / len(lines[-1])) <= max(DEFAULT.line_join_min,
                                                               DEFAULT.line_join_share * (c.bottom - c.top)):
            lines[-1].append(c)
            total += mid
        else:
            lines.append([c])
            total = mid
    want = "\n".join(_join_line(ln, DEFAULT) for ln in lines)
    assert cell_text(list(chars)) == want
    # text_lines: rows by top, a glyph whose centre lies within the row's extent joins it
    rows, top, bottom = [], 0.0, 0.0
    for c in sorted(chars, key=lambda c: (c.top, c.x0)):
        if rows and top <= (c.top + c.bottom) / 2 <= bottom:
            rows[-1].append(c)
            top, bottom = min(top, c.top), max(bottom, c.bottom)
        else:
            rows.append([c])
            top, bottom = c.top, c.bottom
    plain = [Line(1, min(c.top for c in r), max(c.bottom for c in r), cell_text(r).replace("\n", ""),
                  min(c.x0 for c in r), max(c.x1 for c in r)) for r in rows]
    assert text_lines(list(chars), 1) == plain


def test_overlap_is_min_minus_max():
    rnd = random.Random(7)
    vals = [0, 1, 1.0, 2.5, -3, 7]
    for _ in range(2000):
        a0, a1, b0, b1 = (rnd.choice(vals) if rnd.random() < 0.5 else rnd.uniform(-5, 8) for _ in range(4))
        assert overlap(a0, a1, b0, b1) == min(a1, b1) - max(a0, b0)


def _random_edges(rnd, n):
    """Edges near a few grid lines (so snapping clusters them), some short, some overlapping."""
    xs, ys = [rnd.uniform(0, 300) for _ in range(5)], [rnd.uniform(0, 300) for _ in range(5)]
    out = []
    for _ in range(n):
        a = rnd.uniform(0, 280)
        b = a + rnd.choice([0.5, 2.0, 3.5, rnd.uniform(0, 60)])
        if rnd.random() < 0.5:
            y = rnd.choice(ys) + rnd.choice([0, 0, rnd.uniform(-2.5, 2.5)])
            out.append(edge("h", a, b, y, y))
        else:
            x = rnd.choice(xs) + rnd.choice([0, 0, rnd.uniform(-2.5, 2.5)])
            out.append(edge("v", x, x, a, b))
    return out


@pytest.mark.parametrize("seed", range(40))
def test_merged_edges_equal_pdfplumbers(seed):
    """Snapping, joining and the length filters of the tuple finder: pdfplumber's edges, to the bit."""
    table = pytest.importorskip("pdfplumber.table")
    from pdfplumber.utils import filter_edges
    edges = _random_edges(random.Random(seed), random.Random(seed).randint(1, 60))
    theirs = filter_edges(table.merge_edges(filter_edges(edges, min_length=1), 3, 3, 3, 3), min_length=3)
    want = ([(e["x0"], e["top"], e["x1"], e["bottom"]) for e in theirs if e["orientation"] == "v"],
            [(e["x0"], e["top"], e["x1"], e["bottom"]) for e in theirs if e["orientation"] == "h"])
    vs, hs = R.merged_edges(edges)
    assert ([e[:4] for e in vs], [e[:4] for e in hs]) == want


@pytest.mark.parametrize("seed", range(40))
def test_tables_equal_pdfplumbers_cells_to_tables(seed):
    """Cell groups through the corner index: pdfplumber's groups, cells in the same order, for
    cells in any order (several tables, lone cells, cells touching only at a corner)."""
    table = pytest.importorskip("pdfplumber.table")
    rnd = random.Random(seed)
    cells = []
    for _ in range(rnd.randint(1, 4)):
        x, y = rnd.randrange(0, 300, 10), rnd.randrange(0, 300, 10)
        for _ in range(rnd.randint(1, 12)):
            w, h = rnd.choice([10, 20]), rnd.choice([10, 30])
            cells.append((float(x), float(y), float(x + w), float(y + h)))
            x, y = rnd.choice([(x + w, y), (x, y + h), (x + w, y + h), (x - w, y)])
    rnd.shuffle(cells)
    cells = list(dict.fromkeys(cells))
    assert R.tables(cells) == table.cells_to_tables(cells)


@pytest.mark.parametrize("seed", range(20))
def test_repair_chars_equals_the_per_character_repair(seed):
    """repair_chars through one search and substitution: fix_glyphs on each variant character
    alone, every other character as printed (as the per-character join did)."""
    from parsers.glyphs import fix_glyphs, repair_chars
    from parsers.shapes import is_glyph_variant
    rnd = random.Random(seed)
    pool = "一门民见行１，。 a1\n⻔⺠⻅⾏⼾\u2eb6\uf900\ufa10\U0002f800（）"
    text = "".join(rnd.choice(pool) for _ in range(rnd.randint(0, 30)))
    assert repair_chars(text) == "".join(fix_glyphs(ch) if is_glyph_variant(ch) else ch for ch in text)


@pytest.mark.parametrize("seed", range(20))
def test_numeric_line_count_equals_the_word_test(seed):
    """count_numeric's pre-search never drops a line with two number words."""
    from parsers.pdf.lines import count_numeric
    from parsers.shapes import PDF_NUMBER
    rnd = random.Random(seed)
    pool = ["12", "1,234", "3.5%", "-7", "一", "合计", "a1", "1a", " ", "\u3000", "\t", "０", "٣"]
    texts = ["".join(rnd.choice(pool) for _ in range(rnd.randint(0, 8))) for _ in range(50)]
    want = sum(1 for t in texts if sum(1 for tok in t.split() if PDF_NUMBER.match(tok)) >= 2)
    assert count_numeric(texts) == want


def _all_pdfs():
    corpus = FIXTURES.parents[1].parent / "shared" / "corpus" / "reports"
    return PDFS + (sorted(corpus.glob("*.pdf")) if corpus.is_dir() else [])


@pytest.mark.parametrize("path", _all_pdfs(), ids=lambda p: p.name)
def test_lean_pdfium_reads_what_pypdfium2_reads(path):
    """parsers.pdf.pdfium (only the reader's calls bound): the same pages, sizes and texts as
    pypdfium2's documents, opened from a path and from bytes."""
    import pypdfium2 as pdfium

    from parsers.pdf import pdfium as lean
    theirs = pdfium.PdfDocument(str(path))
    for source in (str(path), path.read_bytes()):
        ours = lean.open_pdf(source)
        assert isinstance(ours, lean.Document)
        try:
            assert len(ours) == len(theirs)
            for i in range(len(theirs)):
                a, b = ours[i], theirs[i]
                ta, tb = a.get_textpage(), b.get_textpage()
                assert a.get_size() == b.get_size()
                assert ta.count_chars() == tb.count_chars()
                assert ta.get_text_range() == tb.get_text_range()
                ta.close(), tb.close(), a.close(), b.close()
        finally:
            ours.close()
    theirs.close()


@pytest.mark.parametrize("path", _all_pdfs(), ids=lambda p: p.name)
def test_reader_on_lean_pdfium_equals_reader_on_pypdfium2(path, monkeypatch):
    """The whole reader over the lean binding gives the Document it gives over pypdfium2."""
    import pypdfium2 as pdfium

    from parsers.pdf import pdfium as lean
    from parsers.pdf import read
    fast = read(str(path))
    monkeypatch.setattr(lean, "open_pdf", lambda source: pdfium.PdfDocument(source))
    assert read(str(path)) == fast


def test_files_pdfium_refuses_get_pypdfium2s_error(tmp_path):
    """A file the lean binding cannot open goes to pypdfium2, whose error the reader words."""
    import pypdfium2 as pdfium

    from parsers.pdf import pdfium as lean
    p = tmp_path / "broken.pdf"
    p.write_bytes(b"%PDF-1.7\n" + bytes(random.Random(2).randrange(256) for _ in range(3000)) + b"\n%%EOF\n")
    for source in (str(p), p.read_bytes(), str(Path(__file__).parent / "data" / "encrypted.pdf")):
        with pytest.raises(pdfium.PdfiumError) as ours:
            lean.open_pdf(source)
        with pytest.raises(pdfium.PdfiumError) as theirs:
            pdfium.PdfDocument(source)
        assert str(ours.value) == str(theirs.value)


def test_a_pdf_is_read_without_importing_pypdfium2():
    """The reader's own binding spares a process pypdfium2's import (a text-layer PDF needs none)."""
    import subprocess
    import sys
    code = ("import sys; from parsers import read; d = read(sys.argv[1]); "
            "assert d.tables and 'pypdfium2' not in sys.modules, sorted(m for m in sys.modules if 'pdfium' in m)")
    subprocess.run([sys.executable, "-c", code, str(FIXTURES / "docx_2021.pdf")], check=True,
                   cwd=FIXTURES.parents[1])


def test_a_pdfium_library_not_found_leaves_the_pdf_to_pypdfium2():
    """Where pypdfium2_raw's library is not under a name the binding knows (another platform's
    wheel), the PDF is still read, by pypdfium2, to the same Document."""
    import subprocess
    import sys
    path = FIXTURES / "docx_2021.pdf"
    code = ("import sys; from parsers.pdf import pdfium as lean; lean._LIBRARY_NAMES = ('no-such-lib.so',); "
            "from parsers import read; d = read(sys.argv[1]); "
            "assert 'pypdfium2' in sys.modules; print(repr(d))")
    fallback = subprocess.run([sys.executable, "-c", code, str(path)], check=True, cwd=FIXTURES.parents[1],
                              capture_output=True, text=True).stdout
    from parsers import read
    assert fallback.strip() == repr(read(str(path)))
