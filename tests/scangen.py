"""Image-only PDFs made from the project's own fixture PDFs, for the OCR tests and benchmark.

Every page is rendered with pypdfium2, degraded with Pillow as a variant asks, and placed as
the only object of a page of a new PDF (no text layer), so CI needs no external tools.
Variants: clean, jpeg60 (JPEG quality 60), skew1 (turned 1°), rot90 (page on its side),
noise (gray background with noise).
"""
from __future__ import annotations

import io
import random

VARIANTS = ("clean", "jpeg60", "skew1", "rot90", "noise")


def _degrade(im, variant: str, seed: int = 7):
    from PIL import Image, ImageChops
    if variant == "skew1":
        return im.rotate(1.0, resample=Image.BILINEAR, expand=False, fillcolor=255)
    if variant == "rot90":
        return im.transpose(Image.ROTATE_90)
    if variant == "noise":
        rnd = random.Random(seed)
        import numpy as np                               # seeded: the same noise every run
        grain = np.random.RandomState(seed).normal(128, 24, (im.size[1], im.size[0]))
        noise = Image.fromarray(np.clip(grain, 0, 255).astype(np.uint8), "L")   # gaussian, mean 128
        gray = Image.new("L", im.size, 200)
        paper = ImageChops.add(gray, noise, 1.0, -128)   # background ~200 ± noise
        out = ImageChops.darker(im, paper)
        specks = Image.new("L", im.size, 255)
        px = specks.load()
        for _ in range(im.size[0] * im.size[1] // 4000):
            px[rnd.randrange(im.size[0]), rnd.randrange(im.size[1])] = 0
        return ImageChops.darker(out, specks)
    return im


def scan_pdf(src: str, dst: str, dpi: int = 150, variant: str = "clean", pages=None) -> str:
    """Write `dst`: the pages of `src` (all, or the 0-based `pages`) as images at `dpi`."""
    import pypdfium2 as pdfium
    from PIL import Image
    pdf = pdfium.PdfDocument(src)
    out = pdfium.PdfDocument.new()
    for i in (pages if pages is not None else range(len(pdf))):
        page = pdf[i]
        w, h = page.get_size()
        im = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        im = _degrade(im, variant, seed=i)
        if variant == "rot90":
            w, h = h, w
        new = out.new_page(w, h)
        obj = pdfium.PdfImage.new(out)
        if variant == "jpeg60":
            buf = io.BytesIO()
            im.save(buf, "JPEG", quality=60)
            buf.seek(0)
            obj.load_jpeg(buf, inline=True)
        else:
            bitmap = pdfium.PdfBitmap.from_pil(im.convert("RGB") if im.mode != "L" else im)
            obj.set_bitmap(bitmap)
        obj.set_matrix(pdfium.PdfMatrix().scale(w, h))
        new.insert_obj(obj)
        new.gen_content()
    out.save(dst)
    return dst


def scan_image(src: str, dst: str, dpi: int = 150, pages=None) -> str:
    """Write `dst` as an image file (PNG, JPEG or multi-page TIFF by its extension)."""
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument(src)
    ims = [pdf[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
           for i in (pages if pages is not None else range(len(pdf)))]
    if dst.lower().endswith((".tif", ".tiff")):
        ims[0].save(dst, save_all=True, append_images=ims[1:], dpi=(dpi, dpi), compression="tiff_deflate")
    else:
        ims[0].save(dst, dpi=(dpi, dpi))
    return dst


def wrong_digits_pdf(src: str, dst: str, shift: int = 1) -> str:
    """Write `dst`: `src` with every font's ToUnicode map sending digit d to (d + shift) % 10,
    added as an incremental update (the glyphs print the right digits; the text layer lies)."""
    import re
    import zlib
    data = open(src, "rb").read()
    ids = sorted({int(i) for i in re.findall(rb"/ToUnicode (\d+) 0 R", data)})
    prev = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    trailer = re.findall(rb"trailer\s*<<(.*?)>>", data, re.S)[-1]
    size = int(re.search(rb"/Size (\d+)", trailer).group(1))
    root = re.search(rb"/Root (\d+ \d+ R)", trailer).group(1)

    def shifted(m):
        d = int(m.group(1), 16) - 0x30
        return b"<%04X>" % (0x30 + (d + shift) % 10)

    out = bytearray(data if data.endswith(b"\n") else data + b"\n")
    offsets = {}
    for i in ids:
        m = re.search(rb"(?:^|[\r\n])" + str(i).encode() + rb" 0 obj\s*(<<.*?>>)\s*stream\r?\n", data, re.S)
        head = m.group(1)
        length = int(re.search(rb"/Length (\d+)", head).group(1))
        body = data[m.end():m.end() + length]
        cmap = zlib.decompress(body) if b"Flate" in head else body
        cmap = re.sub(rb"(?<=> )<(003[0-9])>", shifted, cmap)
        packed = zlib.compress(cmap)
        offsets[i] = len(out)
        out += b"%d 0 obj\n<</Length %d/Filter/FlateDecode>>\nstream\n" % (i, len(packed)) + packed + b"\nendstream\nendobj\n"
    xref = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n"
    for i in ids:
        out += b"%d 1\n%010d 00000 n \n" % (i, offsets[i])
    out += b"trailer\n<</Size %d/Root %s/Prev %d>>\nstartxref\n%d\n%%%%EOF\n" % (size, root, prev, xref)
    with open(dst, "wb") as f:
        f.write(bytes(out))
    return dst
