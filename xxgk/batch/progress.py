"""What a batch shows while it runs: one line per input, under a rich progress display on a terminal.

On a terminal the display (files, pages, rate, ETA, the files being converted) stays at the bottom and the
per-file lines are printed above it; elsewhere (a pipe, a log file) there are only the plain lines.
"""
from __future__ import annotations

import sys
import time
from typing import Optional

from xxgk import status as st
from xxgk.batch import BatchOptions, InputResult


def result_line(r: InputResult, verbose: bool = False) -> tuple[str, bool]:
    """(text, is_error) for one finished input."""
    if r.status in (st.FAILED, st.REFUSED):
        text = f"xxgk: error: {r.input}: {r.reason}"
        if verbose and r.warnings:
            text += "".join(f"\n    warning: {w}" for w in r.warnings)
        return text, True
    if r.status == st.SKIPPED:
        text = f"skipped  {r.input} -> {r.output}  (unchanged since the last run)"
    else:
        s = r.summary or {}
        label = {st.CONVERTED: "ok", st.INCOMPLETE: "incomplete", st.FAILED_CHECKS: "ok"}[r.status]
        text = (f"{label}  {r.input} -> {r.output}  [{s.get('template')}] {s.get('agency') or '?'} {s.get('year') or '?'}  "
                f"checks failed {s.get('failed_checks', 0)}, warnings {s.get('warnings', 0)}"
                + (f", null fields {s['null_fields']}" if s.get("null_fields") else ""))
    if verbose and r.warnings:
        text += "".join(f"\n    warning: {w}" for w in r.warnings)
    return text, False


class Reporter:
    """Per-file lines plus (on a terminal) a live progress display; silent unless options.echo."""

    def __init__(self, total: int, options: BatchOptions) -> None:
        self.options = options
        self.total = total
        self.pages = 0
        self.active: dict[object, tuple[str, float]] = {}
        self.progress = None
        self.task = None
        if options.echo and options.progress and not options.quiet and total > 1 and sys.stderr.isatty():
            self._start_rich()

    def _start_rich(self) -> None:
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                                   TimeElapsedColumn, TimeRemainingColumn)

        self.progress = Progress(SpinnerColumn(), BarColumn(), MofNCompleteColumn(), TextColumn("files"),
                                 TextColumn("{task.fields[pages]} pages"), TextColumn("{task.fields[rate]}"),
                                 TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                                 TextColumn("{task.description}"),
                                 console=Console(file=sys.stderr), redirect_stdout=True, redirect_stderr=True,
                                 transient=False, refresh_per_second=4)
        self.task = self.progress.add_task("", total=self.total, pages=0, rate="")
        self.started = time.monotonic()
        self.progress.start()

    def started_file(self, key: object, label: str) -> None:
        self.active[key] = (label, time.monotonic())
        self._describe()

    def _describe(self) -> None:
        if self.progress is None:
            return
        now = time.monotonic()
        names = [f"{label.rsplit('/', 1)[-1][:40]} ({now - t:.0f} s)" for label, t in list(self.active.values())[:3]]
        self.progress.update(self.task, description=", ".join(names))

    def finished(self, key: object, r: InputResult) -> None:
        self.active.pop(key, None)
        self.pages += r.pages or 0
        if self.options.echo:
            text, is_error = result_line(r, self.options.verbose)
            if is_error or not self.options.quiet:
                self._print(text, is_error)
        if self.progress is not None:
            done = self.progress.tasks[0].completed + 1
            rate = done / max(1e-6, time.monotonic() - self.started)
            self.progress.update(self.task, advance=1, pages=self.pages, rate=f"{rate:.2f}/s")
            self._describe()

    def tick(self) -> None:
        self._describe()

    def _print(self, text: str, is_error: bool) -> None:
        if self.progress is not None:
            self.progress.console.print(text, markup=False, highlight=False, soft_wrap=True,
                                        style="red" if is_error else None)
        else:
            print(text, file=sys.stderr if is_error else sys.stdout, flush=True)

    def message(self, text: str, is_error: bool = False) -> None:
        if self.options.echo:
            self._print(text, is_error)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None


def summary_line(results: list[InputResult]) -> str:
    counts = {s: 0 for s in st.STATUSES}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    return (f"converted {counts[st.CONVERTED]}, incomplete {counts[st.INCOMPLETE]}, "
            f"with failed checks {counts[st.FAILED_CHECKS]}, skipped {counts[st.SKIPPED]}, "
            f"refused {counts[st.REFUSED]}, failed {counts[st.FAILED]}")
