"""xxgk.batch (being built)."""
