"""xxgk fields: the field dictionary (every field id with its Chinese labels, unit and forms)."""
from __future__ import annotations

import csv
import io
import json

import click

HEADERS = ("id", "table", "row", "column", "unit", "kind", "forms")


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--form", type=click.Choice(["2021", "2019"]), help="Only the fields of this form.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def fields(form: str | None, fmt: str) -> None:
    """List every numeric field id with its table, Chinese row/column labels, unit and forms."""
    from xxgk.normalize.catalog import field_catalog

    rows = [(f.id, f.table, f.row, f.column, f.unit, f.kind, ",".join(f.forms))
            for f in field_catalog() if form is None or form in f.forms]
    if fmt == "json":
        click.echo(json.dumps([dict(zip(HEADERS, r[:-1]), forms=r[-1].split(",")) for r in rows],
                              ensure_ascii=False, indent=1))
    elif fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(HEADERS)
        w.writerows(rows)
        click.echo(buf.getvalue(), nl=False)
    else:
        for r in rows:
            click.echo("\t".join(r))
