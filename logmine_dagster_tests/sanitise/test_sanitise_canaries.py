"""Canaries: planted records that must come out of the sanitiser with nothing readable left."""

from __future__ import annotations

import copy

import pytest

from logmine_dagster.ingest.records import parse_record
from logmine_dagster.sanitise import residual
from logmine_dagster.sanitise.canaries import CANARIES, CanaryReport, run_canaries

KINDS = {
    "PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "STREET_ADDRESS", "CREDIT_CARD", "IBAN_CODE", "US_SSN",
    "DATE_OF_BIRTH", "ACCOUNT_ID", "IP_ADDRESS", "MAC_ADDRESS", "SECRET", "USERNAME",
}


@pytest.fixture(scope="module")
def sanitiser():
    from logmine_dagster.sanitise.sanitiser import get_sanitiser

    return get_sanitiser(("Northwind", "Northwind Telecom"))


def test_canaries_are_canonical_records_covering_every_kind_and_tool_json():
    assert 20 <= len(CANARIES) <= 40
    assert {kind for canary in CANARIES for kind, _ in canary.planted} == KINDS
    for canary in CANARIES:
        assert parse_record(copy.deepcopy(canary.record)) == canary.record
    with_tools = [c for c in CANARIES if any(m.get("tool_calls") for m in c.record["input"])]
    assert len(with_tools) >= 4


def test_the_real_sanitiser_removes_every_canary(sanitiser):
    report = run_canaries(sanitiser)
    assert report.passed, report.leaked_kinds
    assert report.total == sum(len(c.planted) for c in CANARIES) and report.records == len(CANARIES)
    assert run_canaries(sanitiser, pseudonym_key=b"the-run-key-0123456789").passed


def test_the_gate_accepts_sanitised_canaries(sanitiser):
    for canary in CANARIES:
        result = sanitiser.sanitise_record(canary.record, pseudonym_key=b"k" * 32)
        assert residual.scan_record(result.record, residual.known_values(canary.record) | result.found_values) == []


class _Identity:
    """A sanitiser that sanitises nothing."""

    def sanitise_record(self, record, *, pseudonym_key=None):
        return type("R", (), {"record": copy.deepcopy(record), "entity_counts": {}, "found_values": set()})()


class _SkipsEmails:
    """The real sanitiser, but e-mail addresses go through untouched (a regression)."""

    def __init__(self, real):
        self.real = real

    def sanitise_record(self, record, *, pseudonym_key=None):
        result = self.real.sanitise_record(record, pseudonym_key=pseudonym_key)
        emails = [v for c in CANARIES if c.record is record for k, v in c.planted if k == "EMAIL_ADDRESS"]
        if emails:
            result.record["output"] = f"{result.record['output']} (copy sent to {emails[0]})"
        return result


def test_a_sanitiser_that_leaks_fails_and_the_report_holds_no_values(sanitiser):
    report = run_canaries(_Identity())
    assert not report.passed
    assert report.leaked == report.total and set(report.leaked_kinds) == KINDS
    shown = repr(report) + str(report.leaked_kinds)
    for canary in CANARIES:
        for _, value in canary.planted:
            assert value not in shown


def test_one_leaking_kind_is_named(sanitiser):
    report = run_canaries(_SkipsEmails(sanitiser))
    assert report.leaked_kinds == {"EMAIL_ADDRESS": report.leaked} and report.leaked >= 1


def test_an_empty_report_does_not_pass():
    assert not CanaryReport(total=0, leaked=0).passed


# Tests below were added for mutants that survived scripts/mutation_score.py (the canary check passing vacuously).


class _LeaksInOnePass:
    """Blanks every record, except in one pass (plain or keyed) where it sanitises nothing."""

    def __init__(self, leaky_pass: str):
        self.leaky_pass = leaky_pass
        self.keys_seen: list[bytes | None] = []

    def sanitise_record(self, record, *, pseudonym_key=None):
        self.keys_seen.append(pseudonym_key)
        leaky = (pseudonym_key is None) == (self.leaky_pass == "plain")
        out = copy.deepcopy(record) if leaky else {"input": [], "output": ""}
        return type("R", (), {"record": out, "entity_counts": {}, "found_values": set()})()


@pytest.mark.parametrize("leaky_pass", ["plain", "keyed"])
def test_a_leak_in_either_pass_alone_fails_the_canaries(leaky_pass):
    report = run_canaries(_LeaksInOnePass(leaky_pass))
    assert report.leaked == report.total > 0 and not report.passed


def test_the_keyed_pass_uses_the_runs_key_or_the_canary_key():
    from logmine_dagster.sanitise.canaries import CANARY_KEY

    default, run_key = _LeaksInOnePass("plain"), _LeaksInOnePass("plain")
    run_canaries(default)
    run_canaries(run_key, pseudonym_key=b"the-run-key-0123456789")
    assert set(default.keys_seen) == {None, CANARY_KEY}
    assert set(run_key.keys_seen) == {None, b"the-run-key-0123456789"}


class _MasksTheShortName:
    """Masks the short planted name wherever it occurs, which leaves the rest of the long name readable."""

    def sanitise_record(self, record, *, pseudonym_key=None):
        out = copy.deepcopy(record)
        out["input"][1]["content"] = out["input"][1]["content"].replace("Ann Rivera", "<PERSON_1>")
        return type("R", (), {"record": out, "entity_counts": {}, "found_values": set()})()


def test_a_value_inside_a_longer_value_does_not_hide_the_longer_ones_leak(monkeypatch):
    from logmine_dagster.sanitise import canaries

    canary = canaries.Canary(
        record=canaries.CANARIES[0].record | {"input": [
            {"role": "system", "content": "Be brief."}, {"role": "user", "content": "Ask Ann Rivera-Okafor to call"}]},
        # "Rivera" sorts after the long name, so only the order by length removes the long name first.
        planted=(("PERSON", "Rivera"), ("PERSON", "Ann Rivera-Okafor")),
    )
    monkeypatch.setattr(canaries, "CANARIES", (canary,))
    report = run_canaries(_MasksTheShortName())
    assert report.total == 2 and report.leaked == 1


def test_a_three_digit_group_or_a_regrouped_seven_digit_number_counts_as_a_leak():
    from logmine_dagster.sanitise.canaries import _leaks

    assert _leaks("code 417", "the code is 417 now", "code")
    assert _leaks("12 34 56 7", "call 1234567 today", "")
    assert not _leaks("12 34 56 7", "call 1234568 today", "")
