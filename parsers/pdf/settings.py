"""The PDF reader's tolerances, in one place. Lengths are PDF points unless said to be ems (the
median glyph height of the line at hand); shares are fractions."""
from __future__ import annotations

# name → default, in argument order
_DEFAULTS = {
    # ---- which pages are looked at closely
    "min_table_lines": 3,        # lines with ≥ 2 numbers that make a page a table candidate
    "min_ruling_edges": 6,       # or this many ruling segments
    "bad_glyph_share": 0.3,      # share of undecodable glyphs that makes a page unusable
    # ---- characters and edges
    "edge_max_thickness": 3.0,   # a filled rect thinner than this is a ruling line
    "axis_tolerance": 0.5,       # a segment this close to level (plumb) is horizontal (vertical)
    "dedupe_tolerance": 1.0,     # the same glyph again within this distance: a fake-bold double
    "frame_end_tolerance": 1.0,  # vertical rules ending within this of each other end one frame
    "frame_cover_tolerance": 2.0,# a horizontal rule this close covers a frame's missing side
    # ---- text of a cell or line
    "char_gap": 3.0,             # a horizontal gap wider than this between glyphs is a space
    "line_join_min": 2.0,        # glyphs whose centres differ by at most max(this,
    "line_join_share": 0.4,      # ... this share of the glyph height) are on one line
    # ---- grids from cell edges and joining across pages
    "snap_same_page": 1.0,       # cell edges closer than this are one grid line
    "snap_cross_page": 4.0,      # column edges of a continuation may move this much
    "inner_edge_match": 2.5,     # an inner column edge of one part found in the other within this
    "inner_edge_share": 0.8,     # ... for this share of the part's inner edges
    # ---- tables without ruling lines (word grid), in ems
    "baseline_share": 0.25,      # glyphs whose baselines differ by this share of their height: one line
    "word_gap": 0.6,             # a horizontal gap wider than this separates two words (cells)
    "cell_leading": 0.6,         # lines of one cell: vertical gap at most this
    "region_gap": 2.0,           # a vertical gap wider than this ends a table region
    "band_overlap": 0.1,         # a word overlapping a band by more than this belongs to it
    "label_gap": 1.2,            # a single-word band this close to a table region joins it
    "size_share": 0.2,           # ... when its type size is within this share of the region's
    "prose_share": 0.5,          # a band wider than this share of the page is prose
    "row_share": 0.5,            # values whose centres differ by at most this are one value row
    "anchor": 0.25,              # a line belongs to a value row it overlaps by this share of its height
    "strong_anchor": 0.6,        # ... and is that row's own line when it overlaps it this much
    "head_row_share": 0.5,       # header blocks whose tops differ by at most this are one row
    "min_grid_texts": 4,         # a word grid with fewer non-empty cells is not a table
}


class PdfSettings:
    """The tolerances above: each a field, the defaults overridden by arguments (keywords, or
    positions in the order above). Frozen, compared and hashed by value, shown as a dataclass
    is; a plain class with __slots__ because a frozen dataclass of this many fields costs an
    importing process some 15 M instructions (its methods generated and compiled)."""
    __slots__ = tuple(_DEFAULTS)

    def __init__(self, *args, **overrides):
        names = self.__slots__
        if len(args) > len(names):
            raise TypeError(f"PdfSettings takes at most {len(names)} positional arguments")
        given = dict(zip(names, args))
        for k, v in overrides.items():
            if k not in _DEFAULTS or k in given:
                raise TypeError(f"PdfSettings got an unexpected or repeated argument {k!r}")
            given[k] = v
        for k, v in _DEFAULTS.items():
            object.__setattr__(self, k, given.get(k, v))

    def __setattr__(self, name, value):
        from dataclasses import FrozenInstanceError
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    __delattr__ = __setattr__

    def _values(self) -> tuple:
        return tuple(getattr(self, k) for k in self.__slots__)

    def __eq__(self, other):
        return self._values() == other._values() if other.__class__ is self.__class__ else NotImplemented

    def __hash__(self):
        return hash(self._values())

    def __repr__(self) -> str:
        return f"PdfSettings({', '.join(f'{k}={getattr(self, k)!r}' for k in self.__slots__)})"


DEFAULT = PdfSettings()
