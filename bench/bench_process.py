"""Whole-process measurements for bench/run.py: one CLI run per input kind, batches, and page scaling.

Each measured command runs under a fresh launcher process (``bench/run.py --measure CMD…``) that
reports the command's wall seconds, CPU seconds (user + system of it and everything it waited
for: the worker, Tesseract) and peak RSS of its largest process, so one measurement never
inherits another's high-water mark. The best of ``repeat`` runs counts (the machine is shared).
"""
from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
PYTHON = sys.executable
_SCRIPT = Path(PYTHON).parent / "xxgk"  # the installed command, as a user runs it
XXGK = [str(_SCRIPT)] if _SCRIPT.exists() else [PYTHON, "-m", "xxgk.cli"]
SCALING_SOURCE = FIXTURES / "pdf" / "hzq2023.pdf"  # the real born-digital report (5 pages), cycled to N pages
SCALING_PAGES = (1, 50, 200)
# Bytecode as an installed package has it: a shell with PYTHONDONTWRITEBYTECODE would make every process compile
# ~50 modules from source (~0.05 CPU-s); the .pyc files go to a folder of their own, not into the source tree.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV.update(OMP_THREAD_LIMIT="1", PYTHONPYCACHEPREFIX=os.path.join(tempfile.gettempdir(), "xxgk-bench-pycache"))

# The references, each a whole process doing the plain library's work on the same input.
PDFPLUMBER_SCRIPT = """
import sys, pdfplumber
with pdfplumber.open(sys.argv[1]) as pdf:
    for page in pdf.pages:
        page.extract_words(); page.extract_tables()
"""
BS4_SCRIPT = """
import sys
from pathlib import Path
from bs4 import BeautifulSoup
for f in sorted(Path(sys.argv[1]).iterdir()):
    BeautifulSoup(f.read_bytes(), "lxml").get_text()
"""


def measure_main(cmd: list[str]) -> int:
    """Launcher mode: run `cmd`, print {wall, cpu, peak_mb, code} of it as one JSON line."""
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV, cwd=ROOT)
    wall = time.perf_counter() - t0
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "peak_mb": ru.ru_maxrss / 1024,
                      "code": proc.returncode, "stderr": proc.stderr.decode("utf-8", "replace")[-300:]}))
    return 0


def measure(cmd: list[str], repeat: int) -> dict:
    """Best wall, best CPU and lowest peak of `repeat` launcher runs of `cmd`."""
    runs = []
    for _ in range(max(1, repeat)):
        out = subprocess.run([PYTHON, str(ROOT / "bench" / "run.py"), "--measure", "--", *cmd],
                             capture_output=True, text=True, env=ENV, cwd=ROOT)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {"wall": min(r["wall"] for r in runs), "cpu": min(r["cpu"] for r in runs),
            "peak_mb": min(r["peak_mb"] for r in runs), "code": runs[-1]["code"], "stderr": runs[-1]["stderr"]}


def _convert_cmd(inp: Path, out: Path) -> list[str]:
    return [*XXGK, "convert", str(inp), "-o", str(out), "--jobs", "1", "--force", "-q", "--no-progress"]


# ---------------------------------------------------------------- inputs made here

def batch_corpus(kind: str, n: int, folder: Path) -> Path:
    """`n` reports of one kind: the golden fixtures of that kind, cycled, each under its own name."""
    suffixes = {"html": (".html",), "text": (".txt", ".md")}[kind]
    sources = sorted(p for p in FIXTURES.rglob("*") if p.suffix in suffixes
                     and p.with_name(p.name[: -len(p.suffix)] + ".expected.json").exists())
    out = folder / f"{kind}{n}"
    out.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        src = sources[i % len(sources)]
        shutil.copyfile(src, out / f"r{i:04d}{src.suffix}")
    return out


def cycled_pdf(pages: int, path: Path) -> Path:
    """SCALING_SOURCE's pages repeated in order until the PDF has `pages` pages."""
    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(str(SCALING_SOURCE))
    out = pdfium.PdfDocument.new()
    n = len(src)
    out.import_pages(src, [i % n for i in range(pages)])  # one import: the copies share fonts, as a real file does
    out.save(str(path))
    out.close()
    src.close()
    return path


# ---------------------------------------------------------------- the rows

def _row(workload: str, ours: dict, reference: str, ref: dict | None, per: float = 1.0, rate: bool = False) -> dict:
    row = {"workload": workload, "reference": reference, "n": per, "rate": rate, "xxgk": ours, "ref": ref}
    row["cpu_ratio"] = ours["cpu"] / ref["cpu"] if ref and ref["cpu"] else None
    row["wall_ratio"] = ours["wall"] / ref["wall"] if ref and ref["wall"] else None
    return row


def process_rows(repeat: int, quick: bool, tmp: Path, scaling: bool = True) -> list[dict]:
    rows = []
    out = tmp / "out"
    txt, html, pdf = ROOT / "examples" / "changsha_ybj_2023.txt", ROOT / "examples" / "shuyang_fgj_2023.html", \
        ROOT / "examples" / "hongze_2023.pdf"
    rows.append(_row("`.txt` report, one CLI process", measure(_convert_cmd(txt, out), repeat), "—", None))
    html_dir = tmp / "one_html"
    html_dir.mkdir(exist_ok=True)
    shutil.copyfile(html, html_dir / html.name)
    rows.append(_row("HTML page, one CLI process", measure(_convert_cmd(html, out), repeat),
                     "BeautifulSoup parse + get_text, one process", measure([PYTHON, "-c", BS4_SCRIPT, str(html_dir)], repeat)))
    rows.append(_row("born-digital PDF (5 pages), one CLI process", measure(_convert_cmd(pdf, out), repeat),
                     "pdfplumber extract_words + extract_tables, one process",
                     measure([PYTHON, "-c", PDFPLUMBER_SCRIPT, str(pdf)], repeat)))
    n = 100 if quick else 500
    for kind in ("html", "text"):
        corpus = batch_corpus(kind, n, tmp)
        ours = measure(_convert_cmd(corpus, tmp / f"out_{kind}"), 1)
        ref = measure([PYTHON, "-c", BS4_SCRIPT, str(corpus)], 1) if kind == "html" else None
        rows.append(_row(f"{n} {'HTML' if kind == 'html' else kind} reports, `--jobs 1`", ours,
                         "BeautifulSoup parse + get_text" if ref else "—", ref, per=n, rate=True))
    for pages in SCALING_PAGES if scaling else ():
        path = cycled_pdf(pages, tmp / f"cycled_{pages}.pdf")
        rows.append(_row(f"born-digital PDF, {pages} page{'s' if pages > 1 else ''} (per page)", measure(_convert_cmd(path, out), 1),
                         "pdfplumber words + tables", measure([PYTHON, "-c", PDFPLUMBER_SCRIPT, str(path)], 1),
                         per=pages))
    return rows


def _fmt(v, spec=".2f") -> str:
    return "—" if v is None else format(v, spec)


def process_markdown(rows: list[dict]) -> str:
    head = ["workload", "xxgk wall s", "xxgk CPU s", "xxgk peak MB", "reference", "ref wall s", "ref CPU s",
            "ref peak MB", "CPU ratio"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        ours, ref, n = r["xxgk"], r["ref"], r["n"]
        if r["rate"]:  # a batch: reports per second of wall time and per CPU second (per core)
            cells = [f"{n / ours['wall']:.1f}/s", f"{n / ours['cpu']:.1f}/s per core", _fmt(ours["peak_mb"], ".0f")]
            ref_cells = ([f"{n / ref['wall']:.1f}/s", f"{n / ref['cpu']:.1f}/s per core", _fmt(ref["peak_mb"], ".0f")]
                         if ref else ["—", "—", "—"])
        else:
            cells = [_fmt(ours["wall"] / n, ".3f"), _fmt(ours["cpu"] / n, ".3f"), _fmt(ours["peak_mb"], ".0f")]
            ref_cells = ([_fmt(ref["wall"] / n, ".3f"), _fmt(ref["cpu"] / n, ".3f"), _fmt(ref["peak_mb"], ".0f")]
                         if ref else ["—", "—", "—"])
        ratio = _fmt(r["cpu_ratio"]) + "×" if r["cpu_ratio"] else "—"
        lines.append("| " + " | ".join([r["workload"], *cells, r["reference"], *ref_cells, ratio]) + " |")
    return "\n".join(lines)


def compile_bytecode() -> None:
    """Our modules' .pyc into ENV's cache folder before anything is timed, as `pip install` compiles them."""
    subprocess.run([PYTHON, "-m", "compileall", "-q", *(str(ROOT / d) for d in ("xxgk", "converters", "layout", "normalize"))],
                   env=ENV, cwd=ROOT, stdout=subprocess.DEVNULL, check=False)


def run(repeat: int, quick: bool, scaling: bool = True) -> tuple[list[dict], str]:
    compile_bytecode()
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-") as tmp:
        rows = process_rows(repeat, quick, Path(tmp), scaling)
    return rows, process_markdown(rows)


if __name__ == "__main__":  # the whole-process table alone: python bench/bench_process.py [--quick] [--no-scaling]
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs per one-process row; the best counts (default 3)")
    ap.add_argument("--quick", action="store_true", help="100-report batches instead of 500")
    ap.add_argument("--no-scaling", action="store_true", help="skip the 1/50/200-page PDF rows")
    a = ap.parse_args()
    print(run(a.repeat, a.quick, scaling=not a.no_scaling)[1])
