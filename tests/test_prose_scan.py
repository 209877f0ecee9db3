"""The prose figure finder's one-pass scan (pipeline/prose.py): the same figures as reading every
gated clause with every rule, as the finder did before it scanned anchors once."""
import bisect
import random
import re
from pathlib import Path

import pytest

import parsers
from parsers.text import parse_text
from pipeline import prose as PR
from pipeline.prose import AnchorScan, Rule, clean, find_figures, half_width, load_rules, prose_text
from reportgen import random_report, render_text
from reportgen import era_a as G

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "reports"
RULE_SETS = ("prose_checks", "prose_2008")


# ---------------------------------------------------------------- the reference: clause by clause, rule by rule
_REF_HALF = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_REF_YEAR = re.compile(r"(?<!\d)(20\d{2}|19\d{2})(?=年)")


def _ref_between(stops, at):
    k = bisect.bisect_right(stops, at)
    return stops[k - 1] + 1, stops[k]


def _ref_other_year(sentence, year):
    if year is None:
        return None
    return next((y for y in _REF_YEAR.findall(sentence) if int(y) != year), None)


def reference_figures(text, rs, year=None):
    """Every clause a gate hit falls in, read by every rule one of whose anchors it holds."""
    out, seen = [], set()
    clause_stops = [-1] + [m.start() for m in PR._STOP.finditer(text)] + [len(text)]
    sent_stops = [-1] + [m.start() for m in PR._SENTENCE.finditer(text)] + [len(text)]
    for hit in PR._gate(rs.gate).finditer(text):
        clause = _ref_between(clause_stops, hit.start())
        if clause in seen:
            continue
        seen.add(clause)
        body = text[clause[0]:clause[1]].translate(_REF_HALF)
        rules = [r for r in rs.rules if re.search("|".join(map(re.escape, r.anchors)), body)]
        if rules:
            lo, hi = _ref_between(sent_stops, hit.start())
            sentence = text[lo:hi].translate(_REF_HALF)
            out += PR._clause_figures(body, sentence, rules, rs, _ref_other_year(sentence, year))
    return out


# ---------------------------------------------------------------- texts to compare on
_PIECES = ["收到", "受理", "政府信息公开", "依申请公开", "申请", "34件", "３４件", "2条", "１２条", "约", "余", "，", "。",
           "；", "：", "\n", "2019年", "２０１８年", "上年", "结转", "下年度", "未收到", "没有发生", "行政复议", "行政诉讼",
           "其中", "予以公开", "不予公开", "无法提供", "主动公开信息", "累计", "网站", "访问量", "1,234人次", "咨询",
           "电话", "信函", "收取", "费用", "0万元", "12.5元", "暂不收费", "兼职人员", "3人", "发布", "解读", "各部门",
           "、", "（", "）", "12345", "１２３４５", "件", "全年", "共", "为"]


def _random_texts(n=300, seed=5):
    rng = random.Random(seed)
    return [clean("".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 60)))) for _ in range(n)]


def _generated_texts():
    rng = random.Random(3)
    out = []
    for template in ("2019", "2021"):
        rep = random_report(rng, template)
        out.append(prose_text(parse_text(render_text(rep, "tab_cells")), load_rules("prose_checks").gate))
    for variant in ("F11", "F14", "S", "N"):
        rep = G.random_report(rng, variant)
        out.append(clean(G.render_text(rep, "tab_rows")))
    return out


@pytest.mark.parametrize("name", RULE_SETS)
def test_one_pass_finds_what_every_rule_on_every_clause_finds(name):
    rs = load_rules(name)
    texts = _random_texts() + _generated_texts()
    assert sum(bool(reference_figures(t, rs, 2019)) for t in texts) > 50    # the texts do state figures
    for text in texts:
        for year in (2019, 2024, None):
            assert find_figures(text, rs, year) == reference_figures(text, rs, year), text


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus not present")
@pytest.mark.parametrize("name", RULE_SETS)
def test_one_pass_agrees_on_the_real_corpus(name):
    rs = load_rules(name)
    for path in sorted(CORPUS.glob("*.txt")) + sorted(CORPUS.glob("*.md")):
        doc = parsers.read(str(path), parsers.detect_format(str(path)))
        for text in (prose_text(doc, rs.gate), clean(doc.text())):
            assert find_figures(text, rs, 2012) == reference_figures(text, rs, 2012), path.name


def test_half_width_keeps_every_position():
    text = "收到申请３４件，（含ＡＢ）\u3000共12件；"
    assert half_width(text) == "收到申请34件,(含AB) 共12件;"
    assert len(half_width(text)) == len(text)
    assert half_width("政府信息公开") == "政府信息公开"


def _rule(rid, *anchors):
    return Rule(id=rid, targets=(("t/r/c",),), anchors=anchors)


def test_anchor_scan_finds_words_inside_longer_ones_and_in_either_width():
    rules = (_rule("a", "申请"), _rule("b", "依申请"), _rule("c", "12345"), _rule("d", "复议"), _rule("e", "申请书"))
    scan = AnchorScan(rules)
    assert [r.id for r in scan.rules_for("收到依申请公开2件")] == ["a", "b"]
    assert [r.id for r in scan.rules_for("收到申请书2件")] == ["a", "e"]      # two words starting at one place
    assert [r.id for r in scan.rules_for("拨打12345热线")] == ["c"]
    assert scan.rules_for("主动公开信息") == []
    assert not scan.always
    found = scan.search("来电１２３４５，行政复议")   # cleaned prose keeps full-width forms (prose_text)
    assert found is not None and found.group() == "１２３４５"


def test_a_rule_without_anchors_reads_every_gated_clause():
    scan = AnchorScan((_rule("a", "申请"), _rule("z")))
    assert scan.always
    assert [r.id for r in scan.rules_for("无关的话")] == ["z"]
    assert [r.id for r in scan.rules_for("申请")] == ["a", "z"]


def test_rules_without_anchors_and_a_gate_on_the_stops_read_as_before():
    base = load_rules("prose_checks")
    rs = PR.RuleSet(rules=tuple(Rule(id=r.id, targets=r.targets, patterns=r.patterns, zero=r.zero, allow=r.allow)
                                for r in base.rules), disqualifiers=base.disqualifiers, gate=r"[,。]|\d件")
    assert rs.anchor_scan.always
    for text in _random_texts(150, seed=9):
        assert find_figures(text, rs, 2019) == reference_figures(text, rs, 2019), text


def test_clean_lines_is_clean_of_each_line():
    rng = random.Random(2)
    pool = list("收到申请３４件，。 \u3000\t\r\x0b\x0c\x1c\x1f\x85\u2028\u2029\n\n") + ["１２", "ＡＢ", "公开"]
    for _ in range(2000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 30)))
        assert PR.clean_lines(text) == [clean(line) for line in text.split("\n")], repr(text)


def _match(m):
    return None if m is None else (m.span(), m.groupdict())


@pytest.mark.parametrize("name", RULE_SETS)
def test_rules_read_by_plain_re_match_as_regex_does(name):
    """Each rule pattern `re` reads (pipeline.prose._plain) finds, on every clause and every
    suffix of it, the match `regex` finds: the same span and groups; a text holding a
    character outside the BMP is read by `regex` itself."""
    import regex
    rs = load_rules(name)
    pats = [p for r in rs.rules for p in (*r.patterns, *r.zero)] + [d[1] for d in rs.disqualifiers]
    texts = [half_width(t) for t in _random_texts(400, seed=13) + _generated_texts()]
    clauses = [c for t in texts for c in PR._STOP.split(t) if c]
    plain = 0
    for p in pats:
        fast, exact = PR._compiled(p, False), PR._compiled(p, True)
        assert isinstance(exact, regex.Pattern)
        if isinstance(fast, regex.Pattern):
            continue
        plain += 1
        for c in clauses:
            for k in range(0, len(c), 3):
                assert _match(fast.search(c[k:])) == _match(exact.search(c[k:])), (p, c[k:])
    assert plain >= len(pats) - 2      # all but the variable-width look-behinds
    text = "收到申请\U0001d7d1件，予以公开2件。"
    assert find_figures(text, rs, 2019) == reference_figures(text, rs, 2019)


def test_patterns_plain_re_would_read_otherwise_stay_with_regex():
    for body in (r"收到\s*(\d+)件", r"\b申请", r"\w+件", r"\p{Han}件", r"(?i)abc", r"(?<!部分|不)公开", r"\u4e00件"):
        assert PR._plain(body) is None, body
    for body in (r"收到(?P<n>\d+)件", r"(?<![\d.])\d+\.件", r"(?:约|近)?\d{1,3}(?:,\d{3})+"):
        assert PR._plain(body) is not None, body
