"""Stage 1, ingest: log records, their formats, reading day folders and sampling them into the raw tier."""
