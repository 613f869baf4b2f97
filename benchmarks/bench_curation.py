"""Quality and speed of curation; prints JSON lines, the last one the summary.

    python benchmarks/bench_curation.py [--adv-dev ../shared/adversarial/adv_dev.jsonl] [--week-size 50000] [--history-weeks 4] [--adversarial-only] [--support-only] [--week-only]

- adversarial precision/recall (summary): what categorise decides (pattern families OR the trained
  model) on the "holdout" half of adv_dev.jsonl, which the model never trained on (its "train"
  half is a training set: curation/adversarial_training.dev_half). The first line breaks it down
  per detector (families, model alone, either), per attack type and source, for both halves,
  plus false alarms on generator traffic the model did not see. The
  families alone on all 600 rows stay in the detail line (`adv_dev_patterns_only_all_rows`). The
  detail line adds attack kinds that file lacks (indirect injection in tool results, data
  exfiltration, obfuscated injections) with benign look-alikes, from benchmarks/data/: a
  development set and a held-out set written after the patterns were frozen.
- edge_case, drift, happy_path precision/recall: a labelled set of conversation-style cases built
  from the generator (logmine_dagster/curation/labelled_set.py says how the labels are made),
  categorised with the generator's early days as drift baseline and novelty reference. Drift
  cases are topic drift with the metadata masked (only the text tells), injected new models and
  injected new tools; the detail line gives recall per kind, the text-novelty recall on topics
  (all views of intent; `request_only_*`: the opening request alone),
  its false-positive rate on edge and happy cases, and on the same cases with one typo.
- support_set: the labelled real-style support conversations of benchmarks/data/support_set.jsonl
  (README beside it), on the tuning part and the held-out third: categories, edge signals with
  the feedback fields empty, each conversation reason, `adversarial:pressure`, and the share of
  paraphrased repeats and of new topics that drift flags (`--support-only` prints just these;
  `drift_*` with every view of intent, `request_only_*` the opening request alone, as before).
- dup_collapse_rate: planted near-duplicates (case, spacing, punctuation, numbers, placeholders, a
  typo, a dropped or added word) of distinct texts that land in their original's cluster, counted
  over the DISTINCT ones only: a variant whose normalised text (near_duplicates.normalise: case,
  digits, placeholders, punctuation folded) equals its original's is an exact duplicate to the index
  and proves nothing about near-duplicate matching. The detail line gives that share
  (`dup_identical_after_normalise_share`) and the rate on those (`dup_collapse_rate_identical`).
  distinct_merged_rate: distinct texts (no two with character-5-gram Jaccard >= 0.5, measured
  exactly) that end up in another distinct text's cluster.
- seconds_50k: categorise_day over a day of `--week-size` stored samples (SQLite), with
  `--history-weeks` earlier weeks of the same size stored before it (their candidates are the
  near-duplicate and novelty references), then the batch plan over its candidates (a day this big
  categorises on worker processes beside the caller, curation/parallel_categorise.py). The timed day holds DISTINCT samples only (no two with the same dedup key,
  drawn from more generated days until `--week-size` are found), so no exact-duplicate shortcut
  flatters it; `seconds_50k_generator_day` times the generator's own day as it comes, whose
  `week_duplicate_share` (samples whose dedup key an earlier sample of the day had) is in the
  detail line. Wall seconds: with workers the caller's CPU is not the day's time. On a shared machine
  wall time also measures the neighbours: the detail line has the CPU seconds of the caller and of the
  workers, and the 1-minute load average at the end of the day, to judge it by. The earlier weeks'
  candidates carry the MinHash signature the curate stage stores with each candidate, so the timed day
  reads them as production does; `rows_sha256` is a digest of the day's candidate rows (the stored
  signature left out), to check that two versions of the code give the same rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import dataclasses
import json
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from logmine_dagster.review.batching import plan_batch  # noqa: E402
from logmine_dagster.curation.categorise import CATEGORIES, categorise  # noqa: E402
from logmine_dagster.curation import labelled_set  # noqa: E402
from logmine_dagster.curation.adversarial import adversarial_reasons, detect  # noqa: E402
from logmine_dagster.curation.adversarial_model import model_flags  # noqa: E402
from logmine_dagster.curation.adversarial_training import dev_half  # noqa: E402
from logmine_dagster.curation.near_duplicates import SHINGLE, NearDuplicateIndex, normalise  # noqa: E402
from logmine_dagster.curation.adversarial import user_messages  # noqa: E402
from logmine_dagster.curation.intent_views import IntentIndex, views_of  # noqa: E402
from logmine_dagster.curation.novelty import NoveltyIndex, intent_text  # noqa: E402
from logmine_dagster.generator import vocab  # noqa: E402
from logmine_dagster.ingest.records import user_text  # noqa: E402

DEFAULT_ADV_DEV = next((base / "shared" / "adversarial" / "adv_dev.jsonl" for base in (ROOT.parent, ROOT.parent.parent)
                        if (base / "shared" / "adversarial" / "adv_dev.jsonl").exists()), ROOT.parent / "shared" / "adversarial" / "adv_dev.jsonl")


def _pr(pairs: list[tuple[bool, bool]]) -> dict:
    tp = sum(1 for truth, pred in pairs if truth and pred)
    fp = sum(1 for truth, pred in pairs if pred and not truth)
    fn = sum(1 for truth, pred in pairs if truth and not pred)
    return {"precision": round(tp / (tp + fp), 4) if tp + fp else 0.0, "recall": round(tp / (tp + fn), 4) if tp + fn else 0.0}


def adversarial_quality(path: Path) -> tuple[dict, dict]:
    rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    pairs, by_type, truncated = [], Counter(), []
    totals = Counter()
    for row in rows:
        truth = row["label"] == "adversarial"
        predicted = detect(row["text"]).adversarial
        pairs.append((truth, predicted))
        totals[row["attack_type"] or ("benign_trigger_words" if "PIGuard" in row["source"] else "benign")] += 1
        if truth and predicted:
            by_type[row["attack_type"]] += 1
        if not truth and predicted:
            by_type["false_positive:" + ("benign_trigger_words" if "PIGuard" in row["source"] else "benign")] += 1
        # Length check: the same texts cut to 200 characters (the benign median is ~90).
        truncated.append((truth, detect(row["text"][:200]).adversarial))
    detail = {
        "adv_dev_rows": len(rows),
        "recall_by_attack_type": {k: round(by_type[k] / totals[k], 4) for k in totals if k and not k.startswith("benign")},
        "false_positive_rate": {k: round(by_type["false_positive:" + k] / totals[k], 4) for k in ("benign", "benign_trigger_words")},
        "cut_to_200_chars": _pr(truncated),
    }
    return _pr(pairs), detail


def _short_source(source: str) -> str:
    return source.split("@")[0]


def adversarial_model_quality(path: Path) -> dict:
    """adv_dev.jsonl per detector: the pattern families, the trained model alone, and either (what
    categorise used before pasted blocks were split off) and `categorise_with_parts` (the user's
    words and each pasted block judged apart, curation/indirect.py); recall per attack type and per source, false-alarm rate per benign source.
    The model trains on the "train" half of this file (adversarial_training.dev_half): the
    "holdout" half is the honest number, the "train" half is shown to see the gap."""
    rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    return {half: _detector_report([row for row in rows if dev_half(row) == half]) for half in ("holdout", "train")}


def _detector_report(rows: list[dict]) -> dict:
    decisions = {"patterns": [], "model": [], "patterns_or_model": [], "categorise_with_parts": []}
    for row in rows:
        pattern = detect(row["text"]).adversarial
        model = model_flags(row["text"])[0]
        # As categorise sees a one-message record: pasted blocks split off and judged as content.
        record = {"input": [{"role": "user", "content": row["text"]}]}
        parts = bool(adversarial_reasons(row["text"], record))
        for name, value in (("patterns", pattern), ("model", model), ("patterns_or_model", pattern or model),
                            ("categorise_with_parts", parts)):
            decisions[name].append(value)
    report = {}
    for name, predicted in decisions.items():
        hits, totals = Counter(), Counter()
        for row, flagged in zip(rows, predicted):
            keys = ([f"recall:{row['attack_type']}", f"recall:{_short_source(row['source'])}"] if row["label"] == "adversarial"
                    else [f"false_positive_rate:{_short_source(row['source'])}"])
            for key in keys:
                totals[key] += 1
                hits[key] += int(flagged)
        overall = _pr([(row["label"] == "adversarial", flagged) for row, flagged in zip(rows, predicted)])
        report[name] = {**overall, **{key: round(hits[key] / totals[key], 4) for key in sorted(totals)}}
    return {"rows": len(rows), **report}


def generator_false_alarms(seed: int = 2, day: dt.date = dt.date(2026, 3, 2), size: int = 3000) -> dict:
    """The generator's benign requests (a seed and day the model was not trained on) through
    adversarial_reasons with their records, patterns alone and with the model; its own attacks' recall."""
    from logmine_dagster.generator.traffic import day_requests

    counts = Counter()
    for request in day_requests(seed, day, size, drift_active=True):
        record = json.loads(request.line)
        text = user_text(record)
        with_model = bool(adversarial_reasons(text, record))
        patterns = bool(adversarial_reasons(text, record, model=False))
        kind = "attack" if request.adversarial else "benign"
        counts[kind] += 1
        counts[f"{kind}:patterns"] += int(patterns)
        counts[f"{kind}:patterns_or_model"] += int(with_model)
    return {"generator_requests": size, "generator_benign": counts["benign"],
            **{f"generator_false_positive_rate:{name}": round(counts[f"benign:{name}"] / counts["benign"], 4) for name in ("patterns", "patterns_or_model")},
            **{f"generator_attack_recall:{name}": round(counts[f"attack:{name}"] / counts["attack"], 4) if counts["attack"] else None
               for name in ("patterns", "patterns_or_model")}}


EXTRA_SETS = {
    # Written for logmine while extending the patterns and the de-obfuscation: a development set.
    "extra_dev": ROOT / "benchmarks" / "data" / "adv_extra.jsonl",
    # Written after the patterns were frozen and not used to change them since: held out.
    "extra_holdout": ROOT / "benchmarks" / "data" / "adv_extra_holdout.jsonl",
}
_TEXT_ONLY = {"status": "ok", "escalated": False, "feedback": None, "sample_reasons": "base_rate", "metadata": {}, "model": None}


def extra_quality(path: Path) -> dict:
    """Attack kinds adv_dev.jsonl lacks (indirect injection in tool results, data exfiltration,
    obfuscated injections) with benign look-alikes, through the full categoriser."""
    pairs, by_kind, totals = [], Counter(), Counter()
    for line in open(path, encoding="utf-8"):
        row = json.loads(line)
        messages = [{"role": "user", "content": row["text"]}]
        if row.get("tool_result") is not None:
            call = {"id": "c1", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}
            messages += [{"role": "assistant", "content": None, "tool_calls": [call]},
                         {"role": "tool", "tool_call_id": "c1", "content": json.dumps(row["tool_result"])}]
        predicted = categorise(dict(_TEXT_ONLY, input=messages), row["text"]).category == "adversarial"
        truth = row["label"] == "adversarial"
        pairs.append((truth, predicted))
        key = row["kind"] if truth else "benign_" + row["kind"]
        totals[key] += 1
        by_kind[key] += int(predicted == truth)
    return {**_pr(pairs), "rows": len(pairs), "correct_by_kind": {k: round(by_kind[k] / totals[k], 4) for k in sorted(totals)}}


INDIRECT_SET = ROOT / "benchmarks" / "data" / "adv_indirect.jsonl"


def indirect_quality(path: Path = INDIRECT_SET) -> dict:
    """Instructions planted in tool results, pasted e-mails/code/quotes and the middle of long
    documents, with benign look-alikes (benchmarks/data/README.md), through adversarial_reasons
    with their records; per split ("dev" tuned on, "holdout" not): precision/recall of being
    flagged, the share of attacks whose `adversarial:indirect:<source>` names the right source,
    and recall per kind."""
    report = {}
    rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    for split in ("dev", "holdout"):
        chosen = [row for row in rows if row["split"] == split]
        pairs, right_source, hits, totals = [], 0, Counter(), Counter()
        for row in chosen:
            record = {"input": row["input"]}
            reasons = adversarial_reasons(user_text(record), record)
            truth = row["label"] == "adversarial"
            pairs.append((truth, bool(reasons)))
            key = row["kind"]
            totals[key] += 1
            hits[key] += int(bool(reasons) == truth)
            right_source += int(truth and f"adversarial:indirect:{row['source']}" in reasons)
        attacks = sum(1 for row in chosen if row["label"] == "adversarial")
        report[split] = {**_pr(pairs), "rows": len(chosen), "right_source_rate": round(right_source / attacks, 4) if attacks else None,
                         "correct_by_kind": {k: round(hits[k] / totals[k], 4) for k in sorted(totals)}}
    return report


def category_quality() -> tuple[dict, dict]:
    built = labelled_set.build_set()
    # As categorise_day compares: each conversation's opening request and what the agent did (intent_views).
    novelty = IntentIndex([views_of(record) for record in built.reference_records])
    texts = [user_text(case.record) for case in built.cases]
    scores = novelty.score([views_of(case.record) for case in built.cases])
    request_only = NoveltyIndex([intent_text(text.split("\n")) for text in built.reference_texts]).score(
        [intent_text(user_messages(case.record)) for case in built.cases])
    results = []
    for case, text, score in zip(built.cases, texts, scores):
        result = categorise(labelled_set.as_candidate(case.record), text, built.baseline, score)
        results.append((case.label, result.category))
    quality = {category: _pr([(truth == category, predicted == category) for truth, predicted in results]) for category in CATEGORIES}
    drift_by_kind = {}
    for kind in labelled_set.DRIFT_KINDS:
        pairs = [(t, p) for case, (t, p) in zip(built.cases, results) if case.kind == kind]
        drift_by_kind[kind] = round(sum(1 for _, p in pairs if p == "drift") / len(pairs), 4) if pairs else None
    # Text drift alone (no model or tool values to go by): novelty on the topic cases vs everything else not drift.
    topic = [s.novel for case, s in zip(built.cases, scores) if case.kind == "topic"]
    others = [s.novel for case, s in zip(built.cases, scores) if case.label in ("edge_case", "happy_path")]
    # One typo in a case that repeats the past must not look like a new topic.
    rng = random.Random(9)
    typo_scores = novelty.score([_typo_views(case.record, rng) for case in built.cases if case.label in ("edge_case", "happy_path")])
    detail = {
        "labelled_set_cases": len(built.cases),
        "labelled_set_by_label": dict(Counter(t for t, _ in results)),
        "labelled_set_drift_by_kind": dict(Counter(case.kind for case in built.cases if case.kind)),
        "drift_recall_by_kind": drift_by_kind,
        "novelty_reference_texts": novelty.size,
        "novel_text_recall_topic": round(sum(topic) / len(topic), 4) if topic else None,
        "request_only_recall_topic": _share([s.novel for case, s in zip(built.cases, request_only) if case.kind == "topic"]),
        "request_only_false_positive_rate": _share([s.novel for case, s in zip(built.cases, request_only) if case.label in ("edge_case", "happy_path")]),
        "novel_text_false_positive_rate": round(sum(others) / len(others), 4) if others else None,
        "novel_text_false_positive_rate_one_typo": round(sum(s.novel for s in typo_scores) / len(typo_scores), 4) if typo_scores else None,
    }
    return quality, detail


SUPPORT_SET = ROOT / "benchmarks" / "data" / "support_set.jsonl"
SUPPORT_REASONS = ("policy_refusal", "asks_exception", "asks_human", "tool_failure", "unresolved", "repeated_request")


def support_set_quality(path: Path = SUPPORT_SET) -> dict:
    """The labelled real-style conversations (benchmarks/data/README.md), per split: categories,
    edge signals (any `edge:` reason, whatever the precedence; feedback, escalation and status
    fields empty), each reason, `adversarial:pressure`, and drift on paraphrased repeats and new
    topics (novelty against the set's reference conversations, as categorise_day compares: the
    opening request, tools and replies, curation/intent_views.py; `request_only` is the opening
    request alone, `joined_turns` all user turns joined, what it compared before)."""
    rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    reference = [row["record"] for row in rows if row["role"] == "reference"]
    by_intent = NoveltyIndex([intent_text(user_messages(record)) for record in reference])
    by_views = IntentIndex([views_of(record) for record in reference])
    by_joined = NoveltyIndex([user_text(record) for record in reference])
    report = {}
    for split in ("tuning", "held_out"):
        cases = [row for row in rows if row["role"] == "case" and row["split"] == split]
        records = [dict(row["record"], feedback=None, escalated=False, status="ok", sample_reasons="base_rate") for row in cases]
        novelty = by_views.score([views_of(record) for record in records])
        request_only = by_intent.score([intent_text(user_messages(record)) for record in records])
        joined = by_joined.score([user_text(record) for record in records])
        results = [categorise(record, user_text(record), None, score) for record, score in zip(records, novelty)]
        truth = ["adversarial" if "pressure" in row["edge_reasons"] else row["label"] for row in cases]
        reasons = [set(result.reasons) for result in results]
        flagged = lambda kind, scores: round(sum(s.novel for row, s in zip(cases, scores) if row["drift_kind"] == kind)  # noqa: E731
                                               / max(1, sum(row["drift_kind"] == kind for row in cases)), 4)
        report[split] = {
            "cases": len(cases),
            "categories": {c: _pr([(t == c, r.category == c) for t, r in zip(truth, results)]) for c in CATEGORIES},
            "edge_signals": _pr([(bool(row["edge_reasons"]), any(r.startswith("edge:") or r == "adversarial:pressure" for r in got))
                                 for row, got in zip(cases, reasons)]),
            "by_reason": {name: _pr([(name in row["edge_reasons"], f"edge:{name}" in got) for row, got in zip(cases, reasons)])
                          for name in SUPPORT_REASONS},
            "pressure": _pr([("pressure" in row["edge_reasons"], "adversarial:pressure" in got) for row, got in zip(cases, reasons)]),
            "drift_paraphrase_flagged": flagged("paraphrase", novelty),
            "drift_new_topic_flagged": flagged("new_topic", novelty),
            "request_only_paraphrase_flagged": flagged("paraphrase", request_only),
            "request_only_new_topic_flagged": flagged("new_topic", request_only),
            "joined_turns_paraphrase_flagged": flagged("paraphrase", joined),
            "joined_turns_new_topic_flagged": flagged("new_topic", joined),
        }
    return report


def _share(flags: list[bool]) -> float | None:
    return round(sum(flags) / len(flags), 4) if flags else None


def _typo_views(record: dict, rng: random.Random):
    """The record's views with one typo in its opening request."""
    views = views_of(record)
    return dataclasses.replace(views, request=_typo(views.request, rng))


def _typo(text: str, rng: random.Random) -> str:
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    if not letters:
        return text
    i = rng.choice(letters)
    return text[:i] + text[i + 1:i + 2] + text[i] + text[i + 2:] if i + 1 < len(text) else text[:i]


# --- near-duplicates -----------------------------------------------------------------------------

def _shingles(text: str) -> set[str]:
    normal = normalise(text)
    return {normal[i:i + SHINGLE] for i in range(max(len(normal) - SHINGLE + 1, 1))}


def distinct_texts(adv_path: Path, limit: int = 1500) -> list[str]:
    """Generator templates (fillers filled one way) and adv_dev prompts, pruned so that no two are
    near-duplicates by exact Jaccard (>= 0.5) and none is shorter than 20 characters."""
    fill = {"amount": "$45.99", "plan": "Fiber 500", "other_plan": "Unlimited Plus", "device": "Pixel 8",
            "duration": "since Monday", "speed": "5 Mbps", "country": "Japan", "product": "Fiber 500",
            "name": "<PERSON>", "first": "<PERSON>", "email": "<EMAIL_ADDRESS>", "phone": "<PHONE_NUMBER>",
            "address": "<LOCATION>", "card": "<CREDIT_CARD>", "iban": "<IBAN_CODE>", "ip": "<IP_ADDRESS>",
            "dob": "<DATE_TIME>", "account": "<ACCOUNT_ID>", "order": "<ACCOUNT_ID>"}
    texts = [t.format(**fill) for group in vocab.OPENINGS.values() for t in group]
    texts += [t.format(**fill) for t in (*vocab.DRIFT_PRODUCT_OPENINGS, *vocab.PII_SENTENCES, *vocab.FOLLOW_UPS)]
    texts += [json.loads(line)["text"][:600] for line in open(adv_path, encoding="utf-8") if line.strip()]
    kept: list[tuple[str, set[str]]] = []
    for text in texts:
        if len(normalise(text)) < 20:
            continue
        shingles = _shingles(text)
        if all(len(shingles & other) / len(shingles | other) < 0.5 for _, other in kept):
            kept.append((text, shingles))
        if len(kept) >= limit:
            break
    return [text for text, _ in kept]


_WORD = re.compile(r"\S+")


def perturb(text: str, rng: random.Random) -> str:
    """A near-duplicate as production produces them: re-typed, re-sanitised, slightly edited."""
    out = text
    kind = rng.randrange(6)
    if kind == 0:
        out = out.lower() if rng.random() < 0.5 else out.upper()
    elif kind == 1:
        out = re.sub(r"[.,!?']", "", out) + rng.choice(("", "!", "??", " :)"))
    elif kind == 2:
        out = re.sub(r"\d+", lambda m: str(rng.randrange(1, 999)), out)
        out = re.sub(r"<[A-Z_]+>", lambda m: rng.choice(("<PERSON>", "<EMAIL_ADDRESS>", "<PHONE_NUMBER>")), out)
        out = "  ".join(out.split(" "))
    elif kind == 3:  # one typo: swap, drop or double a letter
        letters = [i for i, c in enumerate(out) if c.isalpha()]
        if letters:
            i = rng.choice(letters)
            op = rng.randrange(3)
            if op == 0 and i + 1 < len(out):
                out = out[:i] + out[i + 1] + out[i] + out[i + 2:]
            elif op == 1:
                out = out[:i] + out[i + 1:]
            else:
                out = out[:i] + out[i] + out[i:]
    else:  # drop or add one short word
        words = _WORD.findall(out)
        if len(words) >= 6 and kind == 4:
            del words[rng.randrange(len(words))]
        else:
            words.insert(rng.randrange(len(words) + 1), rng.choice(("please", "hi", "thanks", "pls", "so", "really")))
        out = " ".join(words)
    return out


def duplicate_quality(adv_path: Path, seed: int = 5) -> tuple[float, float, dict]:
    rng = random.Random(seed)
    distinct = distinct_texts(adv_path)
    index = NearDuplicateIndex()
    cluster_of = {}
    for number, text in enumerate(distinct):
        cluster_of[f"d{number}"] = index.assign(f"d{number}", text)
    merged = sum(1 for key, representative in cluster_of.items() if representative != key)
    planted = {"near": [0, 0], "identical": [0, 0]}  # [planted, collapsed]
    for number, text in enumerate(distinct):
        for copy in range(2):
            variant = perturb(text, rng)
            kind = "identical" if normalise(variant) == normalise(text) else "near"
            planted[kind][0] += 1
            if index.assign(f"p{number}_{copy}", variant) == cluster_of[f"d{number}"]:
                planted[kind][1] += 1
    total = planted["near"][0] + planted["identical"][0]
    rate = {kind: round(done / count, 4) if count else None for kind, (count, done) in planted.items()}
    return rate["near"], round(merged / len(distinct), 4), {
        "distinct_texts": len(distinct), "planted_duplicates": total, "planted_distinct_after_normalise": planted["near"][0],
        "dup_identical_after_normalise_share": round(planted["identical"][0] / total, 4),
        "dup_collapse_rate_identical": rate["identical"],
        "dup_collapse_rate_all_planted": round((planted["near"][1] + planted["identical"][1]) / total, 4),
    }


# --- speed -----------------------------------------------------------------------------------------

def _sample_row(day: str, case_id: str, record: dict) -> dict:
    return {
        "day": day, "case_id": case_id, "session_ref": None, "user_ref": None,
        "timestamp": record["timestamp"], "model": record["model"], "status": record["status"],
        "error_type": record["error_type"], "latency_ms": record["latency_ms"], "confidence": record.get("confidence"),
        "escalated": record["escalated"], "feedback": record["feedback"],
        "sample_reasons": "low_confidence" if (record.get("confidence") or 1) < 0.5 else "base_rate",
        "input_json": json.dumps(record["input"]), "output": record["output"],
        "metadata_json": json.dumps(record["metadata"]), "entity_counts_json": "{}",
    }


def _sanitised(request) -> dict:
    """The record with every planted PII value replaced by its placeholder, as a perfect sanitiser would."""
    return labelled_set.mask_pii(json.loads(request.line), request.planted)


def _store_history(db, first_day: dt.date, weeks: int, per_week: int) -> int:
    """`weeks` earlier weeks of samples and their candidates (one per distinct dedup key a day, as
    the curate stage would keep them, with the MinHash signature it stores), without the new
    product/intent: the past the timed day meets."""
    from logmine_dagster.curation.categorise import dedup_key
    from logmine_dagster.curation.near_duplicates import Signer, signature_bytes
    from logmine_dagster.generator.traffic import day_requests
    from logmine_dagster.storage.schema import candidates as candidates_table
    from logmine_dagster.storage.schema import sanitised_samples

    signer = Signer()
    stored = 0
    for offset in range(weeks * 7, 0, -1):
        day = first_day - dt.timedelta(days=offset)
        samples, kept = [], {}
        for number, request in enumerate(day_requests(4, day, per_week // 7, drift_active=False)):
            record = _sanitised(request)
            case_id = f"h{offset:02d}{number:06d}"
            samples.append(_sample_row(day.isoformat(), case_id, record))
            text = user_text(record)
            key = dedup_key(text)
            if key in kept:
                kept[key]["duplicate_count"] += 1
            else:
                kept[key] = {"day": day.isoformat(), "case_id": case_id, "category": "happy_path", "reasons": "happy:ok",
                             "dedup_key": key, "duplicate_count": 1, "minhash": signature_bytes(signer.prepare(text)[1])}
        db.replace_rows(sanitised_samples, sanitised_samples.c.day == day.isoformat(), samples)
        db.replace_rows(candidates_table, candidates_table.c.day == day.isoformat(), list(kept.values()))
        stored += len(kept)
    return stored


def _distinct_day(day: dt.date, size: int, seed: int = 3, max_draws: int = 20) -> tuple[list, int]:
    """`size` generated requests of `day` whose user texts have no dedup key in common, drawn from as many
    generated days (other seeds) as it takes; fewer when `max_draws` days do not hold that many."""
    from logmine_dagster.curation.categorise import dedup_key
    from logmine_dagster.generator.traffic import day_requests

    seen, kept = set(), []
    for draw in range(max_draws):
        for request in day_requests(seed + 100 * draw, day, size, drift_active=True):
            key = dedup_key(user_text(_sanitised(request)))
            if key not in seen:
                seen.add(key)
                kept.append(request)
                if len(kept) == size:
                    return kept, draw + 1
    return kept, max_draws


def _duplicate_share(rows: list[dict]) -> float:
    from logmine_dagster.curation.categorise import dedup_key

    keys = [dedup_key(user_text({"input": json.loads(r["input_json"])})) for r in rows]
    return round(1 - len(set(keys)) / len(keys), 4) if keys else 0.0


def _time_day(db, day: dt.date, rows: list[dict]) -> dict:
    from logmine_dagster.curation.categorise_day import categorise_day
    from logmine_dagster.storage.schema import candidates as candidates_table
    from logmine_dagster.storage.schema import sanitised_samples

    db.replace_rows(sanitised_samples, sanitised_samples.c.day == day.isoformat(), rows)
    started, cpu_started = time.perf_counter(), time.process_time()
    report = categorise_day(db, day.isoformat())
    pool = [dict(row) for row in db.fetch_all(__import__("sqlalchemy").select(candidates_table).where(candidates_table.c.day == day.isoformat()))]
    plan = plan_batch(pool, cap=30)
    main_cpu, wall = time.process_time() - cpu_started, time.perf_counter() - started
    # Runs of different code versions compare their rows by this digest (the stored signature left out).
    rows_sha256 = __import__("hashlib").sha256(json.dumps(
        sorted(({k: v for k, v in row.items() if k != "minhash"} for row in pool), key=lambda row: row["case_id"]),
        sort_keys=True, default=str).encode()).hexdigest()[:16]
    # Big days categorise on worker processes too (curation/parallel_categorise.py): the caller's CPU is
    # no longer the day's time. cpu_s is the work (caller and workers); the target is wall time on 2 cores.
    return {"cpu_s": round(main_cpu + report.worker_cpu_s, 2), "main_cpu_s": round(main_cpu, 2),
            "worker_cpu_s": report.worker_cpu_s, "wall_s": round(wall, 2),
            "load_average_1m": round(os.getloadavg()[0], 2),
            "rows_sha256": rows_sha256, "samples": len(rows), "duplicate_share": _duplicate_share(rows), "novelty_reference": report.novelty_reference,
            "candidates": report.kept, "batch": len(plan.chosen), "by_category": dict(report.by_category)}


def week_speed(size: int, history_weeks: int = 4) -> tuple[float, dict]:
    """categorise_day over `size` samples in one day, with `history_weeks` weeks of `size` samples
    before it (the near-duplicate and novelty references), then the batch plan. SQLite.
    Timed twice on the same history: a day of distinct samples (the summary), and the generator's day."""
    from logmine_dagster.generator.traffic import day_requests
    from logmine_dagster.storage import Database

    day = dt.date(2026, 3, 9)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/bench.db")
        history = _store_history(db, day, history_weeks, size)
        requests, draws = _distinct_day(day, size)
        distinct = _time_day(db, day, [_sample_row(day.isoformat(), f"c{n:06d}", _sanitised(r)) for n, r in enumerate(requests)])
        generated = _time_day(db, day, [_sample_row(day.isoformat(), f"g{n:06d}", _sanitised(r))
                                        for n, r in enumerate(day_requests(3, day, size, drift_active=True))])
    return distinct["wall_s"], {"week_history_candidates": history, "week_distinct_generated_days_drawn": draws,
                                "week_distinct": distinct, "week_generator_day": generated,
                                "seconds_50k_generator_day": generated["wall_s"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--adv-dev", type=Path, default=DEFAULT_ADV_DEV)
    parser.add_argument("--week-size", type=int, default=50000)
    parser.add_argument("--history-weeks", type=int, default=4)
    parser.add_argument("--adversarial-only", action="store_true", help="only the adversarial detector lines")
    parser.add_argument("--support-only", action="store_true", help="only the labelled support conversations")
    parser.add_argument("--week-only", action="store_true", help="only the timed day (seconds_50k and its detail)")
    args = parser.parse_args()
    if args.week_only:
        seconds, speed_detail = week_speed(args.week_size, args.history_weeks)
        print(json.dumps({"seconds_50k": seconds, **speed_detail}))
        return
    support = support_set_quality()
    if args.support_only:
        print(json.dumps({"support_set": support}))
        return
    model_report = {"adv_dev_by_detector": adversarial_model_quality(args.adv_dev), **generator_false_alarms()}
    print(json.dumps(model_report))
    held_out = model_report["adv_dev_by_detector"]["holdout"]["categorise_with_parts"]
    if args.adversarial_only:
        print(json.dumps({**{name: extra_quality(path) for name, path in EXTRA_SETS.items()}, "indirect": indirect_quality()}))
        return
    adversarial, adv_detail = adversarial_quality(args.adv_dev)
    adv_detail.update({name: extra_quality(path) for name, path in EXTRA_SETS.items()})
    adv_detail["indirect"] = indirect_quality()
    categories, cat_detail = category_quality()
    # What categorise does (families or model, pasted blocks judged apart), on the half of adv_dev the model never saw;
    # families alone on all of adv_dev stay in the detail line.
    categories["adversarial"] = {"precision": held_out["precision"], "recall": held_out["recall"]}
    adv_detail["adv_dev_patterns_only_all_rows"] = adversarial
    collapse, merged, dup_detail = duplicate_quality(args.adv_dev)
    seconds, speed_detail = week_speed(args.week_size, args.history_weeks)
    print(json.dumps({**adv_detail, **cat_detail, **dup_detail, **speed_detail}))
    distinct_day = speed_detail["week_distinct"]
    print(json.dumps({
        "categories": {name: categories[name] for name in ("adversarial", "edge_case", "drift", "happy_path")},
        "dup_collapse_rate": collapse,
        "distinct_merged_rate": merged,
        "seconds_50k": seconds,
        "seconds_50k_samples": distinct_day["samples"],
        "seconds_50k_duplicate_share": distinct_day["duplicate_share"],
        "seconds_50k_generator_day": speed_detail["seconds_50k_generator_day"],
        "seconds_50k_generator_day_duplicate_share": speed_detail["week_generator_day"]["duplicate_share"],
        "dup_identical_after_normalise_share": dup_detail["dup_identical_after_normalise_share"],
        "support_set": {split: {key: support[split][key] for key in ("categories", "edge_signals", "pressure", "drift_paraphrase_flagged",
                                                                     "drift_new_topic_flagged")} for split in support},
    }))


if __name__ == "__main__":
    main()
