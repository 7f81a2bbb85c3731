"""Cluster overhead: the same batch on the local pool (-j 2) and on a Dask cluster of 2 workers (scheduler and
workers started with the ordinary `dask` commands on 127.0.0.1); prints both times and their ratio, and checks
that the two output trees are equal byte for byte.

    python bench/cluster.py --n 120 --repeat 3      # copies of the born-digital fixtures (text, HTML, DOCX, PDF)
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
sys.path.insert(0, str(ROOT))
from fixtures.hostile.corpus_batch import make_good  # noqa: E402

DASK = Path(sys.executable).with_name("dask")


def timed(args: list[str]) -> float:
    start = time.monotonic()
    subprocess.run([sys.executable, "-m", "xxgk.cli", "convert", *args, "-q", "--force"], check=False, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    return time.monotonic() - start


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.json"))}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=120, help="inputs (copies of the born-digital fixtures)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each; the best time of each is compared")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="xxgk-bench-cluster-"))
    make_good(tmp / "in", a.n)
    info = tmp / "scheduler.json"
    procs = [subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                               "--scheduler-file", str(info)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        while not (info.exists() and info.stat().st_size):
            time.sleep(0.1)
        address = json.loads(info.read_text())["address"]
        procs += [subprocess.Popen([str(DASK), "worker", address, "--nthreads", "1", "--no-dashboard",
                                    "--host", "127.0.0.1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                  for _ in range(2)]
        from distributed import Client

        with Client(address) as c:
            c.wait_for_workers(2, timeout=60)
        local, cluster = [], []
        for _ in range(a.repeat):  # interleaved, so that load from elsewhere hits both alike
            local.append(timed([str(tmp / "in"), "-o", str(tmp / "local"), "-j", "2"]))
            cluster.append(timed([str(tmp / "in"), "-o", str(tmp / "cluster"), "--scheduler", address]))
        same = tree(tmp / "local") == tree(tmp / "cluster")
        print("| inputs | local pool (2 workers) s | Dask cluster (2 workers) s | ratio | outputs equal |")
        print("|---|---|---|---|---|")
        print(f"| {a.n} | {min(local):.1f} | {min(cluster):.1f} | {min(cluster) / min(local):.2f}× | "
              f"{'yes' if same else 'NO'} |")
        print("all runs: local " + ", ".join(f"{t:.1f}" for t in local)
              + "; cluster " + ", ".join(f"{t:.1f}" for t in cluster))
    finally:
        for p in procs:
            p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
