"""One fixed-layout page (born-digital PDF or OFD) from its positioned text and ruling lines.

A converter hands each page its text pieces in points, top-down, and its ruling segments;
this module makes the page's ruled tables (layout.geometry), its borderless tables
(layout.borderless) and its prose lines. It also decides whether a page has a usable text
layer at all, and reads the page by OCR when it has not. converters/page_assembly then
joins the pages into blocks; both formats go through the same steps, so they read the same way.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from statistics import median
from typing import Callable, Optional, Sequence

from xxgk.model import Block, Document, Table
from xxgk.layout.borderless import borderless_tables
from xxgk.layout.geometry import Piece, Segment, fill_table, find_grids, group_lines, line_text

MIN_TEXT_CHARS = 10  # fewer readable chars than this on a page with a big image: a scan

ImageBox = tuple[float, float, float, float]  # x0, top, x1, bottom in points


@dataclass
class Line:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    ocr_blocks: Optional[list[Block]] = None  # a page read by OCR: its blocks as they are


def text_page(number: int, width: float, height: float, pieces: Sequence[Piece],
              segments: Sequence[Segment]) -> Page:
    """One page with a text layer (pieces already through dedupe): ruled tables, then borderless
    tables, then prose lines."""
    out = Page(number=number, width=width, height=height)
    rest = list(pieces)
    for grid in find_grids(segments):
        table, rest = fill_table(grid, rest, page=number)
        if any(c.text for c in table.cells):
            out.tables.append(table)
    # Tables without vertical rulings (三线表, borderless) are rows of text with numbers in columns.
    tables, rest_lines = borderless_tables(group_lines(rest), page=number)
    out.tables += tables
    out.lines = prose_lines([p for ln in rest_lines for p in ln])
    return out


def ocr_page_result(number: int, width: float, height: float, blocks: Optional[list[Block]]) -> Page:
    return Page(number=number, width=width, height=height, ocr_blocks=list(blocks or []))


def dedupe(pieces: list[Piece], tol: float = 1.0) -> list[Piece]:
    """Drop a char drawn again at (almost) the same place: simulated bold and shadow text."""
    out: list[Piece] = []
    last: dict[str, list[Piece]] = {}
    for p in sorted(pieces, key=lambda p: (p.top, p.x0)):
        seen = last.setdefault(p.text, [])
        if any(abs(q.x0 - p.x0) <= tol and abs(q.top - p.top) <= tol for q in seen[-4:]):
            continue
        seen.append(p)
        out.append(p)
    return out


def prose_lines(pieces: list[Piece]) -> list[Line]:
    out = []
    for group in group_lines(pieces):
        text = line_text(group)
        if not text:
            continue
        out.append(Line(text=text, x0=min(p.x0 for p in group), top=min(p.top for p in group),
                        x1=max(p.x1 for p in group), bottom=max(p.bottom for p in group),
                        size=median(p.height for p in group)))
    return out


# ---------------------------------------------------------------- is there a text layer

def _readable(text: str) -> bool:
    if text.startswith("(cid:"):
        return False
    return all(unicodedata.category(ch) not in ("Co", "Cc", "Cn", "Cs") and ch != "\ufffd" for ch in text)


def _area(b: ImageBox) -> float:
    return max(0.0, (b[2] - b[0]) * (b[3] - b[1]))


def is_image_page(pieces: Sequence[Piece], images: Sequence[ImageBox], page_area: float) -> bool:
    """No usable text layer: no chars over an image, a handful of chars over a page-sized
    image (a scan with a stray text object), or chars that are mostly unmapped glyphs."""
    if not pieces:
        return bool(images)
    readable = sum(1 for p in pieces if _readable(p.text))
    if readable < 0.5 * len(pieces):
        return True
    return readable < MIN_TEXT_CHARS and sum(_area(b) for b in images) >= 0.25 * page_area


def warn_unread_images(doc: Document, number: int, pieces: Sequence[Piece], images: Sequence[ImageBox],
                       page_area: float) -> None:
    """A big picture on a text page with no text over it (a pasted scan of a table) is not read."""
    for x0, top, x1, bottom in images:
        if (x1 - x0) * (bottom - top) < 0.25 * page_area:
            continue
        inside = sum(1 for p in pieces if x0 <= p.cx <= x1 and top <= p.cy <= bottom)
        if inside < 0.1 * len(pieces):
            doc.warn("image_region", f"page {number} has a large image without a text layer; "
                                     "its content is not read", raw=None)
            return


# ---------------------------------------------------------------- OCR route

def short_error(e: Exception) -> str:
    msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return msg[:120]


def ocr_blocks(doc: Document, number: int, page_image: Callable[[list], tuple]) -> list[Block]:
    """The page read by OCR; `page_image(notes)` gives (picture, dpi) and may append notes on its size.

    OCR is imported here, when a page needs it: a born-digital file never loads OpenCV.
    """
    from xxgk.model import NO_OCR, MissingDependency, out_of_memory, raise_if_import_out_of_memory

    try:
        from xxgk.converters.image import ocr_page
        from xxgk.converters.ocr import engine_name
    except ModuleNotFoundError:
        doc.warn("image_page", f"page {number} has no text layer; {NO_OCR}", raw=None)
        return []
    except ImportError as e:  # installed but not loadable: never a page read as empty
        raise_if_import_out_of_memory(e)  # OpenCV's libraries could not be mapped under the worker's limit
        raise MissingDependency(f"OCR libraries cannot be loaded: {short_error(e)}") from e
    try:
        notes: list = []
        image, dpi = page_image(notes)
        for note in notes:
            doc.warn("image_size", f"page {number}: {note}", raw=None)
        blocks = list(ocr_page(image, number, warnings=doc.warnings, dpi=dpi))
    except MissingDependency:
        raise  # tesseract or its language data missing: the input fails saying so, not a page of nulls
    except Exception as e:  # noqa: BLE001 - OCR engines fail in many ways; never lose the page silently
        if out_of_memory(e):  # the worker's limit, not the page: the input fails as out of memory
            raise MemoryError(short_error(e)) from e
        doc.warn("image_page", f"page {number} has no text layer; OCR failed: {short_error(e)}", raw=None)
        return []
    doc.source.ocr = True
    doc.source.ocr_engine = engine_name()
    if not blocks:
        doc.warn("image_page", f"page {number} has no text layer; OCR found no text", raw=None)
    return blocks
