"""The readers' shape: nothing in parsers/ imports the pipeline (walked from the source, every
import statement, also the ones inside functions), no function in parsers/ is longer than 80
lines, and the one router names every format the readers declare."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PARSERS = ROOT / "parsers"


def _modules(pkg: Path):
    for path in sorted(pkg.rglob("*.py")):
        yield path, ast.parse(path.read_text("utf-8"), filename=str(path))


def _imported(path: Path, tree: ast.AST) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in a module of parsers/."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            if node.module:
                out.append((node.lineno, name))
            else:   # from . import x: the modules x
                out += [(node.lineno, f"{name}.{a.name}") for a in node.names]
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module" and node.args \
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            out.append((node.lineno, node.args[0].value))
    return out


def test_walk_sees_relative_and_function_level_imports():
    tree = ast.parse("from ..glyphs import x\ndef f():\n    import pipeline.values\n    from . import items\n")
    names = [n for _, n in _imported(PARSERS / "pdf" / "pages.py", tree)]
    assert names == ["parsers.glyphs", "pipeline.values", "parsers.pdf.items"]


def test_no_module_in_parsers_imports_the_pipeline():
    offenders = [f"{path.relative_to(ROOT)}:{line} imports {name}"
                 for path, tree in _modules(PARSERS) for line, name in _imported(path, tree)
                 if name == "pipeline" or name.startswith("pipeline.")]
    assert not offenders, "readers must not import the pipeline:\n" + "\n".join(offenders)


def test_no_function_in_parsers_over_80_lines():
    long = [f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
            for path, tree in _modules(PARSERS) for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno + 1 > 80]
    assert not long, "\n".join(long)


def test_router_covers_every_declared_reader():
    from parsers import formats
    for r in formats.READERS:
        assert (PARSERS / f"{r.module}.py").exists() or (PARSERS / r.module / "__init__.py").exists()
    assert sorted(formats.FORMATS) == ["doc", "docx", "html", "pdf", "text"]


@pytest.mark.parametrize("head,name,fmt", [
    (b"%PDF-1.7\n", "a.txt", "pdf"), (b"PK\x03\x04", "a.doc", "docx"), (b"\xd0\xcf\x11\xe0", "a.docx", "doc"),
    (b"{\\rtf1", "x", "doc"), (b"\xef\xbb\xbf  <!DOCTYPE html>", "a.doc", "html"),
    ("<html>".encode("utf-16"), "a", "html"), (b"MIME-Version: 1.0\nContent-Type: multipart/related", "a", "html"),
    (b"plain", "a.md", "text"), (b"plain", "a.unknown", "text"), (b"", "a.wps", "doc"),
    # text under a binary format's name is text (issue 10 item 9); other bytes keep the name's format
    (b"plain", "a.PDF", "text"), ("纯文本".encode("gb18030"), "a.docx", "text"), (b"\x00\x01binary", "a.PDF", "pdf"),
])
def test_one_detector(head, name, fmt):
    from parsers import detect
    assert detect(head, name) == fmt


def test_readers_take_bytes_as_well_as_paths():
    from parsers import read
    seed = ROOT / "fixtures" / "seed_xiuzhou_2019.txt"
    assert read(seed.read_bytes()).text() == read(str(seed)).text()
    pdf = ROOT / "fixtures" / "pdf" / "html_2021_blanks.pdf"
    assert repr(read(pdf.read_bytes()).blocks) == repr(read(str(pdf)).blocks)
