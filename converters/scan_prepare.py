"""Page preparation for OCR: the page's resolution and its pixels as an array.

(Seal removal, deskew and ruling masks are layout/raster.py's; this module decides what goes in.)
"""
from __future__ import annotations

import math
from typing import Optional

import cv2
import numpy as np
from PIL import Image

from xxgk.layout import raster

A4_SHORT_IN = 8.27
MAX_DPI = 400  # larger pages are scaled down to 300 dpi: no accuracy gain, much slower
MAX_WORK_PIXELS = 40_000_000  # larger pages are scaled down to this: the page's arrays stay < ~0.5 GB


def page_dpi(image: Image.Image) -> float:
    """The page's resolution. A page-shaped image is taken as A4 (the file's dpi tag is often a
    default 72); anything else (a cropped table, a screenshot) is measured by its text height."""
    w, h = image.size
    aspect = max(w, h) / max(1, min(w, h))
    if 1.33 <= aspect <= 1.50:
        est = min(w, h) / A4_SHORT_IN
        tag = image.info.get("dpi")
        if tag and tag[0] and abs(float(tag[0]) - est) < 0.15 * est:
            return float(tag[0])
        return min(max(est, 100.0), 1200.0)
    return dpi_from_text(as_array(image))


def dpi_from_text(arr: np.ndarray) -> float:
    """Body and table text (10.5-12 pt) makes the 90th percentile of glyph-component heights
    about 0.15 of the dpi (measured on the real report at 100-300 dpi: 0.14-0.21)."""
    gray = raster.to_gray(arr)
    ink = raster.binarize(gray, 1.0)
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    h, w = stats[1:, 3], stats[1:, 2]
    sel = (h >= 4) & (h <= 150) & (w >= 2) & (w <= 150)
    if sel.sum() < 20:
        return 200.0
    return float(min(max(np.percentile(h[sel], 90) / 0.16, 72.0), 600.0))


def as_array(image: Image.Image) -> np.ndarray:
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


def fit_for_ocr(image: Image.Image, dpi: float) -> tuple[Image.Image, float, Optional[str]]:
    """(image, dpi, note): a page finer than MAX_DPI scaled to 300 dpi, one larger than
    MAX_WORK_PIXELS scaled down to it (with a note: small text may then be lost)."""
    f = 300.0 / dpi if dpi > MAX_DPI else 1.0
    note = None
    px = image.width * image.height * f * f
    if px > MAX_WORK_PIXELS:
        f *= math.sqrt(MAX_WORK_PIXELS / px)
        note = (f"{image.width}x{image.height} px page scaled to {f * dpi:.0f} dpi "
                f"(the {MAX_WORK_PIXELS / 1e6:.0f} Mpx bound)")
    if f >= 1.0:
        return image, dpi, None
    if image.mode not in ("L", "RGB"):  # 1-bit and palette pictures would be resized by nearest pixel
        image = Image.fromarray(as_array(image))
    size = (max(1, round(image.width * f)), max(1, round(image.height * f)))
    return image.resize(size, Image.LANCZOS), dpi * f, note
