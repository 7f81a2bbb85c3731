"""OFD (GB/T 33190) -> Document, through the same words-and-rulings model as born-digital PDF.

Per page (its template pages first): every TextCode glyph becomes a text piece placed by
X/Y/DeltaX/DeltaY in its object's Boundary and CTM; the straight pieces of PathObjects become
ruling segments; ImageObjects are kept as boxes. Millimetres become points (×72/25.4) so the
layout tolerances tuned for PDF hold. converters/page_layout then builds the tables, prose
lines, furniture removal and cross-page joins exactly as for PDF. A page without a usable text
layer (a scan wrapped in OFD) is composed from its images and read by OCR.
"""
from __future__ import annotations

import hashlib
import io
import math
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from xxgk.model import ConversionError, Document, Source, out_of_memory
from xxgk.layout.geometry import Piece, Segment, segment_from_line, segments_from_rect
from xxgk.converters.ofd_package import (OfdDocument, Package, PageRef, box, kid, kids, local, numbers,
                                         read_document, read_page)
from xxgk.converters.page_assembly import assemble
from xxgk.converters.page_layout import (Page, dedupe, is_image_page, ocr_blocks, ocr_page_result, text_page,
                                         warn_unread_images)

MM = 72 / 25.4  # points per millimetre
ASCENT, DESCENT = 0.88, 0.12  # glyph box above/below the baseline, in font sizes
OCR_DPI = 300
MAX_OCR_PIXELS = 60_000_000  # a composed page image larger than this is rendered at a lower dpi
JBIG2_MAGIC = b"\x97JB2\r\n\x1a\n"
JBIG2_MEMORY = 512 * 1024 * 1024  # jbig2dec's own allocation limit for one page
WHITE = 242  # RGB components at or above this (0..255) are white: invisible on paper

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass
class _PageObjects:
    pieces: list[Piece] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    images: list[tuple[tuple[float, float, float, float], str]] = field(default_factory=list)  # pt box, media ID


# ---------------------------------------------------------------- entry point

def convert(data: bytes, name: str) -> Document:
    doc = Document(source=Source(path=name, format="ofd", sha256=hashlib.sha256(data).hexdigest()))
    pkg = Package(data)
    ofd = read_document(pkg)
    if ofd.documents > 1:
        doc.warn("ofd", f"the OFD holds {ofd.documents} documents; only the first is read", raw=None)
    if not ofd.pages:
        raise ConversionError("the OFD has no pages")
    doc.source.pages = len(ofd.pages)
    doc.metadata = dict(ofd.metadata)
    pages = [_read_page(pkg, ofd, ref, doc) for ref in ofd.pages]
    doc.blocks = assemble(pages)
    return doc


def _read_page(pkg: Package, ofd: OfdDocument, ref: PageRef, doc: Document) -> Page:
    parts = read_page(pkg, ofd, ref)
    page_space: Matrix = (1.0, 0.0, 0.0, 1.0, -parts.box[0], -parts.box[1])  # PhysicalBox origin at 0, 0
    width, height = parts.box[2] * MM, parts.box[3] * MM
    objs = _PageObjects()
    for root in parts.templates + [parts.root]:
        content = kid(root, "Content")
        for layer in kids(content, "Layer") if content is not None else []:
            _walk(layer, page_space, objs, ofd.units)
    area = width * height
    boxes = [b for b, _ in objs.images]
    if is_image_page(objs.pieces, boxes, area):
        if not boxes:  # glyphs without Unicode text (a font-only encoding) and no picture to read instead
            doc.warn("image_page", f"page {ref.number}: its text has no readable characters and it holds "
                                   "no image; the page is not read", raw=None)
            return ocr_page_result(ref.number, width, height, [])
        blocks = ocr_blocks(doc, ref.number,
                            lambda notes: _page_image(pkg, ofd, objs, width, height, doc, ref.number))
        return ocr_page_result(ref.number, width, height, blocks)
    warn_unread_images(doc, ref.number, objs.pieces, boxes, area)
    return text_page(ref.number, width, height, dedupe(objs.pieces), objs.segments)


def _walk(container, space: Matrix, objs: _PageObjects, units: dict, depth: int = 0) -> None:
    """Every object of a layer or block; `space` maps the container's coordinates to page mm."""
    for el in container:
        tag = local(el.tag)
        if el.get("Visible", "true").lower() == "false":
            continue
        if tag == "PageBlock":
            _walk(el, space, objs, units, depth)
        elif tag == "TextObject":
            objs.pieces.extend(_text_pieces(el, space))
        elif tag == "PathObject" and el.get("Alpha") != "0":
            objs.segments.extend(_path_segments(el, space))
        elif tag == "ImageObject":
            image = _image_box(el, space)
            if image is not None:
                objs.images.append(image)
        elif tag == "CompositeObject" and depth < 8:  # a reusable unit of objects (a stamp, a logo)
            content = kid(units[el.get("ResourceID")], "Content") if el.get("ResourceID") in units else None
            if content is not None:
                _walk(content, _frame(el, space), objs, units, depth + 1)


# ---------------------------------------------------------------- coordinates

def _compose(p: Matrix, q: Matrix) -> Matrix:
    """p after q, for OFD's (a b c d e f): x' = a·x + c·y + e, y' = b·x + d·y + f."""
    return (p[0] * q[0] + p[2] * q[1], p[1] * q[0] + p[3] * q[1], p[0] * q[2] + p[2] * q[3],
            p[1] * q[2] + p[3] * q[3], p[0] * q[4] + p[2] * q[5] + p[4], p[1] * q[4] + p[3] * q[5] + p[5])


def _frame(el, space: Matrix, default_ctm: Matrix = IDENTITY) -> Matrix:
    """Object space → page mm: the CTM, then the Boundary's origin, then the container's space."""
    b = box(el.get("Boundary")) or (0.0, 0.0, 0.0, 0.0)
    ctm = numbers(el.get("CTM"))
    m: Matrix = tuple(ctm) if len(ctm) == 6 else default_ctm  # type: ignore[assignment]
    return _compose(space, _compose((1.0, 0.0, 0.0, 1.0, b[0], b[1]), m))


def _to_page(m: Matrix, x: float, y: float) -> tuple[float, float]:
    """An object-space point in page points (OFD's y axis points down, like pdfplumber's top)."""
    return (m[0] * x + m[2] * y + m[4]) * MM, (m[1] * x + m[3] * y + m[5]) * MM


# ---------------------------------------------------------------- text

def _deltas(text: Optional[str]) -> list[float]:
    """DeltaX/DeltaY values with the "g N value" repetition expanded."""
    toks = (text or "").split()
    out: list[float] = []
    i = 0
    try:
        while i < len(toks):
            if toks[i] == "g" and i + 2 < len(toks):
                out.extend([float(toks[i + 2])] * min(int(toks[i + 1]), 100_000))
                i += 3
            else:
                out.append(float(toks[i]))
                i += 1
    except ValueError:
        return out
    return out


def _advance(ch: str) -> float:
    """A glyph's width in font sizes when the file does not say: full width for CJK, half otherwise."""
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.5


def _text_pieces(el, space: Matrix) -> list[Piece]:
    m = _frame(el, space)
    try:
        size = float(el.get("Size") or 0)
    except ValueError:
        size = 0.0
    if size <= 0:
        return []
    scale = math.sqrt(abs(m[0] * m[3] - m[1] * m[2])) or 1.0
    pt_size = size * scale * MM
    out: list[Piece] = []
    x = y = 0.0
    for code in kids(el, "TextCode"):
        text = code.text or ""
        try:
            x = float(code.get("X", x))
            y = float(code.get("Y", y))
        except ValueError:
            continue
        dx, dy = _deltas(code.get("DeltaX")), _deltas(code.get("DeltaY"))
        glyphs = []
        for i, ch in enumerate(text):
            glyphs.append((ch, x, y))
            step = dx[i] if i < len(dx) else (0.0 if dy else _advance(ch) * size)
            x += step
            y += dy[i] if i < len(dy) else 0.0
        for i, (ch, gx, gy) in enumerate(glyphs):
            if ch.isspace():
                continue
            px, py = _to_page(m, gx, gy)
            width = _advance(ch) * pt_size
            if i + 1 < len(glyphs):
                step = _to_page(m, glyphs[i + 1][1], glyphs[i + 1][2])[0] - px
                # Within one em the next glyph of the same TextCode touches this one (fixed-pitch
                # producers give digits a full em); a longer step is a real gap (the next cell).
                if 0.2 * pt_size < step <= 1.05 * pt_size:
                    width = step
                elif step > 0.2 * pt_size:
                    width = min(width, step)
            out.append(Piece(ch, px, py - ASCENT * pt_size, px + width, py + DESCENT * pt_size, pt_size))
    return out


# ---------------------------------------------------------------- rulings

def _white(el, name: str) -> bool:
    color = kid(el, name)
    values = numbers(color.get("Value")) if color is not None else []
    if len(values) == 4:  # CMYK: no ink at all
        return all(v <= 255 - WHITE for v in values)
    return len(values) in (1, 3) and all(v >= WHITE for v in values)  # gray or RGB


def _subpaths(data: str) -> list[tuple[list[tuple[float, float]], list[bool]]]:
    """Points of each subpath of AbbreviatedData and, per step, whether it is a straight line."""
    toks = data.split()
    out: list[tuple[list[tuple[float, float]], list[bool]]] = []
    pts: list[tuple[float, float]] = []
    straight: list[bool] = []
    arity = {"S": 2, "M": 2, "L": 2, "Q": 4, "B": 6, "A": 7, "C": 0}
    i = 0
    while i < len(toks):
        op = toks[i]
        n = arity.get(op)
        if n is None or i + n >= len(toks):
            break
        try:
            args = [float(t) for t in toks[i + 1:i + 1 + n]]
        except ValueError:
            break
        i += 1 + n
        if op in ("S", "M"):
            if len(pts) > 1:
                out.append((pts, straight))
            pts, straight = [(args[0], args[1])], []
        elif op == "C":
            if pts:
                pts.append(pts[0])
                straight.append(True)
                out.append((pts, straight))
                pts, straight = [pts[0]], []
        elif pts:
            pts.append((args[-2], args[-1]))
            straight.append(op == "L")
    if len(pts) > 1:
        out.append((pts, straight))
    return out


def _path_segments(el, space: Matrix) -> list[Segment]:
    """Straight horizontal/vertical pieces of a stroked path; a filled thin rectangle is one ruling."""
    data = next((c.text for c in el if local(c.tag) == "AbbreviatedData" and c.text), None)
    if not data:
        return []
    m = _frame(el, space)
    stroked = el.get("Stroke", "true").lower() != "false" and not _white(el, "StrokeColor")
    filled = el.get("Fill", "false").lower() == "true" and not _white(el, "FillColor")
    out: list[Segment] = []
    for pts, straight in _subpaths(data):
        page_pts = [_to_page(m, x, y) for x, y in pts]
        if stroked:
            for (x0, y0), (x1, y1), line in zip(page_pts, page_pts[1:], straight):
                seg = segment_from_line(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)) if line else None
                if seg is not None:
                    out.append(seg)
        elif filled and all(straight):
            xs, ys = [p[0] for p in page_pts], [p[1] for p in page_pts]
            out.extend(segments_from_rect(min(xs), min(ys), max(xs), max(ys)))
    return out


# ---------------------------------------------------------------- images and OCR

def _image_box(el, space: Matrix):
    """The image's box in page points: the unit square through its CTM (none: it fills its Boundary)."""
    b = box(el.get("Boundary"))
    rid = el.get("ResourceID")
    if b is None or not rid:
        return None
    m = _frame(el, space, default_ctm=(b[2], 0.0, 0.0, b[3], 0.0, 0.0))
    corners = [_to_page(m, x, y) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))]
    xs, ys = [p[0] for p in corners], [p[1] for p in corners]
    return (min(xs), min(ys), max(xs), max(ys)), rid


def _page_image(pkg: Package, ofd: OfdDocument, objs: _PageObjects, width: float, height: float, doc: Document,
             number: int):
    """The page as one image: its pictures pasted where they sit, at up to 300 dpi."""
    from PIL import Image

    dpi = OCR_DPI
    if (width / 72 * dpi) * (height / 72 * dpi) > MAX_OCR_PIXELS:
        dpi = int(72 * math.sqrt(MAX_OCR_PIXELS / (width * height)))
    k = dpi / 72
    canvas = Image.new("RGB", (max(1, round(width * k)), max(1, round(height * k))), "white")
    for (x0, y0, x1, y1), rid in objs.images:
        path = ofd.media.get(rid)
        if path is None or pkg.find(path) is None:
            doc.warn("image_page", f"page {number}: image {rid} is missing from the OFD", raw=None)
            continue
        data = pkg.read(path)
        if data.startswith(JBIG2_MAGIC) or path.lower().endswith((".jb2", ".jbig2")):
            data = _jbig2_to_pbm(data, path, number, doc)
            if data is None:
                continue
        try:
            with Image.open(io.BytesIO(data)) as im:
                if im.width * im.height > MAX_OCR_PIXELS:
                    doc.warn("image_page", f"page {number}: image {path} has {im.width}×{im.height} pixels; "
                                           "too large to read", raw=None)
                    continue
                size = (max(1, round((x1 - x0) * k)), max(1, round((y1 - y0) * k)))
                canvas.paste(im.convert("RGB").resize(size), (round(x0 * k), round(y0 * k)))
        except Exception as e:  # noqa: BLE001 - PIL fails in many ways on odd images (JBIG2, bombs)
            if out_of_memory(e):
                raise MemoryError(str(e)) from e
            doc.warn("image_page", f"page {number}: image {path} cannot be decoded ({type(e).__name__})", raw=None)
    return canvas, dpi


def _jbig2_to_pbm(data: bytes, path: str, number: int, doc: Document) -> Optional[bytes]:
    """A JBIG2 page image (bilevel scans) decoded by jbig2dec; None, with a warning, when it cannot be."""
    exe = shutil.which("jbig2dec")
    if exe is None:
        doc.warn("image_page", f"page {number}: image {path} is JBIG2 and jbig2dec is not installed "
                               "(apt-get install jbig2dec); not read", raw=None)
        return None
    with tempfile.TemporaryDirectory(prefix="xxgk_jb2_") as tmp:
        src = Path(tmp) / "page.jb2"
        src.write_bytes(data)
        embedded = [] if data.startswith(JBIG2_MAGIC) else ["-e"]  # a bare segment stream, as PDFs hold
        cmd = [exe, "-q", *embedded, "-M", str(JBIG2_MEMORY), "-t", "pbm", "-o", "-", str(src)]
        try:
            run = subprocess.run(cmd, capture_output=True, timeout=120)
        except subprocess.TimeoutExpired:
            run = None
    if run is None or run.returncode != 0 or not run.stdout.startswith(b"P4"):
        doc.warn("image_page", f"page {number}: JBIG2 image {path} cannot be decoded", raw=None)
        return None
    return run.stdout
