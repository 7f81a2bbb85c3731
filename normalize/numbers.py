"""Numbers as agencies write them: full-width digits, noise marks, dashes for zero, units, 增/减."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Optional

from xxgk.normalize import compiled_re
from xxgk.normalize.memo import short_text_cache

ZERO_WORDS = {"—", "-", "/", "无", "－", "–", "——", "--", "∕", "／", "0"}
# Marks that encoding noise or OCR leaves around digits: `??0`, `0?`, `0 `.
_NOISE = compiled_re.compile(r"[?？�\s\u3000\u00a0,，'`]+")
_NUMBER = compiled_re.compile(r"^(?P<sign>[+\-−－增减]?)(?P<num>\d+(?:\.\d+)?)(?P<unit>万元|元|万)?$")


@dataclass(frozen=True)
class Parsed:
    value: float | int
    unit: Optional[str] = None  # "万元", "元" when the cell states one
    zero_word: bool = False  # written as —, /, 无 …
    note: Optional[str] = None  # an annotation beside the number: 22（其中修订 16 件）


# A number, then a note in brackets: 22（其中修订 16 件）, 55（含自然失效 29 件）, 3（含上年度结转）.
_ANNOTATED = compiled_re.compile(r"^\s*(?P<num>[^()（）]*?\d[^()（）]*?)\s*[(（](?P<note>[^()（）]*[\u4e00-\u9fff][^()（）]*)[)）]\s*$")


# A report's cells are read several times, and the same cells recur report after report: short
# texts are read once (Parsed is frozen, so sharing one is safe).
_CELL_LEN = 64


@short_text_cache(max_len=_CELL_LEN, maxsize=65536)
def parse_number(raw: Optional[str]) -> Optional[Parsed]:
    """A cell's number, or None when the cell is not a number (a label, or blank).

    Signs are kept (`-35`, `减4`, `增3`): the caller decides whether a sign is plausible. A note in
    brackets after the number is kept apart (`note`); the number is the cell's value."""
    m = _ANNOTATED.match(unicodedata.normalize("NFKC", raw or ""))
    if m:
        base = _parse_plain(m.group("num"))
        if base is None:
            return None
        note = m.group("note").strip()
        if note in ("万元", "元", "单位:万元", "单位:元"):
            return Parsed(base.value, unit="万元" if note.endswith("万元") else "元")
        return Parsed(base.value, unit=base.unit, zero_word=base.zero_word, note=note)
    return _parse_plain(raw)


def _parse_plain(raw: str) -> Optional[Parsed]:
    t = unicodedata.normalize("NFKC", raw or "")
    t = _NOISE.sub("", t)
    if not t:
        return None
    if t in ZERO_WORDS or t.strip("-—–－") == "" and t:
        return Parsed(0, zero_word=t != "0")
    m = _NUMBER.match(t.replace("−", "-"))
    if not m:
        return None
    sign, num, unit = m.group("sign"), m.group("num"), m.group("unit")
    if unit == "万":
        unit = "万元"
    value: float | int = float(num) if "." in num else int(num)
    if sign in ("-", "减"):
        value = -value
    return Parsed(value, unit=unit)


@short_text_cache(max_len=_CELL_LEN, maxsize=65536)
def is_blank(raw: Optional[str]) -> bool:
    return _NOISE.sub("", unicodedata.normalize("NFKC", raw or "")) == ""


def to_wanyuan(p: Parsed) -> float | int:
    """Money in 万元: a stated 元 is divided by 10 000; 万元 and bare numbers stay."""
    if p.unit == "元":
        v = p.value / 10000
        return int(v) if float(v).is_integer() else round(v, 6)
    return p.value
