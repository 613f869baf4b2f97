"""Raw logs (an external asset) and the daily sample of them (raw tier: holds PII)."""

import dagster as dg

from logmine_dagster.lib.metadata import counts_markdown, counts_table
from logmine_dagster.defs.resources import LogmineDatabase, LogSource, MiningPolicy
from logmine_dagster.lib.retries import retry_on_transient_database_errors
from logmine_dagster.ingest.sampling import REASON_ORDER, SIGNALS
from logmine_dagster.ingest.sample_day import SampleReport, TooManyBadLines, check_bad_fraction, day_has_rows, sample_day


@retry_on_transient_database_errors
def sample_logs(
    context: dg.AssetExecutionContext, database: LogmineDatabase, log_source: LogSource, policy: MiningPolicy
) -> dg.MaterializeResult:
    day = context.partition_key
    sampling = policy.sampling()
    if not log_source.has_day(day):
        if day_has_rows(database.get(), day):
            # Replacing the partition with nothing would wipe an earlier sample (e.g. an unmounted log root,
            # or a day already deleted by retention): refuse and change nothing.
            raise dg.Failure(
                description=f"no dt={day} folder under the log root {log_source.display_root()}: nothing was changed",
                allow_retries=False,
            )
        # A day production wrote no logs for (a gap, or before the logs begin): an empty day, not a
        # failure, so a backfill over it ends green and the UI says why it is empty.
        context.log.info(f"no dt={day} folder under the log root and nothing mined for it before: an empty day (no_logs)")
        return dg.MaterializeResult(metadata={"status": "no_logs", **sample_metadata(SampleReport(day=day), sampling, policy.bad_fraction_limit())})
    report = sample_day(
        database.get(),
        log_source.root_path(),
        day,
        sampling,
        fmt=log_source.log_format(),
        mapping=log_source.mapping(),
        max_line_bytes=log_source.record_limit(),
    )
    if report.files == 0:
        context.log.warning(f"no log files under dt={day}: the partition is empty")
    if report.quarantined:
        context.log.warning(f"{report.quarantined} bad line(s) quarantined in ingest_quarantine for {day}")
    metadata = {"status": "sampled" if report.files else "no_files", **sample_metadata(report, sampling, policy.bad_fraction_limit())}
    try:
        # After the rows are committed: a failing day keeps its good records and quarantine rows.
        check_bad_fraction(report, policy.bad_fraction_limit())
    except TooManyBadLines as error:
        raise dg.Failure(description=str(error), metadata=metadata, allow_retries=False) from None
    return dg.MaterializeResult(metadata=metadata)


def ingest_assets(daily: dg.PartitionsDefinition) -> list:
    """raw_logs and sampled_logs over the day partitions."""
    raw_logs = dg.AssetSpec(
        "raw_logs",
        description="Production LLM call logs, one JSON line per call, under LOGMINE_LOG_ROOT/dt=YYYY-MM-DD/. "
        "Written by the application, not by logmine; deleted by raw_log_retention.",
        partitions_def=daily,
        group_name="ingest",
        kinds={"file"},
        tags={"tier": "raw"},
    )
    sampled_logs = dg.asset(
        name="sampled_logs",
        deps=[raw_logs],
        partitions_def=daily,
        group_name="ingest",
        kinds={"sqlalchemy"},
        tags={"tier": "raw"},
        description="Promises: the day's records worth reviewing (`status`: sampled; no_files for an empty day "
        "folder; no_logs, an empty day, when the day has no folder and nothing was mined for it before), every error, low-confidence, escalated and "
        "negatively rated call up to its daily cap, plus a reproducible base-rate sample. A keyed hash of request_id decides "
        "membership (base rate, plus per-signal rates and daily caps for errors, low confidence, escalations, "
        "negative feedback and long conversations), under privacy ceilings (share of the day, per user, "
        "opt-out list). Each record keeps its reasons and its inclusion probability. Raw tier: holds PII, "
        "under retention.",
    )(sample_logs)
    return [raw_logs, sampled_logs]


def sample_metadata(report, sampling, max_bad_fraction) -> dict:
    """Counts and settings only, never record text. Six numbers to plot; the per-signal and per-reason
    counts as tables to read (and once as JSON for scripts); the settings the day ran with as JSON."""
    caps = {signal: sampling.cap_for(signal) for signal in SIGNALS}
    rates = {signal: sampling.rate_for(signal) for signal in SIGNALS}
    # Four columns fit the asset page at 1280 px: each signal's rate and cap/day are in `settings`.
    strata = "\n".join(
        ["| signal | seen | over cap | sampled |", "| --- | ---: | ---: | ---: |"]
        + [
            f"| {signal} | {int(report.signal_seen.get(signal, 0))} | {int(report.excluded_signal_cap.get(signal, 0))} | "
            f"{int(report.by_reason.get(signal, 0))} |"
            for signal in SIGNALS
        ]
    ) + "\n\n_rate and cap/day per signal: settings_"
    excluded = {"opt_out": report.excluded_opt_out, "user_cap": report.excluded_user_cap, "ceiling": report.excluded_ceiling}
    counts = {
        "sampled": {reason: int(report.by_reason.get(reason, 0)) for reason in REASON_ORDER},
        "seen": {signal: int(report.signal_seen.get(signal, 0)) for signal in SIGNALS},
        "over_cap": {signal: int(report.excluded_signal_cap.get(signal, 0)) for signal in SIGNALS},
        "excluded": {name: int(value) for name, value in excluded.items()},
        "quarantined": {str(reason): int(value) for reason, value in report.quarantine_reasons.items()},
        # Tool, embedding, retrieval, agent and chain spans: not LLM calls, skipped by kind (never quarantined).
        "spans_skipped": {str(kind): int(value) for kind, value in report.skipped_spans.items()},
    }
    settings = {
        "sample_rate": sampling.rate,
        "low_confidence_threshold": sampling.low_confidence_threshold,
        "long_conversation_messages": sampling.long_conversation_messages,
        "max_per_user_per_day": sampling.max_per_user_per_day or 0,
        "max_sampled_fraction": sampling.max_sampled_fraction if sampling.max_sampled_fraction is not None else "none",
        "max_sampled_records": report.ceiling if report.ceiling is not None else "none",
        "max_bad_fraction": max_bad_fraction if max_bad_fraction is not None else "none",
        "opted_out_entries": len(sampling.opted_out_users) + len(sampling.opted_out_tenants),
        "rate_by_signal": rates,
        "cap_per_day_by_signal": {signal: "none" if cap is None else cap for signal, cap in caps.items()},
    }
    return {
        "files": report.files,
        "records_scanned": report.scanned,
        "records_sampled": report.sampled,
        "records_excluded": int(sum(excluded.values())),
        "lines_quarantined": report.quarantined,
        "bad_fraction": round(report.bad_fraction, 6),
        "strata": dg.MetadataValue.md(strata),
        "sampled_by_reason": counts_markdown(report.by_reason, "reason"),
        "excluded_by_rule": counts_table({"records": excluded}, list(excluded), "privacy rule"),
        "quarantined_by_reason": counts_markdown(report.quarantine_reasons, "reason"),
        "quarantined_by_file": counts_markdown(report.bad_by_file, "file"),
        "skipped_spans_by_kind": counts_markdown(report.skipped_spans, "span kind"),
        "counts": dg.MetadataValue.json(counts),
        "settings": dg.MetadataValue.json(settings),
        "seconds_by_part": dg.MetadataValue.json({part: round(s, 3) for part, s in sorted(report.seconds.items())}),
    }
