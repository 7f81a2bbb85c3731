"""Scanned pages (PNG/JPEG/TIFF, image-only PDFs) -> Document via layout.raster + OCR.

Public entries: `convert` (image files), `convert_pdf_images` (image-only PDFs),
`document_from_pages` (any page images -> Document, e.g. OFD page images) and `ocr_page`
(one page image -> blocks; converters/pdf.py uses it for pages without a text layer).

Per page: deskew and table grid (layout/raster.py) -> orientation from the page's geometry
(scan_orient.py; OSD only where it is unsure or the reading is poor) -> each cell cropped without its rulings (scan_cells.py) ->
the engine reads the cells (scan_read.py), readings checked against the ink (scan_numbers.py)
-> 三线表 among the prose (scan_threeline.py) -> paragraphs (scan_prose.py); tables running
across pages are joined (scan_join.py).
Cell and paragraph boxes are measured in pixels of the cleaned (rotated, deskewed) page image and
given out in PDF points (pixels x 72 / dpi), the bbox convention of the canonical JSON.
"""
from __future__ import annotations

import hashlib
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Iterable, Optional

import numpy as np
from PIL import Image

from xxgk.model import Block, ConversionError, Document, Source
from xxgk.converters.ocr import OcrEngine, default_engine, engine_name
from xxgk.converters import scan_osd
from xxgk.converters.scan_cells import crop_cell
from xxgk.converters.scan_join import join_pages
from xxgk.converters.scan_numbers import LOW_CONF, signed
from xxgk.converters.scan_pages import image_pages, pdf_page_pixels
from xxgk.converters.scan_orient import geometric_turn
from xxgk.converters.scan_prepare import READS_SIDEWAYS, READS_UPRIGHT, as_array, fit_for_ocr, keep_turn, page_dpi, reading_quality
from xxgk.converters.scan_prose import paragraphs, read_prose
from xxgk.converters.scan_read import read_cells, read_cells_from_page
from xxgk.converters.scan_threeline import threeline_tables
from xxgk.layout import raster


def ocr_page(image: Image.Image | np.ndarray, page: int, engine: Optional[OcrEngine] = None,
             warnings: Optional[list] = None, detect_orientation: bool = True,
             dpi: Optional[float] = None) -> list[Block]:
    """One page image -> its tables and paragraphs in reading order (method "ocr").

    `warnings` (a Document.warnings list) receives low-confidence notes. The page is read as it
    lies; the page's geometry (scan_orient.py) says whether it is upright, and only a page it is
    unsure of, or that reads badly, is given to OSD. A turn is kept only when the turned page reads
    clearly better (an upright table is never turned by 180°).
    """
    image, dpi, scaled = fit_for_ocr(image, dpi or page_dpi(image))
    arr = as_array(image)
    engine = engine or default_engine(dpi=int(round(dpi)))
    lay = raster.analyze(arr, dpi, page=page)
    notes: list = []
    if scaled:
        notes.append({"field": None, "kind": "image_size", "raw": None, "message": f"page {page}: {scaled}"})
    turn = geometric_turn(lay) if detect_orientation else 0
    read = _read_page(lay, page, engine)
    if turn == 180:  # the table's label column stands on the right: read both ways, keep the clearer
        lay180 = raster.analyze(arr, dpi, page=page, rotation=180)
        turned = _read_page(lay180, page, engine)
        if keep_turn(read.quality, turned.quality):
            turned.notes.insert(0, _turn_note(page, 180, "the page's geometry"))
            read, lay = turned, lay180
        else:
            turn = 0
    # OSD (0.8 CPU-s) only where the geometry is unsure, or a page it found upright reads as if sideways.
    if detect_orientation and read.quality < (READS_SIDEWAYS if turn is not None else READS_UPRIGHT):
        rot = scan_osd.orientation(engine, lay.gray)
        if rot and rot[0] and rot[1] >= 2.0 and (turn is None or rot[0] in (90, 270)):
            total = (rot[0] + (turn or 0)) % 360
            turned = _read_page(raster.analyze(arr, dpi, page=page, rotation=total), page, engine)
            if keep_turn(read.quality, turned.quality):
                turned.notes.insert(0, _turn_note(page, total, "OSD"))
                read = turned
    if warnings is not None:
        warnings.extend(notes + read.notes)
    return _in_points(read.blocks, 72.0 / dpi)


def _turn_note(page: int, degrees: int, why: str) -> dict:
    return {"field": None, "kind": "ocr", "raw": None,
            "message": f"page {page}: turned {degrees}° clockwise before OCR ({why})"}


def _in_points(blocks: list[Block], k: float) -> list[Block]:
    """Pixel boxes -> PDF points (the JSON's bbox convention; page joins compare them in points)."""
    def pt(b):
        return None if b is None else tuple(round(v * k, 2) for v in b)

    for b in blocks:
        b.bbox = pt(b.bbox)
        for c in getattr(b, "cells", ()):
            c.bbox = pt(c.bbox)
    return blocks


@dataclass
class _PageReading:
    blocks: list[Block]
    notes: list
    quality: float  # median confidence of what was read (cells with ink, prose lines)


def _read_page(lay: raster.PageLayout, page: int, engine: OcrEngine) -> _PageReading:
    warnings: list = []
    crops = [crop_cell(lay, c) for t in lay.tables for c in t.cells]
    with ThreadPoolExecutor(6) as ex:
        if getattr(engine, "reads_pages", False):  # duck-typed engines need not subclass OcrEngine
            lines = read_cells_from_page(lay, crops, engine)
            words = lines
        else:
            prose = ex.submit(read_prose, lay, engine)
            read_cells(lay, crops, engine, ex)
            lines, words = prose.result()
    quality = reading_quality([k.cell.confidence for k in crops if k.image is not None],
                              [(ln[0], ln[1]) for ln in lines])
    plain, lines = threeline_tables(lay, lines, words, engine, page)
    for k in crops:
        if k.image is not None and k.dash:  # whatever read it, a minus in the ink must not be lost
            k.cell.text, k.cell.confidence = signed(k.cell.text, k.cell.confidence)
    for k in crops:
        k.cell.method = "ocr"
        if k.image is None:
            k.cell.text, k.cell.confidence = "", 1.0
    blocks: list[Block] = list(lay.tables) + plain + paragraphs(lines, lay.tables + plain, page, lay.gray.shape)
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
    return _PageReading(blocks, warnings, quality)


def document_from_pages(frames: Iterable[tuple[Image.Image, Optional[float]]], n_pages: int, name: str,
                        data: bytes, fmt: str, engine: Optional[OcrEngine] = None,
                        notes: Optional[list] = None) -> Document:
    """Page images -> Document: the public entry for any source of page images (image files, scanned
    PDFs, OFD pages). `frames` yields (image, dpi or None: measured from the page) lazily, so a
    long scan is never all in memory; `notes` is a list the frame source appends size notes to."""
    doc = Document(source=Source(path=name, format=fmt, sha256=hashlib.sha256(data).hexdigest(),
                                 pages=n_pages, ocr=True, ocr_engine=engine.name if engine else engine_name()))
    per_page = []
    dpi = 200.0
    notes = notes if notes is not None else []
    for i, (im, own_dpi) in enumerate(frames, start=1):
        for note in notes:
            doc.warn("image_size", f"page {i}: {note}")
        notes.clear()
        dpi = own_dpi or page_dpi(im)
        try:
            blocks = ocr_page(im, i, engine=engine, warnings=doc.warnings, dpi=dpi)
        except (RuntimeError, OSError, subprocess.SubprocessError) as e:  # engine missing or failing
            raise ConversionError(f"OCR failed on page {i}: {e}") from e
        if not blocks:
            doc.warn("ocr_empty", f"page {i}: OCR found no table and no text")
        per_page.append(blocks)
    doc.blocks = join_pages(per_page, 72.0)  # ocr_page gives boxes in points
    return doc


def convert(data: bytes, name: str, engine: Optional[OcrEngine] = None) -> Document:
    """PNG / JPEG / TIFF (multi-page too, read frame by frame) -> Document."""
    notes: list = []
    n, pages = image_pages(data, notes)
    return document_from_pages(((p, None) for p in pages), n, name, data, "image", engine, notes)


def convert_pdf_images(data: bytes, name: str, engine: Optional[OcrEngine] = None) -> Document:
    """A PDF whose pages are scans (no text layer) -> Document."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except Exception as e:  # pdfium raises PdfiumError and plain exceptions
        raise ConversionError(f"unreadable PDF: {e}") from e
    try:
        if len(pdf) == 0:
            raise ConversionError("PDF has no pages")
        notes: list = []
        frames = (pdf_page_pixels(pdf[i], notes) for i in range(len(pdf)))
        return document_from_pages(frames, len(pdf), name, data, "pdf", engine, notes)
    finally:
        pdf.close()
