"""Batches that never lose a report: one output plan, isolated workers with limits, a run log, resume.

The contract other parts (the crawler, the CLI) code against::

    results = run_batch([BatchInput("a.pdf"), BatchInput("b.html", rel="agency/b")], Path("out"), BatchOptions())

writes one JSON per input into ``out`` plus ``out/xxgk-run.jsonl``, skips inputs unchanged since the last
run, and never raises for a bad input: each one ends as an InputResult with a status from xxgk.status.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional


@dataclass
class BatchInput:
    """One thing to convert: a path (or an http(s) URL)."""

    source: str
    rel: Optional[str] = None  # output name relative to out_dir without ".json" (None: derived by the plan)
    source_extra: dict = field(default_factory=dict)  # merged into report["source"] (e.g. url, referer, fetched_at)


@dataclass
class BatchOptions:
    """How a batch runs; the CLI's options map one to one."""

    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    timeout: float = 300.0  # seconds per file; a scanned PDF or image gets this per page
    max_memory_mb: int = 2048  # address-space limit of each worker process (RLIMIT_AS)
    ocr_engine: str = "tesseract"
    force: bool = False  # convert again even when the run log says the output is up to date
    scheduler: Optional[str] = None  # None: local pool; "local": a Dask LocalCluster; "tcp://HOST:PORT": a cluster
    progress: bool = True  # a rich progress display when stderr is a terminal
    quiet: bool = False  # only errors and the summary
    verbose: bool = False  # also each file's warnings (library warnings, null fields)
    overwrite: bool = False  # replace an existing file that is not an xxgk report
    echo: bool = False  # print one line per input (the CLI); the library is silent by default
    run_log: bool = True  # write OUT/xxgk-run.jsonl (and resume from it)


@dataclass
class InputResult:
    """What one input became; one line of OUT/xxgk-run.jsonl."""

    input: str
    output: Optional[str]
    status: str
    reason: Optional[str]
    seconds: float
    pages: Optional[int]
    peak_mb: Optional[float]
    sha256: Optional[str]
    warnings: list = field(default_factory=list)  # library warnings and stderr lines captured in the worker
    summary: Optional[dict] = None  # template, agency, year, failed checks, null fields (for the per-file line)


def run_batch(inputs: list[BatchInput], out_dir: Path, options: BatchOptions,
              on_result: Optional[Callable[[InputResult], None]] = None,
              problems: Optional[list[InputResult]] = None) -> list[InputResult]:
    """Convert every input into out_dir; results in input order (on_result sees them as they finish).

    ``problems`` (what could not even be listed, e.g. an unreadable folder) are reported and logged first.
    """
    from xxgk.batch.runner import run

    return run(inputs, Path(out_dir), options, on_result, problems or [])


__all__ = ["BatchInput", "BatchOptions", "InputResult", "run_batch"]
