"""xxgk audit: every check a careful reviewer runs over a folder of outputs; JSON and a self-contained HTML page."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click


def _write(path: Path, text: str, overwrite: bool) -> None:
    from xxgk.dataset.writers import write_atomic

    def write(tmp: str) -> None:
        Path(tmp).write_text(text, encoding="utf-8")
    write_atomic(path, overwrite, write)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("dirs", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--html", "html_out", type=click.Path(dir_okay=False), help="Write the audit as one HTML page.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False), help="Write the audit as JSON ('-': stdout).")
@click.option("--expect", type=click.File(encoding="utf-8"),
              help="File of agency names (one a line) that should have reports. A folder `xxgk crawl` wrote "
                   "is audited per start site as well.")
@click.option("--overwrite", is_flag=True, help="Replace existing output files.")
def audit(dirs: tuple[str, ...], html_out: str | None, json_out: str | None, expect, overwrite: bool) -> None:
    """Audit canonical JSON outputs: failed rules, cross-year continuity, prose vs tables, outline, coverage."""
    from xxgk.audit.run import audit_dirs

    expected = [ln.strip() for ln in expect] if expect else []
    result = audit_dirs(dirs, [e for e in expected if e])
    for e in result["summary"]["unreadable_files"]:
        click.echo(f"xxgk: error: {e}", err=True)
    if json_out == "-":
        click.echo(json.dumps(result, ensure_ascii=False, indent=1))
    try:
        if json_out and json_out != "-":
            _write(Path(json_out), json.dumps(result, ensure_ascii=False, indent=1) + "\n", overwrite)
        if html_out:
            from xxgk.audit.html import render_html

            _write(Path(html_out), render_html(result), overwrite)
    except FileExistsError as e:
        click.echo(f"xxgk: error: {e}: exists (use --overwrite to replace it)", err=True)
        sys.exit(2)
    s = result["summary"]
    if json_out != "-":
        for p in result["problems"]:
            click.echo(f"{p['severity']:5}  {p['agency_key'] or '?'} {p['year'] or ''}  {p['where']}  {p['message']}")
        click.echo(f"audited {s['reports']} reports of {s['agencies']} agencies: "
                   f"{s['errors']} errors, {s['checks']} to check")
    sys.exit(1 if s["errors"] or s["unreadable_files"] else 0)
