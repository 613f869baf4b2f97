"""Deny by default on `logmine evalset import-synthetic`: PII planted in any field position of a
line's messages is refused (real sanitiser and residual gate), and so is any undeclared field."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from logmine_dagster.evalset.synthetic import import_synthetic
from logmine_dagster.storage.schema import review_users, synthetic_cases

T0 = dt.datetime(2026, 3, 11, 9, 0, tzinfo=dt.timezone.utc)
NAME = "Marisol Etxeberria"
EMAIL = "jane.doe@example.com"
PHONE = "+44 20 7946 0958"
PLANTED = {"name": NAME, "email": EMAIL, "phone": PHONE}


def _call(call_id="call_1", name="lookup_customer", arguments='{"query": "gold tier"}') -> dict:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def _turns(*messages: dict) -> list[dict]:
    return [{"role": "user", "content": "Where is my parcel?"}, *messages]


def _asks(*calls: dict) -> dict:
    return {"role": "assistant", "content": None, "tool_calls": list(calls)}


# position -> the input of a line with `v` planted there (a declared field: the PII checks refuse it)
DECLARED = {
    "chat_message_name": lambda v: _turns({"role": "user", "content": "Hello", "name": v}),
    "tool_message_name": lambda v: _turns(_asks(_call()), {"role": "tool", "tool_call_id": "call_1", "name": v, "content": "{}"}),
    "tool_arguments_object_key": lambda v: _turns(_asks(_call(arguments={v: True}))),
    "tool_arguments_object_value": lambda v: _turns(_asks(_call(arguments={"query": v}))),
    "tool_arguments_string_key": lambda v: _turns(_asks(_call(arguments=json.dumps({v: True})))),
    "tool_result_key": lambda v: _turns(_asks(_call()), {"role": "tool", "tool_call_id": "call_1", "content": json.dumps({v: "gold"})}),
    "function_name": lambda v: _turns(_asks(_call(name=v))),
    "tool_call_id": lambda v: _turns(_asks(_call(call_id="call_" + v))),
    "tool_result_call_id": lambda v: _turns({"role": "tool", "tool_call_id": v, "content": "{}"}),
    "pii_key_value": lambda v: _turns(_asks(_call(arguments={"customer_name": "x" + v.replace(" ", "")}))),
}
# position -> input with `v` in a field the schema does not declare: refused whatever `v` is
UNDECLARED = {
    "extra_message_key": lambda v: _turns({"role": "user", "content": "Hello", "customer": v}),
    "extra_tool_call_key": lambda v: _turns(_asks(dict(_call(), owner=v))),
    "tool_call_type": lambda v: _turns(_asks(dict(_call(), type=v))),
}


def _line(input_: list[dict]) -> dict:
    return {"input": input_, "expected_output": "Your parcel ships today.", "category": "edge_case"}


@pytest.fixture
def admin(db):
    with db.transaction() as conn:
        conn.execute(review_users.insert().values(name="root", role="admin", password_hash="x", created_at=T0, disabled=False))
    return "root"


def _import(db, admin, tmp_path, lines: list[dict]):
    path = tmp_path / "syn.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return import_synthetic(db, path, "generated", admin, allow_terms=("Northwind",), now=T0)


def test_pii_in_every_declared_position_is_refused(db, admin, tmp_path):
    cases = [(position, kind) for position in DECLARED for kind in PLANTED]
    report = _import(db, admin, tmp_path, [_line(DECLARED[p](PLANTED[k])) for p, k in cases])
    problems = dict(report.rejected)
    missed = [case for number, case in enumerate(cases, start=1) if number not in problems]
    assert missed == []
    assert all(problem.startswith("PII found in input[") for problem in problems.values())
    said = " ".join(problem for _, problem in report.rejected)
    assert [part for value in PLANTED.values() for part in value.split() if part in said] == []
    assert db.count(synthetic_cases) == 0


def test_undeclared_fields_are_refused_by_label(db, admin, tmp_path):
    report = _import(db, admin, tmp_path, [_line(UNDECLARED[p](NAME)) for p in UNDECLARED])
    assert report.rejected == [
        (1, "undeclared field(s) in input: message.<other key>"),
        (2, "undeclared field(s) in input: tool_call.<other key>"),
        (3, "undeclared field(s) in input: tool_call.type"),
    ]


def test_clean_tool_use_and_placeholders_are_imported(db, admin, tmp_path):
    lines = [
        _line(_turns(
            {"role": "user", "content": "It is <PERSON> here.", "name": "<PERSON>"},
            _asks(_call(arguments={"customer_name": "<PERSON>", "query": "open orders"})),
            {"role": "tool", "tool_call_id": "call_1", "name": "lookup_customer", "content": json.dumps({"status": "shipped"})},
        )),
    ]
    report = _import(db, admin, tmp_path, lines)
    assert report.rejected == [] and report.imported == 1
