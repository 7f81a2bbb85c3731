"""Place cells given in reading order with rowspan/colspan into a grid (HTML-style occupancy)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from xxgk.model import BBox, Cell, Table


@dataclass
class SpanCell:
    """A cell as markup states it: text plus how far it spans; position is derived."""

    text: str
    rowspan: int = 1
    colspan: int = 1
    page: Optional[int] = None
    bbox: Optional[BBox] = None


def place_spans(rows: Sequence[Sequence[SpanCell]], positional: bool = True) -> Table:
    """Lay out rows of span cells the way browsers do: each cell takes the next free slot.

    Rowspans reaching past the last row are clipped, as browsers clip them.
    """
    occupied: set[tuple[int, int]] = set()
    cells: list[Cell] = []
    n_rows = len(rows)
    for r, row in enumerate(rows):
        c = 0
        for sc in row:
            while (r, c) in occupied:
                c += 1
            rowspan = max(1, min(sc.rowspan, n_rows - r))
            colspan = max(1, sc.colspan)
            for dr in range(rowspan):
                for dc in range(colspan):
                    occupied.add((r + dr, c + dc))
            cells.append(Cell(row=r, col=c, text=sc.text, rowspan=rowspan, colspan=colspan,
                              page=sc.page, bbox=sc.bbox))
            c += colspan
    return Table(cells=cells, positional=positional)
