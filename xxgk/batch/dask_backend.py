"""The same batch on a Dask distributed cluster: the client reads each input and sends its bytes (no shared
file system), a Dask worker converts it in one of our isolated worker processes (same time and memory
limits as locally), and the client writes the outputs with the same plan, run log and resume.

A Dask worker lost mid-batch costs nothing but a retry: the scheduler runs its tasks again elsewhere, and
conversion is deterministic, so the outputs equal a local run's byte for byte.
"""
from __future__ import annotations

import logging
import os
import threading
import uuid
from pathlib import Path
from typing import Iterator, Optional

from xxgk import status as st
from xxgk.batch import BatchOptions

_local = threading.local()  # one isolated worker process per Dask worker thread, kept across tasks


def remote_convert(task: dict, timeout: float, max_memory_mb: Optional[int], ocr_engine: str) -> dict:
    """Runs on a Dask worker: one input in an isolated child process; every outcome is a payload."""
    from xxgk.batch.worker import Worker, run_one

    w = getattr(_local, "worker", None)
    if w is None or (w.max_memory_mb, w.ocr_engine, w.timeout) != (max_memory_mb, ocr_engine, timeout):
        if w is not None:
            w.stop()
        w = _local.worker = Worker(max_memory_mb, ocr_engine, timeout)
    payload = run_one(task, timeout, max_memory_mb, ocr_engine, worker=w)
    payload["host"] = os.uname().nodename
    return payload


def _read(task: dict) -> dict:
    """The task with the input's bytes in it (the client reads; workers need no access to our files)."""
    if task.get("path") is None:
        return task  # a URL: the worker fetches it
    path = Path(task["path"])
    with open(path, "rb") as f:
        data = f.read()
    return {**task, "data": data, "name": path.name, "path": str(path)}  # as convert_file names it: same JSON


def _failed(reason: str) -> dict:
    return {"status": st.FAILED, "reason": reason, "json": None, "summary": None, "pages": None, "sha256": None,
            "warnings": [], "seconds": 0.0, "peak_mb": None}


class DaskPool:
    """Same interface as runner.LocalPool: run(tasks) yields (index, payload) as inputs finish."""

    def __init__(self, options: BatchOptions) -> None:
        self.options = options
        self.client = None
        self.cluster = None

    def _connect(self) -> int:
        import dask
        from distributed import Client, LocalCluster

        if self.options.scheduler == "local":
            # our worker processes are children of the Dask worker processes, which must not be daemonic
            dask.config.set({"distributed.worker.daemon": False})
            self.cluster = LocalCluster(n_workers=self.options.jobs, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=logging.ERROR)
            self.client = Client(self.cluster)
        else:
            self.client = Client(self.options.scheduler, timeout="30s")
        return max(1, sum(w.get("nthreads", 1) for w in self.client.scheduler_info()["workers"].values()))

    def run(self, tasks: list[tuple[int, dict]], reporter, labels: dict[int, str]) -> Iterator[tuple[int, dict]]:
        from distributed import as_completed

        slots = self._connect()
        o = self.options
        pending = iter(tasks)
        index: dict[str, int] = {}
        done = as_completed()
        run_id = uuid.uuid4().hex[:8]

        def submit_next() -> Optional[tuple[int, dict]]:
            for idx, task in pending:
                try:
                    full = _read(task)
                except OSError as e:
                    return idx, _failed(f"cannot read: {e.strerror or e}")
                fut = self.client.submit(remote_convert, full, o.timeout, o.max_memory_mb, o.ocr_engine,
                                         key=f"xxgk-{run_id}-{idx}", pure=False)
                index[fut.key] = idx
                done.add(fut)
                reporter.started_file(idx, labels[idx])
                return None
            return None

        window = 2 * slots  # inputs in flight: enough to keep every worker busy, not the whole batch in memory
        for _ in range(window):
            early = submit_next()
            if early is not None:
                yield early
        for fut in done:
            idx = index.pop(fut.key)
            try:
                payload = fut.result()
            except Exception as e:  # e.g. KilledWorker: the input took down several Dask workers in a row
                payload = _failed(f"crashed: {e.__class__.__name__}: {str(e)[:200]}")
            fut.release()
            early = submit_next()
            yield idx, payload
            while early is not None:  # an unreadable input: report it and try the next one
                yield early
                early = submit_next()
            reporter.tick()

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None
