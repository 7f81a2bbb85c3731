"""Hostile inputs (issue 9): each one through xxgk.api.convert(path, timeout=60) in a child process.

The corpus is generated (fixtures/hostile/make_hostile.py). One runner process, started with an
address-space limit (RLIMIT_AS, 2 GB, inherited by every conversion child), converts every case and
reports status, reason, the child's peak RSS and the report's numbers; each case is then one test.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from fixtures.hostile.make_hostile import REPORT_STATUSES, HostileCase, make_hostile  # noqa: E402

LIMIT_BYTES = 2 * 1024 ** 3  # what --max-memory defaults to; a bomb that needs more fails the test
PEAK_MB = 1200  # no conversion child may come near the limit

_RUNNER = textwrap.dedent("""
    import json, resource, sys
    limit = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import xxgk
    from xxgk.status import numeric_leaves
    seen_peak = 0
    refs = {}
    for line in sys.stdin:
        case = json.loads(line)
        r = xxgk.convert(case["path"], timeout=60)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
        numbers = dict(numeric_leaves(r.report)) if r.report else None
        ref = None
        if case["same"]:
            if case["same"] not in refs:  # each source fixture converted once
                rr = xxgk.convert(case["same"], timeout=60)
                refs[case["same"]] = dict(numeric_leaves(rr.report)) if rr.report else None
            ref = refs[case["same"]]
        # RUSAGE_CHILDREN keeps the largest child so far: a rise is this case's own peak
        print(json.dumps({"name": case["name"], "status": r.status, "errors": r.errors,
                          "seconds": round(r.seconds, 2), "peak_mb": peak if peak > seen_peak else None,
                          "max_peak_mb": peak, "numbers": numbers, "ref": ref,
                          "agency": (r.report or {}).get("agency")}, ensure_ascii=False), flush=True)
        seen_peak = max(seen_peak, peak)
""")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, HostileCase]:
    return {c.name: c for c in make_hostile(tmp_path_factory.mktemp("hostile"))}


@pytest.fixture(scope="module")
def results(corpus) -> dict[str, dict]:
    """Run every case once, in one runner under RLIMIT_AS (the scan-path cases of H8 last)."""
    order = sorted(corpus.values(), key=lambda c: c.owner is not None)
    lines = "".join(json.dumps({"name": c.name, "path": str(c.path),
                                "same": str(c.same_numbers_as) if c.same_numbers_as else None}) + "\n"
                    for c in order)
    proc = subprocess.run([sys.executable, "-c", _RUNNER, str(LIMIT_BYTES)], input=lines, text=True,
                          capture_output=True, timeout=1500, cwd=ROOT)
    out = {}
    for line in proc.stdout.splitlines():
        row = json.loads(line)
        out[row["name"]] = row
    assert out, f"runner produced nothing: {proc.stderr[-2000:]}"
    return out


def _names() -> list:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        cases = make_hostile(tmp)
    return [c.name for c in cases]  # the scan-path cases (owner "H8") pass since the scan path bounds pixels


@pytest.mark.parametrize("name", _names())
def test_hostile_input(name, corpus, results):
    case = corpus[name]
    got = results[name]
    assert got["status"] == case.expected_status, got
    reasons = got["errors"]
    if case.expected_status in REPORT_STATUSES:
        assert not reasons
        if case.same_numbers_as is not None:
            assert got["ref"] is not None and got["numbers"] == got["ref"], "numbers differ from the fixture's"
    else:
        assert len(reasons) == 1
        reason = reasons[0]
        assert "\n" not in reason and "Traceback" not in reason and "internal error" not in reason, reason
        for leak in ("XMLSyntaxError", "KeyError", "MemoryError", "RecursionError", "BadZipFile"):
            assert leak not in reason, reason
        if case.message_contains:
            assert case.message_contains in reason, reason
    assert got["peak_mb"] is None or got["peak_mb"] < PEAK_MB, got


def test_no_child_came_near_the_memory_limit(results):
    assert max(r["max_peak_mb"] for r in results.values()) < PEAK_MB


def test_bombs_are_quick(results):
    """A bomb is refused or read within seconds, not after exhausting something."""
    for name in ("zip_bomb.docx", "gridspan_bomb.docx", "rowspan_bomb.html", "nested_divs_10k.html",
                 "dev_zero.txt", "fifo.html"):
        assert results[name]["seconds"] < 20, results[name]
