"""A reviewer decides the demo's review batch with the keyboard only, in real Chromium; prints JSON.

    python benchmarks/bench_review_keyboard.py --demo DIR          # a `logmine demo --workdir DIR` result
    python benchmarks/bench_review_keyboard.py --per-day 300       # runs the demo first (minutes)

The demo's database is copied, so the demo itself stays undecided. A reviewer account is created,
the app runs under uvicorn on a loopback port and Chromium (/usr/bin/chromium, never downloaded)
plays a reviewer who reads each case and decides it from the keyboard:
- a case with a model output outside `adversarial`: accepted as it is (`y`);
- an adversarial case: the standard refusal (its canned-answer key) then `y`;
- a case without a model output: the "ask for the missing detail" canned answer, then `y`;
- every 6th case: discarded with a canned reason (its key, then `x`);
- every 7th case: the expected output edited (`a`, one typed text, Ctrl+Enter).
One case is also undone (`u`) and decided again, reported apart from the per-case figures.

An action is a key press or one typed text. Server time is the app's own `Server-Timing` (wall
milliseconds and thread CPU milliseconds) of the requests one decision makes: the POST and the next
case page it redirects to. The browser's wall time per case is reported too, but the machine is
shared: read the server's CPU time for speed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

CHROMIUM = os.environ.get("LOGMINE_TEST_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
TIMING = re.compile(r"(app|cpu);dur=([0-9.]+)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(app):
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise SystemExit("uvicorn did not start")
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{port}"


def _demo_database(args, workdir: Path) -> Path:
    if args.demo:
        source = Path(args.demo) / "logmine.db"
    else:
        from logmine_dagster.cli.demo import run_demo

        run_demo(workdir / "demo", per_day=args.per_day, seed=args.seed, echo=lambda line: print(line, file=sys.stderr))
        source = workdir / "demo" / "logmine.db"
    if not source.exists():
        raise SystemExit(f"no demo database at {source}: run `logmine demo --workdir DIR` first")
    copy = workdir / "bench.db"
    shutil.copyfile(source, copy)
    return copy


def _key_of(page, label: str) -> str | None:
    button = page.locator("button.canned-item", has_text=label)
    return button.first.get_attribute("data-key") if button.count() else None


def _decide(page, index: int, category: str, has_output: bool) -> list[str]:
    """Press what this reviewer presses on the case; returns the actions."""
    if index % 6 == 5:
        key = _key_of(page, "Discard: not useful")
        page.keyboard.press(key)
        page.keyboard.press("x")
        return [key, "x"]
    if index % 7 == 6:
        page.keyboard.press("a")
        page.keyboard.insert_text(" Let me check that for you.")
        page.keyboard.press("Control+Enter")
        return ["a", "<text>", "Control+Enter"]
    if category == "adversarial":
        key = _key_of(page, "Standard refusal")
        page.keyboard.press(key)
        page.keyboard.press("y")
        return [key, "y"]
    if not has_output:
        key = _key_of(page, "Ask for the missing detail")
        page.keyboard.press(key)
        page.keyboard.press("y")
        return [key, "y"]
    page.keyboard.press("y")
    return ["y"]


def _play(base: str, name: str, password: str, undo_at: int) -> dict:
    from playwright.sync_api import sync_playwright

    timings: list[tuple[str, str, float, float]] = []
    cases, undo = [], None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})

            def record(response):
                found = dict(TIMING.findall(response.headers.get("server-timing", "")))
                if response.request.resource_type == "document" and found:
                    timings.append((response.request.method, response.url, float(found.get("app", 0)), float(found.get("cpu", 0))))

            page.on("response", record)
            page.goto(f"{base}/login")
            page.fill("input[name=name]", name)
            page.fill("input[name=password]", password)
            page.keyboard.press("Enter")
            page.wait_for_url(f"{base}/")
            total = int(page.locator("#progress").inner_text().split("/")[1].split()[0])
            page.keyboard.press("j")
            page.keyboard.press("Enter")  # the queue's first case
            page.wait_for_url(re.compile(r"/cases/"))
            while "/cases/" in page.url:
                index = len(cases)
                case_id = page.url.split("/cases/")[1].split("?")[0]
                decide_box = page.locator("#add-button").bounding_box()
                category = page.locator(".tag.cat").inner_text()
                has_output = bool(page.locator("#model-output").inner_text().strip())
                mark, started, before = len(timings), time.perf_counter(), page.url
                actions = _decide(page, index, category, has_output)
                page.wait_for_url(lambda url: url != before and "/discard" not in url and "/add" not in url)
                page.wait_for_load_state()
                spent = timings[mark:]
                cases.append({"case": case_id[:12], "category": category, "has_output": has_output, "actions": len(actions), "keys": actions,
                              "server_ms": round(sum(t[2] for t in spent), 1), "server_cpu_ms": round(sum(t[3] for t in spent), 1),
                              "requests": len(spent), "browser_s": round(time.perf_counter() - started, 3),
                              "decide_visible": bool(decide_box) and decide_box["y"] + decide_box["height"] <= 800})
                if index == undo_at and page.locator("#undo-form").count():
                    mark = len(timings)
                    page.keyboard.press("u")
                    page.wait_for_url(re.compile(rf"/cases/{case_id}\?msg=undone"))
                    before = page.url
                    actions = _decide(page, index, category, has_output)
                    page.wait_for_url(lambda url: url != before and "/discard" not in url and "/add" not in url)
                    page.wait_for_load_state()
                    undo = {"case": case_id[:12], "actions": 1 + len(actions), "server_ms": round(sum(t[2] for t in timings[mark:]), 1)}
                if len(cases) > total + 2:
                    raise SystemExit("the reviewer went round in circles: 'next' is not reliable")
            page.goto(f"{base}/")
            progress = page.locator("#progress").inner_text()
        finally:
            browser.close()
    return {"cases": cases, "undo": undo, "total": total, "progress": progress}


def _summary(result: dict) -> dict:
    cases = result["cases"]
    actions = [c["actions"] for c in cases]
    server = sorted(c["server_ms"] for c in cases)
    cpu = sorted(c["server_cpu_ms"] for c in cases)
    return {
        "cases_in_batch": result["total"], "cases_decided": len(cases), "progress_after": result["progress"],
        "distinct_cases_visited": len({c["case"] for c in cases}),
        "without_model_output": sum(1 for c in cases if not c["has_output"]),
        "actions_per_case_mean": round(statistics.mean(actions), 2), "actions_per_case_max": max(actions),
        "server_s_per_case_mean": round(statistics.mean(server) / 1000, 4), "server_s_per_case_p95": round(server[int(0.95 * (len(server) - 1))] / 1000, 4),
        "server_s_per_case_max": round(server[-1] / 1000, 4),
        "server_cpu_s_per_case_mean": round(statistics.mean(cpu) / 1000, 4), "server_cpu_s_per_case_max": round(cpu[-1] / 1000, 4),
        "browser_s_per_case_mean": round(statistics.mean(c["browser_s"] for c in cases), 3),
        "decision_visible_without_scrolling_at_1280x800": all(c["decide_visible"] for c in cases),
        "undo": result["undo"], "targets": {"actions_per_case": 4, "server_s_per_case": 0.2},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--demo", help="a `logmine demo --workdir` folder (its logmine.db is copied, never changed)")
    parser.add_argument("--per-day", type=int, default=300, help="without --demo: records per day of the demo run first")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--undo-at", type=int, default=3, help="the case (0-based) that is also undone and decided again")
    parser.add_argument("--cases", action="store_true", help="print one JSON line per case before the summary")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        raise SystemExit(f"needs Chromium at {CHROMIUM}")
    with tempfile.TemporaryDirectory(prefix="logmine-bench-review-") as tmp:
        workdir = Path(tmp)
        url = f"sqlite:///{_demo_database(args, workdir)}"
        from logmine_dagster.review.accounts import add_user
        from logmine_dagster.review_app import create_app
        from logmine_dagster.storage import Database

        db = Database(url)
        password = secrets.token_urlsafe(18)
        add_user(db, "bench-reviewer", "reviewer", password, actor="benchmark")
        server, thread, base = _serve(create_app(url, secrets.token_urlsafe(32), database=db))
        try:
            result = _play(base, "bench-reviewer", password, args.undo_at)
        finally:
            server.should_exit = True
            thread.join(timeout=10)
    if args.cases:
        for case in result["cases"]:
            print(json.dumps(case))
    print(json.dumps(_summary(result)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
