"""Tables drawn without vertical rulings (三线表, borderless Word tables) from positioned text.

Rows are the text lines; columns are where the numbers sit: the x-extents of the numbers of all
rows of a block are merged where they overlap, one merged extent per column (a block: number rows
with at most one other line between them, so sub-tables keep their own columns). Labels stay on the
left, right-packed against the numbers, and a line without numbers (a wrapped label, header text,
a character of vertical text) becomes one cell spanning the row, so it never adds blank values.
The table is positional (a missing number is a blank cell) only when every number falls in its
own column; otherwise it is flattened (numbers in order, placed later by the template's sums).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median
from typing import Optional, Sequence

from xxgk.model import Cell, Table
from xxgk.layout.geometry import Piece, line_text

# A value as such tables print it: 12, 1,448, 25.1, -3, 增2 / 减4 (2019 form), 251000元, 12.5万元.
VALUE = re.compile(r"^[-增减+]?\d[\d,]*(\.\d+)?(万元|亿元|元|件|个|项|次|条|%)?$")
_HEADING = re.compile(r"^[一二三四五六七八九十]{1,2}\s*[、.．]")
WORD_GAP = 0.6  # chars further apart than this many char heights belong to different cells
MAX_GAP_LINES = 6  # label-only lines allowed between two rows of numbers in one table
HEADER_LINES = 6  # label-only lines above the first row of numbers taken as its header
LONG_LINE = 28  # a single run of text longer than this is prose, not a table cell


@dataclass
class _Word:
    text: str
    x0: float
    x1: float
    unread: bool = False  # OCR junk where a number should be ("!", "“", "了"): a value to re-read

    @property
    def numeric(self) -> bool:
        return self.unread or bool(VALUE.match(self.text))


@dataclass
class _Line:
    pieces: list[Piece]
    words: list[_Word]
    top: float
    bottom: float

    @property
    def labels(self) -> list[_Word]:
        return self.words[: len(self.words) - len(self.numbers)]

    @property
    def numbers(self) -> list[_Word]:
        """The run of numbers that ends the line."""
        out: list[_Word] = []
        for w in reversed(self.words):
            if not w.numeric:
                break
            out.append(w)
        return out[::-1]


def _words(line: Sequence[Piece]) -> list[_Word]:
    groups: list[list[Piece]] = []
    for p in line:
        if groups:
            prev = groups[-1][-1]
            if p.x0 - prev.x1 <= WORD_GAP * max(p.height, prev.height):
                groups[-1].append(p)
                continue
        groups.append([p])
    return [_Word(line_text(g), g[0].x0, max(p.x1 for p in g)) for g in groups if line_text(g)]


def _is_number_row(ln: _Line) -> bool:
    nums, labels = ln.numbers, ln.labels
    if not nums:
        return False
    if len(nums) >= 2:
        return not any(len(w.text) > LONG_LINE for w in labels)
    # One number: only after a real label ("行政许可 2736"), not a page number between dashes.
    return bool(labels) and any("\u3400" <= ch <= "\u9fff" for ch in labels[-1].text) \
        and len(labels[-1].text) <= LONG_LINE


def _is_prose(ln: _Line) -> bool:
    return (any(len(w.text) > LONG_LINE for w in ln.words)
            or bool(_HEADING.match(ln.words[0].text) and not ln.numbers and len(ln.words) == 1))


def _tight(above: _Line, below: _Line) -> bool:
    """No more than a line's height between them: a page header above the table is further off."""
    return below.top - above.bottom <= 1.0 * max(above.bottom - above.top, below.bottom - below.top)


def _regions(lines: list[_Line]) -> list[tuple[int, int]]:
    """[start, end) line ranges that hold one table each."""
    rows = [i for i, ln in enumerate(lines) if _is_number_row(ln)]
    spans: list[list[int]] = []
    for i in rows:
        if spans and i - spans[-1][1] - 1 <= MAX_GAP_LINES \
                and not any(_is_prose(lines[j]) for j in range(spans[-1][1] + 1, i)):
            spans[-1][1] = i
        else:
            spans.append([i, i])
    out = []
    for first, last in spans:
        numbers = [len(lines[i].numbers) for i in range(first, last + 1) if _is_number_row(lines[i])]
        if len(numbers) < 2 and max(numbers) < 2:
            continue  # a lone "label 12" line is prose that ends in a number
        start = first
        while start > 0 and first - start < HEADER_LINES and not _is_prose(lines[start - 1]) \
                and not _is_number_row(lines[start - 1]) and _tight(lines[start - 1], lines[start]):
            start -= 1
        out.append((start, last + 1))
    return out


def _columns(rows: list[_Line]) -> list[tuple[float, float]]:
    """Merged x-extents of the numbers: one per column, left to right."""
    spans = sorted((w.x0, w.x1) for ln in rows for w in ln.numbers)
    cols: list[list[float]] = []
    for x0, x1 in spans:
        if cols and x0 <= cols[-1][1]:
            cols[-1][1] = max(cols[-1][1], x1)
        else:
            cols.append([x0, x1])
    return [(a, b) for a, b in cols]


def _column_of(w: _Word, cols: list[tuple[float, float]]) -> int:
    return next(i for i, (a, b) in enumerate(cols) if a <= w.x0 and w.x1 <= b)


def _blocks(lines: list[_Line]) -> list[list[int]]:
    """Indices of the number rows, split where two or more lines without numbers come between
    (a new sub-table with its own header, e.g. table 二's 第二十条第（五）项 under （一）)."""
    blocks: list[list[int]] = []
    last = None
    for i, ln in enumerate(lines):
        if not _is_number_row(ln):
            continue
        if last is None or i - last - 1 >= 2:
            blocks.append([])
        blocks[-1].append(i)
        last = i
    return blocks


def _overlap(a: _Word, b: _Word) -> float:
    return min(a.x1, b.x1) - max(a.x0, b.x0)


def _attach_continuations(lines: list[_Line], rows: set[int]) -> None:
    """Words of lines without numbers, right under a number row and left of its numbers, that sit
    under one of its labels are the rest of that label, wrapped in its cell: join them, in place.
    Other words (vertical text in a merged cell, a sub-table's header) stay where they are."""
    owner = None  # the number row the lines just above belong to
    for i, ln in enumerate(lines):
        if i in rows:
            owner = i
            continue
        if owner is None or not lines[owner].labels:
            continue
        row = lines[owner]
        first_number = min(w.x0 for w in row.numbers)
        if any(w.x1 > first_number for w in ln.words):
            owner = None  # spans into the numbers: a header or title line, not a wrapped label
            continue
        left = []
        for w in ln.words:
            target = max(row.labels, key=lambda v: _overlap(v, w))
            if _overlap(target, w) > 0.3 * min(w.x1 - w.x0, target.x1 - target.x0):
                target.text += w.text
            else:
                left.append(w)
        ln.words = left


def _enumerators_joined(labels: list[_Word]) -> list[_Word]:
    """A number among the labels ("7" of "7.属于行政执法案卷" whose dot OCR lost) is the start of
    the label after it, not a value."""
    out: list[_Word] = []
    for w in labels:
        if out and out[-1].numeric and not out[-1].unread:
            prev = out.pop()
            w = _Word(prev.text + w.text, prev.x0, w.x1)
        out.append(w)
    return out


def _table(lines: list[_Line], page: Optional[int]) -> Table:
    blocks = _blocks(lines)
    cols_of: dict[int, list[tuple[float, float]]] = {}
    positional = True
    for block in blocks:
        cols = _columns([lines[i] for i in block])
        for i in block:
            cols_of[i] = cols
            placed = [_column_of(w, cols) for w in lines[i].numbers]
            positional &= len(set(placed)) == len(placed)
    _attach_continuations(lines, set(cols_of))
    data = [lines[i] for b in blocks for i in b]
    n_labels = max((len(ln.labels) for ln in data), default=0)
    n_values = max(len(cols_of[i]) if positional else len(lines[i].numbers) for b in blocks for i in b)
    width = n_labels + n_values
    cells: list[Cell] = []
    r = -1
    for i, ln in enumerate(lines):
        if i not in cols_of and not ln.words:
            continue  # every word joined a label above
        r += 1
        box = (min(p.x0 for p in ln.pieces), ln.top, max(p.x1 for p in ln.pieces), ln.bottom)
        if i not in cols_of:
            cells.append(Cell(row=r, col=0, colspan=width, text=" ".join(w.text for w in ln.words),
                              page=page, bbox=box))
            continue
        nums, labels, cols = ln.numbers, _enumerators_joined(ln.labels), cols_of[i]
        k = len(cols) if positional else len(nums)
        first_num = width - k
        at = ([first_num + _column_of(w, cols) for w in nums] if positional
              else list(range(first_num, first_num + len(nums))))
        label_cols = list(range(first_num - len(labels), first_num))
        if labels and label_cols[0] > 0:  # left of the labels; a row without labels gets no filler
            cells.append(Cell(row=r, col=0, colspan=label_cols[0], text="", page=page))
        for c, w in zip(label_cols, labels):
            cells.append(Cell(row=r, col=c, text=w.text, page=page, bbox=(w.x0, ln.top, w.x1, ln.bottom)))
        taken = dict(zip(at, nums))
        for c in range(first_num, width):
            w = taken.get(c)
            if w is not None:  # the cell is the column's extent: all of the number, whatever its width
                a, b = cols[c - first_num] if positional else (w.x0, w.x1)
                cells.append(Cell(row=r, col=c, text=w.text, page=page, bbox=(a, ln.top, b, ln.bottom),
                                  confidence=0.0 if w.unread else None))
            elif positional:  # a column this row left blank: a real blank cell
                a, b = cols[c - first_num]
                cells.append(Cell(row=r, col=c, text="", page=page, bbox=(a, ln.top, b, ln.bottom)))
    bbox = (min(p.x0 for ln in lines for p in ln.pieces), lines[0].top,
            max(p.x1 for ln in lines for p in ln.pieces), lines[-1].bottom)
    return Table(cells=cells, page=page, bbox=bbox, positional=positional)


def _mark_unread(lines: list[_Line]) -> None:
    """OCR of a whole page turns some digits into punctuation or a stray character. In a line that
    already has numbers, a short word at or right of where the numbers start is such a value."""
    rows = [ln for ln in lines if _is_number_row(ln)]
    if not rows:
        return
    start = min(w.x0 for ln in rows for w in ln.numbers)
    slack = 0.5 * median(ln.bottom - ln.top for ln in rows)
    for ln in lines:
        if not any(VALUE.match(w.text) and w.x0 >= start - slack for w in ln.words):
            continue  # header text (结/果/维/持) sits over the numbers too, but among no number
        for w in ln.words:
            if w.x0 >= start - slack and not w.numeric and len(w.text) <= 3:
                w.unread = True


def borderless_tables(lines: Sequence[Sequence[Piece]], page: Optional[int] = None, ocr: bool = False
                      ) -> tuple[list[Table], list[list[Piece]]]:
    """Tables found in visual lines of pieces (top to bottom), and the lines left over.

    `ocr`: the pieces are OCR words; short junk among a row's numbers is kept as a value cell with
    confidence 0 (to be read again), so it neither ends the row nor shifts its numbers."""
    parsed = []
    for line in lines:
        words = _words(line)
        if words:
            # Median edges: one OCR box stretched into the next row must not widen the whole line.
            parsed.append(_Line(list(line), words, float(median(p.top for p in line)),
                                float(median(p.bottom for p in line))))
    tables, used = [], set()
    for start, end in _regions(parsed):
        if ocr:
            _mark_unread(parsed[start:end])
        tables.append(_table(parsed[start:end], page))
        used.update(range(start, end))
    rest = [ln.pieces for i, ln in enumerate(parsed) if i not in used]
    return tables, rest
