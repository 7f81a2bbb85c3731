"""Scanned pages (PNG/JPEG/TIFF, image-only PDFs) -> Document via layout.raster + OCR.

Per page: orientation (tesseract OSD, run alongside the first OCR pass) -> deskew and
table grid (layout/raster.py) -> each cell cropped without its rulings -> a quick eng
pass tells number cells from label cells -> numbers, labels, vertical labels and the
prose outside the tables are read in concurrent tesseract batches (converters/ocr.py).
A number whose digit count differs from its ink blobs gets a low confidence and a second
reading as a label; a 'label' inside a column of numbers is read both ways.
The ink also checks the sign: a dash left of the digits is a minus sign, so a reading without
one gets it added and a confidence < 0.9 (and a "-" with no dash in the ink is distrusted).
Trailing glyphs as wide as tall after digits (251000元, 1200万元) are a unit: the digits are
read alone by the number passes and the unit by chi_sim, instead of 元 turning into a "7".
Cell and paragraph boxes are pixels of the cleaned (rotated, deskewed) page image.
A page turned by 90/180/270 degrees is read twice (OSD answers after the first pass starts).
"""
from __future__ import annotations

import hashlib
import io
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Iterable, Optional

import cv2
import numpy as np
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from xxgk.model import Block, Cell, ConversionError, Document, Paragraph, Source, Table
from xxgk.converters.ocr import OcrEngine, clean_cjk, default_engine, engine_name, fix_brackets, is_number, number_text
from xxgk.layout import raster
from xxgk.layout.borderless import VALUE, borderless_tables
from xxgk.layout.geometry import Piece, group_lines

A4_SHORT_IN = 8.27
MAX_DPI = 400  # larger pages are scaled down to 300 dpi: no accuracy gain, much slower
LOW_CONF = 0.9
_CJK = re.compile(r"[\u3400-\u9fff]")
_WORDY = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")  # a line of only symbols is noise
_PAGE_NO = re.compile(r"^[-—–－_\s|\[\]【】〔〕]*\d{1,3}[-—–－_\s|\[\]【】〔〕]*$")  # OCR adds bracket specks


# ------------------------------------------------------------------ cell crops

@dataclass
class _Crop:
    cell: Cell
    image: Optional[np.ndarray]  # None: blank cell
    blobs: int = 0  # digit-sized ink components, left to right
    vertical: bool = False
    lines: int = 1  # text lines in the ink
    kind: str = "label"  # after the probe: "number" or "label"
    dash: bool = False  # a short horizontal stroke left of all glyphs: a minus sign
    split: Optional[int] = None  # x in `image` where trailing CJK-wide glyphs (元, 万元, 件) start
    unit_glyphs: int = 0  # how many glyph groups lie right of `split`


def _crop_cell(lay: raster.PageLayout, cell: Cell) -> _Crop:
    s = lay.scale
    x0, y0, x1, y1 = (int(v) for v in cell.bbox)
    m = max(1, int(2 * s))
    x0, y0, x1, y1 = x0 + m, y0 + m, x1 - m, y1 - m
    if x1 - x0 < 4 or y1 - y0 < 4:
        return _Crop(cell, None)
    gray = lay.gray[y0:y1, x0:x1].copy()
    lines = _border_lines(lay.rulings[y0:y1, x0:x1])
    ink = lay.ink[y0:y1, x0:x1].copy()
    ink[lines] = 0
    gray[lines] = 255
    n, labels, stats, cents = cv2.connectedComponentsWithStats(ink, connectivity=8)
    keep = _keep_components(labels, stats, cents, s)
    keep |= _minus_signs(stats, keep)
    h, w = ink.shape
    thin = max(3, int(3 * s))
    for i in np.nonzero(keep)[0]:
        x, y, cw, ch, _ = stats[i]
        at_edge = x <= 1 or y <= 1 or x + cw >= w - 1 or y + ch >= h - 1
        if at_edge and (cw <= thin or ch <= thin):
            keep[i] = False  # a sliver of a ruling the mask missed (warped or broken line)
    if keep.sum() == 0 or stats[keep, 4].sum() < 20 * s * s:
        return _Crop(cell, None)
    # Paper, shading and noise specks go white: tesseract reads specks as text.
    mask = cv2.dilate(keep[labels].astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    gray[~mask] = 255
    ys, xs = np.nonzero(keep[labels])
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
    k = _Crop(cell, crop, _count_blobs(stats[keep]), vertical, _count_runs(rows, max(2, int(3 * s))))
    if not vertical and k.lines == 1:
        groups, k.dash = _glyph_groups(stats[keep])
        k.split, k.unit_glyphs = _unit_split(groups, bx0, pad)
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


def _keep_components(labels: np.ndarray, stats: np.ndarray, cents: np.ndarray, s: float) -> np.ndarray:
    """Which ink components are text: the big ones, and small ones (".", "、", dots of 请) right
    beside a big one. Isolated small ones are scanner noise."""
    area = stats[:, cv2.CC_STAT_AREA]
    keep = area >= _big(s)
    keep[0] = False
    small = np.nonzero(~keep & (area >= 3))[0]
    small = small[small > 0]
    if keep.any() and len(small):
        big = keep[labels].astype(np.uint8)
        near = cv2.dilate(big, np.ones((max(3, int(12 * s)), max(3, int(14 * s))), np.uint8))
        for i in small:
            x, y = int(cents[i][0]), int(cents[i][1])
            keep[i] = bool(near[y, x])
    return keep


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


def _count_runs(mask: np.ndarray, min_gap: int) -> int:
    """Runs of True separated by at least min_gap False values (text lines from a row profile)."""
    runs, gap, inside = 0, min_gap, False
    for v in mask:
        if v:
            if not inside and gap >= min_gap:
                runs += 1
            inside, gap = True, 0
        else:
            inside = False
            gap += 1
    return runs


def _digit_count(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


# ------------------------------------------------------------------ prose

def _prose_image(lay: raster.PageLayout) -> np.ndarray:
    """The page without its tables, noise specks and background (tesseract reads specks as text)."""
    n, labels, stats, cents = cv2.connectedComponentsWithStats(lay.ink, connectivity=8)
    keep = _keep_components(labels, stats, cents, lay.scale)
    mask = cv2.dilate(keep[labels].astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    img = np.where(mask, lay.gray, 255).astype(np.uint8)
    pad = int(4 * lay.scale)
    for t in lay.tables:
        x0, y0, x1, y1 = (int(v) for v in t.bbox)
        img[max(0, y0 - pad):y1 + pad, max(0, x0 - pad):x1 + pad] = 255
    return img


def _paragraphs(lines: list[tuple[str, float, tuple]], tables: list[Table], page: int,
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


# ------------------------------------------------------------------ one page

def _page_dpi(image: Image.Image) -> float:
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
    return _dpi_from_text(_as_array(image))


def _dpi_from_text(arr: np.ndarray) -> float:
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


def _as_array(image: Image.Image) -> np.ndarray:
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


def ocr_page(image: Image.Image, page: int, engine: Optional[OcrEngine] = None,
             warnings: Optional[list] = None, detect_orientation: bool = True,
             dpi: Optional[float] = None) -> list[Block]:
    """One page image -> its tables and paragraphs in reading order (method "ocr").

    `warnings` (a Document.warnings list) receives low-confidence notes.
    """
    dpi = dpi or _page_dpi(image)
    if dpi > MAX_DPI:
        f = 300.0 / dpi
        image = image.resize((round(image.width * f), round(image.height * f)), Image.LANCZOS)
        dpi = 300.0
    arr = _as_array(image)
    engine = engine or default_engine(dpi=int(round(dpi)))
    lay = raster.analyze(arr, dpi, page=page)
    notes: list = []
    with ThreadPoolExecutor(6) as ex:
        # OSD costs ~0.7 s, so it runs beside the first pass, which is redone if the page is turned.
        osd = ex.submit(engine.orientation, lay.gray) if detect_orientation else None
        blocks = _read_page(lay, page, engine, ex, notes)
        rot = osd.result() if osd else None
    if rot and rot[0] and rot[1] >= 2.0:
        lay = raster.analyze(arr, dpi, page=page, rotation=rot[0])
        notes = [{"field": None, "kind": "ocr", "raw": None,
                  "message": f"page {page}: turned {rot[0]}° clockwise before OCR"}]
        with ThreadPoolExecutor(6) as ex:
            blocks = _read_page(lay, page, engine, ex, notes)
    if warnings is not None:
        warnings.extend(notes)
    return blocks


def _read_page(lay: raster.PageLayout, page: int, engine: OcrEngine, ex: ThreadPoolExecutor,
               warnings: Optional[list]) -> list[Block]:
    crops = [_crop_cell(lay, c) for t in lay.tables for c in t.cells]
    if getattr(engine, "reads_pages", False):  # duck-typed engines need not subclass OcrEngine
        lines = _read_cells_from_page(lay, crops, engine)
        words = lines
    else:
        read = getattr(engine, "read_block_words", None) or (lambda im: (engine.read_block(im),) * 2)
        prose = ex.submit(read, _prose_image(lay))
        _read_cells(lay, crops, engine, ex)
        lines, words = prose.result()
    plain, lines = _borderless(lay, lines, words, engine, page)
    for k in crops:
        if k.image is not None and k.dash:  # whatever read it, a minus in the ink must not be lost
            k.cell.text, k.cell.confidence = _signed(k.cell.text, k.cell.confidence)
    for k in crops:
        k.cell.method = "ocr"
        if k.image is None:
            k.cell.text, k.cell.confidence = "", 1.0
    blocks: list[Block] = list(lay.tables) + plain + _paragraphs(lines, lay.tables + plain, page, lay.gray.shape)
    blocks.sort(key=lambda b: (b.bbox[1] if b.bbox else 0))
    if warnings is not None:
        for i, t in enumerate(lay.tables + plain):
            low = [c for c in t.cells if c.confidence is not None and c.confidence < LOW_CONF]
            if low:
                warnings.append({"field": None, "kind": "ocr_low_confidence", "raw": None,
                                 "message": f"page {page} table {i + 1}: {len(low)} of {len(t.cells)} "
                                            f"cells read with confidence < {LOW_CONF}"})
        if lay.dropped_cells:
            warnings.append({"field": None, "kind": "ocr_structure", "raw": None,
                             "message": f"page {page}: {lay.dropped_cells} cell outlines did not fit the grid"})
    return blocks


def _read_cells(lay: raster.PageLayout, crops: list[_Crop], engine: OcrEngine, ex: ThreadPoolExecutor) -> None:
    """Cell by cell (tesseract): a probe pass sorts numbers from labels, then batches per kind."""
    inked = [k for k in crops if k.image is not None]
    probe_in = [k for k in inked if not k.vertical]
    probe = engine.read_cells([k.image for k in probe_in], "probe")
    with_unit = []  # digits then a unit the probe turned into letters ("2510007t"): read both ways
    for k, (text, _) in zip(probe_in, probe):
        text = text.replace(" ", "")
        k.kind = "number" if k.lines == 1 and _numberish(text) else "label"
        lead = re.match(r"-?(\d+)", text)
        if (k.kind == "label" and k.lines == 1 and k.split is not None and lead
                and len(lead.group(1)) >= k.blobs - k.unit_glyphs):
            with_unit.append(k)
    kinds: dict[str, list[_Crop]] = {"number": [], "label": [], "vertical": []}
    for k in probe_in:
        kinds[k.kind].append(k)
    doubtful = _doubtful_labels(lay, {id(k.cell): k for k in probe_in})
    both = {id(k) for k in doubtful}
    doubtful += [k for k in with_unit if id(k) not in both]
    kinds["number"] += doubtful  # read both ways; the number wins only if its passes agree
    kinds["vertical"] = [k for k in inked if k.vertical]
    images = {kind: [k.image for k in ks] for kind, ks in kinds.items()}
    # A number followed by a unit ("251000元"): the digits are also read on their own (the
    # whitelist would turn 元 into a digit) and the unit with chi_sim.
    split = [k for k in kinds["number"] if k.split is not None]
    pad = max(10, int(10 * lay.scale))
    images["number"] += [_side(k.image, k.split, pad, left=True) for k in split]
    units = (ex.submit(engine.read_cells, [_side(k.image, k.split, pad, left=False) for k in split], "label")
             if split else None)
    futures = {kind: ex.submit(engine.read_cells, images[kind], kind)
               for kind, ks in kinds.items() if ks}
    readings: dict[int, dict[str, tuple[str, float]]] = {}
    for kind, f in futures.items():
        res = f.result()
        for k, (text, conf) in zip(kinds[kind], res):
            if kind == "number":
                text, conf = _check_number(text, conf, k.blobs, k.dash)
            readings.setdefault(id(k), {})[kind] = (text, conf)
        if kind == "number" and units is not None:
            for k, digits, unit in zip(split, res[len(kinds[kind]):], units.result()):
                joined = _with_unit(digits, unit, k)
                if joined is not None:
                    readings[id(k)]["number"] = joined
                    k.blobs -= k.unit_glyphs
    retry = []
    for k in inked:
        r = readings.get(id(k), {})
        if "vertical" in r:
            text, conf = r["vertical"]
        elif "number" in r and "label" in r:
            num, lab = r["number"], r["label"]
            text, conf = num if num[1] >= LOW_CONF else (lab[0], min(lab[1], 0.8))
        elif "number" in r:
            text, conf = r["number"]
            if not text or _digit_count(text) != k.blobs:
                retry.append(k)  # maybe a label the probe took for digits ("2.重复申请" -> "2")
        else:
            text, conf = r.get("label", ("", 0.0))
        k.cell.text, k.cell.confidence = text, round(conf, 3)
    if retry:
        for k, (text, conf) in zip(retry, engine.read_cells([k.image for k in retry], "label")):
            if text and (not k.cell.text or _CJK.search(text)):
                k.cell.text, k.cell.confidence = text, round(min(conf, 0.5), 3)


_NUMBER_UNIT = re.compile(r"^(-?\d[\d,]*(?:\.\d+)?)([\u3400-\u9fff]{1,3})$")


def _read_cells_from_page(lay: raster.PageLayout, crops: list[_Crop], engine: OcrEngine) -> list:
    """Full-page engines: one pass over the page; each text line goes to the cell holding its
    centre, lines outside the tables are the prose. A line reaching well into a neighbouring cell
    (text run across a ruling) is distrusted in every cell it touches."""
    n, labels, stats, cents = cv2.connectedComponentsWithStats(lay.ink, connectivity=8)
    keep = _keep_components(labels, stats, cents, lay.scale)
    mask = (cv2.dilate(keep[labels].astype(np.uint8), np.ones((3, 3), np.uint8)) > 0) | (lay.rulings > 0)
    page_img = np.where(mask, lay.gray, 255).astype(np.uint8)  # specks and shading out, rulings in
    lines = engine.read_block(page_img)
    inked = {id(k.cell): k for k in crops if k.image is not None}
    cells = [c for t in lay.tables for c in t.cells]
    found: dict[int, list] = {}
    crossing: set[int] = set()
    prose = []
    for ln in lines:
        x0, y0, x1, y1 = ln[2]
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        home = next((c for c in cells if c.bbox[0] <= cx <= c.bbox[2] and c.bbox[1] <= cy <= c.bbox[3]), None)
        if home is None:
            if not any(t.bbox[0] <= cx <= t.bbox[2] and t.bbox[1] <= cy <= t.bbox[3] for t in lay.tables):
                prose.append(ln)
            continue
        found.setdefault(id(home), []).append(ln)
        slack = 0.25 * (x1 - x0)
        if x0 < home.bbox[0] - slack or x1 > home.bbox[2] + slack:
            crossing.add(id(home))
            for c in cells:
                if c is not home and c.bbox[0] < x1 and x0 < c.bbox[2] and c.bbox[1] < cy < c.bbox[3]:
                    crossing.add(id(c))
    for key, k in inked.items():
        got = sorted(found.get(key, []), key=lambda ln: (ln[2][1], ln[2][0]))
        if not got:
            k.cell.text, k.cell.confidence = "", 0.0  # ink the engine did not read: never a silent blank
            continue
        text = fix_brackets(clean_cjk("\n".join(t for t, _, _ in got)))
        conf = min(c for _, c, _ in got)
        num = number_text(text)
        unit = _NUMBER_UNIT.match(num)
        if is_number(num):
            text, conf = _check_number(num, conf, k.blobs, k.dash)
        elif unit and k.split is not None:
            digits, conf = _check_number(unit.group(1), conf, k.blobs - k.unit_glyphs, k.dash)
            text = digits + unit.group(2) if digits else text
        if key in crossing:
            conf = min(conf, 0.3)
        k.cell.text, k.cell.confidence = text, round(conf, 3)
    return prose


def _borderless(lay: raster.PageLayout, lines: list, words: list, engine: OcrEngine,
                page: int) -> tuple[list[Table], list]:
    """Tables printed without vertical rulings (三线表) among the prose words; their number
    cells are read again one by one like ruled cells (the prose pass reads digits worst)."""
    pieces = [Piece(t, *b) for t, _, b in words if t.strip()]
    tables, _ = borderless_tables(group_lines(pieces), page=page, ocr=True)
    if not tables:
        return [], lines
    inside = [t.bbox for t in tables]
    lines = [ln for ln in lines if not any(_centre_in(ln[2], b) for b in inside)]
    numbers = []
    for t in tables:
        for c in t.cells:
            c.method = "ocr"
            if c.text and (is_number(c.text) or c.confidence == 0.0):
                numbers.append(c)  # a number, or junk where one should be (read again)
            elif c.text and VALUE.match(c.text):
                c.confidence = 0.5  # 增2 / 减4 / 251000元: the digit passes would drop the CJK part
            elif c.text:
                c.confidence = 0.5  # a label from the prose pass
            else:
                c.confidence = 1.0
    crops = []
    for c in numbers:
        x0, y0, x1, y1 = c.bbox
        h = y1 - y0
        box = Cell(row=c.row, col=c.col, bbox=(max(0.0, x0 - 0.3 * h), max(0.0, y0 - 0.3 * h),
                                               x1 + 0.3 * h, y1 + 0.3 * h))
        crops.append(_crop_cell(lay, box))
        if c.confidence != 0.0:  # the prose pass's confidence for the word(s) in this cell
            c.confidence = max((cf for _, cf, b in words if _centre_in(b, c.bbox)), default=0.5)
    inked = [(c, k) for c, k in zip(numbers, crops) if k.image is not None]
    readings = ([(c.text, c.confidence) for c, _ in inked] if getattr(engine, "reads_pages", False)
                else engine.read_cells([k.image for _, k in inked], "number"))
    for (c, k), (text, conf) in zip(inked, readings):
        text, conf = _check_number(number_text(text), conf, k.blobs, k.dash)
        if text and is_number(text):
            c.text, c.confidence = text, round(conf, 3)
        else:
            c.confidence = round(min(c.confidence, 0.4), 3)  # the re-read disagrees: keep, distrusted
    return tables, lines




def _centre_in(b: tuple, box: tuple) -> bool:
    cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    return box[0] <= cx <= box[2] and box[1] <= cy <= box[3]


def _doubtful_labels(lay: raster.PageLayout, by_cell: dict[int, _Crop]) -> list[_Crop]:
    """Single-line 'label' cells inside a column of numbers: the eng probe misread a digit
    (a noisy "4" comes out as letters), or the column really has a unit or note there."""
    out = []
    for t in lay.tables:
        cols: dict[int, list[_Crop]] = {}
        for c in t.cells:
            k = by_cell.get(id(c))
            if k is not None and c.colspan == 1 and c.rowspan == 1:
                cols.setdefault(c.col, []).append(k)
        for ks in cols.values():
            nums = [k for k in ks if k.kind == "number"]
            if len(nums) < 3:
                continue
            first = min(k.cell.row for k in nums)
            below = [k for k in ks if k.cell.row > first]
            odd = [k for k in below if k.kind == "label" and k.lines == 1]
            if len(odd) <= 0.4 * len(below):
                out += odd
    return out


def _numberish(probe: str) -> bool:
    """The eng probe read digits, or only punctuation (a serif "1" comes out as "]" or "l")."""
    letters = re.sub(r"[^A-Za-z]", "", probe)
    return len(letters) <= 2 and set(letters) <= set("oOlIi") and len(probe) <= 12


_UNITS = {"元", "万元", "亿元", "千元", "件", "个", "次", "人", "人次", "项", "条", "份", "家", "户", "天", "日", "万"}
_UNIT_TEXT = re.compile(r"^[\u3400-\u9fff]{1,3}$")


def _side(image: np.ndarray, x: int, pad: int, left: bool) -> np.ndarray:
    """The padded crop left (the digits) or right (the unit) of column x."""
    part = image[:, :x] if left else image[:, x:]
    return cv2.copyMakeBorder(part, 0, 0, 0 if left else pad, pad if left else 0,
                              cv2.BORDER_CONSTANT, value=255)


def _with_unit(digits: tuple[str, float], unit: tuple[str, float], k: _Crop) -> Optional[tuple[str, float]]:
    """The digits' reading plus the unit, or None when the right part is no CJK unit (then the
    'wide glyph' was two touching digits and the whole-cell reading stands)."""
    u = unit[0].replace(" ", "")
    if not _UNIT_TEXT.match(u):
        return None
    text, conf = _check_number(digits[0], digits[1], k.blobs - k.unit_glyphs, k.dash)
    if not text or not is_number(text):
        return None
    if u not in _UNITS or unit[1] < 0.6:
        conf = min(conf, 0.8)
    return text + u, conf


_DASHED = re.compile(r"^[-−－—–一_~]*(\d[\d,]*(\.\d+)?[\u3400-\u9fff]{0,3})$")


def _signed(text: str, conf: float) -> tuple[str, float]:
    """A cell with a minus sign in its ink: its number reading starts with "-"."""
    m = _DASHED.match(text)
    if m is None or text.startswith("-") and not text.startswith("--"):
        return text, conf
    return "-" + m.group(1), round(min(conf, 0.8), 3)


def _check_number(text: str, conf: float, blobs: int, dash: bool = False) -> tuple[str, float]:
    """Tidy a number reading; distrust it when the digits do not match the ink blobs, or the sign
    does not match the ink (a dash left of the digits is a minus sign)."""
    if text == "-":
        return text, conf
    signed = text.startswith("-")
    text = text.strip(".-")
    if not text:
        return "", 0.0
    if dash:
        text = "-" + text
        if not signed:
            conf = min(conf, 0.8)  # the reading ignored ink: sign added, but to be checked
    elif signed:
        conf = min(conf, 0.8)  # a sign the ink does not show (or a dash too faint to see)
    if not is_number(text):
        conf = min(conf, 0.4)
    if _digit_count(text) != blobs:
        # The usual tesseract error here is a dropped digit ("11" -> "1").
        conf = min(conf, 0.5)
    return text, conf


# ------------------------------------------------------------------ documents

def _join_pages(blocks_per_page: list[list[Block]], dpi: float) -> list[Block]:
    """Join the last table of a page with the first of the next when their columns match."""
    try:
        from xxgk.layout.join import join as join_two
    except ImportError:  # pragma: no cover - join.py is written separately
        join_two = None
    out: list[Block] = []
    for blocks in blocks_per_page:
        if (join_two and out and blocks and isinstance(out[-1], Table)
                and isinstance(blocks[0], Table)):
            joined = _join_shifted(join_two, out[-1], blocks[0], tol=4.0 * dpi / 72)
            if joined is not None:
                out[-1] = joined
                out.extend(blocks[1:])
                continue
        out.extend(blocks)
    return out


def _join_shifted(join_two, a: Table, b: Table, tol: float) -> Optional[Table]:
    """layout.join.join on pixel boxes, allowing the second scan to sit shifted sideways."""
    if a.bbox is None or b.bbox is None:
        return None
    dx = a.bbox[0] - b.bbox[0]
    if abs((a.bbox[2] - a.bbox[0]) - (b.bbox[2] - b.bbox[0])) > tol:
        return None
    moved = Table(cells=[Cell(row=c.row, col=c.col, text=c.text, rowspan=c.rowspan, colspan=c.colspan,
                              page=c.page, bbox=(c.bbox[0] + dx, c.bbox[1], c.bbox[2] + dx, c.bbox[3])
                              if c.bbox else None, method=c.method, confidence=c.confidence)
                         for c in b.cells], positional=b.positional, page=b.page, bbox=b.bbox)
    joined = join_two(a, moved, tol)
    if joined is None:
        return None
    for c in joined.cells:
        if c.page == b.page and c.page != a.page and c.bbox:
            c.bbox = (c.bbox[0] - dx, c.bbox[1], c.bbox[2] - dx, c.bbox[3])
    return joined


def _open_pages(data: bytes) -> list[Image.Image]:
    try:
        im = Image.open(io.BytesIO(data))
        pages = []
        for frame in ImageSequence.Iterator(im):
            f = ImageOps.exif_transpose(frame) if im.format == "JPEG" else frame.copy()
            f.load()
            if f.info.get("dpi") is None and im.info.get("dpi"):
                f.info["dpi"] = im.info["dpi"]
            pages.append(f)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as e:
        raise ConversionError(f"unreadable image: {e}") from e
    if not pages:
        raise ConversionError("image has no pages")
    return pages


def _document(frames: Iterable[tuple[Image.Image, Optional[float]]], n_pages: int, name: str,
              data: bytes, fmt: str, engine: Optional[OcrEngine]) -> Document:
    """OCR page after page (frames are produced lazily, so a long scan is not all in memory)."""
    doc = Document(source=Source(path=name, format=fmt, sha256=hashlib.sha256(data).hexdigest(),
                                 pages=n_pages, ocr=True, ocr_engine=engine.name if engine else engine_name()))
    per_page = []
    dpi = 200.0
    for i, (im, page_dpi) in enumerate(frames, start=1):
        dpi = page_dpi or _page_dpi(im)
        try:
            blocks = ocr_page(im, i, engine=engine, warnings=doc.warnings, dpi=dpi)
        except (RuntimeError, OSError, subprocess.SubprocessError) as e:  # engine missing or failing
            raise ConversionError(f"OCR failed on page {i}: {e}") from e
        if not blocks:
            doc.warn("ocr_empty", f"page {i}: OCR found no table and no text")
        per_page.append(blocks)
    doc.blocks = _join_pages(per_page, min(dpi, 300.0))
    return doc


def convert(data: bytes, name: str, engine: Optional[OcrEngine] = None) -> Document:
    """PNG / JPEG / TIFF (multi-page too) -> Document."""
    pages = _open_pages(data)
    return _document(((p, None) for p in pages), len(pages), name, data, "image", engine)


def convert_pdf_images(data: bytes, name: str, engine: Optional[OcrEngine] = None,
                       dpi: float = 300.0) -> Document:
    """A PDF whose pages are scans (no text layer) -> Document."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except Exception as e:  # pdfium raises PdfiumError and plain exceptions
        raise ConversionError(f"unreadable PDF: {e}") from e
    try:
        if len(pdf) == 0:
            raise ConversionError("PDF has no pages")
        frames = (_pdf_page_image(pdf[i], dpi) for i in range(len(pdf)))
        return _document(frames, len(pdf), name, data, "pdf", engine)
    finally:
        pdf.close()


def _pdf_page_image(page, dpi: float) -> tuple[Image.Image, float]:
    """The embedded scan at its own resolution when the page is one upright image, else a render."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    w_pt, h_pt = page.get_size()
    try:
        imgs = list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2))
        if len(imgs) == 1 and page.get_rotation() == 0:
            x0, y0, x1, y1 = imgs[0].get_bounds()
            m = imgs[0].get_matrix()
            upright = m.a > 0 and m.d > 0 and abs(m.b) < 1e-6 and abs(m.c) < 1e-6
            if upright and (x1 - x0) > 0.9 * w_pt and (y1 - y0) > 0.9 * h_pt:
                bmp = imgs[0].get_bitmap(render=False).to_pil()
                own = bmp.width / ((x1 - x0) / 72.0)
                if abs(bmp.width / bmp.height - (x1 - x0) / (y1 - y0)) < 0.02 and 100 <= own <= MAX_DPI:
                    return bmp, own
    except pdfium.PdfiumError:
        pass
    return page.render(scale=dpi / 72.0).to_pil(), dpi
