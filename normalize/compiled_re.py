"""normalize/'s regular expressions, compiled once per Python and stored in the cache folder.

`re`'s compiler is written in Python, and a character class mixing CJK ranges with other characters
makes it fill a 64 K-entry map one code point at a time: compiling normalize/'s ~70 patterns costs
~20 ms of every process, a third of a one-file CLI run. The compiled programs are plain lists of
ints, so a process that finds them in the cache hands them straight to the regex engine (`_sre`).
The cache file is keyed by everything a program depends on (Python's version, the engine's magic
number and code size); any problem with it, or with the engine's private interface, falls back to
`re.compile` — never to a different pattern.
"""
from __future__ import annotations

import hashlib
import marshal
import re
import sys
from typing import Optional

from xxgk.normalize.cache import cache_dir, write_atomic

try:  # CPython's engine and compiler; elsewhere (or if they change shape) every pattern uses re.compile
    import _sre
    from re import _compiler, _parser

    _ENGINE = f"{sys.version}|{sys.implementation.cache_tag}|{_sre.MAGIC}|{_sre.CODESIZE}|{_sre.MAXGROUPS}"
except (ImportError, AttributeError):
    _sre = None
    _ENGINE = ""

_PREFIX = "regex"
_Program = tuple  # (flags, code, groups, groupindex, indexgroup): _sre.compile's arguments after the pattern

_stored: Optional[dict] = None  # what the cache file held, loaded at the first pattern
_used: dict = {}  # every pattern compiled here
_KEEP = 1000  # patterns a rewritten file keeps from the one it replaces (each kind of run adds its own)
_missing = False  # some pattern was not in the file


def compile(source: str, flags: int = 0) -> re.Pattern:  # noqa: A001 - mirrors re.compile
    """re.compile(source, flags), from the stored program when there is one."""
    global _missing
    flags = int(flags)
    if _sre is None or not isinstance(source, str):
        return re.compile(source, flags)
    key = (source, flags)
    program = _load().get(key)
    if program is not None:
        try:
            compiled = _sre.compile(source, *program)
        except Exception:  # a damaged entry: compiled again below, and the file rewritten
            program = None
    if program is None:
        try:
            program = _program(source, flags)
            compiled = _sre.compile(source, *program)
        except Exception:  # the engine's private interface changed: the public one still works
            return re.compile(source, flags)
        _missing = True
    _used[key] = program
    return compiled


def _program(source: str, flags: int) -> _Program:
    """What re._compiler.compile hands to _sre.compile, as marshal-able values."""
    parsed = _parser.parse(source, flags)
    code = [int(c) for c in _compiler._code(parsed, flags)]
    groupindex = dict(parsed.state.groupdict)
    indexgroup = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return int(flags | parsed.state.flags), code, parsed.state.groups - 1, groupindex, tuple(indexgroup)


def _path():
    folder = cache_dir()
    if folder is None or not _ENGINE:
        return None
    return folder / f"{_PREFIX}-{hashlib.sha256(_ENGINE.encode()).hexdigest()[:20]}.marshal"


def _load() -> dict:
    global _stored
    if _stored is None:
        _stored = {}
        path = _path()
        if path is not None:
            try:
                value = marshal.loads(path.read_bytes())
                if isinstance(value, dict):
                    _stored = value
            except (OSError, ValueError, EOFError, TypeError):
                pass
    return _stored


def save() -> None:
    """Store the programs compiled in this process when the file lacked one (call once the modules are imported)."""
    global _missing
    path = _path()
    if not _missing or path is None:
        return
    _missing = False
    kept = _load() if len(_load()) <= _KEEP else {}  # beyond that, mostly patterns of older sources
    write_atomic(path, marshal.dumps({**kept, **_used}))
    for stale in path.parent.glob(f"{_PREFIX}-*.marshal"):  # another Python's: never read by this one
        if stale != path:
            stale.unlink(missing_ok=True)
