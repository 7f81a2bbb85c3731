"""Convert fixtures for real into a folder of canonical JSON outputs (shared by the export and audit tests)."""
from __future__ import annotations

import json
from pathlib import Path

from xxgk.pipeline import convert_file

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SERIES = FIXTURES / "series"


def convert_into(out: Path, inputs: list[Path]) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for src in inputs:
        target = out / f"{src.stem}.json"
        target.write_text(json.dumps(convert_file(src), ensure_ascii=False, indent=1), encoding="utf-8")
        written.append(target)
    return written


def series_inputs() -> list[Path]:
    return sorted(SERIES.glob("*.txt"))


def text_and_html_inputs() -> list[Path]:
    """Every text and HTML golden fixture: 2019 and 2021 forms, blanks, inferred cells, failed checks."""
    return sorted(list((FIXTURES / "seeds").glob("*.txt")) + list((FIXTURES / "regressions").glob("*.txt"))
                  + list((FIXTURES / "html").glob("*.html")))
