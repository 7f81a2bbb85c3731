"""Resume: an input is skipped when the run log records, for its output, the same source SHA-256, the same
xxgk version and the same OCR engine, and the output file there still has the SHA-256 the log records
(the line is written just before the output is renamed into place, so a kill between the two is seen)."""
from __future__ import annotations

import hashlib
import os
from typing import Optional

from xxgk import status as st

REPORT_STATUSES = (st.CONVERTED, st.INCOMPLETE, st.FAILED_CHECKS)


def file_sha256(path: str) -> Optional[str]:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()


def text_sha256(text: str | bytes) -> str:
    return hashlib.sha256(text.encode("utf-8") if isinstance(text, str) else text).hexdigest()


def outcome(record: dict) -> Optional[str]:
    """The status the recorded output was written with (a skipped line carries it in "was")."""
    s = record.get("was") if record.get("status") == st.SKIPPED else record.get("status")
    return s if s in REPORT_STATUSES else None


def up_to_date(record: Optional[dict], target: str, sha256: Optional[str], version: str, engine: str) -> bool:
    return bool(record and sha256 and outcome(record) and record.get("sha256") == sha256
                and record.get("xxgk_version") == version and record.get("ocr_engine") == engine
                and record.get("output_sha256") and os.path.isfile(target)
                and file_sha256(target) == record["output_sha256"])
