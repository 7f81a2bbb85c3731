"""xxgk.dataset (being built)."""
