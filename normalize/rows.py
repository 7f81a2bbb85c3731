"""A table row seen as the normaliser needs it: label texts and value slots."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from xxgk.model import Cell, Table
from xxgk.normalize.numbers import Parsed, is_blank, parse_number


@dataclass
class Slot:
    """One value position: the cell's raw text and its parsed number (None when blank)."""

    raw: str
    parsed: Optional[Parsed]
    cell: Optional[Cell] = None

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

    @property
    def label(self) -> str:
        return self.labels[-1] if self.labels else ""

    @property
    def text(self) -> str:
        return "".join(self.labels)

    def numbers(self) -> list[Slot]:
        return [s for s in self.slots if s.parsed is not None]


def table_rows(table: Table) -> list[LogicalRow]:
    """Split each anchored row into label cells and value slots.

    In a positional table a blank cell after the last label is a value slot (a blank
    the source left); in flattened text blanks are padding and are dropped.
    """
    out = []
    for cells in table.rows():
        kinds = []
        for c in cells:
            p = parse_number(c.text)
            kinds.append("num" if p is not None else "blank" if is_blank(c.text) else "label")
        last_label = max((i for i, k in enumerate(kinds) if k == "label"), default=-1)
        labels, slots = [], []
        for i, (c, k) in enumerate(zip(cells, kinds)):
            if k == "label":
                labels.append(c.text.strip())
            elif k == "num":
                slots.append(Slot(c.text, parse_number(c.text), c))
            elif table.positional and i > last_label:
                # A blank spanning several columns is one blank per column it covers.
                slots.extend(Slot(c.text, None, c) for _ in range(c.colspan))
        out.append(LogicalRow(labels, slots, table.positional, cells))
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
