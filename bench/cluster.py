"""Cluster overhead: the same batch on the local pool and on a Dask cluster of 2 workers (scheduler and workers
started with the ordinary `dask` commands on 127.0.0.1); prints both times and their ratio.

    python bench/cluster.py --n 60
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DASK = Path(sys.executable).with_name("dask")


def timed(args: list[str]) -> float:
    start = time.monotonic()
    subprocess.run([sys.executable, "-m", "xxgk.cli", "convert", *args, "-q"], check=False, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    return time.monotonic() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=60, help="inputs (copies of the seed text reports)")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="xxgk-bench-cluster-"))
    seeds = sorted((ROOT / "fixtures" / "seeds").glob("*.txt"))
    (tmp / "in").mkdir()
    for i in range(a.n):
        shutil.copyfile(seeds[i % len(seeds)], tmp / "in" / f"r{i:04d}.txt")
    info = tmp / "scheduler.json"
    procs = [subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                               "--scheduler-file", str(info)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        while not (info.exists() and info.stat().st_size):
            time.sleep(0.1)
        address = json.loads(info.read_text())["address"]
        procs += [subprocess.Popen([str(DASK), "worker", address, "--nthreads", "1", "--no-dashboard"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
        from distributed import Client

        with Client(address) as c:
            c.wait_for_workers(2, timeout=60)
        local = timed([str(tmp / "in"), "-o", str(tmp / "local"), "-j", "2"])
        cluster = timed([str(tmp / "in"), "-o", str(tmp / "cluster"), "--scheduler", address])
        print(f"| inputs | local pool (2 workers) s | Dask cluster (2 workers) s | ratio |")
        print(f"| {a.n} | {local:.1f} | {cluster:.1f} | {cluster / local:.2f}x |")
    finally:
        for p in procs:
            p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
