"""Log formats mapped to the canonical record.

Each format turns one decoded JSON line into zero or more canonical-record dicts (an OTLP export line
can hold many spans). `records.parse_record` then validates them like any other record.
"""

from logmine_dagster.ingest.formats.detect import FormatError, detect_format, records_from_line

__all__ = ["FormatError", "detect_format", "records_from_line"]
