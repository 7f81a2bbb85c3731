"""The prose of a scanned page: the image the prose pass reads, and its OCR lines as paragraphs."""
from __future__ import annotations

import re

import cv2
import numpy as np

from xxgk.model import Paragraph, Table
from xxgk.layout import raster
from xxgk.converters.scan_cells import component_mask, keep_components, true_runs

_WORDY = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")  # a line of only symbols is noise
_PAGE_NO = re.compile(r"^[-—–－_\s|\[\]【】〔〕]*\d{1,3}[-—–－_\s|\[\]【】〔〕]*$")  # OCR adds bracket specks


def prose_image(lay: raster.PageLayout) -> np.ndarray:
    """The page without its tables, noise specks and background (tesseract reads specks as text)."""
    n, labels, stats, cents = raster.components(lay.ink)
    keep = keep_components(labels, stats, cents, lay.scale)
    mask = cv2.dilate(component_mask(lay.ink, labels, stats, keep), np.ones((3, 3), np.uint8))
    img = cv2.max(lay.gray, cv2.bitwise_not(mask))  # gray where a kept component is near, else white
    pad = int(4 * lay.scale)
    for t in lay.tables:
        x0, y0, x1, y1 = (int(v) for v in t.bbox)
        img[max(0, y0 - pad):y1 + pad, max(0, x0 - pad):x1 + pad] = 255
    return img


LINE_PX = 40  # a tall line (a title at 300 dpi, ~83 px) is read again at this height: 潜洋区 -> 洪泽区


def read_prose(lay: raster.PageLayout, engine) -> tuple[list, list]:
    """(lines, words) of the page's prose: one page pass, then second reads of what it skipped or
    read too large (see second_reads)."""
    img = prose_image(lay)
    page_pass = getattr(engine, "read_block_words", None)
    lines, words = page_pass(img) if page_pass else (engine.read_block(img),) * 2  # duck-typed engines
    return second_reads(img, lines, lay.scale, engine), words


def lost_line_boxes(img: np.ndarray, lines: list[tuple[str, float, tuple]], scale: float) -> list[tuple]:
    """Bands of ink the page pass read no line in (tesseract's layout analysis can drop a whole
    line, e.g. a large title line above the body): (x0, y0, x1, y1) of each, in image pixels."""
    ink = img < 160
    bands = true_runs(ink.sum(1) >= 2, max(3, int(3 * scale) + 1))  # gaps up to 3 px (200 dpi) join
    out = []
    for y0, y1 in bands:
        height = y1 - y0
        if not (12 * scale <= height <= 90 * scale):  # specks and rules; a figure is not a line
            continue
        if any(min(y1, b[3]) - max(y0, b[1]) > 0.3 * height for _, _, b in lines):
            continue
        cols = np.nonzero(ink[y0:y1].any(0))[0]
        if cols[-1] - cols[0] < 3 * height:  # a page number, a stray mark: not a line worth a read
            continue
        box = (int(cols[0]), y0, int(cols[-1]) + 1, y1)
        if glyph_cover(ink[y0:y1, box[0]:box[2]]) < MIN_GLYPH_COVER:
            continue  # specks strewn along a page edge (a 300-dpi band cost 0.5 CPU-s to read as nothing)
        out.append(box)
    return out


MIN_GLYPH_COVER = 0.1  # lost lines measured 0.74-0.88 (1-bit 100 dpi, broken strokes: 0.16-0.24); speck bands 0-0.04


def glyph_cover(ink: np.ndarray) -> float:
    """The share of a band's width under components at least half the band's height: glyphs fill a
    text line's height side by side, specks and a stray edge stroke do not."""
    _, _, stats, _ = raster.components(ink.astype(np.uint8))
    tall = stats[1:][stats[1:, cv2.CC_STAT_HEIGHT] * 2 >= ink.shape[0]]
    covered = np.zeros(ink.shape[1], bool)
    for x, w in zip(tall[:, cv2.CC_STAT_LEFT], tall[:, cv2.CC_STAT_WIDTH]):
        covered[x:x + w] = True
    return float(covered.mean())


def tall_lines(lines: list[tuple[str, float, tuple]]) -> list[int]:
    """Lines much taller than the page's usual line and than LINE_PX: tesseract misreads large type."""
    if len(lines) < 3:
        return []
    usual = float(np.median([b[3] - b[1] for _, _, b in lines]))
    return [i for i, (_, _, b) in enumerate(lines) if b[3] - b[1] > max(1.25 * usual, 1.2 * LINE_PX)]


def second_reads(img: np.ndarray, lines: list[tuple[str, float, tuple]], scale: float,
                 engine) -> list[tuple[str, float, tuple]]:
    """`lines` with a line read from each band of ink the page pass skipped, and each tall line read
    again down-scaled to LINE_PX (kept when it reads more confidently): one small read each."""
    lost = lost_line_boxes(img, lines, scale)
    tall = tall_lines(lines)
    if not lost and not tall:
        return lines
    crops = [_line_crop(img, box) for box in lost]
    for i in tall:
        box = tuple(int(v) for v in lines[i][2])
        k = LINE_PX / (box[3] - box[1])
        crops.append(cv2.resize(_line_crop(img, box), None, fx=k, fy=k, interpolation=cv2.INTER_AREA))
    reads = [(text.replace("\n", ""), conf) for text, conf, *_ in engine.read_cells(crops, "line")]
    out = list(lines)
    for (text, conf), i in zip(reads[len(lost):], tall):
        if conf > lines[i][1] + 0.05 and len(_WORDY.findall(text)) >= 2:
            out[i] = (text, conf, lines[i][2])
    out += [(text, conf, tuple(float(v) for v in box)) for (text, conf), box in zip(reads, lost)
            if conf >= 0.6 and len(_WORDY.findall(text)) >= 2]
    return sorted(out, key=lambda t: (t[2][1], t[2][0]))


def _line_crop(img: np.ndarray, box: tuple) -> np.ndarray:
    x0, y0, x1, y1 = box
    pad = max(4, (y1 - y0) // 4)
    return np.ascontiguousarray(img[max(0, y0 - pad):y1 + pad, max(0, x0 - pad):x1 + pad])


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
