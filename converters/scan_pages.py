"""Page images out of image files and PDF pages, with what they may allocate bounded.

A picture's pixel count is read from its header (Image.open decodes nothing) and checked before
any pixel is decoded: more than MAX_PIXELS is refused with the reason, so a small file that
inflates to gigabytes (a blank 13000x13000 PNG) costs nothing. TIFF pages are decoded one frame at
a time. A PDF page that is one upright scan gives that scan's bitmap at its own resolution; any
other page is rendered at the resolution of the images on it (capped at RENDER_DPI) and never at
more than MAX_RENDER_PIXELS, so an A0 page costs no more than a large A4 one.
Pillow's DecompressionBombWarning (pictures over ~89 Mpx) becomes a note in the document.
"""
from __future__ import annotations

import io
import math
import warnings
from typing import Iterator, Optional

import numpy as np
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from xxgk.model import ConversionError, Refused

MAX_PIXELS = 100_000_000  # one page picture; an A4 page at 1200 dpi is 140 Mpx, at 600 dpi 35 Mpx
MAX_RENDER_PIXELS = 40_000_000  # a rendered PDF page: A4 at 600 dpi fits, A0 is rendered at ~150 dpi
RENDER_DPI = 300.0  # the most a PDF page is rendered at (no accuracy gain above it, much slower)
MIN_RENDER_DPI = 100.0
MAX_BITMAP_DPI = 400.0  # an embedded scan finer than this is rendered down instead


def check_pixels(width: int, height: int, what: str) -> None:
    """Refuse a page picture larger than MAX_PIXELS before it is decoded."""
    if width * height > MAX_PIXELS:
        raise Refused(f"{what} is {width}x{height} pixels ({width * height / 1e6:.0f} Mpx), "
                      f"over the {MAX_PIXELS / 1e6:.0f} Mpx limit for one page")


def image_pages(data: bytes, notes: list) -> tuple[int, Iterator[Image.Image]]:
    """(page count, the pages one by one) of a PNG / JPEG / TIFF. Every frame's size is checked
    from its header before it is decoded; `notes` receives Pillow's size warnings."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data))
        n = getattr(im, "n_frames", 1)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as e:
        raise ConversionError(f"unreadable image: {e}") from e
    _keep_bomb_notes(caught, notes)
    check_pixels(*im.size, "the image")
    if n < 1:
        raise ConversionError("image has no pages")
    return n, _frames(im, notes)


def _frames(im: Image.Image, notes: list) -> Iterator[Image.Image]:
    try:
        for i, frame in enumerate(ImageSequence.Iterator(im), start=1):
            check_pixels(*frame.size, f"page {i} of the image")
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", Image.DecompressionBombWarning)
                f = ImageOps.exif_transpose(frame) if im.format == "JPEG" else frame.copy()
                f.load()
            _keep_bomb_notes(caught, notes)
            if f.info.get("dpi") is None and im.info.get("dpi"):
                f.info["dpi"] = im.info["dpi"]
            yield f
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as e:
        raise ConversionError(f"unreadable image: {e}") from e


def _keep_bomb_notes(caught: list, notes: list) -> None:
    for w in caught:
        if issubclass(w.category, Image.DecompressionBombWarning):
            notes.append(f"large image: {w.message}")
        else:  # anything else Pillow says stays a warning as it was
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def pdf_page_image(page, notes: Optional[list] = None) -> tuple[Image.Image, float]:
    """(image, dpi) of a PDF page for OCR: the embedded scan itself when the page is one upright
    scan at 100-400 dpi, else a render at the dpi of the page's images (capped, bounded in pixels)."""
    bitmap, dpi = _page_bitmap(page, notes)
    return bitmap.to_pil(), dpi


def pdf_page_pixels(page, notes: Optional[list] = None) -> tuple[np.ndarray | Image.Image, float]:
    """pdf_page_image's picture as an RGB or grey array, without the PIL round trip (two copies of the
    page) for the bitmaps scans give (BGR, grey); a bitmap of any other format comes as the PIL image."""
    import cv2
    import pypdfium2.raw as pdfium_c

    bitmap, dpi = _page_bitmap(page, notes)
    if bitmap.format == pdfium_c.FPDFBitmap_BGR:
        return cv2.cvtColor(bitmap.to_numpy(), cv2.COLOR_BGR2RGB), dpi
    if bitmap.format == pdfium_c.FPDFBitmap_Gray:
        return np.array(bitmap.to_numpy()), dpi  # a copy: the view dies with the bitmap
    return bitmap.to_pil(), dpi


def _page_bitmap(page, notes: Optional[list]):
    """(pdfium bitmap, dpi): the page's one upright scan as stored, or a render (see pdf_page_image)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    w_pt, h_pt = page.get_size()
    native = None
    try:
        imgs = list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2))
        dpis = []
        for obj in imgs:
            x0, y0, x1, y1 = obj.get_bounds()
            pw, ph = obj.get_px_size()  # from the image's dictionary: nothing decoded
            check_pixels(pw, ph, "an image on the page")  # pdfium would decode it whole to render it
            if x1 - x0 > 1 and pw > 0:
                dpis.append(pw / ((x1 - x0) / 72.0))
        native = max(dpis) if dpis else None
        if len(imgs) == 1 and page.get_rotation() == 0:
            x0, y0, x1, y1 = imgs[0].get_bounds()
            m = imgs[0].get_matrix()
            pw, ph = imgs[0].get_px_size()
            upright = m.a > 0 and m.d > 0 and abs(m.b) < 1e-6 and abs(m.c) < 1e-6
            covers = (x1 - x0) > 0.9 * w_pt and (y1 - y0) > 0.9 * h_pt
            if upright and covers and ph > 0 and abs(pw / ph - (x1 - x0) / (y1 - y0)) < 0.02 \
                    and MIN_RENDER_DPI <= native <= MAX_BITMAP_DPI:
                check_pixels(pw, ph, "the page's scan")
                return imgs[0].get_bitmap(render=False), native
    except pdfium.PdfiumError:
        pass
    dpi = render_dpi(w_pt, h_pt, native)
    if notes is not None and native and dpi < min(native, RENDER_DPI) - 1:
        notes.append(f"page of {w_pt / 72:.0f}x{h_pt / 72:.0f} in rendered at {dpi:.0f} dpi "
                     f"(its images are {native:.0f} dpi): the {MAX_RENDER_PIXELS / 1e6:.0f} Mpx bound")
    return page.render(scale=dpi / 72.0), dpi


def render_dpi(w_pt: float, h_pt: float, native: Optional[float]) -> float:
    """The images' own resolution (RENDER_DPI when the page has none), capped at RENDER_DPI and
    at the dpi that keeps the render within MAX_RENDER_PIXELS."""
    dpi = min(max(native or RENDER_DPI, MIN_RENDER_DPI), RENDER_DPI)
    area_in = max(w_pt * h_pt / 72.0 / 72.0, 1e-6)
    return min(dpi, math.sqrt(MAX_RENDER_PIXELS / area_in))
