"""One rule set through the app and the admin web import (the CLI path: review/test_one_rule_set.py):
the stored reviews-per-case policy, set by an admin and shown; a web import only under an existing,
enabled account and as one vote beside the app's; accepts with different answers disputed."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

pytest.importorskip("argon2")

from logmine_dagster.review.outcomes import latest_decisions  # noqa: E402
from logmine_dagster.review.policy import reviews_per_case  # noqa: E402
from logmine_dagster.storage.schema import review_decision_details, review_decisions, review_votes  # noqa: E402
from logmine_dagster_tests.review_app.test_review_app_http import WEEK, accounts, case_form, form_token, logged_in, seed_cases  # noqa: E402


def upload(client, entries: list[dict], reviewer: str):
    content = "".join(json.dumps(e) + "\n" for e in entries).encode()
    return client.post("/admin/import", data={"csrf_token": form_token(client, "/admin/interop"), "reviewer": reviewer, "format": "jsonl"},
                       files={"file": ("decisions.jsonl", content, "application/x-ndjson")})


def test_an_admin_stores_the_policy_every_app_process_and_import_applies(db):
    ids = seed_cases(db, 2)
    admin = logged_in(db, "root", "admin")  # an app built without any reviews-per-case setting
    token = form_token(admin, "/admin/interop")
    assert admin.post("/admin/policy", data={"csrf_token": token, "reviews_per_case": "9"}).status_code == 400
    stored = admin.post("/admin/policy", data={"csrf_token": token, "reviews_per_case": "2", "week": WEEK})
    assert stored.status_code == 200 and "week of " + WEEK + ": 2" in stored.text
    assert reviews_per_case(db, WEEK) == 2
    ana = logged_in(db, "ana")  # another app process: reads the same stored policy
    assert "Reviews per case in this batch: 2" in ana.get(f"/?week={WEEK}").text

    fields = case_form(ana, ids[0])
    assert ana.post(f"/cases/{ids[0]}/add", data=dict(fields, expected_output="Restart the router.")).status_code == 303
    assert db.count(review_decisions) == 0  # one of two reviews: still open
    # ben's file through the admin's web import is the second vote: the case is decided by both.
    accounts(db, "ben")
    done = upload(admin, [{"case_id": ids[0], "decision": "accept", "expected_output": "Restart the router. "}], "ben")
    assert done.status_code == 200 and "Cases now: 1 added to the eval set." in done.text
    decided = latest_decisions(db)[ids[0]]
    assert decided["reviewer"] == "ana+ben"
    [details] = db.fetch_all(sa.select(review_decision_details).where(review_decision_details.c.decision_id == decided["id"]))
    votes = json.loads(details["votes_json"])
    assert [v["reviewer"] for v in votes] == ["ana", "ben"] and votes[1]["provenance"]["imported_by"] == "root"


def test_the_web_import_refuses_unknown_and_disabled_accounts(db):
    [case_id] = seed_cases(db, 1)
    admin = logged_in(db, "root", "admin")
    refused = upload(admin, [{"case_id": case_id, "decision": "discard", "reason": "dup"}], "somebody")
    assert refused.status_code == 403 and "No enabled reviewer account named &#39;somebody&#39;" in refused.text
    assert db.count(review_votes) == 0


def test_two_accepts_with_different_answers_are_a_dispute_an_import_cannot_settle(db):
    [case_id] = seed_cases(db, 1)
    admin = logged_in(db, "root", "admin", reviews_per_case=2)
    ana, ben = logged_in(db, "ana"), logged_in(db, "ben")
    for client, answer in ((ana, "Restart the router."), (ben, "Send a technician tomorrow.")):
        fields = case_form(client, case_id)
        assert client.post(f"/cases/{case_id}/add", data=dict(fields, expected_output=answer)).status_code == 303
    assert case_id[:12] in ana.get(f"/?week={WEEK}&status=disputed").text and db.count(review_decisions) == 0

    accounts(db, "carl")
    refused = upload(admin, [{"case_id": case_id, "decision": "accept", "expected_output": "Restart the router."}], "carl")
    assert refused.status_code == 400 and "this case is disputed: only an admin can resolve it" in refused.text
    assert db.count(review_decisions) == 0
    # The admin's own file resolves it.
    resolved = upload(admin, [{"case_id": case_id, "decision": "accept", "expected_output": "Restart the router."}], "root")
    assert resolved.status_code == 200 and latest_decisions(db)[case_id]["reviewer"] == "root"
