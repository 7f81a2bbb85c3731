"""Fill values the source does not give, only where the template's sums pin them.

Counts are integers >= 0. Bounds propagation over the rules is sound: every value it
fixes is forced by the rules; where it cannot decide, the value stays unknown (null).
Rules the source itself breaks are set aside before anything is inferred.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Optional, Sequence

from xxgk.normalize.rules import Rule

Value = Optional[float]
MAX_COMBINATIONS = 5000


class Contradiction(Exception):
    def __init__(self, rule: Rule):
        self.rule = rule


def _interval(coef: int, lo: float, hi: float) -> tuple[float, float]:
    return (lo, hi) if coef > 0 else (-hi, -lo)


def propagate(values: dict[str, Value], rules: Sequence[Rule]) -> dict[str, Value]:
    """Values pinned by the rules (knowns included); raises Contradiction."""
    lo = {k: (v if v is not None else 0.0) for k, v in values.items()}
    hi = {k: (v if v is not None else math.inf) for k, v in values.items()}
    # A rule whose fields kept their bounds since its last look would only repeat it: skipped.
    # Every pass still looks at the rules in order, so what is pinned, and which rule breaks, is unchanged.
    changed_at = dict.fromkeys(values, 0)  # field → step of its last narrowing
    looked_at: list[int] = [-1] * len(rules)  # rule → step its last look began
    step = 0
    for _ in range(100):
        changed = False
        for r, rule in enumerate(rules):
            terms = rule.terms
            seen = looked_at[r]
            if seen >= 0 and all(changed_at[f] < seen for f, _ in terms):
                continue
            step += 1
            looked_at[r] = step
            spans = [_interval(c, lo[f], hi[f]) for f, c in terms]
            total_lo = sum(s[0] for s in spans)
            total_hi = sum(s[1] for s in spans)
            if total_lo > 1e-9 or total_hi < -1e-9:
                raise Contradiction(rule)
            for k, ((f, c), _) in enumerate(zip(terms, spans)):
                if lo[f] == hi[f]:
                    continue
                # c*x = -(sum of the others): bound the others' range, then divide by c.
                rest_lo = sum(s[0] for i, s in enumerate(spans) if i != k)
                rest_hi = sum(s[1] for i, s in enumerate(spans) if i != k)
                new_lo, new_hi = (-rest_hi, -rest_lo) if c > 0 else (rest_lo, rest_hi)
                new_lo = max(lo[f], math.ceil(new_lo - 1e-9) if new_lo != -math.inf else lo[f])
                new_hi = min(hi[f], math.floor(new_hi + 1e-9) if new_hi != math.inf else hi[f])
                if new_lo > new_hi:
                    raise Contradiction(rule)
                if (new_lo, new_hi) != (lo[f], hi[f]):
                    lo[f], hi[f] = new_lo, new_hi
                    changed_at[f] = step
                    changed = True
        if not changed:
            break
    return {k: (lo[k] if lo[k] == hi[k] else None) for k in values}


def _as_number(v: float):
    return int(v) if float(v).is_integer() else v


@dataclass
class ShortRow:
    """A flattened row that kept fewer numbers than it has fields."""

    key: str
    fields: list[str]
    numbers: list[float]
    # Whole value vectors the row may hold (cells run together), instead of numbers to place.
    candidates: Optional[list[tuple]] = None


@dataclass
class Solution:
    values: dict[str, Value]
    inferred: set[str] = field(default_factory=set)
    # key → field of each of its numbers, for rows placed because only one placement fits
    placed: dict[str, list[str]] = field(default_factory=dict)
    unplaced: list[str] = field(default_factory=list)
    broken: list[Rule] = field(default_factory=list)
    ambiguous_placements: dict[str, int] = field(default_factory=dict)


def _broken_rules(values: dict[str, Value], rules: Sequence[Rule], pending: set[str]) -> list[Rule]:
    out = []
    for r in rules:
        if any(f in pending or values.get(f) is None for f, _ in r.terms):
            continue
        if abs(sum(c * values[f] for f, c in r.terms)) > 1e-9:
            out.append(r)
    return out


def _placements(row: ShortRow, rules: Sequence[Rule]) -> list[tuple[tuple[Value, ...], tuple[str, ...]]]:
    """Distinct value vectors of the row over every in-order placement its own rules allow."""
    local = [r for r in rules if all(f in row.fields for f in r.fields)]
    seen: dict[tuple, tuple[str, ...]] = {}
    if row.candidates is not None:
        for vec in row.candidates:
            try:
                propagate(dict(zip(row.fields, vec)), local)
            except Contradiction:
                continue
            seen.setdefault(tuple(vec), tuple(row.fields))
        return list(seen.items())
    for pos in itertools.combinations(range(len(row.fields)), len(row.numbers)):
        vals: dict[str, Value] = {f: None for f in row.fields}
        for p, n in zip(pos, row.numbers):
            vals[row.fields[p]] = n
        try:
            solved = propagate(vals, local)
        except Contradiction:
            continue
        vec = tuple(solved[f] for f in row.fields)
        seen.setdefault(vec, tuple(row.fields[p] for p in pos))
    return list(seen.items())


def _narrow(base: dict[str, Value], rows: Sequence[ShortRow], options: list[list], rules: Sequence[Rule]) -> list[list]:
    """Drop each row's options that contradict the values and the rows that have one option left.

    Sound (an option that contradicts forced values is impossible) and what keeps the product of
    options small when many rows are in doubt (a whole table whose cells ran together).
    """
    options = [list(o) for o in options]
    for _ in range(len(rows)):
        fixed = dict(base)
        for row, opts in zip(rows, options):
            if len(opts) == 1:
                fixed.update(zip(row.fields, opts[0][0]))
        try:
            propagate(fixed, rules)
        except Contradiction:
            return options  # the single options clash: the product step reports it
        changed = False
        for k, (row, opts) in enumerate(zip(rows, options)):
            if len(opts) < 2:
                continue
            keep = []
            for opt in opts:
                trial = dict(fixed)
                trial.update(zip(row.fields, opt[0]))
                try:
                    propagate(trial, rules)
                    keep.append(opt)
                except Contradiction:
                    pass
            if len(keep) < len(opts) and keep:
                options[k], changed = keep, True
        if not changed:
            break
    return options


def _propagate_dropping(values: dict[str, Value], rules: list[Rule]) -> tuple[dict[str, Value], list[Rule]]:
    """Propagate, setting aside any rule that turns out contradictory, until none does."""
    active, dropped = list(rules), []
    while True:
        try:
            return propagate(values, active), dropped
        except Contradiction as e:
            active.remove(e.rule)
            dropped.append(e.rule)


def solve(values: dict[str, Value], rules: Sequence[Rule], short_rows: Sequence[ShortRow] = ()) -> Solution:
    pending = {f for r in short_rows for f in r.fields}
    broken = _broken_rules(values, rules, pending)
    active = [r for r in rules if r not in broken]
    base = dict(values)
    sol = Solution(values={})

    accepted: dict[str, tuple[Value, ...]] = {}
    if short_rows:
        options = _narrow(base, short_rows, [_placements(r, active) for r in short_rows], active)
        combos = math.prod(len(o) for o in options)
        consistent: list[tuple] = []
        if 0 < combos <= MAX_COMBINATIONS:
            for combo in itertools.product(*options):
                trial = dict(base)
                for row, (vec, _) in zip(short_rows, combo):
                    trial.update(zip(row.fields, vec))
                try:
                    propagate(trial, active)
                except Contradiction:
                    continue
                consistent.append(combo)
        for k, row in enumerate(short_rows):
            choices = {c[k][0] for c in consistent}
            if len(choices) == 1:
                vec = next(iter(choices))
                accepted[row.key] = vec
                sol.placed[row.key] = list(next(c[k][1] for c in consistent))
            else:
                sol.unplaced.append(row.key)
                sol.ambiguous_placements[row.key] = len(choices)
        for row in short_rows:
            vec = accepted.get(row.key, (None,) * len(row.fields))
            base.update(zip(row.fields, vec))

    solved, dropped = _propagate_dropping(base, active)
    sol.broken = broken + dropped
    for f, v in solved.items():
        sol.values[f] = None if v is None else _as_number(v)
        if values.get(f) is None and v is not None:
            placed_number = any(f in sol.placed.get(r.key, []) for r in short_rows)
            if not placed_number:
                sol.inferred.add(f)
    return sol
