"""A row's numbers placed by position, checked against the template's row identities.

When a row prints fewer numbers than it has columns (blank cells), which column each number
belongs to was decided by positions — weak evidence in whitespace layouts. A placement that
breaks a row identity (E3: the applicant columns add up to 总计) while another order-preserving
placement of the same numbers satisfies it is not certain: the caller leaves the row empty and
logs the candidates.
"""
from __future__ import annotations

from itertools import combinations
from typing import Optional

from . import values as V
from .templates import Template

MAX_CANDIDATES = 200     # placements tried at most (7 columns, 3 blanks: 35)


def _row_identities(tpl: Template, table: str, keys: list[str]):
    return [i for i in tpl.identities if i.table == table and i.over == "rows"
            and set(i.lhs) | set(i.rhs) <= set(keys)]


def _holds(idents, placed: dict[str, float]) -> bool:
    return all(abs(sum(placed.get(k, 0.0) for k in i.lhs) - sum(placed.get(k, 0.0) for k in i.rhs)) < 1e-9
               for i in idents)


def placement_doubt(tpl: Template, table: str, cols: list, cells: list) -> Optional[str]:
    """Given the row's columns and its value cells as placed (one per column, blanks included),
    return why the placement is not certain, or None. Only rows with blank cells are judged."""
    keys = [c.key for c in cols]
    idents = _row_identities(tpl, table, keys)
    filled = [(k, c) for k, c in enumerate(cells) if not V.is_blank(c.text)]
    if not idents or len(filled) == len(cols) or not filled:
        return None
    nums = []
    for k, c in filled:
        v = V.parse(c.text, cols[k].kind)
        if not v.ok or v.value is None:
            return None
        nums.append(v.value)
    current = {keys[k]: x for (k, _), x in zip(filled, nums)}
    if _holds(idents, current):
        return None
    others = []
    for n, spots in enumerate(combinations(range(len(cols)), len(nums))):
        if n >= MAX_CANDIDATES:
            break
        placed = {keys[k]: x for k, x in zip(spots, nums)}
        if placed != current and _holds(idents, placed):
            others.append(spots)
    if not others:
        return None     # no placement satisfies it: the report's own arithmetic, kept as printed
    names = " | ".join(",".join(cols[k].label for k in spots) for spots in others[:3])
    return (f"the numbers {' '.join(c.text for _, c in filled)} placed by position break "
            f"{'/'.join(i.id for i in idents)}, which placing them under {names} would satisfy")
