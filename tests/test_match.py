"""match.py: label scores against the template's rows."""
import pytest

from pipeline import match as M
from pipeline.templates import get

REQ = get("2021").tables["requests"]


def row(key):
    return REQ.row(key)


def test_exact_label_scores_full():
    assert M.score_text("（一）予以公开", row("granted")) == 100
    assert M.score_row(["一、本年新收政府信息公开申请数量"], [], row("new_received")) == 100


def test_layout_whitespace_and_traditional_characters_do_not_matter():
    assert M.score_text("（一） 予以\n公开", row("granted")) == 100
    assert M.score_text("（一）予以公開", row("granted")) == 100


def test_numbering_agreeing_lends_confidence_contradicting_costs():
    assert M.score_text("予以公开", row("granted")) == 100
    assert M.score_text("（二）予以公开", row("granted")) == 100 - 12
    cut = M.score_text("予以公", row("granted"))
    assert M.score_text("（一）予以公", row("granted")) == min(100, cut + 6)


def test_truncated_label_is_weak_but_above_the_bar():
    s = M.score_text("1.申请人无正当理由逾期不补正", row("other_no_correction"))
    assert M.WEAK <= s < 100


def test_unrelated_label_scores_below_the_bar():
    assert M.score_text("行政许可", row("granted")) < M.WEAK
    assert M.score_row([], [], row("granted")) == 0.0
    assert M.score_text("", row("granted")) == 0.0


def test_aliases_count_as_the_row():
    assert M.score_text("（二）部分公开", row("partially_granted")) == 100


def test_group_label_run_into_the_item_label():
    """"（三）不予公开1.属于国家秘密" printed in one cell: the item label after the inner numbering counts."""
    assert M.score_row(["（三）不予公开1.属于国家秘密"], [], row("withheld_state_secret")) >= M.STRONG


def test_group_context_tips_a_shared_item_label():
    """"2.重复申请" alone vs. under its group （五）不予处理: the group adds a little."""
    alone = M.score_row(["2.重复申请"], [], row("not_processed_duplicate"))
    with_group = M.score_row(["2.重复申请"], ["（五）不予处理"], row("not_processed_duplicate"))
    assert with_group == min(100.0, alone + 3)
    wrong_group = M.score_row(["2.重复申请"], ["（四）无法提供"], row("not_processed_duplicate"))
    assert wrong_group == alone


@pytest.mark.parametrize("printed,label,expected", [("总计", "总计", 100), ("合计", "总计", 100),
                                                    ("法人或其他组织小计", "法人或其他组织", 100)])
def test_header_scores_use_aliases(printed, label, expected):
    col = next(c for c in REQ.columns.values() if c.label == label)
    assert M.score_header(printed, col.label, col.aliases) == expected


def test_scores_are_bounded():
    for r in REQ.rows:
        for text in ("（七）总计", "3.其他", "一、本年新收", "x"):
            assert 0 <= M.score_text(text, r) <= 100


def test_similarity_bound_is_never_below_the_similarity():
    """match.similarity_bound bounds match._similarity from the key lengths alone."""
    import random

    from pipeline.match import _similarity, similarity_bound
    rng = random.Random(7)
    alphabet = "申请人数量其他公开不予法人组织自然12"
    for _ in range(3000):
        a = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        b = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        if rng.random() < 0.3:
            b = a[rng.randint(0, len(a)):] + b[:3]
        assert _similarity(a, b) <= similarity_bound(len(a), len(b)) + 1e-9, (a, b)
