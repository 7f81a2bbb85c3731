"""Map an xxgk.model.Document onto the national template and build the canonical JSON."""
