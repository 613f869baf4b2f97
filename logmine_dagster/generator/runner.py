"""`generate`: write N days of synthetic production traffic and the manifest of the PII planted in it."""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .traffic import day_requests
from .writer import DayShardWriter, ManifestWriter

PROGRESS_EVERY = 1000
COUNT_NAMES = ("errors", "low_confidence", "escalated", "feedback_down", "feedback_up", "adversarial", "drift",
               "with_pii", "pii_values")


@dataclass
class GenerateSummary:
    days: int
    records: int
    files: list[Path]
    manifest: Path | None  # None when write_manifest=False
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_NAMES, 0))


def default_manifest_path(out: Path) -> Path:
    return out.parent / f"{out.name}-pii-manifest.jsonl"


def _check_arguments(out: Path, days: int, per_day: int, records_per_file: int, manifest: Path | None) -> None:
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    if per_day < 1:
        raise ValueError(f"per_day must be at least 1, got {per_day}")
    if records_per_file < 1:
        raise ValueError(f"records_per_file must be at least 1, got {records_per_file}")
    if manifest is not None and manifest.resolve().is_relative_to(out.resolve()):
        raise ValueError(
            f"the PII manifest {manifest} is inside the log root {out}: it holds the raw PII values, "
            "so keep it outside the directory the pipeline reads"
        )


def drift_starts_at(days: int) -> int:
    """Index of the first day with drifted traffic (the new product and intent)."""
    return days // 2


def generate(
    out: Path,
    start: dt.date,
    days: int,
    per_day: int,
    seed: int,
    *,
    manifest: Path | None = None,
    write_manifest: bool = True,
    gzip: bool = False,
    records_per_file: int = 100_000,
    progress: Callable[[int], None] | None = None,
) -> GenerateSummary:
    """Write `days` day partitions of `per_day` canonical records each under `out`; same arguments, same bytes."""
    out = Path(out)
    if isinstance(start, dt.datetime):  # a datetime would put a time into the partition name
        start = start.date()
    manifest_path = Path(manifest) if manifest is not None else default_manifest_path(out)
    _check_arguments(out, days, per_day, records_per_file, manifest_path if write_manifest else None)

    summary = GenerateSummary(days=days, records=0, files=[], manifest=manifest_path if write_manifest else None)
    report = _Progress(progress)
    with ManifestWriter(manifest_path) if write_manifest else nullcontext() as manifest_writer:
        for index in range(days):
            day = start + dt.timedelta(days=index)
            with DayShardWriter(out, day, compress=gzip, records_per_file=records_per_file) as shards:
                requests = day_requests(seed, day, per_day, drift_active=index >= drift_starts_at(days))
                _write_day(requests, day.isoformat(), shards, manifest_writer, summary.counts, report)
            summary.files.extend(shards.files)
            summary.records += per_day
            report.flush()
    return summary


class _Progress:
    """Batches progress calls: one per PROGRESS_EVERY records, and one for each day's remainder."""

    def __init__(self, callback: Callable[[int], None] | None):
        self.callback = callback
        self.pending = 0

    def add(self, count: int) -> None:
        self.pending += count
        if self.pending >= PROGRESS_EVERY:
            self.flush()

    def flush(self) -> None:
        if self.callback is not None and self.pending:
            self.callback(self.pending)
        self.pending = 0


def _write_day(requests, day_iso: str, shards: DayShardWriter, manifest_writer: ManifestWriter | None,
               counts: dict[str, int], report: _Progress) -> None:
    write_line = shards.write
    for position, request in enumerate(requests, start=1):
        write_line(request.line)
        if manifest_writer is not None and request.planted:
            manifest_writer.write(day_iso, request.request_id, request.planted)
        _tally(counts, request)
        if position % PROGRESS_EVERY == 0:
            report.add(PROGRESS_EVERY)
    report.add(position % PROGRESS_EVERY)


def _tally(counts: dict[str, int], request) -> None:
    if request.error:
        counts["errors"] += 1
    if request.low_confidence:
        counts["low_confidence"] += 1
    if request.escalated:
        counts["escalated"] += 1
    if request.feedback == "down":
        counts["feedback_down"] += 1
    elif request.feedback == "up":
        counts["feedback_up"] += 1
    if request.adversarial:
        counts["adversarial"] += 1
    if request.drift:
        counts["drift"] += 1
    if request.planted:
        counts["with_pii"] += 1
        counts["pii_values"] += len(request.planted)
