"""Table rows placed by their position when OCR leaves their labels unreadable.

A fax-quality scan reads the numbers but not the thin-stroke labels. If the rows that are
recognised (anchors) sit at one constant offset in one form of the template, and the grid's rows
cover that form from its first row to its last, each unrecognised row is the template row at its
place. Table 三 (（六） as one row or as three): the readers keep such rows only if every sum of
the template then holds. Table 二 has no sums: every grid row must have the shape of its template
row (section row, column header, data row with its count of number cells), see fit_layout.
"""
from __future__ import annotations

import unicodedata
from collections import Counter
from typing import Callable, Optional

from xxgk.normalize.numbers import is_blank, parse_number
from xxgk.normalize.rows import LogicalRow, Slot, cell_text, fit_slots
from xxgk.normalize.templates.base import Template
from xxgk.normalize.templates.layout_two import LayoutRow

MIN_ANCHORS = 2
# An OCR read this sure is kept without a sum to confirm it (the readers of tables 二 and 三 share it).
TRUSTED_OCR = 0.9


def template_variants(template: Template) -> list[list[int]]:
    """Indexes into template.results of each row sequence the source may print."""
    results = template.results
    replaced = {p for r in results for p in r.alternative_to}
    if not replaced:
        return [list(range(len(results)))]
    one_row = [j for j, r in enumerate(results) if r.path not in replaced]
    sub_rows = [j for j, r in enumerate(results) if not r.alternative_to]
    return [one_row, sub_rows]


def fit_by_position(match: dict[int, int], rows: list[LogicalRow],
                    template: Template) -> Optional[tuple[list[int], dict[int, int]]]:
    """(the form's row sequence, row index → template index for the unrecognised rows), or None.

    None unless exactly one form fits: every anchor at the same offset, the first and last rows
    holding numbers at the form's first and last rows, and no row with numbers outside it.
    """
    numbered = [i for i, r in enumerate(rows) if r.numbers() or r.run]
    return fit_in_order(match, numbered, template_variants(template))


def fit_in_order(match: dict[int, int], span: list[int], variants: list[list[int]],
                 fits: Optional[Callable[[int, int], bool]] = None,
                 min_anchors: int = MIN_ANCHORS) -> Optional[tuple[list[int], dict[int, int]]]:
    """(the one sequence that fits, row index → template index for the rows between span's ends
    that `match` does not name), or None.

    A sequence fits when span's first and last rows are its first and last, every anchor in `match`
    sits at its place in it, and `fits(row, template index)` (if given) holds for every row between.
    """
    if len(match) < min_anchors or not span:
        return None
    first, last = span[0], span[-1]
    found = []
    for seq in variants:
        at = {j: k for k, j in enumerate(seq)}
        if last - first != len(seq) - 1 or any(j not in at or i - first != at[j] for i, j in match.items()):
            continue
        if fits is not None and not all(fits(i, seq[i - first]) for i in range(first, last + 1)):
            continue
        found.append((seq, {i: seq[i - first] for i in range(first, last + 1) if i not in match}))
    return found[0] if len(found) == 1 else None


def _has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in unicodedata.normalize("NFKC", text))


def row_shape_fits(row: LogicalRow, want: LayoutRow) -> bool:
    """Whether a positional grid row has the printed shape of a table 二 layout row.

    Section: one non-blank cell, not a number. Column header: a label cell and `width` cells of
    words without digits. Data: a label cell and `width` cells each blank or holding digits (a
    number OCR garbled, 了119, is still a number's cell; a column header has none).
    """
    if not row.positional or row.run is not None:
        return False
    texts = [cell_text(c.text) for c in row.cells]
    filled = [t for t in texts if not is_blank(t)]
    if want.kind == "section":
        return len(filled) == 1 and parse_number(filled[0]) is None
    if len(texts) != 1 + want.width:
        return False
    values = texts[1:]
    if want.kind == "header":
        return all(not is_blank(t) and not _has_digit(t) for t in values)
    return all(is_blank(t) or _has_digit(t) for t in values)


def fit_layout(match: dict[int, int], rows: list[LogicalRow],
               layout: tuple[LayoutRow, ...]) -> Optional[dict[int, int]]:
    """Row index → layout index for every unrecognised row, when the grid prints the layout exactly.

    `rows` are the table's rows with all-blank ones left out; `match` names the recognised data rows
    by their layout index. None unless there are as many rows as layout rows, each of its row's
    shape, and every recognised row at its own place.
    """
    fit = fit_in_order(match, list(range(len(rows))), [list(range(len(layout)))],
                       lambda i, k: row_shape_fits(rows[i], layout[k]), min_anchors=0)
    return None if fit is None else fit[1]


def value_columns(rows: list[LogicalRow], width: int) -> Optional[tuple[int, ...]]:
    """The grid columns of the value cells, as most rows that fit `width` slots have them."""
    seen: Counter = Counter()
    for r in rows:
        slots = fit_slots(r, width)
        if slots is not None and all(s.cell is not None and s.cell.colspan == 1 for s in slots):
            seen[tuple(s.cell.col for s in slots)] += 1
    if not seen:
        return None
    cols, n = seen.most_common(1)[0]
    return cols if n >= 2 else None


def column_slots(row: LogicalRow, cols: Optional[tuple[int, ...]]) -> Optional[list[Slot]]:
    """The row's cells at the value columns (a label cell OCR'd as 「1」 left out), or None."""
    if cols is None or not row.positional:
        return None
    by_col = {c.col: c for c in row.cells if c.colspan == 1}
    if any(k not in by_col for k in cols):
        return None
    cells = [by_col[k] for k in cols]
    if any(parse_number(c.text) is None and not is_blank(c.text) for c in cells):
        return None
    return [Slot(c.text, parse_number(c.text), c) for c in cells]


def fit_between_anchors(match: dict[int, int], template: Template) -> Optional[tuple[list[int], dict[int, int]]]:
    """(the form's row sequence, unrecognised row → template index) for the rows around （六）.

    The anchors nearest before and after the rows only one form has (（六） as one row or three):
    the count of rows between them says which form the source printed. None unless exactly one fits.
    """
    variants = template_variants(template)
    if len(variants) < 2:
        return None
    only_one = set(variants[0]) ^ set(variants[1])
    first, last = min(only_one), max(only_one)
    before = [(i, j) for i, j in match.items() if j < first]
    after = [(i, j) for i, j in match.items() if j > last]
    if not before or not after:
        return None
    (i0, j0), (i1, j1) = max(before), min(after)
    fits = []
    for seq in variants:
        at = {j: k for k, j in enumerate(seq)}
        if j0 not in at or j1 not in at or at[j1] - at[j0] != i1 - i0:
            continue
        inside = {i: j for i, j in match.items() if i0 < i < i1}
        if any(j not in at or at[j] - at[j0] != i - i0 for i, j in inside.items()):
            continue
        fits.append((seq, {i: seq[at[j0] + i - i0] for i in range(i0 + 1, i1) if i not in inside}))
    return fits[0] if len(fits) == 1 else None
