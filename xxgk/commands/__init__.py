"""One module per xxgk subcommand; the CLI imports each only when it runs."""
