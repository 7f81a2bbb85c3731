"""normalize/'s regular expressions, compiled once per Python and stored in the cache folder.

`re`'s compiler is written in Python, and a character class mixing CJK ranges with other characters
makes it fill a 64 K-entry map one code point at a time: compiling normalize/'s ~65 patterns costs
~20 ms of every process, an eighth of a one-file CLI run. The compiled programs are plain lists of
ints, so a process that finds them in the cache hands them straight to the regex engine (`_sre`).
The cache file is keyed by everything a program depends on (Python's version, the engine's magic
number and code size); any problem with it, or with the engine's private interface, falls back to
`re.compile` — never to a different pattern.
"""
from __future__ import annotations

import re
import sys

from xxgk.normalize.cache import StoredTable

try:  # CPython's engine and compiler; elsewhere (or if they change shape) every pattern uses re.compile
    import _sre
    from re import _compiler, _parser

    _ENGINE = f"{sys.version}|{sys.implementation.cache_tag}|{_sre.MAGIC}|{_sre.CODESIZE}|{_sre.MAXGROUPS}"
except (ImportError, AttributeError):
    _sre = None
    _ENGINE = ""

# (source, flags) -> (flags, code, groups, groupindex, indexgroup): _sre.compile's arguments after the source
PROGRAMS = StoredTable("regex", _ENGINE, limit=1000)


def compile(source: str, flags: int = 0) -> re.Pattern:  # noqa: A001 - mirrors re.compile
    """re.compile(source, flags), from the stored program when there is one."""
    flags = int(flags)
    if _sre is None or not isinstance(source, str):
        return re.compile(source, flags)
    key = (source, flags)
    program = PROGRAMS.get(key)
    if program is not None:
        try:
            return _sre.compile(source, *program)
        except Exception:  # a damaged entry: compiled again below, and the file rewritten
            PROGRAMS.drop(key)
    try:
        program = _program(source, flags)
        compiled = _sre.compile(source, *program)
    except Exception:  # the engine's private interface changed: the public one still works
        return re.compile(source, flags)
    PROGRAMS.put(key, program)
    return compiled


def _program(source: str, flags: int) -> tuple:
    """What re._compiler.compile hands to _sre.compile, as marshal-able values."""
    parsed = _parser.parse(source, flags)
    code = [int(c) for c in _compiler._code(parsed, flags)]
    groupindex = dict(parsed.state.groupdict)
    indexgroup = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return int(flags | parsed.state.flags), code, parsed.state.groups - 1, groupindex, tuple(indexgroup)
