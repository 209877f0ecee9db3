"""The template registry: template facts are data, and a new template is a data change."""
import copy
import random

from helpers import cell_map, mismatches
from parsers.text import parse_text
from pipeline import templates as T
from pipeline.extract import read_tables
from pipeline.lines import document_lines
from reportgen import random_report, render_text


def test_registry_facts():
    t19, t21 = T.get("2019"), T.get("2021")
    assert list(t19.tables) == list(T.TABLES) == list(t21.tables)
    assert t21.result_rows()[-3:] == ["other_no_correction", "other_fee_unpaid", "other_misc"]
    assert t19.result_rows()[-1] == "other_processing"
    [merged] = t21.merged_rows
    assert t21.expand(("@results",), (merged,))[-1] == "other_processing"
    assert t21.expand(("new_received", "@results"), (merged,)).count("other_processing") == 1
    assert t21.tables["requests"].row("other_processing").label == "（六）其他处理"
    assert [p.id for p in t19.plausibility] == ["P3", "P4"] and [p.id for p in t21.plausibility] == ["P5"]
    assert t19.tables["appeals"].heading.all == ("行政复议",)
    assert t19.tables["requests"].displaced.column_identities == ("E1", "E2")
    assert [c.key for c in t19.tables["requests"].variant_columns()] == ["legal_person_subtotal"]
    assert "审结" in T.recovery_facts().signal_labels


def test_a_new_template_is_a_data_change(monkeypatch):
    """A copy of the 2021 template under another id and name, added to the data, reads a 2021
    report the same way: nothing in the code knows the ids."""
    raw = copy.deepcopy(T._raw())
    raw["templates"]["2099"] = dict(raw["templates"]["2021"], name="a test template")
    for row in raw["rows"]["requests"]:
        if row.get("only") == "2021":
            row["only"] = ["2021", "2099"]
    new = T._template(raw, "2099", raw["templates"]["2099"])
    registry = {**T.load(), "2099": new}
    monkeypatch.setattr(T, "load", lambda: registry)
    rep = random_report(random.Random(3), "2021")
    lines = document_lines(parse_text(render_text(rep, "tab_cells")))
    ex_new, ex_old = read_tables(new, lines), read_tables(T.get("2021"), lines)
    assert ex_new.template == "2099"
    assert not mismatches(rep.expected(), cell_map(ex_new))
    assert [(c.key, c.value, c.raw) for c in ex_new.cells] == [(c.key, c.value, c.raw) for c in ex_old.cells]


def test_a_template_lists_its_tables():
    raw = copy.deepcopy(T._raw())
    t = dict(raw["templates"]["2019"], tables=["requests"])
    tpl = T._template(raw, "x", t)
    assert list(tpl.tables) == ["requests"]
    assert {i.table for i in tpl.identities} == {"requests"}
