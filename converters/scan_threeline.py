"""三线表 in scans: tables printed without vertical rulings, rebuilt from the prose pass's words.

Columns come from where the numbers sit (layout/borderless.py); every number cell found that way
is cropped and read again on its own with the number vote (the prose pass reads digits worst).
"""
from __future__ import annotations

import re

from xxgk.model import Cell, Table
from xxgk.converters.ocr import OcrEngine, is_number, number_text
from xxgk.converters.scan_cells import crop_cell
from xxgk.converters.scan_numbers import check_number
from xxgk.layout import raster
from xxgk.layout.borderless import VALUE, borderless_tables
from xxgk.layout.geometry import Piece, group_lines


# Digits run together with the bars and brackets a serif "1" becomes ("1]14" for 14, "1]1" for 11).
_DIGIT_JUNK = re.compile(r"^(?=.*\d)(?=.*[\]\[|!])[\d\]\[|!lI]{2,8}$")
JUNK_CONF = 0.3  # a short non-number word read below this among a row's numbers is a misread digit
PLACEHOLDER = "0"  # stands in for such junk while the columns are found; its cell is always re-read


def _word_lines(words: list) -> tuple[list[list[Piece]], list[Piece]]:
    """The prose words as lines of pieces, and the junk among each row's trailing run of numbers
    ("工" or "1]14" read where a 1 or 14 is printed) made placeholder values: junk left in would end
    the run and shift the row's numbers into the labels."""
    conf: dict[int, float] = {}
    pieces = []
    for t, c, b in words:
        if t.strip():
            pieces.append(Piece(t, *b))
            conf[id(pieces[-1])] = c
    junk: list[Piece] = []
    out = []
    for line in group_lines(pieces):
        def misread(p: Piece) -> bool:
            return bool(_DIGIT_JUNK.match(p.text)) or (conf[id(p)] < JUNK_CONF and len(p.text) <= 2)

        start = len(line)
        while start > 0 and (VALUE.match(line[start - 1].text) or misread(line[start - 1])):
            start -= 1
        while start < len(line) and not VALUE.match(line[start].text):
            start += 1  # the run begins with a number: a misread label left of it stays a label
        run = line[start:]
        if sum(bool(VALUE.match(p.text)) for p in run) >= 2:
            for i, p in enumerate(run):
                if not VALUE.match(p.text):
                    run[i] = Piece(PLACEHOLDER, p.x0, p.top, p.x1, p.bottom)
                    junk.append(run[i])
        out.append(line[:start] + run)
    return out, junk


def threeline_tables(lay: raster.PageLayout, lines: list, words: list, engine: OcrEngine,
                page: int) -> tuple[list[Table], list]:
    """Tables printed without vertical rulings (三线表) among the prose words; their number
    cells are read again one by one like ruled cells (the prose pass reads digits worst)."""
    word_lines, junk = _word_lines(words)
    tables, _ = borderless_tables(word_lines, page=page, ocr=True)
    for t in tables:
        for c in t.cells:
            if c.bbox and any(centre_in((p.x0, p.top, p.x1, p.bottom), c.bbox) for p in junk):
                c.text, c.confidence = "?", 0.0  # never the placeholder: read again or left distrusted
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
