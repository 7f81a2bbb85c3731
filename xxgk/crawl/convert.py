"""Converting the crawl's saved files through the batch engine (isolated workers, per-file limits).

Results are staged in DIR/.crawl/reports/<sha256>.json and remembered in DIR/.crawl/converted.jsonl,
so that a resumed or repeated crawl converts only files it has not converted before.
"""
from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from xxgk.crawl.manifest import ManifestWriter

OFD_UNSUPPORTED = "OFD not supported yet"


@dataclass
class Job:
    sha256: str
    path: Path  # the saved file
    source_extra: dict  # url, referer, fetched_at for report["source"]


def ledger_path(out_dir: Path) -> Path:
    return out_dir / ".crawl" / "converted.jsonl"


def load_ledger(out_dir: Path) -> dict[str, dict]:
    """sha256 -> {status, reason, report (staged JSON path or None), seconds}."""
    rows = {}
    path = ledger_path(out_dir)
    if path.exists():
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                row = json.loads(line)
                rows[row["sha256"]] = row
            except (ValueError, KeyError, TypeError):
                continue
    return rows


def _ofd_supported() -> bool:
    return importlib.util.find_spec("xxgk.converters.ofd") is not None


def _is_ofd(path: Path) -> bool:
    head = path.read_bytes()[:4096] if path.exists() else b""
    return path.suffix.lower() == ".ofd" or (head.startswith(b"PK") and b"OFD.xml" in head)


def convert_new(out_dir: Path, jobs: list[Job], workers: int = 2, timeout: float = 300.0,
                ocr_engine: str = "tesseract", on_done: Optional[Callable[[dict], None]] = None) -> dict[str, dict]:
    """Convert the jobs whose sha256 the ledger does not know yet; the whole ledger afterwards."""
    ledger = load_ledger(out_dir)
    todo = [j for j in jobs if j.sha256 not in ledger]
    writer = ManifestWriter(ledger_path(out_dir))  # same append-a-line discipline as the manifest
    stage = out_dir / ".crawl" / "reports"
    stage.mkdir(parents=True, exist_ok=True)

    def done(row: dict) -> None:
        ledger[row["sha256"]] = row
        writer.write(row)
        if on_done:
            on_done(row)

    try:
        runnable = []
        for j in todo:
            if _is_ofd(j.path) and not _ofd_supported():
                done({"sha256": j.sha256, "status": "refused", "reason": OFD_UNSUPPORTED, "report": None, "seconds": 0})
            else:
                runnable.append(j)
        if runnable:
            _run(runnable, stage, workers, timeout, ocr_engine, done)
    finally:
        writer.close()
    return ledger


def _run(jobs: list[Job], stage: Path, workers: int, timeout: float, ocr_engine: str, done) -> None:
    from xxgk.batch import BatchInput, BatchOptions, run_batch

    inputs = [BatchInput(str(j.path), rel=j.sha256, source_extra=j.source_extra) for j in jobs]
    by_source = {str(j.path): j for j in jobs}
    options = BatchOptions(jobs=workers, timeout=timeout, ocr_engine=ocr_engine, force=True, progress=False,
                           quiet=True, overwrite=True, run_log=False)

    def on_result(res) -> None:
        j = by_source.get(res.input)
        if j is None:
            return
        report = res.output if res.output and Path(res.output).exists() else None
        done({"sha256": j.sha256, "status": res.status, "reason": res.reason, "report": report,
              "seconds": round(res.seconds or 0.0, 3)})

    run_batch(inputs, stage, options, on_result)


def staged_report(row: dict) -> Optional[dict]:
    if not row.get("report"):
        return None
    try:
        return json.loads(Path(row["report"]).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


__all__ = ["Job", "OFD_UNSUPPORTED", "convert_new", "load_ledger", "staged_report"]
