"""Log formats mapped to the canonical record.

Each format turns one decoded JSON line into zero or more canonical-record dicts (an OTLP export line
can hold many spans). `records.parse_record` then validates them like any other record. An OTLP line
can also hold spans that are not records: `SkippedSpan` (not an LLM call: counted) and `UnusableSpan`
(an LLM call without usable messages: quarantined with its reason).
"""

from logmine_dagster.ingest.formats.detect import FormatError, detect_format, records_from_line
from logmine_dagster.ingest.formats.results import AwaitingContent, SkippedSpan, SpanContent, UnusableSpan

__all__ = ["AwaitingContent", "FormatError", "SkippedSpan", "SpanContent", "UnusableSpan", "detect_format", "records_from_line"]
