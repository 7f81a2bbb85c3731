"""Rebuild tables from flattened text: pipe rows, tab rows, or one cell per line.

Text extraction loses merges, so these tables are marked positional=False: an empty
cell is padding, not a blank value, and the normaliser places numbers by count.
"""
from __future__ import annotations

import re
from typing import Iterable

from xxgk.model import Cell, Table


def _table(rows: Iterable[list[str]], page: int | None = None) -> Table:
    cells = []
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            cells.append(Cell(row=r, col=c, text=text, page=page))
    return Table(cells=cells, positional=False, page=page)


def is_pipe_row(line: str) -> bool:
    s = line.strip()
    return s.count("|") >= 1 and (s.startswith("|") or s.endswith("|") or " | " in s)


def split_pipe_row(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|"):
        s = s[:-1]
    cells = [c.strip() for c in s.split("|")]
    # Markdown separator rows (|---|:--:|) carry no cells.
    if cells and all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
        return []
    return cells


# Header cells a markdown converter invents when the source row had none: 数据1 … 数据6, Column 1, -.
_GENERIC_HEADER = re.compile(r"(数据|列|Column|Col)\s*\d{1,2}|-|—", re.I)


def _is_separator(line: str) -> bool:
    s = line.strip().strip("|")
    return bool(s) and all(re.fullmatch(r"\s*:?-{2,}:?\s*", c) for c in s.split("|"))


def _generic_header(cells: list[str]) -> bool:
    filled = [c for c in cells if c]
    return bool(filled) and all(_GENERIC_HEADER.fullmatch(c) for c in filled)


def pipe_table(lines: list[str], page: int | None = None) -> Table:
    """Pipe rows as a table; a markdown header row of placeholders (数据1, -) carries no cells and is dropped."""
    rows: list[list[str]] = []
    for line in lines:
        if _is_separator(line):
            if rows and _generic_header(rows[-1]):
                rows.pop()
            continue
        row = split_pipe_row(line)
        if row:
            rows.append(row)
    return _table(rows, page)


def tab_table(lines: list[str], page: int | None = None) -> Table:
    """Each line a row, cells split on tabs; blank lines (page breaks) are skipped."""
    rows = [[c.strip() for c in line.rstrip("\n").split("\t")] for line in lines if line.strip()]
    return _table(rows, page)


def cell_per_line_table(lines: list[str], page: int | None = None) -> Table:
    """Word-to-text output: each cell on a line starting with a tab, blank line between rows.

    A line without the leading tab continues the cell above (vertical text 自/然/人).
    """
    rows: list[list[str]] = []
    row: list[str] = []
    for line in lines:
        if not line.strip() and not line.startswith("\t"):
            if row:
                rows.append(row)
                row = []
            continue
        if line.startswith("\t"):
            row.append(line[1:].strip())
        elif row:
            row[-1] += line.strip()
        else:
            row.append(line.strip())
    if row:
        rows.append(row)
    return _table(rows, page)
