"""The PDF reader's tolerances, in one place. Lengths are PDF points unless said to be ems (the
median glyph height of the line at hand); shares are fractions."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PdfSettings:
    # ---- which pages are looked at closely
    min_table_lines: int = 3          # lines with ≥ 2 numbers that make a page a table candidate
    min_ruling_edges: int = 6         # or this many ruling segments
    bad_glyph_share: float = 0.3      # share of undecodable glyphs that makes a page unusable
    # ---- characters and edges
    edge_max_thickness: float = 3.0   # a filled rect thinner than this is a ruling line
    axis_tolerance: float = 0.5       # a segment this close to level (plumb) is horizontal (vertical)
    dedupe_tolerance: float = 1.0     # the same glyph again within this distance: a fake-bold double
    frame_end_tolerance: float = 1.0  # vertical rules ending within this of each other end one frame
    frame_cover_tolerance: float = 2.0   # a horizontal rule this close covers a frame's missing side
    # ---- text of a cell or line
    char_gap: float = 3.0             # a horizontal gap wider than this between glyphs is a space
    line_join_min: float = 2.0        # glyphs whose centres differ by at most max(this,
    line_join_share: float = 0.4      # ... this share of the glyph height) are on one line
    # ---- grids from cell edges and joining across pages
    snap_same_page: float = 1.0       # cell edges closer than this are one grid line
    snap_cross_page: float = 4.0      # column edges of a continuation may move this much
    inner_edge_match: float = 2.5     # an inner column edge of one part found in the other within this
    inner_edge_share: float = 0.8     # ... for this share of the part's inner edges
    # ---- tables without ruling lines (word grid), in ems
    baseline_share: float = 0.25      # glyphs whose baselines differ by this share of their height: one line
    word_gap: float = 0.6             # a horizontal gap wider than this separates two words (cells)
    cell_leading: float = 0.6         # lines of one cell: vertical gap at most this
    region_gap: float = 2.0           # a vertical gap wider than this ends a table region
    band_overlap: float = 0.1         # a word overlapping a band by more than this belongs to it
    label_gap: float = 1.2            # a single-word band this close to a table region joins it
    size_share: float = 0.2           # ... when its type size is within this share of the region's
    prose_share: float = 0.5          # a band wider than this share of the page is prose
    row_share: float = 0.5            # values whose centres differ by at most this are one value row
    anchor: float = 0.25              # a line belongs to a value row it overlaps by this share of its height
    strong_anchor: float = 0.6        # ... and is that row's own line when it overlaps it this much
    head_row_share: float = 0.5       # header blocks whose tops differ by at most this are one row
    min_grid_texts: int = 4           # a word grid with fewer non-empty cells is not a table


DEFAULT = PdfSettings()
