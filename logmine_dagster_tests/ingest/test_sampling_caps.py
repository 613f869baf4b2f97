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
