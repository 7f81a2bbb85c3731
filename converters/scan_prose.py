"""The prose of a scanned page: the image the prose pass reads, and its OCR lines as paragraphs."""
from __future__ import annotations

import re

import cv2
import numpy as np

from xxgk.model import Paragraph, Table
from xxgk.layout import raster
from xxgk.converters.scan_cells import keep_components

_WORDY = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")  # a line of only symbols is noise
_PAGE_NO = re.compile(r"^[-—–－_\s|\[\]【】〔〕]*\d{1,3}[-—–－_\s|\[\]【】〔〕]*$")  # OCR adds bracket specks


def prose_image(lay: raster.PageLayout) -> np.ndarray:
    """The page without its tables, noise specks and background (tesseract reads specks as text)."""
    n, labels, stats, cents = cv2.connectedComponentsWithStats(lay.ink, connectivity=8)
    keep = keep_components(labels, stats, cents, lay.scale)
    mask = cv2.dilate(keep[labels].astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    img = np.where(mask, lay.gray, 255).astype(np.uint8)
    pad = int(4 * lay.scale)
    for t in lay.tables:
        x0, y0, x1, y1 = (int(v) for v in t.bbox)
        img[max(0, y0 - pad):y1 + pad, max(0, x0 - pad):x1 + pad] = 255
    return img


def paragraphs(lines: list[tuple[str, float, tuple]], tables: list[Table], page: int,
                shape: tuple[int, int]) -> list[Paragraph]:
    """OCR lines -> paragraphs: a new one at a first-line indent, after a short line or a gap."""
    h_page = shape[0]
    body = [ln for ln in lines
            if _WORDY.search(ln[0]) and (ln[1] >= 0.5 or len(ln[0]) > 4)  # short junk: specks, stamps
            and not (_PAGE_NO.match(ln[0]) and (ln[2][1] > 0.85 * h_page or ln[2][3] < 0.15 * h_page))]
    if not body:
        return []
    heights = [b[3] - b[1] for _, _, b in body]
    ch = float(np.median(heights))
    left = float(np.percentile([b[0] for _, _, b in body], 10))
    right = float(np.percentile([b[2] for _, _, b in body], 90))
    tops = sorted(t.bbox[1] for t in tables)
    paras: list[list] = []
    prev = None
    for ln in body:
        text, conf, b = ln
        new = prev is None
        if prev is not None:
            pb = prev[2]
            table_between = any(pb[3] <= t <= b[1] for t in tops)
            hb, hp = b[3] - b[1], pb[3] - pb[1]
            resized = max(hb, hp) > 1.3 * max(min(hb, hp), ch)  # type size changes: title, then body
            new = (table_between or b[0] > left + 1.2 * ch or pb[2] < right - 2 * ch
                   or b[1] - pb[3] > 1.2 * ch or resized)
        if new:
            paras.append([ln])
        else:
            paras[-1].append(ln)
        prev = ln
    out = []
    for group in paras:
        text = "".join(t for t, _, _ in group)
        box = (min(g[2][0] for g in group), min(g[2][1] for g in group),
               max(g[2][2] for g in group), max(g[2][3] for g in group))
        out.append(Paragraph(text=text, page=page, bbox=box, method="ocr"))
    return out
