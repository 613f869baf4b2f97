"""The review app in real Chromium (Playwright): log in, add a case with an edited expected output,
discard one, flag one for PII, see the progress change; the same without JavaScript. Saves the
screenshots as test artefacts (LOGMINE_UPDATE_SCREENSHOTS=1: the README's copies in docs/screenshots)."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

CHROMIUM = os.environ.get("LOGMINE_TEST_CHROMIUM", "/usr/bin/chromium")
from logmine_dagster_tests.helpers import SCREENSHOTS

if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
    pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install -y chromium)", allow_module_level=True)
sync_playwright = pytest.importorskip("playwright.sync_api", reason="browser tests need the playwright package").sync_playwright
uvicorn = pytest.importorskip("uvicorn", reason="browser tests need uvicorn")

from logmine_dagster.review_app import create_app  # noqa: E402
from logmine_dagster.review.accounts import add_user  # noqa: E402
from logmine_dagster.review.labelled import build_labelled_cases  # noqa: E402
from logmine_dagster.storage.schema import review_pii_flags  # noqa: E402
from logmine_dagster_tests.review_app.test_review_app_http import PASSWORD, SECRET, WEEK, seed_cases  # noqa: E402

LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def served(db):
    """The app behind a real uvicorn server on a free loopback port, with the default (Secure) cookies."""
    app = create_app(db.url, SECRET, database=db)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _login(page, base: str) -> None:
    page.goto(f"{base}/")
    assert "/login" in page.url
    page.fill("input[name=name]", "ana")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_reviewer_works_through_the_batch_in_chromium(db, served, database_url):
    ids = seed_cases(db, 4)
    add_user(db, "ana", "reviewer", PASSWORD)
    base = served
    save = database_url.startswith("sqlite")  # one backend is enough for the README's pictures
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            _login(page, base)
            assert page.locator("#progress").inner_text() == "0 / 4 decided"

            # Case 1: edit the expected output (keyboard: `a` focuses it, Ctrl+Enter adds).
            page.click(f"a[href='/cases/{ids[0]}']")
            page.wait_for_url(f"{base}/cases/{ids[0]}")
            assert page.locator("details.system").get_attribute("open") is None  # system prompt collapsed
            assert page.input_value("#expected_output").startswith("Thanks <PERSON>, I can see an outage")
            page.keyboard.press("a")
            assert page.evaluate("document.activeElement.id") == "expected_output"
            page.fill("#expected_output", "Sorry about the drops, <PERSON>: a technician visits tomorrow morning.")
            page.keyboard.press("Control+Enter")
            page.wait_for_url(f"{base}/cases/{ids[1]}?msg=accepted&done={ids[0]}")
            assert "Added to the eval set." in page.content()

            # Case 2: discard with a reason.
            page.fill("#reason", "duplicate of an existing eval case")
            page.click("#discard-button")
            page.wait_for_url(f"{base}/cases/{ids[2]}?msg=discarded&done={ids[1]}")

            # Case 3: flag for PII (the confirmation dialog is accepted).
            page.once("dialog", lambda dialog: dialog.accept())
            page.select_option("#pii-kind", "phone number")
            page.click("#flag-button")
            page.wait_for_url(f"{base}/cases/{ids[3]}?msg=flagged&done={ids[2]}")

            page.goto(f"{base}/")
            assert page.locator("#progress").inner_text() == "3 / 4 decided"
            assert "1 flagged for PII" in page.content()
            if save:
                page.screenshot(path=str(SCREENSHOTS / "queue-after.png"), full_page=True)

            # Without JavaScript, the core actions still work (here: add the last case).
            context = browser.new_context(java_script_enabled=False)
            plain = context.new_page()
            _login(plain, base)
            plain.goto(f"{base}/cases/{ids[3]}")
            plain.fill("#expected_output", "No-JS answer.")
            plain.click("#add-button")
            plain.wait_for_load_state()
            plain.goto(f"{base}/")
            assert plain.locator("#progress").inner_text() == "4 / 4 decided"
            context.close()
        finally:
            browser.close()

    labelled = {r["case_id"]: r for r in build_labelled_cases(db)}
    assert set(labelled) == {ids[0], ids[1], ids[3]}
    assert labelled[ids[0]]["expected_output"] == "Sorry about the drops, <PERSON>: a technician visits tomorrow morning."
    assert labelled[ids[1]]["decision"] == "discard"
    assert [r["case_id"] for r in db.fetch_all(sa.select(review_pii_flags.c.case_id))] == [ids[2]]
    if save:
        assert (SCREENSHOTS / "queue-after.png").stat().st_size > 0
    assert WEEK in labelled[ids[0]]["week"]


def test_admin_round_trips_the_batch_through_label_studio_files_in_chromium(db, served, database_url, tmp_path):
    """Download the Label Studio tasks from the Import/export page, label them as Label Studio's export
    would hold them, upload the file, and see the decisions in the queue's progress."""
    import json

    from logmine_dagster_tests.review.test_review_interop import ls_annotation, ls_export

    ids = seed_cases(db, 3)
    add_user(db, "root", "admin", PASSWORD)
    add_user(db, "ls-team", "reviewer", PASSWORD)  # an import records decisions only under an existing account
    base = served
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
            page.goto(f"{base}/login")
            page.fill("input[name=name]", "root")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/")
            page.click("text=Import/export")
            page.wait_for_url(f"{base}/admin/interop")
            page.select_option("select[name=format]", "label-studio")
            with page.expect_download() as download:
                page.click("form[action='/admin/export'] button")
            tasks_path = tmp_path / download.value.suggested_filename
            download.value.save_as(tasks_path)
            tasks = json.loads(tasks_path.read_text())
            assert [t["data"]["case_id"] for t in tasks] == ids

            labelled = tmp_path / "project-1-at-2026-03-09.json"
            annotations = {ids[0]: [ls_annotation(1, 2, "add", expected="Labelled in Label Studio.", tags="ls")],
                           ids[1]: [ls_annotation(2, 2, "discard", reason="duplicate")]}
            labelled.write_text(json.dumps(ls_export(tasks, annotations)))
            page.set_input_files("input[name=file]", str(labelled))
            page.fill("input[name=reviewer]", "ls-team")
            page.click("form[action='/admin/import'] button")
            page.wait_for_selector("#import-result")
            assert "Imported 1 add and 1 discard vote(s) by ls-team" in page.inner_text("#import-result")
            if database_url.startswith("sqlite"):
                page.screenshot(path=str(SCREENSHOTS / "interop.png"), full_page=True)
            page.goto(f"{base}/")
            assert page.locator("#progress").inner_text() == "2 / 3 decided"
        finally:
            browser.close()
    assert {r["case_id"]: r["reviewer"] for r in build_labelled_cases(db)} == {ids[0]: "ls-team", ids[1]: "ls-team"}


def test_a_dispute_from_two_reviewers_to_the_admins_resolution_in_chromium(db, served, database_url):
    """Two reviewers accept one case with different answers (a dispute, stored policy of two reviews);
    the queue shows it disputed; an admin resolves it on the case page; the lineage names all three."""
    from logmine_dagster.review.outcomes import latest_decisions
    from logmine_dagster.review.policy import set_reviews_per_case

    ids = seed_cases(db, 1)
    for name in ("ana", "ben"):
        add_user(db, name, "reviewer", PASSWORD)
    add_user(db, "root", "admin", PASSWORD)
    set_reviews_per_case(db, 2, "test")
    base = served
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            for name, answer in (("ana", "Restart the router."), ("ben", "Send a technician.")):
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                _login_as(page, base, name)
                page.goto(f"{base}/cases/{ids[0]}")
                page.fill("#expected_output", answer)
                page.click("#add-button")
                page.wait_for_load_state()
                context.close()
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            _login_as(page, base, "root")
            page.goto(f"{base}/?week={WEEK}&status=disputed")
            assert page.locator(f"tr[data-case='{ids[0]}'] .tag.disputed").count() == 1
            page.click(f"a[href='/cases/{ids[0]}']")
            page.wait_for_url(f"{base}/cases/{ids[0]}")
            assert "Restart the router." in page.content() and "Send a technician." in page.content()  # both votes shown
            resolve = page.locator("form[action$='/resolve']")
            resolve.locator("textarea[name=expected_output]").fill("Restart the router; if it drops again, send a technician.")
            resolve.locator("button[type=submit]").click()
            page.wait_for_load_state()
            page.goto(f"{base}/?week={WEEK}")
            assert page.locator(f"tr[data-case='{ids[0]}'] .tag.accepted").count() == 1
            context.close()
        finally:
            browser.close()
    decided = latest_decisions(db)[ids[0]]
    assert decided["reviewer"] == "root" and decided["expected_output"] == "Restart the router; if it drops again, send a technician."


def _login_as(page, base: str, name: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
