"""A cache for pure functions of one text: short texts (cells, headings, lines) recur within a report
and report after report, so each is computed once; long ones (whole paragraphs) are not kept."""
from __future__ import annotations

from functools import lru_cache, wraps
from typing import Callable, Optional, TypeVar

T = TypeVar("T")
CACHED_LEN = 400  # a text longer than this is computed every time, so a page of prose cannot fill memory


def short_text_cache(max_len: int = CACHED_LEN, maxsize: int = 16384) -> Callable[[Callable[[Optional[str]], T]],
                                                                                Callable[[Optional[str]], T]]:
    """Decorator: results for texts up to `max_len` characters (and None) are cached; the uncached
    function stays reachable as `__wrapped__`. Only for pure functions whose results are immutable."""
    def wrap(fn: Callable[[Optional[str]], T]) -> Callable[[Optional[str]], T]:
        cached = lru_cache(maxsize=maxsize)(fn)

        @wraps(fn)
        def call(text: Optional[str]) -> T:
            return cached(text) if text is None or len(text) <= max_len else fn(text)

        call.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        return call
    return wrap
