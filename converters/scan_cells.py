"""Cell crops and ink analysis of a scanned table cell.

Each grid cell is cut out without its rulings, specks and shading; its ink components tell how
many digits it holds (blobs), how many text lines, whether it is vertical text, whether a dash
left of the digits is a minus sign, and where a trailing unit (元, 万元, 件) starts. These
measurements check the OCR readings later (converters/scan_numbers.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import cv2
import numpy as np

from xxgk.model import Cell
from xxgk.layout import raster


@dataclass
class Crop:
    cell: Cell
    image: Optional[np.ndarray]  # None: blank cell
    blobs: int = 0  # digit-sized ink components, left to right
    vertical: bool = False
    lines: int = 1  # text lines in the ink
    kind: str = "label"  # after the probe: "number" or "label"
    dash: bool = False  # a short horizontal stroke left of all glyphs: a minus sign
    split: Optional[int] = None  # x in `image` where trailing CJK-wide glyphs (元, 万元, 件) start
    unit_glyphs: int = 0  # how many glyph groups lie right of `split`
    glyphs: int = 0  # glyph groups of a single-line cell
    wide_glyphs: int = 0  # of which as wide as they are tall (CJK; digits are ~0.6 as wide)


def crop_cell(lay: raster.PageLayout, cell: Cell) -> Crop:
    s = lay.scale
    x0, y0, x1, y1 = (int(v) for v in cell.bbox)
    m = max(1, int(2 * s))
    x0, y0, x1, y1 = x0 + m, y0 + m, x1 - m, y1 - m
    if x1 - x0 < 4 or y1 - y0 < 4:
        return Crop(cell, None)
    gray = lay.gray[y0:y1, x0:x1].copy()
    lines = _border_lines(lay.rulings[y0:y1, x0:x1])
    ink = lay.ink[y0:y1, x0:x1].copy()
    ink[lines] = 0
    gray[lines] = 255
    n, labels, stats, cents = cv2.connectedComponentsWithStats(ink, connectivity=8)
    keep = keep_components(labels, stats, cents, s)
    keep |= _minus_signs(stats, keep)
    h, w = ink.shape
    thin = max(3, int(3 * s))
    for i in np.nonzero(keep)[0]:
        x, y, cw, ch, _ = stats[i]
        at_edge = x <= 1 or y <= 1 or x + cw >= w - 1 or y + ch >= h - 1
        if at_edge and (cw <= thin or ch <= thin):
            keep[i] = False  # a sliver of a ruling the mask missed (warped or broken line)
    if keep.sum() == 0 or stats[keep, 4].sum() < 20 * s * s:
        return Crop(cell, None)
    # Paper, shading and noise specks go white: tesseract reads specks as text.
    kept = component_mask(ink, labels, stats, keep)
    gray = cv2.max(gray, cv2.bitwise_not(cv2.dilate(kept, np.ones((3, 3), np.uint8))))
    ys, xs = np.nonzero(kept)
    bx0, bx1, by0, by1 = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
    pad = max(10, int(10 * s))
    tight = gray[by0:by1, bx0:bx1]
    crop = cv2.copyMakeBorder(tight, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)
    iw, ih = bx1 - bx0, by1 - by0
    vertical = ih >= 4 * iw and ih > 70 * s
    # Text lines from the big components only: a kept speck above a digit is not a line.
    big = keep & (stats[:, cv2.CC_STAT_AREA] >= _big(s))
    rows = np.zeros(ih, bool)
    bys = np.nonzero(big[labels])[0] if big.any() else ys
    rows[np.clip(bys - by0, 0, ih - 1)] = True
    k = Crop(cell, crop, _count_blobs(stats[keep]), vertical, len(true_runs(rows, max(2, int(3 * s)))))
    if not vertical and k.lines == 1:
        groups, k.dash = _glyph_groups(stats[keep])
        k.split, k.unit_glyphs = _unit_split(groups, bx0, pad)
        hmax = max((g[3] - g[2] for g in groups), default=0)
        k.glyphs, k.wide_glyphs = len(groups), sum(g[1] - g[0] >= 0.8 * hmax for g in groups)
    return k


def _glyph_groups(st: np.ndarray) -> tuple[list[list[int]], bool]:
    """Glyphs left to right as [x0, x1, y0, y1] (tall components merged where their x-ranges
    overlap, short strokes added to the glyph they sit over), and whether a dash lies left of
    them all (a minus sign: "-3", "−3", "－3", "—3")."""
    if len(st) == 0:
        return [], False
    hmax = int(st[:, 3].max())
    tall = st[:, 3] >= 0.5 * hmax
    groups: list[list[int]] = []
    for x, y, w, h, _ in sorted(st[tall].tolist()):
        if groups and x < groups[-1][1]:
            g = groups[-1]
            g[1], g[2], g[3] = max(g[1], x + w), min(g[2], y), max(g[3], y + h)
        else:
            groups.append([x, x + w, y, y + h])
    if not groups:
        return [], False
    top, bottom = min(g[2] for g in groups), max(g[3] for g in groups)
    band = bottom - top
    dash = False
    for x, y, w, h, area in st[~tall].tolist():
        overlaps = [g for g in groups if x < g[1] and x + w > g[0]]
        if overlaps:
            g = overlaps[0]
            g[0], g[1] = min(g[0], x), max(g[1], x + w)
            g[2], g[3] = min(g[2], y), max(g[3], y + h)
            continue
        dash = dash or _is_dash(x, y, w, h, area, top, band, groups[0][0])
    return groups, dash


def _is_dash(x: int, y: int, w: int, h: int, area: int, top: int, band: int, first: int) -> bool:
    """A filled bar, wider than tall, level with the middle of the text line (top, band: its
    glyphs' top and height) and close left of its first glyph (at x = first): a minus sign."""
    cy = y + h / 2
    return (2 <= h <= 0.3 * band and w >= 1.5 * h and 0.3 * band <= w <= 2.5 * band
            and area >= 0.5 * w * h and top + 0.2 * band <= cy <= top + 0.85 * band
            and x + w <= first and first - (x + w) <= 1.2 * band)


def _unit_split(groups: list[list[int]], bx0: int, pad: int) -> tuple[Optional[int], int]:
    """Trailing glyphs as wide as they are tall after narrower ones: a unit (元, 万元, 件, 个, 次, 人)
    after digits (about 0.6 as wide as tall). Returns (x in the padded crop, glyph count)."""
    if len(groups) < 2:
        return None, 0
    hmax = max(g[3] - g[2] for g in groups)
    n = 0
    while n < 2 and len(groups) - n > 1:
        g = groups[-1 - n]
        w, h = g[1] - g[0], g[3] - g[2]
        if h >= 0.7 * hmax and w >= 0.8 * h:
            n += 1
        else:
            break
    if n == 0 or n == len(groups):
        return None, 0
    head = groups[:-n]
    if sum(g[1] - g[0] < 0.8 * (g[3] - g[2]) for g in head) < 0.5 * len(head):
        return None, 0  # mostly wide glyphs before: a label, not digits and a unit
    prev, first = groups[-1 - n], groups[-n]
    if first[0] - prev[1] < 0:
        return None, 0
    return (prev[1] + first[0]) // 2 - bx0 + pad, n


def _big(s: float) -> int:
    return max(12, int(30 * s * s))


# A per-pixel label lookup costs ~2.5 ns a pixel, a component's own box a few microseconds: the
# component helpers below work box by box while that is cheaper (specks are few on most pages).
PIXELS_PER_BOX = 1500


def keep_components(labels: np.ndarray, stats: np.ndarray, cents: np.ndarray, s: float) -> np.ndarray:
    """Which ink components are text: the big ones, and small ones (".", "、", dots of 请) right
    beside a big one (a big component's pixel within the kh x kw window centred on the small
    one's centroid). Isolated small ones are scanner noise."""
    area = stats[:, cv2.CC_STAT_AREA]
    keep = area >= _big(s)
    keep[0] = False
    small = np.nonzero(~keep & (area >= 3))[0]
    small = small[small > 0]
    if keep.any() and len(small):
        kh, kw = max(3, int(12 * s)), max(3, int(14 * s))
        at = cents[small].astype(int)  # truncated, as int() does: centroids are never negative
        if len(small) * PIXELS_PER_BOX < labels.size:
            big, (h, w) = keep.copy(), labels.shape
            for i, (cx, cy) in zip(small.tolist(), at.tolist()):
                y0, x0 = cy - kh // 2, cx - kw // 2  # the window cv2.dilate's centred kernel covers
                keep[i] = big[labels[max(0, y0):min(h, y0 + kh), max(0, x0):min(w, x0 + kw)]].any()
        else:
            near = cv2.dilate(keep.astype(np.uint8)[labels], np.ones((kh, kw), np.uint8))
            keep[small] = near[at[:, 1], at[:, 0]] > 0
    return keep


def component_mask(ink: np.ndarray, labels: np.ndarray, stats: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """255 on the pixels of the kept components, 0 elsewhere (`labels`, `stats`: the connected
    components of `ink`): the ink with each dropped component cleared inside its own box."""
    drop = np.flatnonzero(~keep[1:]) + 1
    if len(drop) * PIXELS_PER_BOX >= labels.size:
        return np.where(keep, np.uint8(255), np.uint8(0))[labels]
    out = cv2.compare(ink, 0, cv2.CMP_NE)
    for i in drop.tolist():
        x, y, w, h = (int(v) for v in stats[i, :4])
        box = out[y:y + h, x:x + w]
        box[labels[y:y + h, x:x + w] == i] = 0
    return out


def _minus_signs(stats: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Dropped components that are a minus sign (a filled bar level with the middle of the text
    and just left of it). Too small for a glyph, a "-" a little apart from its digits would
    otherwise go as a noise speck and "-3" be read "3"."""
    out = np.zeros(len(stats), bool)
    if not keep.any():
        return out
    st = stats[keep]
    hmax = st[:, 3].max()
    tall = st[st[:, 3] >= 0.5 * hmax]
    top, bottom = tall[:, 1].min(), (tall[:, 1] + tall[:, 3]).max()
    band, first = bottom - top, tall[:, 0].min()
    for i in np.nonzero(~keep)[0]:
        if i == 0:  # the background
            continue
        out[i] = _is_dash(*(int(v) for v in stats[i]), int(top), int(band), int(first))
    return out


def _border_lines(mask: np.ndarray) -> np.ndarray:
    """Ruling pixels that reach the crop's edge; long glyph strokes (十, 1) also pass the
    ruling filter but sit inside the cell, and must stay."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    h, w = mask.shape
    edge = np.zeros(n, bool)
    for i in range(1, n):
        x, y, cw, ch, _ = stats[i]
        edge[i] = x == 0 or y == 0 or x + cw >= w or y + ch >= h
    return edge[labels]


def _count_blobs(stats: np.ndarray) -> int:
    """Glyph-height components whose x-ranges do not overlap: one per digit if the digits are clean."""
    if len(stats) == 0:
        return 0
    hmax = stats[:, 3].max()
    tall = sorted((int(x), int(x + w)) for x, y, w, h, a in stats if h >= 0.5 * hmax)
    groups = 0
    end = -1
    for a, b in tall:
        if a >= end:
            groups += 1
            end = b
        else:
            end = max(end, b)
    return groups


def true_runs(mask: np.ndarray, min_gap: int) -> list[tuple[int, int]]:
    """(start, end) of the runs of True separated by at least min_gap False values (text lines from a
    row profile); a shorter gap joins two runs."""
    idx = np.flatnonzero(mask)
    if not len(idx):
        return []
    breaks = np.flatnonzero(np.diff(idx) > min_gap)
    starts = [int(idx[0])] + [int(v) for v in idx[breaks + 1]]
    ends = [int(v) + 1 for v in idx[breaks]] + [int(idx[-1]) + 1]
    return list(zip(starts, ends))


def glyphs_in_a_row(crop: np.ndarray) -> np.ndarray:
    """A vertical label (one glyph under the other) as one horizontal line of the same glyphs.

    Then the horizontal chi_sim model reads it, and the vertical model (0.07-0.09 CPU-s to load) is only
    asked where that reading is unsure (scan_read.read_cells). On the 31 vertical cells of the scan
    fixtures chi_sim read all right this way, chi_sim_vert 25 (结果纪正 for 结果纠正).
    Ink rows closer than a glyph's width are one glyph (CJK glyphs are square: 三 is three strokes); each
    sits in a box as wide as the column, a small mark (、) at its box's bottom left as horizontal text
    sets it, not at the top right where vertical text does (there it reads with confidence 0.4-0.6).
    """
    ink = crop < 128
    cols = np.flatnonzero(ink.any(0))
    if not len(cols):
        return crop
    c0, c1 = int(cols[0]), int(cols[-1]) + 1
    width = c1 - c0
    glyphs: list[list[int]] = []
    for y0, y1 in true_runs(ink.any(1), 1):
        if glyphs and y1 - glyphs[-1][0] <= 1.1 * width:
            glyphs[-1][1] = y1
        else:
            glyphs.append([y0, y1])
    tall = max(y1 - y0 for y0, y1 in glyphs)
    pad, gap = 10, max(2, width // 10)
    line = np.full((tall + 2 * pad, len(glyphs) * (width + gap) - gap + 2 * pad), 255, np.uint8)
    x = pad
    for y0, y1 in glyphs:
        h = y1 - y0
        inked = np.flatnonzero(ink[y0:y1, c0:c1].any(0))
        a, b = c0 + int(inked[0]), c0 + int(inked[-1]) + 1
        if h < 0.5 * width and b - a < 0.5 * width:  # a mark: bottom left of its box
            line[pad + tall - h:pad + tall, x:x + b - a] = crop[y0:y1, a:b]
        else:
            top = pad + (tall - h) // 2
            line[top:top + h, x:x + width] = crop[y0:y1, c0:c1]
        x += width + gap
    return line


def digit_count(text: str) -> int:
    return sum(ch.isdigit() for ch in text)
