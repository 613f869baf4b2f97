"""Deny by default: PII planted in every field position of a record never reaches sanitised_samples.

Each planted value is either masked by the real sanitiser (Presidio with the real spaCy model), or
its field is outside the declared schema and dropped (and counted), or the residual gate refuses
the record (and counts it). The gate reads the stored row, keys included, on its own.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from logmine_dagster.ingest.records import parse_record
from logmine_dagster.sanitise import schema
from logmine_dagster.sanitise.record_fields import RecordFields
from logmine_dagster.sanitise.residual import Finding, scan_record, scan_row
from logmine_dagster.sanitise.sanitise_day import publish_day, sanitise_day, sanitise_shard
from logmine_dagster.sanitise.sanitiser import SanitisedRecord
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import raw_samples, sanitised_samples, sanitiser_quarantine

DAY = "2026-03-02"
KEY = b"test-hash-key-0123456789abcdef"
ALLOW_TERMS = ("Northwind",)

NAME = "Marisol Etxeberria"
EMAIL = "jane.doe@example.com"
PHONE = "+44 20 7946 0958"
PLANTED = {"name": NAME, "email": EMAIL, "phone": PHONE}


def _call(type_="function", name="lookup_customer", arguments='{"query": "gold tier"}') -> dict:
    return {"id": "call_1", "type": type_, "function": {"name": name, "arguments": arguments}}


def _user(content="Where is my parcel?", **extra) -> dict:
    return {"role": "user", "content": content, **extra}


def _tool_result(content="{}", **extra) -> dict:
    return {"role": "tool", "tool_call_id": "call_1", "content": content, **extra}


def _image(url="https://cdn.example.com/a.png", detail="auto") -> dict:
    return _user([{"type": "text", "text": "Here is the photo."}, {"type": "image_url", "image_url": {"url": url, "detail": detail}}])


# position -> (extra record fields, messages) for a planted value `v`
POSITIONS = {
    "tool_result_key": lambda v: ({}, [_tool_result(json.dumps({v: {"tier": "gold"}}))]),
    "tool_result_nested_key": lambda v: ({}, [_tool_result(json.dumps({"customers": [{v: "gold"}]}))]),
    "tool_arguments_key": lambda v: ({}, [{"role": "assistant", "content": None, "tool_calls": [_call(arguments=json.dumps({v: True}))]}]),
    "tool_arguments_object_key": lambda v: ({}, [{"role": "assistant", "content": None, "tool_calls": [_call(arguments={v: True})]}]),
    "metadata_key": lambda v: ({"metadata": {v: "vip"}}, []),
    "content_object_key": lambda v: ({}, [_user({v: "see attached"})]),
    "image_url_url": lambda v: ({}, [_image(url="https://cdn.example.com/u/" + v.replace(" ", "%20") + "/photo.png")]),
    "image_url_detail": lambda v: ({}, [_image(detail=v)]),
    "image_data_url": lambda v: ({}, [_image(url="data:text/plain;charset=utf-8," + v)]),
    "part_of_unknown_type": lambda v: ({}, [_user([{"type": "input_image", "image_url": v}])]),
    "part_type": lambda v: ({}, [_user([{"type": v, "text": "hello"}])]),
    "audio_part": lambda v: ({}, [_user([{"type": "input_audio", "input_audio": {"data": v, "format": "wav"}}])]),
    "file_part_name": lambda v: ({}, [_user([{"type": "file", "file": {"filename": v + ".pdf", "file_data": v}}])]),
    "unknown_message_key": lambda v: ({}, [_user(customer=v)]),
    "unknown_tool_call_key": lambda v: ({}, [{"role": "assistant", "content": None, "tool_calls": [dict(_call(), owner=v)]}]),
    "tool_call_type": lambda v: ({}, [{"role": "assistant", "content": None, "tool_calls": [_call(type_=v)]}]),
    "tool_call_function_name": lambda v: ({}, [{"role": "assistant", "content": None, "tool_calls": [_call(name=v)]}]),
    "tool_message_name": lambda v: ({}, [_tool_result(name=v)]),
    "chat_message_name": lambda v: ({}, [_user(name=v)]),
    "model": lambda v: ({"model": "ft:gpt-4o-mini:" + v}, []),
    "output_json_key": lambda v: ({"output": json.dumps({v: {"open_orders": 2}})}, []),
    "refusal": lambda v: ({}, [{"role": "assistant", "content": None, "refusal": v}]),
    "legacy_function_call_key": lambda v: ({}, [{"role": "assistant", "content": None, "function_call": {"name": "lookup", "arguments": json.dumps({v: 1})}}]),
}


def _record(request_id: str, extra: dict, messages: list[dict], day: str = DAY) -> dict:
    return parse_record({
        "request_id": request_id,
        "timestamp": f"{day}T10:15:00Z",
        "session_id": "sess-" + request_id,
        "user_id": "user-" + request_id,
        "model": "gpt-4o-mini",
        "input": [{"role": "system", "content": "You are the Northwind support assistant."}, _user(), *messages],
        "output": "Happy to help.",
        "status": "ok",
        "metadata": {"channel": "web"},
        **extra,
    })


CASES = [(position, kind) for position in POSITIONS for kind in PLANTED]


def _request_id(position: str, kind: str) -> str:
    return f"req-{position}-{kind}"


def _insert_raw(db: Database, records: list[dict]) -> None:
    now = dt.datetime.now(dt.timezone.utc)
    with db.transaction() as conn:
        conn.execute(raw_samples.insert(), [
            {"day": DAY, "request_id": r["request_id"], "sample_reasons": "random",
             "record_json": json.dumps(r, ensure_ascii=False), "source_file": "test.jsonl", "source_line": n,
             "sampled_at": now}
            for n, r in enumerate(records)
        ])


def _tier(db: Database) -> tuple[dict[str, str], set[str]]:
    """Each stored row as JSON text by case id, and the case ids refused by the gate."""
    rows = {r["case_id"]: json.dumps({k: str(v) for k, v in r.items()}, ensure_ascii=False)
            for r in db.fetch_all(sa.select(sanitised_samples).where(sanitised_samples.c.day == DAY))}
    refused = {r["case_id"] for r in db.fetch_all(sa.select(sanitiser_quarantine).where(sanitiser_quarantine.c.day == DAY))}
    return rows, refused


def _visible(value: str) -> list[str]:
    """What must not be readable: the value, and each part of a name."""
    return [value, *(value.split() if value == NAME else [])]


@pytest.fixture(scope="module")
def sanitiser():
    from logmine_dagster.sanitise.sanitiser import get_sanitiser

    return get_sanitiser(ALLOW_TERMS)


def _run_all(db: Database, sanitiser):
    records = [_record(_request_id(p, k), *POSITIONS[p](PLANTED[k])) for p, k in CASES]
    _insert_raw(db, records)
    report = sanitise_day(db, sanitiser, KEY, DAY)
    return report, *_tier(db)


@pytest.fixture(scope="module")
def tier(tmp_path_factory, sanitiser):
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('deny') / 'logmine.db'}")
    yield _run_all(db, sanitiser)
    db.dispose()


def _leaks(case_id_rows: dict[str, str], refused: set[str], position: str, kind: str) -> list[str]:
    from logmine_dagster.sanitise.sanitise_day import case_id_for

    case_id = case_id_for(KEY, _request_id(position, kind))
    assert (case_id in case_id_rows) != (case_id in refused), "a record is either stored or refused, never lost"
    stored = case_id_rows.get(case_id, "")
    return [part for part in _visible(PLANTED[kind]) if part.lower() in stored.lower()]


@pytest.mark.parametrize(("position", "kind"), CASES)
def test_a_planted_value_never_reaches_the_tier(tier, position, kind):
    report, rows, refused = tier
    assert _leaks(rows, refused, position, kind) == []


def test_refusals_and_dropped_fields_are_counted(tier):
    report, rows, refused = tier
    assert report.read == len(CASES)
    assert report.quarantined == len(refused) and report.written == len(rows)
    dropped = report.dropped_fields
    for label in ("message.<other key>", "tool_call.<other key>", "tool_call.type", "image_url.detail",
                  "image_url.url", "content_part.<other type>", "input_audio.<other key>", "file.<other key>"):
        assert dropped[label] >= len(PLANTED), label


def test_the_tier_on_postgresql_too(db, sanitiser):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the SQLite run is the module's `tier` fixture")
    report, rows, refused = _run_all(db, sanitiser)
    assert [c for c in CASES if _leaks(rows, refused, *c)] == []


# -- the schema and the walker -----------------------------------------------------------------------


def test_known_fields_keep_their_shape():
    record = _record("req-1", {"metadata": {"channel": "web", "notes": ["a"]}}, [
        {"role": "assistant", "content": None, "tool_calls": [_call()]},
        _tool_result('{"status": "shipped"}', name="lookup_customer"),
        _image(),
        _user([{"type": "text", "text": "hi"}, {"type": "image_url"}]),
    ])
    kept, dropped = schema.prune(record)
    assert kept == record and dropped == {}


def test_keys_are_texts_of_the_record_and_are_renamed_in_place():
    record = _record("req-1", {"metadata": {"a_key": 1, NAME: {"nested key": "x"}, "z": 2}}, [])
    fields = RecordFields(record)
    texts = fields.texts()
    assert NAME in texts and "nested key" in texts and "a_key" not in texts  # identifier keys are not texts
    masked = fields.write_back(["<PERSON>" if text == NAME else text for text in texts])
    assert list(masked["metadata"]) == ["a_key", "<PERSON>", "z"]
    assert masked["metadata"]["<PERSON>"] == {"nested key": "x"}


def test_two_keys_masked_alike_both_stay():
    record = _record("req-1", {"metadata": {"Ann Lee": 1, "Bo Chan": 2}}, [])
    fields = RecordFields(record)
    masked = fields.write_back(["<PERSON>" if text in ("Ann Lee", "Bo Chan") else text for text in fields.texts()])
    assert masked["metadata"] == {"<PERSON>": 1, "<PERSON> #2": 2}


def test_long_numbers_in_free_json_are_read_as_text():
    record = _record("req-1", {"metadata": {"contact": 447946095800, "count": 3}}, [])
    fields = RecordFields(record)
    assert "447946095800" in fields.texts() and "3" not in fields.texts()
    masked = fields.write_back(["<PHONE_NUMBER>" if t == "447946095800" else t for t in fields.texts()])
    assert masked["metadata"] == {"contact": "<PHONE_NUMBER>", "count": 3}


# -- the gate reads keys, on its own -----------------------------------------------------------------


def test_the_gate_scans_keys():
    assert Finding("metadata.<key>", "EMAIL_ADDRESS") in scan_record({"metadata": {EMAIL: "x"}})
    row = {"case_id": "c_1", "metadata_json": json.dumps({"customers": {NAME: 1}}), "input_json": "[]"}
    assert scan_row(row, {NAME}) == [Finding("metadata.customers.<key>", "KNOWN_VALUE")]
    tool = {"input_json": json.dumps([{"role": "tool", "content": json.dumps({PHONE: "x"})}]), "metadata_json": "{}"}
    assert Finding("input[0].content.<key>", "PHONE_NUMBER") in scan_row(tool)


class _KeyBlindSanitiser:
    """Masks every string value it is given and no key: a walker that forgot keys."""

    def sanitise_record(self, record, pseudonym_key=None, common_terms=frozenset()):
        def values(node):
            if isinstance(node, dict):
                return {key: values(item) for key, item in node.items()}
            if isinstance(node, list):
                return [values(item) for item in node]
            return "<MASKED>" if isinstance(node, str) and NAME in node else node

        masked = {**record, "metadata": values(record["metadata"])}
        return SanitisedRecord(masked, {"PERSON": 1}, {NAME})


def test_a_value_left_in_a_key_is_refused_by_the_gate(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'logmine.db'}")
    _insert_raw(db, [_record("req-key", {"metadata": {"vip": NAME, "notes": {NAME: "called twice"}}}, [])])
    report = publish_day(db, DAY, [sanitise_shard(db, _KeyBlindSanitiser(), KEY, DAY)])
    rows, refused = _tier(db)
    assert rows == {} and len(refused) == 1 and report.quarantined == 1
    reason = db.fetch_all(sa.select(sanitiser_quarantine.c.reason))[0]["reason"]
    assert reason == "residual PII: KNOWN_VALUE@metadata.notes.<key>" and NAME not in reason
    db.dispose()


def test_each_text_is_reported_under_its_declared_field_never_its_key():
    record = _record("req-1", {"metadata": {NAME: "x"}}, [
        {"role": "assistant", "content": None, "tool_calls": [_call()]},
        _user([{"type": "text", "text": "hi"}]),
    ])
    fields = RecordFields(record)
    by_text = dict(zip(fields.texts(), fields.fields()))
    assert by_text["You are the Northwind support assistant."] == "input[0].content"
    assert by_text["gold tier"] == "input[2].tool_calls[0].function.arguments"
    assert by_text["hi"] == "input[3].content[0].text"
    assert by_text[NAME] == by_text["x"] == "metadata"
    assert by_text["gpt-4o-mini"] == "model"


CODE_KEYS = ("Content-Type", "X-Request-ID", "IPAddress", "OrderStatus", "HTTP_STATUS", "SKU", "max_tokens", "createdAt")


def test_keys_written_as_code_keep_their_names(sanitiser):
    """The real sanitiser reads "Content-Type" or "SKU" alone as an ORGANIZATION: such keys are not
    given to it, while a key with spaces or an "@" is."""
    metadata = {**{key: "x" for key in CODE_KEYS}, NAME: "x", EMAIL: "x"}
    masked = sanitiser.sanitise_record(_record("req-1", {"metadata": metadata}, [])).record["metadata"]
    assert list(masked) == [*CODE_KEYS, "<PERSON>", "<EMAIL_ADDRESS>"]
