"""The two PDF baselines the benchmarks measure ogi against, defined once (tools.bench_pdf and
tools.bench_real run them in their own process and as whole processes). This module imports
nothing at the top, so a baseline process pays only for Python and the library it measures.

    python -m tools.pdf_baselines pdfium|pdfplumber FILE...
"""
import sys


def pdfium_text(path: str) -> None:
    """The bare pypdfium2 text pass (the "pdfium floor"): every page's text page and its text."""
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument(path)
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            tp = page.get_textpage()
            tp.get_text_range()
            tp.close()
            page.close()
    finally:
        pdf.close()


def pdfplumber_tables(path: str) -> None:
    """The pdfplumber baseline: `extract_tables()` on every page."""
    import logging
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    import pdfplumber
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_tables()
            page.close()


BASELINES = {"pdfium": pdfium_text, "pdfplumber": pdfplumber_tables}


def command(name: str, files: list) -> list:
    """The command line that runs baseline `name` over `files` as one process (from the repo root)."""
    return [sys.executable, "-m", "tools.pdf_baselines", name, *map(str, files)]


if __name__ == "__main__":
    run = BASELINES[sys.argv[1]]
    for f in sys.argv[2:]:
        run(f)
