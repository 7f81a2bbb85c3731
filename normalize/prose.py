"""Prose of sections 一, 五 and 六: furniture dropped, paragraphs broken by page ends joined."""
from __future__ import annotations

import re

from xxgk.model import Paragraph
from xxgk.normalize.furniture import is_furniture

_SENTENCE_END = tuple("。！？；：!?;:」』”’）)》")
_ITEM_START = re.compile(r"^\s*(\(|（|[一二三四五六七八九十]+[、.．]|\d+[、.．]|第[一二三四五六七八九十]|\*\*)")
_DATE_LINE = re.compile(r"^\s*(\d{4}|[〇零○一二三四五六七八九]{4})\s*年.{1,6}月.{1,6}日\s*$")
MIN_BROKEN_LENGTH = 25


def clean_paragraphs(paragraphs: list[Paragraph]) -> list[str]:
    lines = [p.text.strip() for p in paragraphs if not is_furniture(p.text)]
    return join_broken(lines)


def join_broken(lines: list[str]) -> list[str]:
    """Join a line cut at a page end with the next: it is long and ends mid-sentence."""
    out: list[str] = []
    for line in lines:
        if (out and len(out[-1]) >= MIN_BROKEN_LENGTH and not out[-1].endswith(_SENTENCE_END)
                and not _ITEM_START.match(line) and not _DATE_LINE.match(out[-1])):
            out[-1] = out[-1] + line
        else:
            out.append(line)
    return out


def split_signature(lines: list[str]) -> tuple[list[str], list[str]]:
    """Trailing signature lines (agency name, date) at the end of the report, split off."""
    body = list(lines)
    tail: list[str] = []
    while body and len(tail) < 3:
        last = body[-1]
        if _DATE_LINE.match(last) or (len(last) <= 30 and not re.search(r"[。，,；;：:！!？?]", last)
                                       and re.search(r"(局|委|办|厅|院|中心|政府|署|会|所|站|队|处)$", last)):
            tail.insert(0, body.pop())
        else:
            break
    return body, tail


def section_text(lines: list[str]) -> str | None:
    return "\n".join(lines) if lines else None


_STATED = re.compile(r"(\d+(?:\.\d+)?)\s*(?:件|个|项|条)")


def stated_numbers(texts: list[str], labels: tuple[str, ...], field_words: list[tuple[str, ...]]) -> dict[int, float]:
    """Numbers the prose states for a table 二 row: 「制发行政规范性文件3件，废止25件」 → {0: 3, 1: 25}.

    A sentence that names the row (one of `labels`) speaks of it in each of its clauses; a clause
    counts only when it holds one column word (`field_words[k]`) and one number.
    """
    out: dict[int, float] = {}
    for text in texts:
        for sentence in re.split(r"[。；;！!？?\n]", text):
            clauses = re.split(r"[，,、]", sentence)
            first = next((i for i, c in enumerate(clauses) if any(label in c for label in labels)), None)
            if first is None:
                continue
            for clause in clauses[first:]:
                cols = [k for k, words in enumerate(field_words) if any(w in clause for w in words)]
                nums = _STATED.findall(clause)
                if len(cols) == 1 and len(nums) == 1:
                    out.setdefault(cols[0], float(nums[0]) if "." in nums[0] else int(nums[0]))
    return out
