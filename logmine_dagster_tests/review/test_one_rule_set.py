"""One rule set for every way a decision comes in, here through `logmine review import` and the batch
export: decisions only under existing, enabled accounts; the stored reviews-per-case policy; an
imported decision is one vote (never settling a dispute unless an admin signs the file); two accepts
with different answers are a dispute; a naively filled export imports."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest
import sqlalchemy as sa

pytest.importorskip("argon2")

from logmine_dagster.cli import main  # noqa: E402
from logmine_dagster.review.interchange import export_batch, import_decisions  # noqa: E402
from logmine_dagster.review.outcomes import latest_decisions  # noqa: E402
from logmine_dagster.review.policy import reviews_per_case, set_reviews_per_case  # noqa: E402
from logmine_dagster.review.queue import case_states  # noqa: E402
from logmine_dagster.storage.schema import (  # noqa: E402
    review_audit,
    review_decision_details,
    review_decisions,
    review_users,
    review_votes,
    sanitised_samples,
)
from logmine_dagster_tests.review_app.test_review_app_http import WEEK, accounts, seed_cases  # noqa: E402


def _lines(path, entries: list[dict]):
    path.write_text("".join(json.dumps(e) + "\n" for e in entries), encoding="utf-8")
    return path


def _statuses(db, ids) -> list[str]:
    by_id = {s.case_id: s.status for s in case_states(db, case_ids=ids)}
    return [by_id[i] for i in ids]


def test_an_import_under_an_unknown_or_disabled_account_is_refused_in_one_line(cli_env, db, capsys):
    [case_id] = seed_cases(db, 1)
    path = _lines(cli_env / "d.jsonl", [{"case_id": case_id, "decision": "discard", "reason": "dup"}])
    assert main(["review", "import", str(path), "--reviewer", "nobody"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "No enabled reviewer account named 'nobody'" in err

    accounts(db, "ana")
    with db.transaction() as conn:
        conn.execute(review_users.update().where(review_users.c.name == "ana").values(disabled=True))
    assert main(["review", "import", str(path), "--reviewer", "ana"]) == 1
    assert "No enabled reviewer account named 'ana'" in capsys.readouterr().err
    assert db.count(review_votes) == 0 and db.count(review_decisions) == 0


def test_the_stored_policy_makes_an_import_one_vote_of_two(cli_env, db, capsys):
    ids = seed_cases(db, 2)
    accounts(db, "ana", "ben")
    assert main(["review", "policy", "--reviews-per-case", "2"]) == 0
    assert "reviews per case: 2 by default" in capsys.readouterr().out
    assert reviews_per_case(db, WEEK) == 2

    first = _lines(cli_env / "ana.jsonl", [{"case_id": ids[0], "decision": "accept", "expected_output": "Restart the router.", "tags": "wifi,router"},
                                           {"case_id": ids[1], "decision": "discard", "reason": "off topic"}])
    assert main(["review", "import", str(first), "--reviewer", "ana"]) == 0
    assert "Cases now: 2 waiting for more reviews." in capsys.readouterr().out
    assert db.count(review_decisions) == 0 and _statuses(db, ids) == ["open", "open"]
    # The same reviewer cannot vote twice by importing again.
    again = import_decisions(db, first, "ana")
    assert [reason for _, reason in again.rejected] == [f"case {i[:12]}: ana already reviewed this case: change the review in the app" for i in ids]

    second = _lines(cli_env / "ben.jsonl", [{"case_id": ids[0], "decision": "accept", "expected_output": "Restart  the router.\n", "tags": "outage,wifi"},
                                            {"case_id": ids[1], "decision": "discard", "reason": "duplicate"}])
    assert main(["review", "import", str(second), "--reviewer", "ben"]) == 0
    assert "Cases now: 1 added to the eval set, 1 discarded." in capsys.readouterr().out
    decided = latest_decisions(db)
    assert decided[ids[0]]["reviewer"] == "ana+ben" and decided[ids[0]]["expected_output"] == "Restart the router."
    # Lineage: each reviewer's vote, and who imported it from which file format.
    [details] = db.fetch_all(sa.select(review_decision_details).where(review_decision_details.c.decision_id == decided[ids[0]]["id"]))
    votes = json.loads(details["votes_json"])
    assert details["source"] == "agreement" and [v["reviewer"] for v in votes] == ["ana", "ben"]
    assert details["tags"] == "outage,router,wifi"  # agreeing reviewers' tags merged, each once
    [discarded] = db.fetch_all(sa.select(review_decision_details).where(review_decision_details.c.decision_id == decided[ids[1]]["id"]))
    assert discarded["tags"] is None
    assert votes[1]["provenance"]["imported_by"].startswith("cli:") and votes[1]["provenance"]["source"] == "import-jsonl"


def test_an_import_never_settles_a_dispute_unless_an_admin_signs_it(cli_env, db, capsys):
    ids = seed_cases(db, 2)
    accounts(db, "ana", "ben", "carl")
    accounts(db, "root", role="admin")
    set_reviews_per_case(db, 2, "test")
    import_decisions(db, _lines(cli_env / "ana.jsonl", [{"case_id": ids[0], "decision": "accept", "expected_output": "Restart the router."},
                                                       {"case_id": ids[1], "decision": "accept", "expected_output": "Restart the router."}]), "ana")
    # One accept and one discard; one accept and an accept with another answer: both disputed.
    ben = _lines(cli_env / "ben.jsonl", [{"case_id": ids[0], "decision": "discard", "reason": "not reproducible"},
                                         {"case_id": ids[1], "decision": "accept", "expected_output": "Send a technician."}])
    assert main(["review", "import", str(ben), "--reviewer", "ben"]) == 0
    captured = capsys.readouterr()
    assert "Cases now: 2 disputed (an admin resolves them)." in captured.out
    assert [line.split(": case ")[0] for line in captured.err.splitlines()] == [f"{ben}:1", f"{ben}:2"]  # per entry
    assert _statuses(db, ids) == ["disputed", "disputed"] and db.count(review_decisions) == 0
    disagreements = db.fetch_all(sa.select(review_audit.c.case_id, review_audit.c.after_json).where(review_audit.c.action == "disagreement"))
    # One audit row per disputed case, under its id, with what each side decided and whether the accepted
    # answers differ: an accept against a discard has one answer, so they do not.
    assert {row["case_id"]: json.loads(row["after_json"]) for row in disagreements} == {
        ids[0]: {"decisions": ["accept", "discard"], "expected_outputs_differ": False},
        ids[1]: {"decisions": ["accept", "accept"], "expected_outputs_differ": True},
    }

    # A third reviewer's file cannot settle either case: nothing of it is stored.
    carl = _lines(cli_env / "carl.jsonl", [{"case_id": ids[0], "decision": "accept", "expected_output": "Restart the router."}])
    assert main(["review", "import", str(carl), "--reviewer", "carl"]) == 1
    assert "this case is disputed: only an admin can resolve it" in capsys.readouterr().err
    assert db.count(review_votes) == 4 and db.count(review_decisions) == 0

    # An admin's file resolves it; the lineage keeps both reviewers' votes and names the resolver.
    resolution = _lines(cli_env / "root.jsonl", [{"case_id": ids[0], "decision": "accept", "expected_output": "Restart the router."}])
    assert main(["review", "import", str(resolution), "--reviewer", "root"]) == 0
    decided = latest_decisions(db)
    assert decided[ids[0]]["reviewer"] == "root" and decided[ids[0]]["decision"] == "accept" and ids[1] not in decided
    [details] = db.fetch_all(sa.select(review_decision_details).where(review_decision_details.c.decision_id == decided[ids[0]]["id"]))
    assert [v["reviewer"] for v in json.loads(details["votes_json"])] == ["ana", "ben"] and details["source"] == "import-jsonl"
    [audit] = db.fetch_all(sa.select(review_audit.c.after_json).where(review_audit.c.action == "resolve"))
    assert '"resolver": "root"' in audit["after_json"] and '"imported_by": "cli:' in audit["after_json"]


def test_a_naively_filled_export_imports_and_decided_cases_are_left_out_or_marked(cli_env, db, capsys):
    ids = seed_cases(db, 3)
    accounts(db, "ana", "ben")
    import_decisions(db, _lines(cli_env / "early.jsonl", [{"case_id": ids[0], "decision": "discard", "reason": "dup"}]), "ana")

    sheet = cli_env / "batch.csv"
    assert main(["review", "export", "--week", WEEK, "--out", str(sheet)]) == 0
    with open(sheet, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["case_id"] for r in rows] == ids[1:]  # the decided case is left out
    assert all(r["expected_output"] == r["output"] != "" and r["review_status"] == "open" for r in rows)
    for row in rows:  # the naive fill: only the decision column
        row["decision"] = "accept"
    with open(sheet, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert main(["review", "import", str(sheet), "--reviewer", "ben"]) == 0
    assert "imported 2 accept and 0 discard vote(s) by ben" in capsys.readouterr().out
    decided = latest_decisions(db)
    assert decided[ids[1]]["expected_output"] == "Thanks <PERSON>, I can see an outage in your area (1)."

    marked = cli_env / "all.jsonl"
    assert export_batch(db, WEEK, marked, include_decided=True) == 3
    statuses = {json.loads(line)["case_id"]: json.loads(line)["review_status"] for line in marked.read_text().splitlines()}
    assert statuses == {ids[0]: "discarded", ids[1]: "accepted", ids[2]: "accepted"}


def test_a_formula_like_model_output_comes_back_unquoted_from_the_sheet(cli_env, db):
    [case_id] = seed_cases(db, 1)
    accounts(db, "ana")
    with db.transaction() as conn:
        conn.execute(sanitised_samples.update().values(output="- restart the router\n- wait a minute"))
    sheet = cli_env / "b.csv"
    export_batch(db, WEEK, sheet)
    with open(sheet, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["expected_output"].startswith("'- restart")  # guarded against spreadsheet formulas
    rows[0]["decision"] = "accept"
    with open(sheet, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    report = import_decisions(db, sheet, "ana")
    assert report.rejected == [] and report.accepted == 1
    assert latest_decisions(db)[case_id]["expected_output"] == "- restart the router\n- wait a minute"


def test_a_week_can_have_its_own_policy(db):
    seed_cases(db, 1)
    assert reviews_per_case(db, WEEK) == 1  # nothing stored: one review
    set_reviews_per_case(db, 3, "root")
    set_reviews_per_case(db, 2, "root", WEEK)
    assert reviews_per_case(db, WEEK) == 2 and reviews_per_case(db, "2026-01-05") == 3
    with pytest.raises(Exception, match="from 1 to 5"):
        set_reviews_per_case(db, 0, "root")


def test_lowering_the_policy_with_the_cli_settles_the_waiting_cases(cli_env, db, capsys):
    ids = seed_cases(db, 2)
    accounts(db, "ana")
    assert main(["review", "policy", "--reviews-per-case", "2"]) == 0
    first = _lines(cli_env / "ana.jsonl", [{"case_id": ids[0], "decision": "accept", "expected_output": "Restart the router."}])
    assert main(["review", "import", str(first), "--reviewer", "ana"]) == 0
    capsys.readouterr()
    assert _statuses(db, ids) == ["open", "open"]
    assert main(["review", "policy", "--reviews-per-case", "1"]) == 0
    assert "cases settled by the change: 1 decided, 0 disputed" in capsys.readouterr().out
    assert _statuses(db, ids) == ["accepted", "open"]


def test_an_import_respects_the_review_slots_the_app_holds(cli_env, db, capsys):
    """A case whose slots other reviewers hold in the app (a claim younger than the TTL) or voted on is
    refused per row, never counted as an extra vote; a lapsed claim's slot goes to the importer."""
    from logmine_dagster.review.accounts import active_user
    from logmine_dagster.review.claims import CLAIM_TTL, claim
    from logmine_dagster.review.clock import utcnow
    from logmine_dagster.storage.schema import review_assignments

    ids = seed_cases(db, 3)
    accounts(db, "ana", "ben", "carl")
    set_reviews_per_case(db, 2, "test")
    import_decisions(db, _lines(cli_env / "ana.jsonl", [{"case_id": ids[0], "decision": "discard", "reason": "dup"}]), "ana")
    states = {s.case_id: s for s in case_states(db, case_ids=ids)}
    assert claim(db, states[ids[0]], active_user(db, "carl"), 2, CLAIM_TTL)  # carl opens case 0 in the app: its last slot
    for name in ("ana", "carl"):  # case 1: both slots held in the app
        assert claim(db, states[ids[1]], active_user(db, name), 2, CLAIM_TTL)

    path = _lines(cli_env / "ben.jsonl", [{"case_id": i, "decision": "discard", "reason": "off topic"} for i in ids])
    assert main(["review", "import", str(path), "--reviewer", "ben"]) == 1
    err = capsys.readouterr().err
    assert f"{path}:1: case {ids[0][:12]}: its 2 review slot(s) are taken: held in the review app by carl (until " in err
    assert f"{path}:2: case {ids[1][:12]}: its 2 review slot(s) are taken: held in the review app by ana, carl (until " in err
    assert f"{path}:3" not in err  # the free case is fine; the file as a whole is not imported
    assert db.count(review_votes) == 1

    # Two hours later carl's claim on case 0 has lapsed: ben's import takes his slot and settles the case.
    with db.transaction() as conn:
        conn.execute(review_assignments.update().where(review_assignments.c.case_id.in_(ids[:2])).values(assigned_at=utcnow() - CLAIM_TTL - dt.timedelta(minutes=1)))
    assert main(["review", "import", str(path), "--reviewer", "ben"]) == 0
    assert "Cases now: 1 discarded, 2 waiting for more reviews." in capsys.readouterr().out
    holders = {(r["case_id"], r["reviewer"]) for r in db.fetch_all(sa.select(review_assignments))}
    assert (ids[0], "ben") in holders and (ids[0], "carl") not in holders
    assert db.fetch_all(sa.select(review_audit.c.actor).where(review_audit.c.action == "claim_take_over"))


def test_with_one_review_per_case_a_decision_keeps_the_source_it_came_from(cli_env, db):
    [case_id] = seed_cases(db, 1)
    accounts(db, "ana")
    set_reviews_per_case(db, 1, "test")
    import_decisions(db, _lines(cli_env / "ana.jsonl", [{"case_id": case_id, "decision": "discard", "reason": "off topic"}]), "ana")
    decided = latest_decisions(db)[case_id]
    [details] = db.fetch_all(sa.select(review_decision_details).where(review_decision_details.c.decision_id == decided["id"]))
    assert decided["reviewer"] == "ana" and details["source"] == "import-jsonl"  # one review is no "agreement"
