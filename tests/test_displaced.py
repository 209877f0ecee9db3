"""A number a conversion printed outside its row goes back only where both identities agree."""
import random

from helpers import cell_map, extract_text, mismatches
from pipeline.checks import run_checks
from pipeline.templates import get
from reportgen import random_report, render_text


def _displace(text: str, label: str) -> tuple[str, str]:  # label as printed
    """Blank the 总计 cell of the Markdown row `label` and print its number on its own line
    a few rows earlier, as PDF→Markdown converters do."""
    lines = text.split("\n")
    k = next(i for i, l in enumerate(lines) if l.startswith("| " + label))
    cells = lines[k].split(" | ")
    total = cells[-1].rstrip(" |")
    cells[-1] = " |"
    lines[k] = " | ".join(cells[:-1]) + " |  |"
    lines[k - 2:k - 2] = ["", total, ""]
    return "\n".join(lines), total


def _report(seed):
    rep = random_report(random.Random(seed), "2021", blank_rate=0)
    key = ("requests", "carried_forward", "total")
    while not rep.values[key]:
        seed += 1000
        rep = random_report(random.Random(seed), "2021", blank_rate=0)
    return rep


def test_displaced_total_is_put_back_and_said():
    rep = _report(11)
    text, total = _displace(render_text(rep, "markdown"), rep.label("四、结转下年度继续办理"))
    _, ex = extract_text(text)
    assert mismatches(rep.expected(), cell_map(ex)) == []
    cell = ex.get("requests", "carried_forward", "total")
    assert cell.method == "recovered" and cell.raw == total
    assert any("put back" in n.message for n in ex.notes)
    e1 = [c for c in run_checks(ex, get("2021")) if c.check_id == "E1" and c.scope == "total"][0]
    assert e1.status == "pass" and "not independent evidence" in e1.message


def test_stray_number_that_the_arithmetic_does_not_want_stays_out():
    rep = _report(12)
    text, total = _displace(render_text(rep, "markdown"), rep.label("四、结转下年度继续办理"))
    text = text.replace("\n" + total + "\n", "\n" + str(int(total) + 1) + "\n", 1)
    _, ex = extract_text(text)
    cell = ex.get("requests", "carried_forward", "total")
    assert cell.value is None and cell.method == "read"
