"""Settings read from environment variables, shared by the CLI and the Dagster code location.

Every value is validated here so that a bad value fails with one clear line, wherever it is read.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from logmine_dagster.core.signals import DEFAULT_SIGNAL_CAP, SIGNALS
from logmine_dagster.core.errors import LogmineError

DEFAULT_START_DATE = "2025-01-01"


class ConfigError(LogmineError, ValueError):
    """A configuration value is missing or invalid; the message is one line meant for the operator."""


_URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+)://")
# The pip extra that brings each optional fsspec driver (pyproject.toml [project.optional-dependencies]).
_DRIVER_EXTRAS = {"s3": "s3", "s3a": "s3", "gs": "gcs", "gcs": "gcs"}


def is_url(raw: str) -> bool:
    return bool(_URL_SCHEME.match(str(raw)))


def redact_url(url: str) -> str:
    """The URL without `user:password@` and without a query or fragment (where signed URLs and tokens
    live): what may be stored in tables, metadata, logs and messages."""
    text = str(url)
    if not _URL_SCHEME.match(text):
        return text
    text = re.split(r"[?#]", text, maxsplit=1)[0]
    # userinfo in the authority, also after extra slashes (memory:///user:pw@/x keeps it in the path).
    return re.sub(r"^([A-Za-z][A-Za-z0-9+.-]+:///*)[^/]*@", r"\1", text)


def parse_log_root(name: str, raw: str):
    """A local folder (an absolute `Path`, as before) or an fsspec URL (a `upath.UPath`: `file://`,
    `memory://`, `s3://`, `gs://`...). The protocol's driver is checked here so that a missing one
    fails with one line naming the extra to install, not deep inside a run."""
    match = _URL_SCHEME.match(raw)
    if not match:
        return Path(raw).expanduser().resolve()
    protocol = match.group(1).lower()
    import fsspec

    shown = redact_url(raw)
    try:
        fsspec.get_filesystem_class(protocol)
    except ImportError:
        extra = _DRIVER_EXTRAS.get(protocol)
        hint = f"pip install 'logmine[{extra}]'" if extra else f"install the fsspec driver for {protocol}://"
        raise ConfigError(f"{name} {shown}: no driver for {protocol}:// is installed ({hint})") from None
    except ValueError:
        raise ConfigError(f"{name} {shown}: unknown protocol {protocol}:// (use a local folder or an fsspec URL such as s3://, gs://, file://)") from None
    from upath import UPath

    return UPath(raw)


def _env(name: str, environ) -> str | None:
    value = environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


# The check_* functions validate values that are already typed (resource fields); the parse_*
# functions read the text of an environment variable and end in the same checks.


def check_rate(name: str, value: float) -> float:
    if not 0.0 <= value <= 1.0:
        raise ConfigError(f"{name} must be a number between 0 and 1, got {value!r}")
    return float(value)


def parse_rate(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number between 0 and 1, got {raw!r}") from None
    if not 0.0 <= value <= 1.0:
        raise ConfigError(f"{name} must be a number between 0 and 1, got {raw!r}")
    return value


def check_positive_int(name: str, value: int) -> int:
    if value <= 0:
        raise ConfigError(f"{name} must be a whole number greater than 0, got {value!r}")
    return value


def parse_positive_int(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number greater than 0, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be a whole number greater than 0, got {raw!r}")
    return value


def parse_common_term_users(name: str, raw: str) -> int:
    """k of the sanitiser's day vocabulary (sanitise/day_terms.py): below 2, a single customer's own
    name would count as a word of the day."""
    value = parse_positive_int(name, raw)
    if value < 2:
        raise ConfigError(f"{name} must be a whole number of at least 2, got {raw!r}")
    return value


def parse_date(name: str, raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a date YYYY-MM-DD, got {raw!r}") from None


def parse_terms(raw: str | None) -> tuple[str, ...]:
    """Comma-separated words the sanitiser must never mask (product, company and bot names)."""
    if not raw:
        return ()
    return tuple(sorted({term.strip() for term in raw.split(",") if term.strip()}))


LOG_FORMATS = ("auto", "canonical", "otlp", "mapped")


def parse_log_format(raw: str | None) -> str | None:
    """None means: detect per line."""
    if raw is None or raw == "auto":
        return None
    if raw not in LOG_FORMATS:
        raise ConfigError(f"LOGMINE_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, got {raw!r}")
    return raw


def parse_flag(name: str, raw: str | None) -> bool:
    if raw is None:
        return False
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _signal_table(name: str, raw: str, parse_value) -> dict:
    """`signal=value,signal=value`; a bare value applies to every signal."""
    raw = raw.strip()
    if "=" not in raw:
        return {signal: parse_value(raw) for signal in SIGNALS}
    table = {}
    for part in raw.split(","):
        if not part.strip():
            continue
        signal, sep, value = part.partition("=")
        signal = signal.strip()
        if not sep or signal not in SIGNALS:
            raise ConfigError(f"{name}: expected signal=value pairs with signals among {', '.join(SIGNALS)}, got {part.strip()!r}")
        table[signal] = parse_value(value.strip())
    return table


def parse_signal_rates(name: str, raw: str) -> dict[str, float]:
    """LOGMINE_SIGNAL_RATES, e.g. `low_confidence=0.5,long_conversation=0.2` (others stay 1)."""
    return _signal_table(name, raw, lambda value: parse_rate(name, value))


def parse_cap(name: str, raw: str) -> int | None:
    if raw.lower() in ("none", "off", "unlimited"):
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number (0 or more) or 'none', got {raw!r}") from None
    if value < 0:
        raise ConfigError(f"{name} must be a whole number (0 or more) or 'none', got {raw!r}")
    return value


def parse_signal_caps(name: str, raw: str) -> dict[str, int | None]:
    """LOGMINE_SIGNAL_CAPS: a daily cap for every signal (`1000`) or per signal (`error=500,escalated=none`)."""
    table = _signal_table(name, raw, lambda value: parse_cap(name, value))
    return {signal: table.get(signal, DEFAULT_SIGNAL_CAP) for signal in SIGNALS}


def _check_signal_names(name: str, table: dict) -> None:
    if not table:
        raise ConfigError(f"{name}: expected signal=value pairs with signals among {', '.join(SIGNALS)}, got none")
    for signal in table:
        if signal not in SIGNALS:
            raise ConfigError(f"{name}: expected signal=value pairs with signals among {', '.join(SIGNALS)}, got {signal!r}")


def check_signal_rates(name: str, table: dict[str, float]) -> dict[str, float]:
    """A typed `signal_rates` mapping (others stay 1)."""
    _check_signal_names(name, table)
    return {signal: check_rate(name, rate) for signal, rate in table.items()}


def check_cap(name: str, value: int | None) -> int | None:
    if value is not None and value < 0:
        raise ConfigError(f"{name} must be a whole number (0 or more) or 'none', got {value!r}")
    return value


def check_signal_caps(name: str, table: dict[str, int | None]) -> dict[str, int | None]:
    """A typed `signal_caps` mapping; signals it leaves out keep the default cap."""
    _check_signal_names(name, table)
    checked = {signal: check_cap(name, cap) for signal, cap in table.items()}
    return {signal: checked.get(signal, DEFAULT_SIGNAL_CAP) for signal in SIGNALS}


def parse_optional_fraction(name: str, raw: str) -> float | None:
    """A share between 0 and 1, or `none` to switch the ceiling off."""
    if raw.lower() in ("none", "off"):
        return None
    return parse_rate(name, raw)


def check_database_url(url: str) -> str:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        # SQLAlchemy 2.1 maps the bare scheme to psycopg 3, which is not installed.
        raise ConfigError(
            "LOGMINE_DATABASE_URL must name its driver: use postgresql+psycopg2://... "
            f"(got scheme {url.split('://', 1)[0]!r})"
        )
    if "://" not in url:
        raise ConfigError("LOGMINE_DATABASE_URL must be an SQLAlchemy URL such as sqlite:///path or postgresql+psycopg2://...")
    return url


def logmine_home(environ=None) -> Path:
    """LOGMINE_HOME as an absolute path (default `.logmine` in the working folder)."""
    environ = os.environ if environ is None else environ
    return Path(_env("LOGMINE_HOME", environ) or ".logmine").expanduser().resolve()


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    log_root: Path  # or a upath.UPath for an fsspec URL (parse_log_root)
    sample_rate: float
    retention_days: int
    start_date: dt.date
    low_confidence_threshold: float
    batch_size: int
    allow_terms: tuple[str, ...] = ()
    log_format: str | None = None
    field_mapping: Path | None = None
    require_success_marker: bool = False
    max_per_user_per_day: int | None = None
    opt_out_file: Path | None = None
    sensor_interval_s: int = 60
    signal_rates: dict | None = None
    signal_caps: dict | None = None
    long_conversation_messages: int = 16
    max_sampled_fraction: float | None = 0.2
    max_bad_fraction: float | None = 0.05
    max_record_bytes: int = 4 * 1024 * 1024
    common_term_users: int = 5

    @classmethod
    def from_env(cls, environ=None) -> "Settings":
        environ = os.environ if environ is None else environ
        home = logmine_home(environ)
        database_url = _env("LOGMINE_DATABASE_URL", environ) or f"sqlite:///{home / 'logmine.db'}"
        log_root = parse_log_root("LOGMINE_LOG_ROOT", _env("LOGMINE_LOG_ROOT", environ) or str(home / "logs"))
        rate_raw = _env("LOGMINE_SAMPLE_RATE", environ)
        retention_raw = _env("LOGMINE_RETENTION_DAYS", environ)
        start_raw = _env("LOGMINE_START_DATE", environ) or DEFAULT_START_DATE
        threshold_raw = _env("LOGMINE_LOW_CONFIDENCE", environ)
        batch_raw = _env("LOGMINE_BATCH_SIZE", environ)
        return cls(
            home=home,
            database_url=check_database_url(database_url),
            log_root=log_root,
            sample_rate=parse_rate("LOGMINE_SAMPLE_RATE", rate_raw) if rate_raw else 0.005,
            retention_days=parse_positive_int("LOGMINE_RETENTION_DAYS", retention_raw) if retention_raw else 30,
            start_date=parse_date("LOGMINE_START_DATE", start_raw),
            low_confidence_threshold=parse_rate("LOGMINE_LOW_CONFIDENCE", threshold_raw) if threshold_raw else 0.5,
            batch_size=parse_positive_int("LOGMINE_BATCH_SIZE", batch_raw) if batch_raw else 30,
            allow_terms=parse_terms(_env("LOGMINE_ALLOW_TERMS", environ)),
            log_format=parse_log_format(_env("LOGMINE_LOG_FORMAT", environ)),
            field_mapping=Path(mapping).expanduser().resolve() if (mapping := _env("LOGMINE_FIELD_MAPPING", environ)) else None,
            require_success_marker=parse_flag("LOGMINE_REQUIRE_SUCCESS", _env("LOGMINE_REQUIRE_SUCCESS", environ)),
            max_per_user_per_day=parse_positive_int("LOGMINE_MAX_PER_USER", cap) if (cap := _env("LOGMINE_MAX_PER_USER", environ)) else None,
            opt_out_file=Path(opt_out).expanduser().resolve() if (opt_out := _env("LOGMINE_OPT_OUT_FILE", environ)) else None,
            sensor_interval_s=parse_positive_int("LOGMINE_SENSOR_INTERVAL_S", interval) if (interval := _env("LOGMINE_SENSOR_INTERVAL_S", environ)) else 60,
            signal_rates=parse_signal_rates("LOGMINE_SIGNAL_RATES", raw) if (raw := _env("LOGMINE_SIGNAL_RATES", environ)) else None,
            signal_caps=parse_signal_caps("LOGMINE_SIGNAL_CAPS", raw) if (raw := _env("LOGMINE_SIGNAL_CAPS", environ)) else None,
            long_conversation_messages=parse_positive_int("LOGMINE_LONG_CONVERSATION", raw) if (raw := _env("LOGMINE_LONG_CONVERSATION", environ)) else 16,
            max_sampled_fraction=parse_optional_fraction("LOGMINE_MAX_SAMPLED_FRACTION", raw) if (raw := _env("LOGMINE_MAX_SAMPLED_FRACTION", environ)) else 0.2,
            max_bad_fraction=parse_optional_fraction("LOGMINE_MAX_BAD_FRACTION", raw) if (raw := _env("LOGMINE_MAX_BAD_FRACTION", environ)) else 0.05,
            max_record_bytes=parse_positive_int("LOGMINE_MAX_RECORD_BYTES", raw) if (raw := _env("LOGMINE_MAX_RECORD_BYTES", environ)) else 4 * 1024 * 1024,
            common_term_users=parse_common_term_users("LOGMINE_COMMON_TERM_USERS", raw) if (raw := _env("LOGMINE_COMMON_TERM_USERS", environ)) else 5,
        )


def secret_from_env_or_file(env_name: str, key_file: Path, min_length: int, environ=None) -> str:
    """A secret from `env_name`, else from `key_file`, created once (mode 600) with a random value.

    Never written to the database, so the data alone cannot be used to rebuild what the secret keys.
    """
    environ = os.environ if environ is None else environ
    from_env = _env(env_name, environ)
    if from_env:
        if len(from_env) < min_length:
            raise ConfigError(f"{env_name} must be at least {min_length} characters long")
        return from_env
    if not key_file.exists():
        try:
            key_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)  # LOGMINE_HOME: private if we make it
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first
            pass
        except OSError as error:
            raise ConfigError(
                f"cannot create the key file {key_file} ({error.strerror or type(error).__name__}): "
                f"set {env_name}, or make LOGMINE_HOME writable"
            ) from error
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
    return key_file.read_text().strip()


def load_hash_key(home: Path, environ=None) -> bytes:
    """The secret that keys pseudonyms (hashed ids): LOGMINE_HASH_KEY, else `hash.key` under LOGMINE_HOME."""
    return secret_from_env_or_file("LOGMINE_HASH_KEY", home / "hash.key", 16, environ).encode("utf-8")
