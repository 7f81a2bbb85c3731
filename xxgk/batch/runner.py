"""The batch: plan, resume, convert in isolated workers (local pool or Dask), write each result as it finishes."""
from __future__ import annotations

import os
from collections import deque
from pathlib import Path
from typing import Callable, Iterator, Optional

from xxgk import status as st
from xxgk.batch import BatchInput, BatchOptions, InputResult
from xxgk.batch.plan import file_problem, plan_outputs
from xxgk.batch.preflight import check_ocr
from xxgk.batch.progress import Reporter
from xxgk.batch.resume import file_sha256, outcome, text_sha256, up_to_date
from xxgk.batch.runlog import RunLog, output_key
from xxgk.batch.worker import Worker, with_retry_note
from xxgk.output import is_url, is_xxgk_report, remove_stale_temps, write_text_atomic

Task = tuple[int, dict]


def make_task(inp: BatchInput) -> dict:
    if is_url(inp.source):
        return {"url": inp.source, "source_extra": inp.source_extra}
    return {"path": inp.source, "source_extra": inp.source_extra}


class LocalPool:
    """N worker processes on this machine; a dead or stuck worker costs its one input and is replaced."""

    def __init__(self, options: BatchOptions) -> None:
        self.options = options
        self.workers: list[Worker] = []

    def start(self, n_tasks: int) -> None:
        """Start the workers, before any progress display's thread exists (so they can be forked)."""
        o = self.options
        n = max(1, min(o.jobs, n_tasks))
        self.workers = [Worker(o.max_memory_mb, o.ocr_engine, o.timeout) for _ in range(n)]
        for w in self.workers:
            w.start()  # all start importing at once

    def run(self, tasks: list[Task], reporter: Reporter, labels: dict[int, str]) -> Iterator[tuple[int, dict]]:
        from multiprocessing.connection import wait

        if not self.workers:
            self.start(len(tasks))
        queue = deque(tasks)
        tasks_by_id = dict(tasks)
        retried: dict[int, str] = {}  # input -> why its first try failed (out of memory in a used worker)

        def hand_out() -> None:
            for w in self.workers:
                if not w.busy and queue:
                    idx, task = queue.popleft()
                    w.submit(idx, task, fresh=idx in retried)
                    reporter.started_file(idx, labels[idx])

        while queue or any(w.busy for w in self.workers):
            hand_out()
            busy = [w for w in self.workers if w.busy]
            wait([x for w in busy for x in w.waitables()],
                 timeout=max(0.01, min([1.0] + [w.time_left() for w in busy])))
            done = []
            for w in busy:
                idx = w.task_id
                payload = w.poll()
                if payload is None:
                    continue
                if idx not in retried and w.worth_retrying(payload):
                    retried[idx] = payload["reason"]
                    queue.appendleft((idx, dict(tasks_by_id[idx])))
                else:
                    done.append((idx, with_retry_note(payload, retried.get(idx))))
            hand_out()  # the next inputs before writing these results
            yield from done
            reporter.tick()

    def close(self) -> None:
        for w in self.workers:
            if w.busy:
                w.close()
            else:
                w.stop()
        self.workers = []


def _backend(options: BatchOptions):
    if options.scheduler:
        from xxgk.batch.dask_backend import DaskPool

        return DaskPool(options)
    return LocalPool(options)


def run(inputs: list[BatchInput], out_dir: Path, options: BatchOptions,
        on_result: Optional[Callable[[InputResult], None]] = None,
        problems: Optional[list[InputResult]] = None) -> list[InputResult]:
    from xxgk import __version__

    targets = plan_outputs(inputs, out_dir)
    log = RunLog(out_dir) if options.run_log else None
    records = log.records() if log is not None and not options.force else {}
    early: dict[int, InputResult] = {}
    shas: dict[int, Optional[str]] = {}
    todo: list[int] = []
    for i, (inp, target) in enumerate(zip(inputs, targets)):
        if is_url(inp.source):
            todo.append(i)
            continue
        problem = file_problem(inp.source)
        if problem is not None:
            early[i] = problem
            continue
        shas[i] = file_sha256(inp.source)
        rec = records.get(output_key(target))
        if up_to_date(rec, str(target), shas[i], __version__, options.ocr_engine):
            early[i] = InputResult(inp.source, str(target), st.SKIPPED, "unchanged since the last run", 0.0,
                                   rec.get("pages"), None, shas[i],
                                   summary={"was": outcome(rec), "output_sha256": rec["output_sha256"]})
        else:
            todo.append(i)
    ocr_warning = check_ocr([inputs[i].source for i in todo], options.ocr_engine)  # MissingDependency: exit 3

    results: list[Optional[InputResult]] = [None] * len(inputs)
    backend = None
    reporter: Optional[Reporter] = None

    def log_line(r: InputResult, **extra: object) -> None:
        if log is not None:
            log.append(r, xxgk_version=__version__, ocr_engine=options.ocr_engine, **extra)

    def emit(i: int, r: InputResult, logged: bool = False, **extra: object) -> None:
        results[i] = r
        if not logged:
            log_line(r, **extra)
        reporter.finished(i, r)
        if on_result is not None:
            on_result(r)

    try:
        backend = _backend(options) if todo else None  # inside the try: a cluster that cannot be reached still closes the log
        if isinstance(backend, LocalPool):
            backend.start(len(todo))  # before the progress display starts its thread, so the workers can fork
        reporter = Reporter(len(inputs) + len(problems or ()), options)
        if ocr_warning:
            reporter.message(f"xxgk: warning: {ocr_warning}", is_error=True)
        for p in problems or ():  # not inputs (nothing to resume), but each gets its line
            log_line(p)
            reporter.finished(None, p)
        for i in sorted(early):
            r = early[i]
            emit(i, r, **({"was": r.summary["was"], "output_sha256": r.summary["output_sha256"]}
                          if r.status == st.SKIPPED else {}))
        for d in {t.parent for t in targets}:
            remove_stale_temps(d)
        if backend is not None:
            tasks = [(i, make_task(inputs[i])) for i in todo]
            labels = {i: inputs[i].source for i in todo}
            for i, payload in backend.run(tasks, reporter, labels):
                r, logged = _finish(inputs[i], targets[i], payload, options, log_line)
                emit(i, r, logged, **({"missing_dependency": True} if payload.get("missing_dependency") else {}))
    finally:
        if backend is not None:
            backend.close()
        if reporter is not None:
            reporter.close()
        if log is not None:
            log.close()
    return results  # type: ignore[return-value]


def _finish(inp: BatchInput, target: Path, payload: dict, options: BatchOptions,
            log_line: Callable[..., None]) -> tuple[InputResult, bool]:
    """Write a finished input's JSON (atomically, never over a file that is not ours) and say what it became.

    The run-log line of a written output goes in after the file's bytes are safe in their temporary file and
    before the rename, with the output's SHA-256: a kill on either side of the rename leaves a state the next
    run reads right (the output there matches its line: skipped; it does not: converted again). Returns the
    result and whether its log line is written.
    """
    status, reason, output = payload["status"], payload.get("reason"), None

    def result() -> InputResult:
        return InputResult(inp.source, output, status, reason, payload.get("seconds") or 0.0, payload.get("pages"),
                           payload.get("peak_mb"), payload.get("sha256"), list(payload.get("warnings") or []),
                           {"missing_dependency": True} if payload.get("missing_dependency") else payload.get("summary"))

    if payload.get("json") is not None:
        if os.path.lexists(target) and not options.overwrite and not is_xxgk_report(target):
            status, reason = st.FAILED, f"output {target} exists and is not an xxgk report (move it, or use --overwrite)"
        else:
            output = str(target)
            done = result()
            digest = text_sha256(payload["json"])
            try:
                write_text_atomic(target, payload["json"], replace=True,
                                  before_rename=lambda: log_line(done, output_sha256=digest))
                return done, True
            except OSError as e:
                output, status, reason = None, st.FAILED, f"cannot write {target}: {e.strerror or e}"
    return result(), False
