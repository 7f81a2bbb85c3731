"""The issue's batch benchmark: the hostile corpus plus 1,000 generated good inputs in one `xxgk convert` run.

Checks what the issue's "Done when" asks — every good report converted exactly as on its own, every bad one
reported with its reason, peak memory of every worker under --max-memory, no traceback, nothing written
outside the output folder — and prints the figures (exit 1 if any check fails).

    python bench/batch.py                    # 1,000 good inputs, -j 2, --max-memory 2G
    python bench/batch.py --n 200 --jobs 4 --max-memory 1G
"""
from __future__ import annotations

import argparse
import collections
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from fixtures.hostile.corpus_batch import batch_problems, problems_of, run_corpus_batch  # noqa: E402


def _mb(text: str) -> float:
    t = text.strip().lower().rstrip("b")
    return float(t[:-1]) * 1024 if t.endswith("g") else float(t.rstrip("m"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="good inputs (copies of the born-digital fixtures)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--max-memory", default="2G")
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--keep", action="store_true", help="keep the work folder (printed)")
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="xxgk-bench-batch-"))
    try:
        o = run_corpus_batch(work, a.n, jobs=a.jobs, max_memory=a.max_memory, timeout=a.timeout)
        limit = _mb(a.max_memory)
        wrong = {p: problems_of(o, p, limit) for p in o.expected}
        wrong = {p: w for p, w in wrong.items() if w}
        whole = batch_problems(o)
        statuses = collections.Counter(r["status"] for r in o.records.values())
        good = [p for p, e in o.expected.items() if e.kind == "good"]
        bad = [p for p, e in o.expected.items() if e.status in ("refused", "failed")]
        peaks = [r["peak_mb"] for r in o.records.values() if r.get("peak_mb")]
        pages = sum(r.get("pages") or 0 for r in o.records.values())
        print(f"inputs {len(o.expected)} ({len(good)} good, {len(o.expected) - len(good)} hostile), "
              f"-j {a.jobs}, --max-memory {a.max_memory}, --timeout {a.timeout:g}")
        print("| inputs | wall s | inputs/s | pages | good as on their own | bad with their reason "
              "| peak MB per worker (limit) | traceback | exit |")
        print("|---|---|---|---|---|---|---|---|---|")
        print(f"| {len(o.expected)} | {o.seconds:.1f} | {len(o.expected) / o.seconds:.1f} | {pages} "
              f"| {sum(1 for p in good if p not in wrong)}/{len(good)} "
              f"| {sum(1 for p in bad if p not in wrong)}/{len(bad)} "
              f"| {max(peaks):.0f} ({limit:.0f}) | {'yes' if 'Traceback' in o.stdout + o.stderr else 'none'} "
              f"| {o.returncode} |")
        print("statuses: " + ", ".join(f"{s} {n}" for s, n in sorted(statuses.items())))
        slowest = sorted(o.records.values(), key=lambda r: -(r.get("seconds") or 0))[:3]
        print("slowest: " + ", ".join(f"{Path(r['input']).name} {r['seconds']:.1f} s" for r in slowest))
        for p, w in sorted(wrong.items()):
            print(f"WRONG {p}: {'; '.join(w)}")
        for w in whole:
            print(f"WRONG batch: {w}")
        if a.keep:
            print(f"kept: {work}")
        return 1 if wrong or whole else 0
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
