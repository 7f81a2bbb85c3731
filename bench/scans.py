"""Scan benchmark: numbers right / null / wrong per scan variant, and CPU per page against one plain
Tesseract pass at the scan's own resolution (issues 13 and 14).

    .venv/bin/python bench/scans.py [DIR] [--only 100dpi] [--no-reference] [--repeat 3] [--json out.json]

DIR holds <name>.pdf + <name>.expected.json pairs (default: fixtures/scan/ plus the low-resolution and
fax variants `fixtures/scan/make_scans.py --variants DIR --only dpi_` writes, generated into a temporary
folder when DIR is not given). Each conversion runs in its own child process; its CPU seconds are the
child's user+system time (the machine is shared: CPU, not wall time, is the figure that compares).
The reference is `tesseract -l chi_sim --psm 6` over every page's embedded scan at its own dpi, single-
threaded (OMP_THREAD_LIMIT=1) as xxgk runs it. A wrong number is "silent" when no warning names its field.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCANS = ROOT / "fixtures" / "scan"
NUMERIC_SECTIONS = ("proactive", "applications", "reviews_and_lawsuits")
ENV = dict(os.environ, OMP_THREAD_LIMIT="1")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import flatten  # noqa: E402 - the main benchmark's field flattening


def _child_cpu(cmd: list[str]) -> tuple[subprocess.CompletedProcess, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    res = subprocess.run(cmd, capture_output=True, env=ENV)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return res, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def score(report: dict, expected: dict) -> dict:
    """right / null / wrong (silent: no warning names the field) / absent over the numeric fields."""
    warned = {w.get("field") for w in report.get("warnings", [])}
    out = {"numbers": 0, "right": 0, "null": 0, "wrong": 0, "silent": 0, "absent": 0, "silent_fields": []}
    for section in NUMERIC_SECTIONS:
        want = flatten(expected.get(section, {}), section)
        got = flatten(report.get(section, {}), section)
        for path, value in want.items():
            out["numbers"] += 1
            if path not in got:
                out["absent"] += 1
            elif got[path] == value:
                out["right"] += 1
            elif got[path] is None:
                out["null"] += 1
            else:
                out["wrong"] += 1
                if path not in warned:
                    out["silent"] += 1
                    out["silent_fields"].append(f"{path}: {value} -> {got[path]}")
    for key in ("agency", "year"):
        out[key] = "right" if report.get(key) == expected.get(key) else (
            "null" if report.get(key) is None else f"wrong ({report.get(key)})")
    return out


def reference_cpu(pdf: Path, tmp: Path) -> float:
    """CPU seconds of one plain tesseract pass over each page's embedded scan at its own dpi."""
    import pypdfium2 as pdfium

    sys.path.insert(0, str(ROOT))
    from xxgk.converters.scan_pages import pdf_page_image

    total = 0.0
    doc = pdfium.PdfDocument(str(pdf))
    try:
        for i in range(len(doc)):
            img, dpi = pdf_page_image(doc[i])
            p = tmp / f"ref_{i}.png"
            img.save(p)
            res, cpu = _child_cpu(["tesseract", str(p), "stdout", "-l", "chi_sim", "--psm", "6",
                                   "--dpi", str(round(dpi))])
            total += cpu
    finally:
        doc.close()
    return total


def report_status(report: dict) -> str:
    sys.path.insert(0, str(ROOT))
    from xxgk.status import report_status as status

    return status(report)


def run_one(pdf: Path, expected: Path, tmp: Path, reference: bool, repeat: int = 1) -> dict:
    """Score one scan; CPU is the least of `repeat` runs for xxgk and for the reference alike (taken in
    turns: another job on the shared machine only ever adds CPU time, to whichever is running)."""
    out = tmp / (pdf.name + ".json")
    xxgk = str(Path(sys.executable).with_name("xxgk"))
    row: dict = {"name": pdf.stem}
    cpus, refs, reports = [], [], set()
    for _ in range(repeat):
        out.unlink(missing_ok=True)
        res, cpu = _child_cpu([xxgk, "convert", str(pdf), "-o", str(tmp), "-j", "1", "--force"])
        if not out.exists():
            row["error"] = res.stderr.decode("utf-8", "replace")[-300:]
            return row
        cpus.append(cpu)
        reports.add(out.read_text(encoding="utf-8"))
        if reference:
            refs.append(reference_cpu(pdf, tmp))
    if len(reports) > 1:  # the same scan must give the same JSON every time
        row["error"] = f"{len(reports)} different outputs in {repeat} runs"
        return row
    report = json.loads(reports.pop())
    pages = report.get("source", {}).get("pages") or 1
    cpu = min(cpus)
    row.update(score(report, json.loads(expected.read_text(encoding="utf-8"))))
    row.update(status=report_status(report), pages=pages, cpu_per_page=round(cpu / pages, 2), runs=repeat)
    if reference:
        ref = min(refs) / pages
        row.update(ref_cpu_per_page=round(ref, 2), ratio=round(cpu / pages / ref, 2) if ref else None)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir", nargs="?", type=Path)
    ap.add_argument("--only", default="", help="only inputs whose name holds this")
    ap.add_argument("--no-reference", action="store_true", help="skip the plain tesseract reference")
    ap.add_argument("--repeat", type=int, default=1,
                    help="runs of each conversion and of its reference, in turns; the least CPU of each counts")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-scans-") as t:
        tmp = Path(t)
        dirs = [a.dir] if a.dir else [SCANS, tmp / "variants"]
        if not a.dir:
            subprocess.run([sys.executable, str(SCANS / "make_scans.py"), "--variants", str(dirs[1]),
                            "--only", "dpi_"], check=True, capture_output=True)
        pairs = [(p, p.with_name(p.stem + ".expected.json")) for d in dirs for p in sorted(d.glob("*.pdf"))
                 if p.with_name(p.stem + ".expected.json").exists() and a.only in p.name]
        rows = []
        print("| scan | numbers right | null | wrong (silent) | absent | agency | status | CPU-s/page | "
              "tesseract CPU-s/page | ratio |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for pdf, exp in pairs:
            r = run_one(pdf, exp, tmp, not a.no_reference, max(1, a.repeat))
            rows.append(r)
            if "error" in r:
                print(f"| {r['name']} | failed: {r['error'][:80]} |")
                continue
            print(f"| {r['name']} | {r['right']}/{r['numbers']} | {r['null']} | {r['wrong']} ({r['silent']}) | "
                  f"{r['absent']} | {r['agency']} | {r['status']} | {r['cpu_per_page']} | "
                  f"{r.get('ref_cpu_per_page', '-')} | {r.get('ratio', '-')} |", flush=True)
            for f in r["silent_fields"]:
                print(f"    silent: {f}", file=sys.stderr)
    if a.json:
        a.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
