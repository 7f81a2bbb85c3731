"""Read tables 二, 三 and 四 from logical rows into fields, with the solver filling gaps."""
from __future__ import annotations

from typing import Optional

from xxgk.normalize.align import align, fill_gaps
from xxgk.normalize.fields import FieldStore
from xxgk.normalize.numbers import to_wanyuan
from xxgk.normalize.rows import LogicalRow, Slot, value_block
from xxgk.normalize.rules import Rule, application_rules, review_rules
from xxgk.normalize.solver import ShortRow, solve
from xxgk.normalize.templates.base import APPLICANT_KEYS, REVIEW_GROUPS, REVIEW_OUTCOMES, Template

COLUMN_NAMES = dict(zip(APPLICANT_KEYS, ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")))


def _data_rows(rows: list[LogicalRow]) -> list[LogicalRow]:
    return [r for r in rows if r.slots]


def _fit_slots(row: LogicalRow, width: int) -> Optional[list[Slot]]:
    """The row's slots at their columns, or None when positions cannot be trusted."""
    if not row.positional:
        return None
    slots = list(row.slots)
    while len(slots) > width and slots[-1].parsed is None:
        slots.pop()
    while len(slots) > width and slots[0].parsed is None:
        slots.pop(0)
    return slots if len(slots) == width else None


def _row_view(row: LogicalRow, width: int) -> tuple[str, Optional[list[Slot]]]:
    """The row's label and its `width` value slots at their columns (None: place by count)."""
    fitted = _fit_slots(row, width)
    if fitted is not None:
        return row.label, fitted
    block = value_block(row, width)
    if block is not None:
        labels, slots = block
        return (labels[-1] if labels else ""), slots
    return row.label, None



OCR_TRUSTED = 0.9


def _distrust_ocr(values: dict, slots: dict, rules: list[Rule], short: list[ShortRow]) -> dict[str, Slot]:
    """Unsure OCR reads that break a sum, when the sums alone then pin every one of them.

    Only when setting them aside leaves no rule broken: a source that contradicts itself keeps
    its numbers. Returns the reads to replace by the solver's values.
    """
    def broken(rule: Rule) -> bool:
        vals = [values.get(f) for f in rule.fields]
        return None not in vals and abs(sum(c * v for (_, c), v in zip(rule.terms, vals))) > 1e-9

    suspects = {f for r in rules if broken(r) for f in r.fields
                if f in slots and slots[f].cell is not None and slots[f].cell.method == "ocr"
                and (slots[f].cell.confidence or 0.0) < OCR_TRUSTED}
    if not suspects:
        return {}
    trial = {f: (None if f in suspects else v) for f, v in values.items()}
    sol = solve(trial, rules, short)
    if sol.broken or sol.unplaced or any(sol.values.get(f) is None for f in suspects):
        return {}
    # OCR loses digits (21 read as 2) rather than inventing them: anything else may be the
    # source's own inconsistency, which must stay visible.
    changed = {f for f in suspects if sol.values[f] != values[f]}
    if not all(_is_digit_loss(slots[f].raw, sol.values[f]) for f in changed):
        return {}
    return {f: slots[f] for f in changed}


def _is_digit_loss(raw: str, value) -> bool:
    read = "".join(ch for ch in raw if ch.isdigit())
    full = str(int(value)) if float(value).is_integer() else str(value)
    it = iter(full)
    return len(read) < len(full) and all(ch in it for ch in read)


# ---------------------------------------------------------------- table 二

def read_proactive(rows: list[LogicalRow], template: Template, store: FieldStore) -> None:
    data = _data_rows(rows)
    items = template.proactive
    match = align([r.label for r in data], [it.labels for it in items])
    by_item = {j: data[i] for i, j in match.items()}
    for j, item in enumerate(items):
        paths = [f"proactive.{item.key}.{f}" for f in item.fields]
        row = by_item.get(j)
        if row is None:
            for p in paths:
                store.set_null(p, "missing", f"table 二 has no row for {item.labels[0]}")
            continue
        slots = _fit_slots(row, len(paths))
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
        store.warn(path, "negative", f"{label}: a count written as negative; kept as written", slot.raw)
    store.set_from_slot(path, value, slot)


# ---------------------------------------------------------------- table 三

def _active_result_rows(template: Template, matched: set[str]) -> list[str]:
    """Row paths this report uses: （六） as one row or as three, whichever the source printed."""
    skip: set[str] = set()
    for row in template.results:
        if not row.alternative_to:
            continue
        if row.path in matched and not any(c in matched for c in row.alternative_to):
            skip |= set(row.alternative_to)
        else:
            skip.add(row.path)
    return [r.path for r in template.results if r.path not in skip]


def read_applications(rows: list[LogicalRow], template: Template, store: FieldStore) -> list[Rule]:
    data = _data_rows(rows)
    views = [_row_view(r, 7) for r in data]
    tmpl = list(template.results)
    match = align([v[0] for v in views], [t.labels for t in tmpl])
    by_position = fill_gaps(match, len(data))
    for i, j in by_position.items():
        store.warn(f"applications.{tmpl[j].path}", "label_by_position",
                   f"row label 「{data[i].text}」 not recognised; taken as 「{tmpl[j].labels[0]}」 from its place "
                   "between the rows around it", data[i].text)
    match.update(by_position)
    row_of = {tmpl[j].path: i for i, j in match.items()}
    active = _active_result_rows(template, set(row_of))
    leaves = [p for p in active if next(t for t in tmpl if t.path == p).leaf]
    rules = application_rules(active, leaves)

    values: dict[str, Optional[float]] = {}
    slots: dict[str, Slot] = {}
    short: list[ShortRow] = []
    label_of = {t.path: t.labels[0] for t in tmpl}
    for path in active:
        fields = [f"applications.{path}.{c}" for c in APPLICANT_KEYS]
        for f in fields:
            values[f] = None
        if path not in row_of:
            for f in fields:
                store.warn(f, "missing_row", f"table 三 has no row 「{label_of[path]}」")
            continue
        row, fitted = data[row_of[path]], views[row_of[path]][1]
        if fitted is not None:
            for f, s in zip(fields, fitted):
                values[f] = s.value
                slots[f] = s
            continue
        nums = row.numbers()
        if len(nums) == 7:
            for f, s in zip(fields, nums):
                values[f] = s.value
                slots[f] = s
        elif len(nums) < 7:
            short.append(ShortRow(path, fields, [s.value for s in nums]))
            for k, s in enumerate(nums):
                slots[f"#{path}#{k}"] = s
        else:
            raw = " | ".join(s.raw for s in nums)
            for f in fields:
                store.warn(f, "unplaced", f"row 「{label_of[path]}」 holds {len(nums)} numbers for 7 columns", raw)

    distrusted = _distrust_ocr(values, slots, rules, short)
    for f in distrusted:
        values[f] = None
    sol = solve(values, rules, short)
    _store_solution(store, sol, values, slots, short, label_of, "三", distrusted)
    return rules


def _store_solution(store: FieldStore, sol, values, slots, short, label_of, table: str,
                    distrusted: dict[str, Slot] | None = None) -> None:
    placed_slot: dict[str, Slot] = {}
    for row in short:
        if row.key in sol.placed:
            for k, f in enumerate(sol.placed[row.key]):
                placed_slot[f] = slots[f"#{row.key}#{k}"]
            store.warn(f"{row.fields[0].rsplit('.', 1)[0]}", "placed",
                       f"table {table} row 「{label_of[row.key]}」 kept {len(row.numbers)} of {len(row.fields)} numbers; "
                       "the only placement that fits the template's sums was used",
                       " | ".join(str(n) for n in row.numbers))
    unplaced = set(sol.unplaced)
    broken_note = ""
    if sol.broken:
        broken_note = " (sums the source breaks were not used)"
    for f, v in sol.values.items():
        if f in slots and values.get(f) is not None:
            store.set_from_slot(f, values[f], slots[f])
        elif f in placed_slot:
            store.set_from_slot(f, v, placed_slot[f])
        elif v is not None and distrusted and f in distrusted:
            cell = distrusted[f].cell
            store.set_inferred(f, v, f"OCR read {distrusted[f].raw!r} with confidence {cell.confidence:.2f}, which "
                               f"breaks the template's sums; the other cells pin it to {v}", distrusted[f].raw)
            store.provenance[f].update(page=cell.page, bbox=list(cell.bbox) if cell.bbox else None,
                                       confidence=cell.confidence)
        elif v is not None:
            raw = slots[f].raw if f in slots else None
            why = f"the cell reads {raw!r}, not a number" if raw and raw.strip() else "not given by the source"
            store.set_inferred(f, v, f"{why}; the template's sums pin it to {v}", raw)
        else:
            row_key = next((r.key for r in short if f in r.fields), None)
            if row_key in unplaced:
                n = sol.ambiguous_placements.get(row_key, 0)
                store.set_null(f, "unplaced", f"table {table} row 「{label_of[row_key]}」 lost numbers and "
                               f"{'no' if n == 0 else n} placements fit the sums{broken_note}",
                               " | ".join(str(x) for x in next(r.numbers for r in short if r.key == row_key)))
            else:
                raw = slots[f].raw if f in slots else None
                what = "unreadable" if raw and raw.strip() else "blank"
                store.set_null(f, what, f"{'the cell does not read as a number' if what == 'unreadable' else 'not given by the source'}"
                               f" and the sums do not pin it{broken_note}", raw)


# ---------------------------------------------------------------- table 四

def read_reviews(rows: list[LogicalRow], store: FieldStore) -> list[Rule]:
    fields = [f"reviews_and_lawsuits.{g}.{o}" for g, _ in REVIEW_GROUPS for o in REVIEW_OUTCOMES]
    rules = review_rules()
    data = _data_rows(rows)
    values: dict[str, Optional[float]] = {f: None for f in fields}
    slots: dict[str, Slot] = {}
    short: list[ShortRow] = []
    label_of = {"reviews": "行政复议、行政诉讼"}
    fitted = next((s for s in (_row_view(r, 15)[1] for r in data) if s is not None), None)
    if fitted is None:
        nums = [s for r in data for s in r.numbers()]
        if len(nums) == 15:
            fitted = nums
        elif 0 < len(nums) < 15:
            short.append(ShortRow("reviews", fields, [s.value for s in nums]))
            for k, s in enumerate(nums):
                slots[f"#reviews#{k}"] = s
        elif len(nums) > 15:
            raw = " | ".join(s.raw for s in nums)
            for f in fields:
                store.warn(f, "unplaced", f"table 四 holds {len(nums)} numbers for 15 columns", raw)
        else:
            for f in fields:
                store.warn(f, "missing_row", "table 四 has no numbers")
    if fitted is not None:
        for f, s in zip(fields, fitted):
            values[f] = s.value
            slots[f] = s
    distrusted = _distrust_ocr(values, slots, rules, short)
    for f in distrusted:
        values[f] = None
    sol = solve(values, rules, short)
    _store_solution(store, sol, values, slots, short, label_of, "四", distrusted)
    return rules
