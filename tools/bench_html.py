#!/usr/bin/env python3
"""Benchmark of the HTML reader (not a test).

Generates pages with the test report generator (tests/reportgen.py: `render_html`, and
tests/reportgen_web.py: CMS pages with chrome and split tables), adds fixtures/html/*.html and
a few edge-case pages (deep nesting, hidden content, nested and layout tables, odd spans), then
times, per page in process CPU time,

- `parsers.html.read`, and
- `pipeline.report.parse_file` (read → extract → metadata → checks, end to end),

for the reader in this tree ("new") and for the reader at a git revision ("old", default
`main`; the revision's parsers/html.py and parsers/html_grid.py are loaded under other module
names). It asserts that both produce identical Documents (blocks, cells, warnings) and identical
parse_file rows on every page, and prints pages/s side by side.

    python -m tools.bench_html                      # 300 render_html pages + 60 CMS pages, old = main
    python -m tools.bench_html --base 15bf229 --pages 300 --rounds 5
    python -m tools.bench_html --profile            # cProfile of the new reader over the plain pages
"""
from __future__ import annotations

import argparse
import contextlib
import importlib.util
import random
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

import parsers  # noqa: E402
import parsers.html as new_html  # noqa: E402
from pipeline import report as pipeline_report  # noqa: E402


def load_old(rev: str) -> types.ModuleType:
    """parsers/html.py and parsers/html_grid.py at `rev`, as parsers._bench_old_html(_grid)."""
    def show(path: str) -> str:
        return subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:{path}"], check=True,
                              capture_output=True, text=True).stdout

    def load(name: str, source: str) -> types.ModuleType:
        full = f"parsers.{name}"
        spec = importlib.util.spec_from_loader(full, loader=None)
        mod = importlib.util.module_from_spec(spec)
        mod.__package__ = "parsers"
        mod.__file__ = f"<{rev}:{name}>"
        sys.modules[full] = mod
        exec(compile(source, mod.__file__, "exec"), mod.__dict__)
        return mod

    load("_bench_old_html_grid", show("parsers/html_grid.py"))
    src = show("parsers/html.py").replace("from .html_grid import", "from ._bench_old_html_grid import")
    return load("_bench_old_html", src)


EDGE_PAGES = {
    "deep": "<html><body>" + "<div><span>" * 400 + "深层正文" + "</span></div>" * 400
            + "<table><tr><td>a</td><td>b</td></tr><tr><td>1</td><td>2</td></tr></table></body></html>",
    "hidden_only": '<html><body><div style="display: none"><table><tr><td>名称</td><td>数量</td></tr>'
                   '<tr><td>收到申请</td><td>3</td></tr></table></div><p>可见</p></body></html>',
    "hidden_attr": '<html><body><p hidden>不显示</p><div style="visibility:hidden">也不显示</div>'
                   '<table><tr><td>x</td><td style="display:none">隐</td><td>y</td></tr>'
                   '<tr style="display:none"><td>1</td><td>2</td></tr><tr><td>3</td><td>4</td></tr></table></body></html>',
    "nested": '<html><body><table><tr><td><p>前言</p><table><tr><td>甲</td><td>乙</td></tr>'
              '<tr><td rowspan="0">丙</td><td>丁</td></tr><tr><td>戊</td></tr></table></td><td>侧栏</td></tr>'
              '</table><table><tr><td>单格表</td></tr></table></body></html>',
    "loose": '<html><body><table><caption>表题<br>第二行</caption><td>散格</td><td>二</td>'
             '<thead><tr><th colspan="3x">头</th></tr></thead><tfoot><tr><td>脚</td><td>尾</td></tr></tfoot>'
             '<tbody><tr><td rowspan=" 2">a</td><td colspan="0">b</td></tr><tr><td>c<div>d</div>e</td></tr>'
             '</tbody><td>尾散</td></table><pre>  预格式\n  第二行  \n\n</pre></body></html>',
    "chrome": '<html><head><title>某某年度报告</title></head><body><nav>导航<a href="#">首页</a></nav>'
              '<header class="top"><h1>某某年度报告</h1></header><div class="footer">版权</div>'
              '<article><header>文章头</header><p>正文\n第一段</p></article><aside>侧边</aside>'
              '<div id="breadcrumb-x">位置</div><div class="main-nav">菜单</div><footer>页脚</footer>'
              '<div class="xgwz">' + "".join(f"<a>链接{i}</a>" for i in range(30)) + '</div></body></html>',
    "wrapper": '<html><body><div class="head">' + "正文很长" * 80
               + '<table><tr><td>a</td><td>b</td></tr></table></div></body></html>',
    "ns": '<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml" '
          'xmlns:o="urn:schemas-microsoft-com:office:office"><body><p>中文\n中文 English\n'
          '文</p><!-- c --><?pi x?><o:p>办</o:p><table><tr><td>一<o:p></o:p></td><td>二</td></tr>'
          '<tr><td>三</td><td>四&nbsp;</td></tr></table></body></html>',
    "empty": "   ",
    "layout_h": '<html><body><table><tr><td><h2>标题</h2>内容</td><td>x</td></tr></table>'
                '<table><tr><td>' + "长" * 900 + '</td><td>y</td></tr></table></body></html>',
}


def make_pages(folder: Path, n: int, n_cms: int) -> dict[str, list[Path]]:
    from tests.reportgen import random_report, render_html
    from tests.reportgen import web
    groups: dict[str, list[Path]] = {"plain": [], "cms": [], "fixtures": [], "edge": []}
    for i in range(n):
        p = folder / f"plain{i:04d}.html"
        p.write_text(render_html(random_report(random.Random(i))), encoding="utf-8")
        groups["plain"].append(p)
    for i in range(n_cms):
        rng = random.Random(10_000 + i)
        rep = random_report(rng)
        kind = i % 4
        if kind == 0:
            data = web.render_html_split(rep, rng).encode("utf-8")
        elif kind == 1:
            data = web.render_html_cms(rep, rng, encoding="gbk", declare=rng.choice(["meta", "http-equiv", None])
                                       ).encode("gb18030")
        else:
            data = web.render_html_cms(rep, rng, split=kind == 3).encode("utf-8")
        p = folder / f"cms{i:04d}.html"
        p.write_bytes(data)
        groups["cms"].append(p)
    groups["fixtures"] = sorted((ROOT / "fixtures" / "html").glob("*.html"))
    for name, text in EDGE_PAGES.items():
        p = folder / f"edge_{name}.html"
        p.write_text(text, encoding="utf-8")
        groups["edge"].append(p)
    return groups


@contextlib.contextmanager
def reader(module):
    """parsers.read (and so parse_file) dispatching HTML to `module`."""
    saved = sys.modules["parsers.html"]
    sys.modules["parsers.html"] = module
    try:
        yield
    finally:
        sys.modules["parsers.html"] = saved


def doc_key(doc):
    return (doc.format, doc.pages, doc.blocks, doc.warnings)


def parsed_key(p):
    rep = {k: v for k, v in p.report.items() if k not in ("seconds", "source_path")}
    return (rep, p.cells, p.checks, p.log)


def run_read(module, pages):
    out, t0 = [], time.process_time()
    for p in pages:
        out.append(module.read(str(p)))
    return time.process_time() - t0, out


def run_parse(module, pages):
    out = []
    with reader(module):
        t0 = time.process_time()
        for p in pages:
            out.append(pipeline_report.parse_file(str(p)))
        return time.process_time() - t0, out


def random_spans(rng: random.Random) -> list[list[tuple[str, int, int]]]:
    """Rows of (text, rowspan, colspan) with the spans real pages have, sane and absurd."""
    def span():
        return rng.choice([1, 1, 1, 1, 2, 3, rng.randint(0, 12), rng.randint(0, 3000)])
    return [[(f"{r}.{c}", span(), span()) for c in range(rng.randint(0, 8))] for r in range(rng.randint(0, 14))]


def same_grids(old_grid, new_grid, n: int = 3000) -> int:
    """Tables of random spans on which old and new `place` differ (cells or warnings)."""
    bad = 0
    for i in range(n):
        spec = random_spans(random.Random(i))
        w_old, w_new = [], []
        if old_grid.place(spec, w_old) != new_grid.place(spec, w_new) or w_old != w_new:
            bad += 1
    return bad


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", default="main", help="git revision of the old reader (default: main)")
    ap.add_argument("--pages", type=int, default=300, help="render_html pages (default 300)")
    ap.add_argument("--cms", type=int, default=60, help="CMS / split pages (default 60)")
    ap.add_argument("--sort", default="tottime", help="profile order: tottime or cumtime")
    ap.add_argument("--rounds", type=int, default=3, help="timing rounds; the best is kept (default 3)")
    ap.add_argument("--profile", metavar="GROUP", nargs="?", const="plain",
                    help="cProfile the new reader on a group of pages (plain, cms, fixtures, edge)")
    args = ap.parse_args()

    old_html = load_old(args.base)
    with tempfile.TemporaryDirectory() as tmp:
        groups = make_pages(Path(tmp), args.pages, args.cms)
        every = [p for g in groups.values() for p in g]

        # identical output on every page
        bad = []
        for p in every:
            a, b = old_html.read(str(p)), new_html.read(str(p))
            if doc_key(a) != doc_key(b):
                bad.append(p.name)
        with reader(old_html):
            olds = [pipeline_report.parse_file(str(p)) for p in every]
        news = [pipeline_report.parse_file(str(p)) for p in every]
        bad += [f"{p.name} (parse_file)" for p, a, b in zip(every, olds, news) if parsed_key(a) != parsed_key(b)]
        print(f"identical output, old ({args.base}) vs new: {len(every) - len(bad)}/{len(every)} pages"
              + (f"; DIFFERENT: {', '.join(bad[:10])}" if bad else ""))
        import parsers.html_grid as new_grid
        n_grid_bad = same_grids(sys.modules["parsers._bench_old_html_grid"], new_grid)
        print(f"identical span grids (html_grid.place on 3000 random span tables): {3000 - n_grid_bad}/3000")
        if n_grid_bad:
            bad.append("html_grid.place")

        if args.profile:
            import cProfile
            import pstats
            prof = cProfile.Profile()
            prof.enable()
            for p in groups[args.profile]:
                new_html.read(str(p))
            prof.disable()
            pstats.Stats(prof).sort_stats(args.sort).print_stats(30)
            return 1 if bad else 0

        print(f"\n{'group':<10}{'pages':>6}  {'what':<11}{'old ms/page':>12}{'new ms/page':>12}"
              f"{'old pages/s':>12}{'new pages/s':>12}{'speed-up':>9}")
        for name in ("plain", "cms", "fixtures"):
            pages = groups[name]
            if not pages:
                continue
            for what, fn in (("html.read", run_read), ("parse_file", run_parse)):
                best = {"old": float("inf"), "new": float("inf")}
                for _ in range(args.rounds):   # interleaved, best of n: least disturbed by other load
                    for label, mod in (("old", old_html), ("new", new_html)):
                        best[label] = min(best[label], fn(mod, pages)[0])
                o, n = best["old"] / len(pages), best["new"] / len(pages)
                print(f"{name:<10}{len(pages):>6}  {what:<11}{o * 1000:>12.2f}{n * 1000:>12.2f}"
                      f"{1 / o:>12.0f}{1 / n:>12.0f}{o / n:>8.2f}x")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
