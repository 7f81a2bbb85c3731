"""OUT/xxgk-run.jsonl: one line per input per run, appended as each input finishes (the resume record)."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Optional

from xxgk.batch import InputResult
from xxgk.batch.plan import RUN_LOG


def output_key(path: str | os.PathLike) -> str:
    return os.path.abspath(path)


class RunLog:
    """Append-only JSON lines; a line cut short by a kill is ignored when read back."""

    def __init__(self, out_dir: Path) -> None:
        self.path = Path(out_dir) / RUN_LOG
        self._fd: Optional[int] = None

    def records(self) -> dict[str, dict]:
        """The last record per output path (absolute) of earlier runs."""
        last: dict[str, dict] = {}
        try:
            with open(self.path, "rb") as f:
                for raw in f:
                    try:
                        rec = json.loads(raw)
                    except ValueError:
                        continue
                    if isinstance(rec, dict) and rec.get("output"):
                        last[output_key(Path(self.path.parent, rec["output"]))] = rec
        except OSError:
            pass
        return last

    def append(self, result: InputResult, **extra: object) -> None:
        rec = {"input": result.input,
               "output": os.path.relpath(result.output, self.path.parent) if result.output else None,
               "status": result.status, "reason": result.reason, "seconds": result.seconds, "pages": result.pages,
               "peak_mb": result.peak_mb, "sha256": result.sha256, **extra,
               "warnings": result.warnings, "time": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            from xxgk.output import file_mode

            self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, file_mode())
        os.write(self._fd, (json.dumps(rec, ensure_ascii=False) + "\n").encode("utf-8"))  # one write: one whole line

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
