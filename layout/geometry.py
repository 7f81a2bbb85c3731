"""Table grids from ruling geometry, independent of any PDF library.

Input is plain numbers: ruling segments (from PDF lines, thin rects, edges of
shaded rects, or lines detected in a scan) and text pieces with boxes. Output is
converters.model.Table with spans. Coordinates: x to the right, y downwards
(pdfplumber "top" convention, same as image pixels).

Pipeline: segments -> snap positions -> merge collinear pieces -> group touching
segments into tables -> grid lines (outer edges inferred from the segments'
extents when a border is missing) -> elementary slots -> cells grown over slots
where an internal ruling is missing -> text pieces assigned by their centre.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

from xxgk.model import Cell, Table

SNAP_TOL = 2.0  # positions closer than this are the same ruling
GAP_TOL = 3.0  # collinear pieces with a smaller gap are one ruling
TOUCH_TOL = 3.0  # a horizontal and a vertical this close are connected
THIN = 3.0  # a rect thinner than this is a drawn line


@dataclass(frozen=True)
class Segment:
    orient: str  # "h" (pos is y, start/end are x) or "v" (pos is x, start/end are y)
    pos: float
    start: float
    end: float

    @property
    def length(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Piece:
    """A piece of text (one char, a word or an OCR box) with its box."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float = 0.0  # font size; 0 means use the box height

    @property
    def height(self) -> float:
        return self.size or (self.bottom - self.top)

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class Grid:
    xs: list[float]  # column boundaries, left to right
    ys: list[float]  # row boundaries, top to bottom
    cells: list[Cell]  # row/col/spans/bbox; text empty

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (self.xs[0], self.ys[0], self.xs[-1], self.ys[-1])


# ---------------------------------------------------------------- segments

def segment_from_line(x0: float, top: float, x1: float, bottom: float,
                      slope_tol: float = 1.0) -> Optional[Segment]:
    """A drawn line as a ruling, or None when it is neither horizontal nor vertical."""
    if abs(bottom - top) <= slope_tol and x1 - x0 > slope_tol:
        return Segment("h", (top + bottom) / 2, min(x0, x1), max(x0, x1))
    if abs(x1 - x0) <= slope_tol and bottom - top > slope_tol:
        return Segment("v", (x0 + x1) / 2, min(top, bottom), max(top, bottom))
    return None


def segments_from_rect(x0: float, top: float, x1: float, bottom: float,
                       thin: float = THIN) -> list[Segment]:
    """A thin rect is one ruling; a bigger (visible) rect contributes its four edges."""
    w, h = x1 - x0, bottom - top
    if w <= 0 and h <= 0:
        return []
    if h <= thin and w > h:
        return [Segment("h", (top + bottom) / 2, x0, x1)]
    if w <= thin and h > w:
        return [Segment("v", (x0 + x1) / 2, top, bottom)]
    return [Segment("h", top, x0, x1), Segment("h", bottom, x0, x1),
            Segment("v", x0, top, bottom), Segment("v", x1, top, bottom)]


def _cluster(values: Sequence[float], tol: float) -> list[list[float]]:
    groups: list[list[float]] = []
    for v in sorted(values):
        if groups and v - groups[-1][-1] <= tol:
            groups[-1].append(v)
        else:
            groups.append([v])
    return groups


def snap(segments: Iterable[Segment], tol: float = SNAP_TOL) -> list[Segment]:
    """Move positions within tol of each other to their mean."""
    segs = list(segments)
    out: list[Segment] = []
    for orient in ("h", "v"):
        group = [s for s in segs if s.orient == orient]
        mapping: dict[float, float] = {}
        for cl in _cluster([s.pos for s in group], tol):
            mean = sum(cl) / len(cl)
            for v in cl:
                mapping[v] = mean
        out.extend(Segment(orient, mapping[s.pos], s.start, s.end) for s in group)
    return out


def merge_collinear(segments: Iterable[Segment], gap: float = GAP_TOL) -> list[Segment]:
    """Join pieces on the same (snapped) position whose gap is below `gap`."""
    by_line: dict[tuple[str, float], list[Segment]] = {}
    for s in segments:
        by_line.setdefault((s.orient, s.pos), []).append(s)
    out: list[Segment] = []
    for (orient, pos), segs in by_line.items():
        segs.sort(key=lambda s: s.start)
        start, end = segs[0].start, segs[0].end
        for s in segs[1:]:
            if s.start <= end + gap:
                end = max(end, s.end)
            else:
                out.append(Segment(orient, pos, start, end))
                start, end = s.start, s.end
        out.append(Segment(orient, pos, start, end))
    return out


def _touch(h: Segment, v: Segment, tol: float) -> bool:
    return (h.start - tol <= v.pos <= h.end + tol) and (v.start - tol <= h.pos <= v.end + tol)


def group_tables(segments: Sequence[Segment], tol: float = TOUCH_TOL) -> list[list[Segment]]:
    """Connected groups of rulings: each group that forms a grid is one table."""
    segs = list(segments)
    parent = list(range(len(segs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    hs = [i for i, s in enumerate(segs) if s.orient == "h"]
    vs = [i for i, s in enumerate(segs) if s.orient == "v"]
    for i in hs:
        for j in vs:
            if _touch(segs[i], segs[j], tol):
                parent[find(i)] = find(j)
    groups: dict[int, list[Segment]] = {}
    for i, s in enumerate(segs):
        groups.setdefault(find(i), []).append(s)
    return list(groups.values())


# ---------------------------------------------------------------- grid

def _covered(segs: Sequence[Segment], a: float, b: float, min_frac: float = 0.5) -> bool:
    """Whether rulings cover more than min_frac of the interval [a, b]."""
    total = 0.0
    for s in segs:
        lo, hi = max(a, s.start), min(b, s.end)
        if hi > lo:
            total += hi - lo
    return total > (b - a) * min_frac


def _positions(segs: Sequence[Segment], lo: float, hi: float, tol: float) -> list[float]:
    """Distinct ruling positions plus the outer edges lo/hi when no ruling sits there."""
    pos = sorted({s.pos for s in segs})
    out: list[float] = []
    for p in pos:
        if out and p - out[-1] <= tol:
            continue
        out.append(p)
    if not out or out[0] - lo > tol:
        out.insert(0, lo)
    if hi - out[-1] > tol:
        out.append(hi)
    return out


def build_grid(segments: Sequence[Segment], tol: float = SNAP_TOL,
               min_cell: float = 2.0) -> Optional[Grid]:
    """Grid of one group of rulings, or None when it has no cell at all.

    Outer edges are the extents of all rulings, so a table without an outer
    border (or cut by a page end) is still closed. Outer boundaries are always
    closed; inner ones exist where rulings cover most of the slot edge.
    """
    hs = [s for s in segments if s.orient == "h"]
    vs = [s for s in segments if s.orient == "v"]
    if not hs and not vs:
        return None
    x_lo = min([s.start for s in hs] + [s.pos for s in vs])
    x_hi = max([s.end for s in hs] + [s.pos for s in vs])
    y_lo = min([s.start for s in vs] + [s.pos for s in hs])
    y_hi = max([s.end for s in vs] + [s.pos for s in hs])
    xs = [x for x in _positions(vs, x_lo, x_hi, tol)]
    ys = [y for y in _positions(hs, y_lo, y_hi, tol)]
    xs = _drop_slivers(xs, min_cell)
    ys = _drop_slivers(ys, min_cell)
    if len(xs) < 2 or len(ys) < 2:
        return None
    n_rows, n_cols = len(ys) - 1, len(xs) - 1

    v_at = {i: [s for s in vs if abs(s.pos - x) <= tol] for i, x in enumerate(xs)}
    h_at = {j: [s for s in hs if abs(s.pos - y) <= tol] for j, y in enumerate(ys)}

    def wall_left(r: int, c: int) -> bool:  # ruling between slot (r, c-1) and (r, c)
        return c == 0 or _covered(v_at[c], ys[r], ys[r + 1])

    def wall_above(r: int, c: int) -> bool:  # ruling between slot (r-1, c) and (r, c)
        return r == 0 or _covered(h_at[r], xs[c], xs[c + 1])

    taken = [[False] * n_cols for _ in range(n_rows)]
    cells: list[Cell] = []
    for r in range(n_rows):
        for c in range(n_cols):
            if taken[r][c]:
                continue
            cs = 1
            while c + cs < n_cols and not wall_left(r, c + cs) and not taken[r][c + cs]:
                cs += 1
            rs = 1
            while r + rs < n_rows and all(
                    not wall_above(r + rs, k) and not taken[r + rs][k] for k in range(c, c + cs)):
                rs += 1
            for dr in range(rs):
                for dc in range(cs):
                    taken[r + dr][c + dc] = True
            cells.append(Cell(row=r, col=c, rowspan=rs, colspan=cs,
                              bbox=(xs[c], ys[r], xs[c + cs], ys[r + rs])))
    return Grid(xs=xs, ys=ys, cells=cells)


def _drop_slivers(values: list[float], min_gap: float) -> list[float]:
    out: list[float] = []
    for v in values:
        if out and v - out[-1] < min_gap:
            continue
        out.append(v)
    return out


def find_grids(segments: Iterable[Segment], snap_tol: float = SNAP_TOL, gap: float = GAP_TOL,
               touch_tol: float = TOUCH_TOL, min_cells: int = 2) -> list[Grid]:
    """All table grids formed by the rulings, top to bottom.

    A group needs both orientations and at least min_cells cells; a lone box
    (a framed paragraph) is not a table.
    """
    grids: list[Grid] = []
    # Group before snapping so that rulings of two different tables are never averaged.
    for group in group_tables(list(segments), touch_tol):
        if not any(s.orient == "h" for s in group) or not any(s.orient == "v" for s in group):
            continue
        grid = build_grid(merge_collinear(snap(group, snap_tol), gap), snap_tol)
        if grid is not None and len(grid.cells) >= min_cells:
            grids.append(grid)
    grids.sort(key=lambda g: (g.ys[0], g.xs[0]))
    return grids


# ---------------------------------------------------------------- text

_CJK_RE = re.compile(
    "[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u3000-\u303f"
    "\u2010-\u2027\u2030-\u205e]")


def is_cjk(ch: str) -> bool:
    """CJK ideographs and the punctuation used with them (full-width forms, “”、。…—)."""
    return bool(ch) and bool(_CJK_RE.match(ch))


def join_text(left: str, right: str, space: bool = True) -> str:
    """Join two runs: never a space at a CJK boundary, else a space when asked."""
    if not left:
        return right
    if not right:
        return left
    if is_cjk(left[-1]) or is_cjk(right[0]) or not space:
        return left + right
    return left + " " + right


def group_lines(pieces: Iterable[Piece]) -> list[list[Piece]]:
    """Pieces grouped into visual lines (top to bottom), each sorted left to right.

    A piece joins a line when it overlaps the line vertically by at least half of
    the smaller height; stacked vertical text therefore gives one line per char.
    """
    lines: list[list[Piece]] = []
    bands: list[tuple[float, float]] = []
    for p in sorted(pieces, key=lambda p: (p.top, p.x0)):
        for i in range(len(lines) - 1, max(-1, len(lines) - 4), -1):
            top, bottom = bands[i]
            overlap = min(bottom, p.bottom) - max(top, p.top)
            if overlap >= 0.5 * min(bottom - top, p.bottom - p.top):
                lines[i].append(p)
                bands[i] = (min(top, p.top), max(bottom, p.bottom))
                break
        else:
            lines.append([p])
            bands.append((p.top, p.bottom))
    for line in lines:
        line.sort(key=lambda p: p.x0)
    order = sorted(range(len(lines)), key=lambda i: bands[i][0])
    return [lines[i] for i in order]


def line_text(line: Sequence[Piece], space_ratio: float = 0.2) -> str:
    """Text of one line: a space between non-CJK pieces separated by a visible gap.

    Pieces that are whole words (several chars) always get a space between them
    unless a CJK boundary forbids it.
    """
    out = ""
    prev: Optional[Piece] = None
    for p in line:
        t = p.text.strip()
        if not t:
            continue
        if prev is None:
            out = t
        else:
            gap = p.x0 - prev.x1
            wordy = len(t) > 1 or len(prev.text.strip()) > 1
            space = gap > space_ratio * max(p.height, prev.height) or (wordy and gap > 0)
            out = join_text(out, t, space)
        prev = p
    return out


def join_lines(texts: Sequence[str]) -> str:
    """Lines of one cell or paragraph in reading order.

    CJK boundaries join without a space; digits wrapped onto the next line (a
    5-digit total in a narrow column) join without one too.
    """
    out = ""
    for t in texts:
        if not t:
            continue
        if out and out[-1].isdigit() and t[0].isdigit():
            out += t
        else:
            out = join_text(out, t)
    return out


def pieces_text(pieces: Iterable[Piece]) -> str:
    return join_lines([line_text(line) for line in group_lines(pieces)])


def locate(grid: Grid, x: float, y: float) -> Optional[tuple[int, int]]:
    """Slot (row, col) containing the point, or None outside the grid."""
    if not (grid.xs[0] <= x <= grid.xs[-1] and grid.ys[0] <= y <= grid.ys[-1]):
        return None
    c = min(bisect.bisect_right(grid.xs, x) - 1, len(grid.xs) - 2)
    r = min(bisect.bisect_right(grid.ys, y) - 1, len(grid.ys) - 2)
    return r, c


def fill_table(grid: Grid, pieces: Iterable[Piece], page: Optional[int] = None,
               method: str = "text") -> tuple[Table, list[Piece]]:
    """Assign pieces to cells by their centre; returns the table and the pieces outside it."""
    slot_cell: dict[tuple[int, int], int] = {}
    for i, cell in enumerate(grid.cells):
        for r in range(cell.row, cell.last_row + 1):
            for c in range(cell.col, cell.last_col + 1):
                slot_cell[(r, c)] = i
    bins: list[list[Piece]] = [[] for _ in grid.cells]
    outside: list[Piece] = []
    for p in pieces:
        slot = locate(grid, p.cx, p.cy)
        if slot is None:
            outside.append(p)
        else:
            bins[slot_cell[slot]].append(p)
    cells = [Cell(row=g.row, col=g.col, rowspan=g.rowspan, colspan=g.colspan,
                  text=pieces_text(b), page=page, bbox=g.bbox, method=method)
             for g, b in zip(grid.cells, bins)]
    return Table(cells=cells, page=page, bbox=grid.bbox), outside


def table_from_geometry(segments: Iterable[Segment], pieces: Iterable[Piece],
                        page: Optional[int] = None) -> list[Table]:
    """Convenience: every table the rulings form, filled with the pieces."""
    rest = list(pieces)
    tables: list[Table] = []
    for grid in find_grids(segments):
        table, rest = fill_table(grid, rest, page)
        tables.append(table)
    return tables
