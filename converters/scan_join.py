"""Tables continued across scanned pages: joined when their columns match, allowing a sideways shift."""
from __future__ import annotations

from typing import Optional

from xxgk.model import Block, Cell, Table


def join_pages(blocks_per_page: list[list[Block]], dpi: float) -> list[Block]:
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
