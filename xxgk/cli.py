"""Command line: xxgk convert / crawl / export / audit / fields / schema / validate.

Each subcommand lives in its own module under xxgk/commands and is imported only when it runs,
so that `xxgk convert report.txt` never pays for Scrapy, Dask or OpenCV.
"""
from __future__ import annotations

import importlib
import importlib.util
import json
import os
import sys
from pathlib import Path

import click

from xxgk import __version__

# One tesseract thread per process: on 2 cores OpenMP threads make OCR 4x slower.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
# numpy never multiplies matrices here, and OpenBLAS starting a thread per core costs a scan ~0.2 CPU-s a process.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

CONTEXT = {"help_option_names": ["-h", "--help"]}
LAZY_COMMANDS = {  # name -> module under xxgk.commands holding a click command of the same name
    "convert": "convert",
    "crawl": "crawl",
    "export": "export",
    "audit": "audit",
    "fields": "fields",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        lazy = [n for n, m in LAZY_COMMANDS.items() if importlib.util.find_spec(f"xxgk.commands.{m}")]
        return sorted(set(super().list_commands(ctx)) | set(lazy))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in LAZY_COMMANDS and importlib.util.find_spec(f"xxgk.commands.{LAZY_COMMANDS[name]}"):
            module = importlib.import_module(f"xxgk.commands.{LAZY_COMMANDS[name]}")
            return getattr(module, name.replace("-", "_"))
        return super().get_command(ctx, name)


@click.group(cls=LazyGroup, context_settings=CONTEXT)
@click.version_option(__version__, prog_name="xxgk")
def main() -> None:
    """Convert 政府信息公开工作年度报告 into canonical JSON."""


@main.command(context_settings=CONTEXT)
def schema() -> None:
    """Print the JSON Schema of the canonical report."""
    from xxgk.normalize.schema import report_schema

    click.echo(json.dumps(report_schema(), ensure_ascii=False, indent=2))


@main.command(context_settings=CONTEXT)
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def validate(files: tuple[str, ...]) -> None:
    """Check JSON files against the schema and re-run the consistency rules."""
    from xxgk.normalize.revalidate import recheck

    bad = 0
    for f in files:
        try:
            report = json.loads(Path(f).read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            click.echo(f"xxgk: error: {f}: not readable JSON ({e})", err=True)
            bad += 1
            continue
        problems = recheck(report) if isinstance(report, dict) else ["(top): not a JSON object"]
        if problems:
            bad += 1
            click.echo(f"invalid  {f}: {problems[0]}" + (f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""))
        else:
            failed = [c for c in report["checks"] if not c["passed"]]
            click.echo(f"valid  {f}" + (f"  ({len(failed)} failed checks recorded: the source's own inconsistencies)" if failed else ""))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
