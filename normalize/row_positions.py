"""Table 三's rows placed by their position when OCR leaves their labels unreadable.

A fax-quality scan reads the numbers but not the thin-stroke labels. If the rows that are
recognised (anchors) sit at one constant offset in one form of the template (（六） as one row
or as three), and the grid's numbered rows cover that form from its first row to its last, each
unrecognised row is the template row at its place. The readers keep such rows only if every sum
of the template then holds.
"""
from __future__ import annotations

from collections import Counter
from typing import Optional

from xxgk.normalize.numbers import is_blank, parse_number
from xxgk.normalize.rows import LogicalRow, Slot, fit_slots
from xxgk.normalize.templates.base import Template

MIN_ANCHORS = 2


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
    if len(match) < MIN_ANCHORS:
        return None
    numbered = [i for i, r in enumerate(rows) if r.numbers() or r.run]
    if not numbered:
        return None
    fits = []
    for seq in template_variants(template):
        at = {j: k for k, j in enumerate(seq)}
        if any(j not in at for j in match.values()):
            continue
        offsets = {i - at[j] for i, j in match.items()}
        if len(offsets) != 1:
            continue
        off = offsets.pop()
        if numbered[0] - off != 0 or numbered[-1] - off != len(seq) - 1:
            continue
        added = {i: seq[i - off] for i in range(numbered[0], numbered[-1] + 1) if i not in match}
        fits.append((seq, added))
    return fits[0] if len(fits) == 1 else None


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
