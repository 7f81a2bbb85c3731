"""One worker process: converts inputs one at a time under an OS memory limit; its parent enforces the clock.

Child side (``child_main``): RLIMIT_AS caps what any input can make it allocate, it dies with its parent
(PR_SET_PDEATHSIG plus a parent-pid watch), ignores Ctrl-C (the parent kills it), and captures library
warnings and anything written to stderr into the per-input result.
Parent side (``Worker``): starts the child, hands it one task, and turns silence past the deadline, a
dead child or a MemoryError into an input result (timeout / out of memory / crashed) instead of a lost batch.
A small single-threaded parent (the CLI) imports the converter once and forks its workers from itself (no
second interpreter, no re-import: ~0.35 CPU-s a worker); any other parent spawns them (see start_method).
"""
from __future__ import annotations

import ctypes
import gc
import multiprocessing as mp
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
import warnings
from typing import Any, Optional

SCAN_PAGE_CAP = 100  # a scan's time limit is --timeout per page, up to this many pages
STARTUP_GRACE = 60.0  # seconds a freshly spawned worker may take to import xxgk before its task's clock starts
PR_SET_PDEATHSIG = 1
PR_SET_NAME = 15
FORK_MAX_PARENT_MB = 160  # a bigger parent (a notebook, a test run) spawns its workers: see start_method
# A worker's address space only grows (heaps and OCR models stay reserved: a few hundred MB more after 20
# scans): past this share of --max-memory after an input it is replaced, so that the next input has the
# room a fresh worker would give it.
RECYCLE_AT = 0.8


# ---------------------------------------------------------------- child side

def _limit_memory(max_memory_mb: Optional[int]) -> None:
    import resource

    if max_memory_mb:
        limit = int(max_memory_mb) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _die_with_parent(parent_pid: int, pdeathsig: bool) -> None:
    if pdeathsig:  # only valid when the parent's spawning thread lives as long as the parent
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass

    def watch() -> None:  # covers the race before prctl and parents whose spawning thread ends early
        while True:
            if os.getppid() != parent_pid:
                os._exit(70)
            time.sleep(0.5)

    if os.getppid() != parent_pid:
        os._exit(70)
    threading.Thread(target=watch, daemon=True, name="xxgk-parent-watch").start()


def _name_process() -> None:
    """Name the worker "xxgk-worker" (/proc/PID/comm, ps, top): a forked one would otherwise look like its parent."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_NAME, b"xxgk-worker", 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _one_thread_each() -> None:
    """Tesseract (OpenMP) and OpenCV compute in one thread: a worker is one core's share of a batch (--jobs),
    and OpenCV's own two threads cost a 300-dpi scan 6 % more CPU (7.8 vs 7.3 CPU-s) for the same output."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # read when numpy is first imported (we use no BLAS)
    os.environ.setdefault("OPENCV_FOR_THREADS_NUM", "1")  # read when cv2 is first imported, by the first scan
    if "cv2" in sys.modules and os.environ["OPENCV_FOR_THREADS_NUM"] == "1":  # a forked worker had it already
        sys.modules["cv2"].setNumThreads(1)


M_ARENA_MAX = -8  # mallopt's parameter number (glibc malloc.h)
MALLOC_ARENAS = 2


def _fewer_heaps() -> None:
    """At most MALLOC_ARENAS malloc heaps, not glibc's 8 per core: each new thread (the OCR passes run in
    threads) would reserve a 64 MB heap of address space, which --max-memory (RLIMIT_AS) counts: a 300-dpi
    scan reserves 0.92 GB instead of 1.44 GB (and keeps 394 MB resident instead of 446) at the same speed."""
    os.environ.setdefault("MALLOC_ARENA_MAX", str(MALLOC_ARENAS))  # for the tools it runs (tesseract, soffice)
    try:
        ctypes.CDLL(None).mallopt(M_ARENA_MAX, MALLOC_ARENAS)
    except (OSError, AttributeError):  # not glibc
        pass


def _status_mb(*names: str) -> dict[str, float]:
    """Fields of /proc/self/status (VmHWM: peak resident, VmSize: address space) in MB, in one read."""
    out: dict[str, float] = {}
    try:
        with open("/proc/self/status") as f:
            for line in f:
                name = line.split(":", 1)[0]
                if name in names:
                    out[name] = int(line.split()[1]) / 1024
    except OSError:
        pass
    return out


def _peak_mb(status: dict[str, float]) -> float:
    if "VmHWM" in status:
        return round(status["VmHWM"], 1)
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _reset_peak() -> None:
    try:  # "5" resets the peak RSS (VmHWM) so that each input's own peak is measured
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def _page_count(data: Optional[bytes], path: Optional[str]) -> tuple[int, bool]:
    """(pages, scan-like) read cheaply before converting: PDFs and multi-page images scale the time limit."""
    try:
        head = data[:1024] if data is not None else open(path, "rb").read(1024) if path else b""
    except OSError:
        return 1, False
    try:
        if b"%PDF-" in head:
            import pypdfium2

            pdf = pypdfium2.PdfDocument(data if data is not None else path)
            try:
                return max(1, len(pdf)), True
            finally:
                pdf.close()
        if head.startswith((b"II*\x00", b"MM\x00*")):
            from PIL import Image

            with Image.open(path if data is None else __import__("io").BytesIO(data)) as im:
                return max(1, getattr(im, "n_frames", 1)), True
        if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"BM")):
            return 1, True
    except Exception:  # a damaged file: the converter will say what is wrong with it
        pass
    return 1, False


def _summary(report: dict) -> dict:
    from xxgk import status as st

    return {"template": report.get("template"), "agency": report.get("agency"), "year": report.get("year"),
            "failed_checks": sum(1 for c in report.get("checks", ()) if not c.get("passed")),
            "warnings": len(report.get("warnings", ())), "null_fields": len(st.null_fields(report))}


def _warm_up() -> None:
    """Load once, before any input's clock starts, what every conversion needs (~0.7 s of CPU): the place
    table and the schema validator; otherwise the first input of each worker pays for them in its --timeout."""
    try:
        from xxgk.normalize.cache import save_tables
        from xxgk.normalize.places import gazetteer
        from xxgk.normalize.schema import is_valid

        gazetteer()
        is_valid({})  # loads the compiled schema validator (jsonschema is only needed to explain a failure)
        save_tables()  # the compiled regular expressions: the next process loads them instead of compiling
    except Exception:  # a missing place table is the conversion's to report, with its own message
        pass


def convert_task(task: dict) -> dict:
    """Convert one task in this process; every outcome becomes a payload dict (never raises for bad input)."""
    from xxgk import pipeline, status as st
    from xxgk.model import ConversionError, MissingDependency, out_of_memory
    from xxgk.output import report_bytes

    start = time.monotonic()
    payload: dict[str, Any] = {"status": st.FAILED, "reason": None, "json": None, "summary": None, "pages": None,
                               "sha256": None, "warnings": [], "missing_dependency": False, "restart": False,
                               "short_of_memory": False}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if task.get("call") is not None:
                fn, args = task["call"]
                report = fn(*args)
            elif task.get("data") is not None:
                report = pipeline.convert_bytes(task["data"], task["name"], path=task.get("path"), url=task.get("url"))
            elif task.get("url"):
                report = pipeline.convert_url(task["url"])
            else:
                report = pipeline.convert_file(task["path"])
            if task.get("source_extra"):
                report["source"].update(task["source_extra"])
            payload.update(status=st.report_status(report), json=report_bytes(report), summary=_summary(report),
                           pages=report["source"].get("pages"), sha256=report["source"].get("sha256"))
            if task.get("want_report"):
                payload["report"] = report
        except Exception as e:  # bad input says why; a bug in xxgk must come back as a reason, not end the worker
            if out_of_memory(e):  # MemoryError, or a damaged-file message over what was an allocation failure
                payload.update(reason=oom_reason(task.get("max_memory_mb")), restart=True, short_of_memory=True)
            elif isinstance(e, ConversionError):
                payload.update(status=e.status, reason=str(e), missing_dependency=isinstance(e, MissingDependency))
            else:
                where = traceback.extract_tb(e.__traceback__)[-1]
                payload["reason"] = (f"internal error: {e.__class__.__name__}: {str(e)[:200]} "
                                     f"({os.path.basename(where.filename)}:{where.lineno})")
    payload["warnings"] = [f"{w.category.__name__}: {w.message}" for w in caught]
    payload["seconds"] = round(time.monotonic() - start, 3)
    return payload


def child_main(conn: Any, max_memory_mb: Optional[int], ocr_engine: str, parent_pid: int, pdeathsig: bool,
               tmp_dir: Optional[str] = None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it kills us at once
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a forked child must not inherit the CLI's SIGTERM handler
    _name_process()
    _fewer_heaps()
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _die_with_parent(parent_pid, pdeathsig)
    if tmp_dir:  # converters' temp files (OCR crops, LibreOffice) land in a folder the parent removes
        os.environ["TMPDIR"] = tmp_dir
        tempfile.tempdir = tmp_dir
    os.environ["XXGK_OCR_ENGINE"] = ocr_engine
    _one_thread_each()
    # fd 2 of the worker: C libraries' messages land here, per input; in the folder the parent reads
    # after a crash (glibc's "cannot allocate memory for thread-local data" comes just before an abort)
    captured = open(os.path.join(tmp_dir, STDERR_FILE), "w+b") if tmp_dir else tempfile.TemporaryFile()
    os.dup2(captured.fileno(), 2)
    sys.stderr = open(2, "w", closefd=False, errors="replace")
    broken = None
    try:
        import xxgk.pipeline  # noqa: F401  (imported before the limit so that each input does not pay for it)
    except Exception as e:  # a broken installation: every input says why instead of "crashed"
        broken = f"internal error: the worker cannot import xxgk: {e.__class__.__name__}: {e}"
    else:
        _warm_up()
    _limit_memory(max_memory_mb)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        _reset_peak()
        captured.seek(0)
        captured.truncate()
        pages, scan = _page_count(task.get("data"), task.get("path"))
        conn.send(("pages", pages, scan))
        task["max_memory_mb"] = max_memory_mb
        payload = convert_task(task) if broken is None else {
            "status": "failed", "reason": broken, "json": None, "summary": None, "pages": None, "sha256": None,
            "warnings": [], "seconds": 0.0}
        sys.stderr.flush()
        captured.seek(0)
        loose = captured.read(4000).decode("utf-8", "replace").strip()
        if loose:
            payload["warnings"].extend(f"stderr: {line}" for line in loose.splitlines()[:20])
        status = _status_mb("VmHWM", "VmSize")
        payload["peak_mb"] = _peak_mb(status)
        payload.setdefault("pages", None)
        if payload["pages"] is None and scan:
            payload["pages"] = pages
        if max_memory_mb and status.get("VmSize", 0.0) > RECYCLE_AT * max_memory_mb:
            payload["recycle"] = True
        conn.send(("done", payload))
        if payload.get("restart") or payload.get("recycle"):
            return  # after a MemoryError the heap may be in a bad state: a fresh worker takes the next input


# ---------------------------------------------------------------- parent side

TMP_PREFIX = "xxgk-worker-"  # + parent pid: a folder whose parent is gone was left by a killed run
STDERR_FILE = "stderr"  # in a worker's temp folder: what it wrote on fd 2 for its current input


def remove_stale_tmp_dirs() -> None:
    root = tempfile.gettempdir()
    try:
        names = [n for n in os.listdir(root) if n.startswith(TMP_PREFIX)]
    except OSError:
        return
    for name in names:
        pid = name[len(TMP_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not os.path.exists(f"/proc/{pid}"):
            shutil.rmtree(os.path.join(root, name), ignore_errors=True)


_preloaded = False


def _single_threaded() -> bool:
    """No other thread (Python's or a C library's) that a fork could catch holding a lock."""
    try:
        return threading.active_count() == 1 and len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def _preload() -> None:
    """Import and warm up the converter here, once, so that every forked worker starts with it (~0.3 CPU-s each)."""
    global _preloaded
    if not _preloaded:
        _preloaded = True
        collecting = gc.isenabled()
        gc.disable()  # the imports allocate ~10^5 objects that all live on: collecting them would be wasted work
        try:
            import xxgk.pipeline  # noqa: F401
            _warm_up()
        except Exception:  # a broken installation: the worker's own import says why, per input
            pass
        finally:
            gc.freeze()  # forked workers share these pages: no collection ever writes to them (no copy-on-write)
            if collecting:
                gc.enable()


def _address_space_mb() -> float:
    return _status_mb("VmSize").get("VmSize", float("inf"))


def start_method(fork: bool) -> str:
    """"fork" from a small single-threaded parent (no second interpreter start, no re-import), else "spawn".

    A forked child starts with its parent's address space, which RLIMIT_AS counts: only a parent about the size
    of a freshly spawned worker (the CLI: ~40 MB) is forked, so that --max-memory means the same either way.
    """
    if (fork and sys.platform.startswith("linux") and "fork" in mp.get_all_start_methods() and _single_threaded()
            and _address_space_mb() <= FORK_MAX_PARENT_MB):
        return "fork"
    return "spawn"


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


class Worker:
    """A child process converting one task at a time; the parent side of child_main."""

    def __init__(self, max_memory_mb: Optional[int], ocr_engine: str, timeout: float, fork: bool = True) -> None:
        self.max_memory_mb, self.ocr_engine, self.timeout = max_memory_mb, ocr_engine, timeout
        self.fork = fork  # may start by fork when this process is single-threaded (see start_method)
        self.proc: Optional[Any] = None
        self.conn: Any = None
        self.task_id: Any = None
        self.started = 0.0
        self.deadline = float("inf")
        self.pages: Optional[int] = None
        self.tmp_dir: Optional[str] = None
        self.finished = 0  # inputs the current child process has finished
        self.earlier = 0  # of them, before the one it is converting now

    def start(self) -> None:
        method = start_method(self.fork)
        if method == "fork":
            _preload()
            method = start_method(self.fork)  # in case the import started a thread
        ctx = mp.get_context(method)
        parent, child = ctx.Pipe(duplex=True)
        pdeathsig = threading.current_thread() is threading.main_thread()
        remove_stale_tmp_dirs()
        self.tmp_dir = tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{os.getpid()}-")
        self.proc = ctx.Process(target=child_main, name="xxgk-worker", daemon=True,
                                args=(child, self.max_memory_mb, self.ocr_engine, os.getpid(), pdeathsig,
                                      self.tmp_dir))
        # the child starts with SIGINT blocked (inherited), so a Ctrl-C during its start-up prints no traceback
        blocked = threading.current_thread() is threading.main_thread()
        if blocked:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        me = mp.current_process()
        daemonic = me._config.get("daemon")  # a Dask worker may be daemonic; our child watches its parent itself
        me._config["daemon"] = False
        try:
            self.proc.start()
        finally:
            me._config["daemon"] = daemonic
            if blocked:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        child.close()
        self.conn = parent

    @property
    def busy(self) -> bool:
        return self.task_id is not None

    def submit(self, task_id: Any, task: dict, fresh: bool = False) -> None:
        """Hand the child a task; fresh=True replaces a child that has converted anything before."""
        if self.proc is None or not self.proc.is_alive() or (fresh and self.finished):
            self.close()
            self.start()
        self.task_id, self.started, self.pages, self.earlier = task_id, time.monotonic(), None, self.finished
        self.deadline = self.started + self.timeout + STARTUP_GRACE  # the clock restarts when the child begins
        self.conn.send(task)

    def waitables(self) -> list:
        return [self.conn, self.proc.sentinel] if self.proc is not None else []

    def poll(self) -> Optional[dict]:
        """The finished payload if one arrived (or the child died, or its time is up); else None."""
        if not self.busy:
            return None
        try:
            while self.conn.poll():
                msg = self.conn.recv()
                if msg[0] == "pages":
                    self.pages = msg[1]
                    self.started = time.monotonic()
                    scale = min(max(1, msg[1]), SCAN_PAGE_CAP) if msg[2] else 1  # a scan: --timeout per page
                    self.deadline = self.started + self.timeout * scale
                elif msg[0] == "done":
                    self.task_id = None
                    self.finished += 1
                    if msg[1].get("restart") or msg[1].get("recycle"):
                        self.close()
                    return msg[1]
        except (EOFError, OSError):
            pass
        if self.proc is not None and not self.proc.is_alive():
            return self._lost(*self._death_reason())
        if time.monotonic() >= self.deadline:
            limit = self.deadline - self.started
            self.close()
            return self._lost(f"timeout after {limit:g} s")
        return None

    def worth_retrying(self, payload: dict) -> bool:
        """Out of memory (or killed, as the OOM killer does) in a child that had converted other inputs first:
        their leftovers may be what ran out, so the input gets one more try in a fresh child."""
        return self.earlier > 0 and bool(payload.get("short_of_memory"))

    def _death_reason(self) -> tuple[str, bool]:
        """(why the child died, whether memory may have run out: its last words say so, or a SIGKILL)."""
        from xxgk.model import says_out_of_memory

        self.proc.join(1)
        code = self.proc.exitcode
        last = self._last_words()
        if says_out_of_memory(last):  # e.g. an abort when a thread's memory could not be had
            return f"{oom_reason(self.max_memory_mb)}: {last}", True
        if code is not None and code < 0 and -code == signal.SIGKILL:
            return "crashed: worker killed by SIGKILL (out of memory, or killed)", True
        said = f" ({last})" if last else ""
        if code is not None and code < 0:
            return f"crashed: worker died of {_signal_name(code)}{said}", False
        return f"crashed: worker exited with code {code}{said}", False

    def _last_words(self) -> str:
        """The last line the dead child wrote on fd 2 for this input, if any (at most 200 characters)."""
        if not self.tmp_dir:
            return ""
        try:
            with open(os.path.join(self.tmp_dir, STDERR_FILE), "rb") as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - 2000))
                lines = f.read().decode("utf-8", "replace").strip().splitlines()
        except OSError:
            return ""
        return lines[-1].strip()[:200] if lines else ""

    def _lost(self, reason: str, short_of_memory: bool = False) -> dict:
        from xxgk import status as st

        self.task_id = None
        self.close()
        return {"status": st.FAILED, "reason": reason, "json": None, "summary": None, "pages": self.pages,
                "sha256": None, "warnings": [], "missing_dependency": False, "short_of_memory": short_of_memory,
                "seconds": round(time.monotonic() - self.started, 3), "peak_mb": None}

    def time_left(self) -> float:
        return self.deadline - time.monotonic() if self.busy else float("inf")

    def close(self) -> None:
        """Kill the child at once (SIGKILL: a busy worker must not hold up Ctrl-C)."""
        if self.proc is not None:
            if self.proc.is_alive():
                self.proc.kill()
            self.proc.join(2)
            self.proc = None
        self.finished = 0
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if self.tmp_dir is not None:
            shutil.rmtree(self.tmp_dir, ignore_errors=True)
            self.tmp_dir = None

    def stop(self) -> None:
        """Ask an idle child to exit, then make sure it did."""
        if self.conn is not None and not self.busy:
            try:
                self.conn.send(None)
            except OSError:
                pass
            if self.proc is not None:
                self.proc.join(1)
        self.close()


def run_one(task: dict, timeout: float, max_memory_mb: Optional[int], ocr_engine: str,
            worker: Optional[Worker] = None) -> dict:
    """Convert one task in a worker (a fresh one unless given), waiting at most its time limit."""
    from multiprocessing.connection import wait

    own = worker is None
    w = worker or Worker(max_memory_mb, ocr_engine, timeout)
    try:
        w.submit(0, task)
        retried = None
        while True:
            payload = w.poll()
            if payload is not None and retried is None and w.worth_retrying(payload):
                retried = payload["reason"]
                w.submit(0, task, fresh=True)
                continue
            if payload is not None:
                return with_retry_note(payload, retried)
            wait(w.waitables(), timeout=max(0.01, min(w.time_left(), 1.0)))
    finally:
        if own:
            w.stop()


def oom_reason(max_memory_mb: Optional[int]) -> str:
    return f"out of memory (limit {max_memory_mb or '?'} MB)"


def with_retry_note(payload: dict, first_reason: Optional[str]) -> dict:
    """The payload of an input's second try, saying why there was one."""
    if first_reason:
        payload["warnings"] = [f"retried in a fresh worker after: {first_reason}", *(payload.get("warnings") or [])]
    return payload
