"""Stage 2: sanitise the day's raw samples into the PII-free tier, refusing any record that still shows PII."""

from __future__ import annotations

import collections
import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterator

import sqlalchemy as sa

from logmine_dagster.sanitise.pseudonyms import letter_pseudonym, pseudonym
from logmine_dagster.sanitise import day_terms, residual, schema
from logmine_dagster.sanitise.day_terms import DayTermCounter
from logmine_dagster.sanitise.refusals import UNREADABLE, outcome_of
from logmine_dagster.storage import Database
from logmine_dagster.storage.staging import StagingError
from logmine_dagster.storage.schema import raw_samples, sanitised_samples, sanitiser_quarantine
from logmine_dagster.core.errors import LogmineError

TEXT_FIELDS_OF_ROW = ("input_json", "output", "metadata_json", "error_type")


@dataclass
class SanitiseReport:
    day: str
    read: int = 0
    written: int = 0
    quarantined: int = 0
    quarantine_reasons: Counter = field(default_factory=Counter)
    entity_counts: Counter = field(default_factory=Counter)
    # Fields outside the declared schema, dropped before sanitising (labels, never record text).
    dropped_fields: Counter = field(default_factory=Counter)
    # Records read and refused, by the conversation's outcome (refusals.outcome_of): failed or successful.
    read_by_outcome: Counter = field(default_factory=Counter)
    refused_by_outcome: Counter = field(default_factory=Counter)
    # Where the shards' time went (seconds, added over shards): "sanitise" (walk, sanitiser, pseudonyms), "gate";
    # "shard_cpu" is the CPU seconds of the whole shard function (reading, the day's terms, sanitising, gate).
    seconds: Counter = field(default_factory=Counter)


def case_id_for(key: bytes, request_id: str) -> str:
    return pseudonym(key, "case", request_id)


def _pseudonymise_tool_call_ids(messages: list, key: bytes) -> list:
    """Tool-call ids are opaque, but an app could put anything in them: replace them too, the same
    way in the call and in its result so the pair stays linked."""
    out = []
    for message in messages:
        if not isinstance(message, dict):
            out.append(message)
            continue
        message = dict(message)
        if isinstance(message.get("tool_call_id"), str):
            message["tool_call_id"] = letter_pseudonym(key, "call", message["tool_call_id"])
        if isinstance(message.get("tool_calls"), list):
            message["tool_calls"] = [
                dict(call, id=letter_pseudonym(key, "call", call["id"])) if isinstance(call, dict) and isinstance(call.get("id"), str) else call
                for call in message["tool_calls"]
            ]
        out.append(message)
    return out


def pseudonymise_ids(record: dict, key: bytes) -> dict:
    return dict(
        record,
        request_id=case_id_for(key, record["request_id"]),
        session_id=pseudonym(key, "session", record.get("session_id")),
        user_id=pseudonym(key, "user", record.get("user_id")),
        input=_pseudonymise_tool_call_ids(record.get("input") or [], key),
    )


def _row(day: str, sample_reasons: str, sanitised: dict, entity_counts: dict) -> dict:
    return {
        "day": day,
        "case_id": sanitised["request_id"],
        "session_ref": sanitised.get("session_id"),
        "user_ref": sanitised.get("user_id"),
        "timestamp": sanitised["timestamp"],
        "model": sanitised.get("model"),
        "status": sanitised["status"],
        "error_type": sanitised.get("error_type"),
        "latency_ms": sanitised.get("latency_ms"),
        "confidence": sanitised.get("confidence"),
        "escalated": bool(sanitised.get("escalated")),
        "feedback": sanitised.get("feedback"),
        "sample_reasons": sample_reasons,
        "input_json": json.dumps(sanitised["input"], ensure_ascii=False),
        "output": sanitised.get("output"),
        "metadata_json": json.dumps(sanitised.get("metadata") or {}, ensure_ascii=False, sort_keys=True),
        "entity_counts_json": json.dumps(dict(sorted(entity_counts.items()))),
    }


class RawTierGone(LogmineError, RuntimeError):
    """The day's raw samples no longer exist (retention) while its sanitised rows do."""


def shard_of(key: bytes, request_id: str, shard_count: int) -> int:
    """Which shard sanitises a request. Keyed, so shard membership reveals nothing about the id, and
    stable, so a retried shard step gets exactly the same records."""
    digest = hmac.new(key, f"shard:{request_id}".encode("utf-8"), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") % shard_count


@dataclass
class ShardResult:
    """One shard's output: rows that passed the residual-PII gate and quarantine rows (no text)."""

    day: str
    shard: int
    shard_count: int
    rows: list[dict] = field(default_factory=list)
    quarantine: list[dict] = field(default_factory=list)
    report: SanitiseReport | None = None


_RAW_COLUMNS = (raw_samples.c.request_id, raw_samples.c.sample_reasons, raw_samples.c.record_json, raw_samples.c.inclusion_probability)


def _day_rows(db: Database, day: str, columns) -> Iterator[sa.RowMapping]:
    """The day's raw samples in one streamed query (a bounded share of the day in memory at a time)."""
    with db.engine.connect() as conn:
        yield from conn.execution_options(yield_per=500).execute(sa.select(*columns).where(raw_samples.c.day == day)).mappings()


def _raw_rows_of_shard(db: Database, key: bytes, day: str, shard: int, shard_count: int) -> tuple[list, str]:
    """This shard's raw rows (by request id), and a digest of the whole day's samples, made in the same pass."""
    row_digests = []
    rows = []
    for row in _day_rows(db, day, _RAW_COLUMNS):
        row_digests.append(hashlib.sha256(f"{row['request_id']}\0{row['record_json']}".encode("utf-8", "surrogatepass")).digest())
        if shard_count == 1 or shard_of(key, row["request_id"], shard_count) == shard:
            rows.append(row)
    # Sorted: the same samples give the same digest in whatever order the database returns them.
    return sorted(rows, key=lambda r: r["request_id"]), hashlib.sha256(b"".join(sorted(row_digests))).hexdigest()


def day_common_terms_of(db: Database, day: str, users: int) -> frozenset[str]:
    """The words of the day that `users` distinct users write (`day_terms`), over ALL the day's raw
    samples whatever the shard, so that every shard masks the same way. Unreadable rows count for no one."""
    counter = DayTermCounter(users)
    for row in _day_rows(db, day, (raw_samples.c.record_json,)):
        try:
            record = json.loads(row["record_json"])
        except (TypeError, ValueError):
            continue  # the shard that owns it quarantines it with a reason
        counter.add(record)
    return counter.terms()


# Each shard step counts the whole day's terms; shard steps that run in one process (the in-process
# executor, a Dask worker) count them once per version of the day's samples. Memory only, as the terms
# always were, and only the last few days.
_TERMS_BY_DAY: collections.OrderedDict[tuple[str, int, str], frozenset[str]] = collections.OrderedDict()
_TERMS_KEPT = 2
_terms_lock = threading.Lock()


def _day_terms_once(db: Database, day: str, users: int, samples_digest: str) -> frozenset[str]:
    memo_key = (day, users, samples_digest)
    with _terms_lock:
        if memo_key in _TERMS_BY_DAY:
            return _TERMS_BY_DAY[memo_key]
    terms = day_common_terms_of(db, day, users)
    with _terms_lock:
        _TERMS_BY_DAY[memo_key] = terms
        while len(_TERMS_BY_DAY) > _TERMS_KEPT:
            _TERMS_BY_DAY.popitem(last=False)
    return terms


def sanitise_shard(
    db: Database, sanitiser, key: bytes, day: str, shard: int = 0, shard_count: int = 1, *, common_term_users: int = day_terms.DEFAULT_USERS
) -> ShardResult:
    """Sanitise the day's raw samples that fall in `shard`; writes nothing (see `publish_day`).

    `sanitiser` is a `logmine_dagster.sanitise.Sanitiser` (anything with `sanitise_record`).
    `common_term_users`: k of the day's common terms (`day_terms`; Settings.common_term_users in a run).
    """
    if not 0 <= shard < shard_count:
        raise ValueError(f"shard {shard} is not in 0..{shard_count - 1}")
    cpu_started = time.process_time()
    raws, samples_digest = _raw_rows_of_shard(db, key, day, shard, shard_count)
    common = _day_terms_once(db, day, common_term_users, samples_digest)
    report = SanitiseReport(day=day)
    result = ShardResult(day=day, shard=shard, shard_count=shard_count, report=report)
    now = dt.datetime.now(dt.timezone.utc)
    started = time.perf_counter()
    for raw in raws:
        report.read += 1
        case_id = case_id_for(key, raw["request_id"])
        outcome = UNREADABLE
        try:
            record = json.loads(raw["record_json"])
            outcome = outcome_of(record)
            # Deny by default: what the schema does not declare is dropped (and counted) here,
            # so that no sanitiser, however it walks a record, can pass it on.
            declared, dropped = schema.prune(record)
            report.dropped_fields.update(dropped)
            sanitised_record = sanitiser.sanitise_record(declared, pseudonym_key=key, common_terms=common)
            sanitised = pseudonymise_ids(sanitised_record.record, key)
            row = _row(day, raw["sample_reasons"], sanitised, sanitised_record.entity_counts)
            gate_started = time.perf_counter()
            # The gate reads the row as it would be stored, keys included, not the walked record.
            findings = residual.scan_row(row, residual.known_values(record) | set(sanitised_record.found_values))
            report.seconds["gate"] += time.perf_counter() - gate_started
        except Exception as error:  # noqa: BLE001 - one bad record must not lose the day
            # Only the exception's type: its message could quote the record's text.
            reason = f"sanitiser error ({type(error).__name__})"
            findings = None
        report.read_by_outcome[outcome] += 1
        if findings is None or findings:
            if findings:
                reason = "residual PII: " + ", ".join(sorted({f"{f.kind}@{f.field}" for f in findings}))
            report.quarantined += 1
            report.refused_by_outcome[outcome] += 1
            report.quarantine_reasons[reason.split(":", 1)[0]] += 1
            result.quarantine.append({"day": day, "case_id": case_id, "reason": reason[:300], "quarantined_at": now})
            continue
        report.entity_counts.update(sanitised_record.entity_counts)
        row["inclusion_probability"] = raw["inclusion_probability"]
        result.rows.append(row)
    report.written = len(result.rows)
    report.seconds["sanitise"] = time.perf_counter() - started - report.seconds["gate"]
    report.seconds["shard_cpu"] = time.process_time() - cpu_started
    return result


def publish_day(db: Database, day: str, shards: list[ShardResult], *, also_in_transaction=None) -> SanitiseReport:
    """Replace the day's sanitised rows and quarantine rows with the shards' output, in one
    transaction: readers see the old partition or the new one, never a mix, and a rerun leaves one copy.
    `also_in_transaction(conn, report)` runs in that same transaction (the staged shards are deleted there)."""
    counts = sorted(s.shard_count for s in shards)
    if not shards or {s.day for s in shards} != {day} or sorted(s.shard for s in shards) != list(range(counts[0])) or len(set(counts)) != 1:
        raise StagingError(f"publishing {day} needs exactly one output per shard of that day")
    report = SanitiseReport(day=day)
    for shard in shards:
        report.read += shard.report.read
        report.quarantined += shard.report.quarantined
        report.quarantine_reasons.update(shard.report.quarantine_reasons)
        report.entity_counts.update(shard.report.entity_counts)
        report.dropped_fields.update(shard.report.dropped_fields)
        report.read_by_outcome.update(shard.report.read_by_outcome)
        report.refused_by_outcome.update(shard.report.refused_by_outcome)
        report.seconds.update(shard.report.seconds)
    if report.read == 0 and db.count(sanitised_samples, sanitised_samples.c.day == day):
        # Re-running would replace the kept, PII-free rows with nothing.
        raise RawTierGone(f"the raw samples of {day} are gone (retention); its sanitised rows are kept unchanged")
    rows = sorted((row for shard in shards for row in shard.rows), key=lambda r: r["case_id"])
    quarantine = sorted((row for shard in shards for row in shard.quarantine), key=lambda r: r["case_id"])
    with db.transaction() as conn:
        report.written = db.replace_rows(sanitised_samples, sanitised_samples.c.day == day, rows, conn=conn)
        db.replace_rows(sanitiser_quarantine, sanitiser_quarantine.c.day == day, quarantine, conn=conn)
        if also_in_transaction is not None:
            also_in_transaction(conn, report)
    return report


def sanitise_day(db: Database, sanitiser, key: bytes, day: str) -> SanitiseReport:
    """The whole day in this process: one shard, then publish."""
    return publish_day(db, day, [sanitise_shard(db, sanitiser, key, day)])


def _in_shard(key: bytes, case_id: str, shard: int, shard_count: int) -> bool:
    return shard_count == 1 or shard_of(key, case_id, shard_count) == shard


def _rows_by_chunks(db: Database, table: sa.Table, id_column: sa.Column, day: str, ids: list[str], *columns) -> list:
    if not ids:
        return []
    rows = []
    for start in range(0, len(ids), 500):  # bounded IN lists
        rows.extend(db.fetch_all(sa.select(*columns).where(table.c.day == day, id_column.in_(ids[start : start + 500]))))
    return rows


def residual_pii_in_shard(db: Database, key: bytes, day: str, shard: int = 0, shard_count: int = 1) -> Counter:
    """Independent re-read of the stored sanitised rows of one shard (split by a keyed hash of the case
    id): finding kinds, never the text. The shards' counts add up to the one-step scan's, since every
    row, and the raw record it came from, falls in exactly one shard.

    Each row is scanned by the regex battery and, while its raw record still exists, for every value
    the battery finds in that raw record.
    """
    if not 0 <= shard < shard_count:
        raise ValueError(f"shard {shard} is not in 0..{shard_count - 1}")
    whole_day = shard_count == 1
    raw_columns = (raw_samples.c.request_id, raw_samples.c.record_json)
    if whole_day:
        raws = db.fetch_all(sa.select(*raw_columns).where(raw_samples.c.day == day))
        rows = db.fetch_all(sa.select(sanitised_samples).where(sanitised_samples.c.day == day))
    else:
        request_ids = [r["request_id"] for r in db.fetch_all(sa.select(raw_samples.c.request_id).where(raw_samples.c.day == day))]
        mine = [r for r in request_ids if _in_shard(key, case_id_for(key, r), shard, shard_count)]
        raws = _rows_by_chunks(db, raw_samples, raw_samples.c.request_id, day, mine, *raw_columns)
        case_ids = [r["case_id"] for r in db.fetch_all(sa.select(sanitised_samples.c.case_id).where(sanitised_samples.c.day == day))]
        mine = [c for c in case_ids if _in_shard(key, c, shard, shard_count)]
        rows = _rows_by_chunks(db, sanitised_samples, sanitised_samples.c.case_id, day, mine, sanitised_samples)
    known_by_case = {case_id_for(key, raw["request_id"]): residual.known_values(json.loads(raw["record_json"])) for raw in raws}
    findings: Counter = Counter()
    for row in rows:
        for finding in residual.scan_row(row, known_by_case.get(row["case_id"], set())):
            findings[finding.kind] += 1
    return findings


def residual_pii_in_day(db: Database, key: bytes, day: str) -> Counter:
    """The whole day's residual scan in one step (see `residual_pii_in_shard`)."""
    return residual_pii_in_shard(db, key, day)
