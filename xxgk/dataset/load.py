"""Read a folder of canonical JSON outputs: every report, and a one-line error for each file that is not one."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable


@dataclass
class LoadedReport:
    path: Path  # the JSON file
    name: str  # its path relative to the folder given (what the audit and export print)
    report: dict

    @property
    def id(self) -> str:
        return self.report.get("source", {}).get("sha256") or self._file_sha

    @property
    def _file_sha(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def _json_files(args: Iterable[str]) -> list[tuple[Path, str]]:
    out = []
    for a in args:
        p = Path(a)
        if p.is_dir():
            out += [(f, f.relative_to(p).as_posix()) for f in sorted(p.rglob("*.json"))
                    if f.is_file() and not f.name.startswith(".") and not f.name.endswith(".expected.json")]
        else:
            out.append((p, p.name))
    return out


def load_reports(args: Iterable[str]) -> tuple[list[LoadedReport], list[str]]:
    """(reports in path order, error lines 'FILE: reason')."""
    reports, errors = [], []
    for path, name in _json_files(args):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            errors.append(f"{path}: not readable JSON ({e.__class__.__name__})")
            continue
        if not isinstance(data, dict) or data.get("schema_version") != "1" or "applications" not in data:
            errors.append(f"{path}: not a canonical report (no schema_version 1)")
            continue
        reports.append(LoadedReport(path, name, data))
    return reports, errors
