"""xxgk.audit (being built)."""
