"""logmine's sanitiser beside plain Presidio: privacy on the shared PII corpus, speed on unique text and
on log records.

Usage (from the repository root):
    python benchmarks/bench_sanitise.py [--records N] [--seed S]

Each engine runs in its own child process, one after the other, pinned to one core (so that neither
competes for the CPUs and each peak RSS is its own):

- `logmine`: `get_sanitiser()`; corpus texts through `sanitise_texts` in batches of 64, log records
  through `sanitise_records`/`sanitise_record(record, pseudonym_key=...)` as the pipeline calls it.
- `presidio`: plain Presidio, `BatchAnalyzerEngine` (all default recognizers, the same spaCy model,
  batches of 64) and `AnonymizerEngine`, on the same corpus texts and the same record texts.

Privacy. Corpus: ../shared/pii-bench/synth_dev.jsonl, scored by its own score.py (residual_direct,
residual_quasi, docs_leaking_direct, overmask) on the whole file and on two fixed parts: `tuning`
(about 70%) and `held_out` (about 30%), split by a hash of each text's id (`part_of`). Rules are
improved by reading leaks on the tuning part only (`leaks_sanitise.py` shows only that part); the
held-out part says whether an improvement generalises.

Speed, two figures that are not the same thing:
- `unique_texts_per_s`: the corpus's distinct texts (no text repeated, so logmine's per-text cache
  cannot help), analysis only; `unique_process_s` is the whole child process (imports, model load,
  the run), wall clock. `speedup_unique` is logmine's rate over Presidio's.
- `texts_per_s`: text fields per second on N generated log records (default 2,000, the same records
  for both engines). Generated records repeat texts (system prompts, canned replies), which logmine
  analyses once and then takes from its cache: `records_repeated_text_share` says how much of the
  input that is, and `speedup` (this figure's ratio) flatters logmine by that much.
`peak_rss_mb` is the child's peak RSS (plus the largest worker process, if the engine used any).

Prints a detail line per engine, then as the last line exactly:
{"logmine": {residual_direct, residual_quasi, docs_leaking_direct, overmask, tuning, held_out,
 unique_texts_per_s, unique_process_s, texts_per_s, peak_rss_mb}, "presidio": {...},
 "speedup_unique": ..., "speedup": ..., "records_repeated_text_share": ...}
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
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


def find_bench_dir() -> Path:
    """The team's shared pii-bench: beside the checkout, or beside a folder of worktrees above it."""
    if os.environ.get("LOGMINE_PII_BENCH"):
        return Path(os.environ["LOGMINE_PII_BENCH"])
    for parent in REPO_ROOT.parents:
        if (parent / "shared" / "pii-bench").is_dir():
            return parent / "shared" / "pii-bench"
    return REPO_ROOT.parent / "shared" / "pii-bench"


BENCH_DIR = find_bench_dir()
GOLD = BENCH_DIR / "synth_dev.jsonl"
SCORER = BENCH_DIR / "score.py"
PARTS = ("tuning", "held_out")
HELD_OUT_PERCENT = 30
SCORE_KEYS = ("residual_direct", "residual_quasi", "docs_leaking_direct", "overmask")
PART_KEYS = ("residual_direct", "docs_leaking_direct", "overmask")
LAST_LINE_KEYS = (
    *SCORE_KEYS, *PARTS, "unique_texts_per_s", "unique_process_s", "texts_per_s", "peak_rss_mb",
)
BENCH_KEY = b"bench-sanitise-key-not-a-secret"
BATCH = 64


# -- inputs --------------------------------------------------------------------------------------------


def part_of(doc_id: str) -> str:
    """The fixed split: the first 8 hex digits of sha256(id), mod 100, below 30 is held out. It does not
    depend on the text, the file order or anything tuned, so it stays put as the corpus is re-read."""
    bucket = int(hashlib.sha256(doc_id.encode("utf-8")).hexdigest()[:8], 16) % 100
    return "held_out" if bucket < HELD_OUT_PERCENT else "tuning"


def load_gold(path: Path = GOLD) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def unique_texts(rows: list[dict]) -> list[str]:
    return list(dict.fromkeys(row["text"] for row in rows))


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


def timed(work) -> tuple[list, float]:
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


def run_logmine(texts: list[str], records: list[dict]) -> dict:
    from logmine_dagster.sanitise.sanitiser import get_sanitiser

    sanitiser = get_sanitiser()
    sanitiser.sanitise_texts(["warm-up so that lazy loading is not timed, Jane Doe"])

    def corpus() -> list[str]:
        outputs = []
        for offset in range(0, len(texts), BATCH):
            outputs.extend(sanitiser.sanitise_texts(texts[offset : offset + BATCH]))
        return outputs

    outputs, corpus_seconds = timed(corpus)

    def sanitise_all() -> None:
        sanitise_records = getattr(sanitiser, "sanitise_records", None)
        if sanitise_records is not None:  # the batched path: spaCy over many records at once
            sanitise_records(records, pseudonym_key=BENCH_KEY)
        else:
            for record in records:
                sanitiser.sanitise_record(record, pseudonym_key=BENCH_KEY)

    _, record_seconds = timed(sanitise_all)
    return _summary(outputs, corpus_seconds, records, record_seconds)


def run_presidio(texts: list[str], records: list[dict]) -> dict:
    from presidio_analyzer import AnalyzerEngine, BatchAnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_anonymizer import AnonymizerEngine

    from logmine_dagster.sanitise.engine import LANGUAGE, SPACY_MODEL, tldextract_cache_dir

    os.environ.setdefault("TLDEXTRACT_CACHE", tldextract_cache_dir())
    nlp_engine = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy", "models": [{"lang_code": LANGUAGE, "model_name": SPACY_MODEL}],
    }).create_engine()
    batch = BatchAnalyzerEngine(AnalyzerEngine(nlp_engine=nlp_engine, supported_languages=[LANGUAGE]))
    anonymizer = AnonymizerEngine()

    def sanitise(batch_texts: list[str]) -> list[str]:
        found = batch.analyze_iterator(batch_texts, language=LANGUAGE, batch_size=BATCH)
        return [anonymizer.anonymize(text=t, analyzer_results=r).text for t, r in zip(batch_texts, found)]

    sanitise(["warm-up so that lazy loading is not timed, Jane Doe"])
    outputs, corpus_seconds = timed(lambda: sanitise(texts))
    all_record_texts = [text for record in records for text in record_texts(record)]
    _, record_seconds = timed(lambda: sanitise(all_record_texts))
    return _summary(outputs, corpus_seconds, records, record_seconds)


def _summary(outputs: list[str], corpus_seconds: float, records: list[dict], record_seconds: float) -> dict:
    texts = sum(len(record_texts(record)) for record in records)
    return {
        "outputs": outputs,
        "unique_texts": len(outputs),
        "unique_texts_per_s": round(len(outputs) / corpus_seconds, 1),
        "records": len(records),
        "record_texts": texts,
        "records_per_s": round(len(records) / record_seconds, 1) if records else 0.0,
        "texts_per_s": round(texts / record_seconds, 1) if records else 0.0,
        "peak_rss_mb": peak_rss_mb(),
    }


def worker(engine_name: str, logs: Path, limit: int, out: Path) -> int:
    # One core each, as a deployment would give one worker; BLAS and tokenizers follow the affinity.
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    # Silence the third-party loggers: Presidio warns about each non-English recognizer.
    import logging

    logging.disable(logging.WARNING)
    texts = unique_texts(load_gold())
    records = read_log_records(logs, limit)
    result = (run_logmine if engine_name == "logmine" else run_presidio)(texts, records)
    out.write_text(json.dumps(result), encoding="utf-8")
    return 0


# -- the parent: run both, score, print -----------------------------------------------------------


def score(rows: list[dict], outputs: dict[str, str], folder: Path) -> dict:
    """score.py's figures for `rows` (gold lines), given each text's output."""
    gold, sanitised = folder / "gold.jsonl", folder / "sanitised.jsonl"
    with gold.open("w", encoding="utf-8") as g, sanitised.open("w", encoding="utf-8") as s:
        for row in rows:
            g.write(json.dumps(row, ensure_ascii=False) + "\n")
            s.write(json.dumps({"id": row["id"], "text": outputs[row["text"]]}, ensure_ascii=False) + "\n")
    completed = subprocess.run(
        [sys.executable, str(SCORER), str(gold), str(sanitised), "--json"], capture_output=True, text=True, check=True
    )
    gold.unlink()
    sanitised.unlink()
    return json.loads(completed.stdout)


def score_parts(rows: list[dict], outputs: dict[str, str], folder: Path) -> dict:
    whole = score(rows, outputs, folder)
    for part in PARTS:
        scored = score([row for row in rows if part_of(row["id"]) == part], outputs, folder)
        whole[part] = {"docs": scored["docs"], **{key: scored[key] for key in PART_KEYS}}
        whole[part]["residual_by_type"] = scored["residual_by_type"]
    return whole


def run_engine(engine_name: str, logs: Path, limit: int, folder: Path) -> dict:
    out = folder / f"{engine_name}.json"
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, __file__, "--worker", engine_name, "--logs", str(logs), "--records", str(limit), "--out", str(out)],
        check=True,
    )
    result = json.loads(out.read_text(encoding="utf-8"))
    # The whole process, imports and model load included (its record run included too, so an upper bound).
    result["process_s"] = round(time.perf_counter() - started, 1)
    return result


def unique_process_seconds(result: dict) -> float:
    """The process time with the record run taken out: load plus the unique-text run."""
    record_seconds = result["records"] / result["records_per_s"] if result["records_per_s"] else 0.0
    return round(result["process_s"] - record_seconds, 1)


def repeated_text_share(logs: Path, limit: int) -> float:
    texts = [text for record in read_log_records(logs, limit) for text in record_texts(record)]
    return round(1 - len(set(texts)) / len(texts), 3) if texts else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2_000, help="generated log records (both engines)")
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
    texts = unique_texts(rows)
    last: dict = {}
    with tempfile.TemporaryDirectory(prefix="bench-sanitise-") as tmp:
        folder = Path(tmp)
        logs = make_log_records(folder, args.records, args.seed)
        for engine_name in ("logmine", "presidio"):
            result = run_engine(engine_name, logs, args.records, folder)
            scored = score_parts(rows, dict(zip(texts, result.pop("outputs"), strict=True)), folder)
            result["unique_process_s"] = unique_process_seconds(result)
            detail = {
                "engine": engine_name,
                **{key: scored[key] for key in (*SCORE_KEYS, *PARTS)},
                **result,
                "residual_by_type": scored["residual_by_type"],
            }
            print(json.dumps(detail), flush=True)
            last[engine_name] = {key: detail[key] for key in LAST_LINE_KEYS}
            for part in PARTS:
                last[engine_name][part] = {key: detail[part][key] for key in PART_KEYS}
        last["speedup_unique"] = _ratio(last, "unique_texts_per_s")
        last["speedup"] = _ratio(last, "texts_per_s")
        last["records_repeated_text_share"] = repeated_text_share(logs, args.records)
    print(json.dumps(last))
    return 0


def _ratio(last: dict, key: str) -> float | None:
    return round(last["logmine"][key] / last["presidio"][key], 2) if last["presidio"][key] else None


if __name__ == "__main__":
    sys.exit(main())
