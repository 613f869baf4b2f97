"""Refusals, residual planted values and over-masking on `profile_traffic` (tau-bench-shaped support
conversations), through `sanitise_day` with the real sanitiser and gate, for `bench_refusals --corpus support`.

Every record is stored as a raw sample (no sampling), the day is sanitised, every non-raw table is
dumped, and for each record (by case id):
- `refused`: the gate refused it (overall, by outcome, by split);
- `residual`: planted personal values still readable (whole word, any case; JSON-escaped too), by kind;
- `overmask`: non-personal values (status, cabin, airport code, amount, flight, tier, product) the raw
  record holds that its stored row no longer shows, over the records the gate let through.
Counts only: nothing printed quotes a record.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
from collections import Counter
from pathlib import Path

from profile_traffic import DAY, profile_records, split_of

KEY = b"bench-profile-key-0123456789"


def _readable(value: str, text: str) -> bool:
    return re.search(r"(?<![A-Za-z0-9])" + re.escape(value.lower()) + r"(?![A-Za-z0-9])", text) is not None


def profile_score(count: int = 300, seed: int = 11) -> dict:
    import sqlalchemy as sa

    from logmine_dagster.ingest.records import parse_record
    from logmine_dagster.sanitise.refusals import outcome_of, refusal_summary
    from logmine_dagster.sanitise.sanitise_day import case_id_for, sanitise_day
    from logmine_dagster.sanitise.sanitiser import get_sanitiser
    from logmine_dagster.storage import Database
    from logmine_dagster.storage.schema import metadata, raw_samples, sanitiser_quarantine

    planted = profile_records(count, seed)
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as folder:
        db = Database(f"sqlite:///{Path(folder) / 'logmine.db'}")
        now = dt.datetime.now(dt.timezone.utc)
        with db.transaction() as conn:
            conn.execute(raw_samples.insert(), [
                {"day": DAY, "request_id": record["request_id"], "sample_reasons": "random", "sampled_at": now,
                 "record_json": json.dumps(parse_record(record), ensure_ascii=False), "source_file": "profiles.jsonl", "source_line": n}
                for n, (record, _, _) in enumerate(planted)
            ])
        report = sanitise_day(db, get_sanitiser(), KEY, DAY)
        refusals = {row["case_id"]: row["reason"] for row in db.fetch_all(sa.select(sanitiser_quarantine.c.case_id, sanitiser_quarantine.c.reason))}
        stored: dict[str, list[str]] = {}
        with db.engine.connect() as conn:
            for name, table in metadata.tables.items():
                if name.startswith("raw_"):
                    continue
                for row in conn.execute(sa.select(table)).mappings():
                    text = json.dumps({k: str(v) for k, v in row.items()}, ensure_ascii=False).lower()
                    text += "\n" + text.replace("\\\\", "\\").replace('\\"', '"')
                    stored.setdefault(str(row.get("case_id", "*")), []).append(text)
        db.dispose()
    out = {"records": len(planted), "refusals_by_outcome": refusal_summary(report.read_by_outcome, report.refused_by_outcome)}
    reasons = Counter()
    for reason in refusals.values():
        reasons.update(part.strip() for part in reason.split(":", 1)[-1].split(","))
    out["refusal_kinds"] = dict(reasons.most_common(12))
    for split in ("tuning", "held_out"):
        read, refused = Counter(), Counter()
        residual, residual_records, kept, lost, lost_kinds = Counter(), 0, 0, 0, Counter()
        for record, personal, plain in planted:
            if split_of(record["request_id"]) != split:
                continue
            case_id = case_id_for(KEY, record["request_id"])
            outcome = outcome_of(record)
            read[outcome] += 1
            text = "\n".join([*stored.get(case_id, []), *stored.get("*", [])])
            leaks = [kind for kind, value in personal if _readable(value, text)]
            residual.update(leaks)
            residual_records += bool(leaks)
            if case_id in refusals:
                refused[outcome] += 1
                continue
            for kind, value in plain:
                kept += 1
                if not _readable(value, text):
                    lost += 1
                    lost_kinds[kind] += 1
        summary = refusal_summary(read, refused)
        out[split] = {
            "records": sum(read.values()), "refused_share": summary["refused_share"],
            "failed_share": summary["failed"]["share"], "successful_share": summary["successful"]["share"],
            "residual_values": sum(residual.values()), "records_with_residual": residual_records, "residual_by_kind": dict(residual),
            "overmask": round(lost / kept, 4) if kept else 0.0, "overmask_by_kind": dict(lost_kinds),
        }
    return out
