"""The operator's Dagster UI in real Chromium (issue 17 item 5), over a small simulated instance.

Two simulated weeks (`simulate_weeks`: the real jobs, reviews through the import, a release a week) leave
a Dagster instance with eval_set and eval_coverage materialised twice. A real `dagster-webserver` serves
it on a loopback port; the test then checks what an operator sees, and takes the README's pictures
(helpers.SCREENSHOTS; LOGMINE_UPDATE_SCREENSHOTS=1 rewrites docs/screenshots):

- the lineage at the URL the demo prints opens with every group expanded (each group's assets shown);
- eval_set's page shows the growth chart and the coverage chart as images in its metadata, not behind
  "Show Markdown";
- eval_coverage's page shows its trend chart and its tables;
- at 1280 px, every markdown entry (tables, notes, charts) of eval_set, eval_coverage, sampled_logs and
  categorised_candidates fits the page's value column: nothing runs past its scrolling container.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from logmine_dagster_tests.helpers import SCREENSHOTS
from logmine_dagster_tests.stack_support import REPO, free_port

CHROMIUM = os.environ.get("LOGMINE_TEST_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
SHOTS = ("dagster-lineage.png", "dagster-eval-set.png", "dagster-eval-coverage.png")
# Settings the simulation points at its work folder; restored after the module.
ENVIRONMENT = ("LOGMINE_HOME", "LOGMINE_LOG_ROOT", "LOGMINE_START_DATE", "DAGSTER_HOME", "LOGMINE_ALLOW_TERMS",
               "LOGMINE_HASH_KEY", "LOGMINE_SAMPLE_RATE", "LOGMINE_DATABASE_URL")
SERVER_S = 180  # the webserver loads the code location (spaCy is not loaded at import) on 2 busy cores

if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
    pytest.skip(f"the UI test needs Chromium at {CHROMIUM} (apt-get install -y chromium)", allow_module_level=True)
if not shutil.which("dagster-webserver"):
    pytest.skip("the UI test needs `dagster-webserver` on PATH", allow_module_level=True)
sync_playwright = pytest.importorskip("playwright.sync_api", reason="the UI test needs the playwright package").sync_playwright

ASSET_GROUPS = "{ assetNodes { assetKey { path } groupName } }"


def _graphql(base: str, query: str) -> dict:
    request = urllib.request.Request(f"{base}/graphql", data=json.dumps({"query": query}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())["data"]


def _wait_for_assets(base: str, server: subprocess.Popen, log: Path) -> list[dict]:
    deadline = time.monotonic() + SERVER_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"dagster-webserver exited {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            nodes = _graphql(base, ASSET_GROUPS)["assetNodes"]
            if nodes:
                return nodes
        except (OSError, KeyError, TypeError, ValueError):
            pass  # not listening yet, or the code location is still loading
        time.sleep(2)
    pytest.fail(f"dagster-webserver did not serve the assets within {SERVER_S}s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def ui(tmp_path_factory):
    """(base URL, asset nodes): the simulated instance behind a real dagster-webserver."""
    from logmine_dagster.cli.demo import simulate_weeks, write_workspace

    work = tmp_path_factory.mktemp("ui") / "sim"
    with pytest.MonkeyPatch.context() as patch:
        for name in ENVIRONMENT:
            patch.setenv(name, "unset-by-test")  # recorded, so the context restores the original
            patch.delenv(name)
        simulate_weeks(work, weeks=2, per_day=30, seed=5, synthetic_week=2, echo=lambda line: None,
                       today=dt.date(2026, 11, 28))
        env = {**os.environ, "PYTHONPATH": str(REPO)}
    port = free_port()
    log = work / "webserver.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            ["dagster-webserver", "-h", "127.0.0.1", "-p", str(port), "-w", str(write_workspace(work))],
            cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        yield base, _wait_for_assets(base, server, log)
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # its own session: the webserver and the code server it started
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


def _dismiss_community_dialog(page) -> None:
    """A new instance greets the operator with a newsletter dialog over the page: skip it if it is there."""
    skip = page.get_by_role("button", name="Skip")
    try:
        skip.wait_for(timeout=3000)
    except Exception:  # playwright's TimeoutError: no dialog this time
        return
    skip.click()


def _metadata_chart(page, key: str):
    """The image a markdown metadata entry renders, found from its key's row of the metadata table."""
    row = page.locator("tr", has=page.get_by_text(key, exact=True)).first
    row.wait_for()
    image = row.locator("img[src^='data:image/svg+xml']")
    image.first.wait_for(state="visible")
    return row, image.first


def _assert_chart_visible(page, key: str) -> None:
    row, image = _metadata_chart(page, key)
    assert "Show Markdown" not in row.inner_text(), f"{key} is behind [Show Markdown]"
    box = image.bounding_box()
    assert box and box["width"] >= 200 and box["height"] >= 60, (key, box)
    # Loaded and decoded: a broken data: URL leaves naturalWidth at 0.
    assert image.evaluate("img => img.complete && img.naturalWidth > 0"), key


# Markdown entries checked at 1280 px, per asset page (JSON and path entries are Dagster's own widgets).
NARROW = 1280
MARKDOWN_ENTRIES = {
    "eval_set": ("growth_chart", "coverage_chart", "growth_by_week", "mix_by_release", "representativeness"),
    "eval_coverage": ("covered_bar", "by_category", "by_signal", "largest_uncovered", "trend", "trend_chart"),
    "sampled_logs": ("strata", "sampled_by_reason", "excluded_by_rule", "quarantined_by_reason", "quarantined_by_file",
                     "skipped_spans_by_kind"),
    "categorised_candidates": ("by_category", "by_reason", "largest_clusters", "near_duplicate_repeats",
                               "top_novel_clusters"),
}
# The right edge of a metadata entry's rendered content against the right edge of the metadata table's
# scrolling container: its text (a line that does not wrap runs past its box), tables and images, not the
# block boxes around them (they stretch to the column, which Dagster's own JSON and path widgets widen).
CONTENT_EDGE = """(row) => {
  const box = row.closest("[class*='assetEventMetadataScrollContainer']");
  const cells = row.querySelectorAll(':scope > td');
  const value = cells[cells.length - 1];
  let right = 0;
  const range = document.createRange();
  const text = document.createTreeWalker(value, NodeFilter.SHOW_TEXT);
  while (text.nextNode()) {
    if (!text.currentNode.textContent.trim()) continue;
    range.selectNodeContents(text.currentNode);
    for (const r of range.getClientRects()) right = Math.max(right, r.right);
  }
  for (const el of value.querySelectorAll('table, img, svg')) right = Math.max(right, el.getBoundingClientRect().right);
  return {right: right, clip: Math.min(box.getBoundingClientRect().right, document.documentElement.clientWidth)};
}"""


def _entries_that_overflow(page, asset: str) -> dict[str, int]:
    """Entries of the asset page (at the page's current width) whose content runs past the visible value
    column, with the pixels hidden."""
    page.goto(f"{page.base}/assets/{asset}")
    _dismiss_community_dialog(page)
    over = {}
    for key in MARKDOWN_ENTRIES[asset]:
        row = page.locator("[class*='assetEventMetadataScrollContainer'] tr", has=page.get_by_text(key, exact=True)).first
        row.wait_for()
        edge = row.evaluate(CONTENT_EDGE)
        if edge["right"] > edge["clip"] + 2:  # sub-pixel rounding
            over[key] = round(edge["right"] - edge["clip"])
    return over


def _shown_as(name: str, labels: list[str]) -> bool:
    """Whether a graph node shows `name`: in full, or middle-truncated the way the graph shortens long
    names ("catego…_candidates")."""
    for label in labels:
        head, _, tail = label.strip().partition("\u2026")
        if label.strip() == name or (tail and name.startswith(head) and name.endswith(tail)):
            return True
    return False


def test_operator_pages_show_every_group_and_both_charts(ui):
    from logmine_dagster.cli.demo import lineage_url

    base, nodes = ui
    groups = sorted({node["groupName"] for node in nodes})
    assert {"evalset", "sanitise"} <= set(groups)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.set_default_timeout(90_000)  # the first GraphQL answers are slow on 2 busy cores

            # The lineage as the demo prints it: every group open, so each group shows its assets.
            page.goto(lineage_url(groups, base))
            _dismiss_community_dialog(page)
            for name in ("raw_logs", "eval_coverage", "review_batch"):
                page.get_by_text(name, exact=True).first.wait_for()
            page.wait_for_timeout(1500)  # let the layout settle before the picture
            names = page.locator("[class*='AssetNode_assetName']").all_inner_texts()
            shown = {"/".join(n["assetKey"]["path"]) for n in nodes if _shown_as(n["assetKey"]["path"][-1], names)}
            for group in groups:
                members = {"/".join(n["assetKey"]["path"]) for n in nodes if n["groupName"] == group}
                assert members & shown, f"group {group} shows none of its assets: still collapsed?"
            _dismiss_community_dialog(page)  # it can open late on a busy machine, over the picture
            page.screenshot(path=str(SCREENSHOTS / "dagster-lineage.png"))

            page.goto(f"{base}/assets/eval_set")
            _dismiss_community_dialog(page)
            for key in ("growth_chart", "coverage_chart"):
                _assert_chart_visible(page, key)
            _metadata_chart(page, "growth_chart")[0].scroll_into_view_if_needed()
            page.wait_for_timeout(500)
            _dismiss_community_dialog(page)  # it can open late on a busy machine, over the picture
            page.screenshot(path=str(SCREENSHOTS / "dagster-eval-set.png"))

            page.goto(f"{base}/assets/eval_coverage")
            _dismiss_community_dialog(page)
            _assert_chart_visible(page, "trend_chart")
            # The review priorities are read on the page, not behind "Show Markdown".
            for key in ("by_category", "by_signal", "largest_uncovered", "trend"):
                row = page.locator("tr", has=page.get_by_text(key, exact=True)).first
                row.locator("table").first.wait_for()
                assert "Show Markdown" not in row.inner_text(), key
            # The page scrolls inside its own panel (a full-page shot stays one screen high): a tall window
            # shows the shares, the review priorities and the trend in one picture.
            page.set_viewport_size({"width": 1600, "height": 2300})
            page.wait_for_timeout(1000)
            _dismiss_community_dialog(page)  # it can open late on a busy machine, over the picture
            page.screenshot(path=str(SCREENSHOTS / "dagster-eval-coverage.png"))

            # A 1280 px window: every table, note and chart fits the value column, none scrolls sideways.
            narrow = browser.new_page(viewport={"width": NARROW, "height": 1000})
            narrow.set_default_timeout(90_000)
            narrow.base = base
            over = {asset: _entries_that_overflow(narrow, asset) for asset in MARKDOWN_ENTRIES}
            assert not any(over.values()), f"pixels hidden at {NARROW} px: {over}"
        finally:
            browser.close()
    for shot in SHOTS:
        assert (SCREENSHOTS / shot).stat().st_size > 10_000, shot
