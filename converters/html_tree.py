"""A parsed page as a light tree (lxml's C parser underneath), and linear-time questions about it.

lxml parses a page in a few milliseconds; building BeautifulSoup's tree on top of the same
parser took ten times that. ``parse`` turns lxml's elements into ``Node``s whose ``contents``
hold child nodes and text strings the way a browser's DOM does: comments and processing
instructions are left out, a whitespace-only string outside <pre>/<textarea> becomes one
space or newline, and text inside <script>, <style>, <template>, <rt>, <rp> is a ``Special``
string (code or ruby annotations, not the page's text).

``TextIndex`` records, in one pass, every element's span in the page's text; asking an element
for its text, length or the report headings it holds is then answered from offsets instead of
walking its subtree again (10,000 nested <div>s must not be quadratic).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from typing import Iterator, Optional, Sequence

from lxml import etree

_ASCII_SPACES = "\x20\x0a\x09\x0c\x0d"
_PRESERVE_WHITESPACE = frozenset({"pre", "textarea"})
_SPECIAL_TEXT = frozenset({"script", "style", "template", "rt", "rp"})
_INK = re.compile(r"[^\s\u00a0\u3000\u200b\ufeff]")  # a character that is not blank


class Special(str):
    """Text that is code or an annotation (script, style, template, ruby): never the page's prose."""


class Node:
    """One element: lower-case tag name, attributes and contents (child Nodes and strings)."""

    __slots__ = ("name", "attrs", "contents", "parent", "removed", "order", "index", "last")

    def __init__(self, name: str, attrs: dict, parent: Optional["Node"], order: list):
        self.name = name
        self.attrs = attrs
        self.parent = parent
        self.contents: list = []
        self.removed = False
        self.order = order  # every element of the page in document order, shared by all nodes
        self.index = len(order) - 1  # its place there (the document node: -1)
        self.last = self.index  # the place of the last element inside it

    def get(self, attr: str, default=None):
        return self.attrs.get(attr, default)

    def has_attr(self, attr: str) -> bool:
        return attr in self.attrs

    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def children(self) -> Iterator["Node"]:
        return (c for c in self.contents if isinstance(c, Node))

    def descendants(self) -> Iterator["Node"]:
        """Every element below, in document order, read off the page's element list."""
        order, i, end = self.order, self.index + 1, self.last
        while i <= end:
            node = order[i]
            if node.removed:
                i = node.last + 1
                continue
            yield node
            i += 1

    def find(self, name: str) -> Optional["Node"]:
        return next((n for n in self.descendants() if n.name == name), None)

    def find_all(self, names) -> list["Node"]:
        names = {names} if isinstance(names, str) else set(names)
        return [n for n in self.descendants() if n.name in names]

    def text(self, separator: str = "") -> str:
        """The page text below (Special strings left out), as BeautifulSoup's get_text(separator)."""
        parts: list[str] = []
        stack = list(reversed(self.contents))
        while stack:
            item = stack.pop()
            if isinstance(item, Node):
                stack.extend(reversed(item.contents))
            elif type(item) is str:
                parts.append(item)
        return separator.join(parts)


class _Builder:
    """lxml parser target: the parser's events straight into Nodes.

    Events rather than lxml's own tree: libxml2's tree stops at 256 (or 2048) levels of nesting and
    drops what is deeper, its events do not; and making Nodes from events is cheaper than walking
    lxml's elements.
    """

    def __init__(self) -> None:
        self.order: list[Node] = []
        self.doc = Node("[document]", {}, None, self.order)
        self.stack = [self.doc]
        self.buf: list[str] = []
        self.data = self.buf.append  # the parser's text events go straight into the buffer
        self.preserve = 0  # open <pre>/<textarea> elements
        self.special: list[Node] = []  # open script/style/template/rt/rp elements

    def _flush(self) -> None:
        s = "".join(self.buf)
        self.buf.clear()
        if not self.preserve and not s.strip(_ASCII_SPACES):
            s = "\n" if "\n" in s else " "
        self.stack[-1].contents.append(Special(s) if self.special else s)

    def start(self, tag, attrib) -> None:
        if self.buf:
            self._flush()
        name = tag.lower() if isinstance(tag, str) else str(tag)
        order = self.order
        order.append(None)  # its slot, filled below (Node takes its index from the list's length)
        parent = self.stack[-1]
        node = Node(name, dict(attrib) if attrib else {}, parent, order)
        order[-1] = node
        parent.contents.append(node)
        self.stack.append(node)
        if name in _PRESERVE_WHITESPACE:
            self.preserve += 1
        if name in _SPECIAL_TEXT:
            self.special.append(node)

    def end(self, tag) -> None:
        if self.buf:
            self._flush()
        name = tag.lower() if isinstance(tag, str) else str(tag)
        stack = self.stack
        if stack[-1].name != name and not any(n.name == name for n in stack[1:]):
            return  # an end tag with nothing open to close
        last = len(self.order) - 1
        while len(stack) > 1:
            node = stack.pop()
            node.last = last
            if node.name in _PRESERVE_WHITESPACE:
                self.preserve -= 1
            if self.special and self.special[-1] is node:
                self.special.pop()
            if node.name == name:
                break

    def comment(self, text: str) -> None:  # comments are not text, but they end a string
        if self.buf:
            self._flush()

    def pi(self, target: str, data: Optional[str] = None) -> None:
        if self.buf:
            self._flush()

    def doctype(self, *args) -> None:
        if self.buf:
            self._flush()

    def close(self) -> Node:
        if self.buf:
            self._flush()
        for node in self.stack:  # elements never closed end with the page
            node.last = len(self.order) - 1
        return self.doc


def parse(text: str) -> Node:
    """The page's tree; the returned node stands for the document (its contents: the <html> element)."""
    builder = _Builder()
    parser = etree.HTMLParser(recover=True, target=builder)
    parser.feed(text)
    return parser.close()


def remove(nodes: Sequence[Node]) -> None:
    """Take these elements (and all below them) out of the tree; the text around them stays."""
    parents = []
    for n in nodes:
        n.removed = True
        if n.parent is not None:
            parents.append(n.parent)
    for p in {id(p): p for p in parents}.values():
        p.contents = [c for c in p.contents if not (isinstance(c, Node) and c.removed)]


class TextIndex:
    """Each element's [start, end) in the concatenated text under ``root`` (get_text("") order)."""

    def __init__(self, root: Node, markers: Sequence[re.Pattern] = (), ancestors: frozenset = frozenset()):
        span: dict[int, tuple[int, int]] = {}  # id → (start, end)
        inside: dict[int, bool] = {}  # id → has an ancestor named in `ancestors`
        has_table: dict[int, bool] = {}  # id → a <table> somewhere below it
        parts: list[str] = []
        pos = 0
        inside[id(root)] = False
        # One frame per open element: (node, its contents iterator, start, named, [a table below]);
        # strings are consumed inline, so the loop touches each item once.
        frame = (root, iter(root.contents), 0, root.name in ancestors, [False])
        stack = []
        while True:
            node, items, start, named, below = frame
            for item in items:
                if type(item) is Node:
                    stack.append(frame)
                    inside[id(item)] = named
                    frame = (item, iter(item.contents), pos, named or item.name in ancestors, [False])
                    break
                if type(item) is str:
                    parts.append(item)
                    pos += len(item)
            else:
                key = id(node)
                span[key] = (start, pos)
                has_table[key] = below[0]
                if not stack:
                    break
                frame = stack.pop()
                if below[0] or node.name == "table":
                    frame[4][0] = True
        self.span, self.inside, self.has_table = span, inside, has_table
        self.text = "".join(parts)
        # Every place each marker matches, overlapping ones included (an element may hold a later one).
        self.matches = [[(m.start(1), m.end(1)) for m in re.finditer(f"(?=({p.pattern}))", self.text, p.flags)]
                        for p in markers]

        self.markers = markers

    def _range(self, el: Node) -> tuple[int, int]:
        return self.span[id(el)]

    def length(self, el: Node) -> int:
        start, end = self._range(el)
        return end - start

    def has_ink(self, el: Node) -> bool:
        """Some character other than whitespace (what clean_inline would keep)."""
        start, end = self._range(el)
        return _INK.search(self.text, start, end) is not None

    def marker_count(self, el: Node) -> int:
        start, end = self._range(el)
        return sum(1 for found in self.matches if any(s >= start and e <= end for s, e in found))

    def table_below(self, el: Node) -> bool:
        return self.has_table[id(el)]

    def without(self, dropped: Sequence[Node]) -> "TextIndex":
        """The index of the same tree once `dropped` (disjoint subtrees, in document order) are removed:
        their text is cut out of the page's text, so the page is not walked again."""
        return _IndexAfterRemoval(self, dropped)

    def text_of(self, el: Node) -> str:
        start, end = self._range(el)
        return self.text[start:end]


class _IndexAfterRemoval(TextIndex):
    """A TextIndex whose offsets are the parent index's, less the text of the removed subtrees before them."""

    def __init__(self, parent: TextIndex, dropped: Sequence[Node]):
        cuts = [parent.span[id(n)] for n in dropped]
        kept, at = [], 0
        for start, end in cuts:
            kept.append(parent.text[at:start])
            at = end
        kept.append(parent.text[at:])
        self.parent = parent
        self.cut_ends = [end for _, end in cuts]
        self.cut_before = [0]  # text cut out before the k-th cut's end, cumulatively
        for start, end in cuts:
            self.cut_before.append(self.cut_before[-1] + end - start)
        self.dropped = [(n.index, n.last) for n in dropped]
        self.text = "".join(kept)
        self.inside = {}
        self.markers = parent.markers
        self.matches = [[(m.start(1), m.end(1)) for m in re.finditer(f"(?=({p.pattern}))", self.text, p.flags)]
                        for p in parent.markers]

    def _at(self, pos: int) -> int:
        return pos - self.cut_before[bisect_right(self.cut_ends, pos)]

    def _range(self, el: Node) -> tuple[int, int]:
        start, end = self.parent.span[id(el)]
        return self._at(start), self._at(end)

    def table_below(self, el: Node) -> bool:
        if not self.parent.has_table[id(el)]:
            return False
        starts = [a for a, _ in self.dropped]
        for node in el.order[el.index + 1:el.last + 1]:
            if node.name == "table":
                k = bisect_right(starts, node.index) - 1
                if k < 0 or self.dropped[k][1] < node.index:
                    return True  # a table outside every removed subtree
        return False


def _own(table: Node, names: set[str]) -> Iterator[Node]:
    """Elements named `names` that belong to `table` itself: descendants not inside a nested table
    (nor inside a match), read off the page's element list in document order."""
    order, i, end = table.order, table.index + 1, table.last
    while i <= end:
        node = order[i]
        if node.removed or node.name == "table":
            i = node.last + 1
        elif node.name in names:
            yield node
            i = node.last + 1
        else:
            i += 1


def own_rows(table: Node) -> list[Node]:
    """The table's own rows (thead/tbody/tfoot included, nested tables excluded)."""
    return list(_own(table, {"tr"}))


def own_caption(table: Node) -> Optional[Node]:
    return next(_own(table, {"caption"}), None)
