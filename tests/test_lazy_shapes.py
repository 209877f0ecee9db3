"""parsers.shapes compiles the PDF/HTML readers' patterns only when a reader imports them."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from parsers import shapes

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAZY = ("PDF_NUMBER", "PDF_VALUE_WORD", "PAGE_NUMBER", "CJK_CHAR", "ENUM_MARK")


def test_text_parse_compiles_none_of_them(tmp_path):
    code = ("import sys; from pipeline.report import parse_file; parse_file(sys.argv[1]); "
            "import parsers.shapes as S; print(sorted(n for n in %r if n in vars(S)))" % (LAZY,))
    out = subprocess.run([sys.executable, "-c", code, "fixtures/seed_xiuzhou_2019.txt"], capture_output=True,
                         text=True, check=True, cwd=ROOT).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("name", LAZY)
def test_imported_on_demand_once(name):
    ns: dict = {}
    exec(f"from parsers.shapes import {name}", ns)
    assert isinstance(ns[name], re.Pattern)
    assert getattr(shapes, name) is ns[name] and vars(shapes)[name] is ns[name]


def test_they_match_what_the_readers_expect():
    from parsers.shapes import CJK_CHAR, ENUM_MARK, PAGE_NUMBER, PDF_NUMBER, PDF_VALUE_WORD
    assert CJK_CHAR.search("abc中") and not CJK_CHAR.search("abc")
    assert PDF_NUMBER.match("1,234.5%") and not PDF_NUMBER.match("12a")
    assert PDF_VALUE_WORD.match("12万元") and PDF_VALUE_WORD.match("—") and not PDF_VALUE_WORD.match("件")
    assert PAGE_NUMBER.match("第 3 页") and PAGE_NUMBER.match("- 2 -") and not PAGE_NUMBER.match("三、")
    assert ENUM_MARK.match("（一）申请") and ENUM_MARK.match("2、") and not ENUM_MARK.match("2.5")


def test_unknown_name_still_fails():
    with pytest.raises(AttributeError):
        shapes.NO_SUCH_PATTERN
    with pytest.raises(ImportError):
        exec("from parsers.shapes import NO_SUCH_PATTERN", {})
