"""xxgk convert: files, folders and URLs to one JSON per report."""
from __future__ import annotations

import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import click

from xxgk.model import ConversionError
from xxgk.output import expand_inputs, is_url, plan_outputs, write_json_atomic


def _convert_one(src: str) -> tuple[str, dict | None, str | None]:
    from xxgk.pipeline import convert_file, convert_url

    try:
        report = convert_url(src) if is_url(src) else convert_file(src)
        return src, report, None
    except ConversionError as e:
        return src, None, str(e)
    except Exception as e:  # a bug in xxgk must not stop the batch; say what it was
        return src, None, f"internal error: {e.__class__.__name__}: {e}"


def _summary_line(src: str, target: Path, report: dict) -> str:
    failed = sum(1 for c in report["checks"] if not c["passed"])
    return (f"ok  {src} -> {target}  [{report['template']}] {report['agency'] or '?'} {report['year'] or '?'}  "
            f"checks failed {failed}, warnings {len(report['warnings'])}")


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--out", "out_dir", default="out", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the JSON files.")
@click.option("-j", "--jobs", default=1, show_default=True, type=click.IntRange(1, 64), help="Parallel processes.")
@click.option("--overwrite", is_flag=True, help="Replace existing output files.")
@click.option("--ocr-engine", type=click.Choice(["tesseract", "rapidocr"]), envvar="XXGK_OCR_ENGINE",
              default="tesseract", show_default=True,
              help="OCR engine for scans and image-only PDF pages (rapidocr: scripts/setup.sh --with-rapidocr).")
def convert(inputs: tuple[str, ...], out_dir: str, jobs: int, overwrite: bool, ocr_engine: str) -> None:
    """Convert files, folders (recursively) and http(s) URLs: one JSON per report."""
    from xxgk.converters.ocr import ENGINE_ENV, engine_problem

    problem = engine_problem(ocr_engine) if ocr_engine != "tesseract" else None
    if problem:  # a missing tesseract is reported per scanned file; a chosen engine up front
        click.echo(f"xxgk: error: --ocr-engine {ocr_engine}: {problem}", err=True)
        sys.exit(2)
    os.environ[ENGINE_ENV] = ocr_engine  # converters and worker processes read it
    items = expand_inputs(inputs)
    if not items:
        click.echo("xxgk: error: no input files found", err=True)
        sys.exit(2)
    targets = plan_outputs(items, Path(out_dir))
    input_paths = {Path(s).resolve() for s, _ in items if not is_url(s)}
    sources = [s for s, _ in items]
    counts = {"converted": 0, "failed_checks": 0, "failed": 0}

    def handle(src: str, report: dict | None, error: str | None, target: Path) -> None:
        if error is None and target.resolve() in input_paths:
            error = f"output {target} would replace an input; choose another --out"
        if error is None:
            try:
                write_json_atomic(target, report, overwrite)
            except FileExistsError:
                error = f"output {target} exists (use --overwrite to replace it)"
            except OSError as e:
                error = f"cannot write {target}: {e.strerror or e}"
        if error is not None:
            counts["failed"] += 1
            click.echo(f"xxgk: error: {src}: {error}", err=True)
            return
        counts["converted"] += 1
        if any(not c["passed"] for c in report["checks"]):
            counts["failed_checks"] += 1
        click.echo(_summary_line(src, target, report))

    from tqdm import tqdm

    bar = tqdm(total=len(sources), unit="report", file=sys.stderr, disable=len(sources) < 2 or not sys.stderr.isatty())
    if jobs == 1:
        for src, target in zip(sources, targets):
            handle(*_convert_one(src), target)
            bar.update()
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for (src, report, error), target in zip(pool.map(_convert_one, sources), targets):
                handle(src, report, error, target)
                bar.update()
    bar.close()
    click.echo(f"converted {counts['converted']}, with failed checks {counts['failed_checks']}, failed {counts['failed']}")
    sys.exit(0 if counts["failed"] == 0 else 1)
