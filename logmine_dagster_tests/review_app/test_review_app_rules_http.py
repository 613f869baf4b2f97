"""One rule set through the app and the admin web import (the CLI path: review/test_one_rule_set.py):
the stored reviews-per-case policy, set by an admin and shown; a web import only under an existing,
enabled account and as one vote beside the app's; accepts with different answers disputed."""

from __future__ import annotations

import datetime as dt
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


def _guess(client, name: str, password: str, clock: list) -> tuple[int, float]:
    """One login attempt, waiting out the throttle on the test's clock; (status, seconds waited)."""
    from logmine_dagster_tests.review_app.test_review_app_http import login

    waited = 0.0
    response = login(client, name, password)
    while response.status_code == 429:
        retry = int(response.headers["retry-after"])
        assert 0 < retry <= 5 and "second(s)" in response.text  # a pause, never a lockout
        clock[0] += dt.timedelta(seconds=retry)
        waited += retry
        response = login(client, name, password)
    return response.status_code, waited


def test_login_throttling_slows_guesses_but_never_locks_out_the_right_password(db, monkeypatch):
    from logmine_dagster.review.accounts import add_user
    from logmine_dagster.review_app import login_limits
    from logmine_dagster_tests.review_app.test_review_app_http import PASSWORD, make_client

    add_user(db, "ana", "reviewer", PASSWORD)
    add_user(db, "ben", "reviewer", PASSWORD)
    clock = [dt.datetime.now(dt.timezone.utc)]
    monkeypatch.setattr(login_limits, "utcnow", lambda: clock[0])
    client = make_client(db)  # the defaults: 5 free failures per account, 30 per address, pauses of at most 5 s

    # 40 wrong guesses at ana's account from one address (everyone behind one proxy shares it).
    waited = [_guess(client, "ana", "wrong password!", clock) for _ in range(40)]
    assert all(status == 401 for status, _ in waited)
    assert sum(seconds for _, seconds in waited) >= 5 * 30  # guessing is slowed to one try per 5 s
    # The right password, right now, from the same address: in after a pause of at most 5 seconds.
    status, seconds = _guess(client, "ana", PASSWORD, clock)
    assert status == 303 and seconds <= 5
    # Another user behind the same address (a new browser, same client address) is not locked out either.
    client_two = make_client(db)
    for _ in range(35):  # the address's backoff, cleared by ana's success, built up again
        _guess(client_two, "mallory", "wrong password!", clock)
    status, seconds = _guess(client_two, "ben", PASSWORD, clock)
    assert status == 303 and seconds <= 5


def test_a_reviewer_cannot_skip_a_case_someone_else_holds(db):
    from logmine_dagster.storage.schema import review_assignments, review_audit

    [case_id] = seed_cases(db, 1)
    ana, ben = logged_in(db, "ana"), logged_in(db, "ben")
    case_form(ana, case_id)  # ana opens the case: she holds its one review slot
    refused = ben.post(f"/cases/{case_id}/skip", data={"csrf_token": form_token(ben)})
    assert refused.status_code == 403 and "You do not hold this case" in refused.text
    assert [r["reviewer"] for r in db.fetch_all(sa.select(review_assignments))] == ["ana"]
    assert db.fetch_all(sa.select(review_audit).where(review_audit.c.action == "skip")) == []
    assert ana.post(f"/cases/{case_id}/skip", data={"csrf_token": form_token(ana)}).status_code == 303  # hers to skip


def test_lowering_the_policy_mid_batch_settles_the_cases_that_now_have_their_reviews(db):
    ids = seed_cases(db, 3)
    admin = logged_in(db, "root", "admin")
    admin.post("/admin/policy", data={"csrf_token": form_token(admin, "/admin/interop"), "reviews_per_case": "2", "week": ""})
    ana, ben = logged_in(db, "ana"), logged_in(db, "ben")
    assert ana.post(f"/cases/{ids[0]}/add", data=dict(case_form(ana, ids[0]), expected_output="Fine.")).status_code == 303
    for client, data in ((ana, {"expected_output": "Yes."}), (ben, {"expected_output": "No."})):
        client.post(f"/cases/{ids[1]}/add", data=dict(case_form(client, ids[1]), **data))
    assert latest_decisions(db) == {}  # one case waits for its second review, one is disputed

    lowered = admin.post("/admin/policy", data={"csrf_token": form_token(admin, "/admin/interop"), "reviews_per_case": "1", "week": ""})
    assert lowered.status_code == 200 and "Cases it settles: 1 decided, 1 disputed" in lowered.text
    decided = latest_decisions(db)
    assert set(decided) == {ids[0]} and decided[ids[0]]["reviewer"] == "ana"  # the lone review decides now
    [source] = [r["source"] for r in db.fetch_all(sa.select(review_decision_details.c.source))]
    assert source == "policy"
    page = admin.get(f"/?week={WEEK}")
    assert "1 disputed" in page.text  # the two different answers still need an admin
    assert '<span class="tag open">open</span>' in page.text.split(f'data-case="{ids[2]}"')[1].split("</tr>")[0]


def test_the_web_import_reports_each_row_and_the_status_it_left(db):
    ids = seed_cases(db, 3)
    admin = logged_in(db, "root", "admin")
    admin.post("/admin/policy", data={"csrf_token": form_token(admin, "/admin/interop"), "reviews_per_case": "2", "week": ""})
    ana = logged_in(db, "ana")
    ana.post(f"/cases/{ids[0]}/add", data=dict(case_form(ana, ids[0]), expected_output="Restart the router."))
    accounts(db, "ben")
    done = upload(admin, [{"case_id": ids[0], "decision": "accept", "expected_output": "Restart the router."},
                          {"case_id": ids[1], "decision": "discard", "reason": "duplicate"}], "ben")
    assert done.status_code == 200
    table = done.text.split('id="import-rows"')[1].split("</table>")[0]
    rows = [row for row in table.split("<tr>")[2:]]
    assert len(rows) == 2
    assert ids[0][:12] in rows[0] and ">accepted<" in rows[0]  # ben's vote completes the case
    assert ids[1][:12] in rows[1] and ">open<" in rows[1]  # waits for its second review


def test_the_web_import_refuses_a_case_another_reviewer_holds_in_the_app(db):
    from logmine_dagster.storage.schema import review_assignments

    ids = seed_cases(db, 2)
    admin = logged_in(db, "root", "admin")
    ana = logged_in(db, "ana")
    case_form(ana, ids[0])  # ana opens case 0: she holds its one review slot
    accounts(db, "ben")
    refused = upload(admin, [{"case_id": ids[0], "decision": "discard", "reason": "duplicate"},
                             {"case_id": ids[1], "decision": "discard", "reason": "duplicate"}], "ben")
    assert refused.status_code == 400 and "nothing was imported" in refused.text
    table = refused.text.split('id="import-rejected"')[1].split("</table>")[0]
    assert f"case {ids[0][:12]}: its 1 review slot(s) are taken: held in the review app by ana (until " in table
    assert ids[1][:12] not in table and db.count(review_votes) == 0
    # ana can still decide it in the app: the import did not take her slot.
    assert ana.post(f"/cases/{ids[0]}/discard", data=dict(case_form(ana, ids[0]), reason="dup")).status_code == 303
    done = upload(admin, [{"case_id": ids[1], "decision": "discard", "reason": "duplicate"}], "ben")
    assert done.status_code == 200 and ">discarded<" in done.text
    assert {(r["case_id"], r["reviewer"]) for r in db.fetch_all(sa.select(review_assignments))} == {(ids[0], "ana"), (ids[1], "ben")}
