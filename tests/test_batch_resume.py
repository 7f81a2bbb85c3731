"""Resume: a second identical run skips everything; --force redoes it; a changed input is redone; a run killed
at any moment (the main process, one worker, or the whole process group) and restarted ends with exactly the
outputs of an uninterrupted run, without redoing the files the killed run finished."""
import os
import signal
import subprocess
import sys

import pytest
from batch_support import ROOT, SEEDS, cli, finished, good_copies, log_lines, pool_workers, tree, wait_for

N = 40


def test_second_identical_run_skips_everything_and_force_redoes_it(tmp_path):
    inputs = good_copies(tmp_path / "in", 5)
    out = tmp_path / "out"
    first = cli("convert", tmp_path / "in", "-o", out)
    assert first.returncode == 0, first.stderr
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("*.json")}
    second = cli("convert", tmp_path / "in", "-o", out)
    assert second.returncode == 0 and second.stderr == ""
    assert second.stdout.splitlines()[-1] == "converted 0, incomplete 0, with failed checks 0, skipped 5, refused 0, failed 0"
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.json")} == before  # nothing rewritten
    skipped = [r for r in log_lines(out) if r["status"] == "skipped"]
    assert len(skipped) == 5 and all(r["was"] in ("converted", "failed_checks") for r in skipped)
    inputs[0].write_bytes(SEEDS[2].read_bytes())  # a changed input is converted again, the rest skipped
    third = cli("convert", tmp_path / "in", "-o", out)
    assert "skipped 4" in third.stdout.splitlines()[-1]
    assert f"{inputs[0]} -> {out / (inputs[0].name + '.json')}" in third.stdout
    forced = cli("convert", tmp_path / "in", "-o", out, "--force")
    assert "skipped 0" in forced.stdout.splitlines()[-1]
    other_engine = cli("convert", tmp_path / "in", "-o", out, "--ocr-engine", "rapidocr")
    if other_engine.returncode != 2:  # rapidocr installed: a different engine is not "the same run"
        assert "skipped 0" in other_engine.stdout.splitlines()[-1]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """N good inputs and the outputs of one uninterrupted run over them."""
    root = tmp_path_factory.mktemp("resume")
    good_copies(root / "in", N)
    ref = root / "ref"
    assert cli("convert", root / "in", "-o", ref, "-j", "2").returncode == 0
    return root / "in", tree(ref)


def _start(src, out, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "xxgk.cli", "convert", src, "-o", out, "-j", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, **kw)


def _written(out) -> int:
    return len(list(out.glob("*.json"))) if out.exists() else 0


def _rerun_gives_the_reference(src, out, ref_tree) -> None:
    """Re-run: the outputs equal the uninterrupted run's; no file the log records as finished is redone."""
    done = finished(out)
    assert 0 < len(done) < N
    last = cli("convert", src, "-o", out, "-j", "2")
    assert last.returncode == 0, last.stderr
    assert tree(out) == ref_tree  # byte for byte (each report records its input's path, the same in both)
    assert {o: (out / o).stat().st_mtime_ns for o in done} == done  # finished files were not rewritten
    skipped = int(last.stdout.splitlines()[-1].split("skipped ")[1].split(",")[0])
    assert skipped == len(done)  # every output in place has its log line (written just before the rename)
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # the killed runs' temp files removed


def test_an_output_changed_since_its_log_line_is_converted_again(tmp_path, reference):
    src, ref_tree = reference
    out = tmp_path / "out"
    assert cli("convert", src, "-o", out, "-j", "2").returncode == 0
    victim = out / sorted(ref_tree)[0]
    victim.write_text(victim.read_text(encoding="utf-8").replace('"year": 20', '"year": 19', 1), encoding="utf-8")
    (out / sorted(ref_tree)[1]).unlink()
    again = cli("convert", src, "-o", out, "-j", "2")
    assert f"skipped {N - 2}," in again.stdout.splitlines()[-1]  # the edited and the deleted output redone
    assert tree(out) == ref_tree


def test_killing_the_main_process_at_any_moment_then_rerunning(tmp_path, reference):
    src, ref_tree = reference
    out = tmp_path / "out"
    for attempt in range(2):  # kill -9 the main process part-way, twice, then let it finish
        proc = _start(src, out)
        wait_for(lambda: _written(out) >= 8 * (attempt + 1), 120, 0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    _rerun_gives_the_reference(src, out, ref_tree)


def test_killing_the_whole_process_group_at_any_moment_then_rerunning(tmp_path, reference):
    src, ref_tree = reference
    out = tmp_path / "out"
    for attempt in range(3):  # SIGKILL to the main process and its workers at once (a closed terminal, a job kill)
        proc = _start(src, out, start_new_session=True)
        wait_for(lambda: _written(out) >= 5 + 7 * attempt, 120, 0.01)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    _rerun_gives_the_reference(src, out, ref_tree)


def test_killing_one_worker_at_any_moment_then_rerunning(tmp_path, reference):
    src, ref_tree = reference
    out = tmp_path / "out"
    proc = _start(src, out)
    killed = 0
    for threshold in (6, 16, 26):  # a worker killed three times mid-batch (as the OOM killer would)
        wait_for(lambda: _written(out) >= threshold, 120, 0.005)
        workers = pool_workers(proc.pid)
        if workers:
            os.kill(workers[0], signal.SIGKILL)
            killed += 1
    assert proc.wait(timeout=300) in (0, 1)
    assert killed
    lost = [r for r in log_lines(out) if r["status"] != "converted" and r["status"] != "failed_checks"]
    assert all(r["status"] == "failed" and r["reason"].startswith("crashed: ") for r in lost), lost
    assert len(lost) <= killed  # each kill costs at most the input its worker held
    done = finished(out)
    last = cli("convert", src, "-o", out, "-j", "2")
    assert last.returncode == 0, last.stderr
    assert tree(out) == ref_tree
    assert {o: (out / o).stat().st_mtime_ns for o in done} == done
    assert f"skipped {N - len(lost)}," in last.stdout.splitlines()[-1]  # only the killed workers' inputs redone


def test_a_killed_runs_temp_goes_even_before_its_parent_reaps_it(tmp_path):
    from xxgk.output import TEMP_PREFIX, TEMP_SUFFIX, remove_stale_temps
    dead = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead.send_signal(signal.SIGKILL)
        wait_for(lambda: _state(dead.pid) == "Z", 10, 0.01)  # killed, not yet waited for: a zombie
        for pid in (dead.pid, alive.pid):
            (tmp_path / f"{TEMP_PREFIX}{pid}-0123abcd{TEMP_SUFFIX}").write_text("{", encoding="utf-8")
        assert remove_stale_temps(tmp_path) == 1
        assert [p.name for p in tmp_path.iterdir()] == [f"{TEMP_PREFIX}{alive.pid}-0123abcd{TEMP_SUFFIX}"]
    finally:
        alive.kill()
        alive.wait()
        dead.wait()


def _state(pid: int) -> str:
    stat = open(f"/proc/{pid}/stat", encoding="ascii").read()
    return stat[stat.rfind(")") + 2]
