"""China's administrative divisions (GB/T 2260 codes down to county level, townships by name).

The data is jionlp's `china_location` table (province → prefecture → county with codes, then
townships and villages by name), read straight from the file its wheel ships: nothing is
downloaded, and jionlp itself (and its tokenizer) is never imported.
"""
from __future__ import annotations

import hashlib
import importlib.util
import re
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

from xxgk.model import MissingDependency
from xxgk.normalize.cache import cached_marshal

LEVELS = ("province", "prefecture", "county", "township")
# Grouping rows of the table, not divisions: their children belong to the row above.
_TRANSPARENT = ("省直辖行政区划", "市直辖行政区划", "市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")


@dataclass(eq=False, slots=True)
class Division:
    name: str
    level: str
    code: Optional[str]
    parent: Optional["Division"] = None
    children: list["Division"] = field(default_factory=list, repr=False)

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
    def __init__(self, roots: list[Division]):
        self.roots = roots
        self.by_name: dict[str, list[Division]] = {}
        stack = list(roots)
        while stack:
            d = stack.pop()
            self.by_name.setdefault(d.name, []).append(d)
            stack.extend(d.children)
        self.max_len = max(len(n) for n in self.by_name)

    def named(self, name: str) -> list[Division]:
        return self.by_name.get(name, [])

    def one_edit_from(self, token: str) -> list[Division]:
        """Divisions whose name is at most one edit from `token`, in table order (a superset check:
        names sharing a one-deletion form; built on first use instead of scanning every name)."""
        index = getattr(self, "_deletions", None)
        if index is None:
            index = {}
            for name in self.by_name:
                for key in {name, *(name[:i] + name[i + 1:] for i in range(len(name)))}:
                    index.setdefault(key, []).append(name)
            self._deletions = index
            self._rank = {name: i for i, name in enumerate(self.by_name)}
        keys = {token, *(token[:i] + token[i + 1:] for i in range(len(token)))}
        names = sorted({n for k in keys for n in index.get(k, ())}, key=self._rank.__getitem__)
        return [d for n in names for d in self.by_name[n]]

    def below(self, parent: Optional[Division]) -> list[Division]:
        """Divisions one or two levels below `parent` (a name may skip its prefecture), or provinces."""
        if parent is None:
            return list(self.roots)
        out = list(parent.children)
        for c in parent.children:
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
    # Reading the 6.8 MB table costs ~0.35 CPU-s a process; its 47k rows load from the cache in ~0.03 s.
    key = hashlib.sha256(f"{path}|{stat.st_size}|{stat.st_mtime_ns}|{_ROW.pattern}".encode()).hexdigest()[:20]
    return build(cached_marshal("places", key, lambda: _read_rows(path)))


def _read_rows(path: Path) -> list[tuple[int, str, Optional[str]]]:
    with zipfile.ZipFile(path) as z:
        raw = z.read(z.namelist()[0]).decode("utf-8")
    # Rows indented 0..3 tabs are province..township; a regex skips the 650k village rows fast.
    return [(len(tabs), name.strip(), code or None) for tabs, name, code in _ROW.findall(raw)]


_ROW = re.compile(r"^(\t{0,3})([^\t\n]+)(?:\t(\d+))?", re.M)


def build(rows: Iterable[tuple[int, str, Optional[str]]]) -> Gazetteer:
    """(depth, name, code) rows in table order → the division tree."""
    roots: list[Division] = []
    real: list[Optional[Division]] = []  # nearest real (non-grouping) division at each depth
    for depth, name, code in rows:
        del real[depth:]
        if len(real) < depth:  # a row deeper than its parent: malformed, skipped
            continue
        parent = real[depth - 1] if depth else None
        # A municipality's prefecture row repeats its province (上海市 / 上海市): one division.
        if parent is not None and (name in _TRANSPARENT or (depth == 1 and name == parent.name)):
            real.append(parent)
            continue
        d = Division(name=name, level=LEVELS[depth], code=code, parent=parent)
        (parent.children if parent is not None else roots).append(d)
        real.append(d)
    return Gazetteer(roots)


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
