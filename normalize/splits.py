"""Cells run together (`规范性文件898989`): every way a row's digit string splits into its cells.

A number in a report never has a leading zero (0 itself aside), a count has no decimal point and
whitespace the scraper kept is a cell boundary; the template's sums then prune the rest. The
caller uses a split only when exactly one is left.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Optional, Sequence

from xxgk.normalize import compiled_re

MAX_SPLITS = 200  # more than this: undecidable anyway, stop enumerating
_CELL = {
    "count": compiled_re.compile(r"0|[1-9]\d{0,6}"),
    "change": compiled_re.compile(r"[-+]?(?:0|[1-9]\d{0,6})"),
    "money": compiled_re.compile(r"(?:0|[1-9]\d{0,8})(?:\.\d{1,6})?"),
}
_ZERO_MARKS = compiled_re.compile(r"[—－–/／无]+")
RUN = compiled_re.compile(r"^[\d\s.+\-—－–/／无\u3000\u00a0]*\d[\d\s.+\-—－–/／无\u3000\u00a0]*$")

Sum = tuple[int, tuple[int, ...]]  # (index of the total, indices of its parts)


def tokens(raw: str) -> list[str]:
    """Groups of characters no cell may cross: whitespace cuts, a zero mark (—, /, 无) is one cell."""
    t = unicodedata.normalize("NFKC", raw or "").replace("\u3000", " ").replace("\u00a0", " ")
    out: list[str] = []
    for part in t.split():
        pos = 0
        for m in _ZERO_MARKS.finditer(part):
            if m.start() > pos:
                out.append(part[pos:m.start()])
            out.extend("—" for _ in m.group())
            pos = m.end()
        if pos < len(part):
            out.append(part[pos:])
    return out


def _value(text: str):
    if text == "—":
        return 0
    return float(text) if "." in text else int(text)


def _kind(kind: str) -> re.Pattern:
    return _CELL["money" if kind.startswith("money") else kind if kind in _CELL else "count"]


def splits(raw: str, kinds: Sequence[str], sums: Sequence[Sum] = ()) -> Optional[list[tuple]]:
    """Every value vector `raw` can be cut into (one cell per kind) that keeps `sums`; None if too many."""
    toks = tokens(raw)
    width = len(kinds)
    patterns = [_kind(k) for k in kinds]
    checks: dict[int, list[Sum]] = {}
    for total, parts in sums:
        checks.setdefault(max((total,) + tuple(parts)), []).append((total, parts))
    out: list[tuple] = []

    def ok(prefix: list) -> bool:
        for total, parts in checks.get(len(prefix) - 1, ()):
            if abs(prefix[total] - sum(prefix[p] for p in parts)) > 1e-9:
                return False
        return True

    def walk(t: int, pos: int, prefix: list) -> bool:
        if len(out) > MAX_SPLITS:
            return False
        if t == len(toks):
            if len(prefix) == width:
                out.append(tuple(prefix))
            return True
        if len(prefix) == width:
            return True
        tok = toks[t]
        if tok == "—":
            prefix.append(0)
            if ok(prefix):
                walk(t + 1, 0, prefix)
            prefix.pop()
            return True
        for end in range(pos + 1, len(tok) + 1):
            piece = tok[pos:end]
            if not patterns[len(prefix)].fullmatch(piece):
                continue
            prefix.append(_value(piece))
            if ok(prefix):
                if end == len(tok):
                    walk(t + 1, 0, prefix)
                else:
                    walk(t, end, prefix)
            prefix.pop()
        return True

    walk(0, 0, [])
    if len(out) > MAX_SPLITS:
        return None
    return list(dict.fromkeys(out))


def is_run(text: str) -> bool:
    return bool(RUN.match(unicodedata.normalize("NFKC", text or "")))
