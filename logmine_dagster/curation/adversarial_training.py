"""Training the shipped adversarial model (curation/adversarial_model.py), reproducibly.

Everything that decides the file's bytes lives here: the training rows (given files plus the
generator's benign traffic, drawn with a fixed seed), the fold split (fixed seed), the solver
(lbfgs, deterministic), the rounding of every number written, and the gzip header (no time, no
name). `scripts/train_adversarial_model.py` is the one command; it also picks the hyper-parameters
by cross-validation on these rows, never on adv_dev.jsonl.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import random
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from logmine_dagster.curation.adversarial_model import LinearModel, from_document, vectorizer
from logmine_dagster.curation.pasted_parts import record_parts
from logmine_dagster.generator.traffic import day_requests

SEED = 20260101
FOLDS = 5
# Generator traffic for training: one day of seed GENERATOR_SEED. Benchmarks measure false alarms
# on another seed and day, so the model is never judged on the texts it saw.
GENERATOR_SEED = 11
GENERATOR_DAY = dt.date(2026, 1, 5)
GENERATOR_TEXTS = 300
# The highest recall whose out-of-fold false-alarm rate on benign training rows stays at or under this.
MAX_TRAIN_FPR = 0.02
# Benign groups the indirect threshold (windows of tool results, documents, pasted blocks) is
# chosen on: content, not prompts. BIPIA's benign e-mails, the written benign documents, and the
# generator's tool results.
INDIRECT_BENIGN_GROUPS = ("benign:microsoft/BIPIA", "benign:documents_written", "benign:generator_tool")
# Content rows added for the indirect scorer: they do not set the threshold for the user's own
# words (being easy, they would spend the 2% false-alarm budget on nothing and lower it).
MAX_CONTENT_FPR = 0.05  # per benign content group, out of fold (a window of a long document is scored many times)
CONTENT_ONLY_GROUPS = ("benign:documents_written", "benign:generator_tool")
GENERATOR_TOOL_TEXTS = 150
DIGITS = 6  # significant digits written for every weight: a smaller file, same decisions

DEFAULT_PARAMS = {
    "C": 16.0,  # chosen by scripts/train_adversarial_model.py --search (5-fold CV on the training rows)
    "blocks": [
        {"analyzer": "word", "ngram_range": [1, 2], "min_df": 2},
        {"analyzer": "char_wb", "ngram_range": [2, 4], "min_df": 2},
    ],
}


def read_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def generator_benign(count: int = GENERATOR_TEXTS, seed: int = GENERATOR_SEED, day: dt.date = GENERATOR_DAY) -> list[str]:
    """Distinct benign user messages of one generated day (the generator's own attacks left out)."""
    texts: dict[str, None] = {}
    for request in day_requests(seed, day, 3000, drift_active=False):
        if request.adversarial:
            continue
        for message in json.loads(request.line).get("input") or []:
            if message.get("role") == "user" and isinstance(message.get("content"), str):
                texts[message["content"]] = None
    ordered = sorted(texts)
    return sorted(random.Random(seed).sample(ordered, min(count, len(ordered))))


def generator_tool_results(count: int = GENERATOR_TOOL_TEXTS, seed: int = GENERATOR_SEED, day: dt.date = GENERATOR_DAY) -> list[str]:
    """Distinct tool results of one generated day, as curation/indirect.py reads them (JSON values as text)."""
    texts: dict[str, None] = {}
    for request in day_requests(seed, day, 3000, drift_active=False):
        for part in record_parts(json.loads(request.line)):
            if part.source == "tool_result":
                texts[part.text] = None
    ordered = sorted(texts)
    return sorted(random.Random(seed).sample(ordered, min(count, len(ordered))))


def dev_half(row: dict) -> str:
    """"train" or "holdout": a fixed split of adv_dev.jsonl by a hash of the row id. The train half
    joins the training rows; the holdout half is only ever measured (benchmarks/bench_curation.py)."""
    return "train" if hashlib.sha256(row["id"].encode("utf-8")).digest()[0] % 2 == 0 else "holdout"


def training_rows(files: list[Path], generator_texts: int = GENERATOR_TEXTS, dev: Path | None = None) -> list[dict]:
    """The rows of every file, the train half of `dev`, then the generator's benign messages, as {text, label, group}."""
    rows = []
    sources = [(path, False) for path in files] + ([(dev, True)] if dev is not None else [])
    for path, halve in sources:
        for row in read_rows(path):
            if halve and dev_half(row) != "train":
                continue
            rows.append({"text": row["text"], "label": int(row["label"] == "adversarial"),
                         "group": row.get("group") or row.get("attack_type") or "benign:" + row["source"].split(":")[0]})
    rows += [{"text": text, "label": 0, "group": "benign:generator"} for text in generator_benign(generator_texts)]
    rows += [{"text": text, "label": 0, "group": "benign:generator_tool"} for text in generator_tool_results()]
    return rows


def data_sha256(rows: list[dict]) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update(json.dumps([row["text"], row["label"]], ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


def _round(values) -> list[float]:
    return [float(f"{value:.{DIGITS}g}") for value in values]


def fit_document(texts: list[str], labels: list[int], params: dict, threshold: float, sha256: str,
                 indirect_threshold: float | None = None) -> dict:
    """Fit the vectorizers and the logistic regression; the model as a JSON-ready document."""
    vectorizers = [vectorizer(block).fit(texts) for block in params["blocks"]]
    from scipy.sparse import hstack  # scikit-learn's own dependency

    features = hstack([v.transform(texts) for v in vectorizers]).tocsr()
    classifier = LogisticRegression(C=params["C"], solver="lbfgs", max_iter=5000, class_weight="balanced")
    classifier.fit(features, np.asarray(labels))
    blocks, start = [], 0
    for block, fitted in zip(params["blocks"], vectorizers):
        terms = sorted(fitted.vocabulary_, key=fitted.vocabulary_.__getitem__)
        end = start + len(terms)
        blocks.append({"params": block, "terms": terms, "idf": _round(fitted.idf_),
                       "weights": _round(classifier.coef_[0][start:end])})
        start = end
    return {"format": "logmine-linear-ngrams/1", "C": params["C"], "blocks": blocks,
            "intercept": _round([classifier.intercept_[0]])[0], "threshold": round(threshold, 4),
            "indirect_threshold": round(threshold if indirect_threshold is None else indirect_threshold, 4),
            "training_data_sha256": sha256}


def fit_model(texts: list[str], labels: list[int], params: dict) -> LinearModel:
    return from_document(fit_document(texts, labels, params, 0.5, ""))


def out_of_fold_scores(rows: list[dict], params: dict, folds: int = FOLDS, seed: int = SEED) -> list[float]:
    """Each row scored by a model fitted on the other folds (stratified by label and attack kind)."""
    texts = [row["text"] for row in rows]
    labels = [row["label"] for row in rows]
    scores = [0.0] * len(rows)
    split = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    sizes = Counter(row["group"] for row in rows)
    # A group smaller than the fold count (a handful of extraction prompts) joins the largest group of its label.
    largest = {label: max((g for g in sizes if any(r["group"] == g and r["label"] == label for r in rows)), key=sizes.__getitem__)
               for label in set(labels)}
    strata = [row["group"] if sizes[row["group"]] >= folds else largest[row["label"]] for row in rows]
    for train, test in split.split(texts, strata):
        model = fit_model([texts[i] for i in train], [labels[i] for i in train], params)
        for index, score in zip(test, model.scores([texts[i] for i in test])):
            scores[index] = score
    return scores


def choose_threshold(scores: list[float], labels: list[int], max_fpr: float = MAX_TRAIN_FPR) -> float:
    """The lowest threshold whose false-alarm rate on the benign rows is at most `max_fpr`."""
    benign = sorted((s for s, y in zip(scores, labels) if not y), reverse=True)
    allowed = int(max_fpr * len(benign))
    # Just above the (allowed+1)-th highest benign score: at most `allowed` benign rows pass.
    cut = benign[allowed] if allowed < len(benign) else 0.0
    return min(0.99, max(0.05, cut + 1e-4))


def document_bytes(document: dict) -> bytes:
    """Gzipped JSON with sorted keys and no timestamp: the same document always gives the same bytes."""
    raw = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as handle:
        handle.write(raw)
    return buffer.getvalue()


def train(files: list[Path], params: dict = DEFAULT_PARAMS, dev: Path | None = None) -> tuple[bytes, dict]:
    """The shipped file's bytes, and what the model card needs (threshold, out-of-fold numbers)."""
    rows = training_rows(files, dev=dev)
    labels = [row["label"] for row in rows]
    oof = out_of_fold_scores(rows, params)
    prompts = [(s, y) for s, y, row in zip(oof, labels, rows) if row["group"] not in CONTENT_ONLY_GROUPS]
    threshold = choose_threshold([s for s, _ in prompts], [y for _, y in prompts])
    # Content parts: the strictest of the benign content groups, each allowed MAX_CONTENT_FPR, so
    # the easy written documents cannot spend the budget that BIPIA's real e-mails need.
    indirect_threshold = max(
        choose_threshold([s for s, row in zip(oof, rows) if row["group"] == group], [0] * sum(r["group"] == group for r in rows),
                         MAX_CONTENT_FPR)
        for group in INDIRECT_BENIGN_GROUPS)
    document = fit_document([row["text"] for row in rows], labels, params, threshold, data_sha256(rows), indirect_threshold)
    return document_bytes(document), {"rows": len(rows), "threshold": threshold, "indirect_threshold": indirect_threshold,
                                      "oof": oof, "train_rows": rows}
