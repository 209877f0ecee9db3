"""Flatten generated reports the way a scraper does: every table row becomes its cell texts
run together with no separator (`一、本年新收政府信息公开申请数量640020470`), optionally with a
single space left between some cells (`（七）总计23 0 00 0 023`)."""
from __future__ import annotations

import random
import re
from typing import Optional

from . import OUTRO, GenReport, grid_tables, prose

FILLERS = {"—", "-", "/", "无"}
_NUM = re.compile(r"[+-]?\d+(?:\.\d+)?(?:万元|元)?")


def _cell(text: str) -> str:
    return "0" if text in FILLERS else text


def flat_rows(rep: GenReport, rng: Optional[random.Random] = None, space_rate: float = 0.0) -> list[str]:
    """One string per grid row. The printed digit run of each value row is kept in
    `rep.flat_runs[(table, first row key)]` for oracles."""
    out = []
    runs: dict = {}
    for heading, rows in grid_tables(rep):
        out.append(heading)
        for row in rows:
            texts = [_cell(c.text) for c in row]
            nums = [k for k, t in enumerate(texts) if _NUM.fullmatch(t)]
            line = ""
            for k, t in enumerate(texts):
                if k > 0 and k in nums and k - 1 in nums and rng is not None and rng.random() < space_rate:
                    line += " "
                line += t
            out.append(line)
            if nums:
                runs[len(runs)] = line[len("".join(texts[:nums[0]])):]
    rep.flat_runs = runs
    return out


def flatten(rep: GenReport, one_line: bool = True, rng: Optional[random.Random] = None,
            space_rate: float = 0.0) -> str:
    """The report as scraped text: one huge paragraph (one_line) or one line per table row."""
    title, intro = prose(rep)
    parts = [title, *intro, *flat_rows(rep, rng, space_rate), *OUTRO]
    return "".join(parts) if one_line else "\n".join(parts)
