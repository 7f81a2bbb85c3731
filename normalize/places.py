"""China's administrative divisions (GB/T 2260 codes down to county level, townships by name).

The data is jionlp's `china_location` table (province → prefecture → county with codes, then
townships and villages by name), read straight from the file its wheel ships: nothing is
downloaded, and jionlp itself (and its tokenizer) is never imported.
"""
from __future__ import annotations

import hashlib
import importlib.util
import re
from array import array
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

from xxgk.model import MissingDependency
from xxgk.normalize import compiled_re
from xxgk.normalize.cache import cached_marshal

LEVELS = ("province", "prefecture", "county", "township")
# Grouping rows of the table, not divisions: their children belong to the row above.
_TRANSPARENT = ("省直辖行政区划", "市直辖行政区划", "市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")


class Division:
    """One division, made on first use from the gazetteer's flat arrays (one object per division)."""

    __slots__ = ("name", "level", "code", "_g", "_i")

    def __init__(self, g: "Gazetteer", i: int) -> None:
        self._g, self._i = g, i
        self.name, self.level, self.code = g._name(i), LEVELS[g._depths[i]], g._codes[i]

    def __repr__(self) -> str:
        return f"Division(name={self.name!r}, level={self.level!r}, code={self.code!r})"

    @property
    def parent(self) -> Optional["Division"]:
        p = self._g._parents[self._i]
        return self._g._node(p) if p >= 0 else None

    @property
    def children(self) -> list["Division"]:
        return [self._g._node(c) for c in self._g._children[self._i]]

    def ancestors(self) -> list["Division"]:
        out, node = [], self.parent
        while node is not None:
            out.append(node)
            node = node.parent
        return out

    def path(self) -> str:
        """Full name from the province down, e.g. 江苏省淮安市洪泽区 (a municipality is named once)."""
        names: list[str] = []
        for d in reversed([self] + self.ancestors()):
            if not names or names[-1] != d.name:
                names.append(d.name)
        return "".join(names)

    @property
    def gb2260(self) -> Optional[str]:
        """The six-digit code of this division, or of the county a township lies in."""
        node: Optional[Division] = self
        while node is not None and not node.code:
            node = node.parent
        return node.code if node is not None else None


class Gazetteer:
    """The division tree as flat arrays (`_pack`'s form): 47k Division objects would cost ~0.1 s a process to
    build, and 47k name strings in a dict ~20 ms to load; only the few divisions a report names are made."""

    def __init__(self, packed: dict):
        def ints(raw: bytes) -> array:
            out = array("i")
            out.frombytes(raw)
            return out

        self._blob, self._offsets = packed["names"], ints(packed["offsets"])
        self._depths, self._codes, self._parents = packed["depths"], packed["codes"], ints(packed["parents"])
        self._buckets: dict[str, str] = packed["buckets"]  # first character -> "\nname\tfirst division\n..."
        self._heads, self._next = ints(packed["heads"]), ints(packed["next"])  # a name's divisions: head, next, ...
        self._roots: list[int] = packed["roots"]
        self.max_len = packed["max_len"]
        self._made: dict[int, Division] = {}
        self._kids: Optional[list[list[int]]] = None
        self._by_first: Optional[dict[str, int]] = None

    def _name(self, i: int) -> str:
        return self._blob[self._offsets[i]:self._offsets[i + 1] - 1]

    def _head(self, name: str) -> int:
        bucket = self._buckets.get(name[:1])
        at = bucket.find(f"\n{name}\t") if bucket is not None else -1
        if at < 0:
            return -1
        start = at + len(name) + 2
        return int(bucket[start:bucket.index("\n", start)])

    @property
    def _first(self) -> dict[str, int]:
        """Every name -> its first division, in traversal order (built on first use: audits, one-edit search)."""
        if self._by_first is None:
            self._by_first = {self._name(i): i for i in self._heads}
        return self._by_first

    @property
    def _children(self) -> list[list[int]]:
        if self._kids is None:  # from the parents, on first use (~5 ms; most reports never ask)
            kids: list[list[int]] = [[] for _ in self._parents]
            for i, p in enumerate(self._parents):
                if p >= 0:
                    kids[p].append(i)
            self._kids = kids
        return self._kids

    def _ids(self, name: str) -> list[int]:
        out, i = [], self._head(name)
        while i >= 0:
            out.append(i)
            i = self._next[i]
        return out

    def _node(self, i: int) -> Division:
        d = self._made.get(i)
        if d is None:
            d = self._made[i] = Division(self, i)
        return d

    @property
    def roots(self) -> list[Division]:
        return [self._node(i) for i in self._roots]

    @property
    def by_name(self) -> dict[str, list[Division]]:
        """Every division by name (makes them all: for tests and audits, not per report)."""
        return {n: [self._node(i) for i in self._ids(n)] for n in self._first}

    def named(self, name: str) -> list[Division]:
        return [self._node(i) for i in self._ids(name)]

    def one_edit_from(self, token: str) -> list[Division]:
        """Divisions whose name is at most one edit from `token`, in table order (a superset check:
        names sharing a one-deletion form; built on first use instead of scanning every name)."""
        index = getattr(self, "_deletions", None)
        if index is None:
            index = {}
            for name in self._first:
                for key in {name, *(name[:i] + name[i + 1:] for i in range(len(name)))}:
                    index.setdefault(key, []).append(name)
            self._deletions = index
            self._rank = {name: i for i, name in enumerate(self._first)}
        keys = {token, *(token[:i] + token[i + 1:] for i in range(len(token)))}
        names = sorted({n for k in keys for n in index.get(k, ())}, key=self._rank.__getitem__)
        return [self._node(i) for n in names for i in self._ids(n)]

    def below(self, parent: Optional[Division]) -> list[Division]:
        """Divisions one or two levels below `parent` (a name may skip its prefecture), or provinces."""
        if parent is None:
            return self.roots
        out = parent.children
        for c in list(out):
            out.extend(c.children)
        return out


def data_file() -> Path:
    spec = importlib.util.find_spec("jionlp")  # locates the package without running its __init__
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependency("the place-name table needs the Python package jionlp (pip install jionlp)")
    path = Path(list(spec.submodule_search_locations)[0]) / "dictionary" / "china_location.zip"
    if not path.is_file():
        raise MissingDependency(f"jionlp is installed but its place table is missing: {path}")
    return path


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    path = data_file()
    stat = path.stat()
    # Reading the 6.8 MB table costs ~0.35 CPU-s a process; its packed index loads from the cache in ~3 ms.
    key = hashlib.sha256(f"{path}|{stat.st_size}|{stat.st_mtime_ns}|{_ROW.pattern}|{INDEX_VERSION}".encode()).hexdigest()[:20]
    value = cached_marshal("places", key, lambda: _pack(_index(_read_rows(path))))
    if isinstance(value, dict) and value.get("version") == INDEX_VERSION:
        try:
            return Gazetteer(value)
        except (KeyError, TypeError, ValueError):  # a damaged cache file costs only the time to read the table
            return build(_read_rows(path))
    return build(value if isinstance(value, list) else _read_rows(path))  # a cache of bare rows (or of no use)


def _read_rows(path: Path) -> list[tuple[int, str, Optional[str]]]:
    import zipfile  # only when the cache is cold

    with zipfile.ZipFile(path) as z:
        raw = z.read(z.namelist()[0]).decode("utf-8")
    # Rows indented 0..3 tabs are province..township; a regex skips the 650k village rows fast.
    return [(len(tabs), name.strip(), code or None) for tabs, name, code in _ROW.findall(raw)]


_ROW = compiled_re.compile(r"^(\t{0,3})([^\t\n]+)(?:\t(\d+))?", re.M)


INDEX_VERSION = 4  # of the cached index's layout (_pack)


def build(rows: Iterable[tuple[int, str, Optional[str]]]) -> Gazetteer:
    """(depth, name, code) rows in table order → the division tree."""
    return Gazetteer(_pack(_index(rows)))


def _index(rows: Iterable[tuple[int, str, Optional[str]]]) -> dict:
    """The tree of (depth, name, code) rows in table order as flat arrays of division numbers (marshal-able)."""
    names: list[str] = []
    depths: list[int] = []
    codes: list[Optional[str]] = []
    parents: list[int] = []
    children: list[list[int]] = []
    roots: list[int] = []
    real: list[int] = []  # nearest real (non-grouping) division at each depth
    for depth, name, code in rows:
        del real[depth:]
        if len(real) < depth:  # a row deeper than its parent: malformed, skipped
            continue
        parent = real[depth - 1] if depth else -1
        # A municipality's prefecture row repeats its province (上海市 / 上海市): one division.
        if parent >= 0 and (name in _TRANSPARENT or (depth == 1 and name == names[parent])):
            real.append(parent)
            continue
        i = len(names)
        names.append(name)
        depths.append(depth)
        codes.append(code)
        parents.append(parent)
        children.append([])
        (children[parent] if parent >= 0 else roots).append(i)
        real.append(i)
    first: dict[str, int] = {}
    last: dict[int, int] = {}
    nxt = [-1] * len(names)
    stack = list(roots)
    while stack:  # this traversal order is the order of each name's divisions (the first one wins ties)
        d = stack.pop()
        head = first.setdefault(names[d], d)
        if head != d:
            nxt[last[head]] = d
        last[head] = d
        stack.extend(children[d])
    return {"names": names, "depths": depths, "codes": codes, "parents": parents,
            "roots": roots, "first": first, "next": nxt, "max_len": max((len(n) for n in first), default=0)}


def _pack(index: dict) -> dict:
    """The index as a few large objects marshal loads in ~3 ms: the names as one string (with offsets), the
    int arrays as bytes, and the name lookup as one string per first character."""
    def ints(xs: Iterable[int]) -> bytes:
        return array("i", xs).tobytes()

    names = index["names"]  # no name holds a tab or a newline: the table's rows are tab-indented lines
    offsets = [0]
    for n in names:
        offsets.append(offsets[-1] + len(n) + 1)
    buckets: dict[str, list[str]] = {}
    for name, head in index["first"].items():
        buckets.setdefault(name[:1], [""]).append(f"{name}\t{head}")
    return {"version": INDEX_VERSION, "names": "\n".join(names) + "\n", "offsets": ints(offsets),
            "depths": bytes(index["depths"]), "codes": index["codes"], "parents": ints(index["parents"]),
            "buckets": {c: "\n".join(rows) + "\n" for c, rows in buckets.items()},
            "heads": ints(index["first"].values()), "next": ints(index["next"]), "roots": index["roots"],
            "max_len": index["max_len"]}


def within_one_edit(a: str, b: str) -> bool:
    """Levenshtein distance ≤ 1 (one character replaced, added or dropped)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))
