"""Label normalisation and fuzzy matching against template labels."""
from __future__ import annotations

import re
import sys
import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Optional, Sequence

from xxgk.normalize import compiled_re
from xxgk.normalize.cache import StoredTable
from xxgk.normalize.memo import short_text_cache

# OCR and typesetting confusions seen in real reports, folded before comparing.
_FOLD = str.maketrans({"《": "(", "〈": "(", "》": ")", "〉": ")", "【": "(", "】": ")",
                       "“": "", "”": "", "\"": "", "'": "", "‘": "", "’": "", "、": "、"})
_NUMBERING = compiled_re.compile(
    r"^(?:[(（]?[一二三四五六七八九十]+[)）、.．]|[(（]?\d{1,2}[)）]|\d{1,2}[.、．。,，](?!\d)|第[一二三四五六七八九十]+[项部分][、:：]?)+"
)
_DROP = compiled_re.compile(r"[\s\u3000:：,，。;；、.．()（）\[\]「」*#|_\-—–/\\]+")


@lru_cache(maxsize=4096)
def normalize_label(text: str) -> str:
    """NFKC, no spaces or punctuation, no leading numbering like 三、 （一） 1. — just the words."""
    t = unicodedata.normalize("NFKC", text or "").translate(_FOLD)
    t = re.sub(r"\s+", "", t)
    prev = None
    while prev != t:
        prev = t
        t = _NUMBERING.sub("", t)
    return _DROP.sub("", t)


_SPACES = compiled_re.compile(r"\s+")


@short_text_cache()  # one paragraph or cell is compacted by several readers
def compact(text: Optional[str]) -> str:
    """NFKC with all whitespace removed: for searching words in cells and headers."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text or ""))


def _template_pairs(table: dict) -> dict:
    """Only pairs of two template labels are worth keeping: a document's other labels rarely recur."""
    labels = {b for _, b in table}
    return {pair: r for pair, r in table.items() if pair[0] in labels}


# difflib's ratio is a pure function of the two strings: a process starts with the ratios of template
# labels to each other (a clean report's own labels) instead of computing ~1000 of them (~12 ms).
RATIOS = StoredTable("label-ratios", sys.version, limit=100_000, keep=_template_pairs)


@lru_cache(maxsize=65536)
def _ratio(a: str, b: str) -> float:
    r = RATIOS.get((a, b))
    if r is None:
        r = SequenceMatcher(None, a, b).ratio()
        RATIOS.put((a, b), r)
    return r


@lru_cache(maxsize=65536)  # the same cell texts meet the same template rows report after report
def similarity(text: str, aliases: tuple[str, ...]) -> float:
    """Best score in [0, 1] of a label against a template row's aliases.

    Exact equality scores 1; otherwise the edit-based ratio. A label that merely contains
    an alias (or the reverse) does not score 1, so 其他 never equals 其他处理.
    """
    a = normalize_label(text)
    if not a:
        return 0.0
    best = 0.0
    for alias in aliases:
        b = normalize_label(alias)
        if a == b:
            return 1.0
        best = max(best, _ratio(a, b))
    return best


def contains_any(text: str, words: tuple[str, ...]) -> bool:
    t = compact(text)
    return any(compact(w) in t for w in words)


# An inner enumerator starts a new label part: 三、本年度办理结果（一）予以公开, （三）不予公开1.属于国家秘密.
_INNER_NUMBERING = compiled_re.compile(r"(?<=[\u4e00-\u9fff）)”\s])(?<!第)(?=[(（][一二三四五六七八九十]{1,2}[)）]|(?<![\d.])\d{1,2}[.．、](?!\d))")


def split_label(text: str) -> list[str]:
    """A label cell holding a group label and a row label run together, as its parts."""
    return list(_split_label(text))


@lru_cache(maxsize=65536)
def _split_label(text: str) -> tuple[str, ...]:
    parts = [p.strip() for p in _INNER_NUMBERING.split(text or "")]
    return tuple(p for p in parts if p) or (text.strip(),)


@lru_cache(maxsize=65536)
def top_score(text: str, aliases: tuple[tuple[str, ...], ...]) -> float:
    """The label's best similarity over several template rows (0 when there are none)."""
    return max((similarity(text, a) for a in aliases), default=0.0)


def best_label(labels: Sequence[str], aliases: Sequence[tuple[str, ...]]) -> str:
    """The row's label: its last label cell, or the last cells joined when that names a row better.

    PDF-to-markdown tools cut one label over two cells (一、本年新收政府 | 信息公开申请数量), and the
    last piece alone names no row, or the wrong one (信息公开申请数量 is 一 and 二 alike).
    """
    if not labels:
        return ""
    return _best_label(tuple(labels), aliases if isinstance(aliases, tuple) else tuple(aliases))


@lru_cache(maxsize=65536)  # a row's label cells recur report after report
def _best_label(labels: tuple[str, ...], aliases: tuple[tuple[str, ...], ...]) -> str:
    best, score = labels[-1], top_score(labels[-1], aliases)
    for k in range(2, len(labels) + 1):
        joined = "".join(labels[-k:])
        s = top_score(joined, aliases)
        if s > score + 1e-9:
            best, score = joined, s
    return best
