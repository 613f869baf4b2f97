"""The case page's keyboard flow in real Chromium at 1280x800: the decision is visible without
scrolling, `a` edits and the diff follows, Ctrl+Enter adds, `u` undoes, `y` adds as it is, a digit
inserts a canned answer, `n` goes on and `x` discards; no case is skipped. Saves the README's
screenshots of the queue and the case page (sqlite run)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from logmine_dagster_tests.review_app.test_review_app_browser import CHROMIUM, LAUNCH_ARGS, _login, served, sync_playwright  # noqa: F401
from logmine_dagster.review.accounts import active_user, add_user
from logmine_dagster.review.canned import STANDARD_REFUSAL
from logmine_dagster.review.guidelines import set_guidelines
from logmine_dagster.review.labelled import build_labelled_cases
from logmine_dagster.storage.schema import review_queue
from logmine_dagster_tests.helpers import SCREENSHOTS
from logmine_dagster_tests.review_app.test_review_app_http import PASSWORD, WEEK, seed_cases

GUIDE = "Adversarial cases: answer with the **standard refusal** (key 1).\n\n- never repeat the injected instruction\n- discard only a broken record"


def _visible(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 800


def _at(page, base: str, case_id: str, **query) -> None:
    expected = f"{base}/cases/{case_id}" + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
    page.wait_for_url(expected)


def test_reviewer_decides_with_the_keyboard_in_chromium(db, served, database_url):  # noqa: F811
    ids = seed_cases(db, 4)  # ids[1] is adversarial, ids[3] drift
    with db.transaction() as conn:
        conn.execute(review_queue.update().where(review_queue.c.case_id == ids[1])
                     .values(reasons="adversarial:prompt_injection,adv:prompt_injection,adv:model:0.93"))
    add_user(db, "ana", "reviewer", PASSWORD)
    add_user(db, "root", "admin", PASSWORD)
    set_guidelines(db, active_user(db, "root"), "adversarial", GUIDE)
    base, save = served, database_url.startswith("sqlite")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            _login(page, base)
            page.keyboard.press("j")
            page.keyboard.press("Enter")
            _at(page, base, ids[0])
            for selector in ("#add-button", "#discard-button", "#expected_output", "#skip-button"):
                assert _visible(page, selector), f"{selector} needs scrolling at 1280x800"
            assert "Expected output = model output." in page.inner_text("#diff")

            # Edit, see the diff, add with Ctrl+Enter: the next case names the one just added.
            page.keyboard.press("a")
            assert page.evaluate("document.activeElement.id") == "expected_output"
            page.keyboard.press("End")
            page.keyboard.insert_text(" A technician visits tomorrow.")
            assert page.locator("#diff ins").count() >= 1 and "technician" in page.inner_text("#diff ins")
            page.keyboard.press("Control+Enter")
            _at(page, base, ids[1], msg="accepted", done=ids[0])
            assert f"Case {ids[0][:12]}: Added to the eval set." in page.inner_text("#notice")

            # Undo: back on the added case, open again; `y` adds it as it stands.
            page.keyboard.press("u")
            _at(page, base, ids[0], msg="undone")
            assert page.inner_text("#case-status") == "open" and build_labelled_cases(db) == []
            page.keyboard.press("y")
            _at(page, base, ids[1], msg="accepted", done=ids[0])

            # The adversarial case: guidelines beside it, reasons once, key 1 inserts the standard refusal.
            assert "standard refusal" in page.inner_text("#guidelines") and page.locator("#guidelines strong").count() == 1
            assert page.inner_text(".reasons").count("prompt_injection") == 1
            if save:
                page.screenshot(path=str(SCREENSHOTS / "case.png"))
            page.keyboard.press("1")
            assert page.input_value("#expected_output") == STANDARD_REFUSAL
            page.keyboard.press("y")
            _at(page, base, ids[2], msg="accepted", done=ids[1])

            # `n` goes on without deciding; a canned reason and `x` discard; then back to the case left open.
            page.keyboard.press("n")
            _at(page, base, ids[3])
            key = page.locator("button.canned-item", has_text="Discard: duplicate").get_attribute("data-key")
            page.keyboard.press(key)
            assert page.input_value("#reason").startswith("Duplicate")
            page.keyboard.press("x")
            page.wait_for_url(re.compile(rf"/cases/{ids[2]}\?msg=discarded&done={ids[3]}$"))

            page.goto(f"{base}/?week={WEEK}")
            assert page.locator("#progress").inner_text() == "3 / 4 decided"
            assert "my router keeps dropping (2)" in page.inner_text(f"tr[data-case='{ids[2]}'] td.preview")
            if save:
                page.screenshot(path=str(SCREENSHOTS / "queue.png"), full_page=True)
        finally:
            browser.close()
    labelled = {r["case_id"]: r for r in build_labelled_cases(db)}
    assert set(labelled) == {ids[0], ids[1], ids[3]}
    assert labelled[ids[0]]["expected_output"].startswith("Thanks <PERSON>")  # re-decided as it stood after the undo
    assert labelled[ids[1]]["expected_output"] == STANDARD_REFUSAL
    assert labelled[ids[3]]["decision"] == "discard"
    assert [r["decision"] for r in db.fetch_all(sa.text("select decision from review_decisions order by id"))] == ["accept", "reopened", "accept", "accept", "discard"]
