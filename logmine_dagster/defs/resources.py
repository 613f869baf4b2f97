"""Resources: logmine's database, the raw log source, the Presidio sanitiser and the mining policy.

Every field left unset falls back to the LOGMINE_* environment variables, read once per resource
when a run (or sensor tick) first needs one, so secrets and paths never have to be written into run
config (which Dagster stores and shows). Set fields are typed and checked without a round trip
through text.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Iterator, Optional

import dagster as dg

from pydantic import PrivateAttr

from logmine_dagster.core.config import ConfigError, Settings, check_database_url, check_positive_int, check_rate, load_hash_key
from logmine_dagster.core.config import check_signal_caps, check_signal_rates, parse_log_format, parse_log_root
from logmine_dagster.ingest.formats.mapped import load_mapping
from logmine_dagster.ingest.log_reader import (
    LineResult,
    display_root,
    has_partition,
    list_partition_days,
    listing_snapshot,
    partition_complete,
    partition_fingerprint,
    read_partition,
)
from logmine_dagster.ingest.sampling import SamplingPolicy, default_caps, load_opt_out
from logmine_dagster.storage import Database


@functools.lru_cache(maxsize=8)
def _database(url: str) -> Database:
    return Database(url)


class SettingsFallback(dg.ConfigurableResource):
    """A resource whose unset fields come from the LOGMINE_* settings, parsed once per instance
    (Dagster builds a fresh instance for every run and sensor tick, so a changed environment is seen)."""

    _settings: Optional[Settings] = PrivateAttr(default=None)

    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = Settings.from_env()
        return self._settings


class LogmineDatabase(SettingsFallback):
    """logmine's SQLAlchemy database (default: LOGMINE_DATABASE_URL, else SQLite under LOGMINE_HOME)."""

    url: Optional[str] = None

    def get(self) -> Database:
        return _database(check_database_url(self.url) if self.url else self.settings().database_url)

    def home(self) -> Path:
        return self.settings().home


class LogSource(SettingsFallback):
    """Raw logs as Hive-style day folders: `root/dt=YYYY-MM-DD/*.jsonl[.gz|.zst]` or `*.parquet`.

    `root`: a local folder or an fsspec URL (`s3://bucket/logs`, `gs://...`, `file:///...`,
    `memory://...`); s3/gcs drivers come with the `logmine[s3]` / `logmine[gcs]` extras. Credentials
    come from the driver's usual environment/config, never from the URL (shown names are redacted).

    `format`: auto (detect per line: canonical or OTLP JSON), canonical, otlp or mapped (needs
    `field_mapping`, a YAML file). `require_success_marker`: a day counts only once `_SUCCESS` exists.
    `max_record_bytes`: longer lines are quarantined unread. Unset fields fall back to
    LOGMINE_LOG_ROOT, LOGMINE_LOG_FORMAT, LOGMINE_FIELD_MAPPING, LOGMINE_REQUIRE_SUCCESS and
    LOGMINE_MAX_RECORD_BYTES.
    """

    root: Optional[str] = None
    format: Optional[str] = None
    field_mapping: Optional[str] = None
    require_success_marker: Optional[bool] = None
    # Longer lines are quarantined unread (unset: LOGMINE_MAX_RECORD_BYTES, default 4 MiB).
    max_record_bytes: Optional[int] = None

    def root_path(self):
        """A `Path` for a local folder (as before), a `upath.UPath` for an fsspec URL."""
        return parse_log_root("root", self.root) if self.root else self.settings().log_root

    def display_root(self) -> str:
        """The root as it may be shown: a URL without `user:password@` or query."""
        return display_root(self.root_path())

    def log_format(self) -> Optional[str]:
        return parse_log_format(self.format) if self.format else self.settings().log_format

    def mapping(self) -> Optional[dict]:
        path = Path(self.field_mapping) if self.field_mapping else self.settings().field_mapping
        if path is None:
            if self.log_format() == "mapped":
                raise ConfigError("log format 'mapped' needs a field mapping (LOGMINE_FIELD_MAPPING)")
            return None
        return load_mapping(path)

    def needs_success_marker(self) -> bool:
        if self.require_success_marker is not None:
            return self.require_success_marker
        return self.settings().require_success_marker

    def days(self) -> list[str]:
        """Day folders that are ready to read (with `_SUCCESS` when that is required)."""
        days = list_partition_days(self.root_path())
        if self.needs_success_marker():
            days = [day for day in days if partition_complete(self.root_path(), day)]
        return days

    def record_limit(self) -> int:
        if self.max_record_bytes is None:
            return self.settings().max_record_bytes
        return check_positive_int("max_record_bytes", self.max_record_bytes)

    def read_day(self, day: str) -> Iterator[LineResult]:
        return read_partition(self.root_path(), day, self.record_limit(), fmt=self.log_format(), mapping=self.mapping())

    def fingerprint(self, day: str) -> str:
        return partition_fingerprint(self.root_path(), day)

    def has_day(self, day: str) -> bool:
        return has_partition(self.root_path(), day)

    def listing(self):
        """(ready days, fingerprint function) for the sensor: one recursive listing for a remote root."""
        return listing_snapshot(self.root_path(), self.needs_success_marker())


class PresidioSanitiser(SettingsFallback):
    """Presidio (spaCy NER + pattern recognizers) and the secret that keys pseudonyms.

    `hash_key` unset: LOGMINE_HASH_KEY, else a key file created once under LOGMINE_HOME.
    `allow_terms` unset: LOGMINE_ALLOW_TERMS (comma-separated words that are never masked).
    """

    hash_key: Optional[str] = None
    allow_terms: Optional[list[str]] = None

    def sanitiser(self):
        from logmine_dagster.sanitise.sanitiser import get_sanitiser  # loads spaCy: only when a run needs it

        terms = tuple(sorted(self.allow_terms)) if self.allow_terms is not None else self.settings().allow_terms
        return get_sanitiser(terms)

    def common_term_users(self) -> int:
        """k of the day's common terms (LOGMINE_COMMON_TERM_USERS), checked when the settings load."""
        return self.settings().common_term_users

    def key(self) -> bytes:
        if self.hash_key:
            if len(self.hash_key) < 16:
                raise ConfigError("hash_key must be at least 16 characters long")
            return self.hash_key.encode("utf-8")
        return load_hash_key(self.settings().home)


def _or(field, setting, check):
    """The resource field, checked, when it is set; else the value from the settings (already checked)."""
    return setting if field is None else check(field)


class MiningPolicy(SettingsFallback):
    """Sampling rate, low-confidence threshold, privacy commitments, retention period and batch size.

    `opt_out_file` (or LOGMINE_OPT_OUT_FILE): user ids and `tenant:NAME` lines that are never sampled.
    `max_per_user_per_day` (or LOGMINE_MAX_PER_USER): no user contributes more samples a day.
    Stratified sampling and ceilings: see the fields below and README "Sampling".
    """

    sample_rate: Optional[float] = None
    low_confidence_threshold: Optional[float] = None
    retention_days: Optional[int] = None
    batch_size: Optional[int] = None
    max_per_user_per_day: Optional[int] = None
    opt_out_file: Optional[str] = None
    # Stratified sampling (unset: LOGMINE_SIGNAL_RATES, LOGMINE_SIGNAL_CAPS, LOGMINE_LONG_CONVERSATION).
    signal_rates: Optional[dict[str, float]] = None
    signal_caps: Optional[dict[str, Optional[int]]] = None
    long_conversation_messages: Optional[int] = None
    # Ceilings (unset: LOGMINE_MAX_SAMPLED_FRACTION, default 0.2; LOGMINE_MAX_BAD_FRACTION, default
    # 0.05). A value above 1 is refused; 1 switches a ceiling off in effect.
    max_sampled_fraction: Optional[float] = None
    max_bad_fraction: Optional[float] = None

    def sampling(self) -> SamplingPolicy:
        settings = self.settings()
        opt_out_path = Path(self.opt_out_file) if self.opt_out_file else settings.opt_out_file
        if opt_out_path is not None and not opt_out_path.is_file():
            raise ConfigError(f"opt-out file {opt_out_path} does not exist")
        users, tenants = load_opt_out(opt_out_path) if opt_out_path else (frozenset(), frozenset())
        return SamplingPolicy(
            rate=_or(self.sample_rate, settings.sample_rate, lambda v: check_rate("sample_rate", v)),
            low_confidence_threshold=_or(
                self.low_confidence_threshold, settings.low_confidence_threshold, lambda v: check_rate("low_confidence_threshold", v)
            ),
            long_conversation_messages=_or(
                self.long_conversation_messages, settings.long_conversation_messages, lambda v: check_positive_int("long_conversation_messages", v)
            ),
            signal_rates=_or(self.signal_rates, settings.signal_rates or {}, lambda v: check_signal_rates("signal_rates", v)),
            signal_caps=_or(self.signal_caps, settings.signal_caps or default_caps(), lambda v: check_signal_caps("signal_caps", v)),
            max_per_user_per_day=_or(
                self.max_per_user_per_day, settings.max_per_user_per_day, lambda v: check_positive_int("max_per_user_per_day", v)
            ),
            max_sampled_fraction=_or(self.max_sampled_fraction, settings.max_sampled_fraction, lambda v: check_rate("max_sampled_fraction", v)),
            opted_out_users=users,
            opted_out_tenants=tenants,
        )

    def bad_fraction_limit(self) -> Optional[float]:
        if self.max_bad_fraction is None:
            return self.settings().max_bad_fraction
        return check_rate("max_bad_fraction", self.max_bad_fraction)

    def retention(self) -> int:
        if self.retention_days is None:
            return self.settings().retention_days
        return check_positive_int("retention_days", self.retention_days)

    def batch_cap(self) -> int:
        if self.batch_size is None:
            return self.settings().batch_size
        return check_positive_int("batch_size", self.batch_size)


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "database": LogmineDatabase(),
            "log_source": LogSource(),
            "presidio": PresidioSanitiser(),
            "policy": MiningPolicy(),
        }
    )
