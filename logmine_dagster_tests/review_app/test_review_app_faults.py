"""Fault probes on the review app and its importers (issue 18): a NUL character anywhere a reviewer
types, in the login name or in a URL is refused with 400 on every backend (PostgreSQL cannot store
it); deeply nested JSON in an imported file is a clear error; every exported CSV cell is formula-safe."""

from __future__ import annotations

import csv
import json

import pytest
import sqlalchemy as sa

pytest.importorskip("starlette.testclient")

from logmine_dagster.review.accounts import add_user  # noqa: E402
from logmine_dagster.review.interchange import export_batch, import_decisions  # noqa: E402
from logmine_dagster.storage.schema import review_login_attempts, sanitised_samples  # noqa: E402
from logmine_dagster_tests.review_app.test_review_app_http import (  # noqa: E402
    CSRF,
    case_form,
    counts,
    logged_in,
    make_client,
    seed_cases,
)

NOTHING = {"review_votes": 0, "review_decisions": 0, "review_pii_flags": 0}


def test_a_nul_in_a_reviewers_field_is_refused_with_400(db):
    case_id = seed_cases(db, 1)[0]
    client = logged_in(db, "ana")
    fields = case_form(client, case_id)
    for name in ("expected_output", "rubric_notes", "tags"):
        form = {**fields, "expected_output": "fine", name: "before\x00after"}
        refused = client.post(f"/cases/{case_id}/add", data=form)
        assert refused.status_code == 400, (name, refused.status_code)
        assert "NUL character" in refused.text
    assert client.post(f"/cases/{case_id}/discard", data=dict(fields, reason="dup\x00")).status_code == 400
    assert counts(db) == NOTHING
    # The app is still fine afterwards.
    assert client.post(f"/cases/{case_id}/add", data=dict(fields, expected_output="fine")).status_code == 303


def test_a_nul_in_the_login_name_or_a_url_is_refused_with_400(db):
    client = make_client(db)
    token = CSRF.search(client.get("/login").text).group(1)
    refused = client.post("/login", data={"csrf_token": token, "name": "ana\x00", "password": "x", "next": "/"})
    assert refused.status_code == 400 and "NUL character" in refused.text
    assert db.count(review_login_attempts) == 0
    reviewer = logged_in(db, "ana")
    assert reviewer.get("/cases/abc%00def").status_code == 400
    assert reviewer.get("/?week=2026%00").status_code == 400


def test_deeply_nested_json_in_an_imported_file_is_a_clear_error(db, tmp_path):
    case_id = seed_cases(db, 1)[0]
    deep = "[" * 100_000 + "]" * 100_000
    lines = tmp_path / "decisions.jsonl"
    lines.write_text(json.dumps({"case_id": case_id, "decision": "accept", "expected_output": "ok"})[:-1] + f', "tags": {deep}}}\n')
    add_user(db, "carl", "reviewer", "a long enough password")  # imports take decisions only from accounts
    report = import_decisions(db, lines, "carl")
    assert report.accepted == 0 and report.rejected == [(1, "malformed JSON (nested deeper than 64 levels)")]
    tasks = tmp_path / "tasks.json"
    tasks.write_text(deep)
    with pytest.raises(ValueError, match=r"nested deeper than 64 levels"):
        import_decisions(db, tasks, "carl")
    # Through the app: a 400 with the reason, never a 500.
    admin = logged_in(db, "root", role="admin")
    token = CSRF.search(admin.get("/admin/interop").text).group(1)
    upload = admin.post("/admin/import", data={"csrf_token": token, "reviewer": "carl", "format": "label-studio"},
                        files={"file": ("tasks.json", deep.encode(), "application/json")})
    assert upload.status_code == 400 and "nested deeper than 64 levels" in upload.text
    assert counts(db) == NOTHING


def test_every_text_cell_of_the_csv_export_is_formula_safe(db, tmp_path):
    case_id = seed_cases(db, 1)[0]
    with db.transaction() as conn:
        conn.execute(sanitised_samples.update().where(sanitised_samples.c.case_id == case_id).values(model='=HYPERLINK("http://x","y")'))
    out = tmp_path / "batch.csv"
    assert export_batch(db, "2026-03-02", out, "csv") == 1
    with open(out, newline="", encoding="utf-8") as handle:
        row = next(csv.DictReader(handle))
    assert row["model"] == "'=HYPERLINK(\"http://x\",\"y\")"
    assert not any(value.startswith(("=", "+", "-", "@")) for value in row.values())


def test_a_nul_in_an_imported_decision_or_reviewer_name_is_refused(db, tmp_path):
    case_id = seed_cases(db, 1)[0]
    path = tmp_path / "decisions.jsonl"
    add_user(db, "carl", "reviewer", "a long enough password")  # imports take decisions only from accounts
    path.write_text(json.dumps({"case_id": case_id, "decision": "accept", "expected_output": "fine\u0000"}) + "\n")
    report = import_decisions(db, path, "carl")
    assert report.accepted == 0 and report.rejected == [(1, "expected_output contains a NUL character (\\0), which text cannot hold")]
    path.write_text(json.dumps({"case_id": case_id, "decision": "accept", "expected_output": "fine"}) + "\n")
    with pytest.raises(ValueError, match="reviewer name contains a NUL character"):
        import_decisions(db, path, "carl\x00")
    assert counts(db) == NOTHING
