"""Resume: a second identical run skips everything; --force redoes it; a changed input is redone; a run killed
at any moment and restarted ends with exactly the outputs of an uninterrupted run."""
import os
import signal
import subprocess
import sys
import time

from batch_support import ROOT, SEEDS, cli, good_copies, log_lines, tree, wait_for


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


def test_a_killed_run_restarted_ends_with_the_outputs_of_an_uninterrupted_run(tmp_path):
    good_copies(tmp_path / "in", 40)
    reference = tmp_path / "ref"
    assert cli("convert", tmp_path / "in", "-o", reference).returncode == 0
    out = tmp_path / "out"
    for attempt in range(2):  # kill -9 the main process part-way, twice, then let it finish
        proc = subprocess.Popen([sys.executable, "-m", "xxgk.cli", "convert", tmp_path / "in", "-o", out],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        done = 8 * (attempt + 1)
        wait_for(lambda: len(list(out.glob("*.json"))) >= done if out.exists() else False, 120, 0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finished_before = len(list(out.glob("*.json")))
    assert 0 < finished_before < 40
    last = cli("convert", tmp_path / "in", "-o", out)
    assert last.returncode == 0
    skipped = int(last.stdout.splitlines()[-1].split("skipped ")[1].split(",")[0])
    assert skipped >= finished_before - 2  # finished files are not redone (a kill may land before its log line)
    assert tree(out) == tree(reference)  # byte for byte (each report records its input's path, the same in both)
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # stale temp files of the killed runs removed
