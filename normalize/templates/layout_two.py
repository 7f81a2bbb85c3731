"""Table 二's printed layout per form: each row's 第二十条 block, and the grid rows that makes.

Each block is printed as a row spanning the table (第二十条第（一）项), a column-header row
(信息内容 | 本年制发件数 | …) and its data rows; the rows' order and widths are the template's.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from xxgk.normalize.templates.base import Template

# The 第二十条 item (block) each table 二 row is printed under, per form.
BLOCKS: dict[str, dict[str, str]] = {
    "2021": {"regulations": "（一）", "normative_documents": "（一）", "licensing": "（五）",
             "penalty": "（六）", "coercion": "（六）", "fees": "（八）"},
    "2019": {"regulations": "（一）", "normative_documents": "（一）", "licensing": "（五）",
             "other_services": "（五）", "penalty": "（六）", "coercion": "（六）", "fees": "（八）",
             "procurement": "（九）"},
}


@dataclass(frozen=True)
class LayoutRow:
    """One printed row of table 二: a block's section row, its column-header row, or a data row."""

    kind: str  # "section", "header" or "data"
    width: int  # number columns under the block (0 for a section row)
    item: Optional[int] = None  # a data row's index into template.proactive
    block: str = ""


def proactive_layout(template: Template) -> tuple[LayoutRow, ...]:
    """The grid rows table 二 of this form prints, top to bottom."""
    blocks = BLOCKS[template.form]
    out: list[LayoutRow] = []
    for j, item in enumerate(template.proactive):
        block = blocks[item.key]
        if not out or out[-1].block != block:
            out += [LayoutRow("section", 0, block=block), LayoutRow("header", len(item.fields), block=block)]
        out.append(LayoutRow("data", len(item.fields), j, block))
    return tuple(out)
