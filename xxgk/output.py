"""Writing a report without ever clobbering or half-writing a file; output modes follow the umask."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable, Optional
from urllib.parse import urlparse

try:  # orjson writes the same indented text ~30x faster than the stdlib's pure-Python indenting encoder
    import orjson
except ImportError:  # pragma: no cover - orjson is a declared dependency; the stdlib writes equal JSON
    orjson = None

INPUT_EXTENSIONS = {".pdf", ".docx", ".doc", ".wps", ".rtf", ".odt", ".ofd", ".html", ".htm", ".shtml", ".xhtml",
                    ".txt", ".md", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"}
TEMP_PREFIX = ".xxgk-"  # temp names are short and fixed-length: a long CJK output name must not make them too long
TEMP_SUFFIX = ".tmp"


def is_url(s: str) -> bool:
    return urlparse(s).scheme in ("http", "https")


def report_bytes(report: dict) -> bytes:
    """The one serialisation of a report, as UTF-8: local pool, cluster and API all write these exact bytes."""
    if orjson is not None:
        try:
            return orjson.dumps(report, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
        except TypeError:  # what orjson does not take (a non-str key, an int past 64 bits): the stdlib does
            pass
    return (json.dumps(report, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def dumps_report(report: dict) -> str:
    return report_bytes(report).decode("utf-8")


_mode: Optional[int] = None


def file_mode() -> int:
    """0666 less the process umask, as open() would give; read once (umask() can only be read by setting it)."""
    global _mode
    if _mode is None:
        mask = os.umask(0o022)
        os.umask(mask)
        _mode = 0o666 & ~mask
    return _mode


def temp_path(directory: Path) -> Path:
    # os.urandom, not secrets: the same bytes, without secrets' imports (hmac, random) in every process
    return directory / f"{TEMP_PREFIX}{os.getpid()}-{os.urandom(4).hex()}{TEMP_SUFFIX}"


def write_text_atomic(path: Path, text: str | bytes, replace: bool = True,
                      before_rename: Optional[Callable[[], None]] = None) -> None:
    """Write to a temporary file beside the target, then move it into place in one step.

    replace=False fails with FileExistsError if the target exists (os.link: no check-then-write race).
    before_rename runs once the bytes are on disk, just before the move (the batch writes its log line there).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(path.parent)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode("utf-8") if isinstance(text, str) else text)
            f.flush()
            os.fchmod(f.fileno(), file_mode())
            os.fsync(f.fileno())
        if before_rename is not None:
            before_rename()
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)
            os.unlink(tmp)
    except BaseException:  # Ctrl-C or a full disk: never leave the temporary file behind
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_json_atomic(path: Path, data: dict, overwrite: bool) -> None:
    """A report as JSON, atomically; an existing file is replaced only with overwrite=True."""
    write_text_atomic(Path(path), report_bytes(data), replace=overwrite)


def is_xxgk_report(path: Path) -> bool:
    """True when the file at path is one of our reports (so a re-run may replace it)."""
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return False
    return head.lstrip().startswith(b"{") and b'"schema_version"' in head


def remove_stale_temps(directory: Path) -> int:
    """Delete temp files left by a killed run (their writer's pid is gone); returns how many."""
    removed = 0
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return 0
    for e in entries:
        if not (e.name.startswith(TEMP_PREFIX) and e.name.endswith(TEMP_SUFFIX)):
            continue
        pid = e.name[len(TEMP_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not pid_alive(int(pid)):
            try:
                os.unlink(e.path)
                removed += 1
            except OSError:
                pass
    return removed


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid is running (one we may not signal counts as alive; a zombie does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    """A killed run whose parent has not reaped it still answers kill(pid, 0); Linux's /proc says it is dead."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:  # no /proc (macOS) or the process just went: trust kill()
        return False
    return stat[stat.rfind(b")") + 2:][:1] in (b"Z", b"X")  # the state follows the parenthesised command name
