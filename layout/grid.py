"""Place cells given in reading order with rowspan/colspan into a grid (HTML-style occupancy).

Spans are untrusted input (`colspan=1000` on every cell, `w:gridSpan="1000000000"`): occupancy is
kept as intervals, never slot by slot, and `fit_columns` clamps every span to the table's real extent.
"""
from __future__ import annotations

from bisect import insort
from dataclasses import dataclass
from typing import Optional, Sequence

from xxgk.model import BBox, Cell, Table

SPARSE_FACTOR = 4  # a grid wider than this many columns per cell is inflated spans, not columns


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
    cells: list[Cell] = []
    n_rows = len(rows)
    active: list[tuple[int, int, int]] = []  # (first col, end col, last row) of rowspans from above, by col
    for r, row in enumerate(rows):
        active = [a for a in active if a[2] >= r]
        taken = iter(active)  # sorted by first col; cells of this row are placed left to right
        block = next(taken, None)
        opened: list[tuple[int, int, int]] = []  # rowspans this row starts (they cover the rows below)
        c = 0
        for sc in row:
            while block is not None and block[0] <= c:
                c = max(c, block[1])
                block = next(taken, None)
            rowspan = max(1, min(sc.rowspan, n_rows - r))
            colspan = max(1, sc.colspan)
            cells.append(Cell(row=r, col=c, text=sc.text, rowspan=rowspan, colspan=colspan,
                              page=sc.page, bbox=sc.bbox))
            if rowspan > 1:
                opened.append((c, c + colspan, r + rowspan - 1))
            c += colspan
        for span in opened:
            insort(active, span)
    return Table(cells=fit_columns(cells), positional=positional)


def fit_columns(cells: list[Cell]) -> list[Cell]:
    """Clamp column spans to the table's real extent, in place; returns `cells`.

    A column where no cell starts only repeats the column before it, so nothing is lost by
    ending spans at the last column a cell starts in. When spans are so inflated that most
    columns are such repeats (a bomb), the columns are renumbered by where cells start.
    """
    if not cells:
        return cells
    starts = sorted({c.col for c in cells})
    width = starts[-1] + 1
    if width > SPARSE_FACTOR * len(cells) + 16:  # mostly repeated columns: number by starts
        index = {col: i for i, col in enumerate(starts)}
        for c in cells:
            end = c.col + c.colspan
            c.col = index[c.col]
            c.colspan = max(1, _count_below(starts, end) - c.col)
        width = len(starts)
    for c in cells:
        c.colspan = max(1, min(c.colspan, width - c.col))
    return cells


def _count_below(sorted_values: list[int], limit: int) -> int:
    """How many values are < limit."""
    from bisect import bisect_left

    return bisect_left(sorted_values, limit)
