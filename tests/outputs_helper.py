"""Convert fixtures for real into a folder of canonical JSON outputs (shared by the export and audit tests)."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from xxgk.pipeline import convert_file

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SERIES = FIXTURES / "series"


@lru_cache(maxsize=None)
def _converted_text(src: Path, mtime: float) -> str:
    return json.dumps(convert_file(src), ensure_ascii=False, indent=1)


def converted(src: Path) -> dict:
    """The report of one fixture, converted for real once per test session (a fresh dict each call)."""
    return json.loads(_converted_text(src, src.stat().st_mtime))


def convert_into(out: Path, inputs: list[Path]) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for src in inputs:
        target = out / f"{src.stem}.json"
        target.write_text(_converted_text(src, src.stat().st_mtime), encoding="utf-8")
        written.append(target)
    return written


def series_inputs() -> list[Path]:
    return sorted(SERIES.glob("*.txt"))


def text_and_html_inputs() -> list[Path]:
    """Every text and HTML golden fixture: 2019 and 2021 forms, blanks, inferred cells, failed checks."""
    return sorted(list((FIXTURES / "seeds").glob("*.txt")) + list((FIXTURES / "regressions").glob("*.txt"))
                  + list((FIXTURES / "html").glob("*.html")))
