"""Page preparation for OCR: the page's resolution, its pixels as an array, its orientation.

Orientation is first judged from the page's geometry (converters/scan_orient.py), then from the
first reading itself, which is needed anyway: a page whose cells and lines read with a median
confidence >= READS_UPRIGHT (>= READS_SIDEWAYS when the geometry found it upright) is upright, and
tesseract's OSD (0.8 CPU-s a page, and wrong on 100-dpi pages) is asked only about the others. A turn OSD proposes is
kept only when the turned page reads clearly better, so an upright table is never turned by 180°.

(Seal removal, deskew and ruling masks are layout/raster.py's; this module decides what goes in.)
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np
from PIL import Image

from xxgk.layout import raster

A4_SHORT_IN = 8.27
MAX_DPI = 400  # larger pages are scaled down to 300 dpi: no accuracy gain, much slower
READS_UPRIGHT = 0.85  # measured at 150-200 dpi: upright pages 0.89-1.0; turned 90° 0.0-0.14, 180° 0.23-0.75
READS_SIDEWAYS = 0.5  # a page the geometry found upright is asked to OSD only below this (90°: 0.0-0.14)
TURN_MARGIN = 0.15  # how much better the turned page must read
MAX_WORK_PIXELS = 40_000_000  # larger pages are scaled down to this: the page's arrays stay < ~0.5 GB


def page_dpi(image: Image.Image | np.ndarray) -> float:
    """The page's resolution. A page-shaped image is taken as A4 (the file's dpi tag is often a
    default 72); anything else (a cropped table, a screenshot) is measured by its text height."""
    w, h = _size(image)
    aspect = max(w, h) / max(1, min(w, h))
    if 1.33 <= aspect <= 1.50:
        est = min(w, h) / A4_SHORT_IN
        tag = None if isinstance(image, np.ndarray) else image.info.get("dpi")
        if tag and tag[0] and abs(float(tag[0]) - est) < 0.15 * est:
            return float(tag[0])
        return min(max(est, 100.0), 1200.0)
    return dpi_from_text(as_array(image))


def dpi_from_text(arr: np.ndarray) -> float:
    """Body and table text (10.5-12 pt) makes the 90th percentile of glyph-component heights
    about 0.15 of the dpi (measured on the real report at 100-300 dpi: 0.14-0.21)."""
    gray = raster.to_gray(arr)
    ink = raster.binarize(gray, 1.0)
    _, _, stats, _ = raster.components(ink)
    h, w = stats[1:, 3], stats[1:, 2]
    sel = (h >= 4) & (h <= 150) & (w >= 2) & (w <= 150)
    if sel.sum() < 20:
        return 200.0
    return float(min(max(np.percentile(h[sel], 90) / 0.16, 72.0), 600.0))


def _size(image: Image.Image | np.ndarray) -> tuple[int, int]:
    return (image.shape[1], image.shape[0]) if isinstance(image, np.ndarray) else image.size


def as_array(image: Image.Image | np.ndarray) -> np.ndarray:
    """RGB or grey pixels (an array given, e.g. a PDF page's scan, is already that)."""
    if isinstance(image, np.ndarray):
        return image
    if image.mode in ("RGB", "L"):
        return np.asarray(image)
    if image.mode in ("RGBA", "LA", "P", "PA"):
        bg = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        bg.paste(rgba, mask=rgba.getchannel("A"))
        return np.asarray(bg)
    if image.mode == "1":
        return np.asarray(image.convert("L"))
    if image.mode.startswith("I"):  # 16-bit scans
        a = np.asarray(image).astype(np.float32)
        a = 255 * (a - a.min()) / max(1.0, float(a.max() - a.min()))
        return a.astype(np.uint8)
    return np.asarray(image.convert("RGB"))


def fit_for_ocr(image: Image.Image | np.ndarray, dpi: float) -> tuple[Image.Image | np.ndarray, float, Optional[str]]:
    """(image, dpi, note): a page finer than MAX_DPI scaled to 300 dpi, one larger than
    MAX_WORK_PIXELS scaled down to it (with a note: small text may then be lost)."""
    f = 300.0 / dpi if dpi > MAX_DPI else 1.0
    note = None
    width, height = _size(image)
    px = width * height * f * f
    if px > MAX_WORK_PIXELS:
        f *= math.sqrt(MAX_WORK_PIXELS / px)
        note = (f"{width}x{height} px page scaled to {f * dpi:.0f} dpi "
                f"(the {MAX_WORK_PIXELS / 1e6:.0f} Mpx bound)")
    if f >= 1.0:
        return image, dpi, None
    if isinstance(image, np.ndarray):  # scaled as the same picture in PIL would be
        image = Image.fromarray(image)
    if image.mode not in ("L", "RGB"):  # 1-bit and palette pictures would be resized by nearest pixel
        image = Image.fromarray(as_array(image))
    size = (max(1, round(image.width * f)), max(1, round(image.height * f)))
    return image.resize(size, Image.LANCZOS), dpi * f, note


def reading_quality(cell_confidences: list, lines: list[tuple[str, float]]) -> float:
    """Median confidence of a page's reading: of every cell with ink and every prose character."""
    values = [float(c) for c in cell_confidences if c is not None]
    for text, conf in lines:
        values += [float(conf)] * max(1, min(len(text), 40))  # long lines count by their length
    return float(np.median(values)) if values else 0.0


def keep_turn(upright: float, turned: float) -> bool:
    """Keep the turned page only when it reads clearly better than the page as it lay."""
    return turned >= upright + TURN_MARGIN
