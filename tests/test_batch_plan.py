"""The output plan: two inputs never share an output, names keep the input's path and full name, modes follow
the umask, long CJK names work, non-regular files are refused before any read, unreadable folders reported."""
import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from batch_support import HTML, SEEDS, cli

from xxgk.batch import BatchInput
from xxgk.batch.plan import NAME_MAX, expand_args, plan_outputs
from xxgk.pipeline import convert_file


def test_same_names_in_two_folders_and_case_variants_never_collide(tmp_path):
    for sub, seed in (("a", SEEDS[0]), ("b", SEEDS[1])):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "report.html").write_bytes(seed.read_bytes())
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "report.txt").write_bytes(SEEDS[2].read_bytes())
    (tmp_path / "c" / "report.TXT").write_bytes(SEEDS[3].read_bytes())
    out = tmp_path / "out"
    srcs = [tmp_path / "a" / "report.html", tmp_path / "b" / "report.html", tmp_path / "c"]
    r = cli("convert", *srcs, "-o", out)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-1].startswith("converted ") and "failed 0" in r.stdout
    outputs = sorted(p.name for p in out.glob("*.json"))
    assert len(outputs) == 4
    assert all(n.startswith(("report.html~", "report.txt~", "report.TXT~")) for n in outputs)
    # every output holds the conversion of its own input (the path it records), none lost
    by_input = {json.loads(p.read_text())["source"]["path"]: json.loads(p.read_text()) for p in out.glob("*.json")}
    expected = [str(srcs[0]), str(srcs[1]), str(tmp_path / "c" / "report.TXT"), str(tmp_path / "c" / "report.txt")]
    assert sorted(by_input) == sorted(expected)
    for path, report in by_input.items():
        assert report == convert_file(path)


def test_the_plan_is_deterministic_and_order_free(tmp_path):
    inputs = [BatchInput("a/report.html"), BatchInput("b/report.html"), BatchInput("x/report.txt"),
              BatchInput("x/Report.TXT"), BatchInput("y/unique.txt"), BatchInput("sub/deep.docx", rel="agency/deep")]
    out = Path("out")
    plan = plan_outputs(inputs, out)
    again = plan_outputs(list(reversed(inputs)), out)
    assert plan == list(reversed(again))
    assert len({str(p).casefold() for p in plan}) == len(plan)
    assert plan[4] == out / "unique.txt.json" and plan[5] == out / "agency" / "deep.json"
    assert plan[0].name.startswith("report.html~") and plan[0] != plan[1]


def test_an_output_never_lands_on_an_input_or_the_run_log(tmp_path):
    inputs = [BatchInput(str(tmp_path / "r.txt")), BatchInput(str(tmp_path / "r.txt.json")),
              BatchInput(str(tmp_path / "xxgk-run"))]
    plan = plan_outputs(inputs, tmp_path)
    assert plan[0].name.startswith("r.txt~") and plan[1].name == "r.txt.json.json"
    assert plan[2].name == "xxgk-run.json"
    assert not {str(p) for p in plan} & {i.source for i in inputs}


def test_long_cjk_name_gets_valid_temp_and_output_names(tmp_path):
    name = "淮安市洪泽区人民政府办公室" * 6 + "年报告.txt"  # 82 CJK characters: 250 bytes, legal
    assert len(name.encode()) <= NAME_MAX
    src = tmp_path / name
    src.write_bytes(SEEDS[1].read_bytes())
    out = tmp_path / "out"
    r = cli("convert", src, "-o", out)
    assert r.returncode == 0, r.stderr
    (written,) = out.glob("*.json")
    assert len(written.name.encode()) <= NAME_MAX and written.name.startswith(name[:40])
    assert json.loads(written.read_text()) == convert_file(str(src))


def test_output_modes_follow_the_umask(tmp_path):
    out = tmp_path / "out"
    code = ("import os, sys; os.umask(0o027); from xxgk.cli import main; "
            "sys.argv = ['xxgk', 'convert', sys.argv[1], '-o', sys.argv[2]]; main()")
    r = subprocess.run([sys.executable, "-c", code, str(SEEDS[1]), str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    for p in out.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o640, p


def test_fifo_and_devices_are_refused_without_reading(tmp_path):
    fifo = tmp_path / "blocks.html"
    os.mkfifo(fifo)
    out = tmp_path / "out"
    start = time.monotonic()
    r = cli("convert", fifo, "/dev/zero", SEEDS[1], "-o", out, timeout=60)
    assert time.monotonic() - start < 30  # nothing blocked on the FIFO or read /dev/zero until MemoryError
    assert r.returncode == 1
    assert f"xxgk: error: {fifo}: not a regular file (a FIFO); not read" in r.stderr.splitlines()
    assert "xxgk: error: /dev/zero: not a regular file (a device); not read" in r.stderr.splitlines()
    assert "refused 2" in r.stdout and (out / f"{SEEDS[1].name}.json").is_file()


def test_size_is_checked_before_reading(tmp_path):
    big = tmp_path / "huge.txt"
    with open(big, "wb") as f:
        f.truncate(201 * 1024 * 1024)  # sparse: costs no disk, but reading it would cost 201 MB
    r = cli("convert", big, "-o", tmp_path / "out")
    assert r.returncode == 1
    assert r.stderr.strip() == f"xxgk: error: {big}: the file is 201 MB; the limit is 200 MB"


def test_folders_keep_their_structure_and_skip_the_output_folder(tmp_path):
    src = tmp_path / "in"
    (src / "county").mkdir(parents=True)
    (src / "county" / "x.html").write_bytes(HTML[0].read_bytes())
    (src / "y.txt").write_bytes(SEEDS[1].read_bytes())
    out = src / "out"  # the output folder inside the input folder: its JSON must not become inputs
    assert cli("convert", src, "-o", out).returncode in (0, 4)
    r = cli("convert", src, "-o", out, "--force")
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*.json")) == ["county/x.html.json", "y.txt.json"]
    assert "skipped 0" in r.stdout and "failed 0" in r.stdout


def _without_root_read_override() -> list[str]:
    """A command prefix under which permission bits bind (root reads every folder otherwise)."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("setpriv (util-linux) is needed to drop root's read override")
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}"]


def test_unreadable_subfolder_is_reported_not_skipped(tmp_path):
    src = tmp_path / "in"
    (src / "locked").mkdir(parents=True)
    (src / "locked" / "a.txt").write_bytes(SEEDS[1].read_bytes())
    (src / "ok.txt").write_bytes(SEEDS[2].read_bytes())
    os.chmod(src / "locked", 0)
    out = tmp_path / "out"
    try:
        r = subprocess.run([*_without_root_read_override(), sys.executable, "-m", "xxgk.cli", "convert", str(src),
                            "-o", str(out)], text=True, capture_output=True, timeout=120)
    finally:
        os.chmod(src / "locked", 0o755)
    assert r.returncode == 1, r.stderr
    assert f"xxgk: error: {src / 'locked'}: cannot read folder: Permission denied" in r.stderr.splitlines()
    assert "failed 1" in r.stdout.splitlines()[-1] and (out / "ok.txt.json").is_file()


def test_expand_args_reports_missing_and_keeps_urls(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / ".hidden.txt").write_text("x")
    (tmp_path / "notes.json").write_text("{}")
    inputs, problems = expand_args([str(tmp_path), "https://example.gov.cn/r.html"])
    assert [(i.source, i.rel) for i in inputs] == [(str(tmp_path / "a.txt"), "a.txt"),
                                                    ("https://example.gov.cn/r.html", None)]
    assert problems == []
