"""Scanned page (numpy image) -> cleaned, deskewed page plus table grids with spans.

Method and parameters follow shared/research/toolchain.md (measured on these tables):
adaptive threshold -> fitLine deskew on long horizontal rulings -> morphological
ruling masks -> cells are 4-connected background components inside each table
contour (a merged cell is one component) -> clustered cell edges give grid lines
-> (row, col, rowspan, colspan). Sizes are given for 200 dpi and scaled by dpi/200.
Coordinates are pixels of the cleaned (rotated, deskewed) page image.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import cv2
import numpy as np

from xxgk.model import BBox, Cell, Table

MAX_SKEW = 5.0  # degrees; larger estimates are not trusted


@dataclass
class PageLayout:
    gray: np.ndarray  # cleaned, rotated and deskewed page (uint8, white background)
    ink: np.ndarray  # binarised gray, ink = 255
    rulings: np.ndarray  # ruling-line mask (dilated), 255 on lines
    tables: list[Table]
    text_regions: list[BBox]  # horizontal bands outside tables, top to bottom
    scale: float  # dpi / 200
    skew: float = 0.0  # degrees the page was rotated back by
    dropped_cells: int = 0  # components that did not fit the grid


def components(img: np.ndarray, connectivity: int = 8) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """cv2.connectedComponentsWithStats with 16-bit labels where they fit: the same components in half the
    label memory, twice as fast on a 300-dpi page (13 vs 26 ms). OpenCV refuses past 65535 labels (a page
    of noise): then 32-bit."""
    try:
        return cv2.connectedComponentsWithStats(img, connectivity=connectivity, ltype=cv2.CV_16U)
    except cv2.error:
        return cv2.connectedComponentsWithStats(img, connectivity=connectivity, ltype=cv2.CV_32S)


def _odd(n: float) -> int:
    n = max(3, int(round(n)))
    return n if n % 2 else n + 1


def to_gray(img: np.ndarray) -> np.ndarray:
    """RGB/RGBA/gray -> gray in which red or blue ink (seals, stamps, pen) is dropped.

    In its own channel seal ink is a fixed fraction c of the paper's brightness, while black
    print under the seal stays dark there. So a reddish pixel becomes R / c, capped at the
    local paper level: the seal turns into paper, the digits and rulings under it survive.
    """
    if img.ndim == 2:
        return img.astype(np.uint8, copy=False)
    if img.shape[2] == 4:
        img = img[:, :, :3]
    img = np.ascontiguousarray(img.astype(np.uint8, copy=False))
    gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    # uint8 planes (OpenCV's saturating arithmetic, no int16 copy of the page); extractChannel: cv2.split
    # takes 2-12 ms for the same planes of a 150-dpi page, 1.3 ms steadily this way
    channels = [cv2.extractChannel(img, i) for i in range(3)]
    paper = None
    for ch, others, thresh in ((0, (1, 2), 25), (2, (0, 1), 30)):  # red, then blue
        # 30 for blue: light blue table shading (about 200,220,240) stays as it is.
        # Saturated at 0: only an excess above the (positive) thresholds counts.
        excess = cv2.subtract(channels[ch], cv2.max(channels[others[0]], channels[others[1]]))
        mask = excess > thresh
        if np.count_nonzero(mask) < 50:
            continue
        if paper is None:  # whole levels, kept in uint8: only the few masked pixels become floats
            paper = cv2.max(cv2.blur(cv2.dilate(gray, np.ones((15, 15), np.uint8)), (31, 31)), 1)
        chan = channels[ch]
        core = excess > 80
        c = (float(np.median(chan[core].astype(np.float32) / paper[core].astype(np.float32)))
             if np.count_nonzero(core) > 50 else 0.85)
        c = min(max(c, 0.5), 1.0)
        gray[mask] = np.minimum(chan[mask].astype(np.float32) / c, paper[mask].astype(np.float32)).astype(np.uint8)
    return gray


def binarize(gray: np.ndarray, scale: float) -> np.ndarray:
    blur = cv2.GaussianBlur(gray, (3, 3), 0)
    return cv2.adaptiveThreshold(blur, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                 _odd(31 * scale), 15)


def horizontal_rulings(ink: np.ndarray, scale: float, length: float = 39) -> np.ndarray:
    k = cv2.getStructuringElement(cv2.MORPH_RECT, (max(9, int(length * scale)), 1))
    return cv2.morphologyEx(ink, cv2.MORPH_OPEN, k)


def vertical_rulings(ink: np.ndarray, scale: float, length: float = 38) -> np.ndarray:
    k = cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(9, int(length * scale))))
    return cv2.morphologyEx(ink, cv2.MORPH_OPEN, k)


def estimate_skew(ink: np.ndarray, scale: float) -> float:
    """Skew in degrees (positive: lines fall to the right) from long horizontal rulings.

    A short opening kernel keeps lines tilted up to ~5 deg connected as staircases;
    only components much longer than any glyph are fitted.
    """
    h = horizontal_rulings(ink, scale, length=20)
    n, labels, stats, _ = components(h)
    angles, weights = [], []
    min_w = 250 * scale
    for i in range(1, n):
        x, y, w, hh, area = stats[i]
        if w < min_w or hh > 0.12 * w:
            continue
        ys, xs = np.nonzero(labels[y:y + hh, x:x + w] == i)
        if len(xs) > 4000:
            sel = np.linspace(0, len(xs) - 1, 4000).astype(int)
            xs, ys = xs[sel], ys[sel]
        vx, vy, _, _ = cv2.fitLine(np.column_stack([xs, ys]).astype(np.float32),
                                   cv2.DIST_L2, 0, 0.01, 0.01).ravel()
        a = math.degrees(math.atan2(vy, vx))
        a = (a + 90) % 180 - 90
        if abs(a) <= MAX_SKEW + 1:
            angles.append(a)
            weights.append(w)
    if not angles:
        return text_skew(ink)
    order = np.argsort(angles)
    cum = np.cumsum(np.asarray(weights, float)[order])
    return float(np.asarray(angles)[order][np.searchsorted(cum, cum[-1] / 2)])


def text_skew(ink: np.ndarray) -> float:
    """Skew of a page without long rulings (prose only) from its text lines: the angle whose
    horizontal ink profile is sharpest (text lines and the gaps between them line up)."""
    h, w = ink.shape
    f = 800.0 / max(w, 1)
    if f < 1:
        ink = cv2.resize(ink, (800, max(1, int(h * f))), interpolation=cv2.INTER_AREA)
    if np.count_nonzero(ink) < 0.002 * ink.size:
        return 0.0  # (nearly) blank page

    # The 41 coarse angles on a half-size copy (a quarter of the pixels to turn: 80 -> 43 ms a page), the
    # fine ones at full size over a window a step wider than the coarse step's doubt, within the old
    # search's reach (on 89 pages, real and turned by hand, the angle of the full-size search).
    half = cv2.resize(ink, (ink.shape[1] // 2, max(1, ink.shape[0] // 2)), interpolation=cv2.INTER_AREA)
    coarse = np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, 0.25)
    best = float(max(coarse, key=_sharpness_of(half)))
    fine = np.round(np.arange(best - 0.3, best + 0.3 + 1e-9, 0.05), 2)  # 0.7, not 0.7000000000000002
    fine = fine[np.abs(fine) <= MAX_SKEW + 0.2 + 1e-9]
    best = float(max(fine, key=_sharpness_of(ink)))
    return 0.0 if abs(best) < 0.1 else best


def _sharpness_of(ink: np.ndarray):
    """angle -> how sharply the rows of `ink` turned by it alternate between text and gaps."""
    hh, ww = ink.shape
    centre = (ww / 2, hh / 2)

    def sharpness(a: float) -> float:
        m = cv2.getRotationMatrix2D(centre, float(a), 1.0)
        turned = cv2.warpAffine(ink, m, (ww, hh), flags=cv2.INTER_LINEAR, borderValue=0)
        # Row sums of at most 800 x 255 are whole numbers float32 holds exactly, in any order of adding.
        prof = cv2.reduce(turned, 1, cv2.REDUCE_SUM, dtype=cv2.CV_32F).ravel()
        return float(np.square(np.diff(prof)).sum())

    return sharpness


def rotate(gray: np.ndarray, degrees: float) -> np.ndarray:
    """Rotate about the centre, keeping the size, filling with white."""
    h, w = gray.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def rotate_quadrant(img: np.ndarray, degrees: int) -> np.ndarray:
    """Rotate clockwise by 0/90/180/270 (what tesseract OSD calls 'Rotate')."""
    k = {0: None, 90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180,
         270: cv2.ROTATE_90_COUNTERCLOCKWISE}[degrees % 360]
    return img if k is None else cv2.rotate(img, k)


def ruling_mask(ink: np.ndarray, scale: float) -> np.ndarray:
    h = horizontal_rulings(ink, scale)
    v = vertical_rulings(ink, scale)
    # Bridge small breaks along each line direction, thicken a little across it.
    g = max(3, int(9 * scale))
    h = cv2.dilate(h, cv2.getStructuringElement(cv2.MORPH_RECT, (g, 3)))
    v = cv2.dilate(v, cv2.getStructuringElement(cv2.MORPH_RECT, (3, g)))
    return cv2.bitwise_or(h, v)


def _cluster(values: list[float], tol: float) -> list[float]:
    """Single-linkage 1-D clustering; returns cluster centres (medians), sorted."""
    if not values:
        return []
    vals = sorted(values)
    groups, cur = [], [vals[0]]
    for v in vals[1:]:
        if v - cur[-1] <= tol:
            cur.append(v)
        else:
            groups.append(cur)
            cur = [v]
    groups.append(cur)
    return [float(np.median(g)) for g in groups]


def _nearest(lines: list[float], v: float) -> int:
    return int(np.argmin([abs(v - x) for x in lines]))


def cells_from_components(boxes: list[tuple[int, int, int, int]], scale: float,
                          page: Optional[int] = None) -> tuple[list[Cell], int]:
    """Cell boxes (x0, y0, x1, y1) -> anchored cells with spans; returns (cells, dropped)."""
    tol = 10 * scale
    # A boundary sits between a cell's edge and its neighbour's: use both edges of every cell.
    xs = _cluster([b[0] for b in boxes] + [b[2] for b in boxes], tol)
    ys = _cluster([b[1] for b in boxes] + [b[3] for b in boxes], tol)
    # Adjacent cells' facing edges are one ruling apart; merge those pairs into one boundary.
    xs = _merge_facing(xs, tol * 2)
    ys = _merge_facing(ys, tol * 2)
    taken: set[tuple[int, int]] = set()
    cells: list[Cell] = []
    dropped = 0
    for b in sorted(boxes, key=lambda b: -(b[2] - b[0]) * (b[3] - b[1])):
        c0, c1 = _nearest(xs, b[0]), _nearest(xs, b[2])
        r0, r1 = _nearest(ys, b[1]), _nearest(ys, b[3])
        if c1 <= c0 or r1 <= r0:
            dropped += 1
            continue
        slots = {(r, c) for r in range(r0, r1) for c in range(c0, c1)}
        if slots & taken:
            dropped += 1
            continue
        taken |= slots
        cells.append(Cell(row=r0, col=c0, rowspan=r1 - r0, colspan=c1 - c0, page=page,
                          bbox=tuple(float(v) for v in b), method="ocr"))
    cells.sort(key=lambda c: (c.row, c.col))
    return cells, dropped


def _merge_facing(lines: list[float], gap: float) -> list[float]:
    """Edge clusters closer than `gap` are the two faces of one thick ruling: use their midpoint."""
    out: list[float] = []
    i = 0
    while i < len(lines):
        if i + 1 < len(lines) and lines[i + 1] - lines[i] <= gap:
            out.append((lines[i] + lines[i + 1]) / 2)
            i += 2
        else:
            out.append(lines[i])
            i += 1
    return out


def find_tables(rulings: np.ndarray, scale: float,
                page: Optional[int] = None) -> tuple[list[Table], int]:
    """Each connected ruling network with at least two closed cells is a table; returns
    (tables top to bottom, number of cell outlines that did not fit their grid)."""
    tables: list[Table] = []
    dropped = 0
    n_comp, comp, comp_stats, _ = components(rulings)
    min_cell = 8 * scale
    for k in range(1, n_comp):
        x, y, w, h, _ = comp_stats[k]
        # Bold heading glyphs (四, 口) can pass the ruling filter: a table is bigger than a glyph.
        if w < 200 * scale or h < 40 * scale:
            continue
        # Only this ruling network: another one (a page edge, a second table) may share the box.
        crop = (comp[y:y + h, x:x + w] == k).astype(np.uint8) * np.uint8(255)
        # Close open sides (a table continued on the next page has no bottom rule). The band is
        # a few px thick because the ends of the vertical rules are ragged after deskewing.
        t = max(3, int(6 * scale))
        crop[:t, :] = crop[-t:, :] = 255
        crop[:, :t] = crop[:, -t:] = 255
        bg = cv2.bitwise_not(crop)
        n, labels, stats, _ = components(bg, 4)
        boxes = []
        for i in range(1, n):
            cx, cy, cw, ch, area = stats[i]
            if cx == 0 or cy == 0 or cx + cw >= w or cy + ch >= h:
                continue  # outside the table (touches the contour's box)
            if cw < min_cell or ch < min_cell or area < 0.5 * cw * ch:
                continue
            boxes.append((x + cx, y + cy, x + cx + cw, y + cy + ch))
        if len(boxes) < 2:
            continue
        cells, d = cells_from_components(boxes, scale, page)
        if len(cells) < 2:
            continue
        dropped += d
        tables.append(Table(cells=cells, page=page, bbox=(float(x), float(y), float(x + w), float(y + h))))
    tables = _drop_overlapping(tables)
    tables.sort(key=lambda t: (t.bbox[1], t.bbox[0]))
    return tables, dropped


def _drop_overlapping(tables: list[Table]) -> list[Table]:
    """A ruling network lying over a bigger table (a page edge or fold in a warped scan
    joined to a few strokes) is not a table of its own."""
    kept: list[Table] = []
    for t in sorted(tables, key=lambda t: -len(t.cells)):
        x0, y0, x1, y1 = t.bbox
        area = max(1.0, (x1 - x0) * (y1 - y0))
        if all(_overlap(t.bbox, k.bbox) < 0.1 * area for k in kept):
            kept.append(t)
    return kept


def _overlap(a: BBox, b: BBox) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(0.0, w) * max(0.0, h)


def text_bands(shape: tuple[int, int], tables: list[Table]) -> list[BBox]:
    """The page minus the tables, as full-width horizontal bands from top to bottom."""
    h, w = shape[:2]
    bands: list[BBox] = []
    top = 0.0
    for t in sorted(tables, key=lambda t: t.bbox[1]):
        if t.bbox[1] - top > 5:
            bands.append((0.0, top, float(w), t.bbox[1]))
        top = max(top, t.bbox[3])
    if h - top > 5:
        bands.append((0.0, top, float(w), float(h)))
    return bands


def analyze(img: np.ndarray, dpi: float, page: Optional[int] = None, rotation: int = 0,
            deskew: bool = True) -> PageLayout:
    """Image (RGB or gray) -> PageLayout. `rotation` is applied first (clockwise degrees)."""
    scale = dpi / 200.0
    gray = rotate_quadrant(to_gray(img), rotation)
    ink = binarize(gray, scale)
    angle = estimate_skew(ink, scale) if deskew else 0.0
    if abs(angle) > 0.05:
        gray = rotate(gray, angle)
        ink = binarize(gray, scale)
    rulings = ruling_mask(ink, scale)
    tables, dropped = find_tables(rulings, scale, page)
    return PageLayout(gray=gray, ink=ink, rulings=rulings, tables=tables,
                      text_regions=text_bands(gray.shape, tables), scale=scale, skew=angle,
                      dropped_cells=dropped)
