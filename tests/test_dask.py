"""The batch on a real Dask cluster: a scheduler and two workers started with the ordinary `dask` commands on
127.0.0.1; outputs equal a local run's byte for byte, also when a worker is killed mid-batch."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from batch_support import HTML, ROOT, alive, cli, good_copies, log_lines, tree, wait_for

DASK = Path(sys.executable).with_name("dask")


@pytest.fixture
def cluster(tmp_path):
    if not DASK.exists():
        pytest.skip("dask distributed is not installed")
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    info = tmp_path / "scheduler.json"
    procs = [subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                               "--scheduler-file", str(info)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env=env, cwd=tmp_path)]
    try:
        assert wait_for(lambda: info.exists() and info.stat().st_size > 0, 60, 0.1), "scheduler did not start"
        time.sleep(0.2)
        address = json.loads(info.read_text())["address"]
        for _ in range(2):  # no nanny: a killed worker stays dead, as a lost machine would
            procs.append(subprocess.Popen([str(DASK), "worker", address, "--nthreads", "1", "--no-nanny",
                                           "--no-dashboard", "--host", "127.0.0.1"],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=tmp_path))
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address, procs[1:]
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.kill()
            p.wait()


def test_cluster_outputs_equal_a_local_run_even_when_a_worker_dies(tmp_path, cluster):
    address, workers = cluster
    inputs = tmp_path / "in"
    good_copies(inputs, 16)
    for page in HTML[:2]:
        (inputs / page.name).write_bytes(page.read_bytes())
    local = tmp_path / "local"
    assert cli("convert", inputs, "-o", local, "-j", "2").returncode in (0, 4)

    remote = tmp_path / "remote"
    r = cli("convert", inputs, "-o", remote, "--scheduler", address)
    assert r.returncode in (0, 4), r.stderr
    assert tree(remote) == tree(local)
    assert len(tree(local)) == 18
    again = cli("convert", inputs, "-o", remote, "--scheduler", address)  # same plan, log and resume
    assert "skipped 18" in again.stdout.splitlines()[-1]

    killed = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "xxgk.cli", "convert", inputs, "-o", killed, "--scheduler",
                             address], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    assert wait_for(lambda: killed.exists() and len(list(killed.glob("*.json"))) >= 4, 120, 0.02)
    workers[0].send_signal(signal.SIGKILL)  # a worker lost mid-batch
    written_when_killed = len(list(killed.glob("*.json")))
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode in (0, 4), stderr
    assert written_when_killed < 18
    assert tree(killed) == tree(local)
    assert {r["status"] for r in log_lines(killed)} <= {"converted", "failed_checks", "incomplete"}
    assert not alive(workers[0].pid)
