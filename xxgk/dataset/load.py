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


def is_crawl_dir(p: Path) -> bool:
    """A folder `xxgk crawl` wrote: its reports are under json/, beside manifest.jsonl and summary.json."""
    return (p / "manifest.jsonl").is_file() and (p / "summary.json").is_file()


def _wanted(f: Path, top: Path) -> bool:
    rel = f.relative_to(top).parts
    # Hidden files and folders (a crawl's .crawl/ staging copies) and golden files are not outputs.
    return f.is_file() and not any(part.startswith(".") for part in rel) and not f.name.endswith(".expected.json")


def _json_files(args: Iterable[str]) -> list[tuple[Path, str]]:
    out = []
    for a in args:
        p = Path(a)
        if p.is_dir():
            found = (p / "json").rglob("*.json") if is_crawl_dir(p) else p.rglob("*.json")
            out += [(f, f.relative_to(p).as_posix()) for f in sorted(found) if _wanted(f, p)]
        else:
            out.append((p, p.name))
    return out


def crawl_sites(args: Iterable[str]) -> dict[str, dict]:
    """Start site → its crawl summary, with `reports`: the kept reports' resolved paths (crawl folders only)."""
    sites: dict[str, dict] = {}
    for a in args:
        p = Path(a)
        if not (p.is_dir() and is_crawl_dir(p)):
            continue
        try:
            summary = json.loads((p / "summary.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for site, s in (summary.items() if isinstance(summary, dict) else ()):
            if isinstance(s, dict):
                kept = [str((p / c["json"]).resolve()) for c in s.get("coverage", []) if c.get("json")]
                sites[site] = {**s, "reports": kept}
    return sites


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
