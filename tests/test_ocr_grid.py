"""The ruled-grid path of the OCR page reader: a cell's ink cut into text lines by blank rows,
without the detection model (pure image steps on synthetic masks)."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("cv2")

from parsers.ocr import page as P


def _cell(h=80, w=120):
    return np.zeros((h, w), dtype=np.uint8)


def test_two_wrapped_lines_are_two_boxes_inside_the_cell():
    m = _cell()
    m[10:28, 10:90] = 255          # first line of a wrapped label
    m[34:52, 10:60] = 255          # second line, 6 blank rows below
    got = P._cell_lines(m, (0, 0, 120 * 0.5, 80 * 0.5), 0.5)
    assert got is not None
    boxes, split = got
    assert split and len(boxes) == 2
    (a0, t0, a1, b0), (c0, t1, c1, b1) = boxes
    assert t0 < 10 and b0 > 28 and b0 <= t1 + 20 and b1 > 52
    assert all(2 <= x and r <= 120 - 1 for x, _, r, _ in boxes)     # never over the cell's rules


def test_gaps_inside_a_character_do_not_split_its_line():
    m = _cell()
    for y in (20, 28, 36):         # three strokes of 三 with blank rows between them
        m[y:y + 3, 20:44] = 255
    m[20:39, 50:70] = 255          # a neighbour glyph as tall as the line
    boxes, split = P._cell_lines(m, (0, 0, 60, 40), 0.5)
    assert split and len(boxes) == 1


def test_touching_lines_go_to_the_detector_and_empty_cells_are_skipped():
    m = _cell()
    m[10:28, 10:50] = 255          # two lines with no blank row between them (descender
    m[28:46, 60:90] = 255          # of one meeting the next): the detector must tell them apart
    boxes, split = P._cell_lines(m, (0, 0, 60, 40), 0.5)
    assert not split and len(boxes) == 1
    assert P._cell_lines(_cell(), (0, 0, 60, 40), 0.5) is None


def _line(*boxes, text="0"):
    from parsers.ocr.engine import Glyph, TextLine
    glyphs = [Glyph(text[i % len(text)], b, 0.99) for i, b in enumerate(boxes)]
    return TextLine("".join(g.text for g in glyphs), 0.99, glyphs)


def test_a_large_characters_stroke_is_not_a_rule_but_a_joined_rule_is():
    from parsers.ocr import image as I
    m = np.zeros((200, 400), dtype=np.uint8)
    m[20:22, 10:390] = 255          # row rules
    m[120:122, 10:390] = 255
    m[20:122, 10:12] = 255          # frame
    m[20:122, 388:390] = 255
    m[20:122, 200:202] = 255        # a short column rule joined to both row rules
    m[26:116, 100:102] = 255        # a stroke (十) standing clear of both rules
    segs = I.rulings(m, 150, 40.0)
    xs = sorted(round(s.x0) for s in segs if s.orientation == "v")
    assert xs == [11, 201, 389]


def test_glyph_boxes_meet_where_no_blank_run_is_a_space():
    m = np.zeros((40, 200), dtype=np.uint8)
    for x0 in (10, 26, 42):          # three digits 14 px wide, 2 px apart: one number
        m[10:30, x0:x0 + 14] = 255
    m[10:30, 120:134] = 255          # a fourth digit 64 px further: another number
    ln = _line((12, 5, 22, 35), (28, 5, 38, 35), (45, 5, 54, 35), (122, 5, 132, 35))
    P._close_gaps([ln], m, 72 / 150)
    b = [g.box for g in ln.glyphs]
    assert b[0][2] == b[1][0] and b[1][2] == b[2][0]      # the gaps closed
    assert b[3][0] - b[2][2] > 50                          # the real space kept


def test_glyphs_fit_their_lines_ink_and_a_dash_keeps_a_lines_height():
    m = np.zeros((120, 200), dtype=np.uint8)
    m[20:40, 10:150] = 255           # a text line, 20 px of ink
    m[50:70, 10:150] = 255           # the next line of a wrapped label, 10 px below
    m[88:90, 20:30] = 255            # a dash
    first = _line((10, 8, 150, 52))  # a detector box reaching into the next line
    dash = _line((16, 80, 34, 98), text="-")
    typical = P._fit_to_ink([first, dash], m, 20.0)
    assert typical == 20.0
    assert first.glyphs[0].box[1] == 20 and first.glyphs[0].box[3] == 40
    top, bottom = dash.glyphs[0].box[1], dash.glyphs[0].box[3]
    assert bottom - top == 20 and top < 89 < bottom


def test_a_lone_dash_is_ink_enough_and_a_speck_is_not():
    m = _cell()
    m[40:42, 50:58] = 255            # '-': 16 pixels, level
    got = P._cell_lines(m, (0, 0, 60, 40), 0.5)
    assert got is not None and got[1]
    m = _cell()
    m[40:43, 50:53] = 255            # a 3×3 speck
    assert P._cell_lines(m, (0, 0, 60, 40), 0.5) is None


def test_an_empty_word_grid_cell_is_read_only_for_one_numbers_ink():
    m = np.zeros((100, 200), dtype=np.uint8)
    m[40:60, 80:94] = 255            # one digit, 20 px tall
    box = P._value_ink(m, (20, 10, 80, 40), 0.5, 20.0)
    assert box is not None and box[0] < 80 and box[2] > 94 and box[1] < 40 and box[3] > 60
    m[10:90, 100:104] = 255          # ink taller than a digit (a label's column): not read
    assert P._value_ink(m, (45, 0, 60, 50), 0.5, 20.0) is None


def _text_page(glyph_w=18, glyph_h=18, gap=3, line_gap=12, lines=12, per_line=14):
    """A page's ink mask (rules erased) holding lines of glyph blobs set across the page."""
    m = np.zeros((800, 600), dtype=np.uint8)
    for i in range(lines):
        y = 40 + i * (glyph_h + line_gap)
        for j in range(per_line):
            x = 30 + j * (glyph_w + gap)
            m[y:y + glyph_h, x:x + glyph_w] = 255
    return m


def test_line_direction_tells_a_page_on_its_side_from_an_upright_one():
    from parsers.ocr import image as I
    up = _text_page()
    assert I.line_direction(up, 22.0) > P.SIDEWAYS
    side = np.ascontiguousarray(np.rot90(up))
    assert I.line_direction(side, 22.0) < 1 / P.SIDEWAYS
    digits = _text_page(glyph_w=9, glyph_h=16, gap=2, line_gap=14, per_line=3)      # short numbers
    assert I.line_direction(np.ascontiguousarray(np.rot90(digits, -1)), 22.0) < 1 / P.SIDEWAYS
    assert I.line_direction(_text_page(lines=1, per_line=3), 22.0) is None            # too little text
    grain = up.copy()
    grain[np.random.RandomState(1).random_sample(up.shape) < 0.02] = 255              # specks are not glyphs
    assert I.line_direction(grain, 22.0) > P.SIDEWAYS


def test_a_page_on_its_side_is_turned_though_it_reads_sure_as_it_stands(monkeypatch):
    """Single digits read sideways score as high as upright text: the ink's line direction,
    not the reading score, decides that the page is turned; the score picks which way."""
    from parsers.ocr import image as I
    side = np.where(np.rot90(_text_page()) > 0, 0, 255).astype(np.uint8)
    scores = {0: 0.9, 1: 0.97, 3: 0.6, 2: 0.5}
    read = []

    def fake_read(p):
        read.append(p.turns)
        return P.PageResult([], [P.OcrChar(0, "1", 0, 1, 0, 1, 1, False, 1, scores[p.turns])], [], p.turns)
    monkeypatch.setattr(P, "_read", fake_read)
    res = P.read_page(side, 150, 1)
    assert res.turns == 1 and 0 not in read and "turned 90°" in res.warnings[0]
    read.clear()
    scores.update({1: 0.6, 3: 0.5})          # neither quarter turn reads well: the page as it stands wins
    res = P.read_page(side, 150, 1)
    assert sorted(read) == [0, 1, 3] and res.turns == 0
    scores.update({1: 0.97, 3: 0.6})
    read.clear()
    up = np.where(_text_page() > 0, 0, 255).astype(np.uint8)
    scores[0] = 0.8                          # upright but poor: only the half turn is tried
    res = P.read_page(up, 150, 1)
    assert read == [0, 2] and res.turns == 0
    assert I.line_direction(I.ink(up, 150), 22.0) > P.SIDEWAYS


def test_rules_a_degree_askew_count_at_the_scouts_low_resolution():
    """The low-resolution look that picks the pages worth reading sees a page before any
    deskew: its vertical rules, a degree off, step a pixel sideways every ~57 rows, so their
    boxes are wider than a rule is thick; judged by mean thickness they are still rules, and
    a filled block is still not one."""
    from parsers.ocr import image as I
    m = np.zeros((440, 340), dtype=np.uint8)
    for y in range(40, 400, 30):
        m[y, 40:300] = 255                                   # row rules
    for x0 in range(40, 301, 52):
        for y in range(40, 401):
            m[y, x0 + (y - 40) // 57] = 255                  # column rules, 1° off vertical
    m[300:330, 150:160] = 255                                # a filled block: no rule
    v_plain = [s for s in I.rulings(m, 40) if s.orientation == "v"]
    v_askew = [s for s in I.rulings(m, 40, askew=True) if s.orientation == "v"]
    assert len(v_plain) < 3 and len(v_askew) == 6
    assert all(s.bottom - s.top > 300 for s in v_askew)


def test_a_one_read_as_a_letter_in_a_number_becomes_a_doubtful_one():
    from parsers.ocr.engine import Glyph
    def line(text, conf=0.9):
        return [Glyph(ch, (i * 10, 0, i * 10 + 8, 20), conf) for i, ch in enumerate(text)]
    for text, want in (("i", "1"), ("2l", "21"), ("1,0I0", "1,010"), ("|", "1"), ("ll", "11")):
        gs = line(text)
        P._one_shapes_as_one(gs)
        assert "".join(g.text for g in gs) == want
        assert all(g.conf <= P.ONE_SHAPE_CONF for g, ch in zip(gs, text) if ch != g.text)   # still flagged
        assert all(g.conf == 0.9 for g, ch in zip(gs, text) if ch == g.text)
    for text in ("件i", "ia", "0", "i" * 17):                 # words, no stroke, no one number
        gs = line(text)
        P._one_shapes_as_one(gs)
        assert "".join(g.text for g in gs) == text


def test_a_lone_stroke_read_in_an_empty_word_grid_cell_is_a_dash(monkeypatch):
    """An empty word-grid cell whose only ink is a short bar, read on its own as '一' or '－'
    (the recogniser's usual reading of a lone dash), joins the page as '—' (a zero); a '/'
    (a lone 7 can read so) is still refused."""
    from parsers.ocr.engine import Glyph, TextLine
    from parsers.pdf.items import PageTable
    k = 0.5
    m = np.zeros((100, 200), dtype=np.uint8)
    m[48:51, 80:96] = 255                                         # a printed dash
    digit = P.OcrChar(0, "3", 10, 14, 20, 30, 10, False, 30, 0.99)   # the table's digits are 10 pt tall
    for read_as, joins in (("一", "—"), ("－", "—"), ("/", None)):
        blocks = [PageTable(1, [((30, 15, 60, 35), "")], (0, 0, 100, 50), "words")]
        chars = [digit]
        monkeypatch.setattr(P.E, "read_rects", lambda gray, rects, t=read_as: [
            TextLine(t, 0.9, [Glyph(t, (r[0] + 4, r[1], r[2] - 4, r[3]), 0.9)]) for r in rects])
        got = P._reread_empty_word_cells(blocks, m, m, k, chars)
        assert got == (joins is not None)
        assert [c.text for c in chars[1:]] == ([joins] if joins else [])


def _blob(rows: list[str]) -> np.ndarray:
    return np.array([[ch == "#" for ch in r] for r in rows])


SLASH = [".....###", ".....##.", "....###.", "....##..", "...###..", "...##...", "..###...",
         "..##....", ".###....", ".##.....", "###.....", "##......"]
SEVEN = ["##########", "##########", "#.......##", ".......##.", "......###.", "......##..",
         ".....###..", ".....##...", "....###...", "....##....", "...###....", "...##....."]
ONE = ["...##...", ".####...", "######..", "...##...", "...##...", "...##...", "...##...",
       "...##...", "...##...", "...##...", "...##...", ".#######"]


def test_a_slash_is_told_from_a_seven_and_a_one_by_its_ink():
    """'/' means zero, and a lone 7 can be read as '/': only ink that leans like a slash,
    with no bar in any row, is one."""
    assert P._slash_ink(_blob(SLASH))
    assert not P._slash_ink(_blob(SEVEN))
    assert not P._slash_ink(_blob(ONE))
    assert not P._slash_ink(_blob(["...."]))


def _mask_with(rows: list[str], at=(20, 30), shape=(60, 80)) -> np.ndarray:
    m = np.zeros(shape, dtype=np.uint8)
    b = _blob(rows)
    m[at[0]:at[0] + b.shape[0], at[1]:at[1] + b.shape[1]] = b * 255
    return m


def test_a_slash_read_over_a_sevens_ink_scores_zero():
    k = 0.5
    for rows, doubted in ((SEVEN, True), (SLASH, False)):
        m = _mask_with(rows)
        c = P.OcrChar(0, "/", 31 * k, 37 * k, 20 * k, 32 * k, 6, False, 16, 0.97)
        P._doubt_slashes([c], m, k)
        assert (c.conf == 0.0) == doubted


def test_a_number_the_detector_missed_is_read_on_its_own(monkeypatch):
    """Ink of one number's size that no read glyph covers, a word gap clear of them, is read
    alone; ink right beside a read number is not (it may be that number's sign or digit,
    which `_unread_ink` flags instead), nor is a reading with a letter in it."""
    from parsers.ocr.engine import Glyph, TextLine
    m = np.zeros((100, 400), dtype=np.uint8)
    m[40:58, 30:60] = 255                    # a label the detector read
    m[40:58, 200:210] = 255                  # a lone digit it missed
    m[40:58, 64:70] = 255                    # ink right beside the label: not read here
    read = [TextLine("项目", 0.99, [Glyph("项", (28, 38, 45, 60), 0.99), Glyph("目", (45, 38, 62, 60), 0.99)])]
    seen = []

    def fake(gray, rects, text="0"):
        seen.extend(rects)
        return [TextLine(text, 0.95, [Glyph(text, (r[0] + 2, r[1], r[2] - 2, r[3]), 0.95)]) for r in rects]
    monkeypatch.setattr(P.E, "read_rects", fake)
    got = P._missed_numbers(read, m, m, 0.5, 18.0)
    assert len(seen) == 1 and seen[0][0] < 200 < 210 < seen[0][2]
    assert [ln.text for ln in got] == ["0"]
    monkeypatch.setattr(P.E, "read_rects", lambda gray, rects: fake(gray, rects, "a"))
    assert P._missed_numbers(read, m, m, 0.5, 18.0) == []


def test_a_punctuation_reading_of_a_number_is_read_again_alone(monkeypatch):
    from parsers.ocr.engine import Glyph, TextLine
    m = np.zeros((100, 200), dtype=np.uint8)
    m[40:58, 100:110] = 255                  # a lone '0' whose detector box cut it: read '【'
    lines = [TextLine("【", 0.65, [Glyph("【", (100, 40, 104, 58), 0.65)]),
             TextLine("12", 0.99, [Glyph("1", (20, 40, 28, 58), 0.99), Glyph("2", (28, 40, 36, 58), 0.99)])]
    m[40:58, 20:36] = 255
    monkeypatch.setattr(P.E, "read_rects", lambda gray, rects: [
        TextLine("0", 0.9, [Glyph("0", (r[0], r[1], r[2], r[3]), 0.9)]) for r in rects])
    new = P._reread_weak_numbers(lines, m, m, 0.5, 18.0)
    assert [ln.text for ln in lines] == ["0", "12"] and new == [lines[0]]


def test_a_unit_after_a_digit_meets_it_across_a_wider_blank():
    m = np.zeros((40, 200), dtype=np.uint8)
    m[10:30, 10:24] = 255            # '1'
    m[10:30, 34:54] = 255            # '万', 10 px of paper after the digit (a space is 6.25 px at 150 dpi)
    m[10:30, 64:78] = 255            # '2', 10 px after 万: a real space between two glyphs of text
    from parsers.ocr.engine import Glyph, TextLine
    ln = TextLine("1万2", 0.99, [Glyph("1", (12, 5, 22, 35), 0.99), Glyph("万", (35, 5, 53, 35), 0.99),
                                 Glyph("2", (66, 5, 76, 35), 0.99)])
    P._close_gaps([ln], m, 72 / 150)
    b = [g.box for g in ln.glyphs]
    assert b[0][2] == b[1][0] and b[2][0] - b[1][2] > 10


def test_a_lines_digits_are_as_tall_as_its_characters():
    """Digits' ink is shorter than a character's; fitted to it, a value row's type size fell
    outside the label lines' and the word grid split the table."""
    m = np.zeros((120, 300), dtype=np.uint8)
    m[20:41, 10:100] = 255           # a line of characters, 21 px of ink
    m[60:81, 10:100] = 255
    m[23:38, 150:170] = 255          # a number, 15 px of ink
    label = _line((10, 8, 100, 52), text="项")
    label2 = _line((10, 50, 100, 92), text="目")
    number = _line((150, 8, 170, 52), text="4")
    typical = P._fit_to_ink([label, label2, number], m)
    assert typical == 21
    top, bottom = number.glyphs[0].box[1], number.glyphs[0].box[3]
    assert bottom - top == 21 and abs((top + bottom) / 2 - 30.5) < 1
    assert P._digit_height([_line((150, 8, 170, 52), text="4")], m) == 15


def test_a_minus_joined_to_its_first_digit_is_ink_left_unread():
    """'-49' whose minus touches the 4 is one ink component; the 4's box covering only its
    right part leaves the minus bare: the cell is flagged, not trusted as '49'."""
    from parsers.pdf.items import PageTable
    k = 0.5
    m = np.zeros((60, 200), dtype=np.uint8)
    m[29:31, 80:90] = 255                     # the minus, joined to the 4 by a bridge
    m[22:38, 90:100] = 255                    # 4
    m[22:38, 102:112] = 255                   # 9
    four = P.OcrChar(0, "4", 45.0, 50.5, 11, 19, 8, False, 19, 0.95)
    nine = P.OcrChar(1, "9", 50.5, 56.5, 11, 19, 8, False, 19, 0.98)
    blocks = [PageTable(1, [((20, 5, 80, 25), "49")], (20, 5, 80, 25), "words")]
    assert P._unread_ink(blocks, [four, nine], m, k)
    m[29:31, 80:90] = 0                       # no minus: nothing left unread
    assert not P._unread_ink(blocks, [four, nine], m, k)


def test_a_dot_read_over_a_hyphens_bar_is_a_dash_and_over_grain_is_not():
    """A lone printed '-' read at a text line's height often comes out as '·'; over one solid
    level bar it is a dash (zero), scored as read; over a dot or a grain speck it stays
    refused."""
    from parsers.ocr.engine import Glyph, TextLine
    def reading():
        return TextLine("·", 0.3, [Glyph("·", (0, 0, 5, 20), 0.3)])
    bar = np.zeros((20, 12), dtype=bool)
    bar[9:12, 2:9] = True                     # a hyphen: 7 × 3 px, digits 15 px tall
    ln = reading()
    assert P._value_reading(ln, bar, 15.0) and ln.glyphs[0].text == "—" and ln.glyphs[0].conf == 0.3
    dot = np.zeros((20, 12), dtype=bool)
    dot[9:12, 4:7] = True
    grain = np.zeros((20, 12), dtype=bool)
    grain[9:11, 4:8] = True                   # 4 × 2: too short for a dash at this size
    for ink in (dot, grain):
        ln = reading()
        assert not P._value_reading(ln, ink, 15.0) and ln.glyphs[0].text == "·"
