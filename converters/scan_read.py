"""Per-engine reading of a page's cells.

Tesseract (cell by cell): a quick eng probe sorts number cells from label cells, then every kind
is read in one batched process (numbers by a three-way vote), cells in doubt both ways.
Full-page engines (RapidOCR): one pass over the page, each text line assigned to the cell that
holds its centre; a line run across a ruling is distrusted in every cell it touches.
"""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np

from xxgk.converters.ocr import OcrEngine, clean_cjk, fix_brackets, is_number, number_text
from xxgk.converters.scan_cells import Crop, digit_count, glyphs_in_a_row, keep_components
from xxgk.converters.scan_numbers import LOW_CONF, check_number, numberish, side, with_unit
from xxgk.layout import raster

_CJK = re.compile(r"[\u3400-\u9fff]")


def read_cells(lay: raster.PageLayout, crops: list[Crop], engine: OcrEngine, ex: ThreadPoolExecutor) -> None:
    """Cell by cell (tesseract): a probe pass sorts numbers from labels, then batches per kind."""
    inked = [k for k in crops if k.image is not None]
    probe_in = [k for k in inked if not k.vertical]
    # A cell of several text lines is a label whatever the probe reads, and so is a line of mostly
    # CJK-wide glyphs (the eng probe costs most on those): only the others are probed.
    probed = [k for k in probe_in if k.lines == 1 and not looks_cjk(k)]
    probe = engine.read_cells([k.image for k in probed], "probe")
    raw_probe = {id(k): (p[2], p[1]) for k, p in zip(probed, probe) if len(p) > 2}  # (raw text, conf)
    unit_probes = []  # digits then a unit the probe turned into letters ("2510007t"): read both ways
    for k, (text, _, *_) in zip(probed, probe):
        text = text.replace(" ", "")
        k.kind = "number" if numberish(text) else "label"
        lead = re.match(r"-?(\d+)", text)
        if (k.kind == "label" and k.lines == 1 and k.split is not None and lead
                and len(lead.group(1)) >= k.blobs - k.unit_glyphs):
            unit_probes.append(k)
    kinds: dict[str, list[Crop]] = {"number": [], "label": [], "vertical": []}
    for k in probe_in:
        kinds[k.kind].append(k)
    doubtful = doubtful_labels(lay, {id(k.cell): k for k in probe_in})
    both = {id(k) for k in doubtful}
    doubtful += [k for k in unit_probes if id(k) not in both]
    kinds["number"] += doubtful  # read both ways; the number wins only if its passes agree
    kinds["vertical"] = [k for k in inked if k.vertical]
    images = {kind: [k.image for k in ks] for kind, ks in kinds.items()}
    images["vertical"] = [glyphs_in_a_row(im) for im in images["vertical"]]
    # A number followed by a unit ("251000元"): the digits are also read on their own (the
    # whitelist would turn 元 into a digit) and the unit with chi_sim.
    split = [k for k in kinds["number"] if k.split is not None]
    pad = max(10, int(10 * lay.scale))
    images["number"] += [side(k.image, k.split, pad, left=True) for k in split]
    units = (ex.submit(engine.read_cells, [side(k.image, k.split, pad, left=False) for k in split], "label")
             if split else None)
    # The probe's digits stand for the number vote's eng pass on the raw crop (ocr.TesseractEngine).
    extra = {"number": ([raw_probe.get(id(k)) for k in kinds["number"]] + [None] * len(split),)} if raw_probe else {}
    futures = {kind: ex.submit(engine.read_cells, images[kind], kind, *extra.get(kind, ()))
               for kind, ks in kinds.items() if ks}
    readings: dict[int, dict[str, tuple[str, float]]] = {}
    for kind, f in futures.items():
        res = f.result()
        for k, (text, conf) in zip(kinds[kind], res):
            if kind == "number":
                text, conf = check_number(text, conf, k.blobs, k.dash)
            readings.setdefault(id(k), {})[kind] = (text, conf)
        if kind == "number" and units is not None:
            for k, digits, unit in zip(split, res[len(kinds[kind]):], units.result()):
                joined = with_unit(digits, unit, k)
                if joined is not None:
                    readings[id(k)]["number"] = joined
                    k.blobs -= k.unit_glyphs
    retry, recheck = [], []
    for k in inked:
        r = readings.get(id(k), {})
        if "vertical" in r:
            text, conf = r["vertical"]
        elif "number" in r and "label" in r:
            num, lab = r["number"], r["label"]
            text, conf = num if num[1] >= LOW_CONF else (lab[0], min(lab[1], 0.8))
        elif "number" in r:
            text, conf = r["number"]
            if not text or digit_count(text) != k.blobs:
                retry.append(k)  # maybe a label the probe took for digits ("2.重复申请" -> "2")
        else:
            text, conf = r.get("label", ("", 0.0))
            if looks_cjk(k) and is_number(text.replace(" ", "")):
                recheck.append(k)  # digits after all (touching digits look wide): the number vote decides
        k.cell.text, k.cell.confidence = text, round(conf, 3)
    if recheck:
        for k, (text, conf) in zip(recheck, engine.read_cells([k.image for k in recheck], "number")):
            text, conf = check_number(text, conf, k.blobs, k.dash)
            k.cell.text, k.cell.confidence = (text, round(conf, 3)) if conf >= LOW_CONF else \
                (k.cell.text, round(min(k.cell.confidence or 0.0, 0.5), 3))
    if retry:
        for k, (text, conf) in zip(retry, engine.read_cells([k.image for k in retry], "label")):
            if text and (not k.cell.text or _CJK.search(text)):
                k.cell.text, k.cell.confidence = text, round(min(conf, 0.5), 3)
    # A vertical label read unsure in a row (a mark such as 、 set unlike horizontal text) is also read as
    # printed, by the vertical model; the surer reading stands.
    unsure = [k for k in kinds["vertical"] if (k.cell.confidence or 0.0) < LOW_CONF]
    if unsure:
        for k, (text, conf) in zip(unsure, engine.read_cells([k.image for k in unsure], "column")):
            if text and conf > (k.cell.confidence or 0.0):
                k.cell.text, k.cell.confidence = text, round(conf, 3)


_NUMBER_UNIT = re.compile(r"^(-?\d[\d,]*(?:\.\d+)?)([\u3400-\u9fff]{1,3})$")


def read_cells_from_page(lay: raster.PageLayout, crops: list[Crop], engine: OcrEngine) -> list:
    """Full-page engines: one pass over the page; each text line goes to the cell holding its
    centre, lines outside the tables are the prose. A line reaching well into a neighbouring cell
    (text run across a ruling) is distrusted in every cell it touches."""
    n, labels, stats, cents = raster.components(lay.ink)
    keep = keep_components(labels, stats, cents, lay.scale)
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
            text, conf = check_number(num, conf, k.blobs, k.dash)
        elif unit and k.split is not None:
            digits, conf = check_number(unit.group(1), conf, k.blobs - k.unit_glyphs, k.dash)
            text = digits + unit.group(2) if digits else text
        if key in crossing:
            conf = min(conf, 0.3)
        k.cell.text, k.cell.confidence = text, round(conf, 3)
    return prose


def looks_cjk(k: Crop) -> bool:
    """A single text line of at least 4 glyph groups, half or more of them CJK-wide: a label."""
    return k.lines == 1 and k.glyphs >= 4 and k.wide_glyphs >= max(3, 0.5 * k.glyphs)


def doubtful_labels(lay: raster.PageLayout, by_cell: dict[int, Crop]) -> list[Crop]:
    """Single-line 'label' cells inside a column of numbers: the eng probe misread a digit
    (a noisy "4" comes out as letters), or the column really has a unit or note there."""
    out = []
    for t in lay.tables:
        cols: dict[int, list[Crop]] = {}
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
