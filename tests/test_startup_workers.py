"""Worker start-up: a small single-threaded parent (the CLI) forks its workers instead of starting a second
interpreter, and a forked worker keeps the spawned one's contract: memory limit, clock, crash isolation."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from batch_support import SEEDS, cli

TESTS = Path(__file__).resolve().parent

# Runs in a fresh, small Python process (pytest's own is far bigger than a CLI, so it spawns its workers).
PROBE = """
import json, os, sys, threading, time
sys.path.insert(0, %(tests)r)
from xxgk.batch.worker import Worker, start_method
from xxgk.isolated import run_isolated
import test_startup_workers as t

out = {"method": start_method(True), "not_allowed": start_method(False)}
w = Worker(2048, "tesseract", 60)
w.start()
for _ in range(200):  # the child names itself first thing
    if open(f"/proc/{w.proc.pid}/comm").read().strip() == "xxgk-worker":
        break
    time.sleep(0.01)
out["comm"] = open(f"/proc/{w.proc.pid}/comm").read().strip()
out["same_cmdline"] = open(f"/proc/{w.proc.pid}/cmdline", "rb").read() == open("/proc/self/cmdline", "rb").read()
w.stop()
runs = {"hog": (t.hog, (1500, %(seed)r), 600), "small": (t.hog, (100, %(seed)r), 600),
        "segv": (t.segfault, (), 2048), "sleep": (t.sleep, (30,), 2048), "raise": (t.fail, (), 2048)}
for name, (fn, args, mb) in runs.items():
    r = run_isolated(fn, args, name, timeout=2, max_memory_mb=mb)
    out[name] = [r.status, r.errors, (r.report or {}).get("agency")]
stop = threading.Event()
threading.Thread(target=stop.wait, daemon=True).start()
out["threaded"] = start_method(True)
stop.set()
big = bytearray(400 * 1024 * 1024)
out["big"] = start_method(True)
print(json.dumps(out, ensure_ascii=False))
"""


def hog(megabytes: int, path: str) -> dict:
    from xxgk.pipeline import convert_file

    block = bytearray(megabytes * 1024 * 1024)
    block[::4096] = b"x" * len(block[::4096])
    return convert_file(path)


def segfault() -> dict:
    import ctypes

    ctypes.string_at(0)  # a C library's crash
    return {}


def sleep(seconds: float) -> dict:
    import time

    time.sleep(seconds)
    return {}


def fail() -> dict:
    raise ValueError("a bug")


def test_a_small_parent_forks_and_the_forked_worker_keeps_the_limits(tmp_path):
    code = PROBE % {"tests": str(TESTS), "seed": str(SEEDS[1])}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["method"] == "fork" and out["not_allowed"] == "spawn"
    assert out["comm"] == "xxgk-worker" and out["same_cmdline"]  # forked: no second interpreter was started
    assert out["hog"] == ["failed", ["out of memory (limit 600 MB)"], None]
    assert out["small"] == ["converted", [], "长沙市医疗保障局"]
    assert out["segv"] == ["failed", ["crashed: worker died of SIGSEGV"], None]
    assert out["sleep"] == ["failed", ["timeout after 2 s"], None]
    assert out["raise"][0] == "failed" and out["raise"][1][0].startswith("internal error: ValueError: a bug (")
    assert out["threaded"] == "spawn"  # a thread could hold a lock across the fork
    assert out["big"] == "spawn"  # its address space would count against the worker's --max-memory


def test_the_forked_cli_worker_converts_as_the_spawned_one_did(tmp_path):
    r = cli("convert", SEEDS[1], "-o", tmp_path / "out", "-j", "1")
    assert r.returncode == 0, r.stderr
    report = json.loads((tmp_path / "out" / f"{SEEDS[1].name}.json").read_text(encoding="utf-8"))
    assert report["agency"] == "长沙市医疗保障局" and report["year"] == 2023
    r = cli("convert", SEEDS[1], "-o", "-")
    assert r.returncode == 0 and json.loads(r.stdout) == report
    assert r.stderr == ""
