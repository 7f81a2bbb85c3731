"""A scanned page's orientation from its own geometry, before any OCR or OSD.

Two cues, both measured on the page layout the table pass has already built:
- prose lines (ink outside the tables, smeared into line blobs): upright Chinese prose starts every
  line at the left margin (at most a two-character indent) and ends paragraphs short on the right;
  upside down, the short ends sit on the left. Lines far off the left margin (centred titles,
  a right-aligned signature) are few.
- ruled tables: the wide label column stands left of the narrow number columns.
The table's cue, when it has one, decides alone. A page whose lines run vertically (turned 90° or
270°), or whose cues are too weak, is "unknown" and left to the reading-quality check and OSD
(converters/image.py, converters/scan_prepare.py).
"""
from __future__ import annotations

from typing import Optional

import cv2
import numpy as np

from xxgk.converters.scan_cells import component_mask
from xxgk.layout import raster

MIN_LINES = 6  # prose lines needed for the margin cue
FAR = 4.0  # a line end this many line heights short of its margin is a ragged end
MIN_EVIDENCE = 3  # ragged ends on one side needed more than on the other


def text_lines(lay: raster.PageLayout) -> tuple[list[tuple[int, int, int, int]], bool]:
    """(x0, y0, x1, y1) of the prose line blobs outside the tables, and whether the text runs
    vertically (a page turned by 90°: blank columns between its lines, few blank rows)."""
    ink = cv2.bitwise_and(lay.ink, cv2.compare(lay.rulings, 0, cv2.CMP_EQ))  # without the rulings
    for t in lay.tables:
        x0, y0, x1, y1 = (int(v) for v in t.bbox)
        ink[max(0, y0):y1, max(0, x0):x1] = 0
    s = lay.scale
    ink = _glyphs(ink, s)
    gap = max(9, int(75 * s))  # 2.5 characters at 10.5-12 pt: joins a line's glyphs and words, not lines
    horiz = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (gap, 1)))
    lo, hi = 12 * s, 70 * s  # line heights of body text and headings at this dpi
    lines = []
    for x, y, w, h in component_boxes(horiz):
        if lo <= h <= hi and w >= 6 * h:
            lines.append((x, y, x + w, y + h))
    return lines, _runs_vertically(ink)


def _runs_vertically(ink: np.ndarray) -> bool:
    if cv2.countNonZero(ink) < 1000:
        return False
    ys, xs = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))  # the ink's bounding box
    box = ink[ys[0]:ys[-1] + 1, xs[0]:xs[-1] + 1] > 0
    blank_rows = float((~box.any(axis=1)).mean())
    blank_cols = float((~box.any(axis=0)).mean())
    return blank_cols > blank_rows + 0.1


def _glyphs(ink: np.ndarray, s: float) -> np.ndarray:
    """Only glyph-sized ink: scanner specks and long strokes out (they would fill blank rows)."""
    n, labels, stats, _ = raster.components(ink)
    area, w, h = stats[:, cv2.CC_STAT_AREA], stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    keep = (area >= max(6, 8 * s * s)) & (w <= 80 * s) & (h <= 80 * s)
    keep[0] = False
    return component_mask(ink, labels, stats, keep)


def component_boxes(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    """(x, y, w, h) of each 8-connected component: the boxes of the outer contours (RETR_CCOMP puts
    every component's outer boundary at the top level, one inside a hole too); ~9x faster than
    labelling every pixel when only the boxes are needed."""
    contours, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if not len(contours):
        return []
    return [cv2.boundingRect(c) for c, h in zip(contours, hierarchy[0]) if h[3] == -1]


def prose_vote(lines: list[tuple[int, int, int, int]]) -> int:
    """+1 upright, -1 upside down, 0 unknown: which side the ragged line ends are on."""
    if len(lines) < MIN_LINES:
        return 0
    h = float(np.median([y1 - y0 for _, y0, _, y1 in lines]))
    left = np.percentile([x0 for x0, _, _, _ in lines], 10)
    right = np.percentile([x1 for _, _, x1, _ in lines], 90)
    short_right = sum(x1 < right - FAR * h and x0 < left + FAR * h for x0, _, x1, _ in lines)
    short_left = sum(x0 > left + FAR * h and x1 > right - FAR * h for x0, _, x1, _ in lines)
    if short_right >= 2 * short_left + MIN_EVIDENCE:
        return 1
    if short_left >= 2 * short_right + MIN_EVIDENCE:
        return -1
    return 0


def table_vote(lay: raster.PageLayout) -> int:
    """+1 when the widest single column of the largest table is left of its centre, -1 when right."""
    if not lay.tables:
        return 0
    t = max(lay.tables, key=lambda t: len(t.cells))
    widths: dict[int, list[float]] = {}
    for c in t.cells:
        if c.colspan == 1 and c.bbox:
            widths.setdefault(c.col, []).append(c.bbox[2] - c.bbox[0])
    if len(widths) < 3:
        return 0
    cols = {col: float(np.median(w)) for col, w in widths.items()}
    widest = max(cols, key=cols.get)
    if cols[widest] < 1.8 * float(np.median(list(cols.values()))):
        return 0  # no clear label column (a grid of equal columns)
    mid = (max(cols) + min(cols)) / 2
    return 1 if widest < mid else -1 if widest > mid else 0


def geometric_turn(lay: raster.PageLayout) -> Optional[int]:
    """0 when the page's geometry shows it upright, 180 when it shows it upside down, None when the
    lines run vertically or the cues are missing or disagree. A ruled table's cue costs nothing (its
    grid is built already) and decides alone: the prose lines (0.2 CPU-s a page) are measured only
    on pages where it is silent."""
    vote = table_vote(lay)
    if vote == 0:
        lines, vertical = text_lines(lay)
        if vertical:
            return None  # turned by 90° or 270°: OSD tells which
        vote = prose_vote(lines)
    return None if vote == 0 else 0 if vote > 0 else 180
