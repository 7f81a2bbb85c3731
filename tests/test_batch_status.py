"""Status and exit codes (0, 1, 2, 3, 4), the dependency check before an OCR batch, the run log's fields,
and the display: rich progress on a terminal with whole per-file lines above it, plain lines otherwise."""
import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

from batch_support import HTML, ROOT, SCAN_JPG, SEEDS, cli, good_copies, log_lines

INCOMPLETE_HTML = ROOT / "fixtures" / "html" / "form2019_2020.html"  # one field the page leaves blank → null


def test_exit_codes_say_the_worst_thing_that_happened(tmp_path):
    ok = cli("convert", SEEDS[1], "-o", tmp_path / "a")
    assert ok.returncode == 0 and ok.stdout.splitlines()[-1].startswith("converted 1,")
    incomplete = cli("convert", SEEDS[1], INCOMPLETE_HTML, "-o", tmp_path / "b")
    assert incomplete.returncode == 4 and "incomplete 1" in incomplete.stdout
    line = [x for x in incomplete.stdout.splitlines() if x.startswith("incomplete ")][0]
    assert line.endswith("null fields 1") and "form2019_2020.html -> " in line
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    failed = cli("convert", SEEDS[1], INCOMPLETE_HTML, empty, "-o", tmp_path / "c")
    assert failed.returncode == 1
    assert cli("convert").returncode == 2
    assert cli("convert", SEEDS[1], "--jobs", "0").returncode == 2
    assert cli("convert", SEEDS[1], "--scheduler", "nonsense").returncode == 2
    (tmp_path / "nothing").mkdir()
    nothing = cli("convert", tmp_path / "nothing", "-o", tmp_path / "d")
    assert nothing.returncode == 2 and "no input files found" in nothing.stderr
    # a skipped input keeps the exit code of the run that wrote it
    assert cli("convert", SEEDS[1], INCOMPLETE_HTML, "-o", tmp_path / "b").returncode == 4


def test_missing_tesseract_is_one_clear_error_before_the_batch(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path / "nowhere")}
    r = cli("convert", SEEDS[1], SCAN_JPG, "-o", tmp_path / "out", env=env)
    assert r.returncode == 3
    assert r.stderr.splitlines() == ["xxgk: error: Tesseract is not installed: apt-get install tesseract-ocr "
                                     "tesseract-ocr-eng tesseract-ocr-chi-sim tesseract-ocr-chi-sim-vert "
                                     "tesseract-ocr-osd"]
    assert not (tmp_path / "out").exists()  # nothing converted before the check


def test_missing_language_data_names_the_package(tmp_path):
    tessdata = tmp_path / "tessdata"
    tessdata.mkdir()
    system = Path("/usr/share/tesseract-ocr/5/tessdata")
    for lang in ("chi_sim", "eng"):
        (tessdata / f"{lang}.traineddata").symlink_to(system / f"{lang}.traineddata")
    env = {**os.environ, "TESSDATA_PREFIX": str(tessdata)}
    r = cli("convert", SCAN_JPG, "-o", tmp_path / "out", env=env)
    assert r.returncode == 3
    assert r.stderr.strip() == ("xxgk: error: Tesseract language data chi_sim_vert, osd is missing: "
                                "apt-get install tesseract-ocr-chi-sim-vert tesseract-ocr-osd")
    # a batch without scans does not need Tesseract at all
    assert cli("convert", SEEDS[1], "-o", tmp_path / "text", env=env).returncode == 0


def test_run_log_has_one_line_per_input_with_every_field(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    out = tmp_path / "out"
    cli("convert", SEEDS[1], HTML[0], empty, "-o", out)
    lines = log_lines(out)
    assert len(lines) == 3
    for rec in lines:
        assert {"input", "output", "status", "reason", "seconds", "pages", "peak_mb", "sha256", "xxgk_version",
                "ocr_engine"} <= set(rec)
    by = {Path(r["input"]).name: r for r in lines}
    seed = by[SEEDS[1].name]
    assert seed["status"] == "converted" and seed["reason"] is None and seed["output"] == f"{SEEDS[1].name}.json"
    assert seed["sha256"] == json.loads((out / seed["output"]).read_text())["source"]["sha256"]
    assert 10 < seed["peak_mb"] < 2048 and seed["seconds"] > 0
    assert by["empty.txt"]["status"] == "failed" and by["empty.txt"]["output"] is None
    assert by["empty.txt"]["reason"] == "the file is empty"


def test_plain_lines_when_not_a_terminal_and_quiet(tmp_path):
    good_copies(tmp_path / "in", 3)
    r = cli("convert", tmp_path / "in", "-o", tmp_path / "out")
    assert "\x1b" not in r.stdout + r.stderr  # no escape codes in a pipe
    assert len(r.stdout.splitlines()) == 4 and all(x.startswith("ok  ") for x in r.stdout.splitlines()[:3])
    q = cli("convert", tmp_path / "in", "-o", tmp_path / "out2", "-q")
    assert q.stdout.splitlines() == ["converted 2, incomplete 0, with failed checks 1, skipped 0, refused 0, failed 0"]


def test_rich_progress_on_a_terminal_keeps_per_file_lines_whole(tmp_path):
    inputs = good_copies(tmp_path / "in", 6)
    (tmp_path / "in" / SCAN_JPG.name).write_bytes(SCAN_JPG.read_bytes())  # a scan: seconds of OCR
    pid, fd = pty.fork()
    if pid == 0:  # the child: xxgk on a terminal
        os.chdir(ROOT)
        os.environ.update(COLUMNS="200", LINES="40", TERM="xterm")
        os.execv(sys.executable, [sys.executable, "-m", "xxgk.cli", "convert", str(tmp_path / "in"),
                                  "-o", str(tmp_path / "out"), "-j", "2"])
    chunks = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1)
        if ready:
            try:
                data = os.read(fd, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) in (0, 4)  # 4 if the scan leaves a field null
    text = b"".join(chunks).decode("utf-8", "replace")
    assert "files" in text and "ETA" in text and "\x1b[" in text  # the live display was drawn
    for p in inputs:  # each per-file line arrives whole, not cut by the bar
        assert f"ok  {p} -> " in text.replace("\r\n", "\n")
    # while the scan converts the display names it with its elapsed seconds (never silent for long)
    done = re.search(rf"(ok|incomplete)  \S*{re.escape(SCAN_JPG.name)} -> ", text)
    assert done and re.search(rf"{re.escape(SCAN_JPG.name)} \([1-9]\d* s\)", text[:done.start()])


def test_jobs_default_to_the_number_of_cpus():
    from xxgk.batch import BatchOptions
    from xxgk.commands.convert import convert

    (jobs,) = [p for p in convert.params if p.name == "jobs"]
    assert jobs.default == os.cpu_count() == BatchOptions().jobs
    assert "number of CPUs" in " ".join(cli("convert", "-h").stdout.split())


def _fake_tesseract(folder: Path, tessdata: Path) -> Path:
    """A `tesseract` that answers --list-langs from the traineddata files in `tessdata`, logging each start."""
    folder.mkdir()
    script = folder / "tesseract"
    script.write_text("#!/bin/sh\n"
                      f"echo started >> {folder / 'starts'}\n"
                      f"echo 'List of available languages in \"{tessdata}/\":'\n"
                      f"for f in {tessdata}/*.traineddata; do basename \"$f\" .traineddata; done\n")
    script.chmod(0o755)
    return folder / "starts"


def test_the_language_check_starts_tesseract_again_only_when_its_data_changes(tmp_path, monkeypatch):
    from xxgk.batch.preflight import tesseract_problem

    tessdata = tmp_path / "tessdata"
    tessdata.mkdir()
    for lang in ("chi_sim", "eng"):
        (tessdata / f"{lang}.traineddata").write_bytes(b"")
    starts = _fake_tesseract(tmp_path / "bin", tessdata)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:{os.environ['PATH']}")
    monkeypatch.setenv("TESSDATA_PREFIX", str(tessdata))
    monkeypatch.setenv("XXGK_CACHE_DIR", str(tmp_path / "cache"))
    missing = ("Tesseract language data chi_sim_vert, osd is missing: apt-get install tesseract-ocr-chi-sim-vert "
               "tesseract-ocr-osd")
    assert tesseract_problem() == missing
    assert tesseract_problem() == missing
    assert starts.read_text().count("started") == 1  # the second check read the cached list
    for lang in ("chi_sim_vert", "osd"):  # the missing packs installed: the folder's language files changed
        (tessdata / f"{lang}.traineddata").write_bytes(b"")
    assert tesseract_problem() is None
    assert tesseract_problem() is None
    assert starts.read_text().count("started") == 2
