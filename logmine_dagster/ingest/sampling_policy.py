"""What a day's sample may take: the rates per stratum, the daily caps per signal and the privacy
commitments (opt-out, per-user cap, ceiling) no rate can override."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from logmine_dagster.core.signals import DEFAULT_SIGNAL_CAP, SIGNALS

REASON_ORDER = SIGNALS + ("base_rate",)
DEFAULT_MAX_SAMPLED_FRACTION = 0.2
DEFAULT_LONG_CONVERSATION_MESSAGES = 16


def default_caps() -> dict[str, int | None]:
    return {signal: DEFAULT_SIGNAL_CAP for signal in SIGNALS}


@dataclass(frozen=True)
class SamplingPolicy:
    rate: float = 0.005
    low_confidence_threshold: float = 0.5
    salt: str = "logmine-sample-v1"
    # A conversation counts as long from this many input messages on.
    long_conversation_messages: int = DEFAULT_LONG_CONVERSATION_MESSAGES
    # Per signal; a signal not named has rate 1 (every such record is a candidate) and the default cap.
    signal_rates: Mapping[str, float] = field(default_factory=dict)
    # Per signal records a day at most (None: no cap).
    signal_caps: Mapping[str, int | None] = field(default_factory=default_caps)
    # Privacy commitments no rate or signal can override.
    max_per_user_per_day: int | None = None
    max_sampled_fraction: float | None = DEFAULT_MAX_SAMPLED_FRACTION
    opted_out_users: frozenset[str] = frozenset()
    opted_out_tenants: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for name, table in (("signal_rates", self.signal_rates), ("signal_caps", self.signal_caps)):
            unknown = sorted(set(table) - set(SIGNALS))
            if unknown:
                raise ValueError(f"{name}: unknown signal(s) {', '.join(unknown)}; known: {', '.join(SIGNALS)}")
        for signal, rate in self.signal_rates.items():
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"signal_rates: {signal} must be between 0 and 1, got {rate}")
        for signal, cap in self.signal_caps.items():
            if cap is not None and cap < 0:
                raise ValueError(f"signal_caps: {signal} must be 0 or more, got {cap}")
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"rate must be between 0 and 1, got {self.rate}")
        if self.max_sampled_fraction is not None and not 0.0 <= self.max_sampled_fraction <= 1.0:
            raise ValueError(f"max_sampled_fraction must be between 0 and 1, got {self.max_sampled_fraction}")

    def rate_for(self, signal: str) -> float:
        return float(self.signal_rates.get(signal, 1.0))

    def cap_for(self, signal: str) -> int | None:
        return self.signal_caps.get(signal, DEFAULT_SIGNAL_CAP)

    @property
    def has_opt_outs(self) -> bool:
        return bool(self.opted_out_users or self.opted_out_tenants)


def opted_out(record: dict, policy: SamplingPolicy) -> bool:
    if record.get("user_id") is not None and record["user_id"] in policy.opted_out_users:
        return True
    metadata = record.get("metadata")
    tenant = metadata.get("tenant") if isinstance(metadata, dict) else None
    return tenant is not None and tenant in policy.opted_out_tenants


def load_opt_out(path) -> tuple[frozenset[str], frozenset[str]]:
    """One entry a line: a user id, or `tenant:NAME`; `#` starts a comment."""
    users, tenants = set(), set()
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            entry = line.split("#", 1)[0].strip()
            if entry.startswith("tenant:"):
                tenants.add(entry[len("tenant:"):].strip())
            elif entry:
                users.add(entry)
    return frozenset(users), frozenset(tenants)
