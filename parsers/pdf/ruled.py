"""Ruled tables: edges → merged edges → intersections → cells → tables, then each cell's text.

The finder is pdfplumber's `TableFinder` with the "lines" strategy on both axes and its default
tolerances (pdfplumber/table.py, MIT licence), ported step for step so that it finds the same
cells in the same order, without importing pdfplumber (and pdfminer) at all; only the searches
are indexed (points below and right of a point, the edges at a point as sets).
"""
from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass
from operator import itemgetter
from typing import Optional

from .items import Box, Char, PageTable
from .lines import cell_text
from .settings import DEFAULT, PdfSettings


@dataclass(frozen=True)
class FinderSettings:
    """pdfplumber's table-finder defaults (TableSettings), in points."""
    snap: float = 3.0            # edges within this of one another snap to their average position
    join: float = 3.0            # collinear edges with gaps up to this are one edge
    min_length: float = 3.0      # merged edges shorter than this are dropped
    min_length_prefilter: float = 1.0   # edges shorter than this are not looked at
    intersection: float = 3.0    # a vertical and a horizontal edge this close intersect


FINDER = FinderSettings()


def _cluster_list(xs: list[float], tol: float) -> list[list[float]]:
    """Given values, return them sorted in chains whose neighbours are at most `tol` apart."""
    if tol == 0 or len(xs) < 2:
        return [[x] for x in sorted(xs)]
    groups, xs = [], sorted(xs)
    current, last = [xs[0]], xs[0]
    for x in xs[1:]:
        if x <= last + tol:
            current.append(x)
        else:
            groups.append(current)
            current = [x]
        last = x
    groups.append(current)
    return groups


def _cluster_objects(objs: list[dict], key: str, tol: float) -> list[list[dict]]:
    """Given edges, return them grouped by chained clusters of their `key` value (cluster order;
    within a cluster, input order)."""
    index = {v: i for i, group in enumerate(_cluster_list(list({o[key] for o in objs}), tol)) for v in group}
    tagged = sorted(((o, index[o[key]]) for o in objs), key=itemgetter(1))
    return [[o for o, _ in grp] for _, grp in itertools.groupby(tagged, key=itemgetter(1))]


def _snap(objs: list[dict], key: str, tol: float) -> list[dict]:
    """Given edges of one orientation, return them moved to their cluster's average `key`
    (x0 for vertical edges, top for horizontal ones), as pdfplumber's move_object computes it."""
    out = []
    for cluster in _cluster_objects(objs, key, tol):
        avg = sum(o[key] for o in cluster) / len(cluster)
        ends = ("x0", "x1") if key == "x0" else ("top", "bottom")
        for o in cluster:
            d = avg - o[key]
            out.append({**o, ends[0]: o[ends[0]] + d, ends[1]: o[ends[1]] + d})
    return out


def _join(group: list[dict], orientation: str, tol: float) -> list[dict]:
    """Given collinear edges, return them joined where the gap is at most `tol`."""
    lo, hi = ("x0", "x1") if orientation == "h" else ("top", "bottom")
    ordered = sorted(group, key=itemgetter(lo))
    joined = [ordered[0]]
    for e in ordered[1:]:
        last = joined[-1]
        if e[lo] <= last[hi] + tol:
            if e[hi] > last[hi]:
                grown = {**last, hi: e[hi]}
                if hi == "x1":
                    grown["width"] = e[hi] - last["x0"]
                else:
                    grown["height"] = last["height"] + (e[hi] - last[hi])
                joined[-1] = grown
        else:
            joined.append(e)
    return joined


def merged_edges(edges: list[dict], f: FinderSettings = FINDER) -> list[dict]:
    """Given ruling edges, return them snapped, joined and filtered by length (pdfplumber's
    get_edges for the "lines" strategy)."""
    long_enough = lambda e, n: e["height" if e["orientation"] == "v" else "width"] >= n
    v = [e for e in edges if e["orientation"] == "v" and long_enough(e, f.min_length_prefilter)]
    h = [e for e in edges if e["orientation"] == "h" and long_enough(e, f.min_length_prefilter)]
    snapped = _snap(v, "x0", f.snap) + _snap(h, "top", f.snap)
    group = lambda e: ("h", e["top"]) if e["orientation"] == "h" else ("v", e["x0"])
    out = [e for k, grp in itertools.groupby(sorted(snapped, key=group), key=group)
           for e in _join(list(grp), k[0], f.join)]
    return [e for e in out if long_enough(e, f.min_length)]


def intersections(edges: list[dict], f: FinderSettings = FINDER) -> dict:
    """Given merged edges, return {(x, y): {"v": edges, "h": edges}} where a vertical and a
    horizontal edge meet within `intersection` points."""
    tol = f.intersection
    out: dict = {}
    vs = sorted((e for e in edges if e["orientation"] == "v"), key=itemgetter("x0", "top"))
    hs = sorted((e for e in edges if e["orientation"] == "h"), key=itemgetter("top", "x0"))
    tops = [h["top"] for h in hs]
    margin = tol + 1.0    # a superset of the rows the test below can accept, found by bisection
    for v in vs:
        # the horizontal edges near the vertical one's span, in the same order as all of them
        for h in hs[bisect.bisect_left(tops, v["top"] - margin):bisect.bisect_right(tops, v["bottom"] + margin)]:
            if v["top"] <= h["top"] + tol and v["bottom"] >= h["top"] - tol \
                    and h["x0"] - tol <= v["x0"] <= h["x1"] + tol:
                at = out.setdefault((v["x0"], h["top"]), {"v": [], "h": []})
                at["v"].append(v)
                at["h"].append(h)
    return out


def _bbox(e: dict) -> Box:
    return e["x0"], e["top"], e["x1"], e["bottom"]


def cells(points: dict) -> list[Box]:
    """Given intersections, return the smallest rectangles whose four corners are intersections
    joined by edges, one per top-left corner, in corner order."""
    vset = {p: {_bbox(e) for e in at["v"]} for p, at in points.items()}
    hset = {p: {_bbox(e) for e in at["h"]} for p, at in points.items()}
    ordered = sorted(points)
    by_y: dict[float, list] = {}
    for p in ordered:
        by_y.setdefault(p[1], []).append(p)
    rank = {p: k for ys in by_y.values() for k, p in enumerate(ys)}
    n = len(ordered)
    col_end = [n] * n           # past the last point with the same x (points sorted by x, y)
    for i in range(n - 2, -1, -1):
        col_end[i] = col_end[i + 1] if ordered[i + 1][0] == ordered[i][0] else i + 1
    out = []
    for i in range(n - 1):
        pt = ordered[i]
        row = by_y[pt[1]]
        cell = _smallest_cell(pt, ordered, i + 1, col_end[i], row, rank[pt] + 1, vset, hset)
        if cell:
            out.append(cell)
    return out


def _smallest_cell(pt, ordered, lo, hi, row, first, vset, hset) -> Optional[Box]:
    """The first corner below (ordered[lo:hi], same x) and right (row[first:], same y) of `pt`
    that closes a rectangle of edges: a point below shares a vertical edge with `pt`, one to the
    right a horizontal edge, and their far corner shares those with each of them."""
    vp, hp = vset[pt], hset[pt]
    for k in range(lo, hi):
        b = ordered[k]
        if vp.isdisjoint(vset[b]):
            continue
        hb = hset[b]
        for m in range(first, len(row)):
            r = row[m]
            if hp.isdisjoint(hset[r]):
                continue
            corner = (r[0], b[1])
            vc = vset.get(corner)
            if vc is not None and not vc.isdisjoint(vset[r]) and not hset[corner].isdisjoint(hb):
                return pt[0], pt[1], corner[0], corner[1]
    return None


def tables(cells_: list[Box]) -> list[list[Box]]:
    """Given cells, return the groups of cells that touch at corners (tables), top to bottom
    then left to right, groups of one cell left out."""
    corners = lambda b: ((b[0], b[1]), (b[0], b[3]), (b[2], b[1]), (b[2], b[3]))
    remaining = list(cells_)
    current_corners: set = set()
    current: list[Box] = []
    out = []
    while remaining:
        before = len(current)
        for cell in list(remaining):
            cc = corners(cell)
            if not current or not current_corners.isdisjoint(cc):
                current_corners |= set(cc)
                current.append(cell)
                remaining.remove(cell)
        if len(current) == before:
            out.append(list(current))
            current_corners.clear()
            current.clear()
    if current:
        out.append(list(current))
    out.sort(key=lambda t: min((c[1], c[0]) for c in t))
    return [t for t in out if len(t) > 1]


def cell_groups(edges: list[dict]) -> list[list[Box]]:
    """Given a page's ruling edges, return the cell boxes of each table they draw."""
    return tables(cells(intersections(merged_edges(edges))))


def _cluster(values, tol: float) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tol:
            out.append(v)
    return out


def table_groups(edges: list[dict], s: PdfSettings = DEFAULT) -> list[list[Box]]:
    """Given a page's edges, return the cell groups that are tables: a frame with fewer than 3
    column edges or 2 row edges is around prose (one row may be the end of a table)."""
    out = []
    for group in cell_groups(edges):
        xs = {round(c[0], 1) for c in group} | {round(c[2], 1) for c in group}
        ys = {round(c[1], 1) for c in group} | {round(c[3], 1) for c in group}
        if len(_cluster(xs, s.snap_same_page)) >= 3 and len(_cluster(ys, s.snap_same_page)) >= 2:
            out.append(group)
    return out


def ruled_tables(groups: list[list[Box]], chars: list[Char], number: int, s: PdfSettings = DEFAULT) -> list[PageTable]:
    """Given a page's table cell groups and glyphs, return its ruled tables with their cells' texts."""
    out = []
    for group in groups:
        texts = assign(group, chars, s)
        bbox = (min(c[0] for c in group), min(c[1] for c in group), max(c[2] for c in group), max(c[3] for c in group))
        out.append(PageTable(number, list(zip([tuple(c) for c in group], texts)), bbox, "lines"))
    return out


def assign(boxes: list[Box], chars: list[Char], s: PdfSettings = DEFAULT) -> list[str]:
    """Given cell boxes and glyphs, return each cell's text: a glyph goes to the first cell (in
    top, left order) that holds its centre. Cells are grouped by their top, so a glyph looks
    only at groups that start above it and reach down to it (found by bisection: the groups'
    tops, and the lowest bottom of the groups up to each one, never decrease)."""
    buckets: list[list[Char]] = [[] for _ in boxes]
    order = sorted(range(len(boxes)), key=lambda i: (boxes[i][1], boxes[i][0]))
    tops: list[float] = []            # groups of cells by top, in top order
    lows: list[float] = []            # each group's lowest bottom
    members: list[list] = []          # each group's (index, x0, x1, bottom) in left order
    for i in order:
        x0, top, x1, bottom = boxes[i]
        if tops and tops[-1] == top:
            lows[-1] = max(lows[-1], bottom)
            members[-1].append((i, x0, x1, bottom))
        else:
            tops.append(top)
            lows.append(bottom)
            members.append([(i, x0, x1, bottom)])
    reach = list(itertools.accumulate(lows, max))
    first, last = bisect.bisect_left, bisect.bisect_right
    for c in chars:
        cx, cy = (c.x0 + c.x1) / 2, (c.top + c.bottom) / 2
        home = None
        for g in range(first(reach, cy), last(tops, cy)):
            if lows[g] < cy:
                continue
            for i, x0, x1, bottom in members[g]:
                if x0 <= cx <= x1 and cy <= bottom:
                    home = i
                    break
            if home is not None:
                buckets[home].append(c)
                break
    return [cell_text(b, s) for b in buckets]
