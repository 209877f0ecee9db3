"""Readers: one per input format, each turning a file into the neutral `Document`.

`read(source, fmt=None)` takes a path or the file's bytes, detects the format from its first
bytes (then its name) and hands it to the reader that reads it; a reader raises `ReadError`
with a one-line reason for input it cannot read. The readers are declared in `formats`
(detector and router), their contract is in `contract`; shared pieces: `model` (the Document),
`shapes` (what numbers, fillers, enumeration marks look like), `glyphs` (radical repair),
`encoding` (bytes → text), `webpage` (web-page bytes), `html_grid` (span grids). Nothing here
imports the pipeline.
"""
from __future__ import annotations

from .formats import FORMATS, detect, detect_format, read
from .model import Cell, Document, Paragraph, ReadError, Table

__all__ = ["read", "detect", "detect_format", "FORMATS", "Cell", "Document", "Paragraph", "ReadError", "Table"]
