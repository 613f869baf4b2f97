"""PII planted in every field position issue 13 lists, through the pipeline's sanitise step, for bench_sanitise.

Positions: a JSON key (tool result, nested, tool arguments as text and as an object, metadata, object
content, JSON output), content parts without `text` (`image_url.url`, `detail`, an unknown part type,
audio, a file name), an unknown message key, an unknown tool-call key, `tool_calls[].type`, the function
name, a tool message's `name`, a chat message's `name`, `model`, a refusal. Values: a person's name, an
email address, a phone number and a username built from a name, all written here.

Each (position, value) is one raw record of a day; the day goes through `sanitise_day` with the real
sanitiser (schema pruning, the walker, the residual gate on the stored row), then every non-raw table is
dumped and searched for the planted values (as written, lower case, JSON-escaped; and each part of a
name). `leaked` must be 0: each value masked, dropped with its field, or its record refused.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections import Counter
from pathlib import Path

DAY = "2026-02-02"
KEY = b"bench-structure-key-0123456789"
VALUES = {"name": "Leocadia Vanterpool", "email": "leocadia.v@example.org", "phone": "+44 161 496 0732", "username": "leocadia_vanterpool_7731"}


def _call(type_="function", name="lookup_customer", arguments='{"query": "gold tier"}', **extra) -> dict:
    return {"id": "call_7", "type": type_, "function": {"name": name, "arguments": arguments}, **extra}


def _assistant(**fields) -> dict:
    return {"role": "assistant", "content": None, **fields}


def _user(content="My order is late.", **extra) -> dict:
    return {"role": "user", "content": content, **extra}


def _tool(content="{}", **extra) -> dict:
    return {"role": "tool", "tool_call_id": "call_7", "content": content, **extra}


def _image(url="https://img.example.com/p.png", detail="low") -> dict:
    return _user([{"type": "text", "text": "Photo attached."}, {"type": "image_url", "image_url": {"url": url, "detail": detail}}])


# position -> value -> (top-level fields, extra messages)
POSITIONS = {
    "tool_result_key": lambda v: ({}, [_tool(json.dumps({v: {"plan": "basic"}}))]),
    "tool_result_nested_key": lambda v: ({}, [_tool(json.dumps({"accounts": [{v: "basic"}]}))]),
    "tool_arguments_key": lambda v: ({}, [_assistant(tool_calls=[_call(arguments=json.dumps({v: 1}))])]),
    "tool_arguments_object_key": lambda v: ({}, [_assistant(tool_calls=[_call(arguments={v: 1})])]),
    "metadata_key": lambda v: ({"metadata": {v: "priority"}}, []),
    "content_object_key": lambda v: ({}, [_user({v: "attached"})]),
    "output_json_key": lambda v: ({"output": json.dumps({v: {"orders": 1}})}, []),
    "image_url_url": lambda v: ({}, [_image(url="https://img.example.com/u/" + v.replace(" ", "%20") + ".png")]),
    "image_url_detail": lambda v: ({}, [_image(detail=v)]),
    "part_of_unknown_type": lambda v: ({}, [_user([{"type": "input_image", "image_url": v}])]),
    "audio_part": lambda v: ({}, [_user([{"type": "input_audio", "input_audio": {"data": v, "format": "mp3"}}])]),
    "file_part_name": lambda v: ({}, [_user([{"type": "file", "file": {"filename": v + ".pdf"}}])]),
    "unknown_message_key": lambda v: ({}, [_user(account_holder=v)]),
    "unknown_tool_call_key": lambda v: ({}, [_assistant(tool_calls=[_call(requested_by=v)])]),
    "tool_call_type": lambda v: ({}, [_assistant(tool_calls=[_call(type_=v)])]),
    "tool_call_function_name": lambda v: ({}, [_assistant(tool_calls=[_call(name=v)])]),
    "tool_message_name": lambda v: ({}, [_tool(name=v)]),
    "chat_message_name": lambda v: ({}, [_user(name=v)]),
    "model": lambda v: ({"model": "ft:gpt-4o-mini:acme:" + v}, []),
    "refusal": lambda v: ({}, [_assistant(refusal=v)]),
}


def structure_records() -> list[tuple[str, str, dict]]:
    """(position, value kind, raw record) for every position and value."""
    out = []
    for position, plant in POSITIONS.items():
        for kind, value in VALUES.items():
            extra, messages = plant(value)
            request_id = f"req-{position}-{kind}"
            record = {
                "request_id": request_id, "timestamp": f"{DAY}T11:00:00Z", "session_id": "s-" + request_id,
                "user_id": "u-" + request_id, "model": "gpt-4o-mini",
                "input": [{"role": "system", "content": "You are a helpful support assistant."}, _user(), *messages],
                "output": "Happy to help.", "status": "ok", "metadata": {"channel": "app"}, **extra,
            }
            out.append((position, kind, record))
    return out


def _forms(value: str) -> set[str]:
    """How a planted value may read once stored: whole, lower case, JSON-escaped, URL-escaped, and each
    part of the name it is built from (the domain of an address is nobody's)."""
    person = value.split("@", 1)[0].replace("_", " ").replace(".", " ")
    forms = {value, value.lower(), json.dumps(value)[1:-1], value.replace(" ", "%20")}
    forms.update(part.lower() for part in person.split() if len(part) >= 5 and part.isalpha())
    return forms


def structure_score(allow_terms: tuple[str, ...] = ()) -> dict:
    """Run the day and count planted values readable in any non-raw table."""
    import sqlalchemy as sa

    from logmine_dagster.ingest.records import parse_record
    from logmine_dagster.sanitise.sanitise_day import case_id_for, sanitise_day
    from logmine_dagster.sanitise.sanitiser import get_sanitiser
    from logmine_dagster.storage import Database
    from logmine_dagster.storage.schema import metadata, raw_samples, sanitiser_quarantine

    planted = structure_records()
    with tempfile.TemporaryDirectory(prefix="bench-structure-") as folder:
        db = Database(f"sqlite:///{Path(folder) / 'logmine.db'}")
        now = dt.datetime.now(dt.timezone.utc)
        with db.transaction() as conn:
            conn.execute(raw_samples.insert(), [
                {"day": DAY, "request_id": record["request_id"], "sample_reasons": "random", "sampled_at": now,
                 "record_json": json.dumps(parse_record(record), ensure_ascii=False), "source_file": "structure.jsonl", "source_line": n}
                for n, (_, _, record) in enumerate(planted)
            ])
        report = sanitise_day(db, get_sanitiser(tuple(allow_terms)), KEY, DAY)
        refused = {row["case_id"] for row in db.fetch_all(sa.select(sanitiser_quarantine.c.case_id))}
        # Each record's rows, by case id, in every non-raw table that has one (sanitise_day writes
        # sanitised_samples and sanitiser_quarantine); rows without a case id are read for every record.
        stored: dict[str, list[str]] = {}
        with db.engine.connect() as conn:
            for name, table in metadata.tables.items():
                if name.startswith("raw_"):
                    continue
                for row in conn.execute(sa.select(table)).mappings():
                    text = json.dumps({k: str(v) for k, v in row.items()}, ensure_ascii=False).lower()
                    stored.setdefault(str(row.get("case_id", "*")), []).append(text)
        db.dispose()
    leaked = Counter()
    for position, kind, record in planted:
        texts = [*stored.get(case_id_for(KEY, record["request_id"]), []), *stored.get("*", [])]
        if any(form.lower() in text for form in _forms(VALUES[kind]) for text in texts):
            leaked[f"{position}:{kind}"] += 1
    return {
        "planted": len(planted),
        "positions": len(POSITIONS),
        "leaked": sum(leaked.values()),
        "leaked_at": sorted(leaked),
        "refused": len({case_id_for(KEY, record["request_id"]) for _, _, record in planted} & refused),
        "fields_dropped": int(sum(report.dropped_fields.values())),
    }
