"""The per-user cap and the day's ceiling keep the lowest hashes and report the thinning the weights use.
Written for mutants of ingest/sampling_caps.py that survived scripts/mutation_score.py."""

from types import SimpleNamespace

from logmine_dagster.ingest.sampling_caps import cap_per_user, cap_to_ceiling


def _candidates(*pairs):
    # Only the base hash u0 and the user are read by the caps.
    return [SimpleNamespace(u0=u0, user=user) for u0, user in pairs]


def test_under_or_at_the_ceiling_nothing_is_thinned():
    selected = _candidates((0.3, "a"), (0.1, "b"))
    for ceiling in (2, 5):
        kept, factor, dropped = cap_to_ceiling(list(selected), ceiling)
        assert (factor, dropped) == (1.0, 0) and sorted(c.u0 for c in kept) == [0.1, 0.3]


def test_over_the_ceiling_the_lowest_hashes_stay_and_the_factor_is_the_kept_share():
    kept, factor, dropped = cap_to_ceiling(_candidates((0.4, "a"), (0.1, "b"), (0.3, "c"), (0.2, "d")), 2)
    assert [c.u0 for c in kept] == [0.1, 0.2] and factor == 0.5 and dropped == 2


def test_a_user_at_the_limit_is_not_thinned_one_over_it_is():
    selected = _candidates((0.5, "at"), (0.2, "at"), (0.9, "over"), (0.1, "over"), (0.4, "over"), (0.3, None))
    kept, factors, dropped = cap_per_user(selected, 2)
    assert factors == {"over": 2 / 3} and dropped == 1
    assert sorted(c.u0 for c in kept) == [0.1, 0.2, 0.3, 0.4, 0.5]


# -- the per-signal caps (SignalCaps): bottom-k per stratum while streaming, cut and weighted at the day's end


def _signal_caps(**caps):
    from collections import Counter

    from logmine_dagster.ingest.sampling_caps import SignalCaps
    from logmine_dagster.ingest.sampling_policy import SamplingPolicy

    policy = SamplingPolicy(signal_caps=caps, signal_rates={"error": 0.5})
    return SignalCaps(policy, Counter(), Counter())


def _stream(caps, signal, hashes):
    """Admit one record per hash into `signal`'s stratum; the records, each with what admit left of its strata."""
    records = []
    for value in hashes:
        record = SimpleNamespace(kept={signal}, hashes={signal: value})
        caps.admit(record.kept, record.hashes)
        records.append(record)
    return records


def test_a_capped_stratum_keeps_while_streaming_only_records_that_can_still_be_among_its_lowest_hashes():
    caps = _signal_caps(error=2)
    records = _stream(caps, "error", [50, 30, 90, 10, 40, 30])
    # 50 and 30 fill the cap; 90 is above both; 10 replaces 50; 40 is above the two lowest (10, 30), and so is a
    # second 30 (a tie never displaces the record already held: the stable sort at the day's end keeps the first).
    assert [bool(r.kept) for r in records] == [True, True, False, True, False, False]
    assert caps.passed["error"] == 6  # every record the stratum drew, the pruned ones too


def test_a_stratum_capped_at_zero_keeps_nothing_and_gives_probability_zero():
    caps = _signal_caps(escalated=0)
    records = _stream(caps, "escalated", [20, 10])
    assert [r.kept for r in records] == [set(), set()] and caps.passed["escalated"] == 2
    probability = caps.trim(records)
    assert probability["escalated"] == 0.0 and caps.excluded["escalated"] == 2


def test_an_uncapped_stratum_keeps_every_record_at_its_rate():
    caps = _signal_caps(low_confidence=None, error=None)
    records = _stream(caps, "low_confidence", [30, 20, 10]) + _stream(caps, "error", [30, 20, 10])
    assert all(r.kept for r in records)
    probability = caps.trim(records)
    assert all(r.kept for r in records) and not caps.excluded
    assert probability["low_confidence"] == 1.0 and probability["error"] == 0.5


def test_a_stratum_at_or_under_its_cap_is_not_thinned_and_one_over_it_is():
    def day(cap):
        caps = _signal_caps(error=cap)
        records = _stream(caps, "error", [30, 10, 20])
        return caps, caps.trim(records), records

    # At the cap or under it: the stratum's probability is its rate, never more, and nothing is counted excluded.
    for cap in (3, 4):
        caps, probability, records = day(cap)
        assert probability["error"] == 0.5 and all(r.kept for r in records) and "error" not in caps.excluded
    # One over: the two lowest hashes stay, one record is excluded, and the probability is thinned by 2/3.
    caps, probability, records = day(2)
    assert [bool(r.kept) for r in records] == [False, True, True]
    assert caps.excluded["error"] == 1 and probability["error"] == 0.5 * 2 / 3


def test_the_day_end_cut_keeps_the_lowest_hashes_of_a_stratum_whatever_streaming_left():
    caps = _signal_caps(error=2)
    caps.passed["error"] = 4  # as if admit had counted them: trim cuts what it is given
    records = [SimpleNamespace(kept={"error", "escalated"}, hashes={"error": h, "escalated": h}) for h in (40, 10, 30, 20)]
    probability = caps.trim(records)
    assert [sorted(r.kept) for r in records] == [["escalated"], ["error", "escalated"], ["escalated"], ["error", "escalated"]]
    assert caps.excluded["error"] == 2 and probability["error"] == 0.5 * 2 / 4
