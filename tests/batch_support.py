"""Shared helpers of the batch tests: run the real CLI, find its worker processes, compare output trees."""
from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "fixtures" / "seeds").glob("*.txt"))
HTML = sorted((ROOT / "fixtures" / "html").glob("*.html"))
SCAN_JPG = ROOT / "fixtures" / "scan" / "hzq2023_p3_200dpi_skew2_seal.jpg"
SCAN_PDF = ROOT / "fixtures" / "scan" / "hzq2023_scanned.pdf"  # 5 scanned pages: OCR runs for seconds
RUN_LOG = "xxgk-run.jsonl"


def cli(*args, env=None, timeout=300, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xxgk.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=kw.pop("cwd", ROOT), timeout=timeout, env=env, **kw)


def popen(*args, env=None, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "xxgk.cli", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=kw.pop("cwd", ROOT), env=env, **kw)


QUICK_SEEDS = [SEEDS[0], SEEDS[1], SEEDS[4]]  # the seeds that convert in tens of milliseconds


def good_copies(folder: Path, n: int) -> list[Path]:
    """n good text reports (copies of seed fixtures under distinct names)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        seed = QUICK_SEEDS[i % len(QUICK_SEEDS)]
        p = folder / f"r{i:04d}_{seed.name}"
        shutil.copyfile(seed, p)
        out.append(p)
    return out


def children(pid: int) -> list[int]:
    """Direct child processes of pid (from /proc)."""
    kids = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                stat = Path(f"/proc/{d}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(d))
    return kids


def pool_workers(main_pid: int) -> list[int]:
    """The batch's worker processes: children of the main process named "xxgk-worker" (forked ones) or
    started by multiprocessing's spawn."""
    out = []
    for c in children(main_pid):
        try:
            if (Path(f"/proc/{c}/comm").read_text().strip() == "xxgk-worker"
                    or b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()):
                out.append(c)
        except OSError:
            pass
    return out


def finished(folder: Path) -> dict[str, int]:
    """Outputs the run log records as written (relative path → mtime in ns): the files a re-run must not redo."""
    if not (folder / RUN_LOG).exists():
        return {}
    done = {r["output"] for r in log_lines(folder) if r["output"] and r["status"] != "skipped"}
    return {o: (folder / o).stat().st_mtime_ns for o in done if (folder / o).is_file()}


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(predicate, timeout: float, step: float = 0.05) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under folder (run log excluded) by relative path, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != RUN_LOG}


def log_lines(folder: Path) -> list[dict]:
    import json

    return [json.loads(line) for line in (folder / RUN_LOG).read_text(encoding="utf-8").splitlines()]


def hog(megabytes: int, path: str) -> dict:
    """Converts path after holding `megabytes` of memory (run inside a worker to meet its memory limit)."""
    from xxgk.pipeline import convert_file

    block = bytearray(megabytes * 1024 * 1024)
    block[::4096] = b"x" * len(block[::4096])
    return convert_file(path)


def pdf_with_bad_colour_operand(path: Path) -> Path:
    """A real PDF quirk: a colour operator with a name for an operand (`/P0 g`), which pdfminer logs as a
    warning (on stderr, unless captured). The page is a note, not a report."""
    import io

    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.setPageCompression(0)
    c._code.append("/P0 g")  # reportlab has no API for a wrong operator: the raw content stream line
    c.drawString(72, 720, "2023 annual report: see the attachment")
    c.save()
    path.write_bytes(out.getvalue())
    return path


_HELD: list = []  # memory a worker keeps from one input to the next (what long-lived heaps and caches do)


def hold_and_convert(keep_mb: int, spend_mb: int, path: str) -> dict:
    """Keeps `keep_mb` for the rest of the worker's life, uses `spend_mb` for this input only, converts
    path; the report says which worker converted it and that worker's address space."""
    from xxgk.pipeline import convert_file

    if keep_mb:
        block = bytearray(keep_mb * 1024 * 1024)
        block[::4096] = b"x" * len(block[::4096])
        _HELD.append(block)
    spent = bytearray(spend_mb * 1024 * 1024)
    spent[::4096] = b"x" * len(spent[::4096])
    del spent
    report = convert_file(path)
    report["worker"] = {"pid": os.getpid(), "address_space_mb": address_space_mb()}
    return report


def convert_and_count_threads(path: str) -> dict:
    """Converts path; the report says how many threads OpenCV, imported by this worker, computes in."""
    from xxgk.pipeline import convert_file

    report = convert_file(path)
    import cv2

    report["worker"] = {"cv2_threads": cv2.getNumThreads(), "omp_limit": os.environ.get("OMP_THREAD_LIMIT"),
                        "blas_threads": openblas_threads()}
    return report


def openblas_threads() -> int:
    """How many threads the OpenBLAS that numpy loaded into this process would use (it has no Python API)."""
    import ctypes

    with open("/proc/self/maps") as f:
        lib = next(ln.split()[-1] for ln in f if "openblas" in ln and ".so" in ln)
    blas = ctypes.CDLL(lib)
    for name in ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_", "openblas_get_num_threads"):
        if hasattr(blas, name):
            return getattr(blas, name)()
    raise LookupError(f"no openblas_get_num_threads in {lib}")


def address_space_mb(pid: str = "self") -> float:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) / 1024 for line in f if line.startswith("VmSize:"))


def say_and_abort(message: str) -> dict:
    """Writes a C library's last words on fd 2, then aborts as glibc does when a thread's memory cannot be had."""
    os.write(2, message.encode() + b"\n")
    os.abort()


class _UnloadableModule:
    """A meta-path finder for which one module is installed but its shared library cannot be loaded."""

    def __init__(self, name: str, error: ImportError):
        self.name, self.error = name, error

    def find_spec(self, fullname, path=None, target=None):
        if fullname == self.name:
            raise self.error
        return None


@contextlib.contextmanager
def _unloadable(name: str, error: ImportError):
    """While inside, importing `name` fails with `error` (as a shared library the loader cannot map)."""
    sys.modules.pop(name, None)
    sys.meta_path.insert(0, _UnloadableModule(name, error))
    try:
        yield
    finally:
        sys.meta_path.pop(0)


def ocr_a_page_with_unloadable_libraries(error: ImportError) -> dict:
    """ocr_blocks on an image-only page while importing OCR fails with `error`; the page's warnings."""
    from xxgk.converters.page_layout import ocr_blocks
    from xxgk.model import Document, Source

    doc = Document(source=Source(path="scan.pdf", format="pdf", sha256="0" * 64))
    with _unloadable("xxgk.converters.image", error):
        ocr_blocks(doc, 1, lambda notes: (None, 200))
    return {"source": {}, "warnings": doc.warnings}  # enough of a report for the worker to pass back


def tesserocr_available_when_it_cannot_be_loaded(error: ImportError) -> dict:
    """tesseract_api.available() while importing tesserocr fails with `error`; the answer as a warning."""
    from xxgk.converters import tesseract_api

    tesseract_api._available = None
    with _unloadable("tesserocr", error):
        answer = tesseract_api.available()
    return {"source": {}, "warnings": [{"kind": "engine", "message": f"tesserocr available: {answer}"}]}
