"""Generated reports whose requests table has columns empty on one page and printed on the
next, for `pdftotext -layout` fixtures (poppler compacts empty columns page by page, so a
column's character position moves between pages: issue 10 item 1)."""
from __future__ import annotations

import random

from pipeline import templates as T

from . import APPLICANT_COLS, GenReport, random_report


def paged_blanks(seed: int, template: str, blank_cols: tuple[str, ...] = ("research", "social_org"),
                 split: float = 0.5) -> GenReport:
    """A valid report whose requests rows in the first part (`split` of the rows) print the
    `blank_cols` as empty cells (value 0 there, printed blank), while the later rows print them
    with numbers: the columns are empty on the first page and filled on the next."""
    rng = random.Random(seed)
    rep = random_report(rng, template=template, blank_rate=0.0)
    keys = [r.key for r in T.get(template).tables["requests"].rows]   # in printed order
    cut = int(len(keys) * split)
    for k, row in enumerate(keys):
        for col in blank_cols:
            if k < cut:
                new, text = None, ""
            else:
                new = rng.randint(1, 40)
                text = str(new)
            rep.values[("requests", row, col)] = new
            rep.printed[("requests", row, col)] = text
    _rebalance(rep, keys, T.get(template).result_rows())
    return rep


def _rebalance(rep: GenReport, keys: list[str], results: list[str]) -> None:
    """Keep E1/E2 true after the changes: the processed total and carried-forward rows are the
    sums the identities require, per column."""
    for col in APPLICANT_COLS:
        v = lambda r: rep.values[("requests", r, col)] or 0
        processed = sum(v(r) for r in results)
        forward = v("new_received") + v("carried_over") - processed
        if forward < 0:
            rep.values[("requests", "new_received", col)] = v("new_received") - forward
            rep.printed[("requests", "new_received", col)] = str(rep.values[("requests", "new_received", col)])
            forward = 0
        for r, x in (("total_processed", processed), ("carried_forward", forward)):
            rep.values[("requests", r, col)] = x
            rep.printed[("requests", r, col)] = str(x)
    for r in keys:   # E3: the total column is the sum of the applicant columns
        tot = sum(rep.values[("requests", r, c)] or 0 for c in APPLICANT_COLS)
        rep.values[("requests", r, "total")] = tot
        rep.printed[("requests", r, "total")] = str(tot)
