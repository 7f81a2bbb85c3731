"""Prose of sections 一, 五 and 六: furniture dropped, paragraphs broken by page ends joined."""
from __future__ import annotations

import re

from xxgk.model import Paragraph
from xxgk.normalize import compiled_re
from xxgk.normalize.furniture import is_furniture
from xxgk.normalize.memo import short_text_cache

_SENTENCE_END = tuple("。！？；：!?;:」』”’）)》")
_ITEM_START = compiled_re.compile(r"^\s*(\(|（|[一二三四五六七八九十]+[、.．]|\d+[、.．]|第[一二三四五六七八九十]|\*\*)")
_DATE_LINE = compiled_re.compile(r"^\s*(\d{4}|[〇零○一二三四五六七八九]{4})\s*年.{1,6}月.{1,6}日\s*$")
MIN_BROKEN_LENGTH = 25


# Markdown a PDF-to-markdown tool wraps prose lines in: list bullets, heading marks, bold.
_MD_LEAD = compiled_re.compile(r"^\s*(?:[-*+]\s+|#{1,6}\s+)+")
_MD_BOLD = compiled_re.compile(r"\*\*|__")
_CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
# A space a line wrap or a converter left between Chinese characters (or a number and one): never meant.
_WRAP_SPACE = compiled_re.compile(f"(?<=[{_CJK}0-9])[ \t\u00a0]+(?=[{_CJK}])|(?<=[{_CJK}])[ \t\u00a0]+(?=[0-9])")


# A page footer OCR or a converter ran into the prose: 工作-十-人员 (- 4 -), 处理费0元。 -5-
_INLINE_FOOTER = compiled_re.compile(r"(?<=[\u4e00-\u9fff。，；、）])\s*[-—–－~]\s?[\d一二三四五六七八九十]{1,2}\s?[-—–－~]\s*"
                            r"(?=[\u4e00-\u9fff（]|$)")


@short_text_cache()  # the same paragraphs are read for headers, sections, prose
def plain_line(text: str) -> str:
    t = _MD_BOLD.sub("", _MD_LEAD.sub("", text))
    return _WRAP_SPACE.sub("", _INLINE_FOOTER.sub("", t)).strip()


def clean_paragraphs(paragraphs: list[Paragraph], furniture: frozenset[str] | set[str] = frozenset()) -> list[str]:
    lines = [plain_line(p.text) for p in paragraphs if not is_furniture(p.text)]
    return join_broken([t for t in lines if t and not is_furniture(t) and t not in furniture])


def prose_sentences(paragraphs: list[Paragraph], furniture: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """The prose sentences of a table section (四's 「本年度发生行政复议案件1起」), not its table lines."""
    return [t for t in clean_paragraphs(paragraphs, furniture) if _SENTENCE.search(t)]


_SENTENCE = compiled_re.compile(r"[\u4e00-\u9fff]{4,}[^。；]*[，。；]")


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


_ORG_END = r"(局|委|办|厅|院|中心|政府|署|会|所|站|队|处)"
# 大连市医疗保障局 2024年1月18日: the signature's name and date on one line (text from a PDF-to-markdown tool).
_NAME_DATE = compiled_re.compile(r"^(?P<name>[^。，,；;：:！!？?]{2,30}?" + _ORG_END + r")\s*(?P<date>(\d{4}|[〇零○一二三四五六七八九]{4})\s*年.{1,6}月.{1,6}日)\s*$")


def split_signature(lines: list[str]) -> tuple[list[str], list[str]]:
    """Trailing signature lines (agency name, date) at the end of the report, split off."""
    body = list(lines)
    tail: list[str] = []
    while body and len(tail) < 3:
        last = body[-1]
        both = _NAME_DATE.match(last) if not tail else None
        if both:
            body.pop()
            tail[:0] = [both.group("name"), both.group("date")]
        elif _DATE_LINE.match(last) or (len(last) <= 30 and not re.search(r"[。，,；;：:！!？?]", last)
                                         and re.search(_ORG_END + "$", last)):
            tail.insert(0, body.pop())
        else:
            break
    return body, tail


MIN_RUNNING_HEADER = 6


def running_headers(texts: list[str]) -> set[str]:
    """Short lines printed again on every page (大连市医疗保障局·政务公开专栏): page furniture, not prose.

    Text from a PDF-to-markdown tool keeps them; only a line seen at least twice, with no sentence
    punctuation and not a section heading or numbered item, counts."""
    seen: dict[str, int] = {}
    for t in texts:
        line = plain_line(t)
        if (MIN_RUNNING_HEADER <= len(line) <= 40 and not re.search(r"[。，,；;！!？?]", line)
                and not _ITEM_START.match(line) and not _DATE_LINE.match(line)
                and not re.search(_ORG_END + "$", line)):  # an agency's name alone may be the signature
            seen[line] = seen.get(line, 0) + 1
    return {line for line, n in seen.items() if n >= 2}


def section_text(lines: list[str]) -> str | None:
    return "\n".join(lines) if lines else None


_STATED = compiled_re.compile(r"(\d+(?:\.\d+)?)\s*(?:件|个|项|条)")


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
