"""The output plan, made once for the whole batch: every input gets its own output path, clashes impossible.

An output is the input's relative path and full name (extension and case kept) plus ".json":
``sub/report.TXT`` → ``OUT/sub/report.TXT.json``. Inputs whose outputs would still coincide (two folders
each holding report.html, names equal but for case, an output that would land on an input or the run log)
all get ``~`` and 8 hex digits of the SHA-1 of their absolute path or URL: deterministic, order-free.
"""
from __future__ import annotations

import hashlib
import os
import stat
import unicodedata
from pathlib import Path, PurePosixPath
from typing import Iterable, Optional
from urllib.parse import unquote, urlparse

from xxgk.batch import BatchInput, InputResult
from xxgk.output import INPUT_EXTENSIONS, is_url

MAX_BYTES = 200 * 1024 * 1024  # the pipeline's limit, checked here from stat() before anything is read
NAME_MAX = 255  # bytes per path component on Linux file systems
RUN_LOG = "xxgk-run.jsonl"
EMPTY_FOLDER = "is a directory holding no input files"


def _problem(src: str, status: str, reason: str) -> InputResult:
    return InputResult(src, None, status, reason, 0.0, None, None, None)


def file_problem(path: str) -> Optional[InputResult]:
    """Why this path cannot be read as an input, from stat() alone (a FIFO would block, /dev/zero never ends)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            return _problem(path, "failed", "broken symbolic link")
        return _problem(path, "failed", "no such file")
    except OSError as e:  # a symlink loop (ELOOP), a permission problem on the way
        return _problem(path, "failed", f"cannot read: {e.strerror or e}")
    if stat.S_ISDIR(st.st_mode):
        return _problem(path, "failed", "is a directory")
    if not stat.S_ISREG(st.st_mode):
        kind = ("a FIFO" if stat.S_ISFIFO(st.st_mode) else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
                else "a socket" if stat.S_ISSOCK(st.st_mode) else "not a file")
        return _problem(path, "refused", f"not a regular file ({kind}); not read")
    if st.st_size > MAX_BYTES:
        return _problem(path, "failed", f"the file is {st.st_size // (1024 * 1024)} MB; the limit is {MAX_BYTES // (1024 * 1024)} MB")
    if not os.access(path, os.R_OK):
        return _problem(path, "failed", "cannot read: Permission denied")
    return None


def expand_args(args: Iterable[str], out_dir: Optional[Path] = None) -> tuple[list[BatchInput], list[InputResult]]:
    """Inputs for files, URLs and every report-like file under folders; plus what could not be looked at.

    An unreadable subfolder is a problem in the results, never a silent skip. The output folder itself is
    not searched (its JSON files are ours).
    """
    inputs: list[BatchInput] = []
    problems: list[InputResult] = []
    out_real = os.path.realpath(out_dir) if out_dir is not None else None
    for a in args:
        if is_url(a):
            inputs.append(BatchInput(a))
        elif os.path.isdir(a):
            found = len(inputs)
            _walk(a, out_real, inputs, problems)
            if len(inputs) == found:  # a folder named on the command line gave nothing: say so, never skip silently
                problems.append(_problem(a, "failed", EMPTY_FOLDER))
        else:
            inputs.append(BatchInput(a))  # checked (FIFO, size, missing) when the batch runs
    return inputs, problems


def _walk(root: str, out_real: Optional[str], inputs: list[BatchInput], problems: list[InputResult]) -> None:
    def onerror(e: OSError) -> None:
        problems.append(_problem(e.filename or root, "failed", f"cannot read folder: {e.strerror or e}"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=onerror):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")
                             and (out_real is None or os.path.realpath(os.path.join(dirpath, d)) != out_real))
        for name in sorted(filenames):
            if name.startswith(".") or os.path.splitext(name)[1].lower() not in INPUT_EXTENSIONS:
                continue
            full = os.path.join(dirpath, name)
            inputs.append(BatchInput(full, rel=os.path.relpath(full, root)))


def identity(inp: BatchInput) -> str:
    """What makes an input itself: its URL, or its absolute path."""
    return inp.source if is_url(inp.source) else os.path.abspath(inp.source)


def _tag(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogateescape")).hexdigest()[:8]


def _fit(part: str, reserve: int) -> str:
    """A path component cut (on a character boundary) so that it plus `reserve` bytes fits NAME_MAX."""
    raw = part.encode("utf-8", "surrogateescape")
    if len(raw) + reserve <= NAME_MAX:
        return part
    return raw[: NAME_MAX - reserve - 9].decode("utf-8", "ignore") + "~" + _tag(part)


def _base_rel(inp: BatchInput) -> str:
    """The output path relative to OUT before disambiguation, without ".json"."""
    if inp.rel is not None:
        rel = inp.rel
    elif is_url(inp.source):
        rel = unquote(PurePosixPath(urlparse(inp.source).path).name) or "index"
    else:
        rel = os.path.basename(inp.source.rstrip("/")) or "input"
    parts = [p for p in rel.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    return "/".join(_fit(p, 0) for p in parts) or "input"


def _key(path: str) -> str:
    """Clash key: equal keys would be one file on a case-insensitive or normalising file system."""
    return unicodedata.normalize("NFC", path).casefold()


def plan_outputs(inputs: list[BatchInput], out_dir: Path) -> list[Path]:
    """One output path per input, all different, decided before anything is converted."""
    out_dir = Path(out_dir)
    root = os.path.abspath(out_dir)

    def key(rel: str) -> str:  # = _key(abspath(out_dir / rel)), without a Path per call
        return _key(os.path.normpath(os.path.join(root, rel)))

    reserved = {key(RUN_LOG)} | {_key(os.path.abspath(i.source)) for i in inputs if not is_url(i.source)}
    bases = [_base_rel(i) for i in inputs]
    rels = [_with_json(b) for b in bases]
    keys = [key(r) for r in rels]
    count: dict[str, int] = {}
    for k in keys:
        count[k] = count.get(k, 0) + 1
    taken = set(reserved)
    final: list[Optional[str]] = [None] * len(inputs)
    # first the names that need no tag, so a tagged name can never take them
    for i, (r, k) in enumerate(zip(rels, keys)):
        if count[k] == 1 and k not in reserved:
            final[i] = r
            taken.add(k)
    for i in range(len(inputs)):
        if final[i] is not None:
            continue
        head, _, name = bases[i].rpartition("/")
        salt = identity(inputs[i])
        while True:
            candidate = (f"{head}/" if head else "") + _with_json(_fit(name, 14) + "~" + _tag(salt))
            if key(candidate) not in taken:
                break
            salt += "\x00"  # a tag collision (or a file literally named like a tagged one): the next tag
        final[i] = candidate
        taken.add(key(candidate))
    return [out_dir / r for r in final]  # type: ignore[operator]


def _with_json(rel: str) -> str:
    head, _, name = rel.rpartition("/")
    name = _fit(name, 5) + ".json"
    return f"{head}/{name}" if head else name
