"""Benchmark: accuracy, silent errors, speed and memory of xxgk on every golden fixture, then
whole processes (one CLI run per kind, 500-report batches, 1/50/200-page scaling) beside the
plain libraries doing the same job.

    .venv/bin/python bench/run.py [--quick] [--kind pdf] [--repeat 3] [--verbose] [--json out.json]
                                  [--ocr-engine rapidocr] [--fixtures DIR --by-file] [--no-process]

Each input is converted in its own child process (so its peak RSS is its own), N times,
keeping the fastest run. It measures; it never fails the build (exit 0 unless it crashes).
"""
from __future__ import annotations

import argparse
import difflib
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
FIXTURES = ROOT / "fixtures"
NUMERIC_SECTIONS = ("proactive", "applications", "reviews_and_lawsuits")
META_KEYS = ("template", "agency", "year")
ABSENT = "<absent>"  # the output lacks the golden field altogether
KINDS = ("text", "html", "docx", "doc", "pdf", "pdf-ocr", "image", "ofd")
TESSERACT = ["-l", "chi_sim", "--psm", "6"]
REFERENCE_TOOL = {"pdf": "pdfplumber", "image": "tesseract", "pdf-ocr": "tesseract", "html": "bs4"}


# ---------------------------------------------------------------- fixtures

def golden_pairs(root: Path = FIXTURES) -> list[tuple[Path, Path]]:
    """(input, expected) for every fixtures/**/<name>.<ext> with <name>.expected.json beside it."""
    pairs = []
    for expected in sorted(root.rglob("*.expected.json")):
        stem = expected.name[: -len(".expected.json")]
        inputs = [p for p in sorted(expected.parent.glob(stem + ".*")) if p.is_file() and p.suffix != ".json"]
        if not inputs:
            print(f"note: {expected} has no input beside it; skipped", file=sys.stderr)
        pairs.extend((p, expected) for p in inputs)
    return pairs


def guess_kind(path: Path) -> str:
    """The input kind before conversion (the report's source.format replaces it afterwards)."""
    from xxgk.converters.registry import sniff
    try:
        return sniff(path.read_bytes(), path.name)
    except Exception:
        return path.suffix.lstrip(".").lower() or "unknown"


def report_kind(report: dict) -> str:
    src = report.get("source") or {}
    kind = src.get("format") or "unknown"
    return "pdf-ocr" if kind == "pdf" and src.get("ocr") else kind


# ---------------------------------------------------------------- child process

def peak_mb() -> float:
    """Peak RSS of this process or of the largest tool it ran (tesseract), in MB.

    Read from /proc (VmHWM) where possible: ru_maxrss of a process started by vfork/exec
    starts from its parent's high-water mark, which would charge the bench's own memory to it.
    """
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                own = int(line.split()[1])
    except OSError:
        pass
    tools = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, tools) / 1024


def cpu_seconds() -> float:
    """CPU seconds (user + system) of this process, its threads and the tools it has waited for."""
    own, tools = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + tools.ru_utime + tools.ru_stime


def worker(path: str, repeat: int) -> None:
    """Child mode: convert `path` `repeat` times; print one JSON line with the report, best time, peak RSS."""
    real_stdout, sys.stdout = sys.stdout, sys.stderr  # anything the pipeline prints stays off our channel
    from xxgk.pipeline import convert_file
    result = {"report": None, "seconds": None, "error": None}
    try:
        times, cpus = [], []
        for _ in range(repeat):
            t0, c0 = time.perf_counter(), cpu_seconds()
            report = convert_file(path)
            times.append(time.perf_counter() - t0)
            cpus.append(cpu_seconds() - c0)
        result.update(report=report, seconds=min(times), cpu_seconds=min(cpus))
    except Exception as e:  # ConversionError and bugs alike: the benchmark records, it does not stop
        result["error"] = f"{e.__class__.__name__}: {e}"
    result["peak_mb"] = peak_mb()
    real_stdout.write(json.dumps(result, ensure_ascii=False) + "\n")


def run_child(path: Path, repeat: int, timeout: float) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(path), "--repeat", str(repeat)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"report": None, "seconds": None, "peak_mb": None, "error": f"timeout after {timeout:.0f} s"}
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        tail = proc.stderr.strip().splitlines()[-1:] or [f"exit {proc.returncode}"]
        return {"report": None, "seconds": None, "peak_mb": None, "error": f"child failed: {tail[0]}"}
    return json.loads(lines[-1])


# ---------------------------------------------------------------- reference timings

def best_of(repeat: int, fn) -> float:
    return best_of_both(repeat, fn)[0]


def best_of_both(repeat: int, fn) -> tuple[float, float]:
    """(best wall seconds, best CPU seconds incl. the tools fn ran) of `repeat` runs."""
    times, cpus = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), cpu_seconds()
        fn()
        times.append(time.perf_counter() - t0)
        cpus.append(cpu_seconds() - c0)
    return min(times), min(cpus)


def pdfplumber_parse(path: Path) -> None:
    import pdfplumber
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_words()
            page.extract_tables()


def tesseract_pass(images: list[Path]) -> None:
    # One OpenMP thread, as xxgk runs it: the default threads make tesseract 4-5x slower on 2 cores.
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    for img in images:
        subprocess.run(["tesseract", str(img), "stdout", *TESSERACT], env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def render_pdf_pages(path: Path, outdir: Path) -> list[Path]:
    """Each page at the scan's own resolution: its one embedded image as stored, or, when the page
    holds several images (a scan and a pasted seal), a render at the dpi of its sharpest image."""
    import pypdfium2
    import pypdfium2.raw as pdfium_c
    pdf = pypdfium2.PdfDocument(str(path))
    out = []
    for i in range(len(pdf)):
        img = outdir / f"p{i:03d}.png"
        images = list(pdf[i].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2))
        if len(images) == 1:
            images[0].get_bitmap(render=False).to_pil().save(img)
        else:
            dpis = [obj.get_px_size()[0] / ((b[2] - b[0]) / 72) for obj in images
                    for b in [obj.get_bounds()] if b[2] - b[0] > 1]
            pdf[i].render(scale=max(dpis, default=72) / 72).to_pil().save(img)
        out.append(img)
    pdf.close()
    return out


def bs4_parse(path: Path) -> None:
    from bs4 import BeautifulSoup
    BeautifulSoup(path.read_bytes(), "lxml").get_text()


def reference_seconds(path: Path, kind: str, repeat: int):
    """(wall, CPU) seconds of the plain-tool reference for this input, or (None, None)."""
    if kind == "pdf":
        return best_of_both(repeat, lambda: pdfplumber_parse(path))
    if kind == "html":
        return best_of_both(repeat, lambda: bs4_parse(path))
    if REFERENCE_TOOL.get(kind) != "tesseract" or not shutil.which("tesseract"):
        return None, None
    if kind == "image":
        return best_of_both(repeat, lambda: tesseract_pass([path]))
    with tempfile.TemporaryDirectory() as tmp:
        pages = render_pdf_pages(path, Path(tmp))  # extracting the scans is not timed
        return best_of_both(repeat, lambda: tesseract_pass(pages))


# ---------------------------------------------------------------- scoring

def flatten(tree, prefix: str = "") -> dict:
    if isinstance(tree, dict):
        out = {}
        for k, v in tree.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else k))
        return out
    return {prefix: tree}


def is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def same_value(want, got) -> bool:
    if want is None or got is None:
        return want is None and got is None
    if is_number(want) and is_number(got):
        return math.isclose(want, got, rel_tol=1e-9, abs_tol=1e-9)
    return want == got


def covers(field, path: str) -> bool:
    """`field` is `path` or a dotted ancestor of it."""
    return isinstance(field, str) and isinstance(path, str) and (field == path or path.startswith(field + "."))


def flagged(path: str, report: dict) -> bool:
    """The output admits doubt about `path`: a warning on it (or its row / a sub-field), or a failed check naming it."""
    for w in report.get("warnings") or []:
        if covers(w.get("field"), path) or covers(path, w.get("field")):
            return True
    for c in report.get("checks") or []:
        if not c.get("passed") and any(covers(f, path) for f in c.get("fields") or []):
            return True
    return False


def score_fields(expected: dict, report) -> dict:
    """right / wrong / missing / silent over the golden's numeric leaves; `diffs` lists every non-right one."""
    want = {}
    for section in NUMERIC_SECTIONS:
        want.update(flatten(expected.get(section, {}), section))
    got = {}
    for section in NUMERIC_SECTIONS:
        got.update(flatten((report or {}).get(section) or {}, section))
    s = {"fields": len(want), "right": 0, "wrong": 0, "missing": 0, "silent": 0, "diffs": []}
    for path, w in want.items():
        g = got.get(path, ABSENT)
        if g != ABSENT and same_value(w, g):
            s["right"] += 1
            continue
        if g == ABSENT or (g is None and w is not None):
            s["missing"] += 1
            s["diffs"].append({"path": path, "golden": w, "got": g, "class": "missing"})
            continue
        s["wrong"] += 1
        silent = not flagged(path, report)
        s["silent"] += silent
        s["diffs"].append({"path": path, "golden": w, "got": g, "class": "silent" if silent else "flagged"})
    return s


def score_meta(expected: dict, report) -> dict:
    keys = [k for k in META_KEYS if k in expected]
    wrong = [{"path": k, "golden": expected[k], "got": (report or {}).get(k), "class": "meta"}
             for k in keys if (report or {}).get(k) != expected[k]]
    return {"meta_total": len(keys), "meta_right": len(keys) - len(wrong), "meta_diffs": wrong}


def score_agency(expected: dict, report) -> dict:
    """The issuing body: right, null with a warning (allowed), or wrong (a name that is not the golden's, or a silent null)."""
    out = {"agency_right": 0, "agency_null": 0, "agency_wrong": 0}
    if "agency" not in expected:
        return out
    got = (report or {}).get("agency")
    warned = any(w.get("field") == "agency" for w in (report or {}).get("warnings", []))
    key = ("agency_right" if got is not None and got == expected["agency"] else
           "agency_null" if got is None and warned else "agency_wrong")
    out[key] = 1
    return out


# ---------------------------------------------------------------- one file, then totals

def prose_similarity(reference: dict, report) -> float:
    """Character similarity (difflib ratio, whitespace ignored) of the text sections 一/五/六
    to the same sections of a reference conversion (the born-digital original of a scan)."""
    def text(r):
        return "".join("".join((((r or {}).get("text") or {}).get(k) or "").split())
                       for k in ("overview", "problems", "other"))
    want, got = text(reference), text(report)
    if not want:
        return 1.0 if not got else 0.0
    return difflib.SequenceMatcher(None, want, got, autojunk=False).ratio()


def bench_file(path: Path, expected_path: Path, repeat: int, timeout: float,
               prose_reference: dict | None = None) -> dict:
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    child = run_child(path, repeat, timeout)
    report = child["report"]
    kind = report_kind(report) if report else guess_kind(path)
    if "damaged" in path.parts:  # fixtures/damaged: real extraction damage (issue 12), a row of its own
        kind += "-damaged"
    pages = ((report or {}).get("source") or {}).get("pages") or 1
    ref_wall, ref_cpu = reference_seconds(path, kind, repeat) if report else (None, None)
    row = {"file": os.path.relpath(path, ROOT), "kind": kind, "pages": pages,
           "seconds": child["seconds"], "peak_mb": child["peak_mb"], "error": child["error"],
           "cpu_seconds": child.get("cpu_seconds"),
           "reference_seconds": ref_wall, "reference_cpu_seconds": ref_cpu}
    row.update(score_fields(expected, report))
    row.update(score_meta(expected, report))
    row.update(score_agency(expected, report))
    if prose_reference is not None:
        row["prose"] = prose_similarity(prose_reference, report)
    return row


def summarize(rows: list[dict]) -> dict:
    """Totals for a group of file rows (a kind, or everything)."""
    ok = [r for r in rows if r["seconds"] is not None]
    seconds = sum(r["seconds"] for r in ok)
    with_ref = [r for r in ok if r["reference_seconds"]]
    ref = sum(r["reference_seconds"] for r in with_ref)
    total = {k: sum(r[k] for r in rows) for k in ("fields", "right", "wrong", "missing", "silent",
                                                   "meta_total", "meta_right",
                                                   "agency_right", "agency_null", "agency_wrong")}
    total.update(files=len(rows), errors=len(rows) - len(ok), pages=sum(r["pages"] for r in rows),
                 seconds=seconds,
                 reports_per_s=len(ok) / seconds if seconds else None,
                 pages_per_s=sum(r["pages"] for r in ok) / seconds if seconds else None,
                 peak_mb=max((r["peak_mb"] for r in rows if r["peak_mb"]), default=None),
                 reference_ratio=(sum(r["seconds"] for r in with_ref) / ref) if ref else None)
    with_cpu = [r for r in ok if r.get("cpu_seconds") is not None and r.get("reference_cpu_seconds")]
    ref_cpu = sum(r["reference_cpu_seconds"] for r in with_cpu)
    total["cpu_per_page"] = (sum(r["cpu_seconds"] for r in with_cpu) / sum(r["pages"] for r in with_cpu)
                             if with_cpu else None)
    total["reference_cpu_ratio"] = sum(r["cpu_seconds"] for r in with_cpu) / ref_cpu if ref_cpu else None
    prose = [r["prose"] for r in rows if r.get("prose") is not None]
    total["prose"] = sum(prose) / len(prose) if prose else None
    return total


# ---------------------------------------------------------------- output

HEADER = ["kind", "files", "pages", "numeric fields", "accuracy %", "silent errors", "meta right",
          "agency right/null/wrong",
          "reports/s", "pages/s", "peak MB", "reference ratio", "CPU-s/page", "CPU ratio"]


def fmt(v, spec: str) -> str:
    return "—" if v is None else format(v, spec)


def table_row(name: str, t: dict, prose: bool = False) -> list[str]:
    files = f"{t['files']}" + (f" ({t['errors']} failed)" if t["errors"] else "")
    acc = 100 * t["right"] / t["fields"] if t["fields"] else None
    ratio = fmt(t["reference_ratio"], ".2f")
    return [name, files, str(t["pages"]), str(t["fields"]), fmt(acc, ".1f"), str(t["silent"]),
            f"{t['meta_right']}/{t['meta_total']}",
            f"{t['agency_right']}/{t['agency_null']}/{t['agency_wrong']}", fmt(t["reports_per_s"], ".2f"),
            fmt(t["pages_per_s"], ".2f"), fmt(t["peak_mb"], ".0f"),
            ratio if ratio == "—" else f"{ratio}×", fmt(t.get("cpu_per_page"), ".2f"),
            fmt(t.get("reference_cpu_ratio"), ".2f") + ("×" if t.get("reference_cpu_ratio") else "")] + ([fmt(100 * t["prose"] if t["prose"] is not None else None, ".1f")]
                                                      if prose else [])


def markdown(by_kind: dict, total: dict) -> str:
    prose = total.get("prose") is not None
    header = HEADER + (["prose %"] if prose else [])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for kind, t in by_kind.items():
        lines.append("| " + " | ".join(table_row(kind, t, prose)) + " |")
    lines.append("| " + " | ".join(table_row("**total**", total, prose)) + " |")
    return "\n".join(lines)


def verbose_listing(rows: list[dict]) -> str:
    out = []
    for r in rows:
        if r["error"]:
            out.append(f"{r['file']}: ERROR {r['error']}")
        for d in r["meta_diffs"] + r["diffs"]:
            out.append(f"{r['file']}: [{d['class']}] {d['path']}: golden {d['golden']!r}, got {d['got']!r}")
    return "\n".join(out)


def notes() -> str:
    return ("accuracy = numeric fields equal to the golden; silent errors = wrong values with no warning "
            "or failed check on the field; reference ratio = our time / pdfplumber words+tables (pdf), "
            "BeautifulSoup(lxml) parse + get_text (html) or "
            "one plain tesseract chi_sim psm 6 pass per page at the scan's own resolution, one thread "
            "(image, pdf-ocr), wall seconds; CPU ratio = the same in CPU seconds (the machine is shared); "
            "best of --repeat runs; "
            "prose % (with --prose-reference) = character similarity of sections 一/五/六 to the reference.")


# ---------------------------------------------------------------- main

def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kind", action="append", help="only these input kinds (repeatable): " + ", ".join(KINDS))
    ap.add_argument("--repeat", type=int, default=3, help="conversions per file; the fastest counts (default 3)")
    ap.add_argument("--timeout", type=float, default=900, help="seconds per file before giving up (default 900)")
    ap.add_argument("--json", metavar="FILE", help="write the raw numbers here")
    ap.add_argument("--verbose", action="store_true", help="list every wrong / missing field")
    ap.add_argument("--fixtures", default=str(FIXTURES), help="folder of inputs with goldens (default fixtures/)")
    ap.add_argument("--by-file", action="store_true", help="one row per file instead of per kind (scan variants)")
    ap.add_argument("--ocr-engine", choices=("tesseract", "rapidocr"),
                    help="OCR engine for scans (default: $XXGK_OCR_ENGINE, else tesseract)")
    ap.add_argument("--prose-reference", metavar="FILE",
                    help="score the text sections against this file's conversion (e.g. the born-digital original)")
    ap.add_argument("--quick", action="store_true",
                    help="one run per file and 100-report batches instead of 500 (a few minutes less)")
    ap.add_argument("--no-process", action="store_true", help="skip the whole-process table")
    ap.add_argument("--process-only", action="store_true", help="only the whole-process table")
    ap.add_argument("--worker", metavar="PATH", help=argparse.SUPPRESS)
    return ap.parse_args(argv)


def select(pairs, kinds):
    """Filter on the pre-conversion kind (pdf-ocr is only known after conversion, so it matches pdf inputs)."""
    if not kinds:
        return pairs
    wanted = {"pdf" if k == "pdf-ocr" else k for k in kinds}
    return [(p, e) for p, e in pairs if guess_kind(p) in wanted]


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:2] == ["--measure", "--"]:  # launcher mode of bench/process.py
        from bench_process import measure_main
        return measure_main(argv[2:])
    args = parse_args(argv)
    if args.quick:
        args.repeat = 1
    if args.worker:
        worker(args.worker, max(1, args.repeat))
        return 0
    if args.ocr_engine:
        os.environ["XXGK_OCR_ENGINE"] = args.ocr_engine  # the worker processes inherit it
    print(f"OCR engine: {os.environ.get('XXGK_OCR_ENGINE') or 'tesseract'}", file=sys.stderr)
    if args.process_only:
        return print_process_table(args)
    from tqdm import tqdm
    pairs = select(golden_pairs(Path(args.fixtures)), args.kind)
    reference = None
    if args.prose_reference:
        from xxgk.pipeline import convert_file
        reference = convert_file(args.prose_reference)
    rows = [bench_file(p, e, max(1, args.repeat), args.timeout, reference)
            for p, e in tqdm(pairs, desc="bench", unit="file", file=sys.stderr)]
    if args.kind:  # a scanned PDF asked for as "pdf" (or vice versa) is dropped here
        rows = [r for r in rows if r["kind"] in args.kind]
    groups = defaultdict(list)
    for r in rows:
        groups[Path(r["file"]).stem if args.by_file else r["kind"]].append(r)
    order = sorted(groups, key=lambda k: (KINDS.index(k) if k in KINDS else len(KINDS), k))
    by_kind = {k: summarize(groups[k]) for k in order}
    total = summarize(rows)
    if len({REFERENCE_TOOL[r["kind"]] for r in rows if r["reference_seconds"]}) > 1:
        total["reference_ratio"] = None  # pdfplumber and tesseract times do not add up to one reference
        total["reference_cpu_ratio"] = None
    print(markdown(by_kind, total))
    print()
    print(notes())
    if args.verbose:
        print()
        print(verbose_listing(rows) or "no wrong fields")
    process = None
    if not args.no_process:
        print()
        process = print_process_table(args)
    if args.json:
        Path(args.json).write_text(json.dumps({"kinds": by_kind, "total": total, "files": rows,
                                               "process": process, "repeat": args.repeat},
                                              ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


def print_process_table(args):
    """Whole processes beside the plain libraries (bench/process.py); returns the raw rows."""
    from bench_process import run
    print("measuring whole processes (CLI runs, batches, page scaling)…", file=sys.stderr)
    rows, table = run(args.repeat, args.quick)
    print(table)
    print()
    print("whole processes, best of --repeat runs: wall and CPU seconds (user+system, the worker and "
          "Tesseract included) per input or per page; batches as reports per wall second and per CPU "
          "second; peak MB = the largest process's peak RSS; CPU ratio = xxgk CPU / reference CPU.")
    if args.process_only and args.json:
        Path(args.json).write_text(json.dumps({"process": rows}, ensure_ascii=False, indent=1), encoding="utf-8")
    return rows if not args.process_only else 0


if __name__ == "__main__":
    sys.exit(main())
