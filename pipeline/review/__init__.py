"""The review site of a run (`ogi review OUT_DIR`): every report's tables beside its source.

`build_site(out_dir, everything=False)` writes OUT_DIR/review/, a static site that opens from
the file system: index.html lists every report; report.html#<report_id> shows one report's
tables coloured by each cell's state, its failed identities and log, and the source (PDF page
image with boxes, text lines, or the HTML/Word table re-drawn) with the selected cell marked.
"""
__all__ = ["build_site"]


def __getattr__(name: str):
    """`build_site`, imported when asked for: a parse worker imports only `review.entry`."""
    if name == "build_site":
        from .site import build_site
        return build_site
    raise AttributeError(name)
