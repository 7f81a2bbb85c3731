"""A table row seen as the normaliser needs it: label texts and value slots."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

import re
import unicodedata

from xxgk.model import Cell, Paragraph, Table
from xxgk.normalize import compiled_re
from xxgk.normalize.furniture import is_page_footer, is_page_number
from xxgk.normalize.labels import split_label
from xxgk.normalize.numbers import Parsed, is_blank, parse_number


@dataclass
class Slot:
    """One value position: the cell's raw text and its parsed number (None when blank)."""

    raw: str
    parsed: Optional[Parsed]
    cell: Optional[Cell] = None
    # One of several numbers a converter put in one cell (0<br>2 under 本年新公开数量<br>对外公开总数量).
    merged: bool = False

    @property
    def value(self):
        return None if self.parsed is None else self.parsed.value


@dataclass
class LogicalRow:
    labels: list[str]
    slots: list[Slot]
    # True when slots sit at their real columns, so a blank slot is a real blank cell.
    positional: bool
    cells: list[Cell] = field(default_factory=list)
    # The row's cells run together into one digit string (text scraped without separators).
    run: Optional[str] = None

    @property
    def label(self) -> str:
        return self.labels[-1] if self.labels else ""

    @property
    def text(self) -> str:
        return "".join(self.labels)

    def numbers(self) -> list[Slot]:
        return [s for s in self.slots if s.parsed is not None]


_LINE_BREAK_TAG = compiled_re.compile(r"<br\s*/?>", re.I)


def cell_text(text: str) -> str:
    """A cell's text without the <br> tags markdown converters put where the cell's lines wrapped."""
    return _LINE_BREAK_TAG.sub("", text or "")


def _stacked(text: str) -> Optional[list[tuple[str, Parsed]]]:
    """A cell holding one number per line (5<br>1): two rows a converter merged into one, never 51."""
    parts = [t.strip() for t in _LINE_BREAK_TAG.split(text or "") if t.strip()]
    if len(parts) < 2:
        return None
    parsed = [parse_number(t) for t in parts]
    return None if None in parsed else list(zip(parts, parsed))


def _unstack(cells: list[Cell]) -> Optional[list[LogicalRow]]:
    """Rows merged into one (labels 2.…<br>3.其他, numbers 5<br>1 …) as the rows they were, or None.

    Only when every number cell stacks the same count of numbers and the labels hold as many row labels.
    """
    stacks = [_stacked(c.text) for c in cells]
    heights = {len(st) for st in stacks if st}
    if len(heights) != 1:
        return None
    k = heights.pop()
    labels: list[str] = []
    for c, st in zip(cells, stacks):
        t = cell_text(c.text)
        if st is None and parse_number(t) is not None:
            return None  # a lone number beside stacked ones: which row it is in is unknown
        if st is None and not is_blank(t):
            labels.extend(split_label(t))
    if len(labels) < k:
        return None
    head = labels[:len(labels) - k]
    out = []
    for i in range(k):
        slots = [Slot(st[i][0], st[i][1], c) for c, st in zip(cells, stacks) if st]
        out.append(LogicalRow((head if i == 0 else []) + [labels[len(labels) - k + i]], slots, False, cells))
    return out


@lru_cache(maxsize=65536)  # cell texts recur within a report and report after report
def _reading(text: str) -> tuple[str, str, Optional[Parsed], Optional[tuple], tuple[str, ...]]:
    """One cell as table_rows sees it: (its text without <br>, kind, number, stacked numbers, label parts).

    kind: "stacked" (one number per line), "num", "blank" or "label".
    """
    plain = cell_text(text)
    stack = _stacked(text)
    if stack:
        return plain, "stacked", None, tuple(stack), ()
    parsed = parse_number(plain)
    if parsed is not None:
        return plain, "num", parsed, None, ()
    if is_blank(plain):
        return plain, "blank", None, None, ()
    return plain, "label", None, None, tuple(split_label(plain))


def table_rows(table: Table) -> list[LogicalRow]:
    """Split each anchored row into label cells and value slots.

    In a positional table a blank cell after the last label is a value slot (a blank
    the source left); in flattened text blanks are padding and are dropped.
    """
    out = []
    positional = table.positional
    for cells in table.rows():
        readings = [_reading(c.text) for c in cells]
        texts = [r[0] for r in readings if r[1] != "blank"]
        if len(texts) == 1 and is_page_number(texts[0]):
            continue  # a page footer (— 4 —) the extraction left inside the table
        if any(r[1] == "stacked" for r in readings):
            unstacked = _unstack(cells)
            if unstacked is not None:
                out.extend(unstacked)
                continue
        # One label and a cell of stacked numbers: columns merged into one cell, read in column order.
        side_by_side = sum(len(r[4]) for r in readings if r[1] == "label") == 1
        last_label = max((i for i, r in enumerate(readings) if r[1] == "label"), default=-1)
        labels, slots = [], []
        for i, (c, (_, k, parsed, stack, parts)) in enumerate(zip(cells, readings)):
            if k == "label":
                labels.extend(parts)
            elif k == "num":
                slots.append(Slot(c.text, parsed, c))
            elif k == "stacked" and side_by_side:
                slots.extend(Slot(c.text, p, c, merged=True) for _, p in stack)
            elif k == "stacked":
                slots.append(Slot(c.text, None, c))  # numbers of several rows in one cell: unreadable
            elif positional and i > last_label:
                # A blank spanning several columns is one blank per column it covers.
                slots.extend(Slot(c.text, None, c) for _ in range(c.colspan))
        out.append(LogicalRow(labels, slots, positional, cells))
    return out


def value_block(row: LogicalRow, width: int) -> Optional[tuple[list[str], list[Slot]]]:
    """(labels, slots) taking the row's last `width` cells as its values, garbled ones unreadable.

    For positional rows whose cells did not sort into labels and numbers cleanly: OCR can turn
    a 4 into 人4. Allowed only when nearly all of the block reads as numbers or blanks.
    """
    if not row.positional or len(row.cells) < width:
        return None
    block = row.cells[-width:]
    if any(c.colspan != 1 for c in block):
        return None
    readable = [c for c in block if parse_number(c.text) is not None or is_blank(c.text)]
    if len(readable) < width - max(1, width // 4) or len(readable) == width:
        return None
    labels = [c.text.strip() for c in row.cells[:-width] if not is_blank(c.text)]
    return labels, [Slot(c.text, parse_number(c.text), c) for c in block]


# label, then the digits its cells left behind: 规范性文件898989, 121 000013, 10203120001200000.
_TRAILING_RUN = compiled_re.compile(r"^(?P<label>.*?[^\d\s.+\-])?(?P<run>[\d\s.+\-]*\d[\d\s.]*)$")
MAX_ROW_TEXT = 120


def paragraph_row(p: Paragraph) -> Optional[LogicalRow]:
    """A table row whose cells a scraper ran together into one line, or None for prose."""
    text = unicodedata.normalize("NFKC", p.text).strip()
    if not text or len(text) > MAX_ROW_TEXT or re.search(r"[。；;]", text) or is_page_footer(text):
        return None
    m = _TRAILING_RUN.match(text)
    cell = Cell(row=0, col=0, text=p.text, page=p.page, bbox=p.bbox, method=p.method)
    if not m:
        return LogicalRow(split_label(text), [], False, [cell])
    label = (m.group("label") or "").strip()
    return LogicalRow(split_label(label) if label else [], [], False, [cell], run=m.group("run").strip())


def pair_label_block(rows: list[LogicalRow], is_row_label) -> list[LogicalRow]:
    """A block of label-only rows followed by as many value-only rows: each label gets its values.

    PDF-to-markdown tools print a group's labels first, then its numbers. Only labels that name a
    template row count (header fragments, footers in the block are skipped); counts must agree.
    """
    out: list[LogicalRow] = []
    i = 0
    while i < len(rows):
        j = i
        while j < len(rows) and not rows[j].slots and not rows[j].run:
            j += 1
        k = j
        while k < len(rows) and rows[k].slots and not rows[k].labels and not rows[k].run:
            k += 1
        named = [r for r in rows[i:j] if is_row_label(r)]
        if k - j >= 2 and len(named) == k - j:
            out.extend(r for r in rows[i:j] if not is_row_label(r))
            out.extend(LogicalRow(lab.labels, val.slots, False, lab.cells + val.cells)
                       for lab, val in zip(named, rows[j:k]))
            i = k
        else:
            out.extend(rows[i:max(j, i + 1)])
            i = max(j, i + 1)
    return out


def data_rows(rows: list[LogicalRow]) -> list[LogicalRow]:
    return [r for r in rows if r.slots or r.run]


def fit_slots(row: LogicalRow, width: int) -> Optional[list[Slot]]:
    """The row's slots at their columns, or None when positions cannot be trusted."""
    if not row.positional:
        return None
    slots = list(row.slots)
    while len(slots) > width and slots[-1].parsed is None:
        slots.pop()
    while len(slots) > width and slots[0].parsed is None:
        slots.pop(0)
    return slots if len(slots) == width else None


def detached_notes(rows: list[LogicalRow]) -> dict[int, list[Slot]]:
    """Annotated numbers that wrapped onto a line of their own (| 55（含自然失效 29 件） |), by the row above."""
    out: dict[int, list[Slot]] = {}
    owner: Optional[LogicalRow] = None
    for r in rows:
        nums = r.numbers()
        if not r.labels and nums and all(s.parsed.note for s in nums) and owner is not None and not r.run:
            out.setdefault(id(owner), []).extend(nums)
        elif r.labels and r.slots:
            owner = r
        elif r.labels:
            owner = None
    return out
