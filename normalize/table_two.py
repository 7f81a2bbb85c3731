"""Read table 二 (主动公开): rows matched regardless of order, no sums, so a number is kept only when certain."""
from __future__ import annotations

from typing import Optional, Sequence

from xxgk.normalize import compiled_re
from xxgk.normalize.align import MIN_SCORE, assign
from xxgk.normalize.fields import FieldStore
from xxgk.normalize.labels import best_label, similarity
from xxgk.normalize.numbers import is_blank, parse_number, to_wanyuan
from xxgk.normalize.prose import stated_numbers
from xxgk.normalize.row_positions import TRUSTED_OCR, fit_layout
from xxgk.normalize.rows import LogicalRow, Slot, cell_text, data_rows, detached_notes, fit_slots
from xxgk.normalize.splits import splits
from xxgk.normalize.templates.base import NOTE_WORDS, Template
from xxgk.normalize.templates.layout_two import LayoutRow, proactive_layout


def _place_by_note(item, kept: list[Slot], notes: list[Slot]) -> Optional[list[Slot]]:
    """The row's slots with each detached number in the column its note names, or None if unsure."""
    width = len(item.fields)
    if len(kept) + len(notes) != width:
        return None
    at: dict[int, Slot] = {}
    for slot in notes:
        cols = [k for k, f in enumerate(item.fields) if any(w in slot.parsed.note for w in NOTE_WORDS.get(f, ()))]
        if len(cols) != 1 or cols[0] in at:
            return None
        at[cols[0]] = slot
    rest = iter(kept)
    return [at[k] if k in at else next(rest) for k in range(width)]


def read_proactive(rows: list[LogicalRow], template: Template, store: FieldStore, prose: Sequence[str] = ()) -> None:
    """Table 二; `prose` (section 一's text) may state numbers that decide a row whose cells ran together."""
    detached = detached_notes(rows)
    data = data_rows(rows)
    items = template.proactive
    # Unordered: extraction tools put table 二's blocks out of order, and its labels are all distinct.
    match = assign([best_label(r.labels, [it.labels for it in items]) for r in data], [it.labels for it in items])
    by_item = {j: data[i] for i, j in match.items()}
    placed = _placed_by_layout(rows, by_item, template) if len(by_item) < len(items) else {}
    for j, item in enumerate(items):
        paths = [f"proactive.{item.key}.{f}" for f in item.fields]
        row = by_item.get(j)
        if row is None and j in placed:
            _read_placed(store, placed[j], paths, item, [it.labels for it in items if it is not item])
            continue
        if row is None:
            for p in paths:
                store.set_null(p, "missing", f"table 二 has no row for {item.labels[0]}")
            continue
        if row.run is not None:
            _read_run_proactive(store, row.run, paths, item, prose)
            continue
        if id(row) in detached and fit_slots(row, len(paths)) is None:
            notes = detached[id(row)]
            slots = _place_by_note(item, row.numbers(), notes)
            raw = " | ".join(s.raw for s in row.numbers() + notes)
            if slots is None:
                for p in paths:
                    store.set_null(p, "unplaced", f"table 二 row 「{item.labels[0]}」 kept {len(row.numbers())} of "
                                   f"{len(paths)} numbers and a detached annotated cell whose note names no one "
                                   "column; table 二 has no sums to place it", raw)
                continue
            store.warn(f"proactive.{item.key}", "placed", f"table 二 row 「{item.labels[0]}」: "
                       + ", ".join(f"{s.raw!r} had wrapped onto a line of its own; its note names the column"
                                   for s in notes) + "; the other numbers kept their order", raw)
            for p, kind, slot in zip(paths, item.kinds, slots):
                _set_proactive(store, p, kind, slot, item.labels[0])
            continue
        slots = fit_slots(row, len(paths))
        if slots is None:
            nums = row.numbers()
            if len(nums) != len(paths):
                raw = " | ".join(s.raw for s in row.slots)
                for p in paths:
                    store.set_null(p, "unplaced", f"row {item.labels[0]} holds {len(nums)} numbers for "
                                   f"{len(paths)} columns and table 二 has no sums to place them", raw)
                continue
            slots = nums
        for p, kind, slot in zip(paths, item.kinds, slots):
            _set_proactive(store, p, kind, slot, item.labels[0])


def _placed_by_layout(rows: list[LogicalRow], by_item: dict[int, LogicalRow],
                      template: Template) -> dict[int, LogicalRow]:
    """Template row index → grid row for the rows whose labels were not recognised, when the grid
    prints the form's table 二 exactly (its section, column-header and data rows, each as wide as the
    template's) and every recognised row sits at its own place; else nothing."""
    layout = proactive_layout(template)
    grid = [r for r in rows if not all(is_blank(cell_text(c.text)) for c in r.cells)]
    at = {id(r): i for i, r in enumerate(grid)}
    data_at = {lr.item: k for k, lr in enumerate(layout) if lr.kind == "data"}
    if any(id(r) not in at for r in by_item.values()):
        return {}
    fit = fit_layout({at[id(r)]: data_at[j] for j, r in by_item.items()}, grid, layout)
    aliases = [it.labels for it in template.proactive]
    if fit is None or any(_names_other(grid[i], layout[k], aliases) for i, k in fit.items()):
        return {}
    return {layout[k].item: grid[i] for i, k in fit.items() if layout[k].kind == "data"}


_ARTICLE = compiled_re.compile(r"[（(]([一二三四五六七八九十])[）)]")


def _names_other(row: LogicalRow, want: LayoutRow, aliases: list[tuple[str, ...]]) -> bool:
    """Whether a label that does read names another row than the layout's here: 第二十条第（六）项 where
    （五） is printed, a row label read well enough but left over when the labels were matched, or any
    label from a text layer (only OCR leaves a label unreadable)."""
    texts = [cell_text(c.text) for c in row.cells if not is_blank(cell_text(c.text))]
    if want.kind == "section":
        m = _ARTICLE.search(texts[0]) if texts else None
        return m is not None and f"（{m.group(1)}）" != want.block
    if want.kind != "data" or not row.cells:
        return False
    if row.cells[0].method != "ocr" and not is_blank(cell_text(row.cells[0].text)):
        return True  # a text layer's label is legible: a row it names is not the template's
    scores = [similarity(cell_text(row.cells[0].text), a) for a in aliases]
    return max(scores) >= MIN_SCORE and max(scores) > scores[want.item]


PARTLY_LEGIBLE = 0.6  # a 100-dpi fax's 「行政规苞性之件」 is 0.71 like 行政规范性文件 and < 0.35 like any other row


def _label_agrees(printed: str, item, others: list[tuple[str, ...]]) -> bool:
    """An unrecognised label that still reads most like the row at its place (5 of 7 characters right)."""
    own = similarity(printed, item.labels)
    return own >= PARTLY_LEGIBLE and all(similarity(printed, a) < own for a in others)


def _read_placed(store: FieldStore, row: LogicalRow, paths: list[str], item, others: list[tuple[str, ...]]) -> None:
    """A row taken as the template row at its place: its value cells in column order, a warning on
    each field; with no sums to confirm them, an unsure OCR read is kept only where the misread label
    still reads most like this row (`others`: the other rows' labels)."""
    label, printed = item.labels[0], cell_text(row.cells[0].text).strip()
    agrees = _label_agrees(printed, item, others)
    why = (f"row label 「{printed}」 not recognised; taken as 「{label}」 from its place: table 二's rows "
           "fit the template's blocks, column headers and row widths exactly, and every recognised row "
           "sits at its own place" + ("; the misread label reads most like it" if agrees else ""))
    for path, kind, cell in zip(paths, item.kinds, row.cells[1:]):
        raw = cell_text(cell.text)
        slot = Slot(cell.text, parse_number(raw), cell)
        if slot.parsed is None and not is_blank(raw):
            store.set_null(path, "unreadable", f"{label}: {raw!r} does not read as a number", cell.text)
        elif slot.parsed is not None and cell.method == "ocr" and (cell.confidence or 0.0) < TRUSTED_OCR \
                and not agrees:
            store.set_null(path, "low_confidence", f"{label}: OCR read {raw!r} at confidence "
                           f"{cell.confidence or 0.0:.2f}; the row's label is unreadable too and table 二 has "
                           "no sums to confirm it, so it is not used", cell.text)
        else:
            _set_proactive(store, path, kind, slot, label)
        store.warn(path, "label_by_position", why, printed)


def _read_run_proactive(store: FieldStore, raw: str, paths: list[str], item, prose: Sequence[str] = ()) -> None:
    """A table 二 row whose cells ran together: split only where one split is possible (no sums here)."""
    label = item.labels[0]
    if len(paths) == 1:
        p = parse_number(raw)
        if p is None:
            store.set_null(paths[0], "unreadable", f"{label}: {raw!r} does not read as a number", raw)
        else:
            _set_proactive(store, paths[0], item.kinds[0], Slot(raw, p), label)
        return
    found = splits(raw, item.kinds)
    stated = stated_numbers(list(prose), item.labels, [NOTE_WORDS.get(f, ()) for f in item.fields]) if found else {}
    agreeing = [v for v in found or [] if stated and all(v[k] == n for k, n in stated.items())]
    if found and len(found) > 1 and len(agreeing) == 1:
        said = ", ".join(f"{item.fields[k]} {n}" for k, n in sorted(stated.items()))
        for path, value in zip(paths, agreeing[0]):
            store.set_inferred(path, value, f"table 二 row 「{label}」 ran its cells together as {raw!r}; of its "
                               f"{len(found)} splits only {list(agreeing[0])} agrees with what section 一 states "
                               f"({said})", raw)
        return
    if found is not None and len(found) == 1:
        for path, value in zip(paths, found[0]):
            store.set_inferred(path, value, f"table 二 row 「{label}」 ran its cells together as {raw!r}; the only "
                               f"split into {len(paths)} numbers without leading zeros is {list(found[0])}", raw)
        return
    why = "more than 200" if found is None else str(len(found)) if found else "no"
    for path in paths:
        store.set_null(path, "unsplit", f"table 二 row 「{label}」 ran its cells together as {raw!r}: {why} splits "
                       f"into {len(paths)} numbers fit and table 二 has no sums to decide", raw)


def _set_proactive(store: FieldStore, path: str, kind: str, slot: Slot, label: str) -> None:
    if slot.parsed is None:
        store.set_null(path, "blank", f"{label}: the cell is blank", slot.raw)
        return
    value = slot.parsed.value
    if kind.startswith("money"):
        value = to_wanyuan(slot.parsed)
        if kind == "money_unstated" and slot.parsed.unit is None and value != 0:
            store.warn(path, "unit_not_stated", f"{label}: amount written without a unit; kept as written "
                       "(the header states none)", slot.raw)
    elif kind == "count" and value < 0:
        # A count cannot be negative (the schema says minimum 0): null with the raw text, never a wrong number.
        store.set_from_slot(path, None, slot)
        store.set_null(path, "negative", f"{label}: a count written as negative ({slot.raw}); left null", slot.raw)
        return
    store.set_from_slot(path, value, slot)
