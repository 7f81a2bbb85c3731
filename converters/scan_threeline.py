"""三线表 in scans: tables printed without vertical rulings, rebuilt from the prose pass's words.

Columns come from where the numbers sit (layout/borderless.py); every number cell found that way
is cropped and read again on its own with the number vote (the prose pass reads digits worst).
"""
from __future__ import annotations

from xxgk.model import Cell, Table
from xxgk.converters.ocr import OcrEngine, is_number, number_text
from xxgk.converters.scan_cells import crop_cell
from xxgk.converters.scan_numbers import check_number
from xxgk.layout import raster
from xxgk.layout.borderless import VALUE, borderless_tables
from xxgk.layout.geometry import Piece, group_lines


def threeline_tables(lay: raster.PageLayout, lines: list, words: list, engine: OcrEngine,
                page: int) -> tuple[list[Table], list]:
    """Tables printed without vertical rulings (三线表) among the prose words; their number
    cells are read again one by one like ruled cells (the prose pass reads digits worst)."""
    pieces = [Piece(t, *b) for t, _, b in words if t.strip()]
    tables, _ = borderless_tables(group_lines(pieces), page=page, ocr=True)
    if not tables:
        return [], lines
    inside = [t.bbox for t in tables]
    lines = [ln for ln in lines if not any(centre_in(ln[2], b) for b in inside)]
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
        crops.append(crop_cell(lay, box))
        if c.confidence != 0.0:  # the prose pass's confidence for the word(s) in this cell
            c.confidence = max((cf for _, cf, b in words if centre_in(b, c.bbox)), default=0.5)
    inked = [(c, k) for c, k in zip(numbers, crops) if k.image is not None]
    readings = ([(c.text, c.confidence) for c, _ in inked] if getattr(engine, "reads_pages", False)
                else engine.read_cells([k.image for _, k in inked], "number"))
    for (c, k), (text, conf) in zip(inked, readings):
        text, conf = check_number(number_text(text), conf, k.blobs, k.dash)
        if text and is_number(text):
            c.text, c.confidence = text, round(conf, 3)
        else:
            c.confidence = round(min(c.confidence, 0.4), 3)  # the re-read disagrees: keep, distrusted
    return tables, lines


def centre_in(b: tuple, box: tuple) -> bool:
    cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    return box[0] <= cx <= box[2] and box[1] <= cy <= box[3]
