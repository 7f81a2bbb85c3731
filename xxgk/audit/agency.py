"""Agency names → one grouping key per issuing body, across years and spellings.

The same body with or without its parent region in front (洪泽区人民政府 = 淮安市洪泽区人民政府) shares a key;
different bodies never do (上海市人民政府 ≠ 上海市人民政府办公厅), and a short name that two different
parents could own (鼓楼区人民政府 under 南京市 or 福州市) is left on its own.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Iterable, Optional

_HIGHER = r"[\u4e00-\u9fff]{1,8}?(?:省|自治区|特别行政区|市|自治州|地区|盟)"
_COUNTY = r"[\u4e00-\u9fff]{1,8}?(?:区|县|自治县|旗|自治旗|林区|特区)"
_PARENTS = re.compile(rf"^(?:{_HIGHER})+$")
_PARENTS_OF_TOWNSHIP = re.compile(rf"^(?:{_HIGHER})*{_COUNTY}$")  # 洪泽区 in front of 高良涧街道办事处
# A name that itself begins with a region-level unit can stand without its parent in front.
_STARTS_WITH_REGION = re.compile(r"^[\u4e00-\u9fff]{1,8}?(?:市|区|县|自治县|旗|自治旗|林区|特区|镇|乡|街道)")
_STARTS_WITH_TOWNSHIP = re.compile(r"^[\u4e00-\u9fff]{1,8}?(?:镇|乡|街道)")


def canonical(name: Optional[str]) -> Optional[str]:
    """Full-width to half-width (NFKC), whitespace dropped; None for a missing name."""
    if not name:
        return None
    out = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))
    return out or None


def _is_parented(short: str, long: str) -> bool:
    """long = parent region(s) + short, where short begins with a region-level unit."""
    if len(long) <= len(short) or not long.endswith(short):
        return False
    parent = long[: -len(short)]
    return bool((_PARENTS.match(parent) and _STARTS_WITH_REGION.match(short))
                or (_PARENTS_OF_TOWNSHIP.match(parent) and _STARTS_WITH_TOWNSHIP.match(short)))


def group_keys(names: Iterable[str], codes: Optional[dict[str, set[str]]] = None) -> dict[str, str]:
    """Each canonical name → its group key: the longest unambiguous parented spelling seen in the folder.

    codes: name → administrative region codes the converter gave; two spellings whose codes differ are
    different bodies and never share a key.
    """
    codes = codes or {}
    names = sorted(set(names), key=lambda n: (len(n), n))
    key = {n: n for n in names}

    def same_place(a: str, b: str) -> bool:
        return not codes.get(a) or not codes.get(b) or bool(codes[a] & codes[b])

    for short in names:
        longer = [n for n in names if _is_parented(short, n) and same_place(short, n)]
        if not longer:
            continue
        # Every longer spelling must lie on one chain (each a parented form of the shortest of them).
        longest = max(longer, key=len)
        if all(n == longest or _is_parented(n, longest) for n in longer):
            key[short] = longest
    for n in names:  # follow chains to their end
        while key[key[n]] != key[n]:
            key[n] = key[key[n]]
    return key


def report_name(report: dict) -> Optional[str]:
    """The name a report is grouped by: the converter's agency_normalized when present, else its agency."""
    return canonical(report.get("agency_normalized") or report.get("agency"))
