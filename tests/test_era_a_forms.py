"""Era A's label form through the fast pass (pipeline/era_a/forms.py) and the stream built from
it at once (pipeline/era_a/stream.py): always what the character-by-piece reading gives."""
from __future__ import annotations

import random
import re
import unicodedata
from pathlib import Path

import pytest
import regex

from parsers import glyphs
from parsers.html import parse_html
from parsers.text import parse_text
from pipeline.era_a import forms as F
from pipeline.era_a import stream as ST
from pipeline.era_a import template as T
from pipeline import normalize as N
from reportgen import era_a as G

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "reports"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "era_a"

# characters of every kind: ideographs, ASCII, full-width forms, CJK and general punctuation,
# radicals and compatibility ideographs (glyph repair), enclosed forms (NFKC to several
# characters), combining marks and jamo (they compose), Latin letters with and without accents
_POOL = ([chr(c) for c in range(0x20, 0x7F)] + [chr(c) for c in range(0x4E00, 0x4E80)] +
         [chr(c) for c in range(0xFF01, 0xFF5F)] + [chr(c) for c in range(0x3000, 0x3040)] +
         [chr(c) for c in range(0x2010, 0x2060)] + [chr(c) for c in range(0x2E80, 0x2EA0)] +
         [chr(c) for c in range(0x2F00, 0x2F20)] + [chr(c) for c in range(0xF900, 0xF920)] +
         [chr(c) for c in range(0x2460, 0x2480)] + [chr(c) for c in range(0x3220, 0x3240)] +
         ["\u0301", "\u0323", "\u3099", "\u1100", "\u1161", "\u11a8", "e", "é", "Å", "\u00a0", "\u200b",
          "\ufeff", "\t", "\n", "“", "”", "「", "」", "：", "，", "○", "〇", "㎡", "℃", "Ⅻ", "\x1f"])


def _random_texts(n: int, seed: int, pool=_POOL):
    rng = random.Random(seed)
    return ["".join(rng.choice(pool) for _ in range(rng.randint(0, 12))) for _ in range(n)]


def test_quick_form_is_label_form_wherever_it_answers():
    answered = 0
    for text in _random_texts(30000, 1):
        quick = F.quick_form(text)
        if quick is not None:
            answered += 1
            assert quick == F.label_form(text) and len(quick) == len(text), repr(text)
        assert F.fast_label_form(text) == F.label_form(text), repr(text)
    assert answered > 10000      # most texts of this pool take the fast pass


def test_quick_form_refuses_characters_that_do_not_map_on_their_own():
    assert F.quick_form("收到申请３４件，（一）") == "收到申请34件,(一)"
    assert F.quick_form("㈠主动公开") is None           # NFKC: three characters
    assert F.quick_form("cafe\u0301") is None           # composes with the letter before it
    assert F.quick_form("\u1100\u1161") is None         # jamo compose into a syllable
    assert F.quick_form("⻔户网站") == F.label_form("⻔户网站") == "门户网站"   # a radical: glyph repair


def test_the_blocks_of_the_fast_pass_hold_nothing_that_composes():
    """No character of NO_COMPOSING is the second of a canonical pair (what NFC composes) or a
    combining mark, and the ideograph blocks have no decomposition at all (Unicode data)."""
    seconds = set()
    for o in range(0x110000):
        d = unicodedata.decomposition(chr(o))
        if d and not d.startswith("<") and len(d.split()) == 2:
            seconds.add(int(d.split()[1], 16))
    seconds |= set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))     # Hangul V and T jamo
    for lo, hi in F.NO_COMPOSING:
        inside = [o for o in range(lo, hi + 1) if o in seconds]
        assert inside == [], (hex(lo), [hex(o) for o in inside[:5]])
    for lo, hi in F.IDEOGRAPHS:
        assert all(unicodedata.decomposition(chr(o)) == "" for o in range(lo, hi + 1))


_REF_PIECE = regex.compile(r"[^\s\u3000\u00a0\u200b\ufeff|]+")


def _reference_stream(doc) -> ST.Stream:
    """The stream as the builder made it piece by piece with `label_form` (before the fast pass)."""
    out, cols, pages, src, printed, pos = [], [], [], [], [], 0
    for text, col, page in ST._entries(doc):
        base = pos
        printed += [text, "\n"]
        pos += len(text) + 1
        for m in _REF_PIECE.finditer(text):
            if out and out[-1] != ST.SEP:
                out.append(ST.SEP), cols.append(-1), pages.append(page), src.append(base + m.start())
            piece = F.label_form(m.group())
            if len(piece) == len(m.group()):
                out.extend(piece)
                src.extend(range(base + m.start(), base + m.end()))
            else:
                for k, ch in enumerate(m.group()):
                    for n in F.label_form(ch):
                        out.append(n)
                        src.append(base + m.start() + k)
            cols.extend([col] * (len(out) - len(cols)))
            pages.extend([page] * (len(out) - len(pages)))
    return ST.Stream("".join(out), cols, pages, src, "".join(printed))


def _same_stream(a: ST.Stream, b: ST.Stream) -> bool:
    return (a.text, a.cols, a.pages, a.src, a.printed) == (b.text, b.cols, b.pages, b.src, b.printed)


def _documents():
    rng = random.Random(4)
    docs = []
    for variant in ("F11", "F14", "S", "N"):
        rep = G.random_report(rng, variant)
        docs += [parse_text(G.render_text(rep, layout)) for layout in G.LAYOUTS]
        docs.append(parse_html(G.render_html(rep)))
    # characters that do not map on their own: the document goes the piece-by-piece way
    docs.append(parse_text("㈠ 主动公开信息数 条 12 30\n二、café\u0301 申请总数\u3000件 3 5\n"))
    docs.append(parse_text("主动公开信息数\x1f条 12 30\n"))
    return docs


def test_stream_built_at_once_is_the_stream_built_piece_by_piece():
    for doc in _documents():
        assert _same_stream(ST.build(doc), _reference_stream(doc))


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus not present")
def test_stream_built_at_once_on_the_real_corpus_and_the_era_a_fixtures():
    import parsers
    paths = sorted(CORPUS.glob("*.txt")) + sorted(CORPUS.glob("*.md")) + sorted(FIXTURES.glob("*.txt"))
    for path in paths:
        doc = parsers.read(str(path), parsers.detect_format(str(path)))
        assert _same_stream(ST.build(doc), _reference_stream(doc)), path.name


def test_stream_maps_answered_from_pieces_index_as_the_lists():
    """A stream built at once answers each character's column, page and printed place from its
    pieces: at every index (the separators too, from the end too) what the lists hold."""
    for doc in _documents():
        got, ref = ST.build(doc), _reference_stream(doc)
        for name in ("cols", "pages", "src"):
            a, b = getattr(got, name), getattr(ref, name)
            assert len(a) == len(b)
            assert [a[i] for i in range(len(a))] == b
            assert [a[-i] for i in range(1, len(a) + 1)] == [b[-i] for i in range(1, len(b) + 1)]
            assert a[3:40] == b[3:40]
            with pytest.raises(IndexError):
                a[len(b)]


def test_simplified_stream_still_converts_traditional_characters():
    doc = parse_text("主動公開信息數 條 12 30\n")
    assert "主动公开信息数" in ST.build(doc, simplified=True).text
    assert "主動公開信息數" in ST.build(doc).text
    assert N.to_simplified("數") == "数"
    assert glyphs.fix_glyphs("⻔") == "门"


_ALL = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)


def test_plain_re_reads_the_classes_as_regex_does():
    """stream.WHITE_SPACE is `regex`'s \\s; `re` and `regex` disagree on \\d only outside the BMP."""
    assert re.findall(f"[{ST.WHITE_SPACE}]", _ALL) == regex.findall(r"\s", _ALL)
    only_regex = set(regex.findall(r"\d", _ALL)) ^ set(re.findall(r"\d", _ALL))
    assert only_regex and all(ord(c) > 0xFFFF for c in only_regex)


def _label_texts():
    rng = random.Random(8)
    docs = _documents()
    texts = [ST.build(d).text for d in docs] + [ST.build(d, simplified=True).text for d in docs]
    tpl = T.load()
    words = [lab for r in tpl.rows for lab in r.labels] + ["免予公开范围3", "其它原因", "不予公开范围\U00010d40", "12", "条"]
    for _ in range(300):
        parts = [rng.choice(words) for _ in range(rng.randint(1, 8))]
        text = ST.SEP.join(parts) if rng.random() < 0.5 else "".join(parts)
        if rng.random() < 0.3:    # separators inside a label, as a PDF cell wraps it
            text = "".join(ch + (ST.SEP if rng.random() < 0.2 else "") for ch in text)
        texts.append(F.label_form(text))
    return texts


def test_label_pattern_finds_in_re_what_regex_finds():
    pat, _ = T.label_regex()
    assert pat.fast is not None
    found = 0
    for text in _label_texts():
        fast = [(m.span(), m.group("skip"), m.group("label")) for m in pat.finditer(text)]
        exact = [(m.span(), m.group("skip"), m.group("label")) for m in pat.exact.finditer(text)]
        assert fast == exact, text
        found += len(exact)
    assert found > 500
    astral = "不予公开范围\U00010d40"          # a digit only `regex` knows: read by `regex`
    assert [m.group("skip") for m in pat.finditer(astral)] == [astral]


def test_label_pattern_grouped_by_first_character_finds_what_the_flat_alternation_finds():
    """The keyed labels' alternation is grouped by first character (one test a group, not one a
    label): at every place the match and its groups are the flat alternation's."""
    import regex

    pat, forms = T.label_regex()
    ordered = sorted(forms, key=len, reverse=True)
    flat = f"(?P<skip>{'|'.join(T.load().unkeyed_rows)})|(?P<label>{'|'.join(T._loose(f) for f in ordered)})"
    assert flat != pat.body
    plain = regex.compile(flat)
    for text in _label_texts():
        got = [(m.span(), m.group("skip"), m.group("label")) for m in pat.exact.finditer(text)]
        assert got == [(m.span(), m.group("skip"), m.group("label")) for m in plain.finditer(text)], text
        assert [(m.span(), m.group("skip"), m.group("label")) for m in pat.finditer(text)] == got


def _runs(codes: list[int]) -> str:
    """Sorted code points as the inside of a character class, consecutive ones as ranges."""
    out, start = [], None
    for k, o in enumerate(codes):
        if start is None:
            start = o
        if k + 1 == len(codes) or codes[k + 1] != o + 1:
            out.append(f"\\U{start:08x}" + (f"-\\U{o:08x}" if o > start else ""))
            start = None
    return "".join(out)


def test_the_fast_pass_looks_at_every_character_that_does_not_stay():
    """The pass's pattern (blocks that mostly stay, and the characters in them that do not)
    finds, over every code point, what the class of every staying character finds."""
    import sys

    keys = glyphs._translate()
    stay = [o for lo, hi in F.COMMON for o in range(lo, hi + 1) if F.own_form(chr(o)) == chr(o)]
    stay += [o for lo, hi in F.IDEOGRAPHS for o in range(lo, hi + 1) if o not in keys]
    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    assert F._fast_pass().other.findall(every) == regex.compile(f"[^{_runs(sorted(stay))}]").findall(every)


def test_label_trie_finds_what_regex_finds_on_cut_and_altered_labels():
    """The fast pattern is a trie over the labels (a word that ends where longer ones go on is
    tried last): on labels cut short, run into each other and altered by one character, its
    matches and groups are `regex`'s over the flat pattern."""
    pat, _ = T.label_regex()
    assert pat.fast is not None and "(?P<" not in pat.fast.pattern
    rng = random.Random(11)
    labels = [F.label_form(lab) for r in T.load().rows for lab in r.labels]
    words = labels + [lab[:k] for lab in labels for k in range(1, len(lab))] + ["免予公开范围7", "其他原因"]
    found = 0
    for _ in range(400):
        parts = [rng.choice(words) for _ in range(rng.randint(1, 6))]
        text = "".join(ch + (ST.SEP if rng.random() < 0.15 else "") for ch in "".join(parts))
        if rng.random() < 0.3 and text:
            k = rng.randrange(len(text))
            text = text[:k] + rng.choice("的数1" + ST.SEP) + text[k + 1:]
        got = [(m.span(), m.group("skip"), m.group("label")) for m in pat.finditer(text)]
        assert got == [(m.span(), m.group("skip"), m.group("label")) for m in pat.exact.finditer(text)], text
        found += len(got)
    assert found > 150
