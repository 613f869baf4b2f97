"""Stage 3: categorise a day's sanitised samples and collapse near-duplicates into candidates.

Near-duplicates (MinHash/LSH on normalised user text, see curation/near_duplicates.py) collapse
within the day and category into one representative whose `duplicate_count` is the cluster's size
(the representative counts as one, as before). Each day is also compared with what came before:

- the eval set (`eval_cases`),
- earlier candidates of the trailing `REFERENCE_DAYS` days (their representatives), and through
  them cases already queued for review (`review_queue`) or decided (`review_decisions`); queued
  and decided cases count however old they are.

A representative that matches one of those takes over the earlier cluster's `dedup_key`, so the
weekly batch sees one cluster across days and weeks, and gets a reason saying what it repeats:
`near_dup:eval_case`, `near_dup:decided`, `near_dup:queued` (covered already: the batch skips
them) or `near_dup:earlier` (seen before, not yet reviewed: still eligible, with less novelty).
Each candidate stores its text's MinHash signature (`minhash`), which later days read instead
of signing the text again; rows without one (written before migration 0008) are signed when read.

Drift (see curation/categorise.py, curation/novelty.py and curation/intent_views.py; text novelty
reads each conversation's opening request and what the agent did, tools and replies, `intent_of`) compares the day with the past *before its
review week*: values (models, tools, intents, products) of the `BASELINE_DAYS` before the week, and
text novelty against the eval set plus the candidates of the `NOVELTY_DAYS` before the week. Every
day of a week therefore meets the same drift past, so a topic that starts on Monday is still drift on
Friday. Near-duplicates do read the days just before (within the week too), and every window needs the
earlier days done: the Dagster asset depends on its previous day so that backfills run days in order
(defs/curate/assets.py, README "Run order"). Each
candidate keeps its novelty (0..1; NULL while there are fewer than `MIN_HISTORY_TEXTS` earlier
production candidates to compare with, e.g. in the first week) and the ids collapsed into it
(`duplicate_ids`, JSON list).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa

from logmine_dagster.curation.categorise import dedup_key, tool_names
from logmine_dagster.curation.near_duplicates import NearDuplicateIndex, Signature, normalise, signature_from_bytes
from logmine_dagster.curation.parallel_categorise import categorise_all
from logmine_dagster.curation.intent_views import IntentIndex, IntentViews, views_of
from logmine_dagster.curation.novelty import REFERENCE_CAP, Novelty, reservoir, reservoir_keys
from logmine_dagster.ingest.records import user_text
from logmine_dagster.storage import Database
from logmine_dagster.storage.schema import candidates, eval_cases, review_decisions, review_queue, sanitised_samples
from logmine_dagster.core.weeks import week_start

BASELINE_DAYS = 14
REFERENCE_DAYS = 28
NEAR_DUP_CAP = 20000  # unreviewed earlier candidates in the near-duplicate reference
MIN_HISTORY_TEXTS = 50  # earlier production candidates needed before novelty is scored at all
NOVELTY_DAYS = 28  # production weeks the novelty reference reaches back, before the day's week
REASONS_CHARS = 300  # width of the reasons column
# Strongest first: what a repeat of an earlier case is said to repeat.
NEAR_DUP_STATUS = ("eval_case", "decided", "queued", "earlier")
COVERED = frozenset({"near_dup:eval_case", "near_dup:decided", "near_dup:queued"})
TOP_NOVEL = 10
SNIPPET_CHARS = 80


@dataclass
class CurateReport:
    day: str
    read: int = 0
    kept: int = 0
    duplicates_dropped: int = 0
    by_category: Counter = field(default_factory=Counter)
    by_reason: Counter = field(default_factory=Counter)
    largest_clusters: list[tuple[str, str, int]] = field(default_factory=list)
    # representative case id -> the case ids collapsed into it (pseudonymous ids, safe for metadata)
    cluster_members: dict[str, list[str]] = field(default_factory=dict)
    repeats: Counter = field(default_factory=Counter)  # near_dup status -> representatives
    novelty_reference: int = 0  # texts the novelty scores were measured against (0: no history, no scores)
    # (case id, category, novelty, cluster size, sanitised text cut to SNIPPET_CHARS), most novel first
    top_novel: list[tuple[str, str, float, int, str]] = field(default_factory=list)
    worker_cpu_s: float = 0.0  # CPU seconds of the processes that categorised a big day (curation/parallel_categorise.py)


def week_anchor(day: str) -> dt.date:
    """Windows end where the day's review week starts, so every day of a week is compared with the
    same past, whatever order the days are materialised in (backfills run them in parallel)."""
    return week_start(dt.date.fromisoformat(day))


def drift_baseline(db: Database, day: str, days: int = BASELINE_DAYS) -> dict[str, set[str]]:
    """Models, intents and products seen in the trailing days before the day's week."""
    end = week_anchor(day)
    start = (end - dt.timedelta(days=days)).isoformat()
    in_window = sa.and_(sanitised_samples.c.day >= start, sanitised_samples.c.day < end.isoformat())
    # DISTINCT: a window holds hundreds of thousands of samples but only a few models and metadata combinations.
    models = db.fetch_all(sa.select(sanitised_samples.c.model).where(in_window).distinct())
    metadatas = db.fetch_all(sa.select(sanitised_samples.c.metadata_json).where(in_window).distinct())
    baseline: dict[str, set[str]] = {"model": set(), "intent": set(), "product": set()}
    for row in models:
        if row["model"]:
            baseline["model"].add(row["model"])
    for row in metadatas:
        metadata = json.loads(row["metadata_json"])
        for key in ("intent", "product"):
            if isinstance(metadata.get(key), str):
                baseline[key].add(metadata[key])
    return baseline if models else {}


def known_tools(db: Database, day: str, names: set[str], days: int = BASELINE_DAYS) -> set[str]:
    """Which of `names` some sample of the baseline window called. One indexed-range scan per name,
    stopping at the first hit: tool names are few, and only a new one costs a full window scan."""
    end = week_anchor(day)
    start = (end - dt.timedelta(days=days)).isoformat()
    known = set()
    for name in sorted(names):
        escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = (
            sa.select(sanitised_samples.c.case_id)
            .where(sanitised_samples.c.day >= start, sanitised_samples.c.day < end.isoformat())
            .where(sanitised_samples.c.input_json.like(f'%"name": "{escaped}"%', escape="\\"))
            .limit(1)
        )
        if db.fetch_all(statement):
            known.add(name)
    return known


@dataclass
class _Reference:
    dedup_key: str
    status: str  # one of NEAR_DUP_STATUS


class References:
    """The novelty reference, and the near-duplicate index built when first used: categorise_day
    starts categorising on its workers before, so on a big day building the index overlaps with that."""

    def __init__(self, near: list[tuple], novelty: IntentIndex | None, novelty_keys: list[str]):
        self._near = near  # _ReferenceBuilder.add_near's arguments, in order
        self.novelty = novelty  # eval cases and candidates of the weeks before the day's week
        self.novelty_keys = novelty_keys  # reference key per novelty row

    @functools.cached_property
    def _near_index(self) -> tuple[NearDuplicateIndex, dict[str, _Reference]]:
        index, info = NearDuplicateIndex(), {}
        for key, text, category, key_of_text, status, signature in self._near:
            representative = index.assign_normal(key, normalise(text), category, signature)
            known = info.get(representative)
            if known is None:
                info[representative] = _Reference(key_of_text, status)
            elif NEAR_DUP_STATUS.index(status) < NEAR_DUP_STATUS.index(known.status):
                known.status = status
        return index, info

    @property
    def index(self) -> NearDuplicateIndex:
        """Eval cases and the trailing days' candidates, grouped by category."""
        return self._near_index[0]

    @property
    def info(self) -> dict[str, _Reference]:
        """Representative key -> the cluster's dedup_key and strongest status."""
        return self._near_index[1]


def load_references(db: Database, day: str, days: int = REFERENCE_DAYS, novelty_days: int = NOVELTY_DAYS,
                    novelty_cap: int = REFERENCE_CAP, near_cap: int = NEAR_DUP_CAP) -> References:
    """Eval cases and earlier candidates, read once for both the near-duplicate index (trailing
    `days` days) and the novelty reference (the `novelty_days` before the day's week). Both are
    capped by a weighted reservoir (bigger clusters more likely kept) so a busy month cannot make a
    day's curation slow: `near_cap` unreviewed candidates, `novelty_cap` novelty texts. Eval cases,
    queued and decided cases are always in. No history: no novelty index."""
    builder = _ReferenceBuilder()
    for row in db.fetch_all(sa.select(eval_cases.c.case_id, eval_cases.c.category, eval_cases.c.input_json, eval_cases.c.expected_output).order_by(eval_cases.c.case_id)):
        record = {"input": json.loads(row["input_json"]), "output": row["expected_output"]}
        text = user_text(record)
        builder.add_near(f"eval:{row['case_id']}", text, row["category"], dedup_key(text), "eval_case")
        builder.add_novelty(f"eval:{row['case_id']}", intent_of(record))
    window = _reference_window(db, day, days, novelty_days, novelty_cap, near_cap)
    _add_window_candidates(db, builder, window)
    _add_older_reviewed(db, builder, window)
    return builder.references()


class _ReferenceBuilder:
    """The near-duplicate references with each cluster's strongest status, and the novelty texts, in
    the order they are added (the order decides which case represents a cluster)."""

    def __init__(self) -> None:
        self.near: list[tuple] = []
        self.novelty_views: list[IntentViews] = []
        self.novelty_keys: list[str] = []

    def add_near(self, key: str, text: str, category: str, key_of_text: str, status: str, signature: Signature | None = None) -> None:
        """`signature`: the one stored with the candidate (None: the text is signed when the index is built)."""
        self.near.append((key, text, category, key_of_text, status, signature))

    def add_novelty(self, key: str, views: IntentViews) -> None:
        self.novelty_views.append(views)
        self.novelty_keys.append(key)

    def references(self) -> References:
        # A first week compared with a handful of eval cases would call nearly everything new.
        production = sum(1 for key in self.novelty_keys if key.startswith("cand:"))
        novelty = IntentIndex(self.novelty_views) if production >= MIN_HISTORY_TEXTS else None
        return References(self.near, novelty, self.novelty_keys)


@dataclass
class _Window:
    """The earlier candidates a day is compared with (identified as `day:case_id`)."""

    near_start: str  # first day of the near-duplicate window
    in_near: set[str]  # unreviewed candidates the near-duplicate reservoir kept
    in_novelty: set[str]  # candidates the novelty reservoir kept
    decided: set[str]  # case ids with a review decision
    queued: set[str]  # case ids in the review queue
    wanted: dict[str, list[str]]  # day -> case ids whose texts are read

    def reviewed(self, case_id: str) -> bool:
        return case_id in self.decided or case_id in self.queued

    def status(self, case_id: str) -> str:
        return "decided" if case_id in self.decided else "queued" if case_id in self.queued else "earlier"


def _reference_window(db: Database, day: str, days: int, novelty_days: int, novelty_cap: int, near_cap: int) -> _Window:
    """Draw both reservoirs over the candidates of the two windows, from their weights alone."""
    anchor = week_anchor(day)
    near_start = (dt.date.fromisoformat(day) - dt.timedelta(days=days)).isoformat()
    novelty_start = (anchor - dt.timedelta(days=novelty_days)).isoformat()
    novelty_end = anchor.isoformat()
    decided = {row["case_id"] for row in db.fetch_all(sa.select(review_decisions.c.case_id).distinct())}
    queued = {row["case_id"] for row in db.fetch_all(sa.select(review_queue.c.case_id))}
    window = (
        sa.select(candidates.c.day, candidates.c.case_id, candidates.c.duplicate_count)
        .where(candidates.c.day >= min(near_start, novelty_start), candidates.c.day < day)
    )
    weights = db.fetch_all(window)
    keys = reservoir_keys((f"{r['day']}:{r['case_id']}", r["duplicate_count"]) for r in weights)
    in_novelty = reservoir(
        [(f"{r['day']}:{r['case_id']}", r["duplicate_count"]) for r in weights if novelty_start <= r["day"] < novelty_end],
        novelty_cap, keys,
    )
    in_near = reservoir(
        [(f"{r['day']}:{r['case_id']}", r["duplicate_count"]) for r in weights
         if r["day"] >= near_start and r["case_id"] not in decided and r["case_id"] not in queued],
        near_cap, keys,
    )
    # Texts only for the rows kept: a month of candidates' conversations is most of the reading time.
    wanted: dict[str, list[str]] = {}
    for r in weights:
        ident = f"{r['day']}:{r['case_id']}"
        if ident in in_novelty or ident in in_near or (r["day"] >= near_start and (r["case_id"] in decided or r["case_id"] in queued)):
            wanted.setdefault(r["day"], []).append(r["case_id"])
    return _Window(near_start, in_near, in_novelty, decided, queued, wanted)


def _candidate_texts():
    """Candidates joined with their sanitised samples' input."""
    return (
        sa.select(candidates.c.day, candidates.c.case_id, candidates.c.category, candidates.c.dedup_key, candidates.c.minhash,
                  sanitised_samples.c.input_json, sanitised_samples.c.output)
        .join(sanitised_samples, sa.and_(sanitised_samples.c.day == candidates.c.day, sanitised_samples.c.case_id == candidates.c.case_id))
    )


def _add_window_candidates(db: Database, builder: _ReferenceBuilder, window: _Window) -> None:
    rows = []
    for wanted_day, case_ids in sorted(window.wanted.items()):
        for chunk in range(0, len(case_ids), 500):
            rows += db.fetch_all(
                _candidate_texts().where(candidates.c.day == wanted_day, candidates.c.case_id.in_(sorted(case_ids)[chunk:chunk + 500]))
            )
    rows.sort(key=lambda r: (r["day"], r["case_id"]))
    for row in rows:
        ident = f"{row['day']}:{row['case_id']}"
        near = row["day"] >= window.near_start and (ident in window.in_near or window.reviewed(row["case_id"]))
        if not near and ident not in window.in_novelty:
            continue
        record = {"input": json.loads(row["input_json"]), "output": row["output"]}
        if near:
            builder.add_near(f"cand:{ident}", user_text(record), row["category"], row["dedup_key"], window.status(row["case_id"]),
                             signature_from_bytes(row["minhash"]))
        if ident in window.in_novelty:
            builder.add_novelty(f"cand:{ident}", intent_of(record))


def _add_older_reviewed(db: Database, builder: _ReferenceBuilder, window: _Window) -> None:
    """Reviewed cases older than the window still cover their near-duplicates: a discarded or
    accepted case never returns in another form. They are few (a batch a week)."""
    reviewed = sorted(window.decided | window.queued)
    for chunk in range(0, len(reviewed), 500):
        old = (
            _candidate_texts()
            .where(candidates.c.day < window.near_start, candidates.c.case_id.in_(reviewed[chunk:chunk + 500]))
            .order_by(candidates.c.day, candidates.c.case_id)
        )
        for row in db.fetch_all(old):
            text = user_text({"input": json.loads(row["input_json"])})
            status = "decided" if row["case_id"] in window.decided else "queued"
            builder.add_near(f"cand:{row['day']}:{row['case_id']}", text, row["category"], row["dedup_key"], status,
                             signature_from_bytes(row["minhash"]))


def intent_of(record: dict) -> IntentViews:
    """What drift novelty compares: the opening request and what the agent did (intent_views)."""
    return views_of(record)


def reference_index(db: Database, day: str, days: int = REFERENCE_DAYS) -> tuple[NearDuplicateIndex, dict[str, _Reference]]:
    """The near-duplicate part of `load_references` (kept for callers that need only it)."""
    references = load_references(db, day, days)
    return references.index, references.info


def fit_reasons(reasons: list[str], width: int = REASONS_CHARS) -> str:
    """Join reason codes into the column's width, dropping whole codes from the end (never cutting one)."""
    kept: list[str] = []
    for position, reason in enumerate(reasons):
        rest = len(reasons) - position - 1
        candidate = ",".join([*kept, reason])
        suffix = f",+{rest}" if rest else ""
        if len(candidate) + len(suffix) > width:
            dropped = len(reasons) - len(kept)
            return ",".join([*kept, f"+{dropped}"])
        kept.append(reason)
    return ",".join(kept)


def categorise_day(db: Database, day: str) -> CurateReport:
    report = CurateReport(day=day)
    baseline = drift_baseline(db, day)
    references = load_references(db, day)
    samples = []
    for row in db.fetch_all(
        sa.select(sanitised_samples).where(sanitised_samples.c.day == day).order_by(sanitised_samples.c.timestamp, sanitised_samples.c.case_id)
    ):
        sample = dict(row, metadata=json.loads(row["metadata_json"]), input=json.loads(row["input_json"]))
        samples.append((sample, user_text(sample)))
    report.read = len(samples)
    if baseline:
        used = {name for sample, _ in samples for name in tool_names(sample)}
        baseline["tool"] = known_tools(db, day, used) if used else set()
    # Novelty once per distinct set of views: production repeats itself a lot.
    novelty_of: dict[tuple[str, str, str], Novelty] = {}
    views = {sample["case_id"]: intent_of(sample) for sample, _ in samples}
    intents = {case_id: (normalise(v.request), v.actions, normalise(v.replies)) for case_id, v in views.items()}
    if references.novelty is not None:
        distinct = dict(zip(intents.values(), views.values()))
        novelty_of = dict(zip(distinct, references.novelty.score(list(distinct.values()))))
        report.novelty_reference = references.novelty.size

    representatives: dict[str, dict] = {}  # day representative case_id -> candidate row
    texts: dict[str, str] = {}
    day_rep_of_cluster: dict[str, str] = {}  # index representative key -> the day's representative case_id
    novelties = [novelty_of.get(intents[sample["case_id"]]) if novelty_of else None for sample, _ in samples]
    stats: dict[str, float] = {}
    results = categorise_all([(sample, text, novelty) for (sample, text), novelty in zip(samples, novelties)], baseline, stats)
    with contextlib.closing(results):
        index, infos = references.index, references.info  # built while the workers categorise
        for (sample, text), novelty, (result, normal, minhash) in zip(samples, novelties, results):
            cluster = index.assign_normal(sample["case_id"], normal, result.category, signature_from_bytes(minhash))
            day_rep = day_rep_of_cluster.get(cluster)
            if day_rep is not None:
                representatives[day_rep]["duplicate_count"] += 1
                report.cluster_members.setdefault(day_rep, []).append(sample["case_id"])
                report.duplicates_dropped += 1
                continue
            reasons = list(result.reasons)
            key = dedup_key(text)
            reference = infos.get(cluster)
            if reference is not None:
                key = reference.dedup_key
                reasons.append(f"near_dup:{reference.status}")
                report.repeats[reference.status] += 1
            day_rep_of_cluster[cluster] = sample["case_id"]
            texts[sample["case_id"]] = text
            representatives[sample["case_id"]] = {
                "day": day,
                "case_id": sample["case_id"],
                "category": result.category,
                "reasons": fit_reasons(reasons),
                "dedup_key": key,
                "duplicate_count": 1,
                "novelty": novelty.score if novelty is not None else None,
                "minhash": minhash,  # later days read it instead of signing the text again
            }
    report.worker_cpu_s = round(stats.get("worker_cpu_s", 0.0), 2)
    kept = list(representatives.values())
    for candidate in kept:
        members = report.cluster_members.get(candidate["case_id"])
        candidate["duplicate_ids"] = json.dumps(members) if members else None
        report.by_category[candidate["category"]] += 1
        report.by_reason.update(reason_count_key(r) for r in candidate["reasons"].split(","))
    report.largest_clusters = sorted(
        ((c["case_id"], c["category"], c["duplicate_count"]) for c in kept), key=lambda item: -item[2]
    )[:10]
    novel = sorted((c for c in kept if c["novelty"] is not None), key=lambda c: (-c["novelty"], -c["duplicate_count"], c["case_id"]))
    report.top_novel = [
        (c["case_id"], c["category"], c["novelty"], c["duplicate_count"], snippet(texts[c["case_id"]])) for c in novel[:TOP_NOVEL]
    ]
    report.kept = db.replace_rows(candidates, candidates.c.day == day, kept)
    return report


def snippet(text: str, width: int = SNIPPET_CHARS) -> str:
    """Sanitised text on one line, cut to `width` characters, for metadata tables."""
    flat = " ".join(text.split()).replace("|", "/")
    return flat if len(flat) <= width else flat[: width - 1] + "…"


@dataclass
class WeekSummary:
    week: str
    by_day_category: dict[str, Counter] = field(default_factory=dict)  # day -> category -> candidates
    by_reason: Counter = field(default_factory=Counter)  # reason family (e.g. drift:novel_text, edge:error) -> candidates
    seen_by_category: Counter = field(default_factory=Counter)  # category -> samples (cluster sizes added up)
    cluster_sizes: Counter = field(default_factory=Counter)  # size bucket -> clusters
    top_novel: list[tuple[str, str, str, float, int, str]] = field(default_factory=list)  # day, case, category, novelty, size, snippet


_SIZE_BUCKETS = ((1, "1"), (2, "2-4"), (5, "5-19"), (20, "20-99"), (100, "100+"))


def reason_count_key(reason: str) -> str:
    """A day's reason counts: model evidence carries its score (`adv:model:0.93`,
    `adv:indirect:pasted:model:0.91`), counted once under the name without the score, not once per score."""
    return reason.rsplit(":", 1)[0] if reason.startswith("adv:") and ":model:" in reason else reason


def reason_family(reason: str) -> str:
    """`edge:error:timeout` -> `edge:error`; `adv:obfuscated:base64` -> `adv:obfuscated`; counts stay readable."""
    parts = reason.split(":")
    return ":".join(parts[:2]) if len(parts) > 2 else reason


def week_summary(db: Database, week: str, top: int = TOP_NOVEL) -> WeekSummary:
    """Counts per day and category, per reason family, cluster sizes and the most novel clusters of
    the week's candidates (sanitised text only, cut to SNIPPET_CHARS)."""
    summary = WeekSummary(week=week)
    days = [(dt.date.fromisoformat(week) + dt.timedelta(days=offset)).isoformat() for offset in range(7)]
    rows = db.fetch_all(
        sa.select(candidates.c.day, candidates.c.case_id, candidates.c.category, candidates.c.reasons,
                  candidates.c.duplicate_count, candidates.c.novelty).where(candidates.c.day.in_(days))
    )
    for row in rows:
        summary.by_day_category.setdefault(row["day"], Counter())[row["category"]] += 1
        summary.by_reason.update({reason_family(r) for r in row["reasons"].split(",") if r and not r.startswith("+")})
        summary.seen_by_category[row["category"]] += int(row["duplicate_count"] or 1)
        size = int(row["duplicate_count"] or 1)
        summary.cluster_sizes[next(label for bound, label in reversed(_SIZE_BUCKETS) if size >= bound)] += 1
    novel = sorted((r for r in rows if r["novelty"] is not None), key=lambda r: (-r["novelty"], -r["duplicate_count"], r["case_id"]))[:top]
    for row in novel:
        sample = db.fetch_all(sa.select(sanitised_samples.c.input_json).where(
            sanitised_samples.c.day == row["day"], sanitised_samples.c.case_id == row["case_id"]))
        text = user_text({"input": json.loads(sample[0]["input_json"])}) if sample else ""
        summary.top_novel.append((row["day"], row["case_id"], row["category"], float(row["novelty"]), int(row["duplicate_count"]), snippet(text)))
    return summary
