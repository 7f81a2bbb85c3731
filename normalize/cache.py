"""A per-user cache of data xxgk derives at run time (the compiled schema validator, the place table).

Each file is named by a key of everything it derives from, written atomically, and never required:
an unusable cache only costs the time to derive the data again.
"""
from __future__ import annotations

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
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)  # concurrent workers: the last complete file wins, none is half-written
    except OSError:
        pass  # a read-only home: derive in each process instead


def cached_marshal(prefix: str, key: str, derive: Callable[[], T]) -> T:
    """`derive()`, stored as PREFIX-KEY.marshal; older files of the same prefix are removed."""
    folder = cache_dir()
    path = folder / f"{prefix}-{key}.marshal" if folder else None
    if path is not None:
        try:
            return marshal.loads(path.read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            pass
    value = derive()
    if path is not None:
        write_atomic(path, marshal.dumps(value))
        for stale in path.parent.glob(f"{prefix}-*.marshal"):  # derived from older data: never read again
            if stale != path:
                stale.unlink(missing_ok=True)
    return value
