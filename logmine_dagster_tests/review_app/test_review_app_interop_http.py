"""The review app's import/export pages, session idle timeout and trusted-proxy handling, over HTTP
(Starlette's TestClient) on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

pytest.importorskip("starlette.testclient")
pytest.importorskip("argon2")
pytest.importorskip("multipart")

from logmine_dagster.cli.review_app import idle_minutes_from_env, trust_proxy_from_env  # noqa: E402
from logmine_dagster.core.config import ConfigError  # noqa: E402
from logmine_dagster.review.accounts import add_user  # noqa: E402
from logmine_dagster.review.clock import utcnow  # noqa: E402
from logmine_dagster.review.labelled import build_labelled_cases  # noqa: E402
from logmine_dagster.review_app.login_limits import RateLimit  # noqa: E402
from logmine_dagster.storage.schema import review_audit, review_decisions, review_login_attempts, review_sessions  # noqa: E402
from logmine_dagster_tests.review_app.test_review_app_http import (  # noqa: E402
    CSRF,
    accounts,
    PASSWORD,
    WEEK,
    form_token,
    logged_in,
    login,
    make_client,
    seed_cases,
)
from logmine_dagster_tests.review.test_review_interop import ls_annotation, ls_export  # noqa: E402


@pytest.fixture(autouse=True)
def label_studio_account(db):
    """The account Label Studio exports are imported under: an import needs an existing reviewer."""
    accounts(db, "ls-team")


def upload(client, content: bytes, name: str = "project-7.json", reviewer: str = "ls-team", fmt: str = "", token: str | None = None):
    token = token if token is not None else form_token(client, "/admin/interop")
    return client.post("/admin/import", data={"csrf_token": token, "reviewer": reviewer, "format": fmt},
                       files={"file": (name, content, "application/json")})


def test_admin_exports_label_studio_tasks_and_imports_the_annotations(db):
    ids = seed_cases(db, 3)
    admin = logged_in(db, "root", "admin")
    page = admin.get("/admin/interop")
    assert page.status_code == 200 and f'<option value="{WEEK}">' in page.text

    config = admin.get("/admin/label-studio-config.xml")
    assert config.status_code == 200 and config.headers["content-type"].startswith("application/xml")
    assert '<Choices name="decision"' in config.text

    exported = admin.get(f"/admin/export?week={WEEK}&format=label-studio")
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    tasks = exported.json()
    assert [t["data"]["case_id"] for t in tasks] == ids
    assert admin.get(f"/admin/export?week={WEEK}&format=csv").text.startswith("case_id,week,day,category")
    assert json.loads(admin.get(f"/admin/export?week={WEEK}&format=jsonl").text.splitlines()[0])["case_id"] == ids[0]
    assert admin.get("/admin/export?week=2020-01-06&format=csv").status_code == 404
    assert admin.get(f"/admin/export?week={WEEK}&format=xlsx").status_code == 400

    annotations = {ids[0]: [ls_annotation(1, 3, "add", expected="Edited in the labelling tool.", notes="n", tags="ls")],
                   ids[1]: [ls_annotation(2, 3, "discard", reason="dup")]}
    done = upload(admin, json.dumps(ls_export(tasks, annotations)).encode())
    assert done.status_code == 200, done.text
    assert "Imported 1 add and 1 discard vote(s) by ls-team" in done.text and "1 left undecided" in done.text
    assert "Cases now: 1 added to the eval set, 1 discarded." in done.text
    labelled = {r["case_id"]: r for r in build_labelled_cases(db)}
    assert labelled[ids[0]]["expected_output"] == "Edited in the labelling tool." and labelled[ids[0]]["tags"] == "ls"
    assert labelled[ids[0]]["reviewer"] == "ls-team"
    audit = db.fetch_all(sa.select(review_audit).where(review_audit.c.action == "import"))
    assert len(audit) == 1 and audit[0]["actor"] == "root" and '"reviewer": "ls-team"' in audit[0]["after_json"]
    # The queue shows the imported decisions as progress.
    assert "2 / 3 decided" in admin.get("/").text

    # The same file again: decided twice, refused with the task numbers, nothing changes.
    again = upload(admin, json.dumps(ls_export(tasks, annotations)).encode())
    assert again.status_code == 400 and "2 invalid task(s)" in again.text and "already decided" in again.text
    assert db.count(review_decisions) == 2


def test_import_bad_input_gets_clear_messages_and_stores_nothing(db):
    ids = seed_cases(db, 2)
    admin = logged_in(db, "root", "admin")
    tasks = admin.get(f"/admin/export?week={WEEK}&format=label-studio").json()

    malformed = upload(admin, b"[{\"data\": ")
    assert malformed.status_code == 400 and "malformed JSON" in malformed.text and "Nothing was imported" in malformed.text
    not_a_list = upload(admin, b'{"data": {}}')
    assert not_a_list.status_code == 400 and "a list of tasks" in not_a_list.text

    unknown = [{"id": 9, "data": dict(tasks[0]["data"], case_id="not-a-case"), "annotations": [ls_annotation(1, 3, "discard", reason="x")]}]
    response = upload(admin, json.dumps(unknown).encode())
    assert response.status_code == 400 and "not-a-case is not in any review batch" in response.text

    empty = ls_export(tasks, {ids[0]: [ls_annotation(1, 3, "add", expected=" ")], ids[1]: [ls_annotation(2, 3, "add", expected="ok")]})
    response = upload(admin, json.dumps(empty).encode())
    assert response.status_code == 400 and "needs a non-empty expected_output" in response.text
    assert "1 invalid task(s)" in response.text  # the valid task is not stored either

    twice = ls_export(tasks[:1] * 2, {ids[0]: [ls_annotation(1, 3, "discard", reason="x")]})
    response = upload(admin, json.dumps(twice).encode())
    assert response.status_code == 400 and "decided twice in this file" in response.text

    assert upload(admin, b"[]", reviewer="").status_code == 400
    no_file = admin.post("/admin/import", data={"csrf_token": form_token(admin, "/admin/interop"), "reviewer": "x"})
    assert no_file.status_code == 400 and "Choose a file" in no_file.text
    forged = upload(admin, json.dumps(empty).encode(), token="forged")
    assert forged.status_code == 403 and "CSRF" in forged.text
    csv_bad = upload(admin, b"id,choice\n1,2\n", name="sheet.csv")
    assert csv_bad.status_code == 400 and "lacks column(s) case_id, decision" in csv_bad.text
    assert db.count(review_decisions) == 0


def test_import_and_export_are_for_admins_only_and_bounded(db):
    seed_cases(db, 1)
    reviewer = logged_in(db, "ana")
    for path in ("/admin/interop", f"/admin/export?week={WEEK}", "/admin/label-studio-config.xml"):
        assert reviewer.get(path).status_code == 403, path
    assert upload(reviewer, b"[]", token=form_token(reviewer)).status_code == 403

    admin = logged_in(db, "root", "admin", max_import=4096)
    big = upload(admin, b"[" + b" " * 8000 + b"]")
    assert big.status_code == 413 and "limit 4 KiB" in big.text
    assert db.count(review_decisions) == 0


def test_session_ends_after_the_idle_timeout_and_activity_extends_it(db):
    client = logged_in(db, "ana", idle_timeout=dt.timedelta(minutes=30))
    [session] = db.fetch_all(sa.select(review_sessions))
    assert session["last_seen_at"] is not None

    def age(minutes: int):
        with db.transaction() as conn:
            conn.execute(review_sessions.update().values(last_seen_at=utcnow() - dt.timedelta(minutes=minutes)))

    age(29)
    assert client.get("/").status_code == 200  # still active; the request counts as activity
    [session] = db.fetch_all(sa.select(review_sessions))
    seen = session["last_seen_at"] if session["last_seen_at"].tzinfo else session["last_seen_at"].replace(tzinfo=dt.timezone.utc)
    assert utcnow() - seen < dt.timedelta(minutes=1)

    age(31)
    page = client.get("/")
    assert page.status_code == 303 and "expired=1" in page.headers["location"]
    post = client.post("/logout", data={"csrf_token": "whatever"})
    assert post.status_code == 401 and "session expired" in post.text


def test_expired_sessions_are_pruned_at_the_next_login(db):
    add_user(db, "ana", "reviewer", PASSWORD)
    client = make_client(db)
    assert login(client, "ana").status_code == 303
    with db.transaction() as conn:
        conn.execute(review_sessions.update().values(expires_at=utcnow() - dt.timedelta(minutes=1)))
    other = make_client(db)
    assert login(other, "ana").status_code == 303
    assert db.count(review_sessions) == 1  # the expired one is gone, the new one stays


def test_proxy_headers_are_ignored_unless_trusted(db):
    add_user(db, "ana", "reviewer", PASSWORD)
    headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}

    plain = make_client(db, rate_limit=RateLimit(per_name=100, per_client=2))
    plain.headers.update(headers)
    for _ in range(2):
        assert login(plain, "ana", "wrong password!").status_code == 401
    assert login(plain, "ana").status_code == 429  # the forwarded address did not help: same client
    assert {r["client"] for r in db.fetch_all(sa.select(review_login_attempts))} == {"testclient"}

    proxied = make_client(db, rate_limit=RateLimit(per_name=100, per_client=2), trust_proxy="*")
    for address in ("198.51.100.1", "198.51.100.2"):
        proxied.headers.update({"X-Forwarded-For": address, "X-Forwarded-Proto": "https"})
        assert login(proxied, "ana", "wrong password!").status_code == 401
    assert login(proxied, "ana").status_code == 303  # a third client address is not blocked
    clients = {r["client"] for r in db.fetch_all(sa.select(review_login_attempts))}
    assert {"198.51.100.1", "198.51.100.2"} <= clients

    # Behind the proxy over plain HTTP, a Secure cookie would never come back: say so.
    insecure = make_client(db, trust_proxy="*")
    insecure.headers.update({"X-Forwarded-For": "198.51.100.9", "X-Forwarded-Proto": "http"})
    refused = login(insecure, "ana")
    assert refused.status_code == 400 and "https://" in refused.text

    # --insecure-cookies behind a TLS proxy still marks the cookie Secure.
    relaxed = make_client(db, trust_proxy="*", secure_cookies=False)
    relaxed.headers.update({"X-Forwarded-For": "198.51.100.10", "X-Forwarded-Proto": "https"})
    response = login(relaxed, "ana")
    assert response.status_code == 303 and "secure" in response.headers["set-cookie"].lower()


def test_serve_settings_from_the_environment():
    assert idle_minutes_from_env({}) == 30
    assert idle_minutes_from_env({"LOGMINE_REVIEW_IDLE_MINUTES": "5"}) == 5
    with pytest.raises(ConfigError):
        idle_minutes_from_env({"LOGMINE_REVIEW_IDLE_MINUTES": "0"})
    assert trust_proxy_from_env({}) is None
    assert trust_proxy_from_env({"LOGMINE_REVIEW_TRUST_PROXY": "false"}) is None
    assert trust_proxy_from_env({"LOGMINE_REVIEW_TRUST_PROXY": "true"}) == "*"
    assert trust_proxy_from_env({"LOGMINE_REVIEW_TRUST_PROXY": "10.0.0.5, 192.168.0.0/24"}) == ["10.0.0.5", "192.168.0.0/24"]
    with pytest.raises(ConfigError):
        trust_proxy_from_env({"LOGMINE_REVIEW_TRUST_PROXY": "proxy.example"})


def test_queue_shows_krippendorffs_alpha_with_three_reviewers(db):
    ids = seed_cases(db, 2)
    clients = {name: logged_in(db, name, reviews_per_case=3) for name in ("ana", "ben", "cid")}
    decisions = {"ana": ("accept", "accept"), "ben": ("accept", "discard"), "cid": ("accept", "discard")}
    for name, client in clients.items():
        for case_id, decision in zip(ids, decisions[name]):
            page = client.get(f"/cases/{case_id}")
            token = CSRF.search(page.text).group(1)
            data = {"csrf_token": token, "version": "0", "expected_output": "x", "reason": "no"}
            response = client.post(f"/cases/{case_id}/{'add' if decision == 'accept' else 'discard'}", data=data)
            assert response.status_code == 303, response.text
    # Units [a, a, a] and [a, d, d] (pairs weighted 1 / (m - 1)): coincidences a-a 3, d-d 1, a-d 1, d-a 1
    # -> n_a = 4, n_d = 2, n = 6; alpha = 1 - (6 - 1) * 2 / (2 * 4 * 2) = 0.375.
    # Kappa over the first two reviews (ana, ben): p_o = 1/2, p_e = (2 * 1) / 4 = 1/2 -> 0.
    text = clients["ana"].get("/").text
    assert "κ = 0.00, α = 0.38 over 2 case(s)" in text
