"""DIR/manifest.jsonl: one line per URL seen, with what became of it.

During a crawl lines are appended (a killed crawl keeps what it recorded); afterwards the file is
rewritten once, atomically, with the last line per URL, the conversion outcome filled in.
"""
from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

FIELDS = ("url", "site", "referer", "link_text", "kind", "status", "content_type", "bytes", "sha256",
          "fetched_at", "path", "outcome", "reason")
# outcomes that end a URL's story; anything else ("saved") is completed by the conversion
OUTCOMES = ("saved", "duplicate", "converted", "incomplete", "failed_checks", "refused", "failed", "not_report",
            "pre2019", "deleted", "robots", "offsite", "redirect", "redirect_loop", "http_error", "timeout",
            "too_large", "bound", "unsupported", "error", "listing", "detail", "alternate")


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def record(url: str, outcome: str, reason: str = "", **fields) -> dict:
    rec = {k: None for k in FIELDS}
    rec.update(fields)
    rec.update(url=url, outcome=outcome, reason=reason)
    return rec


class ManifestWriter:
    """Appends records, one JSON line each, flushed at once so that a kill loses at most a partial line."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.f = open(path, "a", encoding="utf-8")

    def write(self, rec: dict) -> None:
        self.f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        self.f.flush()

    def close(self) -> None:
        self.f.close()


def load(path: Path) -> dict[str, dict]:
    """url -> its last complete record (a line cut short by a kill is skipped)."""
    out: dict[str, dict] = {}
    if not path.exists():
        return out
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if isinstance(rec, dict) and rec.get("url"):
                out[rec["url"]] = rec
    return out


def rewrite(path: Path, records: Iterable[dict]) -> None:
    """Replace the manifest with these records, atomically."""
    fd, tmp = tempfile.mkstemp(prefix=".manifest.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            for rec in records:
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
