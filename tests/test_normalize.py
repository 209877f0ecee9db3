"""pipeline.normalize: printed variants of a label compare equal; numbering read in one form."""
import pytest

from pipeline import normalize as N


def test_glyph_repair_radicals_and_compatibility():
    assert N.fix_glyphs("⻔户⺠⻅") == "门户民见"            # CJK Radicals Supplement
    assert N.fix_glyphs("⾏政") == "行政"                    # Kangxi radical (NFKC)
    assert N.fix_glyphs("⼾") == "户"                        # simplified, not NFKC's 戶
    assert N.fix_glyphs("（一）１２") == "(一)12"            # NFKC: full-width forms folded
    assert N.repair_glyphs("（一）⻔\uf9a8") == "（一）门" + "令"   # punctuation kept as printed


def _nfkc_reference(text):
    import unicodedata
    from parsers.glyphs import _translate
    return unicodedata.normalize("NFKC", text.translate(_translate()))


@pytest.mark.parametrize("text", [
    "", "plain ascii 123", "一、本年新收政府信息公开申请数量：６４，（二）⻔户…", "⾏政⼾\uf9a8\U0002f800",
    "e\u0301 café", "\u1100\u1161\u11a8 한", "ｶﾞｷﾞ", "ﬁ ㈱ ①２", "\u3000全角\u3000空格", "“引号”「」",
    "⻔⻔：：", "\u0041\u030a\u212b",
])
def test_fix_glyphs_equals_whole_text_nfkc(text):
    """fix_glyphs maps only the characters outside STABLE_CHARS, yet gives exactly NFKC of the
    repaired text, combining marks and Hangul jamo included."""
    assert N.fix_glyphs(text) == _nfkc_reference(text)
    assert N.fix_glyphs(text * 3) == _nfkc_reference(text * 3)


def test_stable_chars_are_left_alone_by_nfkc_and_repair():
    """Every character of STABLE_CHARS is a starter that NFKC keeps and never joins to a neighbour,
    and none is in the glyph repair table: skipping them cannot change fix_glyphs' answer."""
    import re
    import unicodedata

    import regex

    from parsers.glyphs import STABLE_CHARS, _translate
    table = _translate()
    maybe = regex.compile(r"[\p{NFKC_Quick_Check=No}\p{NFKC_Quick_Check=Maybe}]")
    stable = re.compile(f"[{STABLE_CHARS}]")
    for cp in range(0x30000):
        ch = chr(cp)
        if stable.match(ch):
            assert cp not in table and unicodedata.combining(ch) == 0, hex(cp)
            assert unicodedata.normalize("NFKC", ch) == ch and not maybe.match(ch), hex(cp)


def test_unify_quotes():
    assert N.unify_quotes("“a”‘b’「c」『d』«e»„f") == '"a"\'b\'"c""d""e""f'
    assert N.unify_quotes("无引号") == "无引号"


def test_clean_drops_layout_whitespace_between_chinese():
    assert N.clean("  行政\n许可  ") == "行政许可"
    assert N.clean("（一）  予以 公开") == "（一）予以公开"
    assert N.clean("A  B") == "A B"
    assert N.clean("") == ""


def test_compact_for_searching_long_text():
    assert N.compact("一、 本年 “新收”：1，2") == '一、本年"新收":1,2'


@pytest.mark.parametrize("a,b", [
    ("（一）予以公开", "1.予以公开"), ("三、本年度办理结果", "本年度辦理結果"), ("(二) 部分公开", "二、部分公开"),
    ("1) 其他", "其他"), ("（一）1. 规章", "规章"), ("本年新收：", "本年新收:"),
])
def test_label_key_equal(a, b):
    assert N.label_key(a) == N.label_key(b)


def test_circled_numbers_are_folded_before_numbering_is_stripped():
    # NFKC turns ① into 1 first, so a circled mark stays as a digit (what outputs have always had)
    assert N.label_key("①其他") == "1其他"


def test_label_key_keeps_numbering_on_request_and_numbers_in_text():
    assert N.label_key("（一）予以公开", keep_numbering=True) == "(一)予以公开"
    assert N.label_key("1.5万元") == "1.5万元"          # a decimal is not a numbering mark


@pytest.mark.parametrize("text,num", [
    ("（三）不予公开", "（三）"), ("(十) 其他", "（十）"), ("三、结果", "三"), ("四．复议", "四"),
    ("12、危及", "12"), ("3) 其他", "3"), ("1.5万元", ""), ("本年新收", ""), (" （ 一 ）", "（一）"), ("", ""),
])
def test_numbering(text, num):
    assert N.numbering(text) == num


def test_to_simplified():
    assert N.to_simplified("政府資訊公開") == "政府资讯公开"
    assert N.to_simplified("abc") == "abc"


def test_to_simplified_remembers_short_texts_only():
    """Labels are remembered; a document-long text is converted without being kept (memory
    stays flat over a batch), with the same result either way."""
    N._simplified.cache_clear()
    label = "本年度辦理結果"
    doc = "政府資訊公開。" * 100
    assert N.to_simplified(label) == "本年度办理结果"
    assert N.to_simplified(doc) == "政府资讯公开。" * 100
    assert N._simplified.cache_info().currsize == 1
    assert N.to_simplified("ascii only") == "ascii only"
