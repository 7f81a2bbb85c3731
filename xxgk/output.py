"""Where each report goes, and writing it without ever clobbering or half-writing a file."""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Iterable
from urllib.parse import urlparse

INPUT_EXTENSIONS = {".pdf", ".docx", ".doc", ".wps", ".rtf", ".odt", ".html", ".htm", ".shtml", ".xhtml",
                    ".txt", ".md", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"}


def is_url(s: str) -> bool:
    return urlparse(s).scheme in ("http", "https")


def expand_inputs(args: Iterable[str]) -> list[tuple[str, Path | None]]:
    """(input, folder it came from) for files, URLs and every report-like file under folders."""
    out: list[tuple[str, Path | None]] = []
    for a in args:
        p = Path(a)
        if not is_url(a) and p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix.lower() in INPUT_EXTENSIONS and not f.name.startswith("."):
                    out.append((str(f), p))
        else:
            out.append((a, None))
    return out


def plan_outputs(inputs: list[tuple[str, Path | None]], out_dir: Path) -> list[Path]:
    """One JSON per input named after it; a folder's structure is kept; clashes get the extension."""
    targets: list[Path] = []
    for src, root in inputs:
        if is_url(src):
            tail = Path(urlparse(src).path).stem or "index"
            rel = Path(f"{tail}-{hashlib.sha1(src.encode()).hexdigest()[:8]}")
        elif root is not None:
            rel = Path(src).relative_to(root).with_suffix("")
        else:
            rel = Path(Path(src).stem)
        targets.append(out_dir / rel.with_name(rel.name + ".json"))
    seen: dict[Path, int] = {}
    for t in targets:
        seen[t] = seen.get(t, 0) + 1
    for i, ((src, _), t) in enumerate(zip(inputs, targets)):
        if seen[t] > 1 and not is_url(src):
            targets[i] = t.with_name(f"{Path(src).stem}{Path(src).suffix.lower()}.json")
    return targets


def write_json_atomic(path: Path, data: dict, overwrite: bool) -> None:
    """Write to a temporary file beside the target, then move it into place in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=2)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails if the target exists: no check-then-write race
            os.unlink(tmp)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
