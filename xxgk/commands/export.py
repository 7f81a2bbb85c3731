"""xxgk export: a folder of JSON outputs → one table (csv, parquet, jsonl) or a DuckDB file of four tables."""
from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("dirs", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--to", "fmt", type=click.Choice(["csv", "parquet", "jsonl", "duckdb"]), required=True,
              help="Output format (duckdb: tables reports, fields, checks, warnings).")
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False), help="File to write.")
@click.option("--long", "long_", is_flag=True, help="One row per (report, field) instead of one per report.")
@click.option("--overwrite", is_flag=True, help="Replace an existing output file.")
def export(dirs: tuple[str, ...], fmt: str, out: str, long_: bool, overwrite: bool) -> None:
    """Export canonical JSON outputs (files or folders, searched recursively) as a dataset."""
    from xxgk.dataset.export import export_tables
    from xxgk.dataset.writers import write_export

    tables, errors = export_tables(dirs)
    for e in errors:
        click.echo(f"xxgk: error: {e}", err=True)
    if tables["reports"].num_rows == 0:
        click.echo("xxgk: error: no canonical reports found", err=True)
        sys.exit(2)
    try:
        write_export(tables, fmt, Path(out), long=long_, overwrite=overwrite)
    except FileExistsError:
        click.echo(f"xxgk: error: {out}: exists (use --overwrite to replace it)", err=True)
        sys.exit(2)
    except OSError as e:
        click.echo(f"xxgk: error: {out}: cannot write: {e.strerror or e}", err=True)
        sys.exit(2)
    what = "fields" if long_ and fmt != "duckdb" else "reports"
    click.echo(f"exported {tables['reports'].num_rows} reports ({tables[what].num_rows} rows) to {out}"
               + (f"; {len(errors)} files skipped" if errors else ""))
    sys.exit(1 if errors else 0)
