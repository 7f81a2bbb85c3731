"""Hostile inputs (issue 9) in one real batch with good inputs: `xxgk convert` over the generated corpus
(fixtures/hostile/make_hostile.py) plus copies of the born-digital fixtures and one input inside the output
folder, -j 2, --max-memory 2G. Each hostile case is one test of its status and reason; every good input's
JSON equals its single-file conversion; peaks stay under the limit; nothing is written outside the output
folder. (bench/batch.py is the same run with 1,000 good inputs.)
"""
from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from fixtures.hostile.corpus_batch import batch_problems, problems_of, run_corpus_batch  # noqa: E402
from fixtures.hostile.make_hostile import make_hostile  # noqa: E402

import xxgk  # noqa: E402

MAX_MEMORY_MB = 2048  # --max-memory 2G, as the batch runs
PEAK_MB = 1200  # no input may bring its worker near the limit
N_GOOD = 15  # one copy of every good fixture kind; bench/batch.py runs 1,000


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    return run_corpus_batch(tmp_path_factory.mktemp("batch"), N_GOOD, jobs=2, max_memory="2G", timeout=60)


def _names() -> list:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        return [c.name for c in make_hostile(tmp)]


@pytest.mark.parametrize("name", _names())
def test_hostile_input(name, outcome):
    (path,) = [p for p, e in outcome.expected.items() if e.kind == "hostile" and Path(p).name == name]
    assert problems_of(outcome, path, PEAK_MB) == [], outcome.records.get(path)


def test_every_good_input_converts_as_on_its_own(outcome):
    good = [p for p, e in outcome.expected.items() if e.kind == "good"]
    assert len(good) == N_GOOD + 1
    assert {p: problems_of(outcome, p, PEAK_MB) for p in good} == {p: [] for p in good}


def test_the_batch_as_a_whole(outcome):
    assert batch_problems(outcome) == []
    peaks = [r["peak_mb"] for r in outcome.records.values() if r.get("peak_mb")]
    assert peaks and max(peaks) < PEAK_MB < MAX_MEMORY_MB
    last = outcome.stdout.splitlines()[-1]
    n_bad = sum(1 for e in outcome.expected.values() if e.status in ("refused", "failed"))
    m = re.search(r", refused (\d+), failed (\d+)$", last)
    assert m and int(m.group(1)) + int(m.group(2)) == n_bad, last


def test_bombs_are_quick(outcome):
    """A bomb is refused or read within seconds, not after exhausting something."""
    by_name = {Path(p).name: r for p, r in outcome.records.items()}
    for name in ("zip_bomb.docx", "gridspan_bomb.docx", "rowspan_bomb.html", "nested_divs_10k.html",
                 "dev_zero.txt", "fifo.html"):
        assert by_name[name]["seconds"] < 20, by_name[name]


def test_the_api_refuses_non_files_without_reading(tmp_path):
    cases = {c.name: c for c in make_hostile(tmp_path) if c.name in ("fifo.html", "dev_zero.txt", "loop_a.pdf",
                                                                    "a_folder.pdf", "empty.pdf")}
    start = time.monotonic()
    got = {name: xxgk.convert(c.path) for name, c in cases.items()}
    assert time.monotonic() - start < 10
    assert {n: r.status for n, r in got.items()} == {n: c.expected_status for n, c in cases.items()}
    for name, r in got.items():
        assert len(r.errors) == 1 and cases[name].message_contains in r.errors[0], r.errors
