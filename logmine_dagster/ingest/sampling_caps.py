"""The caps a day's candidates go through after the rates: per signal (spill-over leaves that stratum
only), then the privacy commitments per user and for the whole day. Each returns the thinning factor
it applied, for the inclusion probability."""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict

from logmine_dagster.core.signals import SIGNALS
from logmine_dagster.ingest.candidate_spool import Candidate
from logmine_dagster.ingest.sampling_policy import SamplingPolicy


class SignalCaps:
    """Keeps the `cap` records of each stratum with the lowest stratum hash (bottom-k: deterministic,
    independent of file order). Counts the records each stratum drew into `passed` and those its cap
    excluded into `excluded`."""

    def __init__(self, policy: SamplingPolicy, passed: Counter, excluded: Counter) -> None:
        self._policy = policy
        self._caps = {s: policy.cap_for(s) for s in SIGNALS}
        self._heaps: dict[str, list[int]] = {s: [] for s in SIGNALS}
        self.passed = passed
        self.excluded = excluded

    def admit(self, kept: set[str], hashes: dict[str, int]) -> None:
        """While streaming: drop from `kept` each stratum the record can no longer make the cap of."""
        for signal in tuple(kept):
            self.passed[signal] += 1
            cap = self._caps[signal]
            if cap is None:
                continue
            # Streaming bottom-k: a hash above the k smallest seen so far can never be among the
            # day's k smallest, so the record need not be kept for this stratum.
            heap = self._heaps[signal]
            if len(heap) < cap:
                heapq.heappush(heap, -hashes[signal])
            elif cap and hashes[signal] < -heap[0]:
                heapq.heapreplace(heap, -hashes[signal])
            else:
                kept.discard(signal)

    def trim(self, candidates: list[Candidate]) -> dict[str, float]:
        """At the day's end: cut each stratum to its cap; each stratum's inclusion probability."""
        stratum_probability = {}
        for signal in SIGNALS:
            members = [c for c in candidates if signal in c.kept]
            cap = self._caps[signal]
            passed = self.passed[signal]  # members pruned while streaming are counted here
            if cap is not None and len(members) > cap:
                members.sort(key=lambda c: c.hashes[signal])
                for dropped in members[cap:]:
                    dropped.kept.discard(signal)
            if cap is not None and passed > cap:
                self.excluded[signal] = passed - cap
            thinning = min(1.0, cap / passed) if cap is not None and passed else 1.0
            stratum_probability[signal] = self._policy.rate_for(signal) * thinning
        return stratum_probability


def cap_per_user(selected: list[Candidate], limit: int) -> tuple[list[Candidate], dict[str, float], int]:
    """Each user's `limit` selected records with the lowest base hash: (the kept records, the thinning
    of each capped user, how many records the cap excluded)."""
    by_user: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in selected:
        if candidate.user is not None:
            by_user[candidate.user].append(candidate)
    dropped_ids = set()
    user_factor: dict[str, float] = {}
    for user, theirs in by_user.items():
        if len(theirs) > limit:
            theirs.sort(key=lambda c: c.u0)
            dropped_ids.update(id(c) for c in theirs[limit:])
            user_factor[user] = limit / len(theirs)
    return [c for c in selected if id(c) not in dropped_ids], user_factor, len(dropped_ids)


def day_ceiling(max_sampled_fraction: float, scanned: int) -> int:
    return math.floor(max_sampled_fraction * scanned)


def cap_to_ceiling(selected: list[Candidate], ceiling: int) -> tuple[list[Candidate], float, int]:
    """The `ceiling` selected records with the lowest base hash: (the kept records, the thinning,
    how many records the ceiling excluded)."""
    if len(selected) <= ceiling:
        return selected, 1.0, 0
    factor = ceiling / len(selected)
    selected.sort(key=lambda c: c.u0)
    return selected[:ceiling], factor, len(selected) - ceiling
