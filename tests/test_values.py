"""pipeline.values: printed cell text → number, by column kind, with the reason when it fails."""
import pytest

from pipeline import values as V


@pytest.mark.parametrize("raw,kind,value", [
    ("12", "count", 12.0), ("1,234", "count", 1234.0), ("１２３", "count", 123.0),     # full-width digits
    ("12件", "count", 12.0), ("3人", "count", 3.0), ("2家", "count", 2.0), ("4次", "count", 4.0),
    ("5個", "count", 5.0), ("6條", "count", 6.0), ("7項", "count", 7.0),                # traditional units
    (" 1 2 ", "count", 12.0), ("1\u30002", "count", 12.0),                              # spaces are layout
    ("+52", "signed", 52.0), ("-3", "signed", -3.0), ("增加3", "signed", 3.0), ("减2", "signed", -2.0),
    ("减少 4", "signed", -4.0),
    ("16681.8715", "money", 16681.8715), ("16681.8715万元", "money", 16681.8715), ("3万", "money", 3.0),
    ("50000元", "money", 5.0), ("1,000.5", "money", 1000.5),
])
def test_parse_numbers(raw, kind, value):
    v = V.parse(raw, kind)
    assert v.ok and v.value == value


@pytest.mark.parametrize("raw", ["—", "–", "-", "－", "/", "／", "无", "無", "\\", "——", "--", "0", "———", "-–"])
def test_fillers_read_as_zero(raw):
    assert V.parse(raw).value == 0.0
    assert V.looks_numeric(raw)


def test_blank_stays_blank():
    assert V.parse("").value is None and V.parse("").ok
    assert V.parse(" \u3000\n").value is None and V.is_blank(" \u3000")
    assert not V.looks_numeric("")


@pytest.mark.parametrize("raw,kind,note", [
    ("1.5", "count", "decimal where a count is expected"),
    ("-3", "count", "negative count"),
    ("约10", "count", "not a number"),
    ("1,23", "count", "not a number"),          # a thousands group must have three digits
    ("增加3", "count", "not a number"),          # change words only in signed columns
    ("3万元", "count", "not a number"),          # money units only in money columns
])
def test_failures_say_why(raw, kind, note):
    v = V.parse(raw, kind)
    assert note in v.note
    if note != "negative count":
        assert v.value is None and not v.ok
    else:
        assert v.value == -3.0


def test_money_units_need_money_kind_and_counts_keep_their_units():
    assert V.parse("12件", "money").ok is False
    assert V.parse("50000元", "money").note == "元 → 万元"


@pytest.mark.parametrize("raw,numeric", [
    ("12", True), ("1,234.5", True), ("3万元", True), ("4人", True), ("5家", True), ("6次", True),
    ("12個", True), ("+3", True), ("行政许可", False), ("1,23", False), ("第3页", False), ("3.", False),
])
def test_looks_numeric(raw, numeric):
    assert V.looks_numeric(raw) is numeric


@pytest.mark.parametrize("v,text", [(None, ""), (3.0, "3"), (16681.8715, "16681.8715"), (0.1 + 0.2, "0.30000000000000004"),
                                    (-2.0, "-2"), (1e-05, "0.00001")])
def test_fmt(v, text):
    assert V.fmt(v) == text
