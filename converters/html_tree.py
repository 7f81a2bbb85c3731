"""Linear-time questions about a parsed page: what text each element holds, and a table's own parts.

Asking bs4 for ``el.get_text()`` of every element walks each element's whole subtree, which is
quadratic on deeply nested pages (10,000 nested <div>s took 30 s). One pass here records every
element's span in the page's text; after that each question is answered from offsets.
"""
from __future__ import annotations

import re
from typing import Iterator, Optional, Sequence

from bs4 import CData, NavigableString, Tag

_TEXT_TYPES = (NavigableString, CData)  # exactly what bs4's get_text() collects
_BLANK = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]")


class TextIndex:
    """Each element's [start, end) in the concatenated text under ``root`` (get_text("") order)."""

    def __init__(self, root: Tag, markers: Sequence[re.Pattern] = (), ancestors: frozenset = frozenset()):
        self.span: dict[int, tuple[int, int, int, int]] = {}  # id → (start, end, ink before, ink at end)
        self.inside: dict[int, bool] = {}  # id → has an ancestor named in `ancestors`
        self.has_table: dict[int, bool] = {}  # id → a <table> somewhere below it
        self.preorder: dict[int, tuple[int, int]] = {}  # id → (its number, last number in its subtree)
        parts: list[str] = []
        pos = ink = 0
        open_named = 0
        stack: list = [(root, False)]
        entered: dict[int, tuple[int, int]] = {}
        number = 0
        while stack:
            node, leaving = stack.pop()
            if leaving:
                start, ink0 = entered.pop(id(node))
                self.span[id(node)] = (start, pos, ink0, ink)
                self.preorder[id(node)] = (self.preorder[id(node)][0], number - 1)
                if node.name in ancestors:
                    open_named -= 1
                continue
            if isinstance(node, Tag):
                entered[id(node)] = (pos, ink)
                self.preorder[id(node)] = (number, number)
                number += 1
                self.inside[id(node)] = open_named > 0
                if node.name in ancestors:
                    open_named += 1
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(node.contents))
            elif type(node) in _TEXT_TYPES:
                s = str(node)
                parts.append(s)
                pos += len(s)
                ink += len(s) - len(_BLANK.findall(s))
        self.text = "".join(parts)
        self._tables(root)
        # Every place each marker matches, overlapping ones included (an element may hold a later one).
        self.matches = [[(m.start(1), m.end(1)) for m in re.finditer(f"(?=({p.pattern}))", self.text, p.flags)]
                        for p in markers]

    def _tables(self, root: Tag) -> None:
        """has_table for every element, bottom-up in one pass (post-order over an explicit stack)."""
        order: list[Tag] = []
        stack = [root]
        while stack:
            node = stack.pop()
            order.append(node)
            stack.extend(c for c in node.contents if isinstance(c, Tag))
        for node in reversed(order):  # children come after their parent in `order`
            below = False
            for c in node.contents:
                if isinstance(c, Tag) and (c.name == "table" or self.has_table.get(id(c), False)):
                    below = True
                    break
            self.has_table[id(node)] = below

    def length(self, el: Tag) -> int:
        start, end, _, _ = self.span[id(el)]
        return end - start

    def has_ink(self, el: Tag) -> bool:
        """Some character other than whitespace (what clean_inline would keep)."""
        _, _, ink0, ink1 = self.span[id(el)]
        return ink1 > ink0

    def marker_count(self, el: Tag) -> int:
        start, end, _, _ = self.span[id(el)]
        return sum(1 for found in self.matches if any(s >= start and e <= end for s, e in found))

    def text_of(self, el: Tag) -> str:
        start, end, _, _ = self.span[id(el)]
        return self.text[start:end]


def _own(table: Tag, names: set[str]) -> Iterator[Tag]:
    """Elements named `names` that belong to `table` itself: descendants not inside a nested table."""
    stack = list(reversed([c for c in table.contents if isinstance(c, Tag)]))
    while stack:
        node = stack.pop()
        if node.name in names:
            yield node
            continue
        if node.name == "table":
            continue
        stack.extend(reversed([c for c in node.contents if isinstance(c, Tag)]))


def own_rows(table: Tag) -> list[Tag]:
    """The table's own rows (thead/tbody/tfoot included, nested tables excluded)."""
    return list(_own(table, {"tr"}))


def own_caption(table: Tag) -> Optional[Tag]:
    return next(_own(table, {"caption"}), None)


def walk_events(el: Tag) -> Iterator[tuple[str, object]]:
    """("text", str) / ("enter", Tag) / ("leave", Tag) in document order, without recursion."""
    stack: list = [(c, False) for c in reversed(el.contents)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            yield "leave", node
        elif isinstance(node, Tag):
            yield "enter", node
            stack.append((node, True))
            stack.extend((c, False) for c in reversed(node.contents))
        elif isinstance(node, NavigableString):
            yield "text", node
