"""Read tables 二, 三 and 四 from logical rows into fields, with the solver filling gaps."""
from __future__ import annotations

import itertools
from functools import lru_cache
from typing import Optional

from xxgk.normalize.align import MIN_SCORE, align, fill_gaps
from xxgk.normalize.fields import FieldStore
from xxgk.normalize.labels import best_label, normalize_label, top_score
from xxgk.normalize.rows import LogicalRow, Slot, data_rows, detached_notes, fit_slots, pair_label_block, value_block
from xxgk.normalize.row_positions import (TRUSTED_OCR, column_slots, fit_between_anchors, fit_by_position,
                                         value_columns)
from xxgk.normalize.rules import Rule, application_rules, review_rules
from xxgk.normalize.solver import ShortRow, solve
from xxgk.normalize.splits import splits
from xxgk.normalize.table_two import read_proactive  # noqa: F401  (the readers of 二, 三 and 四 in one place)
from xxgk.normalize.templates.base import (APPLICANT_HEADER_WORDS, APPLICANT_KEYS, REVIEW_GROUPS,
                                           REVIEW_OUTCOMES, Template)

COLUMN_NAMES = dict(zip(APPLICANT_KEYS, ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")))


_HEADER_CHARS = set("".join(APPLICANT_HEADER_WORDS))


@lru_cache(maxsize=65536)
def _is_header_fragment(text: str) -> bool:
    """Pieces of the applicant header wrapped into a row (商业企科研机社会公法律服), not its label."""
    t = normalize_label(text)
    return bool(t) and set(t) <= _HEADER_CHARS and t not in ("总计", "其他")


def _label(row: LogicalRow, aliases=()) -> str:
    labels = [t for t in row.labels if not _is_header_fragment(t)]
    return best_label(labels, aliases)


APPLICATION_SUM = ((6, (0, 1, 2, 3, 4, 5)),)
REVIEW_SUMS = tuple((5 * g + 4, tuple(range(5 * g, 5 * g + 4))) for g in range(3))


def _row_view(row: LogicalRow, width: int, aliases=()) -> tuple[str, Optional[list[Slot]]]:
    """The row's label and its `width` value slots at their columns (None: place by count)."""
    fitted = fit_slots(row, width)
    if fitted is not None:
        return _label(row, aliases), fitted
    block = value_block(row, width)
    if block is not None:
        labels, slots = block
        return best_label(labels, aliases), slots
    return _label(row, aliases), None


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
                and (slots[f].cell.confidence or 0.0) < TRUSTED_OCR}
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
    aliases = tuple(t.labels for t in template.results)
    rows = pair_label_block(rows, lambda r: len(r.labels) <= 2 and top_score(_label(r, aliases), aliases) >= MIN_SCORE)
    detached = detached_notes(rows)
    fragments = {id(s) for slots in detached.values() for s in slots}
    data = [r for r in data_rows(rows) if not (r.slots and all(id(s) in fragments for s in r.slots))]
    views = [_row_view(r, 7, aliases) for r in data]
    tmpl = list(template.results)
    match = align([v[0] for v in views], [t.labels for t in tmpl])
    fit = fit_by_position(match, data, template)
    positioned: dict[str, int] = {}
    if fit is not None and fit[1]:
        # The grid's rows fit one form of the template exactly: unread labels by their place.
        seq, added = fit
        cols = value_columns(data, 7)
        for i, j in added.items():
            if views[i][1] is None:
                views[i] = (views[i][0], column_slots(data[i], cols))
            positioned[tmpl[j].path] = i
        match.update(added)
        tail: dict[int, int] = {}
        row_of = {tmpl[j].path: i for i, j in match.items()}
        active = [tmpl[j].path for j in seq]
    else:
        # Unread labels between two recognised rows as far apart as in the template: by their place,
        # refereed by the sums like the rows above.
        by_position = fill_gaps(match, len(data))
        for i, j in by_position.items():
            positioned[tmpl[j].path] = i
        match.update(by_position)
        tail = _unlabelled_tail(match, data, tmpl)
        match.update(tail)
        around_six = fit_between_anchors(match, template)
        if around_six is not None:
            # The count of rows between (五) and （七） says which form of （六） the source printed.
            for i, j in around_six[1].items():
                positioned[tmpl[j].path] = i
            match.update(around_six[1])
        row_of = {tmpl[j].path: i for i, j in match.items()}
        active = ([tmpl[j].path for j in around_six[0]] if around_six is not None
                  else _active_result_rows(template, set(row_of)))
    leaves = [p for p in active if next(t for t in tmpl if t.path == p).leaf]
    rules = application_rules(active, leaves)

    values: dict[str, Optional[float]] = {}
    slots: dict[str, Slot] = {}
    short: list[ShortRow] = []
    runs: dict[str, tuple[str, str, str]] = {}
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
        if row.run is not None:
            short.append(ShortRow(path, fields, [], candidates=splits(row.run, ["count"] * 7, APPLICATION_SUM) or []))
            runs[path] = (row.run, f"ran its cells together as {row.run!r}", "split into 7 numbers (no leading zeros)")
            continue
        if id(row) in detached and fitted is None and len(row.numbers()) + len(detached[id(row)]) == 7:
            kept, notes = row.numbers(), detached[id(row)]
            raw = " | ".join(s.raw for s in kept + notes)
            short.append(ShortRow(path, fields, [], candidates=_insertions([s.value for s in kept],
                                                                           [s.value for s in notes])))
            runs[path] = (raw, f"kept {len(kept)} numbers and had {len(notes)} annotated cell(s) wrapped onto a "
                          f"line of their own ({raw})", "placement of the detached cell(s)")
            continue
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

    _referee_tail(store, {tmpl[j].path for j in tail.values()}, values, slots, rules)
    distrusted, rejected = _referee_positions(store, positioned, data, values, slots, rules, short, label_of)
    distrusted.update(_distrust_ocr(values, slots, rules, short))
    for f in distrusted:
        values[f] = None
    sol = solve(values, rules, short)
    for f in rejected:
        # Not read from the row whose place the sums refute; pinned only by the recognised rows.
        store.warn(f, "label_by_position", rejected[f], slots.pop(f).raw if f in slots else None)
    _store_solution(store, sol, values, slots, short, label_of, "三", distrusted, runs)
    fill_absent(store, template)
    return rules


def _referee_positions(store: FieldStore, positioned: dict[str, int], data: list[LogicalRow], values: dict,
                       slots: dict, rules: list[Rule], short: list[ShortRow],
                       label_of: dict) -> tuple[dict[str, Slot], dict[str, str]]:
    """Rows placed by position keep their numbers only if every sum of the template holds.

    Unsure OCR reads in a broken sum are set aside first (a fax scan turns 0 into 9); the sums
    must then hold with every column's （七）总计 and balance checkable. Otherwise the placed rows
    are null. Returns the reads set aside, for the solver's values to replace, and the fields of
    rows whose place the sums refute (with why), to be null.
    """
    if not positioned:
        return {}, {}
    def broken(rule: Rule, vals: dict) -> bool:
        got = [vals.get(f) for f in rule.fields]
        return None not in got and abs(sum(c * v for (_, c), v in zip(rule.terms, got))) > 1e-9

    suspects = {f for r in rules if broken(r, values) for f in r.fields
                if f in slots and slots[f].cell is not None and slots[f].cell.method == "ocr"
                and (slots[f].cell.confidence or 0.0) < TRUSTED_OCR}
    trial = {f: (None if f in suspects else v) for f, v in values.items()}
    sol = solve(trial, rules, short)
    checked = all(sol.values.get(f) is not None for r in rules
                  if r.rule in ("applications.results_total", "applications.balance") for f in r.fields)
    if not sol.broken and not sol.unplaced and checked:
        for p, i in sorted(positioned.items()):
            store.warn(f"applications.{p}", "label_by_position",
                       f"row label 「{data[i].text}」 not recognised; taken as 「{label_of[p]}」 from its place: the "
                       "rows around it fit the template's row order and every sum holds", data[i].text)
        out = {}
        for f in suspects:
            if sol.values.get(f) != values[f]:
                out[f] = slots[f]
                values[f] = None
        return out, {}
    why = ("row label unreadable; its place fits the template's row order but the template's sums "
           f"{'break' if sol.broken else 'cannot confirm'} it, so its numbers are not used")
    fields = {f for p in positioned for f in values if f.startswith(f"applications.{p}.")}
    short[:] = [r for r in short if r.key not in positioned]
    for f in fields:
        values[f] = None
    return {}, {f: why for f in sorted(fields)}


def _unlabelled_tail(match: dict[int, int], data: list[LogicalRow], tmpl) -> dict[int, int]:
    """Value rows without labels after the last recognised row, as many as the template's last rows
    (（七）总计, 结转下年度): paired by position, for the sums to confirm (PDF-to-markdown tools leave
    them under a header left over from an earlier block, which says nothing true about them)."""
    if not match:
        return {}
    last_i, last_j = max(match.items())
    rest = data[last_i + 1:]
    n = len(rest)
    if not 1 <= n <= 2 or any(r.labels or r.run or len(r.numbers()) != 7 for r in rest) or last_j >= len(tmpl) - n:
        return {}
    return {last_i + 1 + k: len(tmpl) - n + k for k in range(n)}


def _referee_tail(store: FieldStore, paths: set[str], values: dict, slots: dict, rules: list[Rule]) -> None:
    """Rows placed by position keep their numbers only if every sum they take part in holds."""
    if not paths:
        return
    fields = {f for f in values if f.rsplit(".", 1)[0][len("applications."):] in paths}
    # A row's own total says nothing of its place, and 一+二=（七）+四 reads the same with the two swapped:
    # only （七）总计 = the sum of the results rows tells 总计 from 结转.
    checked = [r for r in rules if set(r.fields) & fields and r.rule != "applications.row_total"
               and all(values.get(f) is not None for f in r.fields)]
    broken = [r for r in checked if abs(sum(c * values[f] for f, c in r.terms)) > 1e-9]
    deciding = "results.total" not in paths or any(r.rule == "applications.results_total" for r in checked)
    if broken or not checked or not deciding:
        for f in sorted(fields):
            raw = slots.pop(f).raw if f in slots else None
            values[f] = None
            store.warn(f, "label_by_position", "a row without its label after the last recognised row; the "
                       f"template's sums {'break' if broken else 'cannot confirm'} its place, so it is not used", raw)
    else:
        for p in sorted(paths):
            store.warn(f"applications.{p}", "label_by_position", "a row without its label after the last "
                       "recognised row, under a header that contradicts the template; taken as this row because "
                       f"every sum it takes part in ({len(checked)}) holds", None)


def template_fields(template: Template, other_handling: bool) -> list[str]:
    """Every field id of tables 二 and 三 in this form; （六） as one row or as three."""
    out = [f"proactive.{it.key}.{f}" for it in template.proactive for f in it.fields]
    replaced = {p for r in template.results for p in r.alternative_to}
    for row in template.results:
        if (row.alternative_to and not other_handling) or (row.path in replaced and other_handling):
            continue
        out += [f"applications.{row.path}.{c}" for c in APPLICANT_KEYS]
    return out


def fill_absent(store: FieldStore, template: Template) -> None:
    """Never a field missing from the JSON: any field no reader set is null with a warning."""
    other_handling = any(k.startswith("applications.results.other_handling.") for k in store.values)
    for f in template_fields(template, other_handling):
        if f not in store.values:
            store.set_null(f, "missing", "not found in the source (its table or row was not read)")


def _store_solution(store: FieldStore, sol, values, slots, short, label_of, table: str,
                    distrusted: dict[str, Slot] | None = None,
                    runs: dict[str, tuple[str, str, str]] | None = None) -> None:
    placed_slot: dict[str, Slot] = {}
    runs = runs or {}
    run_of = {f: r for r in short if r.key in runs for f in r.fields}
    for row in short:
        if row.key in runs:
            continue
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
        if f in run_of:
            _store_run_field(store, f, v, run_of[f], runs[run_of[f].key], sol, label_of, table)
        elif f in slots and values.get(f) is not None:
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


def _insertions(kept: list, notes: list) -> list[tuple]:
    """Every row the kept numbers (in order) and the detached ones (anywhere) can make."""
    width = len(kept) + len(notes)
    out = []
    for cols in itertools.permutations(range(width), len(notes)):
        at = dict(zip(cols, notes))
        rest = iter(kept)
        out.append(tuple(at[k] if k in at else next(rest) for k in range(width)))
    return list(dict.fromkeys(out))


def _store_run_field(store: FieldStore, f: str, v, row: ShortRow, run: tuple[str, str, str], sol, label_of,
                     table: str) -> None:
    raw, what, choice = run
    label = label_of.get(row.key, row.key)
    if row.key in sol.placed:
        store.set_inferred(f, v, f"table {table} row 「{label}」 {what}; the only {choice} that fits the "
                           "template's sums was used", raw)
    elif v is not None:
        store.set_inferred(f, v, f"table {table} row 「{label}」 {what}, undecidable as a whole; the template's "
                           f"sums pin this cell to {v}", raw)
    else:
        n = sol.ambiguous_placements.get(row.key, 0)
        store.set_null(f, "unsplit", f"table {table} row 「{label}」 {what}: {'no' if n == 0 else n} "
                       f"{choice}s fit the template's sums", raw)


# ---------------------------------------------------------------- table 四

def read_reviews(rows: list[LogicalRow], store: FieldStore) -> list[Rule]:
    fields = [f"reviews_and_lawsuits.{g}.{o}" for g, _ in REVIEW_GROUPS for o in REVIEW_OUTCOMES]
    rules = review_rules()
    data = data_rows(rows)
    values: dict[str, Optional[float]] = {f: None for f in fields}
    slots: dict[str, Slot] = {}
    short: list[ShortRow] = []
    label_of = {"reviews": "行政复议、行政诉讼"}
    runs: dict[str, tuple[str, str, str]] = {}
    fitted = next((s for s in (_row_view(r, 15)[1] for r in data) if s is not None), None)
    run_rows = [r for r in data if r.run is not None and not r.labels]
    if fitted is None and run_rows and not any(r.numbers() for r in data):
        raw = " ".join(r.run for r in run_rows)
        runs["reviews"] = (raw, f"ran its 15 cells together as {raw!r}", "split into 15 numbers (no leading zeros)")
        short.append(ShortRow("reviews", fields, [], candidates=splits(raw, ["count"] * 15, REVIEW_SUMS) or []))
    elif fitted is None:
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
    _store_solution(store, sol, values, slots, short, label_of, "四", distrusted, runs)
    for f in fields:
        if f not in store.values:
            store.set_null(f, "missing", "not found in the source (table 四 was not read)")
    return rules
