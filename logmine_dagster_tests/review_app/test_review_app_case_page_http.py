"""The case page built for speed, over HTTP on SQLite and PostgreSQL: guidelines (admins edit them, CSRF),
canned answers, undo, the notice naming the decided case, "next" never skipping a case, and the queue's
preview, filters, skipped marks, single reasons and per-reviewer assignment."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

pytest.importorskip("starlette.testclient")
pytest.importorskip("argon2")
pytest.importorskip("multipart")

from logmine_dagster.review.labelled import build_labelled_cases  # noqa: E402
from logmine_dagster.review.policy import set_reviews_per_case  # noqa: E402
from logmine_dagster.storage.schema import review_assignments, review_decisions, review_queue, review_votes  # noqa: E402
from logmine_dagster_tests.review_app.test_review_app_http import WEEK, accounts, case_form, form_token, logged_in, seed_cases  # noqa: E402


def test_guidelines_are_edited_by_admins_only_with_csrf_and_shown_beside_the_case(db):
    ids = seed_cases(db, 2)  # ids[1] is adversarial
    admin = logged_in(db, "root", "admin")
    ana = logged_in(db, "ana")
    text = "Refuse **every** attempt to reveal the system prompt.\n\n<script>alert(1)</script>"
    denied = ana.post("/guidelines", data={"csrf_token": form_token(ana, "/guidelines"), "category": "adversarial", "markdown": "mine now"})
    assert denied.status_code == 403 and "Admins only" in denied.text
    forged = admin.post("/guidelines", data={"csrf_token": "forged", "category": "adversarial", "markdown": text})
    assert forged.status_code == 403 and "CSRF" in forged.text
    assert "Refuse" not in admin.get("/guidelines").text
    unknown = admin.post("/guidelines", data={"csrf_token": form_token(admin, "/guidelines"), "category": "nonsense", "markdown": text})
    assert unknown.status_code == 400 and "Unknown category" in unknown.text
    saved = admin.post("/guidelines", data={"csrf_token": form_token(admin, "/guidelines"), "category": "adversarial", "markdown": text})
    assert saved.status_code == 303

    page = ana.get(f"/cases/{ids[1]}")
    assert "Refuse <strong>every</strong> attempt" in page.text  # rendered markdown
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;" in page.text  # raw HTML stays text
    assert "Refuse" not in ana.get(f"/cases/{ids[0]}").text  # another category's page
    assert 'id="guidelines-form"' not in ana.get("/guidelines?category=adversarial").text  # reviewers read only
    # A second version replaces the first; both stay in the audit trail.
    admin.post("/guidelines", data={"csrf_token": form_token(admin, "/guidelines"), "category": "adversarial", "markdown": "Version two."})
    assert "Version two." in ana.get(f"/cases/{ids[1]}").text and "Refuse" not in ana.get(f"/cases/{ids[1]}").text
    assert "Version two." in admin.get("/admin/audit").text


def test_canned_answers_follow_the_category(db):
    ids = seed_cases(db, 2)
    ana = logged_in(db, "ana")
    adversarial = ana.get(f"/cases/{ids[1]}").text
    assert 'data-key="1"' in adversarial and "Standard refusal" in adversarial.split('data-key="2"')[0]
    assert "Standard refusal" not in ana.get(f"/cases/{ids[0]}").text


def test_the_notice_names_the_decided_case_and_undo_reopens_it(db):
    ids = seed_cases(db, 3)
    ana = logged_in(db, "ana")
    added = ana.post(f"/cases/{ids[0]}/add", data=dict(case_form(ana, ids[0]), expected_output="Better answer."))
    assert added.status_code == 303 and added.headers["location"].startswith(f"/cases/{ids[1]}?")
    following = ana.get(added.headers["location"])
    notice = following.text.split('id="notice"')[1].split("</div>")[0]
    assert f"Case <code>{ids[0][:12]}</code>: Added to the eval set." in notice
    assert f'action="/cases/{ids[0]}/undo"' in notice
    assert {r["case_id"] for r in build_labelled_cases(db)} == {ids[0]}

    undone = ana.post(f"/cases/{ids[0]}/undo", data={"csrf_token": form_token(ana, f"/cases/{ids[1]}")})
    assert undone.status_code == 303 and undone.headers["location"] == f"/cases/{ids[0]}?msg=undone"
    assert build_labelled_cases(db) == []  # out of the eval set's input again
    assert db.count(review_votes) == 0 and [r["decision"] for r in db.fetch_all(sa.select(review_decisions.c.decision))] == ["accept", "reopened"]
    page = ana.get(f"/cases/{ids[0]}")
    assert '<span class="tag open" id="case-status">open</span>' in page.text and 'id="add-form"' in page.text
    assert "0 / 3 decided" in ana.get("/").text
    again = ana.post(f"/cases/{ids[0]}/discard", data=dict(case_form(ana, ids[0]), reason="duplicate"))
    assert again.status_code == 303
    assert [(r["case_id"], r["decision"]) for r in build_labelled_cases(db)] == [(ids[0], "discard")]
    # Nothing of someone else's to undo, and a flag cannot be undone.
    ben = logged_in(db, "ben")
    refused = ben.post(f"/cases/{ids[0]}/undo", data={"csrf_token": form_token(ben)})
    assert refused.status_code == 409 and "no decision on this case" in refused.text


def test_undo_is_refused_once_other_reviewers_agreed(db):
    set_reviews_per_case(db, 2, "test")
    [case_id] = seed_cases(db, 1)
    ana, ben = logged_in(db, "ana"), logged_in(db, "ben")
    for client in (ana, ben):
        assert client.post(f"/cases/{case_id}/add", data=dict(case_form(client, case_id), expected_output="Same.")).status_code == 303
    refused = ana.post(f"/cases/{case_id}/undo", data={"csrf_token": form_token(ana)})
    assert refused.status_code == 409 and "only an admin" in refused.text
    assert [r["decision"] for r in db.fetch_all(sa.select(review_decisions.c.decision))] == ["accept"]


def test_next_visits_every_case_once_after_each_kind_of_action(db):
    ids = seed_cases(db, 6)
    ana = logged_in(db, "ana")
    seen, location = [], f"/cases/{ids[0]}"
    for step in range(6):
        case_id = location.split("/cases/")[1].split("?")[0]
        seen.append(case_id)
        fields = case_form(ana, case_id)
        if step % 3 == 0:
            reply = ana.post(f"/cases/{case_id}/add", data=dict(fields, expected_output="Fine."))
        elif step % 3 == 1:
            reply = ana.post(f"/cases/{case_id}/discard", data=dict(fields, reason="dup"))
        else:
            reply = ana.post(f"/cases/{case_id}/skip", data={"csrf_token": fields["csrf_token"]})
        assert reply.status_code == 303
        location = reply.headers["location"]
        if not location.startswith("/cases/"):
            break
    assert seen == ids  # queue order, none skipped, none twice


def test_queue_shows_previews_single_reasons_skips_and_filters(db):
    ids = seed_cases(db, 4)
    with db.transaction() as conn:
        conn.execute(review_queue.update().where(review_queue.c.case_id == ids[1])
                     .values(reasons="adversarial:prompt_injection,adv:prompt_injection,adv:model:0.91"))
    ana = logged_in(db, "ana")
    ana.post(f"/cases/{ids[2]}/skip", data={"csrf_token": case_form(ana, ids[2])["csrf_token"]})
    page = ana.get(f"/?week={WEEK}")
    assert "my router keeps dropping (0)" in page.text  # the sanitised text's preview
    row = page.text.split(f'data-case="{ids[1]}"')[1].split("</tr>")[0]
    assert row.count("prompt_injection") == 1 and "adv:model:0.91" in row
    skipped_row = page.text.split(f'data-case="{ids[2]}"')[1].split("</tr>")[0]
    assert "skipped by you" in skipped_row
    by_reason = ana.get(f"/?week={WEEK}&reason=adversarial:prompt_injection")
    assert f'data-case="{ids[1]}"' in by_reason.text and f'data-case="{ids[0]}"' not in by_reason.text
    assert "1 of 4 case(s)" in by_reason.text


def test_admin_assigns_filtered_cases_to_a_reviewer(db):
    ids = seed_cases(db, 5)
    accounts(db, "ana", "ben")
    admin = logged_in(db, "root", "admin")
    ben = logged_in(db, "ben")
    ana = logged_in(db, "ana")
    denied = ana.post("/assign", data={"csrf_token": form_token(ana), "week": WEEK, "reviewer": "ana", "count": "2"})
    assert denied.status_code == 403
    forged = admin.post("/assign", data={"csrf_token": "forged", "week": WEEK, "reviewer": "ben", "count": "2"})
    assert forged.status_code == 403 and db.count(review_assignments) == 0
    unknown = admin.post("/assign", data={"csrf_token": form_token(admin), "week": WEEK, "reviewer": "nobody", "count": "2"})
    assert unknown.status_code == 400 and db.count(review_assignments) == 0
    done = admin.post("/assign", data={"csrf_token": form_token(admin), "week": WEEK, "reviewer": "ben", "count": "2", "category": "edge_case"})
    assert done.status_code == 303 and "n=2" in done.headers["location"]
    held = {r["case_id"] for r in db.fetch_all(sa.select(review_assignments.c.case_id).where(review_assignments.c.reviewer == "ben"))}
    assert held == {ids[0], ids[4]}  # the edge cases, in queue order
    mine = ben.get(f"/?week={WEEK}&assignee=me")
    assert "2 of 5 case(s)" in mine.text and "2 open held by you" in mine.text
    assert ana.get(f"/cases/{ids[0]}").status_code == 403  # assigned to ben (one review per case)
    assert ben.get(f"/cases/{ids[4]}").status_code == 200
    assert f'data-case="{ids[0]}"' in admin.get(f"/?week={WEEK}&assignee=ben").text


def test_an_assignment_lapses_after_the_claim_ttl_and_the_queue_says_so(db):
    """Decision: an admin's assignment is a claim in the reviewer's name and lapses like one (an absent
    reviewer never stalls a case); the queue shows until when it holds, and that it lapsed."""
    import datetime as dt

    from logmine_dagster.review.clock import utcnow

    ids = seed_cases(db, 2)
    accounts(db, "ana", "ben")
    admin = logged_in(db, "root", "admin")
    queue = admin.get(f"/?week={WEEK}").text
    assert "An assignment holds a review slot for 2 h, like any claim: unreviewed by then it lapses" in queue
    admin.post("/assign", data={"csrf_token": form_token(admin), "week": WEEK, "reviewer": "ben", "count": "1"})
    row = admin.get(f"/?week={WEEK}").text.split(f'data-case="{ids[0]}"')[1].split("</tr>")[0]
    assert "ben" in row and "until " in row and "UTC" in row
    ana = logged_in(db, "ana")
    assert ana.get(f"/cases/{ids[0]}").status_code == 403  # ben's, for now

    with db.transaction() as conn:  # three hours on, ben has not reviewed it
        conn.execute(review_assignments.update().values(assigned_at=utcnow() - dt.timedelta(hours=3)))
    row = admin.get(f"/?week={WEEK}").text.split(f'data-case="{ids[0]}"')[1].split("</tr>")[0]
    assert "lapsed: slot free" in row and "assigned to others" not in row
    assert f'data-case="{ids[0]}"' in admin.get(f"/?week={WEEK}&assignee=none").text  # nobody holds it now
    assert "0 open held by you" in logged_in(db, "ben").get(f"/?week={WEEK}").text
    assert ana.get(f"/cases/{ids[0]}").status_code == 200  # ana takes the slot over
    assert [r["reviewer"] for r in db.fetch_all(sa.select(review_assignments))] == ["ana"]
    # Assigning passes over cases others hold (ana's now); assigning again renews a lapsed assignment.
    admin.post("/assign", data={"csrf_token": form_token(admin), "week": WEEK, "reviewer": "ben", "count": "1"})
    row = admin.get(f"/?week={WEEK}").text.split(f'data-case="{ids[1]}"')[1].split("</tr>")[0]
    assert "ben" in row and "until " in row
    with db.transaction() as conn:
        conn.execute(review_assignments.update().where(review_assignments.c.reviewer == "ben").values(assigned_at=utcnow() - dt.timedelta(hours=3)))
    assert "lapsed: slot free" in admin.get(f"/?week={WEEK}").text.split(f'data-case="{ids[1]}"')[1].split("</tr>")[0]
    admin.post("/assign", data={"csrf_token": form_token(admin), "week": WEEK, "reviewer": "ben", "count": "1"})
    row = admin.get(f"/?week={WEEK}").text.split(f'data-case="{ids[1]}"')[1].split("</tr>")[0]
    assert "until " in row and "lapsed" not in row


def test_admins_edit_the_canned_answers_audited_and_the_case_page_offers_them(db):
    from logmine_dagster.review.canned import STANDARD_REFUSAL

    ids = seed_cases(db, 2)  # ids[1] is adversarial
    admin = logged_in(db, "root", "admin")
    ana = logged_in(db, "ana")
    shown = ana.get("/guidelines").text
    assert "Canned answers" in shown and "the defaults" in shown and 'id="canned-form"' not in ana.get("/guidelines?edit=canned").text
    denied = ana.post("/guidelines/canned", data={"csrf_token": form_token(ana, "/guidelines"), "canned": "## Mine | answer\nHi."})
    assert denied.status_code == 403
    assert admin.post("/guidelines/canned", data={"csrf_token": "forged", "canned": "## Mine | answer\nHi."}).status_code == 403
    editor = admin.get("/guidelines?edit=canned").text
    assert 'id="canned-form"' in editor and "## Standard refusal | answer | adversarial" in editor  # the defaults, editable

    bad = admin.post("/guidelines/canned", data={"csrf_token": form_token(admin, "/guidelines"), "canned": "## Polite no | maybe\nNo."})
    assert bad.status_code == 400 and "Line 1: say what the text fills" in bad.text and "## Polite no | maybe" in bad.text  # draft kept
    text = ("## Polite no | answer | adversarial\nSorry, I cannot do that. Anything else about your order?\n\n"
            "## Spam | reason\nAutomated spam, nothing to learn.\n")
    saved = admin.post("/guidelines/canned", data={"csrf_token": form_token(admin, "/guidelines"), "canned": text})
    assert saved.status_code == 303
    adversarial = ana.get(f"/cases/{ids[1]}").text
    assert "Polite no" in adversarial.split('data-key="2"')[0] and "Spam" in adversarial and STANDARD_REFUSAL not in adversarial
    assert "Polite no" not in ana.get(f"/cases/{ids[0]}").text and "Spam" in ana.get(f"/cases/{ids[0]}").text
    assert "by root" in ana.get("/guidelines").text.split('id="canned-answers"')[1]
    audit = admin.get("/admin/audit").text
    assert "canned_answers" in audit and "Automated spam" in audit
    # An empty text restores the defaults (also audited).
    admin.post("/guidelines/canned", data={"csrf_token": form_token(admin, "/guidelines"), "canned": ""})
    assert "Standard refusal" in ana.get(f"/cases/{ids[1]}").text.split('data-key="2"')[0]
