"""xxgk crawl: agency columns (政府信息公开年报) → every report in them, downloaded and converted."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from xxgk import status as st


def _read_url_file(path: str) -> list[str]:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("urls", nargs=-1)
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder for files/, json/, manifest.jsonl and summary.json (also the resume state).")
@click.option("--from-file", type=click.Path(exists=True, dir_okay=False), help="Start URLs, one a line.")
@click.option("-j", "--jobs", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Parallel conversion processes.")
@click.option("--max-pages", default=5000, show_default=True, help="Responses per run, all sites together.")
@click.option("--max-pages-per-site", default=2000, show_default=True,
              help="Requests per start URL; further links are recorded as skipped.")
@click.option("--depth", default=8, show_default=True, help="Link hops from a start URL.")
@click.option("--max-mb", default=100.0, show_default=True, help="Largest download; larger is skipped and recorded.")
@click.option("--max-time", default=0, show_default=True, help="Seconds for the whole crawl (0: no bound).")
@click.option("--timeout", default=30.0, show_default=True, help="Seconds per request.")
@click.option("--per-host", default=2, show_default=True, type=click.IntRange(1, 16),
              help="Concurrent requests per host.")
@click.option("--delay", default=1.0, show_default=True, help="AutoThrottle's start delay between requests, seconds.")
@click.option("--retries", default=3, show_default=True, help="Retries of a 429/5xx answer or a network error.")
@click.option("--backoff", default=5.0, show_default=True,
              help="Seconds the host is slowed down by after a 429/5xx (doubled each time; Retry-After wins).")
@click.option("--no-throttle", is_flag=True, help="Turn AutoThrottle and the download delay off (benchmarks only).")
@click.option("--ignore-robots", is_flag=True, help="Do not obey robots.txt (only for your own sites).")
@click.option("--allow-host", multiple=True, help="A further host the crawl may follow links to.")
@click.option("--http-cache", is_flag=True, help="Keep Scrapy's HTTP cache (RFC 2616 rules) under OUT/.crawl.")
@click.option("--no-convert", is_flag=True, help="Only download and record; convert on a later run.")
@click.option("--fresh", is_flag=True, help="Forget the crawl state (files and reports are kept).")
@click.option("--ocr-engine", type=click.Choice(["tesseract", "rapidocr"]), envvar="XXGK_OCR_ENGINE",
              default="tesseract", show_default=True)
@click.option("--convert-timeout", default=300.0, show_default=True, help="Seconds per file being converted.")
def crawl(urls, out_dir, from_file, jobs, max_pages, max_pages_per_site, depth, max_mb, max_time, timeout, per_host,
          delay, retries, backoff, no_throttle, ignore_robots, allow_host, http_cache, no_convert, fresh, ocr_engine,
          convert_timeout) -> None:
    """Crawl agency report columns (URLs of listing pages) and convert every report found into OUT/json.

    Polite by default: robots.txt obeyed, 2 requests at a time per host, AutoThrottle, 429/5xx retried with
    back-off. Run the same command again to resume an interrupted crawl; an unchanged site fetches nothing new.
    """
    from xxgk.crawl.job import crawl as run
    from xxgk.crawl.settings import CrawlOptions
    from xxgk.crawl.summary import format_summary

    starts = list(urls) + (_read_url_file(from_file) if from_file else [])
    bad = [u for u in starts if not u.startswith(("http://", "https://"))]
    if not starts or bad:
        click.echo(f"xxgk: error: {bad[0] + ': not an http(s) URL' if bad else 'no start URL given'}", err=True)
        sys.exit(st.EXIT_USAGE)
    opts = CrawlOptions(max_pages=max_pages, max_pages_per_site=max_pages_per_site, depth=depth,
                        max_bytes=int(max_mb * 1024 * 1024), max_seconds=max_time,
                        per_host=per_host, throttle=not no_throttle, start_delay=delay, timeout=timeout,
                        retries=retries, backoff=backoff, download_delay=min(0.25, delay),
                        obey_robots=not ignore_robots, extra_hosts=[h.lower() for h in allow_host], http_cache=http_cache)
    try:
        result = run(starts, Path(out_dir), opts, workers=jobs, timeout=convert_timeout, ocr_engine=ocr_engine,
                     convert=not no_convert, fresh=fresh)
    except RuntimeError as e:
        click.echo(f"xxgk: error: {out_dir}: {e}", err=True)
        sys.exit(st.EXIT_USAGE)
    click.echo(format_summary(result.summaries))
    click.echo(f"crawl {result.crawl_seconds:.1f} s, conversion {result.convert_seconds:.1f} s "
               f"({result.converted_now} files converted in this run)")
    bound = {"closespider_timeout": "--max-time", "closespider_pagecount": "--max-pages"}.get(result.close_reason)
    if bound:
        click.echo(f"xxgk: crawl stopped at its bound ({bound}); the rest is queued: run the same command again "
                   "to continue", err=True)
    if not result.finished:
        click.echo(f"xxgk: crawl interrupted ({result.close_reason}); run the same command again to continue",
                   err=True)
        sys.exit(st.EXIT_INTERRUPTED)
    sys.exit(st.exit_code([s for s in result.statuses if s != st.REFUSED]))
