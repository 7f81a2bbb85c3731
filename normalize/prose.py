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
