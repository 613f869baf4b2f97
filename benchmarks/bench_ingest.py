"""Ingest throughput and memory: the sampler against the floor (gzip + orjson) and pandas.

Generates one day of gzip JSONL, then measures each way in its own process (so peak RSS is its
own). Prints one JSON line per way and run and, last, the summary:
    {"records": N, "sampler": {"mb_per_s", "records_per_s", "peak_rss_mb", "cpu_s"}, "floor": {...},
     "pandas": {...}, "ratio_to_floor": floor cpu_s / sampler cpu_s,
     "ratio_to_issue_floor": floor_stdlib cpu_s / sampler cpu_s, "ratio_wall_to_floor": ...}

Two floors, each line parsed by orjson once and nothing else (no record is looked at):
- floor: like for like, the same file inflated by the same library as the sampler's (isal's igzip
  when isal is installed, else stdlib gzip): `ratio_to_floor`, the stricter figure.
- floor_stdlib: `gzip.open` (Python's own zlib) + `orjson.loads`, the floor as the ingest issue
  defined it: `ratio_to_issue_floor`, the figure its ">= 0.7" was set against (the sampler's use of
  isal is part of what it measures).
The other ways:
- sampler: `sample_day` with the default SamplingPolicy (caps, ceiling) into SQLite; it inflates
  gzip with python-isal when installed (a drop-in zlib), as production does.
- sampler_stdlib_zlib: the sampler with Python's own zlib (extra: `ratio_stdlib_pair` against
  floor_stdlib).
- pandas: `pandas.read_json(lines=True)` then filter.
Ratios are by CPU time (`cpu_s`, the process's own), steadier than wall time on a shared machine;
MB/s is uncompressed input per wall-clock second. Each process's own peak RSS is reported. With
`--rounds N` every way runs N times, alternated, and the summary takes each way's median (a single
run on a shared 2-core machine can be 40% off).

    python benchmarks/bench_ingest.py [--records 1000000] [--rounds 1] [--skip-pandas] [--skip-extras] [--format otlp]

`--format otlp` writes the same records as OTLP JSON instead (a Collector file exporter's lines:
one ExportTraceServiceRequest of SPANS_PER_EXPORT chat spans per line, messages in the current GenAI
attributes), so the sampler's span path is measured against the same floor. `--format otlp-events` moves the messages
to log records in `logs-` files next to the spans (the event mode of opentelemetry-instrumentation-
openai-v2): every span waits for its content, which measures the span/log join. The messages are JSON
inside a string attribute: the floor parses the line, not that inner JSON, which the sampler must
read for the long-conversation signal when a span may have that many messages.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
from pathlib import Path

DAY = dt.date(2026, 3, 2)
SPANS_PER_EXPORT = 32  # a batch as the SDK's BatchSpanProcessor and the Collector's batch processor send


def _attr(key: str, value) -> dict:
    return {"key": key, "value": {"stringValue": value} if isinstance(value, str) else {"intValue": str(value)}}


def _parts(message: dict) -> dict:
    content = message.get("content")
    text = content if isinstance(content, str) else json.dumps(content)
    return {"role": message.get("role"), "parts": [{"type": "text", "content": text}]}


def _span(record: dict) -> dict:
    import hashlib

    ids = hashlib.blake2b(record["request_id"].encode(), digest_size=24).hexdigest()
    start = int(dt.datetime.fromisoformat(record["timestamp"].replace("Z", "+00:00")).timestamp() * 1e9)
    attrs = [
        _attr("gen_ai.operation.name", "chat"),
        _attr("gen_ai.provider.name", "openai"),
        _attr("gen_ai.request.model", record.get("model") or "m"),
        _attr("gen_ai.input.messages", json.dumps([_parts(m) for m in record["input"]])),
    ]
    if record.get("output") is not None:
        attrs.append(_attr("gen_ai.output.messages", json.dumps([_parts({"role": "assistant", "content": record["output"]})])))
    for key, field in (("gen_ai.conversation.id", "session_id"), ("user.id", "user_id")):
        if record.get(field):
            attrs.append(_attr(key, record[field]))
    span = {
        "traceId": ids[:32], "spanId": ids[32:], "name": "chat", "kind": 3, "attributes": attrs,
        "startTimeUnixNano": str(start), "endTimeUnixNano": str(start + int((record.get("latency_ms") or 1) * 1e6)),
    }
    if record.get("status") == "error":
        span["status"] = {"code": 2}
        attrs.append(_attr("error.type", record.get("error_type") or "error"))
    return span


CONTENT_KEYS = ("gen_ai.input.messages", "gen_ai.output.messages")


def _content_log(span: dict) -> dict:
    """Take the span's messages off it, as one `gen_ai.client.inference.operation.details` log record
    (openai-v2 with OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=event_only)."""
    content = [a for a in span["attributes"] if a["key"] in CONTENT_KEYS]
    span["attributes"] = [a for a in span["attributes"] if a["key"] not in CONTENT_KEYS]
    return {"timeUnixNano": span["endTimeUnixNano"], "traceId": span["traceId"], "spanId": span["spanId"],
            "eventName": "gen_ai.client.inference.operation.details", "attributes": content}


def to_otlp(root: Path, events: bool = False) -> None:
    """Rewrite every generated .jsonl.gz of the day as OTLP JSON export lines (same file names). With
    `events`, the messages go to a `logs-` file of log records next to it, as the event mode writes them."""
    import gzip

    for path in sorted((root / f"dt={DAY.isoformat()}").glob("*.jsonl.gz")):
        target = path.with_name(path.name + ".tmp")
        logs = gzip.open(path.with_name("logs-" + path.name), "wt", compresslevel=6) if events else None
        with gzip.open(path, "rt") as source, gzip.open(target, "wt", compresslevel=6) as out:
            batch = []
            for line in source:
                batch.append(_span(json.loads(line)))
                if len(batch) == SPANS_PER_EXPORT:
                    _write_batch(out, logs, batch)
                    batch = []
            if batch:
                _write_batch(out, logs, batch)
        if logs is not None:
            logs.close()
        target.replace(path)


def _write_batch(out, logs, spans: list) -> None:
    if logs is not None:
        records = [_content_log(span) for span in spans]
        scope = {"scope": {"name": "opentelemetry.util.genai.handler"}, "logRecords": records}
        logs.write(json.dumps({"resourceLogs": [{"resource": {"attributes": [_attr("service.name", "bench")]}, "scopeLogs": [scope]}]}) + "\n")
    out.write(_export(spans))


def _export(spans: list) -> str:
    resource = {"attributes": [_attr("service.name", "bench")]}
    scope = {"scope": {"name": "opentelemetry.util.genai.handler"}, "spans": spans}
    return json.dumps({"resourceSpans": [{"resource": resource, "scopeSpans": [scope]}]}) + "\n"

MEASURE = r"""
import gzip, json, resource, sys, time
from pathlib import Path
way, root, day = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
files = sorted((root / f"dt={day}").glob("*.jsonl.gz"))
# Imports and the database's creation (migrations) happen before the clock starts: not ingest work.
if way in ("floor", "floor_stdlib"):
    import orjson
    opener = gzip.open
    if way == "floor":
        try:  # the inflater the sampler uses (line_stream._zlib): isal when installed
            from isal import igzip
            opener = igzip.open
        except ImportError:
            pass
elif way == "pandas":
    import pandas as pd
else:
    if way == "sampler_stdlib_zlib":
        sys.modules["isal"] = None  # import fails: the reader falls back to zlib
    from logmine_dagster.ingest.sampling import SamplingPolicy
    from logmine_dagster.ingest.sample_day import sample_day
    from logmine_dagster.storage import Database
    db = Database(f"sqlite:///{root.parent}/bench-ingest-{way}.db")
started = time.perf_counter()
cpu_started = time.process_time()
count = 0
extra = {}
if way in ("floor", "floor_stdlib"):
    for path in files:
        with opener(path, "rb") as handle:
            for line in handle:
                orjson.loads(line)
                count += 1
elif way == "pandas":
    frames = [pd.read_json(path, lines=True, compression="gzip") for path in files]
    frame = pd.concat(frames)
    count = len(frame)
    conf = frame["confidence"].fillna(1.0)
    interesting = frame[(frame["status"] == "error") | (conf < 0.5) | frame["escalated"] | (frame["feedback"] == "down")]
else:
    report = sample_day(db, root, day, SamplingPolicy())
    count = report.scanned
    extra = {"sampled": report.sampled, "by_reason": dict(report.by_reason), "excluded_ceiling": report.excluded_ceiling}
elapsed = time.perf_counter() - started
cpu = time.process_time() - cpu_started
size_mb = sum(gzip.open(p).seek(0, 2) for p in files) / 1e6
print(json.dumps({"way": way, "records": count, "seconds": round(elapsed, 2),
                  "mb_per_s": round(size_mb / elapsed, 1), "records_per_s": round(count / elapsed),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                  "cpu_s": round(cpu, 3), "mb": round(size_mb, 1), **extra}))
"""


def measure(way: str, root: Path) -> dict:
    for old in root.parent.glob("bench-ingest-*.db"):
        old.unlink()  # every run writes a new database, as the first did
    completed = subprocess.run(
        [sys.executable, "-c", MEASURE, way, str(root), DAY.isoformat()], capture_output=True, text=True, check=True
    )
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    print(json.dumps(result), flush=True)
    return result


def _median_run(runs: list[dict]) -> dict:
    """The run of median CPU time (the lower middle one for an even count), with every run's CPU time."""
    ordered = sorted(runs, key=lambda run: run["cpu_s"])
    return {**ordered[(len(ordered) - 1) // 2], "cpu_s_runs": [run["cpu_s"] for run in runs]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=1, help="runs of every way, alternated; the summary takes medians")
    parser.add_argument("--skip-pandas", action="store_true", help="the pandas way needs several GB for 1M records")
    parser.add_argument("--skip-extras", action="store_true", help="skip sampler_stdlib_zlib")
    parser.add_argument("--format", choices=("canonical", "otlp", "otlp-events"), default="canonical")
    args = parser.parse_args()
    from logmine_dagster.generator import generate

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "logs"
        generate(root, DAY, 1, args.records, 1, write_manifest=False, gzip=True)
        if args.format != "canonical":
            to_otlp(root, events=args.format == "otlp-events")
        ways = ("sampler", "floor", "floor_stdlib") + (() if args.skip_extras else ("sampler_stdlib_zlib",))
        runs: dict[str, list] = {way: [] for way in ways}
        for _ in range(args.rounds):
            for way in ways:
                runs[way].append(measure(way, root))
        results = {way: _median_run(found) for way, found in runs.items()}
        if not args.skip_pandas:
            results["pandas"] = measure("pandas", root)
    if not args.skip_extras:
        print(json.dumps({
            "ratio_stdlib_pair": round(results["floor_stdlib"]["cpu_s"] / results["sampler_stdlib_zlib"]["cpu_s"], 3),
        }), flush=True)
    keys = ("mb_per_s", "records_per_s", "peak_rss_mb", "cpu_s", "cpu_s_runs")
    summary = {"records": args.records, "format": args.format, "rounds": args.rounds}
    for way in ("sampler", "floor", "floor_stdlib", "pandas"):
        summary[way] = {k: results[way][k] for k in keys if k in results[way]} if way in results else None
    summary["ratio_to_floor"] = round(results["floor"]["cpu_s"] / results["sampler"]["cpu_s"], 3)
    summary["ratio_to_issue_floor"] = round(results["floor_stdlib"]["cpu_s"] / results["sampler"]["cpu_s"], 3)
    summary["ratio_wall_to_floor"] = round(results["sampler"]["mb_per_s"] / results["floor"]["mb_per_s"], 3)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
