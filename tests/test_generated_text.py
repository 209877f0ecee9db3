"""Random valid reports rendered in every text layout parse back to exactly their values."""
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import cell_map, extract_text, mismatches
from pipeline.checks import run_checks
from pipeline.metadata import extract_metadata
from pipeline.templates import get
from reportgen import LAYOUTS, random_report, render_text


@settings(max_examples=int(__import__("os").environ.get("OGI_EXAMPLES", "25")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**9), template=st.sampled_from(["2019", "2021"]), layout=st.sampled_from(LAYOUTS))
def test_layout_round_trip(seed, template, layout):
    rep = random_report(random.Random(seed), template)
    doc, ex = extract_text(render_text(rep, layout))
    assert ex.template == template
    assert sorted(set(ex.tables_found)) == ["active", "appeals", "requests"]
    assert mismatches(rep.expected(), cell_map(ex)) == []
    meta = extract_metadata(doc)
    assert (meta.agency, meta.year) == (rep.agency, rep.year)
    failed = [c for c in run_checks(ex, get(template)) if c.status == "fail" and c.severity == "error"]
    assert failed == []


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("template", ["2019", "2021"])
def test_every_layout_and_template(layout, template):
    for seed in range(3):
        rep = random_report(random.Random(seed * 7 + len(layout)), template)
        _, ex = extract_text(render_text(rep, layout))
        assert mismatches(rep.expected(), cell_map(ex)) == [], (layout, template, seed)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_traditional_character_copies(layout):
    """Mirror sites re-render reports in traditional characters (規範性檔案, 萬元, 無, 行政複議)."""
    import opencc
    to_traditional = opencc.OpenCC("s2t")
    for seed in range(4):
        rep = random_report(random.Random(seed + 100), ["2019", "2021"][seed % 2])
        doc, ex = extract_text(to_traditional.convert(render_text(rep, layout)))
        assert mismatches(rep.expected(), cell_map(ex)) == []
        meta = extract_metadata(doc)
        assert (meta.agency, meta.year) == (rep.agency, rep.year)
