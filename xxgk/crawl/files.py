"""DIR/files/: downloads under safe names, one file per SHA-256, written atomically, never outside DIR."""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Optional


class FileStore:
    def __init__(self, root: Path, known: Optional[dict[str, str]] = None):
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.real_root = self.root.resolve()
        self.by_sha: dict[str, str] = dict(known or {})  # sha256 -> path relative to DIR

    def save(self, name: str, body: bytes) -> tuple[str, str, bool]:
        """(sha256, path relative to DIR, True if the same bytes were already saved)."""
        sha = hashlib.sha256(body).hexdigest()
        if sha in self.by_sha and (self.root.parent / self.by_sha[sha]).exists():
            return sha, self.by_sha[sha], True
        target = self._free_path(name, sha)
        fd, tmp = tempfile.mkstemp(prefix=".part.", dir=self.root)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(body)
                f.flush()
                os.fsync(f.fileno())
            os.link(tmp, target)  # fails instead of replacing: nothing is ever overwritten
        finally:
            os.unlink(tmp)
        rel = str(target.relative_to(self.root.parent))
        self.by_sha[sha] = rel
        return sha, rel, False

    def _free_path(self, name: str, sha: str) -> Path:
        stem, dot, ext = name.rpartition(".")
        if not dot:
            stem, ext = name, ""
        for candidate in (name, f"{stem}-{sha[:10]}{dot}{ext}", f"{stem}-{sha}{dot}{ext}"):
            path = self.root / candidate
            # the name is one component already (names.safe_name); this is the last line of defence
            if path.resolve().parent != self.real_root:
                raise ValueError(f"unsafe file name {name!r}")
            if not path.exists():
                return path
        raise FileExistsError(f"no free name for {name!r}")
