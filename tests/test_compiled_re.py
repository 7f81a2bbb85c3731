"""Derived data kept between processes (normalize/cache.StoredTable): normalize's compiled regular expressions,
the very patterns re.compile makes, and difflib ratios between template labels, the very ratios difflib gives."""
from __future__ import annotations

import json
import marshal
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TXT = ROOT / "examples" / "changsha_ybj_2023.txt"

# Runs in a fresh process: did importing normalize compile any pattern, and does the report come out the same?
PROBE = """
import difflib, json, sys
import xxgk.pipeline
from xxgk.normalize import compiled_re, labels
compiled_here = compiled_re.PROGRAMS._added
ratios = []
class Counted(difflib.SequenceMatcher):
    def ratio(self):
        ratios.append(1)
        return super().ratio()
labels.SequenceMatcher = Counted  # counts difflib's work; the ratios are difflib's own
report = xxgk.pipeline.convert_file(sys.argv[1])
print(json.dumps({"compiled_here": compiled_here, "used": len(compiled_re.PROGRAMS._used), "ratios": len(ratios),
                  "report": {k: v for k, v in report.items() if k != "provenance"}}, ensure_ascii=False))
"""


def _run(cache: Path) -> dict:
    env = dict(os.environ, XXGK_CACHE_DIR=str(cache), OMP_THREAD_LIMIT="1")
    out = subprocess.run([sys.executable, "-c", PROBE, str(TXT)], capture_output=True, text=True, env=env,
                         cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def _stored(cache: Path, prefix: str = "regex") -> dict:
    [path] = cache.glob(f"{prefix}-*.marshal")
    return marshal.loads(path.read_bytes())


def test_a_second_process_compiles_no_pattern_and_converts_the_same(tmp_path):
    cold = _run(tmp_path)
    assert cold["compiled_here"] is True
    files = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in tmp_path.glob("*.marshal")}
    warm = _run(tmp_path)
    assert {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in tmp_path.glob("*.marshal")} == files  # none rewritten
    assert warm["compiled_here"] is False and warm["used"] == cold["used"] >= 60
    assert warm["report"] == cold["report"]
    assert warm["report"]["agency"] == "长沙市医疗保障局"
    # Ratios between template labels are read, not computed; the report's other labels are computed again.
    assert cold["ratios"] > 1000 and warm["ratios"] < 0.3 * cold["ratios"]


def test_every_stored_ratio_is_difflibs_and_pairs_two_template_labels(tmp_path):
    from difflib import SequenceMatcher

    _run(tmp_path)
    stored = _stored(tmp_path, "label-ratios")
    labels = {b for _, b in stored}
    assert len(stored) > 500 and all(a in labels for a, _ in stored)
    assert all(r == SequenceMatcher(None, a, b).ratio() for (a, b), r in stored.items())


def test_every_stored_program_is_the_one_re_compile_builds(tmp_path):
    _run(tmp_path)
    from xxgk.normalize import compiled_re

    stored = _stored(tmp_path)
    assert len(stored) >= 60
    for (source, flags), program in stored.items():
        assert program == compiled_re._program(source, flags), source
        # Pattern equality compares the flags, the source and the compiled code word for word.
        assert compiled_re._sre.compile(source, *program) == re.compile(source, flags), source


def test_a_damaged_cache_falls_back_to_re_compile(tmp_path):
    clean = _run(tmp_path)["report"]
    [path] = tmp_path.glob("regex-*.marshal")
    stored = _stored(tmp_path)
    (source, flags), program = next(iter(stored.items()))
    for damage in (b"not marshal data", marshal.dumps(["a list"]),
                   marshal.dumps({**stored, (source, flags): (program[0], [1, 2, 3], 0, {}, ())})):  # invalid code
        path.write_bytes(damage)
        again = _run(tmp_path)
        assert again["report"] == clean and again["compiled_here"] is True
        assert _stored(tmp_path) == stored  # written again, whole and right


def test_without_a_cache_folder_patterns_compile_as_usual():
    env = {k: v for k, v in os.environ.items() if k not in ("XXGK_CACHE_DIR", "XDG_CACHE_HOME")}
    env["HOME"] = "relative-home"  # no absolute home: cache_dir() is None
    code = ("from xxgk.normalize import compiled_re, labels; import re, json; "
            "print(json.dumps([compiled_re.PROGRAMS._path() is None, labels._DROP == re.compile(labels._DROP.pattern)]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    assert json.loads(out.stdout) == [True, True]


def test_a_table_records_until_its_one_save(tmp_path, monkeypatch):
    from xxgk.normalize.cache import StoredTable, _TABLES

    monkeypatch.setenv("XXGK_CACHE_DIR", str(tmp_path))
    table = StoredTable("unit-test", "key", limit=10)
    try:
        table.put(("a", "b"), 0.5)
        table.save()
        [path] = tmp_path.glob("unit-test-*.marshal")
        assert marshal.loads(path.read_bytes()) == {("a", "b"): 0.5}
        table.put(("c", "d"), 0.25)  # a batch worker's later reports: neither recorded nor written
        table.save()
        assert table._used == {("a", "b"): 0.5} and marshal.loads(path.read_bytes()) == {("a", "b"): 0.5}
        again = StoredTable("unit-test", "key", limit=10)
        _TABLES.remove(again)
        assert again.get(("a", "b")) == 0.5 and again.get(("c", "d")) is None
    finally:
        _TABLES.remove(table)
