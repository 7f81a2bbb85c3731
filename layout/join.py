"""Join a table split by a page break into one grid.

Two tables are one when the second continues the first: their column edges
agree within a few points, or one edge set contains the other (merged cells
hide some edges on one page). The joined grid uses the union of the edges.
Three kinds of seam are handled:

- a repeated header: the second part starts with rows equal to the first
  part's first rows; they are dropped;
- a vertical merge cut by the page end: an empty cell at the top of the second
  part under a label cell ending at the bottom of the first part is the same
  cell, so the label's rowspan grows;
- a row whose text wraps over the break: the second part's first row holds only
  the rest of the text (no number where the first part has one, no enumerator
  such as "3." or "（六）"); its text is appended to the row above.
"""
from __future__ import annotations

import re
from typing import Optional, Sequence

from xxgk.model import Cell, Table
from xxgk.layout.geometry import join_lines

EDGE_TOL = 4.0  # column edges closer than this are the same edge

_NUMBER_RE = re.compile(r"^[-+]?\d[\d,，.]*%?$|^[—\-/无]$")
_ENUM_RE = re.compile(r"^(（[一二三四五六七八九十]+）|\([一二三四五六七八九十]+\)|"
                      r"[一二三四五六七八九十]+、|\d+[.．、])")


def col_edges(table: Table) -> Optional[list[float]]:
    """x of every column boundary, from the cells' boxes (None if a boundary has no box)."""
    found: list[list[float]] = [[] for _ in range(table.n_cols + 1)]
    for c in table.cells:
        if c.bbox is None:
            continue
        found[c.col].append(c.bbox[0])
        found[c.last_col + 1].append(c.bbox[2])
    if any(not f for f in found):
        return None
    return [sorted(f)[len(f) // 2] for f in found]


def _match(edges: Sequence[float], union: Sequence[float], tol: float) -> Optional[list[int]]:
    """Index in union of each edge, or None when one has no counterpart."""
    out: list[int] = []
    for e in edges:
        best = min(range(len(union)), key=lambda i: abs(union[i] - e))
        if abs(union[best] - e) > tol:
            return None
        out.append(best)
    return out if len(set(out)) == len(out) else None


def column_map(a: Table, b: Table, tol: float = EDGE_TOL) -> Optional[tuple[list[int], list[int]]]:
    """Where the edges of a and b go in their common edge list, or None if they do not fit.

    The edges fit when the sets match within tol or one contains the other.
    """
    ea, eb = col_edges(a), col_edges(b)
    if ea is None or eb is None:
        return None
    if abs(ea[0] - eb[0]) > tol or abs(ea[-1] - eb[-1]) > tol:
        return None
    bigger, smaller = (ea, eb) if len(ea) >= len(eb) else (eb, ea)
    idx_small = _match(smaller, bigger, tol)
    if idx_small is None:
        return None
    idx_big = list(range(len(bigger)))
    return (idx_big, idx_small) if bigger is ea else (idx_small, idx_big)


def _remap(table: Table, edge_idx: list[int], row_offset: int) -> list[Cell]:
    cells = []
    for c in table.cells:
        col = edge_idx[c.col]
        end = edge_idx[c.last_col + 1]
        cells.append(Cell(row=c.row + row_offset, col=col, text=c.text, rowspan=c.rowspan,
                          colspan=end - col, page=c.page, bbox=c.bbox, method=c.method,
                          confidence=c.confidence))
    return cells


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _row_signature(cells: list[Cell], row: int) -> list[tuple[int, int, str]]:
    return sorted((c.col, c.colspan, _norm(c.text)) for c in cells if c.row == row)


def _is_number(text: str) -> bool:
    return bool(_NUMBER_RE.match(_norm(text)))


def _repeated_header_rows(a: list[Cell], b: list[Cell]) -> int:
    """How many leading rows of b repeat a's leading rows (0 when they do not)."""
    n = 0
    rows_a = max((c.last_row for c in a), default=-1) + 1
    rows_b = max((c.last_row for c in b), default=-1) + 1
    while n < min(rows_a - 1, rows_b - 1):
        sig_a, sig_b = _row_signature(a, n), _row_signature(b, n)
        if not sig_b or sig_a != sig_b:
            break
        n += 1
    if n == 0:
        return 0
    texts = [t for r in range(n) for (_, _, t) in _row_signature(b, r) if t]
    # A header has words; a run of equal number rows is data.
    if not texts or all(_is_number(t) for t in texts):
        return 0
    return n


def _drop_rows(cells: list[Cell], n: int) -> list[Cell]:
    out = []
    for c in cells:
        if c.last_row < n:
            continue
        if c.row < n:
            c.rowspan -= n - c.row
            c.row = n
        c.row -= n
        out.append(c)
    return out


def _last_row_cells(cells: list[Cell], last: int) -> dict[int, Cell]:
    """Cells covering the last row, by starting column."""
    return {c.col: c for c in cells if c.last_row == last}


def _is_continuation_row(above: dict[int, Cell], first: list[Cell]) -> bool:
    """Whether b's first row only carries the rest of text wrapped from a's last row."""
    texts = [c for c in first if _norm(c.text)]
    if not texts:
        return False
    for c in first:
        up = above.get(c.col)
        if up is None or up.colspan != c.colspan:
            return False
        t = _norm(c.text)
        if not t:
            continue
        if _is_number(t) or _ENUM_RE.match(t):
            return False
        if up.rowspan > 1:  # a group label over several rows does not wrap into one row
            return False
    # The first row must be sparser than the row above: a number there with none here.
    return any(_norm(above[c.col].text) and not _norm(c.text) for c in first)


def join(a: Table, b: Table, tol: float = EDGE_TOL) -> Optional[Table]:
    """One table from a (ending a page) and b (starting the next), or None if they differ."""
    maps = column_map(a, b, tol)
    if maps is None:
        return None
    idx_a, idx_b = maps
    cells_a = _remap(a, idx_a, 0)
    cells_b = _remap(b, idx_b, 0)
    cells_b = _drop_rows(cells_b, _repeated_header_rows(cells_a, cells_b))
    last = max((c.last_row for c in cells_a), default=-1)
    above = _last_row_cells(cells_a, last)
    first = [c for c in cells_b if c.row == 0]

    if first and _is_continuation_row(above, first):
        # b's row 0 is the bottom of a's last row: b row r becomes row last + r.
        for c in first:
            up = above[c.col]
            up.text = join_lines([up.text, c.text])
            up.rowspan += c.rowspan - 1
        ids = {id(c) for c in first}
        cells_b = [c for c in cells_b if id(c) not in ids]
        offset = last
    else:
        kept = []
        for c in cells_b:
            up = above.get(c.col) if c.row == 0 else None
            if (up is not None and up.colspan == c.colspan and not _norm(c.text)
                    and _norm(up.text) and (up.rowspan > 1 or c.rowspan > 1)):
                up.rowspan += c.rowspan  # the same merged cell, cut by the page end
                continue
            kept.append(c)
        cells_b = kept
        offset = last + 1
    for c in cells_b:
        c.row += offset
    # Boxes are per page: the joined table keeps the first part's page and box,
    # each cell keeps its own page and box.
    return Table(cells=cells_a + cells_b, positional=a.positional and b.positional,
                 page=a.page, bbox=a.bbox)


def join_all(tables: Sequence[Table], tol: float = EDGE_TOL) -> list[Table]:
    """Fold a run of consecutive table parts (already known to be adjacent) left to right."""
    out: list[Table] = []
    for t in tables:
        if out:
            joined = join(out[-1], t, tol)
            if joined is not None:
                out[-1] = joined
                continue
        out.append(t)
    return out
