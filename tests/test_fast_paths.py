"""The per-report pipeline's quicker forms give exactly what the plain computation gives: each
is checked against a straightforward version of the same step on random inputs."""
from __future__ import annotations

import random
import sys
from itertools import product
from pathlib import Path

import regex

from parsers.model import SourcePos, Table
from parsers.text import parse_text
from pipeline import extract as E
from pipeline import match as M
from pipeline import metadata as MD
from pipeline import normalize as N
from pipeline import recover as R
from pipeline.lines import Line
from pipeline.templates import get

_ALL = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)


def test_whitespace_classes_read_by_re_as_regex_read_them():
    assert N._SPACE.findall(_ALL) == regex.findall(r"[\s\u3000\u00a0\u200b\ufeff]+", _ALL)
    assert MD._WS.findall(_ALL) == regex.findall(r"[\s\u3000]+", _ALL)
    assert R._DROP.findall(_ALL) == regex.findall(f"[{regex.escape(R.DROPPED)}]+", _ALL)


def test_space_dropped_by_split_equals_the_regex_on_every_code_point():
    for text in (_ALL, _ALL[::-1], "a\x1cb \u200bc\ufeffd", "甲 乙\u3000丙\u200b丁\ufeff", "", "\u200b"):
        assert N.no_space(text) == N._SPACE.sub("", text)
        assert N.no_space(text, invisible=False) == regex.sub(r"\s+", "", text)
    rnd = random.Random(5)
    pool = "甲乙 \t\n\u3000\u200b\ufeff\x1c\x1f\xa0ab1"
    for _ in range(2000):
        text = "".join(rnd.choice(pool) for _ in range(rnd.randint(0, 12)))
        assert N.no_space(text) == N._SPACE.sub("", text)
        assert N.no_space(text, invisible=False) == regex.sub(r"\s+", "", text)


def test_recovery_comparison_form_drops_what_the_drop_pattern_drops():
    rnd = random.Random(6)
    pool = "本年新收 \t\n\u3000\u200b\ufeff\x1c“”0１23."
    for k in range(2000):
        text = _ALL[k * 500:k * 500 + 40] + "".join(rnd.choice(pool) for _ in range(rnd.randint(0, 30)))
        norm, idx = R._normalized(text)
        raw = R._DROP.sub("", text)
        assert len(idx) == len(norm)
        if len(N.unify_quotes(N.fix_glyphs(raw))) == len(raw):
            assert [text[i] for i in idx] == list(raw)


def test_recovery_index_map_answers_as_the_list_of_indices():
    """The comparison form's map back to the text, answered from runs of kept characters:
    every index, from the end too, and `back` (the first form position at or after a text
    position) as bisect_left on the list."""
    from bisect import bisect_left
    rnd = random.Random(9)
    pool = "本年新收 \t\n\u3000\u200b\ufeff0１23."
    for k in range(500):
        text = "".join(rnd.choice(pool) for _ in range(rnd.randint(0, 60)))
        t = R._Text(text)
        plain = [m.start() + j for m in R._KEPT.finditer(text) for j in range(len(m.group()))]
        assert list(t.idx) == plain and len(t.idx) == len(plain)
        assert [t.idx[q] for q in range(len(plain))] == plain
        assert [t.idx[-q] for q in range(1, len(plain) + 1)] == [plain[-q] for q in range(1, len(plain) + 1)]
        assert [t.back(i) for i in range(len(text) + 2)] == [bisect_left(plain, i) for i in range(len(text) + 2)]


def test_recovery_patterns_read_by_re_as_by_regex():
    """recover's patterns of literals and explicit classes, compiled by plain `re`, find what
    `regex` finds with the same pattern: matches at every place, searches and splits."""
    from pipeline.templates import load
    labels = [r.label for t in load().values() for spec in t.tables.values() for r in spec.rows]
    pats = [R._RUN, R._SPACES, R._DIGIT, R._SPACED_DIGITS, R._PROSE_UNIT, R._signal(), R._before_digits("量"),
            R._before_digits("."), *(p for p in map(R._numbering_pattern, labels) if p is not None)]
    rnd = random.Random(10)
    pool = ["数量", "规章", "行政许可", "总计", "1", "0", "２", "+", "-", "－", ".", "．", " ", "\t", "\u3000",
            "\u00a0", "\n", "个", "件", "万元", "元", "（一）", "三、", "2.", "、", "%", "\U0001d7d1"]
    texts = ["".join(rnd.choice(pool) for _ in range(rnd.randint(0, 25))) for _ in range(400)]
    for p in pats:
        twin = regex.compile(p.pattern)
        for t in texts:
            got = [(m.span(), m.groups()) if (m := p.match(t, i)) else None for i in range(len(t) + 1)]
            want = [(m.span(), m.groups()) if (m := twin.match(t, i)) else None for i in range(len(t) + 1)]
            assert got == want, (p.pattern, t)
            assert p.split(t) == twin.split(t) and [m.span() for m in p.finditer(t)] == [m.span() for m in twin.finditer(t)]


def test_cells_built_by_position_name_the_fields_they_mean():
    """extract.cell_value and recover build CellValue positionally: its field order must stay."""
    import dataclasses

    from pipeline.result import CellValue
    names = [f.name for f in dataclasses.fields(CellValue)]
    assert names[:14] == ["table", "row_key", "col_key", "value", "raw", "row_label", "col_label",
                          "match_score", "page", "bbox", "method", "unplaced", "by_position", "pos"]


def test_reader_cells_built_by_position_name_the_fields_they_mean():
    """Table.from_rows, the text reader and lines.py build Cell positionally."""
    import dataclasses

    from parsers.model import Cell
    assert [f.name for f in dataclasses.fields(Cell)][:8] == ["text", "row", "col", "rowspan", "colspan", "page",
                                                             "bbox", "pos"]
    t = Table.from_rows([["a", "1"], ["b"]], page=4)
    assert t.cells == [Cell(text="a", row=0, col=0, page=4), Cell(text="1", row=0, col=1, page=4),
                       Cell(text="b", row=1, col=0, page=4)]


def _cell_value_plain(part, layout, row_key, col, raw, label, score, ln, src):
    """extract.cell_value as first written (keywords, OCR fields as a dict)."""
    from pipeline import values as V
    from pipeline.result import CellValue
    v = V.parse(raw, col.kind) if raw is not None else V.Value(None)
    if not v.ok:
        part.note("warning", row_key, col.key, f"unreadable value {raw!r} kept in raw: {v.note}", ln.page)
    elif v.note and "negative" in v.note:
        part.note("warning", row_key, col.key, v.note, ln.page)
    conf = getattr(src, "confidence", None) if src is not None else None
    ocr = {} if conf is None else {"method": "ocr", "confidence": conf, "char_confidence": src.char_confidence}
    return CellValue(table=part.table, row_key=row_key, col_key=col.key, value=v.value, raw=N.clean(raw or ""),
                     row_label=label, col_label=layout.headers.get(f"{part.table}/{col.key}", col.label),
                     match_score=round(score, 1), page=src.page if src else ln.page,
                     bbox=src.bbox if src else None, pos=src.pos if src else None, **ocr)


def test_cell_value_equals_the_keyword_form():
    from types import SimpleNamespace

    from pipeline.result import TableCells
    tpl = get("2019")
    spec = tpl.tables["requests"]
    cols = spec.row_columns(spec.rows[0])
    rnd = random.Random(9)
    raws = [None, "", "0", "12", "-3", "1 234", "32 60", "见附件", "—", "1.5", "１２", " 7 "]
    for _ in range(600):
        col = rnd.choice(cols)
        headers = rnd.choice([{}, {f"requests/{col.key}": "自然人（印）"}, {"requests/x": "y"}])
        layout = SimpleNamespace(headers=headers)
        ln = SimpleNamespace(page=rnd.choice([None, 2]))
        src = rnd.choice([None, SimpleNamespace(page=3, bbox=(1, 2, 3, 4), pos=SourcePos(4, 1, 2)),
                          SimpleNamespace(page=1, bbox=None, pos=None, confidence=0.8,
                                          char_confidence=(("1", 0.8),))])
        raw, label, score = rnd.choice(raws), rnd.choice(["甲", ""]), rnd.uniform(60, 100)
        a, b = TableCells("requests"), TableCells("requests")
        got = E.cell_value(a, layout, "r", col, raw, label, score, ln, src)
        assert got == _cell_value_plain(b, layout, "r", col, raw, label, score, ln, src)
        assert a.notes == b.notes


def _align_plain(score, n_rows):
    """extract.align_in_order as first written (index arithmetic in the inner loop)."""
    n, m = len(score), n_rows
    dp = [[0.0] * (m + 1) for _ in range(n + 1)]
    back = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            best, how = dp[i - 1][j], 1
            if dp[i][j - 1] > best:
                best, how = dp[i][j - 1], 2
            s = score[i - 1][j - 1]
            if s > 0 and dp[i - 1][j - 1] + s - M.WEAK + 1 > best:
                best, how = dp[i - 1][j - 1] + s - M.WEAK + 1, 3
            dp[i][j], back[i][j] = best, how
    out = {}
    i, j = n, m
    while i > 0 and j > 0:
        how = back[i][j]
        if how == 3:
            out[i - 1] = (j - 1, score[i - 1][j - 1])
            i, j = i - 1, j - 1
        elif how == 1:
            i -= 1
        else:
            j -= 1
    return out


def test_monotone_alignment_equals_the_plain_dynamic_programme():
    rnd = random.Random(11)
    for _ in range(400):
        n, m = rnd.randint(0, 12), rnd.randint(1, 10)
        # few distinct scores, so that ties (which the order of the tests decides) are common
        score = [[rnd.choice([0.0, 0.0, 0.0, 62.0, 70.5, 85.0, 100.0]) for _ in range(m)] for _ in range(n)]
        for i in range(n):      # lines that match no row, as most lines of a document
            if rnd.random() < 0.4:
                score[i] = [0.0] * m
        assert E.align_in_order(score, m) == _align_plain(score, m)


def _header_plain(tpl, lines):
    """extract.header_labels comparing every text whose length bound reaches the bar."""
    texts = list(dict.fromkeys(c.text for ln in lines if not ln.filled for c in ln.labels if len(c.text) <= 24))
    by_key = {}
    for x in texts:
        by_key.setdefault(N.label_key(x), x)
    out = {}
    for t, spec in tpl.tables.items():
        for ck, col in spec.columns.items():
            exact = next((by_key[k] for k in (N.label_key(f) for f in (col.label, *col.aliases)) if k in by_key),
                         None)
            if exact is not None:
                out[f"{t}/{ck}"] = N.clean(exact)
                continue
            best = max(((M.score_header(x, col.label, col.aliases), x) for x in by_key.values()), default=(0, ""))
            if best[0] >= 85:
                out[f"{t}/{ck}"] = N.clean(best[1])
    return out


def test_header_labels_planned_by_length_equal_comparing_every_text():
    rnd = random.Random(5)
    for tid in ("2019", "2021"):
        tpl = get(tid)
        words = [f for spec in tpl.tables.values() for c in spec.columns.values() for f in (c.label, *c.aliases)]
        words += [r.label for spec in tpl.tables.values() for r in spec.rows]
        for _ in range(60):
            texts = []
            for _ in range(rnd.randint(1, 12)):
                w = rnd.choice(words)
                cut = rnd.randint(0, 3)       # clipped, padded, with a stray character: near misses
                w = w[cut:] if rnd.random() < 0.5 else w[:len(w) - cut] or w
                if rnd.random() < 0.3:
                    w += rnd.choice("数量件合计（）")
                texts.append(w)
            cells = [Table.from_rows([[x]]).cells[0] for x in texts]
            lines = [Line(labels=[c], values=[]) for c in cells]
            assert E.header_labels(tpl, lines) == _header_plain(tpl, lines)


def _joint_plain(rows, idents):
    """Every choice of one candidate a row that satisfies every identity (brute force)."""
    by_key = {r.keys[0]: r for r in rows}
    slot = {k: {c.key: i for i, c in enumerate(r.cols)} for k, r in by_key.items()}
    involved = sorted({k for _, _, l, rr in idents for k in l + rr})
    sols = []
    for pick in product(*(range(len(by_key[k].cands)) for k in involved)):
        choice = dict(zip(involved, pick))
        if all(abs(sum(R._value(by_key[k].cands[choice[k]][slot[k][col]], by_key[k].cols[slot[k][col]])
                       for k in lhs) -
                   sum(R._value(by_key[k].cands[choice[k]][slot[k][col]], by_key[k].cols[slot[k][col]])
                       for k in rhs)) <= 1e-6
               for _, col, lhs, rhs in idents):
            sols.append(choice)
    return sols


def test_joint_choice_finds_exactly_the_brute_force_solutions():
    tpl = get("2019")
    spec = tpl.tables["requests"]
    cols = spec.row_columns(spec.rows[0])[:3]
    rnd = random.Random(3)
    for _ in range(150):
        keys = ["a", "b", "c", "d"][:rnd.randint(2, 4)]
        rows = []
        for k in keys:
            cands = [tuple(str(rnd.randint(0, 6)) for _ in cols) for _ in range(rnd.randint(1, 5))]
            rows.append(R.RunRow("requests", [k] * len(cols), list(cols), "", k, 100.0, [], cands=cands))
        idents = [("E", c.key, keys[:-1], keys[-1:]) for c in cols[:rnd.randint(1, len(cols))]]
        sols, capped = R._joint(rows, idents)
        assert not capped
        key = lambda s: sorted(s.items())   # noqa: E731
        assert sorted(sols, key=key) == sorted(_joint_plain(rows, idents), key=key)


def _narrow_plain(contrib, dom):
    """recover._narrow as first written: every identity read in every pass, every row by a list."""
    bounds = R._Bounds(contrib, dom)
    changed = True
    while changed:
        changed = False
        for e, d in enumerate(contrib):
            lo, hi = bounds.of(e)
            slo, shi = sum(lo.values()), sum(hi.values())
            for k in d:
                keep = [j for j in dom[k] if slo - lo[k] + d[k][j] <= 1e-6 and shi - hi[k] + d[k][j] >= -1e-6]
                if len(keep) < len(dom[k]):
                    bounds.narrow(k, keep)
                    changed = True


def test_narrowing_that_skips_unchanged_identities_equals_reading_all_each_pass():
    """Overlapping identities over rows of one candidate and of several, integer and decimal
    values (sums of decimals round), most with a planted choice that meets them all: the same
    domains, candidate for candidate."""
    rnd = random.Random(12)
    for case in range(3000):
        keys = [f"r{i}" for i in range(rnd.randint(2, 9))]
        n = {k: rnd.choice([1, 1, 1, 2, 3, 6]) for k in keys}
        planted = {k: rnd.randrange(n[k]) for k in keys}
        contrib = []
        for _ in range(rnd.randint(1, 6)):
            rows = rnd.sample(keys, rnd.randint(2, len(keys)))
            sign = {k: rnd.choice([1, -1]) for k in rows}
            pick = (lambda: rnd.randint(0, 9)) if case % 3 else (lambda: rnd.choice([0.1, 0.2, 0.3, 1.5, 2.25, 0.7]))
            d = {k: [sign[k] * pick() for _ in range(n[k])] for k in rows}
            if case % 5:     # the planted choice meets this identity
                last = rows[-1]
                d[last][planted[last]] = -sum(d[k][planted[k]] for k in rows[:-1])
            contrib.append(d)
        keys = sorted({k for d in contrib for k in d})
        dom = {k: list(range(n[k])) for k in keys}
        plain = {k: list(v) for k, v in dom.items()}
        touching = {k: [e for e, d in enumerate(contrib) if k in d] for k in keys}
        R._narrow(contrib, dom, touching, R._Bounds(contrib, dom))
        _narrow_plain(contrib, plain)
        assert dom == plain, case


def _chain_plain(t, rows, start):
    """recover._chain as first written: one walk over the rows for each start."""
    found: list = []
    pos, limit = start, None
    for r_idx, row in enumerate(rows):
        hit = R._find_label(t, R._forms(row), pos, len(t.norm) if limit is None else limit)
        if hit is None:
            continue
        q0, q1, score = hit
        n0 = R._numbering_start(t, q0, row)
        # the previous run may have swallowed this row's numbering ("…00000002.其他…")
        if found:
            cut = t.orig_end(n0) if n0 < q0 else None
            if cut is not None:
                pr, ps, pe, psc, pl = found[-1]
                if ps < cut < pe:
                    found[-1] = (pr, ps, cut, psc, pl)
        run = t.run_at(q1)
        rs, re_, _ = run
        label = t.text[t.idx[n0]:t.orig_end(q1)]
        found.append((r_idx, rs, re_, score, label))
        # the number just read may end in the next row's numbering: search on from the label end
        pos = q1
        limit = t.back(min(re_, len(t.text))) + R.WINDOW
    return found


def _scraped_texts():
    """Flattened generated reports (one line and many, labels misprinted, spaces in runs) and
    the corpus's scraped reports where ../shared holds them."""
    from reportgen import random_report
    from reportgen.flat import flatten
    for seed in range(30):
        rnd = random.Random(seed)
        rep = random_report(rnd, rnd.choice(["2019", "2021"]), blank_rate=0.0, noise=rnd.random() < 0.5)
        yield rep.template, flatten(rep, rnd.random() < 0.5, rnd, rnd.choice([0.0, 0.3]))
    corpus = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "reports"
    for name, tid in (("019_pingtan_syq_2019.txt", "2019"), ("021_pingtan_syq_2021.txt", "2021")):
        if (corpus / name).is_file():
            yield tid, (corpus / name).read_text(encoding="utf-8")


def test_chains_remembered_across_starts_equal_one_walk_per_start():
    checked = 0
    for tid, text in _scraped_texts():
        tpl = get(tid)
        t, plain = R._Text(text), R._Text(text)
        for spec in tpl.tables.values():
            if spec.recovery.mode != "rows":
                continue
            starts = {0, len(t.norm) // 3, max(0, len(t.norm) - 400)}
            for r in spec.rows[:3]:
                for f in R._forms(r):
                    p = t.norm.find(f)
                    while p >= 0:
                        starts |= {max(0, p - 8), p, p + 1}
                        p = t.norm.find(f, p + 1)
            for s in sorted(starts):
                got = R._chain(t, spec.rows, s)
                assert got == _chain_plain(plain, spec.rows, s), (tid, spec.key, s)
                checked += bool(got)
    assert checked > 100


def test_source_positions_are_immutable_and_print_as_before():
    p = SourcePos(line=3, start=4, end=9)
    assert str(p) == "line=3 chars=4-9" and str(p.shifted(1, 2)) == "line=3 chars=5-6"
    assert str(SourcePos(table=2, row=5, col=7)) == "table=2 row=5 col=7"
    try:
        p.line = 4
    except AttributeError:
        pass
    else:
        raise AssertionError("SourcePos must stay immutable")
    doc = parse_text("标题\n\n行政许可\t52\t3\n")
    assert str(doc.tables[0].cells[1].pos) == "line=3 chars=5-7"
    # made without the named tuple's __new__ call: the very tuple SourcePos(...) makes
    made = [doc.blocks[0].pos, doc.tables[0].cells[1].pos, p.shifted(1, 2)]
    want = [SourcePos(1, 0, 2), SourcePos(3, 5, 7), SourcePos(line=3, start=5, end=6)]
    assert made == want and all(type(x) is SourcePos and repr(x) == repr(y) for x, y in zip(made, want))
    assert [x._asdict() for x in made] == [y._asdict() for y in want]


def test_half_width_equals_one_replacement_per_occurrence():
    from pipeline import prose as P
    rnd = random.Random(2)
    alphabet = [chr(c) for c in range(0xFF00, 0xFF60)] + list("ab12 ，。件\u3000")
    for _ in range(3000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 40)))
        assert P.half_width(text) == P._FULL_WIDTH.sub(lambda m: P._HALF_WIDTH[m.group()], text)


def test_one_cell_per_line_counts_end_where_a_region_ends():
    from parsers import text as T
    lines = ["标题", "1", "2", "\t3", "| 4 |", "4", "这是一句很长的话" * 5 + "。", "5", "6", ""]
    plain = [0] * (len(lines) + 1)
    for j in range(len(lines) - 1, -1, -1):
        s = lines[j].strip()
        plain[j] = 0 if T._ends_dump(lines[j], s) else plain[j + 1] + T._is_numeric(s)
    assert T._numbers_ahead(lines) == plain


def test_cheap_number_test_never_rules_out_a_layout_number():
    from parsers import text as T
    for c in _ALL:
        for s in (c, c + "1"):     # c + "1" is a number whenever c can start one
            s = s.strip()
            if T._is_numeric(s):
                assert T._could_be_number(s), repr(s)
    for s in ("", "12", "-3", "—", "无", "１２", "٣", ".5", "1,234", "合计 3", "3 件"):
        assert T._could_be_number(s) or not T._is_numeric(s)


def test_numbers_ahead_equal_the_plain_count():
    from parsers import text as T

    def plain(lines):
        out = [0] * (len(lines) + 1)
        for j in range(len(lines) - 1, -1, -1):
            s = lines[j].strip()
            out[j] = 0 if T._ends_dump(lines[j], s) else out[j + 1] + T._is_numeric(s)
        return out
    rnd = random.Random(4)
    pool = ["", "12", " 7 ", "—", "无", "合计", "本年新收政府信息公开申请数量", "1,234元", "x" * 90, "\t3", "| a |",
            "说明。" * 12, "١٢", "/", "-5", "3件", ".5"]
    for _ in range(500):
        lines = [rnd.choice(pool) for _ in range(rnd.randint(0, 30))]
        assert T._numbers_ahead(lines) == plain(lines)


def test_match_notes_rival_is_the_first_best_other_row():
    from types import SimpleNamespace

    from pipeline.result import TableCells

    def plain(part, spec, ln, r, s, scores):
        rival = max(((x, o) for x, o in zip(scores, spec.rows) if o.key != spec.rows[r].key), key=lambda x: x[0])
        if rival[0] >= M.WEAK and rival[0] >= s - 3:
            part.note("info", spec.rows[r].key, "", f"ambiguous {rival[1].key} {rival[0]:.0f}", ln.page)

    def notes_of(fn, spec, r, s, scores):
        part = TableCells("requests")
        orig = part.note
        got = []
        part.note = lambda *a: got.append(a)     # noqa: E731
        fn(part, spec, SimpleNamespace(label="x", page=None), r, s, scores)
        part.note = orig
        return [a for a in got if a[3].startswith("ambiguous")]

    spec = get("2019").tables["requests"]
    rnd = random.Random(8)
    for _ in range(400):
        scores = [rnd.choice([0.0, 61.0, 70.0, 88.0, 90.0]) for _ in spec.rows]
        r = rnd.randrange(len(spec.rows))
        s = rnd.choice([70.0, 90.0, 100.0])
        got = [(a[1], a[3].split("and ")[1].split("(")[0]) for a in notes_of(E.match_notes, spec, r, s, scores)]
        want = [(a[1], a[3].split()[1]) for a in notes_of(plain, spec, r, s, scores)]
        assert [g[0] for g in got] == [w[0] for w in want]
        for (_, label), (_, key) in zip(got, want):
            assert label.strip().strip("'") == spec.row(key).label


def test_lines_built_by_position_name_the_fields_they_mean():
    import dataclasses

    from pipeline.lines import Line
    assert [f.name for f in dataclasses.fields(Line)][:10] == ["labels", "values", "context", "block", "index", "grid",
                                                              "text", "doubt", "positional", "ordered"]


def test_row_split_from_the_end_equals_the_scan_from_the_start():
    from parsers.model import Cell
    from pipeline import lines as LN

    def plain(cells):
        last_text = -1
        for k, c in enumerate(cells):
            if not LN._is_value(c):
                last_text = k
        return cells[:last_text + 1], cells[last_text + 1:]
    rnd = random.Random(12)
    pool = ["", "12", "—", "合计", "行政许可", "3件", "见附件", " ", "0"]
    for _ in range(500):
        cells = [Cell(rnd.choice(pool), 0, k) for k in range(rnd.randint(0, 9))]
        assert LN._split_row(cells) == plain(cells)


def test_rounded_score_is_round_of_it():
    """extract._rounded (kept results) gives round(score, 1), its type and its sign, for
    scores met again and not: floats, ints, zeros of both signs."""
    import math
    from pipeline import extract as E
    scores = [97.55, 100.0, 0.0, -0.0, 0.04, -0.04, 100, 85, 33.333333, 1e-9, 99.95] * 2
    for s in scores:
        got, want = E._rounded(s), round(s, 1)
        assert (got, type(got), math.copysign(1, got)) == (want, type(want), math.copysign(1, want)), s
