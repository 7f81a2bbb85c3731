"""Positioned text and ruling lines of fixed-layout pages → blocks, the way the PDF path does it.

A fixed-layout converter (OFD; the PDF path's own steps are the same) gives each page its
text pieces in points, top-down, and its ruling segments; this module makes the page's
ruled tables (layout.geometry), its borderless tables (layout.borderless) and its prose
lines, then drops page furniture and joins paragraphs and tables a page end cut
(converters/pdf.py's assembly, reused so both formats read the same way).
"""
from __future__ import annotations

from typing import Optional, Sequence

from xxgk.model import Block
from xxgk.layout.borderless import borderless_tables
from xxgk.layout.geometry import Piece, Segment, fill_table, find_grids, group_lines
# pdf.py's page model and whole-file assembly (furniture removal, cross-page joins).
from xxgk.converters.pdf import (_Page as Page, _assemble, _dedupe, _is_image_page, _lines, _remove_furniture,
                                 _warn_unread_images)

__all__ = ["Page", "text_page", "ocr_page_result", "assemble", "is_image_page", "warn_unread_images"]


def text_page(number: int, width: float, height: float, pieces: Sequence[Piece],
              segments: Sequence[Segment]) -> Page:
    """One page with a text layer: ruled tables, then borderless tables, then prose lines."""
    out = Page(number=number, width=width, height=height)
    rest = _dedupe(list(pieces))
    for grid in find_grids(segments):
        table, rest = fill_table(grid, rest, page=number)
        if any(c.text for c in table.cells):
            out.tables.append(table)
    tables, rest_lines = borderless_tables(group_lines(rest), page=number)
    out.tables += tables
    out.lines = _lines([p for ln in rest_lines for p in ln])
    return out


def ocr_page_result(number: int, width: float, height: float, blocks: Optional[list[Block]]) -> Page:
    """A page read by OCR: its blocks are taken as they are."""
    return Page(number=number, width=width, height=height, ocr_blocks=list(blocks or []))


def assemble(pages: list[Page]) -> list[Block]:
    _remove_furniture(pages)
    return _assemble(pages)


def is_image_page(pieces: Sequence[Piece], images: Sequence[tuple[float, float, float, float]],
                  page_area: float) -> bool:
    """No usable text layer (the PDF path's rule): the page goes to OCR."""
    return _is_image_page(list(pieces), _boxes(images), page_area)


def warn_unread_images(doc, number: int, pieces: Sequence[Piece],
                       images: Sequence[tuple[float, float, float, float]], page_area: float) -> None:
    _warn_unread_images(doc, number, list(pieces), _boxes(images), page_area)


def _boxes(images: Sequence[tuple[float, float, float, float]]) -> list[dict]:
    return [{"x0": b[0], "top": b[1], "x1": b[2], "bottom": b[3]} for b in images]
