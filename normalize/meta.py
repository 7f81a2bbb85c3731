"""Report metadata: agency, year reported on, title, publication date."""
from __future__ import annotations

import re
from collections import Counter
from typing import Iterable, Optional

from xxgk.normalize.labels import compact

_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_CN_DIGITS.update({"零": 0, "○": 0, "O": 0, "Ｏ": 0})
_ORG_SUFFIX = r"(?:局|委员会|委|办公室|人民政府|政府|厅|院|中心|署|管委会|管理委员会|办事处|街道办事处|集团|馆|站|所|队)"
_PLACE = r"(?:省|自治区|市|自治州|州|盟|地区|区|县|旗|镇|乡|街道)"
_AGENCY = re.compile(rf"(?=([\u4e00-\u9fff]{{2,8}}?{_PLACE}[\u4e00-\u9fff]{{1,14}}?{_ORG_SUFFIX}))")
_REPORT_TITLE = re.compile(r"(?:政府)?信息公开(?:工作)?年度报告|政务公开(?:工作)?年度报告")
_YEAR = r"((?:19|20)\d{2})"
_PERIOD = re.compile(rf"{_YEAR}\s*年\s*1\s*月\s*1\s*日\s*(?:起\s*)?(?:至|到|-|—|~)\s*(?:{_YEAR}\s*年\s*)?12\s*月\s*31\s*日")
_TITLE_YEAR = re.compile(rf"{_YEAR}\s*年度?.{{0,20}}?(?:政府)?信息公开(?:工作)?年度报告")
_DATE = re.compile(r"((?:19|20)\d{2}|[〇零○一二三四五六七八九]{4})\s*年\s*([0-9]{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*"
                   r"([0-9]{1,2}|[一二三四五六七八九十]{1,3})\s*日")
_ISO_DATE = re.compile(r"((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})")


def _cn_number(s: str) -> int:
    if s.isdigit():
        return int(s)
    if all(c in _CN_DIGITS for c in s):
        return int("".join(str(_CN_DIGITS[c]) for c in s))
    # 十, 十二, 二十, 二十一, 三十一
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return _CN_DIGITS.get(s, 0)


def parse_date(text: str) -> Optional[str]:
    m = _DATE.search(text) or _ISO_DATE.search(text)
    if not m:
        return None
    y, mo, d = (_cn_number(g) for g in m.groups())
    if not (1 <= mo <= 12 and 1 <= d <= 31 and 1990 <= y <= 2100):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def clean_title(title: Optional[str]) -> Optional[str]:
    """The report title from a page title like `X2023年政府信息公开年度报告-沭阳县发改局`."""
    if not title:
        return None
    parts = [p.strip() for p in re.split(r"\s*[-_|–—]{1,2}\s*", title) if p.strip()]
    for p in parts:
        if _REPORT_TITLE.search(compact(p)):
            return p
    return None


def find_title(metadata_title: Optional[str], preamble: Iterable[str]) -> Optional[str]:
    lines = [compact(x) for x in preamble]
    for i, t in enumerate(lines):
        if len(t) <= 60 and _REPORT_TITLE.search(t) and not t.endswith(("。", "，", ",")):
            # A title set on two lines: the agency above, 2023年…年度报告 below.
            if re.match(r"^(?:19|20)\d{2}年", t) and i > 0 and len(lines[i - 1]) <= 25 \
                    and not re.search(r"[。，,；;：:]", lines[i - 1]):
                return lines[i - 1] + t
            return t
    return clean_title(metadata_title)


def find_year(title: Optional[str], texts: list[str]) -> tuple[Optional[int], str]:
    """The year the report covers: 统计期限 first, then the title, then the most cited year."""
    joined = "\n".join(texts)
    m = _PERIOD.search(joined)
    if m:
        return int(m.group(1)), "statistics period"
    for source in ([title] if title else []) + texts[:5]:
        m = _TITLE_YEAR.search(compact(source))
        if m:
            return int(m.group(1)), "title"
    m = re.search(rf"{_YEAR}\s*年度", joined)
    counts = Counter(int(y) for y in re.findall(rf"{_YEAR}\s*年", joined))
    if m and counts:
        return int(m.group(1)), "year named in the text"
    if counts:
        return counts.most_common(1)[0][0], "year most cited in the text"
    return None, "no year found"


_STRONG_CONTEXTS = (
    # Named: _YEAR has a group of its own, so the agency is not always group 1.
    re.compile(rf"请与(?P<agency>[\u4e00-\u9fff]{{2,30}}?{_ORG_SUFFIX})(?:办公室)?联系"),
    re.compile(rf"(?:编制|制作)?(?:了)?(?:{_YEAR}\s*年度?)?(?P<agency>[\u4e00-\u9fff]{{2,30}}?{_ORG_SUFFIX})"
               rf"(?:{_YEAR}\s*年度?)?(?:政府)?信息公开(?:工作)?年度报告"),
)


def _strip_leading_year(name: str) -> str:
    return re.sub(r"^.*?(?:19|20)\d{2}\s*年度?", "", name)


def body_spelling(name: str, texts: list[str]) -> str:
    """The body's spelling of a name read once (an OCR'd title): a one-character variant the text
    uses where the name itself never appears again, else the name as read."""
    flat = compact("\n".join(texts))
    if flat.count(name) > 1:
        return name
    n = len(name)
    variants = {}
    for i in range(len(flat) - n + 1):
        window = flat[i:i + n]
        if window != name and window[-1] == name[-1] and sum(a != b for a, b in zip(window, name)) == 1:
            variants[window] = variants.get(window, 0) + 1
    return max(variants, key=variants.get) if variants else name


def body_misread(title: str, agency: str) -> str:
    """The title's prefix standing where the agency is: same length, differing in one character."""
    head = title[:len(agency)]
    return head if sum(a != b for a, b in zip(head, agency)) == 1 else agency


def find_agency(title: Optional[str], texts: list[str], signature: list[str], metadata: dict) -> Optional[str]:
    if title:
        m = re.match(rf"^(.+?{_ORG_SUFFIX})(?:关于)?(?:{_YEAR}|[〇零○一二三四五六七八九]{{4}})\s*年", compact(title))
        if m:
            return body_spelling(m.group(1), texts)
    for line in signature:
        if not _DATE.search(line) and len(line) <= 30:
            return compact(line)
    joined = "\n".join(texts)
    for pat in _STRONG_CONTEXTS:
        # Line by line: a name never runs from one line into the next.
        for m in (m for text in texts for m in pat.finditer(compact(text))):
            name = _strip_leading_year(m.group("agency"))
            if re.search(_PLACE, name) and len(name) >= 4:
                return name
    if metadata.get("agency"):
        return metadata["agency"]
    # Fallback: the place-prefixed body name the text cites most (longest among equals).
    flat = compact(joined)
    candidates = {m.group(1) for m in _AGENCY.finditer(flat)}
    if not candidates:
        return None
    counts = {c: flat.count(c) for c in candidates}
    # An abbreviation (大连市医保局) counts for the full name it shortens (大连市医疗保障局).
    for short in candidates:
        for full in candidates:
            if len(short) < len(full) and short[0] == full[0] and short[-1] == full[-1] and _is_subsequence(short, full):
                counts[full] += counts[short]
                counts[short] = 0
    return max(candidates, key=lambda c: (counts[c], len(c)))


def _is_subsequence(short: str, full: str) -> bool:
    it = iter(full)
    return all(ch in it for ch in short)
