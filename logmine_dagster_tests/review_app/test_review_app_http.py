"""The review app over HTTP (Starlette's TestClient), on SQLite and PostgreSQL: auth on every page,
the reviewer's actions, and every kind of bad input leaving the stored state consistent."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest
import sqlalchemy as sa

pytest.importorskip("starlette.testclient")
pytest.importorskip("argon2")
pytest.importorskip("multipart")

from starlette.testclient import TestClient  # noqa: E402

from logmine_dagster.review_app import create_app  # noqa: E402
from logmine_dagster.review.agreement import cohen_kappa  # noqa: E402
from logmine_dagster.review.accounts import add_user  # noqa: E402
from logmine_dagster.review.interchange import export_batch, import_decisions  # noqa: E402
from logmine_dagster.review.labelled import build_labelled_cases  # noqa: E402
from logmine_dagster.review_app.login_limits import RateLimit  # noqa: E402
from logmine_dagster.storage.schema import (  # noqa: E402
    labelled_cases,
    review_audit,
    review_decisions,
    review_pii_flags,
    review_queue,
    review_sessions,
    review_users,
    review_votes,
    sanitised_samples,
)

SECRET = "test-secret-key-for-the-review-app-0123456789"
WEEK = "2026-03-02"
PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')


def seed_cases(db, count: int = 3, week: str = WEEK, prefix: str = "case") -> list[str]:
    """Queued cases with sanitised content, as review_batch and sanitised_samples would leave them."""
    categories = ["edge_case", "adversarial", "happy_path", "drift"]
    now = dt.datetime.now(dt.timezone.utc)
    ids = []
    samples, queue = [], []
    for index in range(count):
        case_id = f"{prefix}{index:02d}" + "0" * 20
        day = (dt.date.fromisoformat(week) + dt.timedelta(days=index % 7)).isoformat()
        messages = [
            {"role": "system", "content": "You are the support assistant of Northwind Telecom."},
            {"role": "user", "content": f"Hi, I'm <PERSON>, my router keeps dropping ({index})."},
            {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function",
             "function": {"name": "lookup_customer", "arguments": "{\"account_id\": \"<ACCOUNT_ID>\"}"}}]},
            {"role": "tool", "tool_call_id": "call_1", "content": "{\"plan\": \"Fiber 500\"}"},
        ]
        samples.append({
            "day": day, "case_id": case_id, "session_ref": "s_ref", "user_ref": "u_ref", "timestamp": f"{day}T09:00:00Z",
            "model": "gpt-4o-mini", "status": "ok", "error_type": None, "latency_ms": 1200.0, "confidence": 0.4,
            "escalated": False, "feedback": "down", "sample_reasons": "low_confidence", "input_json": json.dumps(messages),
            "output": f"Thanks <PERSON>, I can see an outage in your area ({index}).", "metadata_json": "{}", "entity_counts_json": "{}",
        })
        queue.append({"case_id": case_id, "week": week, "day": day, "category": categories[index % len(categories)],
                      "reasons": "low_confidence,thumbs_down", "priority": float(100 - index), "queued_at": now})
        ids.append(case_id)
    with db.transaction() as conn:
        conn.execute(sanitised_samples.insert(), samples)
        conn.execute(review_queue.insert(), queue)
    return ids


def make_client(db, **kwargs) -> TestClient:
    app = create_app(db.url, SECRET, database=db, **kwargs)
    return TestClient(app, base_url="https://testserver", follow_redirects=False)


def login(client: TestClient, name: str, password: str = PASSWORD):
    page = client.get("/login")
    token = CSRF.search(page.text).group(1)
    return client.post("/login", data={"csrf_token": token, "name": name, "password": password, "next": "/"})


def accounts(db, *names: str, role: str = "reviewer") -> None:
    """Reviewer accounts that do not exist yet: imports record decisions only under existing accounts."""
    for name in names:
        if not db.fetch_all(sa.select(review_users.c.id).where(review_users.c.name == name)):
            add_user(db, name, role, PASSWORD)


def logged_in(db, name: str = "ana", role: str = "reviewer", **kwargs) -> TestClient:
    if not db.fetch_all(sa.select(review_users.c.id).where(review_users.c.name == name)):
        add_user(db, name, role, PASSWORD)
    client = make_client(db, **kwargs)
    assert login(client, name).status_code == 303
    return client


def form_token(client: TestClient, path: str = "/") -> str:
    return CSRF.search(client.get(path).text).group(1)


def case_form(client: TestClient, case_id: str) -> dict:
    page = client.get(f"/cases/{case_id}")
    assert page.status_code == 200, page.text
    return {"csrf_token": CSRF.search(page.text).group(1), "version": VERSION.search(page.text).group(1)}


def counts(db) -> dict:
    return {t.name: db.count(t) for t in (review_votes, review_decisions, review_pii_flags)}


# --- auth ------------------------------------------------------------------------------------------


def test_every_page_but_login_needs_a_session(db):
    case_id = seed_cases(db, 1)[0]
    client = make_client(db)
    app = client.app
    checked = 0
    for route in app.routes:
        path = getattr(route, "path", "")
        if path.startswith("/login") or path.startswith("/static") or not getattr(route, "methods", None):
            continue
        url = path.replace("{case_id}", case_id)
        for method in route.methods - {"HEAD"}:
            response = client.request(method, url, data={"csrf_token": "x"} if method == "POST" else None)
            if method == "GET":
                assert response.status_code == 303, (method, url)
                assert response.headers["location"].startswith("/login?next=")
            else:
                assert response.status_code == 401, (method, url)
                assert "nothing was saved" in response.text
            checked += 1
    assert checked >= 10
    assert client.get("/login").status_code == 200
    assert client.get("/static/app.css").status_code == 200
    assert counts(db) == {"review_votes": 0, "review_decisions": 0, "review_pii_flags": 0}


def test_login_sets_a_secure_session_cookie_and_logout_ends_it(db):
    add_user(db, "ana", "reviewer", PASSWORD)
    client = make_client(db)
    assert login(client, "ana", "wrong password!").status_code == 401
    assert login(client, "nobody", PASSWORD).status_code == 401
    response = login(client, "ana")
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-logmine_session=")
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    stored = db.fetch_all(sa.select(review_users.c.password_hash))[0]["password_hash"]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert client.get("/").status_code == 200
    old_cookie = client.cookies.get("__Host-logmine_session")

    token = form_token(client)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/").status_code == 303
    # The old cookie, replayed after logout, is refused: the session is revoked on the server.
    replay = make_client(db)
    replay.cookies.set("__Host-logmine_session", old_cookie)
    assert replay.get("/").status_code == 303
    assert db.fetch_all(sa.select(review_sessions.c.revoked_at))[0]["revoked_at"] is not None


def test_login_form_refuses_missing_or_forged_csrf(db):
    add_user(db, "ana", "reviewer", PASSWORD)
    client = make_client(db)
    client.get("/login")
    missing = client.post("/login", data={"name": "ana", "password": PASSWORD})
    assert missing.status_code == 403 and "CSRF" in missing.text
    forged = client.post("/login", data={"csrf_token": "forged", "name": "ana", "password": PASSWORD})
    assert forged.status_code == 403
    assert db.count(review_sessions) == 0


def test_login_is_rate_limited_per_account(db):
    add_user(db, "ana", "reviewer", PASSWORD)
    add_user(db, "ben", "reviewer", PASSWORD)
    client = make_client(db, rate_limit=RateLimit(per_name=3, per_client=50))
    for _ in range(3):
        assert login(client, "ana", "not the password").status_code == 401
    blocked = login(client, "ana")  # even the right password waits
    assert blocked.status_code == 429
    assert "Too many failed logins" in blocked.text and int(blocked.headers["retry-after"]) > 0
    assert db.count(review_sessions) == 0
    assert login(client, "ben").status_code == 303  # another account is not locked out


def test_forms_refuse_missing_or_forged_csrf_tokens(db):
    case_id = seed_cases(db, 1)[0]
    ana = logged_in(db, "ana")
    ben = logged_in(db, "ben")
    fields = case_form(ana, case_id)
    body = {"version": "0", "expected_output": "A better answer."}
    missing = ana.post(f"/cases/{case_id}/add", data=body)
    assert missing.status_code == 403 and "CSRF" in missing.text
    forged = ana.post(f"/cases/{case_id}/add", data=dict(body, csrf_token=fields["csrf_token"][:-2] + "xx"))
    assert forged.status_code == 403
    # A token from another user's session does not work either.
    other = ana.post(f"/cases/{case_id}/add", data=dict(body, csrf_token=form_token(ben)))
    assert other.status_code == 403
    for path in ("discard", "flag", "skip"):
        assert ana.post(f"/cases/{case_id}/{path}", data={"reason": "x", "kind": "other"}).status_code == 403
    assert ana.post("/logout", data={}).status_code == 403
    assert counts(db) == {"review_votes": 0, "review_decisions": 0, "review_pii_flags": 0}
    assert ana.post(f"/cases/{case_id}/add", data=dict(body, csrf_token=fields["csrf_token"])).status_code == 303


def test_expired_or_tampered_session(db):
    case_id = seed_cases(db, 1)[0]
    client = logged_in(db, "ana")
    fields = case_form(client, case_id)
    with db.transaction() as conn:
        conn.execute(review_sessions.update().values(expires_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)))
    page = client.get(f"/cases/{case_id}")
    assert page.status_code == 303 and "expired=1" in page.headers["location"]
    assert client.get(page.headers["location"]).text.count("Your session expired") == 1
    post = client.post(f"/cases/{case_id}/add", data=dict(fields, expected_output="An answer."))
    assert post.status_code == 401 and "session expired" in post.text
    assert counts(db)["review_votes"] == 0

    tampered = make_client(db)
    tampered.cookies.set("__Host-logmine_session", "not-a-signed-token")
    assert tampered.get("/").status_code == 303


# --- reviewing -------------------------------------------------------------------------------------


def test_reviewer_adds_discards_and_flags_and_sees_progress(db, tmp_path):
    ids = seed_cases(db, 4)
    client = logged_in(db, "ana")
    queue = client.get("/")
    assert queue.status_code == 200 and "0 / 4 decided" in queue.text

    page = client.get(f"/cases/{ids[0]}")
    assert "System prompt</summary>" in page.text and "<details" in page.text
    assert "Thanks &lt;PERSON&gt;, I can see an outage" in page.text  # model output, escaped
    assert ids[0] in page.text and "2026-03-02" in page.text  # lineage
    fields = case_form(client, ids[0])
    added = client.post(f"/cases/{ids[0]}/add", data=dict(fields, expected_output="Sorry <PERSON>, a technician comes tomorrow.",
                                                          rubric_notes="must apologise", tags="outage, Apology", category_override="happy_path"))
    assert added.status_code == 303 and added.headers["location"].startswith(f"/cases/{ids[1]}")

    fields = case_form(client, ids[1])
    assert client.post(f"/cases/{ids[1]}/discard", data=dict(fields, reason="duplicate")).status_code == 303
    fields = case_form(client, ids[2])
    flagged = client.post(f"/cases/{ids[2]}/flag", data={"csrf_token": fields["csrf_token"], "kind": "person name"})
    assert flagged.status_code == 303
    assert client.post(f"/cases/{ids[3]}/skip", data={"csrf_token": fields["csrf_token"]}).status_code == 303

    queue = client.get("/")
    assert "3 / 4 decided" in queue.text and "1 flagged for PII" in queue.text
    assert client.get(f"/cases/{ids[2]}").status_code == 410  # quarantined: text no longer shown
    assert "outage" not in client.get(f"/cases/{ids[2]}").text
    filtered = client.get(f"/?week={WEEK}&status=open")
    assert ids[3][:12] in filtered.text and ids[0][:12] not in filtered.text
    by_category = client.get(f"/?week={WEEK}&category=adversarial")
    assert ids[1][:12] in by_category.text and ids[0][:12] not in by_category.text
    assert client.get("/?status=nonsense").status_code == 400

    labelled = {r["case_id"]: r for r in build_labelled_cases(db)}
    assert set(labelled) == {ids[0], ids[1]}
    assert labelled[ids[0]]["expected_output"] == "Sorry <PERSON>, a technician comes tomorrow."
    assert labelled[ids[0]]["category"] == "happy_path" and labelled[ids[0]]["reviewer"] == "ana"
    assert labelled[ids[1]]["decision"] == "discard" and labelled[ids[1]]["discard_reason"] == "duplicate"
    # The flagged case is out of the reviewers' export too, and a later import cannot label it.
    out = tmp_path / "batch.jsonl"
    assert export_batch(db, WEEK, out, include_decided=True) == 3 and ids[2] not in out.read_text()
    assert export_batch(db, WEEK, out) == 1 and ids[3] in out.read_text()  # decided cases left out by default
    decisions = tmp_path / "decisions.jsonl"
    decisions.write_text(json.dumps({"case_id": ids[2], "decision": "accept", "expected_output": "x"}) + "\n")
    accounts(db, "carl")
    assert "flagged for PII" in import_decisions(db, decisions, "carl").rejected[0][1]
    assert ids[2] not in {r["case_id"] for r in build_labelled_cases(db)}
    assert db.count(labelled_cases) == 2

    actions = [r["action"] for r in db.fetch_all(sa.select(review_audit.c.action).order_by(review_audit.c.id))]
    assert actions.count("review") == 2 and actions.count("outcome") == 2
    assert "flag_pii" in actions and "skip" in actions


def test_empty_expected_output_or_reason_is_refused(db):
    case_id = seed_cases(db, 1)[0]
    client = logged_in(db, "ana")
    fields = case_form(client, case_id)
    empty = client.post(f"/cases/{case_id}/add", data=dict(fields, expected_output="   \n ", rubric_notes="keep me"))
    assert empty.status_code == 400 and "expected output is required" in empty.text
    assert "keep me" in empty.text  # what the reviewer typed is kept
    no_reason = client.post(f"/cases/{case_id}/discard", data=dict(fields, reason=""))
    assert no_reason.status_code == 400 and "reason is required" in no_reason.text
    bad_tag = client.post(f"/cases/{case_id}/add", data=dict(fields, expected_output="ok", tags="<script>"))
    assert bad_tag.status_code == 400 and "&lt;script&gt;" in bad_tag.text
    bad_kind = client.post(f"/cases/{case_id}/flag", data={"csrf_token": fields["csrf_token"], "kind": "John Smith's phone"})
    assert bad_kind.status_code == 400
    assert counts(db) == {"review_votes": 0, "review_decisions": 0, "review_pii_flags": 0}


def test_another_reviewers_case_is_refused(db):
    case_id = seed_cases(db, 1)[0]
    ana = logged_in(db, "ana")
    ben = logged_in(db, "ben")
    case_form(ana, case_id)  # ana opens it: the one review slot is hers
    page = ben.get(f"/cases/{case_id}")
    assert page.status_code == 403 and "assigned to other reviewers" in page.text
    token = form_token(ben)
    for path, data in (("add", {"expected_output": "mine now", "version": "0"}), ("discard", {"reason": "no", "version": "0"}), ("flag", {"kind": "other"})):
        response = ben.post(f"/cases/{case_id}/{path}", data=dict(data, csrf_token=token))
        assert response.status_code == 403, path
    assert counts(db) == {"review_votes": 0, "review_decisions": 0, "review_pii_flags": 0}
    assert ben.get("/cases/no-such-case").status_code == 404
    assert ben.post("/cases/no-such-case/add", data={"csrf_token": token, "expected_output": "x", "version": "0"}).status_code == 404


def test_case_decided_twice_at_once_keeps_one_decision(db):
    case_id = seed_cases(db, 1)[0]
    client = logged_in(db, "ana")
    tab1 = case_form(client, case_id)
    tab2 = case_form(client, case_id)
    assert client.post(f"/cases/{case_id}/add", data=dict(tab1, expected_output="First tab.")).status_code == 303
    second = client.post(f"/cases/{case_id}/discard", data=dict(tab2, reason="second tab"))
    assert second.status_code == 409 and "another tab" in second.text
    rows = db.fetch_all(sa.select(review_decisions))
    assert [(r["decision"], r["expected_output"]) for r in rows] == [("accept", "First tab.")]
    assert db.count(review_votes) == 1

    # Editing one's own decision appends a new decision (latest wins) and audits before/after.
    edit = case_form(client, case_id)
    assert edit["version"] == "1"
    assert client.post(f"/cases/{case_id}/add", data=dict(edit, expected_output="Edited.")).status_code == 303
    stale = client.post(f"/cases/{case_id}/add", data=dict(edit, expected_output="Stale tab."))
    assert stale.status_code == 409
    assert [r["expected_output"] for r in db.fetch_all(sa.select(review_decisions).order_by(review_decisions.c.id))] == ["First tab.", "Edited."]
    audit = db.fetch_all(sa.select(review_audit).where(review_audit.c.action == "review_edit"))
    assert json.loads(audit[0]["before_json"])["expected_output"] == "First tab."
    assert json.loads(audit[0]["after_json"])["expected_output"] == "Edited."
    assert build_labelled_cases(db)[0]["expected_output"] == "Edited."


def test_oversized_form_bodies_are_refused(db):
    case_id = seed_cases(db, 1)[0]
    client = logged_in(db, "ana", max_body=8 * 1024)
    fields = case_form(client, case_id)
    big = client.post(f"/cases/{case_id}/add", data=dict(fields, expected_output="x" * 20_000))
    assert big.status_code == 413 and "too large" in big.text

    def chunks():  # no Content-Length: the limit still holds while reading
        yield f"csrf_token={fields['csrf_token']}&version=0&expected_output=".encode()
        for _ in range(20):
            yield b"y" * 1024

    streamed = client.post(f"/cases/{case_id}/add", content=chunks(), headers={"content-type": "application/x-www-form-urlencoded"})
    assert streamed.status_code == 413
    login_flood = client.post("/login", content=b"name=" + b"a" * 10_000, headers={"content-type": "application/x-www-form-urlencoded"})
    assert login_flood.status_code == 413
    assert counts(db) == {"review_votes": 0, "review_decisions": 0, "review_pii_flags": 0}
    # Within the limit but over a field's own cap: a clear 400.
    roomy = logged_in(db, "ben", max_body=64 * 1024)
    other = seed_cases(db, 1, prefix="more")[0]
    long = roomy.post(f"/cases/{other}/add", data=dict(case_form(roomy, other), expected_output="z" * 30_000))
    assert long.status_code == 400 and "too long" in long.text


def test_admin_pages_and_audit_csv(db):
    ids = seed_cases(db, 2)
    reviewer = logged_in(db, "ana")
    fields = case_form(reviewer, ids[0])
    reviewer.post(f"/cases/{ids[0]}/add", data=dict(fields, expected_output="=HYPERLINK(\"http://x\")"))
    assert reviewer.get("/admin/audit").status_code == 403
    assert reviewer.get("/admin/audit.csv").status_code == 403
    assert "/admin/audit" not in reviewer.get("/").text

    admin = logged_in(db, "root", role="admin")
    page = admin.get("/admin/audit")
    assert page.status_code == 200 and "review" in page.text and "ana" in page.text
    export = admin.get("/admin/audit.csv")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert {r["action"] for r in rows} >= {"user_create", "review", "outcome"}
    review = next(r for r in rows if r["action"] == "review")
    assert review["actor"] == "ana" and review["case_id"] == ids[0]
    assert json.loads(review["after"])["expected_output"].startswith("=HYPERLINK")
    assert all(not cell.startswith("=") for r in rows for cell in r.values())


def test_security_headers(db):
    client = make_client(db)
    headers = client.get("/login").headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY" and headers["cache-control"] == "no-store"


# --- two reviewers ---------------------------------------------------------------------------------


def test_two_reviewers_agreement_and_admin_resolution(db):
    ids = seed_cases(db, 4)
    ana = logged_in(db, "ana", reviews_per_case=2)
    ben = logged_in(db, "ben", reviews_per_case=2)
    carl = logged_in(db, "carl", reviews_per_case=2)
    plan = {  # case: (ana's, ben's)
        ids[0]: ("accept", "accept"),
        ids[1]: ("accept", "accept"),
        ids[2]: ("discard", "discard"),
        ids[3]: ("accept", "discard"),
    }
    for client, index in ((ana, 0), (ben, 1)):
        for case_id, decisions in plan.items():
            fields = case_form(client, case_id)
            if decisions[index] == "accept":
                # Agreeing accepts carry the same answer (whitespace aside); on ids[3] only ana accepts.
                answer = "answer by 0" if case_id == ids[3] else ("agreed answer" if index == 0 else " agreed\n answer ")
                response = client.post(f"/cases/{case_id}/add", data=dict(fields, expected_output=answer))
            else:
                response = client.post(f"/cases/{case_id}/discard", data=dict(fields, reason=f"reason {index}"))
            assert response.status_code == 303
    # Both slots of every case are taken: a third reviewer cannot review.
    assert carl.get(f"/cases/{ids[0]}").status_code == 403

    # Three agreements (2 accept, 1 discard), one disagreement.
    # p_o = 3/4; ana: 3 accept 1 discard, ben: 2 accept 2 discard -> p_e = (3*2 + 1*2) / 16 = 0.5; kappa = 0.5
    assert cohen_kappa(["accept", "accept", "discard", "accept"], ["accept", "accept", "discard", "discard"]) == pytest.approx(0.5)
    queue = ana.get("/")
    # Krippendorff's alpha: coincidences a-a 4, d-d 2, a-d 2 -> n_a = 5, n_d = 3, n = 8;
    # alpha = 1 - (n - 1) * 2 / (2 * 5 * 3) = 1 - 14/30 = 0.533
    assert "κ = 0.50, α = 0.53 over 4 case(s), 75% raw" in queue.text
    assert "3 / 4 decided" in queue.text and "1 disputed" in queue.text

    labelled = {r["case_id"]: r for r in build_labelled_cases(db)}
    assert set(labelled) == {ids[0], ids[1], ids[2]}
    assert labelled[ids[0]]["reviewer"] == "ana+ben" and labelled[ids[0]]["expected_output"] == "agreed answer"

    # A reviewer cannot change an agreed decision; only an admin can resolve.
    page = ana.get(f"/cases/{ids[0]}")
    assert page.status_code == 200 and 'id="add-form"' not in page.text  # no review form on an agreed case
    edit = {"csrf_token": CSRF.search(page.text).group(1), "version": "1"}
    refused = ana.post(f"/cases/{ids[0]}/discard", data=dict(edit, reason="changed my mind"))
    assert refused.status_code == 409 and "only an admin" in refused.text
    assert ana.post(f"/cases/{ids[3]}/resolve", data={"csrf_token": edit["csrf_token"], "decision": "accept", "expected_output": "x"}).status_code == 403
    admin = logged_in(db, "root", role="admin", reviews_per_case=2)
    page = admin.get(f"/cases/{ids[3]}")
    assert page.status_code == 200 and "Resolve (admin)" in page.text and "answer by 0" in page.text
    token = CSRF.search(page.text).group(1)
    empty = admin.post(f"/cases/{ids[3]}/resolve", data={"csrf_token": token, "decision": "accept", "expected_output": " "})
    assert empty.status_code == 400
    resolved = admin.post(f"/cases/{ids[3]}/resolve", data={"csrf_token": token, "decision": "accept", "expected_output": "The resolved answer."})
    assert resolved.status_code == 303
    labelled = {r["case_id"]: r for r in build_labelled_cases(db)}
    assert labelled[ids[3]]["expected_output"] == "The resolved answer." and labelled[ids[3]]["reviewer"] == "root"
    assert "4 / 4 decided" in ana.get("/").text


def test_cohen_kappa_values():
    assert cohen_kappa([], []) is None
    assert cohen_kappa(["a", "a"], ["a", "a"]) is None  # chance agreement is 1: undefined
    assert cohen_kappa(["a", "b", "a", "b"], ["a", "b", "a", "b"]) == pytest.approx(1.0)
    assert cohen_kappa(["a", "b", "a", "b"], ["b", "a", "b", "a"]) == pytest.approx(-1.0)
    # A textbook example: 50 items, 20 yes/yes, 15 no/no, 5 yes/no, 10 no/yes -> kappa 0.4
    first = ["y"] * 20 + ["n"] * 15 + ["y"] * 5 + ["n"] * 10
    second = ["y"] * 20 + ["n"] * 15 + ["n"] * 5 + ["y"] * 10
    assert cohen_kappa(first, second) == pytest.approx(0.4)


# --- privacy ---------------------------------------------------------------------------------------


def test_the_app_never_reads_raw_tables(db):
    statements: list[str] = []
    sa.event.listen(db.engine, "before_cursor_execute", lambda conn, cursor, statement, *a: statements.append(statement))
    ids = seed_cases(db, 2)
    client = logged_in(db, "root", role="admin")
    client.get("/")
    fields = case_form(client, ids[0])
    client.post(f"/cases/{ids[0]}/add", data=dict(fields, expected_output="ok"))
    client.post(f"/cases/{ids[1]}/flag", data={"csrf_token": fields["csrf_token"], "kind": "other"})
    client.get("/admin/audit")
    client.get("/admin/audit.csv")
    assert statements and not [s for s in statements if "raw_" in s.lower()]
    from pathlib import Path

    import logmine_dagster.review_app as package

    for path in Path(package.__file__).parent.rglob("*.py"):
        assert "raw_samples" not in path.read_text(), path  # the only raw_* table


def test_flagged_case_text_is_withheld_from_the_audit(db):
    ids = seed_cases(db, 1)
    client = logged_in(db, "ana")
    fields = case_form(client, ids[0])
    client.post(f"/cases/{ids[0]}/add", data=dict(fields, expected_output="Call Dana on 555-0100."))
    fields = case_form(client, ids[0])
    assert client.post(f"/cases/{ids[0]}/flag", data={"csrf_token": fields["csrf_token"], "kind": "phone number"}).status_code == 303
    admin = logged_in(db, "root", role="admin")
    assert "555-0100" not in admin.get("/admin/audit").text
    assert "555-0100" not in admin.get("/admin/audit.csv").text
    assert build_labelled_cases(db) == []
    # Decided cases (including flagged ones) are never queued again in another week.
    from logmine_dagster.review.outcomes import decided_case_ids

    assert ids[0] in decided_case_ids(db)


def test_two_tabs_submitting_at_the_same_moment(db):
    import threading

    case_id = seed_cases(db, 1)[0]
    first = logged_in(db, "ana")
    fields = case_form(first, case_id)
    second = make_client(db)  # a second tab: same session cookie, its own connection
    second.cookies.set("__Host-logmine_session", first.cookies.get("__Host-logmine_session"))
    barrier = threading.Barrier(2)
    results = {}

    def submit(name, client, path, data):
        barrier.wait()
        results[name] = client.post(f"/cases/{case_id}/{path}", data=data).status_code

    threads = [
        threading.Thread(target=submit, args=("add", first, "add", dict(fields, expected_output="From tab one."))),
        threading.Thread(target=submit, args=("discard", second, "discard", dict(fields, reason="From tab two."))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results.values()) == [303, 409]
    assert db.count(review_votes) == 1 and db.count(review_decisions) == 1
    assert len(build_labelled_cases(db)) == 1
