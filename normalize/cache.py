"""A per-user cache of data xxgk derives at run time (the compiled schema validator, the place table,
compiled regular expressions, label ratios).

Each file is named by a key of everything it derives from, written atomically, and never required:
an unusable cache only costs the time to derive the data again.
"""
from __future__ import annotations

import contextlib
import marshal
import os
from pathlib import Path
from typing import Callable, Optional, TypeVar

T = TypeVar("T")


def cache_dir() -> Optional[Path]:
    """$XXGK_CACHE_DIR, else $XDG_CACHE_HOME/xxgk or ~/.cache/xxgk; None when there is no home to use."""
    folder = os.environ.get("XXGK_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "xxgk")
    return Path(folder) if os.path.isabs(folder) else None


def write_atomic(path: Path, data: bytes) -> None:
    import tempfile  # only when a cache file is (re)written

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".cache-")
    except OSError:
        return  # a read-only home: derive in each process instead
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)  # concurrent workers: the last complete file wins, none is half-written
    except OSError:  # a full disk: no half-written file left behind
        with contextlib.suppress(OSError):
            os.unlink(tmp)


_UNREAD = object()


def _cache_file(prefix: str, key: str) -> Optional[Path]:
    folder = cache_dir()
    return folder / f"{prefix}-{key}.marshal" if folder else None


def _read(path: Optional[Path]) -> object:
    """The file's value, or _UNREAD when there is none or it is damaged."""
    if path is not None:
        try:
            return marshal.loads(path.read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            pass
    return _UNREAD


def _store(path: Path, prefix: str, value: object) -> None:
    """Write `value` to `path` and remove the prefix's other files (derived from other data: never read again)."""
    try:
        blob = marshal.dumps(value)
    except ValueError:  # a value marshal cannot hold: nothing is stored
        return
    write_atomic(path, blob)
    for stale in path.parent.glob(f"{prefix}-*.marshal"):
        if stale != path:
            stale.unlink(missing_ok=True)


def cached_marshal(prefix: str, key: str, derive: Callable[[], T]) -> T:
    """`derive()`, stored as PREFIX-KEY.marshal; older files of the same prefix are removed."""
    path = _cache_file(prefix, key)
    value = _read(path)
    if value is not _UNREAD:
        return value  # type: ignore[return-value]
    value = derive()
    if path is not None:
        _store(path, prefix, value)
    return value


class StoredTable:
    """A table of values derived at run time (pure functions of their keys), kept in the cache folder.

    A process reads the file once, at its first lookup. Its first `save` after adding entries rewrites the
    file atomically when they hold something worth keeping; later saves do nothing, and the process stops
    recording what it uses (a batch worker would otherwise rewrite the file, and grow its record, for every
    report). A file grown past `limit` keeps only the entries this process used, so it cannot grow without
    bound across versions of the code; `keep` may narrow what is written.
    """

    def __init__(self, prefix: str, key: str, limit: int, keep: Optional[Callable[[dict], dict]] = None) -> None:
        import hashlib  # loaded by every caller anyway (the pipeline hashes its inputs)

        self.prefix, self.limit, self.keep = prefix, limit, keep
        self.digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
        self._stored: Optional[dict] = None
        self._used: dict = {}  # looked up or added in this process, until its save
        self._added = False
        self._saved = False
        _TABLES.append(self)

    def _path(self) -> Optional[Path]:
        return _cache_file(self.prefix, self.digest)

    def _load(self) -> dict:
        if self._stored is None:
            value = _read(self._path())
            self._stored = value if isinstance(value, dict) else {}
        return self._stored

    def get(self, key):
        """The stored value, or None."""
        value = self._load().get(key)
        if value is not None and not self._saved:
            self._used[key] = value
        return value

    def drop(self, key) -> None:
        """Forget a stored value found unusable: it is derived again and the file rewritten."""
        self._load().pop(key, None)
        self._used.pop(key, None)

    def put(self, key, value) -> None:
        if not self._saved:
            self._used[key] = value
            self._added = True

    def save(self) -> None:
        """Rewrite the file, once per process, if entries worth keeping were added."""
        if self._saved or not self._added:
            return
        self._saved = True
        path = self._path()
        if path is None:  # no cache folder: nothing to write, nothing more to record
            return
        stored = self._load()
        small = len(stored) <= self.limit
        data = dict(stored) if small else {}
        data.update(self._used.copy())  # copied in one step: other threads may still be adding
        if self.keep is not None:
            data = self.keep(data)
        if small and data.keys() <= stored.keys():
            return  # nothing new to keep: the file stays as it is
        _store(path, self.prefix, data)


_TABLES: list[StoredTable] = []


def save_tables() -> None:
    """Save every table that gained entries in this process (cheap when none did)."""
    for table in _TABLES:
        try:
            table.save()
        except Exception:  # a cache never fails a conversion
            pass
