"""Reading a decisions file, whatever its format, into entries: (line, row or task number, the entry's
fields or None, why the entry is unusable or None). A file unusable as a whole raises UnreadableFile."""

from __future__ import annotations

import csv
import io
import json

from logmine_dagster.review.label_studio import FormatError, read_export
from logmine_dagster.review.vocabulary import DECISION_FIELDS
from logmine_dagster.core.errors import LogmineError
from logmine_dagster.core.json_input import JsonTooDeep, loads_bounded

Entry = tuple[int, "dict | None", "str | None"]


class UnreadableFile(LogmineError, ValueError):
    """The whole file is unusable (not UTF-8, not JSON, no header...): nothing was stored."""


def _entries_jsonl(raw: bytes) -> list[Entry]:
    entries = []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            entries.append((number, None, "not valid UTF-8"))
            continue
        if not text.strip():
            continue
        try:
            value = loads_bounded(text)
        except json.JSONDecodeError as error:
            entries.append((number, None, f"malformed JSON ({error.msg})"))
            continue
        if not isinstance(value, dict):
            entries.append((number, None, "line is not a JSON object"))
            continue
        entries.append((number, value, None))
    return entries


def _unquoted(value: str | None) -> str | None:
    """Undo the export's guard against spreadsheet formulas: a quote it put before =, +, -, @."""
    if value and value.startswith("'") and value[1:2] in ("=", "+", "-", "@", "\t", "\r"):
        return value[1:]
    return value


def _entries_csv(raw: bytes) -> list[Entry]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile("the CSV file is not valid UTF-8 (save it as CSV UTF-8)") from None
    # The exported conversation column can outgrow csv's default 128 KiB field limit.
    csv.field_size_limit(max(csv.field_size_limit(), 16 * 1024 * 1024))
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = reader.fieldnames or []
    except csv.Error as error:
        raise UnreadableFile(f"malformed CSV header ({error})") from None
    missing = [name for name in ("case_id", "decision") if name not in header]
    if missing:
        raise UnreadableFile(f"the CSV header lacks column(s) {', '.join(missing)}: export the batch with --format csv and fill it in")
    entries = []
    try:
        for row in reader:
            number = reader.line_num
            if None in row:
                entries.append((number, None, "row has more cells than the header"))
                continue
            value = {k: _unquoted(v) if v is None or v.strip() else None for k, v in row.items() if k in ("case_id", *DECISION_FIELDS)}
            entries.append((number, value, None))
    except csv.Error as error:
        entries.append((reader.line_num, None, f"malformed CSV ({error})"))
    return entries


def _entries_label_studio(raw: bytes) -> list[Entry]:
    try:
        data = loads_bounded(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise UnreadableFile("the file is not valid UTF-8") from None
    except JsonTooDeep as error:
        raise UnreadableFile(f"malformed JSON ({error.msg})") from None
    except json.JSONDecodeError as error:
        raise UnreadableFile(f"malformed JSON ({error.msg} at line {error.lineno}, column {error.colno})") from None
    try:
        return read_export(data)
    except FormatError as error:
        raise UnreadableFile(str(error)) from None


READERS = {"jsonl": _entries_jsonl, "csv": _entries_csv, "label-studio": _entries_label_studio}


def read_entries(fmt: str, raw: bytes) -> list[Entry]:
    return READERS[fmt](raw)
