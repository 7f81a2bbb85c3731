"""Folders of canonical JSON outputs → tables: a wide table (one row per report) and a long one (per field)."""
