"""logmine's sanitiser beside plain Presidio: privacy on the shared PII corpus, speed on log records.

Usage (from the repository root):
    python benchmarks/bench_sanitise.py [--records N] [--presidio-records M] [--seed S]

Each engine runs in its own child process, one after the other (so that neither competes for the
CPUs and each peak RSS is its own):

- `logmine`: `get_sanitiser()`; corpus texts through `sanitise_texts` in batches, log records
  through `sanitise_record(record, pseudonym_key=...)` as the pipeline will call it.
- `presidio`: plain Presidio, `AnalyzerEngine` (all default recognizers, the same spaCy model) and
  `AnonymizerEngine` called once per text, on the corpus texts and on every text field of a record.

Corpus: ../shared/pii-bench/synth_dev.jsonl, scored by its own score.py (residual_direct,
residual_quasi, docs_leaking_direct, overmask). Log records: N (default 20,000) records made by
`logmine_dagster.generator.generate` with a fixed seed; plain Presidio is timed on the first M of
them (default 2,000: at its speed all 20k would take most of an hour), which is enough for a rate.
`texts_per_s` is text fields per second on log records (engine load and a warm-up excluded),
`speedup` logmine's divided by Presidio's. `peak_rss_mb` is the child's peak RSS (plus the largest
worker process, if the engine used any).

Prints a detail line per engine, then as the last line exactly:
{"logmine": {residual_direct, residual_quasi, docs_leaking_direct, texts_per_s, peak_rss_mb},
 "presidio": {...}, "speedup": ...}
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # measure this checkout, whatever the environment has installed
BENCH_DIR = REPO_ROOT.parent / "shared" / "pii-bench"
GOLD = BENCH_DIR / "synth_dev.jsonl"
SCORER = BENCH_DIR / "score.py"
LAST_LINE_KEYS = ("residual_direct", "residual_quasi", "docs_leaking_direct", "texts_per_s", "peak_rss_mb")
BENCH_KEY = b"bench-sanitise-key-not-a-secret"


# -- inputs --------------------------------------------------------------------------------------------


def load_gold(path: Path = GOLD) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def make_log_records(folder: Path, count: int, seed: int) -> Path:
    """`count` generated records in one day partition; returns the folder holding them."""
    from logmine_dagster.generator import generate

    generate(folder / "logs", dt.date(2026, 11, 16), days=1, per_day=count, seed=seed, write_manifest=False)
    return folder / "logs"


def read_log_records(folder: Path, limit: int | None = None) -> list[dict]:
    from logmine_dagster.ingest.records import parse_record

    records = []
    for path in sorted(folder.rglob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    records.append(parse_record(json.loads(line)))
                    if limit is not None and len(records) >= limit:
                        return records
    return records


def record_texts(record: dict) -> list[str]:
    """The text fields of a record, as the sanitiser sees them (JSON payloads walked)."""
    from logmine_dagster.sanitise.record_fields import RecordFields

    return RecordFields(record).texts()


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round((own + children) / 1024, 1)  # kilobytes on Linux


# -- engines (run in a child process) ----------------------------------------------------------------


def run_logmine(gold: list[dict], records: list[dict]) -> dict:
    from logmine_dagster.sanitise.sanitiser import get_sanitiser

    sanitiser = get_sanitiser()
    sanitiser.sanitise_texts(["warm-up so that lazy loading is not timed, Jane Doe"])
    texts = [row["text"] for row in gold]
    started = time.perf_counter()
    outputs = []
    for offset in range(0, len(texts), 64):
        outputs.extend(sanitiser.sanitise_texts(texts[offset : offset + 64]))
    corpus_seconds = time.perf_counter() - started

    sanitise_records = getattr(sanitiser, "sanitise_records", None)
    started = time.perf_counter()
    if sanitise_records is not None:  # the batched path: spaCy over many records at once
        sanitise_records(records, pseudonym_key=BENCH_KEY)
    else:
        for record in records:
            sanitiser.sanitise_record(record, pseudonym_key=BENCH_KEY)
    record_seconds = time.perf_counter() - started
    return _summary(outputs, len(texts), corpus_seconds, records, record_seconds)


def run_presidio(gold: list[dict], records: list[dict]) -> dict:
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_anonymizer import AnonymizerEngine

    from logmine_dagster.sanitise.engine import LANGUAGE, SPACY_MODEL, tldextract_cache_dir

    os.environ.setdefault("TLDEXTRACT_CACHE", tldextract_cache_dir())
    nlp_engine = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy", "models": [{"lang_code": LANGUAGE, "model_name": SPACY_MODEL}],
    }).create_engine()
    analyzer = AnalyzerEngine(nlp_engine=nlp_engine, supported_languages=[LANGUAGE])
    anonymizer = AnonymizerEngine()

    def sanitise(text: str) -> str:
        results = analyzer.analyze(text=text, language=LANGUAGE)
        return anonymizer.anonymize(text=text, analyzer_results=results).text

    sanitise("warm-up so that lazy loading is not timed, Jane Doe")
    texts = [row["text"] for row in gold]
    started = time.perf_counter()
    outputs = [sanitise(text) for text in texts]
    corpus_seconds = time.perf_counter() - started

    started = time.perf_counter()
    for record in records:
        for text in record_texts(record):
            sanitise(text)
    record_seconds = time.perf_counter() - started
    return _summary(outputs, len(texts), corpus_seconds, records, record_seconds)


def _summary(outputs: list[str], corpus_texts: int, corpus_seconds: float, records: list[dict], record_seconds: float) -> dict:
    texts = sum(len(record_texts(record)) for record in records)
    return {
        "outputs": outputs,
        "corpus_texts_per_s": round(corpus_texts / corpus_seconds, 1),
        "records": len(records),
        "record_texts": texts,
        "records_per_s": round(len(records) / record_seconds, 1) if records else 0.0,
        "texts_per_s": round(texts / record_seconds, 1) if records else 0.0,
        "peak_rss_mb": peak_rss_mb(),
    }


def worker(engine_name: str, logs: Path, limit: int, out: Path) -> int:
    # Silence the third-party loggers: Presidio warns about each non-English recognizer.
    import logging

    logging.disable(logging.WARNING)
    gold = load_gold()
    records = read_log_records(logs, limit)
    result = (run_logmine if engine_name == "logmine" else run_presidio)(gold, records)
    out.write_text(json.dumps(result), encoding="utf-8")
    return 0


# -- the parent: run both, score, print -----------------------------------------------------------


def score(rows: list[dict], outputs: list[str], folder: Path) -> dict:
    path = folder / "sanitised.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for row, text in zip(rows, outputs, strict=True):
            handle.write(json.dumps({"id": row["id"], "text": text}, ensure_ascii=False) + "\n")
    completed = subprocess.run(
        [sys.executable, str(SCORER), str(GOLD), str(path), "--json"], capture_output=True, text=True, check=True
    )
    path.unlink()
    return json.loads(completed.stdout)


def run_engine(engine_name: str, logs: Path, limit: int, folder: Path) -> dict:
    out = folder / f"{engine_name}.json"
    subprocess.run(
        [sys.executable, __file__, "--worker", engine_name, "--logs", str(logs), "--records", str(limit), "--out", str(out)],
        check=True,
    )
    return json.loads(out.read_text(encoding="utf-8"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000, help="generated log records (logmine)")
    parser.add_argument("--presidio-records", type=int, default=2_000, help="of those, how many plain Presidio runs")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--worker", choices=("logmine", "presidio"), help=argparse.SUPPRESS)
    parser.add_argument("--logs", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker, args.logs, args.records, args.out)
    if not GOLD.exists() or not SCORER.exists():
        print(f"pii-bench not found at {BENCH_DIR}: this benchmark needs the team's ../shared folder", file=sys.stderr)
        return 2
    rows = load_gold()
    last: dict = {}
    with tempfile.TemporaryDirectory(prefix="bench-sanitise-") as tmp:
        folder = Path(tmp)
        logs = make_log_records(folder, args.records, args.seed)
        limits = {"logmine": args.records, "presidio": min(args.records, args.presidio_records)}
        for engine_name, limit in limits.items():
            result = run_engine(engine_name, logs, limit, folder)
            scored = score(rows, result.pop("outputs"), folder)
            detail = {
                "engine": engine_name,
                **{k: scored[k] for k in ("residual_direct", "residual_quasi", "docs_leaking_direct", "overmask")},
                **result,
                "residual_by_type": scored["residual_by_type"],
            }
            print(json.dumps(detail), flush=True)
            last[engine_name] = {key: detail[key] for key in LAST_LINE_KEYS}
    presidio_rate = last["presidio"]["texts_per_s"]
    last["speedup"] = round(last["logmine"]["texts_per_s"] / presidio_rate, 2) if presidio_rate else None
    print(json.dumps(last))
    return 0


if __name__ == "__main__":
    sys.exit(main())
