"""Map a converters.model.Document onto the national template and build the canonical JSON."""
