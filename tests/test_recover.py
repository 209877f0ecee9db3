"""Run-together table cells (scraped text): recovered where the arithmetic settles the split,
left empty and listed as ambiguous where it does not, never written wrong."""
from __future__ import annotations

import json
import math
import random
from itertools import product
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from parsers.text import parse_text
from pipeline import recover as R
from pipeline.checks import USED_MSG, run_checks
from pipeline.extract import extract
from pipeline.report import parse_file
from pipeline.templates import get
from reportgen import random_report
from reportgen.flat import FILLERS, flatten

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = ["019_pingtan_syq_2019", "021_pingtan_syq_2021"]


def _close(a, b) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


def _verdict(ex, key: str, truth) -> str:
    """right | ambiguous | missing | wrong"""
    c = ex.get(*key.split("/"))
    if c is None:
        return "missing"
    if c.value is None:
        assert (c.table, c.row_key, c.col_key) in ex.recovery.ambiguous, f"{key} empty but not listed as ambiguous"
        return "ambiguous"
    return "right" if _close(c.value, float(truth or 0)) else "wrong"


# ---------------------------------------------------------------- the two scraped corpus reports
@pytest.mark.skipif(not (SHARED / "corpus").is_dir(), reason="../shared corpus not present")
@pytest.mark.parametrize("name", CORPUS)
def test_corpus_reports(name, tmp_path):
    truth = json.loads((SHARED / "corpus/expected" / f"{name}.json").read_text("utf-8"))
    doc = parse_text((SHARED / "corpus/reports" / f"{name}.txt").read_text("utf-8"))
    ex = extract(doc)
    assert ex.template == truth["template"]
    assert set(ex.tables_found) == {"active", "requests", "appeals"}
    verdicts = {k: _verdict(ex, k, v) for k, v in truth["cells"].items()}
    assert [k for k, v in verdicts.items() if v == "wrong"] == []
    # sections 三 and 四 are settled by the arithmetic: every cell recovered
    settled = {k: v for k, v in verdicts.items() if not k.startswith("active/")}
    assert set(settled.values()) == {"right"}, {k: v for k, v in settled.items() if v != "right"}
    assert ex.ambiguous == len(ex.recovery.ambiguous) > 0
    # section 二 has no identity: run-together rows there stay ambiguous (settled in the truth
    # only from the original HTML), single-column and all-zero rows are read
    if name.endswith("2021"):
        assert {k for k, v in verdicts.items() if v == "ambiguous"} == {
            "active/normative_docs/issued", "active/normative_docs/repealed", "active/normative_docs/in_force"}
        assert ex.get("requests", "granted", "natural_person").value == 27     # settled by E2 only
        assert ex.get("appeals", "suit_direct", "upheld").value == 12         # settled by E4
        checks = run_checks(ex, get(ex.template))
        e1 = [c for c in checks if c.check_id == "E1"]
        assert e1 and all(c.status == "pass" and c.message == USED_MSG for c in e1)
        assert not [c for c in checks if c.status == "fail" and c.severity == "error"]
    else:
        assert ex.get("active", "gov_procurement", "amount_10k_yuan").value is None
        assert ex.get("active", "rules", "new_made").value == 0


@pytest.mark.skipif(not (SHARED / "corpus").is_dir(), reason="../shared corpus not present")
def test_corpus_outputs_mark_recovered_and_count_ambiguous():
    out = parse_file(str(SHARED / "corpus/reports/021_pingtan_syq_2021.txt"))
    assert out.report["ambiguous_cells"] == 3
    by = {(c["table"], c["row_key"], c["col_key"]): c for c in out.cells}
    assert by[("requests", "new_received", "natural_person")]["method"] == "recovered"
    assert by[("active", "admin_permit", "decisions")]["method"] == "read"     # '2293' is one cell
    amb = by[("active", "normative_docs", "issued")]
    assert amb["value"] == "" and amb["raw"] == "693665"
    assert any("693665" in n["message"] and "69" in n["message"] for n in out.log if n["col_key"] == "issued")


# ---------------------------------------------------------------- an independent oracle
def _ok(piece: str, kind: str, width: int) -> bool:
    import re
    if kind == "money":
        return re.fullmatch(r"(0|[1-9]\d*)(\.\d+)?(万元|万|元)?", piece) is not None
    if kind == "signed":
        return re.fullmatch(r"[+-]?(0|[1-9]\d{0,%d})" % (width - 1), piece) is not None
    return re.fullmatch(r"0|[1-9]\d{0,%d}" % (width - 1), piece) is not None


def _splits(run: str, kinds: list[str], width: int, groups: list[tuple[list[int], int]]):
    """Every split of `run` into len(kinds) valid cells satisfying sum(lhs) = rhs per group."""
    from pipeline.values import parse
    out = []

    def go(pos, cells):
        k = len(cells)
        for lhs, rhs in groups:
            if rhs == k - 1:
                vals = [parse(c, kinds[i]).value for i, c in enumerate(cells)]
                if sum(vals[i] for i in lhs) != vals[rhs]:
                    return
        if k == len(kinds):
            if pos == len(run):
                out.append([parse(c, kinds[i]).value for i, c in enumerate(cells)])
            return
        for end in range(pos + 1, len(run) + 1):
            piece = run[pos:end]
            if " " in piece:
                break
            if _ok(piece, kinds[k], width):
                go(end + 1 if run[end:end + 1] == " " else end, cells + [piece])

    go(0, [])
    return out


def _oracle(rep):
    """{key: value} for the cells the arithmetic settles; None when the joint search is too big.
    Uses the digit runs exactly as the flattener printed them (rep.flat_runs, in table order)."""
    tpl = get(rep.template)
    printed = iter(rep.flat_runs.values())
    settled = {}
    # 二: no identities — a cell is settled when every split agrees
    for row in tpl.tables["active"].rows:
        cols = tpl.tables["active"].row_columns(row)
        cands = _splits(next(printed), [c.kind for c in cols], 10, [])
        for i, c in enumerate(cols):
            if len({x[i] for x in cands}) == 1:
                settled[f"active/{row.key}/{c.key}"] = cands[0][i]
    # 四: one run of 15 with E4 per group
    cols = ["upheld", "corrected", "other", "pending", "total"]
    rows = [r.key for r in tpl.tables["appeals"].rows]
    req_runs = [next(printed) for _ in tpl.tables["requests"].rows]
    run = next(printed)
    cands = _splits(run, ["count"] * 15, 5, [([g * 5 + i for i in range(4)], g * 5 + 4) for g in range(3)])
    for i in range(15):
        if len({x[i] for x in cands}) == 1:
            settled[f"appeals/{rows[i // 5]}/{cols[i % 5]}"] = cands[0][i]
    # 三: E3 per row, then E1/E2 per column over the product of the rows' candidates
    spec = tpl.tables["requests"]
    cols = [c.key for c in spec.row_columns(spec.rows[0])]
    per_row = {}
    for row, run in zip(spec.rows, req_runs):
        per_row[row.key] = _splits(run, ["count"] * 7, 6, [(list(range(6)), 6)])
    keys = list(per_row)
    if math.prod(len(v) for v in per_row.values()) > 20000:
        return None
    results = tpl.result_rows()
    sols = []
    for combo in product(*(per_row[k] for k in keys)):
        v = dict(zip(keys, combo))
        if all(sum(v[r][c] for r in results) == v["total_processed"][c]
               and v["new_received"][c] + v["carried_over"][c] == v["total_processed"][c] + v["carried_forward"][c]
               for c in range(7)):
            sols.append(v)
    for k in keys:
        for c in range(7):
            if sols and len({s[k][c] for s in sols}) == 1:
                settled[f"requests/{k}/{cols[c]}"] = sols[0][k][c]
    return settled


# ---------------------------------------------------------------- property-based
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10 ** 6), template=st.sampled_from(["2019", "2021"]), one_line=st.booleans(),
       noise=st.booleans(), space_rate=st.sampled_from([0.0, 0.0, 0.3]))
def test_flattened_reports_never_wrong_and_recovered_where_settled(seed, template, one_line, noise, space_rate):
    rep = random_report(random.Random(seed), template, blank_rate=0.0, noise=noise)
    ex = extract(parse_text(flatten(rep, one_line, random.Random(seed), space_rate)))
    # 二 may come out fully spaced (2021: mostly one-cell rows); then it is read, not recovered
    assert ex.recovery is not None and {"requests", "appeals"} <= set(ex.recovery.rows)
    assert set(ex.tables_found) == {"active", "requests", "appeals"}
    truth = rep.expected()
    verdicts = {k: _verdict(ex, k, v) for k, v in truth.items()}
    assert [(k, truth[k], ex.get(*k.split("/")).value) for k, v in verdicts.items() if v == "wrong"] == []
    assert "missing" not in verdicts.values()
    assert ex.ambiguous == sum(1 for v in verdicts.values() if v == "ambiguous")
    settled = _oracle(rep)
    if settled is None:
        return
    for k, v in verdicts.items():
        if k in settled:
            assert v == "right", f"{k}: the arithmetic settles {settled[k]}, got {v}"
        else:
            assert v == "ambiguous", f"{k}: not settled by the arithmetic but written"
    # values obtained by splitting are marked as such
    if space_rate == 0:
        assert all(c.method == "recovered" for c in ex.cells if c.table == "requests" and c.value is not None)


# ---------------------------------------------------------------- arithmetic errors and bounds
def _report_text(seed=7, template="2021", change=None) -> str:
    rep = random_report(random.Random(seed), template, blank_rate=0.0, noise=False)
    if change:
        for k, v in change.items():
            rep.printed[k] = v
    return flatten(rep, one_line=True)


def test_unsplittable_row_is_flagged():
    # 1, 0, 0, 0, 0, 0 with total 2: seven digits for seven cells, so one split, which breaks E3
    change = {("requests", "new_received", c): v for c, v in zip(
        ["natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total"],
        ["1", "0", "0", "0", "0", "0", "2"])}
    ex = extract(parse_text(_report_text(change=change)))
    checks = run_checks(ex, get(ex.template))
    fails = [c for c in checks if c.status == "fail" and c.severity == "error"]
    e3 = [c for c in fails if c.check_id == "E3" and c.scope == "new_received"]
    assert e3 and "no split" in e3[0].message and "1000002" in e3[0].message


def test_consistent_report_is_not_flagged():
    ex = extract(parse_text(_report_text()))
    checks = run_checks(ex, get(ex.template))
    assert not [c for c in checks if c.status == "fail" and c.severity == "error"]


def test_pathological_run_is_bounded_and_left_empty():
    change = {("requests", "granted", "natural_person"): "7" * 300}
    ex = extract(parse_text(_report_text(change=change)))
    cells = [c for c in ex.cells if c.row_key == "granted"]
    assert cells and all(c.value is None for c in cells)
    checks = run_checks(ex, get(ex.template))
    assert any(c.status == "fail" and c.scope == "granted" for c in checks)


def test_split_enumeration_has_a_hard_cap():
    spec = get("2021").tables["appeals"]
    cols = [spec.columns["upheld"]] * 15
    splits, _, capped = R.enumerate_splits(["1" * 40], cols, [], 5, max_nodes=500)
    assert capped
    splits, _, capped = R.enumerate_splits(["1" * 15], cols, [], 5, max_nodes=500)
    assert not capped and splits == [tuple("1" * 15)]


def test_prose_numbers_settle_what_is_left():
    assert R.prose_facts("本年度全区共收到70件申请，及时依法依规办结69件，1件结转下年度继续办理。") == {
        "new_received": 70.0, "total_processed": 69.0, "carried_forward": 1.0}


def test_spaced_run_is_a_hard_boundary():
    cols = [get("2021").tables["requests"].columns[k] for k in
            ["natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total"]]
    cons = [("E3", "x", list(range(6)), [6])]
    splits, _, _ = R.enumerate_splits(["23", "0", "00", "0", "023"], cols, cons, 6)
    assert splits == [("23", "0", "0", "0", "0", "0", "23")]


def _synthetic_rows(tpl, two: dict[str, list[tuple]]) -> list:
    spec = tpl.tables["requests"]
    rows = []
    for row in spec.rows:
        cols = spec.row_columns(row)
        r = R.RunRow("requests", [row.key] * len(cols), list(cols), "x", row.label)
        r.cands = two.get(row.key, [("0",) * 7])
        rows.append(r)
    return rows


def test_joint_choice_then_prose_settles_the_rest():
    tpl = get("2021")
    a, b = ("5", "0", "0", "0", "0", "0", "5"), ("50", "0", "0", "0", "0", "0", "50")
    two = {"new_received": [a, b], "granted": [a, b], "total_processed": [b, a]}
    rows = _synthetic_rows(tpl, two)
    rec = R.Recovery()
    R.choose_jointly(tpl, rows, rec, {})
    assert all(len(r.cands) == 2 for r in rows if r.keys[0] in two)       # both totals possible: left open
    rows = _synthetic_rows(tpl, two)
    rec = R.Recovery()
    R.choose_jointly(tpl, rows, rec, R.prose_facts("本年度共收到5件申请。"))
    assert {r.keys[0]: r.cands for r in rows if r.keys[0] in two} == {k: [a] for k in two}
    assert ("E1", "requests", "total") in rec.used
    # mixing the candidates across rows breaks E1/E2: no split fits, the identity is flagged
    rows = _synthetic_rows(tpl, {"new_received": [a], "granted": [b], "total_processed": [a, b]})
    rec = R.Recovery()
    R.choose_jointly(tpl, rows, rec, {})
    assert {(f[0], f[2]) for f in rec.failures} == {(e, c) for e in ("E1", "E2") for c in ("natural_person", "total")}
    assert all("no split" in f[4] for f in rec.failures)


def test_dropped_characters_are_whitespace_and_two_invisible_ones():
    import sys
    spaces = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
    assert R.DROPPED == spaces + "\u200b\ufeff"
    norm, idx = R._normalized("规\u3000章 \u200b1\n２")
    assert norm == "规章12" and idx == [0, 2, 5, 7]


def test_could_match_never_rules_out_a_fuzzy_match():
    """recover._could_match is a necessary test: wherever the fuzzy pattern matches, ending at
    one of the given places, it says a match could end there (random texts, small alphabet)."""
    import random

    import regex
    rng = random.Random(11)
    form = "本年新收申请数量"
    k = max(1, len(form) // 7)
    pat = regex.compile(f"(?:{regex.escape(form)}){{e<={k}}}", regex.BESTMATCH)
    alphabet = "本年新收申请数量其他1"
    checked = 0
    for _ in range(400):
        norm = "".join(rng.choice(alphabet) for _ in range(rng.randint(5, 40)))
        if rng.random() < 0.5:        # plant a copy with one edit
            p = rng.randint(0, len(norm))
            planted = list(form)
            planted[rng.randrange(len(planted))] = rng.choice(alphabet)
            norm = norm[:p] + "".join(planted) + norm[p:]
        lo = rng.randint(0, len(norm) // 2)
        for m in pat.finditer(norm, lo, len(norm)):
            checked += 1
            assert R._could_match(norm, form, k, [m.end()], 0, lo, len(norm)), (norm, lo, m)
    assert checked > 50
    assert not R._could_match("其他其他其他其他其他其他", form, k, [6, 12], 0, 0, 12)


def test_row_constraints_remembered_are_fresh_and_equal_to_computed():
    """_row_constraints gives the registry answer as a fresh list each call (a caller may keep
    or change it), equal to the one computed for the same template afresh."""
    from pipeline.templates import get
    tpl = get("2019")
    for table, spec in tpl.tables.items():
        for row in spec.rows:
            cols = spec.row_columns(row)
            keys = [row.key] * len(cols)
            a = R._row_constraints(tpl, table, keys, cols)
            b = R._row_constraints(tpl, table, keys, cols)
            assert a == b == R._constraints(tpl, table, tuple(keys), tuple(c.key for c in cols))
            if a:
                assert a is not b and a[0][2] is not b[0][2]


def test_run_at_remembered():
    t = R._Text("一、本年新收政府信息公开申请数量 64 0 0 2\n规范性文件8个")
    q = t.norm.find("数量") + 2
    assert t.run_at(q) == t._run_at(q) and t.run_at(q) is t.run_at(q)
    assert t.run_at(t.norm.find("文件") + 2) is None      # "8个": a number in a sentence


def test_prose_is_read_only_when_the_identities_leave_a_choice():
    """choose_jointly asks for the prose's numbers (a function, as recover passes them) only
    when the column identities leave more than one split, and then settles as with the dict."""
    tpl = get("2021")
    a, b = ("5", "0", "0", "0", "0", "0", "5"), ("50", "0", "0", "0", "0", "0", "50")
    asked = []

    def prose():
        asked.append(1)
        return R.prose_facts("本年度共收到5件申请。")
    two = {"new_received": [a, b], "granted": [a, b], "total_processed": [b, a]}
    rows, rec = _synthetic_rows(tpl, two), R.Recovery()
    R.choose_jointly(tpl, rows, rec, prose)
    assert asked == [1]
    assert {r.keys[0]: r.cands for r in rows if r.keys[0] in two} == {k: [a] for k in two}
    assert ("E1", "requests", "total") in rec.used
    # the identities alone settle it (one of the totals fits no split): the prose is not read
    asked.clear()
    rows, rec = _synthetic_rows(tpl, {"new_received": [a, b], "granted": [a], "total_processed": [a]}), R.Recovery()
    R.choose_jointly(tpl, rows, rec, prose)
    assert asked == [] and [r.cands for r in rows if r.keys[0] == "new_received"] == [[a]]
