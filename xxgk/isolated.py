"""Run one conversion in a child process with a wall-clock limit (the API's ``timeout=``)."""
from __future__ import annotations

import multiprocessing as mp
import time
from typing import Any, Callable

from xxgk import status as st


def _child(conn: Any, fn: Callable, args: tuple) -> None:
    from xxgk.model import ConversionError

    try:
        conn.send(("ok", fn(*args)))
    except ConversionError as e:
        conn.send((e.status, str(e)))
    except Exception as e:  # a bug must come back as a reason, not as a hang
        conn.send((st.FAILED, f"internal error: {e.__class__.__name__}: {e}"))
    finally:
        conn.close()


def run_isolated(fn: Callable, args: tuple, label: str, timeout: float):
    from xxgk.api import ConversionResult

    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn, args), daemon=True)
    start = time.monotonic()
    proc.start()
    child.close()
    try:
        if not parent.poll(timeout):
            return ConversionResult(label, st.FAILED, None, [f"timeout after {timeout:g} s"], time.monotonic() - start)
        try:
            kind, payload = parent.recv()
        except EOFError:
            return ConversionResult(label, st.FAILED, None, [f"crashed (exit code {proc.exitcode})"],
                                    time.monotonic() - start)
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
    seconds = time.monotonic() - start
    if kind == "ok":
        return ConversionResult(label, st.report_status(payload), payload, [], seconds)
    return ConversionResult(label, kind, None, [payload], seconds)
