"""xxgk.crawl (being built)."""
