"""Ruled tables: edges → merged edges → intersections → cells → tables, then each cell's text.

The finder is pdfplumber's `TableFinder` with the "lines" strategy on both axes and its default
tolerances (pdfplumber/table.py, MIT licence), ported step for step so that it finds the same
cells in the same order, without importing pdfplumber (and pdfminer) at all; only the searches
are indexed (points below and right of a point, the edges at a point as sets).
"""
from __future__ import annotations

import bisect
import itertools
from operator import itemgetter
from typing import Optional

from .items import Box, Char, PageTable
from .lines import cell_text
from .settings import DEFAULT, PdfSettings


class FinderSettings:
    """pdfplumber's table-finder defaults (TableSettings), in points (a plain class: a dataclass
    costs the importing process its generated methods)."""
    __slots__ = ("snap", "join", "min_length", "min_length_prefilter", "intersection")

    def __init__(self, snap: float = 3.0, join: float = 3.0, min_length: float = 3.0,
                 min_length_prefilter: float = 1.0, intersection: float = 3.0):
        self.snap = snap                  # edges within this of one another snap to their average position
        self.join = join                  # collinear edges with gaps up to this are one edge
        self.min_length = min_length      # merged edges shorter than this are dropped
        self.min_length_prefilter = min_length_prefilter   # edges shorter than this are not looked at
        self.intersection = intersection  # a vertical and a horizontal edge this close intersect


FINDER = FinderSettings()


# Inside the finder an edge is a tuple (x0, top, x1, bottom, length): its box and its length as
# pdfplumber carries it (the height or width it was made with, grown by joins), vertical and
# horizontal edges in lists of their own. Snapping and joining are pdfplumber's float steps
# exactly (a snapped x0 is x0 + (average - x0), not the average), so the same cells come out.
_X0, _TOP, _X1, _BOTTOM, _LENGTH = range(5)


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


def _snap(edges: list[tuple], at: int, tol: float) -> list[tuple]:
    """Given edges of one orientation, return them moved to their cluster's average position
    (`at`: x0 for vertical edges, top for horizontal ones; the far side moves along), clusters
    in position order and input order within a cluster (pdfplumber's snap_objects)."""
    groups = _cluster_list(list({e[at] for e in edges}), tol)
    index = {v: i for i, group in enumerate(groups) for v in group}
    clusters: list[list[tuple]] = [[] for _ in groups]
    for e in edges:
        clusters[index[e[at]]].append(e)
    out = []
    for cluster in clusters:
        avg = sum(e[at] for e in cluster) / len(cluster)
        for e in cluster:
            d = avg - e[at]
            out.append((e[0] + d, e[1], e[2] + d, e[3], e[4]) if at == _X0 else (e[0], e[1] + d, e[2], e[3] + d, e[4]))
    return out


def _join(group: list[tuple], horizontal: bool, tol: float) -> list[tuple]:
    """Given collinear edges, return them joined where the gap is at most `tol` (a horizontal
    edge's length becomes x1 - x0; a vertical one's grows by what its bottom grew, as
    pdfplumber computes them)."""
    lo, hi = (_X0, _X1) if horizontal else (_TOP, _BOTTOM)
    ordered = sorted(group, key=itemgetter(lo))
    joined = [ordered[0]]
    for e in ordered[1:]:
        last = joined[-1]
        if e[lo] <= last[hi] + tol:
            if e[hi] > last[hi]:
                if horizontal:
                    joined[-1] = (last[0], last[1], e[2], last[3], e[2] - last[0])
                else:
                    joined[-1] = (last[0], last[1], last[2], e[3], last[4] + (e[3] - last[3]))
        else:
            joined.append(e)
    return joined


def _finder_edges(edges: list[dict], min_length: float) -> tuple[list[tuple], list[tuple]]:
    """Given ruling edges (pdfplumber's dict shape), return (vertical, horizontal) finder
    tuples of those at least `min_length` long."""
    vs, hs = [], []
    for e in edges:
        if e["orientation"] == "v":
            if e["height"] >= min_length:
                vs.append((e["x0"], e["top"], e["x1"], e["bottom"], e["height"]))
        elif e["orientation"] == "h" and e["width"] >= min_length:
            hs.append((e["x0"], e["top"], e["x1"], e["bottom"], e["width"]))
    return vs, hs


def merged_edges(edges: list[dict], f: FinderSettings = FINDER) -> tuple[list[tuple], list[tuple]]:
    """Given ruling edges, return (vertical, horizontal) edges snapped, joined and filtered by
    length (pdfplumber's get_edges for the "lines" strategy), each list in pdfplumber's order."""
    v, h = _finder_edges(edges, f.min_length_prefilter)
    out = []
    for snapped, at, horizontal in ((_snap(h, _TOP, f.snap), _TOP, True), (_snap(v, _X0, f.snap), _X0, False)):
        by_pos: dict[float, list[tuple]] = {}
        for e in snapped:
            by_pos.setdefault(e[at], []).append(e)
        joined = [j for pos in sorted(by_pos) for j in _join(by_pos[pos], horizontal, f.join)]
        out.append([e for e in joined if e[_LENGTH] >= f.min_length])
    hs, vs = out
    return vs, hs


def intersections(merged: tuple[list[tuple], list[tuple]], f: FinderSettings = FINDER) -> dict:
    """Given merged (vertical, horizontal) edges, return {(x, y): (boxes of the vertical edges,
    boxes of the horizontal edges)} where a vertical and a horizontal edge meet within
    `intersection` points."""
    tol = f.intersection
    out: dict = {}
    vs = sorted(merged[0], key=itemgetter(_X0, _TOP))
    hs = sorted(merged[1], key=itemgetter(_TOP, _X0))
    tops = [h[_TOP] for h in hs]
    margin = tol + 1.0    # a superset of the rows the test below can accept, found by bisection
    for v in vs:
        x, vtop, vbottom = v[_X0], v[_TOP], v[_BOTTOM]
        vbox = v[:4]
        # the horizontal edges near the vertical one's span, in the same order as all of them
        for h in hs[bisect.bisect_left(tops, vtop - margin):bisect.bisect_right(tops, vbottom + margin)]:
            y = h[_TOP]
            if vtop <= y + tol and vbottom >= y - tol and h[_X0] - tol <= x <= h[_X1] + tol:
                at = out.get((x, y))
                if at is None:
                    at = out[(x, y)] = (set(), set())
                at[0].add(vbox)
                at[1].add(h[:4])
    return out


def cells(points: dict) -> list[Box]:
    """Given intersections, return the smallest rectangles whose four corners are intersections
    joined by edges, one per top-left corner, in corner order."""
    vset = {p: at[0] for p, at in points.items()}
    hset = {p: at[1] for p, at in points.items()}
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


def _corners(b: Box) -> tuple:
    return (b[0], b[1]), (b[0], b[3]), (b[2], b[1]), (b[2], b[3])


def _components(cells_: list[Box]) -> list[list[int]]:
    """Given cells, return the indexes of each group of cells connected through shared
    corners, each group in index order, groups in the order of their first cell."""
    parent = list(range(len(cells_)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i
    owner: dict = {}
    for i, cell in enumerate(cells_):
        for corner in _corners(cell):
            j = owner.setdefault(corner, i)
            a, b = root(i), root(j)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for i in range(len(cells_)):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def _pass_order(cells_: list[Box], members: list[int]) -> list[Box]:
    """Given cells and the indexes of one connected group, return the group's cells in the
    order pdfplumber's cells_to_tables adds them: passes over the cells not yet taken, in
    index order, each taking the cells that touch a corner taken so far."""
    taken: set = set(_corners(cells_[members[0]]))
    out = [cells_[members[0]]]
    rest = members[1:]
    while rest:
        left = []
        for i in rest:
            cc = _corners(cells_[i])
            if taken.isdisjoint(cc):
                left.append(i)
            else:
                taken.update(cc)
                out.append(cells_[i])
        rest = left
    return out


def tables(cells_: list[Box]) -> list[list[Box]]:
    """Given cells, return the groups of cells that touch at corners (tables), top to bottom
    then left to right, groups of one cell left out (pdfplumber's cells_to_tables: the same
    groups with their cells in the same order, found through a corner index instead of
    repeated passes over all cells)."""
    out = [_pass_order(cells_, members) for members in _components(cells_) if len(members) > 1]
    out.sort(key=lambda t: min((c[1], c[0]) for c in t))
    return out


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
        xs = {round(x, 1) for x in {c[0] for c in group} | {c[2] for c in group}}
        ys = {round(y, 1) for y in {c[1] for c in group} | {c[3] for c in group}}
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
