"""The batch as JSONL, CSV and Label Studio tasks, and decisions back from each, under the review app's
rules; rubric notes, tags and category override flowing into labelled_cases; agreement figures.

The Label Studio annotations are written here in the format Label Studio documents for its JSON export
("Label Studio JSON format of annotated tasks"; Choices value {"choices": [...]}, TextArea value
{"text": [...]}): Label Studio itself is not installed. When `label_studio_sdk` is importable, its own
validator checks the config, the tasks and these annotations too (test_label_studio_sdk_accepts_...).
"""

from __future__ import annotations

import csv
import json

import pytest
import sqlalchemy as sa

pytest.importorskip("argon2")

from logmine_dagster.cli import main  # noqa: E402
from logmine_dagster.review.agreement import cohen_kappa, krippendorff_alpha_nominal  # noqa: E402
from logmine_dagster.review.label_studio import CONFIG_PATH, label_config  # noqa: E402
from logmine_dagster.review.decision_files import UnreadableFile  # noqa: E402
from logmine_dagster.review.interchange import export_batch, import_decisions  # noqa: E402
from logmine_dagster.review.labelled import build_labelled_cases  # noqa: E402
from logmine_dagster.storage.schema import (  # noqa: E402
    labelled_cases,
    review_audit,
    review_decision_details,
    review_decisions,
    review_pii_flags,
    sanitised_samples,
)
from logmine_dagster_tests.review_app.test_review_app_http import WEEK, seed_cases  # noqa: E402
from logmine_dagster_tests.review_app.test_review_app_http import accounts as _accounts  # noqa: E402


@pytest.fixture(autouse=True)
def reviewer_accounts(db):
    """The accounts these files' decisions are imported under (an import needs an existing account)."""
    _accounts(db, "ana", "ben", "ls", "ls-team")


def ls_annotation(annotation_id, completed_by, decision, *, expected=None, reason=None, notes=None, tags=None, category=None,
                  cancelled=False, updated_at="2026-03-09T10:00:00.000000Z", task=1):
    """One annotation as Label Studio's JSON export writes it for logmine's labelling config."""
    def region(name, kind, value):
        return {"id": f"{annotation_id}-{name}", "from_name": name, "to_name": "model_output", "type": kind, "value": value, "origin": "manual"}

    result = []
    if decision is not None:
        result.append(region("decision", "choices", {"choices": [decision]}))
    for name, text in (("expected_output", expected), ("discard_reason", reason), ("rubric_notes", notes), ("tags", tags)):
        if text is not None:
            result.append(region(name, "textarea", {"text": text if isinstance(text, list) else [text]}))
    if category is not None:
        result.append(region("category_override", "choices", {"choices": [category]}))
    return {
        "id": annotation_id, "completed_by": completed_by, "result": result, "was_cancelled": cancelled, "ground_truth": False,
        "created_at": "2026-03-09T09:00:00.000000Z", "updated_at": updated_at, "lead_time": 42.5, "task": task,
        "result_count": 0, "prediction": {}, "last_action": None,
    }


def ls_export(tasks: list[dict], annotations: dict[str, list[dict]]) -> list[dict]:
    """Label Studio's JSON export of a project that imported `tasks`: ids, data, annotations, predictions."""
    exported = []
    for number, task in enumerate(tasks, start=1):
        case_id = task["data"]["case_id"]
        exported.append({
            "id": number, "data": task["data"], "annotations": annotations.get(case_id, []), "predictions": task.get("predictions", []),
            "meta": {}, "created_at": "2026-03-09T08:00:00.000000Z", "updated_at": "2026-03-09T10:00:00.000000Z",
            "inner_id": number, "total_annotations": len(annotations.get(case_id, [])), "cancelled_annotations": 0,
            "total_predictions": 1, "comment_count": 0, "unresolved_comment_count": 0, "last_comment_updated_at": None,
            "project": 7, "updated_by": 3, "file_upload": "tasks.json", "comment_authors": [],
        })
    return exported


def write_json(path, value):
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


def test_label_studio_round_trip_into_labelled_cases(db, tmp_path):
    ids = seed_cases(db, 5)
    tasks_path = tmp_path / "tasks.json"
    assert export_batch(db, WEEK, tasks_path, "label-studio") == 5
    tasks = json.loads(tasks_path.read_text())
    assert [t["data"]["case_id"] for t in tasks] == ids  # queue order
    first = tasks[0]
    assert set(first["data"]) == {"case_id", "week", "day", "category", "reasons", "model", "conversation", "model_output"}
    assert first["data"]["reasons"] == "low_confidence, thumbs_down"
    assert "USER: Hi, I'm <PERSON>, my router keeps dropping (0)." in first["data"]["conversation"]
    assert 'ASSISTANT calls lookup_customer({"account_id": "<ACCOUNT_ID>"})' in first["data"]["conversation"]
    assert first["data"]["conversation"].startswith("SYSTEM: You are the support assistant")
    [prediction] = first["predictions"]
    assert prediction["result"][0]["value"] == {"text": [first["data"]["model_output"]]}

    annotations = {
        ids[0]: [ls_annotation(11, 3, "add", expected=["Sorry <PERSON>,", "a technician comes tomorrow."], notes="Must apologise first.",
                               tags="Outage, apology", category="edge_case")],
        ids[1]: [ls_annotation(12, 3, "discard", reason="near-duplicate of last week's case")],
        ids[2]: [ls_annotation(13, 3, "add", expected="never submitted", cancelled=True)],  # skipped in Label Studio
        ids[3]: [ls_annotation(14, 3, "add", expected="Older text.", updated_at="2026-03-09T10:00:00Z"),
                 ls_annotation(15, {"id": 4, "email": "reviewer@example.org"}, "add", expected="Newer text.", updated_at="2026-03-09T11:00:00Z")],
    }
    export_path = write_json(tmp_path / "project-7-at-2026-03-09.json", ls_export(tasks, annotations))
    report = import_decisions(db, export_path, "ls-team")
    assert report.format == "label-studio" and report.rejected == []
    assert (report.accepted, report.discarded, report.undecided) == (2, 1, 2)

    labelled = {r["case_id"]: r for r in build_labelled_cases(db)}
    assert set(labelled) == {ids[0], ids[1], ids[3]}
    added = labelled[ids[0]]
    assert added["expected_output"] == "Sorry <PERSON>,\na technician comes tomorrow."
    assert added["rubric_notes"] == "Must apologise first." and added["tags"] == "apology,outage"
    assert added["category"] == "edge_case" and added["reviewer"] == "ls-team"
    assert labelled[ids[1]]["discard_reason"] == "near-duplicate of last week's case" and labelled[ids[1]]["tags"] is None
    assert labelled[ids[3]]["expected_output"] == "Newer text."  # both annotators chose add; the newest text wins
    stored = {r["case_id"]: r for r in db.fetch_all(sa.select(labelled_cases))}
    assert stored[ids[0]]["rubric_notes"] == "Must apologise first." and stored[ids[0]]["tags"] == "apology,outage"

    # Provenance: Label Studio's task, annotation and annotator ids; never the annotator's e-mail.
    details = db.fetch_all(sa.select(review_decision_details))
    assert {d["source"] for d in details} == {"import-label-studio"}
    both = next(json.loads(d["votes_json"]) for d in details if "Newer" in d["votes_json"] or '"id": 15' in d["votes_json"])
    assert both[0]["provenance"]["annotations"] == [{"id": 14, "completed_by": 3, "decision": "accept"}, {"id": 15, "completed_by": 4, "decision": "accept"}]
    assert "example.org" not in json.dumps([dict(d) for d in details])
    assert [r["action"] for r in db.fetch_all(sa.select(review_audit.c.action))].count("outcome") == 3

    # The same export again: every decided case is refused as decided twice, nothing changes.
    again = import_decisions(db, export_path, "ls-team")
    assert len(again.rejected) == 3 and all("already decided" in reason for _, reason in again.rejected)
    assert db.count(review_decisions) == 3


def test_label_studio_import_rejects_bad_input_per_task_and_stores_nothing(db, tmp_path):
    ids = seed_cases(db, 8)
    tasks_path = tmp_path / "tasks.json"
    export_batch(db, WEEK, tasks_path, "label-studio")
    tasks = json.loads(tasks_path.read_text())
    # One case decided earlier (in the app or an import): deciding it again is refused.
    import_decisions(db, write_json(tmp_path / "earlier.json", ls_export(tasks[:1], {ids[0]: [ls_annotation(1, 3, "discard", reason="dup")]})), "ana")
    assert db.count(review_decisions) == 1

    unknown = {"data": dict(tasks[1]["data"], case_id="no-such-case"), "annotations": [ls_annotation(2, 3, "discard", reason="x")]}
    annotations = {
        ids[0]: [ls_annotation(3, 3, "add", expected="Decided twice.")],
        ids[1]: [ls_annotation(4, 3, "add", expected="   ")],
        ids[2]: [ls_annotation(5, 3, "add", expected="A"), ls_annotation(6, 5, "discard", reason="no")],
        ids[3]: [{"id": 7, "completed_by": 3, "result": [{"from_name": "expected_output", "to_name": "model_output", "type": "textarea",
                                                          "value": {"text": "not a list"}}]}],
        ids[4]: [ls_annotation(8, 3, "keep", expected="x")],
        ids[5]: [ls_annotation(9, 3, "add", expected="Fine.", tags="not a tag!")],
        ids[6]: [ls_annotation(10, 3, None, expected="no decision chosen")],
        ids[7]: [ls_annotation(11, 3, "discard", reason="ok")],
    }
    exported = ls_export(tasks, annotations)
    exported.append(exported[-1])  # the same task twice in one file
    exported.append(unknown)
    exported.append("not a task")
    exported.append({"id": 99, "case_id": ids[7], "decision": "add", "expected_output": "x"})  # Label Studio's JSON-MIN
    report = import_decisions(db, write_json(tmp_path / "bad.json", exported), "ls-team")
    errors = dict(report.rejected)
    assert "already decided (discard by ana)" in errors[1]
    assert "needs a non-empty expected_output" in errors[2]
    assert "annotators disagree (accept, discard)" in errors[3]
    assert "'expected_output' must be a text area" in errors[4]
    assert "unknown decision 'keep'" in errors[5]
    assert "Tags must be" in errors[6]
    assert "an annotation has no decision" in errors[7]
    assert 8 not in errors and "decided twice in this file (first at 8)" in errors[9]
    assert "is not in any review batch" in errors[10]
    assert errors[11] == "task is not a JSON object"
    assert "JSON-MIN export" in errors[12]
    assert db.count(review_decisions) == 1  # all or nothing

    for content, message in (
        (b"{not json", "malformed JSON"),
        (b'{"tasks": []}', "a Label Studio JSON export is a list of tasks"),
        (b"\xff\xfe", "not valid UTF-8"),
    ):
        with pytest.raises(UnreadableFile, match=message):
            import_decisions(db, tmp_path / "x.json", "ls-team", "label-studio", raw=content)
    assert db.count(review_decisions) == 1


def test_a_case_flagged_for_pii_cannot_be_imported(db, tmp_path):
    ids = seed_cases(db, 2)
    tasks_path = tmp_path / "tasks.json"
    export_batch(db, WEEK, tasks_path, "label-studio")
    tasks = json.loads(tasks_path.read_text())
    from logmine_dagster.review.clock import utcnow

    with db.transaction() as conn:
        conn.execute(review_pii_flags.insert().values(case_id=ids[0], week=WEEK, day=WEEK, kind="email address", reviewer="ana", flagged_at=utcnow()))
    report = import_decisions(db, write_json(tmp_path / "e.json", ls_export(tasks, {ids[0]: [ls_annotation(1, 3, "add", expected="x")]})), "ls")
    assert "flagged for PII" in report.rejected[0][1] and db.count(review_decisions) == 0


def test_csv_and_jsonl_carry_rubric_notes_tags_and_category_override(db, tmp_path):
    ids = seed_cases(db, 4)
    with db.transaction() as conn:  # sanitised text that a spreadsheet would run as a formula
        conn.execute(sanitised_samples.update().where(sanitised_samples.c.case_id == ids[3]).values(output='=HYPERLINK("http://x")'))
    sheet = tmp_path / "batch.csv"
    assert export_batch(db, WEEK, sheet) == 4  # format from the name
    with open(sheet, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["case_id"] for r in rows] == ids and rows[0]["decision"] == "" and "USER: Hi" in rows[0]["conversation"]
    assert rows[3]["output"] == "'=HYPERLINK(\"http://x\")"
    assert {"rubric_notes", "tags", "category_override"} <= set(rows[0])
    rows[0].update(decision="accept", expected_output="Line one\nline two, with \"quotes\"", rubric_notes="Cites the outage.", tags="outage,network",
                   category_override="drift")
    rows[1].update(decision="discard", reason="off topic")
    with open(sheet, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows[:2])
    report = import_decisions(db, sheet, "ana")
    assert (report.format, report.accepted, report.discarded, report.rejected) == ("csv", 1, 1, [])

    lines_path = tmp_path / "batch.jsonl"
    export_batch(db, WEEK, lines_path)
    lines = [json.loads(line) for line in lines_path.read_text().splitlines()]
    assert all(line["rubric_notes"] is None and line["tags"] is None and line["category_override"] is None for line in lines)
    pending = [line for line in lines if line["case_id"] in ids[2:]]
    pending[0].update(decision="accept", expected_output="From JSONL.", tags=["billing", "Refund"], rubric_notes="Offer a refund.")
    lines_path.write_text("\n".join(json.dumps(line) for line in pending) + "\n")
    assert import_decisions(db, lines_path, "ben").accepted == 1

    labelled = {r["case_id"]: r for r in build_labelled_cases(db)}
    assert labelled[ids[0]]["expected_output"] == 'Line one\nline two, with "quotes"'
    assert (labelled[ids[0]]["rubric_notes"], labelled[ids[0]]["tags"], labelled[ids[0]]["category"]) == ("Cites the outage.", "network,outage", "drift")
    assert labelled[ids[1]]["decision"] == "discard" and labelled[ids[1]]["discard_reason"] == "off topic"
    assert (labelled[ids[2]]["tags"], labelled[ids[2]]["rubric_notes"], labelled[ids[2]]["reviewer"]) == ("billing,refund", "Offer a refund.", "ben")


def test_csv_import_bad_input(db, tmp_path):
    ids = seed_cases(db, 2)
    sheet = tmp_path / "bad.csv"
    sheet.write_text("case_id,decision,expected_output,reason,category_override\n"
                     f"{ids[0]},accept,,,\n"
                     f"{ids[1]},discard,,because,\n"
                     f"{ids[1]},discard,,again,\n"
                     "nope,maybe,,,\n", encoding="utf-8")
    report = import_decisions(db, sheet, "ana")
    errors = dict(report.rejected)
    assert "needs a non-empty expected_output" in errors[2]
    assert 3 not in errors and "decided twice in this file (first at 3)" in errors[4]
    assert "decision must be" in errors[5]
    assert db.count(review_decisions) == 0
    (tmp_path / "noheader.csv").write_text("id,choice\nx,y\n", encoding="utf-8")
    with pytest.raises(UnreadableFile, match="lacks column"):
        import_decisions(db, tmp_path / "noheader.csv", "ana")


def test_cli_exports_label_studio_tasks_and_imports_the_annotations(cli_env, db, capsys):
    ids = seed_cases(db, 2)
    tasks_path = cli_env / "week.json"
    assert main(["review", "export", "--week", "2026-W10", "--out", str(tasks_path)]) == 0
    out = capsys.readouterr().out
    assert "exported 2 case(s)" in out and "(label-studio)" in out and str(CONFIG_PATH) in out
    tasks = json.loads(tasks_path.read_text())

    bad = write_json(cli_env / "bad.json", ls_export(tasks, {ids[0]: [ls_annotation(1, 3, "add", expected="")]}))
    assert main(["review", "import", str(bad), "--reviewer", "ana"]) == 1
    err = capsys.readouterr().err
    assert f"{bad}: task #1: an accepted case needs a non-empty expected_output" in err and "nothing imported" in err
    (cli_env / "broken.json").write_text("[{", encoding="utf-8")
    assert main(["review", "import", str(cli_env / "broken.json"), "--reviewer", "ana"]) == 1
    assert "malformed JSON" in capsys.readouterr().err

    good = write_json(cli_env / "good.json", ls_export(tasks, {ids[0]: [ls_annotation(1, 3, "add", expected="Fixed.", tags="x1")],
                                                        ids[1]: [ls_annotation(2, 3, "discard", reason="dup")]}))
    assert main(["review", "import", str(good), "--format", "label-studio", "--reviewer", "ana"]) == 0
    assert "imported 1 accept and 1 discard vote(s) by ana; 0 left undecided. Cases now: 1 added to the eval set, 1 discarded." in capsys.readouterr().out
    assert {r["case_id"]: r["tags"] for r in build_labelled_cases(db)} == {ids[0]: "x1", ids[1]: None}


def test_label_studio_config_names_every_control_the_import_reads():
    import xml.etree.ElementTree as ET

    from logmine_dagster.curation.categorise import CATEGORIES
    from logmine_dagster.review.label_studio import CHOICE_CONTROLS, DECISION_CHOICES, TEXT_CONTROLS

    root = ET.fromstring(label_config())
    controls = {el.get("name"): el for el in root.iter() if el.tag in ("Choices", "TextArea")}
    assert set(controls) == set(TEXT_CONTROLS) | set(CHOICE_CONTROLS)
    assert all(el.get("toName") == "model_output" for el in controls.values())
    assert {c.get("value") for c in controls["decision"]} == set(DECISION_CHOICES)
    assert {c.get("value") for c in controls["category_override"]} == set(CATEGORIES)
    variables = {el.get("value") for el in root.iter("Text")}
    assert variables == {"$reasons", "$conversation", "$model_output"}


def test_label_studio_sdk_accepts_the_config_tasks_and_annotations(db, tmp_path):
    """Label Studio's own validator (label_studio_sdk.label_interface), when it is importable."""
    sdk = pytest.importorskip("label_studio_sdk.label_interface")
    ids = seed_cases(db, 2)
    interface = sdk.LabelInterface(label_config())
    interface.validate()
    tasks_path = tmp_path / "tasks.json"
    export_batch(db, WEEK, tasks_path, "label-studio")
    tasks = json.loads(tasks_path.read_text())
    for task in tasks:
        for obj in interface.objects:
            assert task["data"].get(obj.value_name) is not None, obj.value_name
        for prediction in task["predictions"]:
            assert interface.validate_prediction(prediction, return_errors=True) == []
    annotation = ls_annotation(1, 3, "add", expected="x", reason="r", notes="n", tags="t", category="drift")
    assert interface._validate_object(annotation, return_errors=True) == []
    assert interface._validate_object(ls_annotation(2, 3, "keep"), return_errors=True) != []  # the validator does reject


def test_krippendorff_alpha_nominal_matches_the_published_example():
    # Krippendorff's reliability data example (4 coders, 12 units, missing values): nominal alpha = 0.743.
    coders = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    ]
    units = [[str(v) for v in unit if v is not None] for unit in zip(*coders)]
    assert krippendorff_alpha_nominal(units) == pytest.approx(0.743, abs=5e-4)
    assert krippendorff_alpha_nominal([]) is None
    assert krippendorff_alpha_nominal([["a"], ["b"]]) is None  # no unit with two labels
    assert krippendorff_alpha_nominal([["a", "a"], ["a", "a"]]) is None  # a single label: undefined
    assert krippendorff_alpha_nominal([["a", "a"], ["b", "b"]]) == pytest.approx(1.0)
    # Two raters, by hand: coincidences a-a 4, b-b 4, a-b 2, b-a 2 -> n_a = n_b = 6, n = 12;
    # alpha = 1 - (n - 1) * 4 / (2 * 6 * 6) = 0.389 (kappa, which does not pool the raters, is 0.333).
    first, second = ["a", "a", "b", "a", "b", "b"], ["a", "b", "b", "a", "b", "a"]
    alpha = krippendorff_alpha_nominal([list(pair) for pair in zip(first, second)])
    assert alpha == pytest.approx(1 - 11 * 4 / 72)
    assert cohen_kappa(first, second) == pytest.approx(1 / 3)

    krippendorff = pytest.importorskip("krippendorff")
    import numpy as np

    codes = {"a": 0, "b": 1}
    data = np.array([[codes[v] for v in first], [codes[v] for v in second]], dtype=float)
    assert alpha == pytest.approx(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
