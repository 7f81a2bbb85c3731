"""xxgk convert: files, folders and URLs to one JSON per report (see xxgk.batch for how a batch runs)."""
from __future__ import annotations

import os
import re
import signal
import sys
from pathlib import Path
from typing import Optional

import click

from xxgk import status as st

EXIT_HELP = """Exit codes: 0 every input converted (or skipped as unchanged); 1 some input refused or failed;
2 usage error; 3 a dependency is missing (Tesseract or its language data); 4 some report incomplete
(fields null with warnings); 130 interrupted."""


def _memory_mb(ctx: click.Context, param: click.Parameter, value: str) -> int:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([mMgG]?)[bB]?\s*", value or "")
    if not m:
        raise click.BadParameter("a size such as 2048, 512M or 2G")
    mb = float(m.group(1)) * (1024 if m.group(2).lower() == "g" else 1)
    if mb < 256:
        raise click.BadParameter("at least 256 MB (Python and the converters need that much to start)")
    return int(mb)


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM ends the run as Ctrl-C does: workers killed, no partial files


@click.command(context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_HELP)
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--out", "out_dir", default=None,
              help="Folder for the JSON files (default: next to the input for one file, else ./out); '-' prints "
                   "the JSON of one input to stdout.")
@click.option("-j", "--jobs", default=os.cpu_count() or 1, show_default="number of CPUs",
              type=click.IntRange(1, 256), help="Worker processes.")
@click.option("--timeout", default=300.0, show_default=True, type=click.FloatRange(0.1, None),
              help="Seconds per input (per page for scanned PDFs and images).")
@click.option("--max-memory", "max_memory_mb", default="2048", show_default=True, callback=_memory_mb,
              help="Memory limit per worker in MB (or 512M, 2G); enforced by the OS.")
@click.option("--force", is_flag=True, help="Convert again even inputs unchanged since the last run.")
@click.option("--overwrite", is_flag=True, help="Also replace an existing output file that is not an xxgk report.")
@click.option("--scheduler", default=None, metavar="tcp://HOST:PORT|local",
              help="Run on a Dask cluster ('local' starts a LocalCluster with --jobs workers).")
@click.option("--ocr-engine", type=click.Choice(["tesseract", "rapidocr"]), envvar="XXGK_OCR_ENGINE",
              default="tesseract", show_default=True,
              help="OCR engine for scans and image-only PDF pages (rapidocr is installed with xxgk).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors and the summary.")
@click.option("-v", "--verbose", is_flag=True, help="Also each input's warnings (library warnings, null fields).")
@click.option("--no-progress", is_flag=True, help="No progress display, even on a terminal.")
def convert(inputs: tuple[str, ...], out_dir: Optional[str], jobs: int, timeout: float, max_memory_mb: int,
            force: bool, overwrite: bool, scheduler: Optional[str], ocr_engine: str, quiet: bool, verbose: bool,
            no_progress: bool) -> None:
    """Convert files, folders (recursively) and http(s) URLs: one JSON per report.

    A re-run skips every input whose output is up to date (same source SHA-256, xxgk version and OCR
    engine, as OUT/xxgk-run.jsonl records) and converts the rest.
    """
    from xxgk.batch import BatchOptions

    if scheduler and scheduler != "local" and not re.fullmatch(r"(tcp|tls)://[^\s/]+:\d+", scheduler):
        raise click.BadParameter("tcp://HOST:PORT or local", param_hint="--scheduler")
    options = BatchOptions(jobs=jobs, timeout=timeout, max_memory_mb=max_memory_mb, ocr_engine=ocr_engine,
                           force=force, scheduler=scheduler, progress=not no_progress, quiet=quiet,
                           verbose=verbose, overwrite=overwrite, echo=True)
    signal.signal(signal.SIGTERM, _interrupted)
    try:
        if out_dir == "-":
            code = _to_stdout(inputs, options)
        else:
            code = _batch(inputs, out_dir, options)
    except KeyboardInterrupt:
        click.echo("xxgk: interrupted", err=True)
        code = st.EXIT_INTERRUPTED
    sys.exit(code)


def _single_file(inputs: tuple[str, ...]) -> bool:
    from xxgk.output import is_url

    return len(inputs) == 1 and not is_url(inputs[0]) and not os.path.isdir(inputs[0])


def _to_stdout(inputs: tuple[str, ...], options) -> int:
    """-o -: the one input's JSON on stdout, errors on stderr; same worker and limits as a batch."""
    from xxgk.batch.plan import file_problem
    from xxgk.batch.preflight import check_ocr
    from xxgk.batch.worker import run_one
    from xxgk.model import MissingDependency
    from xxgk.output import is_url

    if len(inputs) != 1 or os.path.isdir(inputs[0]):
        raise click.UsageError("-o - takes exactly one input file or URL")
    src = inputs[0]
    if not is_url(src):
        problem = file_problem(src)
        if problem is not None:
            click.echo(f"xxgk: error: {src}: {problem.reason}", err=True)
            return st.EXIT_SOME_FAILED
        try:
            check_ocr([src], options.ocr_engine)
        except MissingDependency as e:
            click.echo(f"xxgk: error: {e}", err=True)
            return st.EXIT_MISSING_DEPENDENCY
    task = {"url": src} if is_url(src) else {"path": src}
    payload = run_one(task, options.timeout, options.max_memory_mb, options.ocr_engine)
    for w in payload.get("warnings") or []:
        if options.verbose:
            click.echo(f"xxgk: warning: {src}: {w}", err=True)
    if payload.get("json") is None:
        click.echo(f"xxgk: error: {src}: {payload.get('reason')}", err=True)
        return st.EXIT_MISSING_DEPENDENCY if payload.get("missing_dependency") else st.EXIT_SOME_FAILED
    sys.stdout.write(payload["json"].decode("utf-8"))
    sys.stdout.flush()
    return st.exit_code([payload["status"]])


def _batch(inputs: tuple[str, ...], out_dir: Optional[str], options) -> int:
    from xxgk.batch import BatchInput, run_batch
    from xxgk.batch.plan import EMPTY_FOLDER, expand_args
    from xxgk.batch.progress import summary_line
    from xxgk.model import MissingDependency

    if out_dir is None and _single_file(inputs):  # one file: its JSON next to it, as docling and ocrmypdf do
        out = Path(inputs[0]).parent
        items, problems = [BatchInput(inputs[0])], []
        options.run_log = False  # a lone file's folder gets its JSON, not our log
    else:
        out = Path(out_dir or "out")
        items, problems = expand_args(inputs, out)
    if not items and all(p.reason == EMPTY_FOLDER for p in problems):
        click.echo("xxgk: error: no input files found", err=True)
        return st.EXIT_USAGE
    try:
        results = run_batch(items, out, options, problems=problems)
    except MissingDependency as e:
        click.echo(f"xxgk: error: {e}", err=True)
        return st.EXIT_MISSING_DEPENDENCY
    everything = problems + results
    click.echo(summary_line(everything))
    if any((r.summary or {}).get("missing_dependency") for r in results):
        return st.EXIT_MISSING_DEPENDENCY
    effective = [(r.summary or {}).get("was") or st.CONVERTED if r.status == st.SKIPPED else r.status
                 for r in everything]
    return st.exit_code(effective)
