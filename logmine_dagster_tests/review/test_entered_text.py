"""Reviewer-entered text takes the sanitise-or-refuse path, with the real sanitiser: PII planted in the
expected output, the rubric notes, a discard reason and tags, typed in the review app or in an imported
decision file, is masked or the entry refused with a message naming the field and kind; it never reaches
a non-raw table. Every export then re-reads its cases with the residual gate."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

pytest.importorskip("argon2")

from logmine_dagster.review.entered_text import screen_entered  # noqa: E402
from logmine_dagster.review.errors import Invalid  # noqa: E402
from logmine_dagster.review.interchange import export_batch, import_decisions  # noqa: E402
from logmine_dagster.sanitise.export_gate import ExportRefused  # noqa: E402
from logmine_dagster.storage.schema import review_votes, sanitised_samples  # noqa: E402
from logmine_dagster_tests.helpers import dump_tables, leaked_values  # noqa: E402
from logmine_dagster_tests.review_app.test_review_app_http import WEEK, case_form, logged_in, seed_cases  # noqa: E402
from logmine_dagster_tests.review_app.test_review_app_http import accounts as _accounts  # noqa: E402

NAME = "Ottoline Vasquez-Brandt"
EMAIL = "o.vasquez.brandt@example.net"
PHONE = "+44 20 7946 0391"
PLANTED = [NAME, "Vasquez-Brandt", EMAIL, PHONE]


def _typed(prefix: str) -> str:
    return f"{prefix} {NAME} ({EMAIL}, {PHONE}) asked for a callback; Thanks <PERSON_1a2b>."


@pytest.mark.parametrize("field_name", ["expected_output", "rubric_notes", "reason"])
def test_free_text_fields_are_masked(field_name):
    fields = {"decision": "accept", "expected_output": "Sure.", "reason": None, "rubric_notes": None, "tags": None}
    fields[field_name] = _typed("Note:")
    screened = screen_entered(fields)
    assert not leaked_values(PLANTED, json.dumps(screened, ensure_ascii=False))
    assert "<PERSON_1a2b>" in screened[field_name]  # the case's own placeholders are kept as they are
    assert "<EMAIL_ADDRESS>" in screened[field_name] and "<PHONE_NUMBER>" in screened[field_name]


@pytest.mark.parametrize("tag", ["amelia_davis_8890", "ottoline-refund", "vasquez-brandt-callback", "jsmith84"])
def test_personal_tags_are_refused_with_a_clear_message(tag):
    with pytest.raises(Invalid) as refused:
        screen_entered({"decision": "accept", "expected_output": "Sure.", "tags": f"outage,{tag}"})
    assert "Tag 2 looks like personal data" in refused.value.message
    assert tag not in refused.value.message


def test_plain_tags_and_text_pass_unchanged():
    fields = {"decision": "accept", "expected_output": "The refund takes 5 business days.", "rubric_notes": "Must apologise first.",
              "reason": None, "tags": "apology,grace-period,outage,q3,ticket-42,will-call"}
    assert screen_entered(fields) == fields
    # Spacing is one space (votes already compare answers whatever their spacing); lines are kept.
    assert screen_entered({"expected_output": "Restart  the router.\nThen wait."})["expected_output"] == "Restart the router.\nThen wait."


def test_what_the_sanitiser_keeps_but_the_gate_reads_is_refused():
    # An allow-listed word is kept by the sanitiser; after a title the gate reads it as a name.
    with pytest.raises(Invalid) as refused:
        screen_entered({"decision": "accept", "expected_output": "Dr. Okafor will call you back."}, allow_terms=("Okafor",))
    assert "The expected output still shows personal data (PERSON)" in refused.value.message
    assert "Okafor" not in refused.value.message


@pytest.fixture
def reviewers(db):
    _accounts(db, "ana", "ben")


def test_planted_pii_typed_in_the_app_never_reaches_a_non_raw_table(db, reviewers):
    ids = seed_cases(db, 2)
    client = logged_in(db, "ana")
    form = case_form(client, ids[0])
    added = client.post(f"/cases/{ids[0]}/add", data=dict(form, expected_output=_typed("Sorry"), rubric_notes=_typed("Check"), tags="outage"))
    assert added.status_code == 303
    form = case_form(client, ids[1])
    refused = client.post(f"/cases/{ids[1]}/add", data=dict(form, expected_output="Fine.", tags="ottoline-refund"))
    assert refused.status_code == 400 and "looks like personal data" in refused.text
    form = case_form(client, ids[1])
    assert client.post(f"/cases/{ids[1]}/discard", data=dict(form, reason=_typed("Duplicate of"))).status_code == 303
    assert db.count(review_votes) == 2
    assert not leaked_values(PLANTED, dump_tables(db))


def test_planted_pii_in_an_imported_file_never_reaches_a_non_raw_table(db, reviewers, tmp_path):
    ids = seed_cases(db, 3)
    lines = [
        {"case_id": ids[0], "decision": "accept", "expected_output": _typed("Sorry"), "rubric_notes": _typed("Check"), "tags": ["outage"]},
        {"case_id": ids[1], "decision": "discard", "reason": _typed("Duplicate of")},
    ]
    path = tmp_path / "decisions.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    report = import_decisions(db, path, "ben")
    assert not report.rejected and report.accepted == 1 and report.discarded == 1
    assert not leaked_values(PLANTED, dump_tables(db))

    path.write_text(json.dumps({"case_id": ids[2], "decision": "accept", "expected_output": "x", "tags": ["amelia_davis_8890"]}) + "\n")
    refused = import_decisions(db, path, "ben")
    [(_, reason)] = refused.rejected
    assert reason.startswith("Tag 1 looks like personal data (") and reason.endswith("tags must not name or identify people.")
    assert "amelia" not in reason and db.count(review_votes) == 1 + 1  # the two votes above, nothing more


def test_the_review_batch_export_refuses_a_planted_row(db, tmp_path):
    ids = seed_cases(db, 2)
    with db.transaction() as conn:  # a row written by an older version, say
        conn.execute(sa.update(sanitised_samples).where(sanitised_samples.c.case_id == ids[1]).values(output=f"Mail {EMAIL}"))
    out = tmp_path / "batch.jsonl"
    with pytest.raises(ExportRefused) as refused:
        export_batch(db, WEEK, out)
    assert "EMAIL_ADDRESS@output" in str(refused.value) and ids[1][:16] in str(refused.value)
    assert EMAIL not in str(refused.value) and not out.exists()
