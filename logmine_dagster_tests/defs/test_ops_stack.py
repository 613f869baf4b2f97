"""The production-like deployment end to end: `scripts/stack.sh up` (the repository's dagster.yaml on
PostgreSQL, the daemon, the web UI), a new day dropped into the log root, the daemon's sensor launching
the run (the test never calls the sensor), the run and its asset checks succeeding (read through the
GraphQL API), then the UI in real Chromium, with screenshots (see helpers.SCREENSHOTS)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import time
from pathlib import Path

import pytest

from logmine_dagster_tests.helpers import SCREENSHOTS
from logmine_dagster_tests.stack_support import SENSOR, Stack, running_stack, skip_unless_stack_can_run

skip_unless_stack_can_run()
CHROMIUM = os.environ.get("LOGMINE_TEST_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
LOGMINE_ASSETS = [
    "raw_logs", "sampled_logs", "sanitised_samples", "categorised_candidates", "review_batch",
    "labelled_cases", "eval_set", "eval_set_exports", "raw_log_retention",
]
FIRST_TICK_S = 60  # the daemon evaluates a newly loaded sensor within seconds
RUN_S = 240  # sensor interval (60 s, ticked about every 30 s), queue, spaCy load, the run itself

if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
    pytest.skip(f"the stack test needs Chromium at {CHROMIUM} (apt-get install -y chromium)", allow_module_level=True)
sync_playwright = pytest.importorskip("playwright.sync_api", reason="the stack test needs the playwright package").sync_playwright


SENSOR_TICKS = """query($name: String!) {
  sensorOrError(sensorSelector: {repositoryLocationName: "logmine", repositoryName: "__repository__", sensorName: $name}) {
    __typename ... on Sensor { sensorState { status ticks(limit: 5) { status timestamp runIds } } }
  }
}"""

PARTITION_RUNS = """query($day: String!) {
  runsOrError(filter: {tags: [{key: "dagster/partition", value: $day}]}) {
    __typename ... on Runs { results { runId jobName status tags { key value } } }
  }
}"""

RUN_ERRORS = """query($runId: ID!) {
  logsForRun(runId: $runId) {
    __typename ... on EventConnection { events { __typename ... on MessageEvent { message } } }
  }
}"""

SANITISED_CHECKS = """{
  assetNodeOrError(assetKey: {path: ["sanitised_samples"]}) {
    __typename ... on AssetNode {
      assetChecksOrError { __typename ... on AssetChecks { checks { name blocking
        executionForLatestMaterialization { status runId partition } } } }
    }
  }
}"""

ASSET_KEYS = "{ assetNodes { assetKey { path } } }"


def _wait(what: str, deadline: float, probe, stack: Stack, every: float = 2.0):
    return stack.wait(what, deadline - time.monotonic(), probe, every)


def _dismiss_community_dialog(page) -> None:
    """The UI greets a new instance with a newsletter dialog over the page: skip it if it is there."""
    skip = page.get_by_role("button", name="Skip")
    try:
        skip.wait_for(timeout=3000)
    except Exception:  # playwright's TimeoutError: no dialog this time
        return
    skip.click()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """The stack up against a fresh PostgreSQL database for Dagster, once for this module."""
    with running_stack(tmp_path_factory.mktemp("stack")) as (deployment, log_root):
        yield deployment, log_root, dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=2)


def test_daemon_sensor_mines_a_new_day_and_the_ui_shows_it(stack):
    deployment, log_root, day = stack
    partition = day.isoformat()

    # The sensor is evaluated by the daemon once with an empty log root (a skipped tick)...
    ticks = _wait(
        "the sensor's first tick",
        time.monotonic() + FIRST_TICK_S,
        lambda: deployment.graphql(SENSOR_TICKS, name=SENSOR)["sensorOrError"]["sensorState"]["ticks"],
        deployment,
    )
    assert ticks[0]["runIds"] == []

    # ...then a new day lands in the log root, and a later tick must launch its run.
    from logmine_dagster.generator import generate

    generate(log_root, day, 1, 150, 23)

    def finished_run():
        runs = deployment.graphql(PARTITION_RUNS, day=partition)["runsOrError"]["results"]
        done = [r for r in runs if r["status"] in ("SUCCESS", "FAILURE", "CANCELED")]
        return done[0] if done else None

    run = _wait(f"a finished run for {partition}", time.monotonic() + RUN_S, finished_run, deployment, every=3)
    if run["status"] != "SUCCESS":
        events = deployment.graphql(RUN_ERRORS, runId=run["runId"])["logsForRun"]["events"]
        messages = [e.get("message") for e in events if e.get("message")]
        pytest.fail(f"run {run['runId']} ended {run['status']}:\n" + "\n".join(messages[-15:]))
    tags = {t["key"]: t["value"] for t in run["tags"]}
    assert run["jobName"] == "daily_mining_job"
    assert tags["dagster/sensor_name"] == SENSOR  # launched by the daemon's sensor, not by this test
    assert tags["logmine/day"] == partition

    checks = deployment.graphql(SANITISED_CHECKS)["assetNodeOrError"]["assetChecksOrError"]["checks"]
    by_name = {c["name"]: c for c in checks}
    assert {"sanitised_samples_no_residual_pii", "sanitiser_canaries_removed"} <= set(by_name)
    for name in ("sanitised_samples_no_residual_pii", "sanitiser_canaries_removed"):
        execution = by_name[name]["executionForLatestMaterialization"]
        assert by_name[name]["blocking"]
        assert execution is not None and execution["runId"] == run["runId"], (name, execution)
        assert execution["status"] == "SUCCEEDED", (name, execution)

    keys = {"/".join(n["assetKey"]["path"]) for n in deployment.graphql(ASSET_KEYS)["assetNodes"]}
    assert set(LOGMINE_ASSETS) <= keys

    # The web UI in a real browser.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            # Generous: on 2 busy cores the UI's first GraphQL queries can take a while.
            page.set_default_timeout(90_000)
            page.goto(f"{deployment.base}/asset-groups")
            page.get_by_text("sanitise", exact=True).first.wait_for()
            _dismiss_community_dialog(page)
            # Groups start collapsed; the graph's own shortcut (Alt+E) expands them all.
            page.locator("body").click(position={"x": 1000, "y": 900})
            page.keyboard.press("Alt+e")
            page.get_by_text("sanitised_samples", exact=True).first.wait_for()
            page.wait_for_timeout(1000)  # let the layout settle before the picture
            page.screenshot(path=str(SCREENSHOTS / "dagster-asset-graph.png"))
            # Long names are shortened inside graph nodes ("catego..._candidates"): most show in full.
            html = page.content()
            assert sum(name in html for name in LOGMINE_ASSETS) >= len(LOGMINE_ASSETS) - 2

            # The catalog lists every asset by its full name.
            page.goto(f"{deployment.base}/assets")
            # Rows arrive as their queries finish: wait for each name rather than reading the page once.
            for name in LOGMINE_ASSETS:
                page.get_by_text(name, exact=True).first.wait_for(state="attached")

            page.goto(f"{deployment.base}/assets/sanitised_samples?view=checks")
            for name in ("sanitised_samples_no_residual_pii", "sanitiser_canaries_removed"):
                # Long names are middle-truncated: the full text sits in a hidden measuring element.
                page.get_by_text(name, exact=True).first.wait_for(state="attached")
            _dismiss_community_dialog(page)
            page.get_by_text(re.compile("succeeded|passed", re.I)).first.wait_for()
            page.wait_for_timeout(500)
            page.screenshot(path=str(SCREENSHOTS / "dagster-sanitised-samples.png"), full_page=True)
            text = page.inner_text("body")
            assert "sanitised_samples" in text
        finally:
            browser.close()
    for shot in ("dagster-asset-graph.png", "dagster-sanitised-samples.png"):
        assert (SCREENSHOTS / shot).stat().st_size > 10_000
