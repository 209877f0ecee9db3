"""Scans as real scanners make them, of real reports, for the OCR accuracy tool and tests.

`scangen` degrades a render the way issue 15's acceptance names (JPEG 60, 1° skew, 90°, grain);
real scans bring more: a red seal stamped over part of a table, faint or low-contrast print, a
black-and-white (binarized) scan, heavy JPEG (quality 35), skew between 0.5° and 2°, a dark
scanner border, the reverse page showing through. Every page is rendered in colour (a seal is
red), degraded by the variant's steps with a fixed seed, and placed as the only object of a
page (JPEG where the scanner would write one).

`report_pdf` lays a text report's tables out with the project's own HTML fixture route
(reportgen.render_html, printed by headless Chromium), with the values its text parse reads,
so a real report's numbers can be scanned too. Nothing here reads ../shared by itself.
"""
from __future__ import annotations

import io
import math
import random

# name -> steps applied in order; each step is (function name, argument)
VARIANTS = {
    "clean": [],
    "jpeg35": [("jpeg", 35)],
    "skew05": [("skew", 0.5)],
    "skew2": [("skew", -2.0)],
    "seal": [("seal", 0), ("jpeg", 75)],
    "faint": [("faint", 0), ("jpeg", 70)],
    "binary": [("binary", 0)],
    "border": [("border", 0), ("skew", 0.8)],
    "bleed": [("bleed", 0), ("jpeg", 60)],
    "office": [("bleed", 0), ("faint", 0), ("seal", 0), ("skew", 1.3), ("border", 0), ("jpeg", 40)],
}


def _skew(im, deg: float, rnd):
    from PIL import Image
    return im.rotate(deg, resample=Image.BICUBIC, expand=False, fillcolor=(255, 255, 255))


def _jpeg(im, q: int, rnd):
    from PIL import Image
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=q)
    buf.seek(0)
    return Image.open(buf).convert("RGB")


def _faint(im, _, rnd):
    """Toner running low: ink at ~45% gray on off-white paper, edges softened."""
    from PIL import ImageFilter
    import numpy as np
    a = np.asarray(im.filter(ImageFilter.GaussianBlur(0.6))).astype(np.float32)
    a = 238 - (255 - a) * (238 - 120) / 255
    return _from(np.clip(a, 0, 255))


def _binary(im, _, rnd):
    """A black-and-white scan: thresholded at the middle gray after the scanner's blur."""
    from PIL import ImageFilter
    import numpy as np
    g = np.asarray(im.convert("L").filter(ImageFilter.GaussianBlur(0.5)))
    bw = np.where(g < 150, 0, 255).astype(np.uint8)
    return _from(np.stack([bw] * 3, axis=-1))


def _border(im, _, rnd):
    """Dark bands where the scanner lid did not cover: uneven widths on three sides."""
    from PIL import ImageDraw
    w, h = im.size
    d = ImageDraw.Draw(im)
    d.rectangle([0, 0, int(w * 0.035), h], fill=(25, 25, 25))
    d.rectangle([w - int(w * 0.02), 0, w, h], fill=(40, 40, 40))
    d.polygon([(0, h), (w, h), (w, h - int(h * 0.03)), (0, h - int(h * 0.015))], fill=(30, 30, 30))
    return im


def _bleed(im, _, rnd):
    """The reverse page showing through: the page mirrored, blurred and faint, under the ink."""
    from PIL import Image, ImageFilter, ImageOps
    import numpy as np
    back = ImageOps.mirror(im).transform(im.size, Image.AFFINE, (1, 0, -9, 0, 1, 23), fillcolor=(255, 255, 255))
    b = np.asarray(back.filter(ImageFilter.GaussianBlur(1.2)).convert("L")).astype(np.float32)
    shade = 255 - (255 - b) * 0.22
    a = np.asarray(im).astype(np.float32)
    return _from(np.minimum(a, shade[..., None]))


def _seal(im, _, rnd):
    """A red official seal (ring, star, text arc) stamped over the right part of the first
    table on the page, multiplied into the ink as a stamp is."""
    from PIL import Image, ImageDraw, ImageFilter
    import numpy as np
    w, h = im.size
    r = int(min(w, h) * 0.11)
    cx, cy = int(w * rnd.uniform(0.6, 0.75)), int(h * rnd.uniform(0.3, 0.6))
    stamp = Image.new("L", im.size, 0)
    d = ImageDraw.Draw(stamp)
    d.ellipse([cx - r, cy - r, cx + r, cy + r], outline=255, width=max(3, r // 14))
    star = [(cx + r * 0.3 * (1 if i % 2 == 0 else 0.4) * math.cos(math.pi / 2 + i * math.pi / 5),
             cy - r * 0.3 * (1 if i % 2 == 0 else 0.4) * math.sin(math.pi / 2 + i * math.pi / 5)) for i in range(10)]
    d.polygon(star, fill=255)
    for k in range(14):                       # the agency's name round the rim: short bars as characters
        t = math.pi * (0.9 + 1.2 * k / 13)
        x, y = cx + 0.75 * r * math.cos(t), cy - 0.75 * r * math.sin(t)
        s = r * 0.09
        d.rectangle([x - s, y - s, x + s, y + s], outline=255, width=max(2, r // 30))
    d.rectangle([cx - r * 0.45, cy + r * 0.45, cx + r * 0.45, cy + r * 0.55], fill=255)
    mask = np.asarray(stamp.filter(ImageFilter.GaussianBlur(1.0))).astype(np.float32) / 255 * rnd.uniform(0.75, 0.95)
    ink = np.array([215, 40, 45], np.float32)
    a = np.asarray(im).astype(np.float32)
    out = a * (1 - mask[..., None]) + (a * ink / 255) * mask[..., None]
    return _from(out)


def _from(a):
    from PIL import Image
    import numpy as np
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "RGB")


STEPS = {"skew": _skew, "jpeg": _jpeg, "faint": _faint, "binary": _binary, "border": _border,
         "bleed": _bleed, "seal": _seal}


def degrade(im, variant: str, seed: int = 0):
    """`im` (RGB) through the variant's steps; the same image for the same seed."""
    rnd = random.Random(seed)
    for step, arg in VARIANTS[variant]:
        im = STEPS[step](im, arg, rnd)
    return im


def scan_pdf(src: str, dst: str, dpi: int = 200, variant: str = "clean") -> str:
    """Write `dst`: every page of `src` rendered in colour at `dpi`, degraded, as an image-only
    PDF (JPEG at quality 85 as a scanner writes, unless the variant compressed it already)."""
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument(src)
    out = pdfium.PdfDocument.new()
    for i in range(len(pdf)):
        page = pdf[i]
        w, h = page.get_size()
        im = degrade(page.render(scale=dpi / 72).to_pil().convert("RGB"), variant, seed=i)
        new = out.new_page(w, h)
        obj = pdfium.PdfImage.new(out)
        buf = io.BytesIO()
        if variant == "binary":
            im.convert("L").save(buf, "PNG")
            buf.seek(0)
            from PIL import Image
            obj.set_bitmap(pdfium.PdfBitmap.from_pil(Image.open(buf).convert("L")))
        else:
            im.save(buf, "JPEG", quality=95 if any(s == "jpeg" for s, _ in VARIANTS[variant]) else 85)
            buf.seek(0)
            obj.load_jpeg(buf, inline=True)
        obj.set_matrix(pdfium.PdfMatrix().scale(w, h))
        new.insert_obj(obj)
        new.gen_content()
    out.save(dst)
    return dst


def report_pdf(parsed, dst: str, tmp: str) -> str | None:
    """Write `dst`: a text report's tables (its template's standard grid with the values its
    parse read) laid out by the fixture generator's HTML route and printed by Chromium; None
    when the report has no 2019/2021 template or Chromium is missing."""
    import shutil
    import sys
    from collections import defaultdict
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root))
    from tests import reportgen
    from tools import make_pdf_fixtures as M
    tpl = parsed.report.get("template")
    if tpl not in ("2019", "2021") or not shutil.which("chromium"):
        return None
    year = int(parsed.report.get("year") or (2020 if tpl == "2019" else 2022))
    rep = reportgen.GenReport(template=tpl, agency=parsed.report.get("agency") or "某某区人民政府", year=year,
                              printed=defaultdict(str))
    for c in parsed.cells:
        v = c["value"]
        key = (c["table"], c["row_key"], c["col_key"])
        if v == "":
            rep.values[key], rep.printed[key] = None, ""
        else:
            num = float(v)
            rep.values[key] = int(num) if num == int(num) and "." not in v else num
            rep.printed[key] = v
    M.render_html_pdf(rep, Path(dst), {"font_px": 14}, Path(tmp))
    return dst
