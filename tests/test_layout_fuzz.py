"""A fixed-budget fuzz of whitespace layouts (issue 10 items 1–2): generated reports with labels
wrapped around or below their numbers and rows re-spaced at random (as poppler compacts each
row on its own), blank cells or not. Gaps are allowed; a wrong number or a false flag is not."""
import os
import random
import re

import pytest

from helpers import cell_map, extract_text, mismatches
from pipeline.checks import run_checks
from pipeline.templates import get
from reportgen import random_report
from reportgen import variants as V

BUDGET = int(os.environ.get("OGI_LAYOUT_FUZZ", "40"))


def _respace(text: str, rng: random.Random, p: float) -> str:
    """Some value rows printed with random gaps between their numbers and after their label."""
    out = []
    for line in text.split("\n"):
        m = re.match(r"^(\S.*?\S)(\s{2,})(\S.*)$", line)
        if m and rng.random() < p and any(ch.isdigit() for ch in m.group(3)):
            parts = m.group(3).split()
            gaps = [" " * rng.choice([1, 2, 2, 3, 4, 6]) for _ in parts]
            line = m.group(1) + " " * rng.choice([1, 2, 4]) + "".join(x + g for x, g in zip(parts, gaps)).rstrip()
        out.append(line)
    return "\n".join(out)


@pytest.mark.parametrize("chunk", range(4))
def test_no_wrong_number_and_no_false_flag(chunk):
    for seed in range(chunk * BUDGET, (chunk + 1) * BUDGET):
        rng = random.Random(seed)
        template = rng.choice(["2019", "2021"])
        rep = random_report(rng, template, blank_rate=rng.choice([0, 0.5, 1.0]))
        text = V.layout_wrapped_labels(rep, rng.choice([8, 10, 14, 40]), rng.random() < 0.3)
        _, ex = extract_text(_respace(text, rng, rng.choice([0, 0.2, 0.6])))
        wrong = [m for m in mismatches(rep.expected(), cell_map(ex)) if m[2] not in (None, "MISSING")]
        assert wrong == [], seed
        failed = [c for c in run_checks(ex, get(template)) if c.status == "fail" and c.severity == "error"]
        assert failed == [], seed
