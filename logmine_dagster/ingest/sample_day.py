"""Stage 1: read a day of raw logs once, keep the sampled records in the raw tier.

Good records and quarantine rows are written in one transaction first; only then is the day's bad
fraction compared with its threshold (`check_bad_fraction`), so a failing day never loses data.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

import orjson

from logmine_dagster.ingest.log_reader import (
    DEFAULT_MAX_LINE_BYTES,
    BadLine,
    LineResult,
    Skipped,
    as_log_root,
    is_remote,
    partition_files,
    scan_partition,
    source_url,
)
from logmine_dagster.ingest.sampling import DaySampler, SamplingPolicy
from logmine_dagster.ingest.sampling_counts import SamplingCounts
from logmine_dagster.ingest.span_join import SpanContentJoin
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import ingest_quarantine, raw_samples, sanitised_samples
from logmine_dagster.core.errors import LogmineError


@dataclass
class SampleReport:
    day: str
    files: int = 0
    scanned: int = 0
    sampled: int = 0
    quarantined: int = 0
    excluded_opt_out: int = 0
    excluded_user_cap: int = 0
    excluded_ceiling: int = 0
    ceiling: int | None = None
    by_reason: Counter = field(default_factory=Counter)
    signal_seen: Counter = field(default_factory=Counter)
    excluded_signal_cap: Counter = field(default_factory=Counter)
    quarantine_reasons: Counter = field(default_factory=Counter)
    bad_by_file: Counter = field(default_factory=Counter)
    scanned_by_file: Counter = field(default_factory=Counter)
    # OTLP spans that are not LLM calls (tool, embedding, agent...), by kind: neither records nor bad lines.
    skipped_spans: Counter = field(default_factory=Counter)
    # Where the step's time went (seconds): "read" the scan pass, "sample" the selection and its writes.
    seconds: Counter = field(default_factory=Counter)

    @property
    def bad_fraction(self) -> float:
        total = self.scanned + self.quarantined
        return self.quarantined / total if total else 0.0

    def worst_file(self) -> tuple[str, int, int] | None:
        """(file, bad lines, good records) of the file with the most bad lines."""
        if not self.bad_by_file:
            return None
        name, bad = max(self.bad_by_file.items(), key=lambda kv: (kv[1], kv[0]))
        return name, bad, self.scanned_by_file.get(name, 0)


class TooManyBadLines(LogmineError, ValueError):
    """The day's bad fraction passed the threshold. The message names counts and files, never text."""


def check_bad_fraction(report: SampleReport, max_bad_fraction: float | None) -> None:
    if max_bad_fraction is None or report.bad_fraction <= max_bad_fraction:
        return
    name, bad, good = report.worst_file()
    unit = bad_unit(report)
    raise TooManyBadLines(
        f"{report.quarantined} of {report.scanned + report.quarantined} {unit}s of {report.day} are bad "
        f"({report.bad_fraction:.1%}, more than the {max_bad_fraction:.1%} allowed); the worst file is {name} "
        f"with {bad} bad {unit}(s) and {good} good record(s). The good records and the quarantine rows "
        f"(table ingest_quarantine) were written."
    )


def bad_unit(report: SampleReport) -> str:
    """What the day's bad items mostly are: OTLP LLM spans (one record each, many to a line), the
    messages of Collector framed files (`format: proto`, `compression: zstd`), or lines."""
    spans = messages = 0
    for reason, count in report.quarantine_reasons.items():
        if reason.startswith("LLM span"):
            spans += count
        elif reason.startswith("message ") or "after message" in reason or "protobuf" in reason:
            messages += count
    if report.quarantined and spans * 2 >= report.quarantined:
        return "span"
    return "message" if report.quarantined and messages * 2 >= report.quarantined else "line"


def _reason_kind(reason: str) -> str:
    """Group quarantine reasons for reporting (drop line-specific detail)."""
    return reason.split(" (", 1)[0].split(":", 1)[0]


def _count_into(counter: Counter):
    def count(kind: str) -> None:
        counter[kind] += 1

    return count


def day_has_rows(db: Database, day: str) -> bool:
    """Whether an earlier run left samples of the day in the raw or the sanitised tier."""
    return bool(db.count(raw_samples, raw_samples.c.day == day) or db.count(sanitised_samples, sanitised_samples.c.day == day))


def sample_day(
    db: Database,
    log_root,
    day: str,
    policy: SamplingPolicy,
    lines: Iterable[LineResult] | None = None,
    *,
    fmt: str | None = None,
    mapping: dict | None = None,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
) -> SampleReport:
    """Sample one day into raw_samples (replacing the day) and its bad lines into ingest_quarantine.

    `lines` (validated records and bad lines, e.g. from `read_partition`) replaces reading the files,
    which otherwise goes through the one-pass scanner in format `fmt` (None: detect per line)."""
    log_root = as_log_root(log_root)
    report = SampleReport(day=day, files=len(partition_files(log_root, day)))
    now = dt.datetime.now(dt.timezone.utc)
    sampler = DaySampler(day, policy)
    views = policy.long_conversation_messages if lines is None else None
    join = SpanContentJoin(views=views)
    started = time.perf_counter()
    try:
        if lines is None:
            scan_partition(
                log_root, day, sampler.offer, sampler.bad, max_line_bytes, fmt, mapping,
                _count_into(report.skipped_spans), join, views, sampler.undrawn_counter,
            )
        else:
            _offer_lines(sampler, lines, report.skipped_spans)
        report.seconds["read"] = time.perf_counter() - started
        sampler.select()
        with db.transaction() as conn:
            db.replace_rows(raw_samples, raw_samples.c.day == day, _sample_rows(sampler, report, now, join), conn=conn)
            # After the samples: full validation of a selected record can still quarantine it.
            db.replace_rows(ingest_quarantine, ingest_quarantine.c.day == day, _quarantine_rows(sampler, report, log_root, now), conn=conn)
    finally:
        sampler.close()
        join.close()
    report.seconds["sample"] = time.perf_counter() - started - report.seconds["read"]
    _count_pass(report, sampler.counts, log_root)
    return report


def _count_pass(report: SampleReport, counts: SamplingCounts, log_root) -> None:
    """The sampling pass's counts into the report."""
    report.scanned = counts.scanned
    report.quarantined = len(counts.bad_lines)
    report.excluded_opt_out = counts.excluded_opt_out
    report.excluded_user_cap = counts.excluded_user_cap
    report.excluded_ceiling = counts.excluded_ceiling
    report.ceiling = counts.ceiling
    report.signal_seen = counts.signal_seen
    report.excluded_signal_cap = counts.excluded_signal_cap
    report.bad_by_file = counts.bad_by_file
    report.scanned_by_file = counts.scanned_by_file
    if is_remote(log_root):
        # Remote files are named by their (redacted) URL wherever bad lines are reported; local names are unchanged.
        report.bad_by_file = Counter({source_url(log_root, name): count for name, count in report.bad_by_file.items()})
        report.scanned_by_file = Counter({source_url(log_root, name): count for name, count in report.scanned_by_file.items()})


def _offer_lines(sampler: DaySampler, lines: Iterable[LineResult], skipped_spans: Counter) -> None:
    for item in lines:
        if isinstance(item, BadLine):
            sampler.bad(item.source_file, item.line, item.reason)
        elif isinstance(item, Skipped):
            skipped_spans[item.kind] += 1
        else:
            sampler.offer(item.record, None, item.source_file, item.line)


def _sample_rows(sampler: DaySampler, report: SampleReport, now: dt.datetime, join: SpanContentJoin):
    """raw_samples rows of the selected records, counted into the report as they are written. An LLM
    call made inside an agent trace gets the agent's and its tools' names in its metadata."""
    for sampled in sampler.sampled():
        for key, value in join.trace_context(sampled.record["request_id"]).items():
            sampled.record["metadata"].setdefault(key, value)
        report.sampled += 1
        report.by_reason.update(sampled.reasons)
        yield {
            "day": report.day,
            "request_id": sampled.record["request_id"],
            "sample_reasons": ",".join(sampled.reasons),
            "record_json": orjson.dumps(sampled.record).decode("utf-8"),
            "source_file": sampled.source_file,
            "source_line": sampled.line,
            "sampled_at": now,
            "inclusion_probability": sampled.inclusion_probability,
        }


def _quarantine_rows(sampler: DaySampler, report: SampleReport, log_root, now: dt.datetime):
    """ingest_quarantine rows of the bad lines, selected records that failed full validation included."""
    for bad in sampler.bad_lines:
        report.quarantine_reasons[_reason_kind(bad.reason)] += 1
        yield {
            "day": report.day,
            "source_file": source_url(log_root, bad.source_file),  # a URL (redacted) for a remote root
            "source_line": bad.line,
            "reason": bad.reason[:300],
            "quarantined_at": now,
        }
