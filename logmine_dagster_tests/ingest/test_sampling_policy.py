"""The sampling policy refuses a bad setting with a message naming it, and fills in what is left out."""

import pytest

from logmine_dagster.core.signals import DEFAULT_SIGNAL_CAP, SIGNALS
from logmine_dagster.ingest.sampling_policy import SamplingPolicy, load_opt_out


@pytest.mark.parametrize("table", ["signal_rates", "signal_caps"])
def test_an_unknown_signal_is_refused_by_name(table):
    with pytest.raises(ValueError, match=rf"^{table}: unknown signal\(s\) erorr; known: error, low_confidence"):
        SamplingPolicy(**{table: {"erorr": 1}})


def test_rates_and_fractions_take_both_ends_of_the_unit_interval_and_nothing_beyond():
    SamplingPolicy(rate=1.0, signal_rates={"error": 1.0}, max_sampled_fraction=1.0)
    SamplingPolicy(rate=0.0, signal_rates={"error": 0.0}, max_sampled_fraction=0.0)
    with pytest.raises(ValueError, match=r"^signal_rates: error must be between 0 and 1, got 1.5"):
        SamplingPolicy(signal_rates={"error": 1.5})
    with pytest.raises(ValueError, match=r"^rate must be between 0 and 1, got 1.5"):
        SamplingPolicy(rate=1.5)
    with pytest.raises(ValueError, match=r"^max_sampled_fraction must be between 0 and 1, got 1.5"):
        SamplingPolicy(max_sampled_fraction=1.5)
    with pytest.raises(ValueError, match=r"^signal_caps: error must be 0 or more, got -1"):
        SamplingPolicy(signal_caps={"error": -1})


def test_a_signal_left_out_of_the_caps_keeps_the_default_cap_not_none():
    policy = SamplingPolicy(signal_caps={"error": 5})
    assert policy.cap_for("error") == 5
    assert all(policy.cap_for(signal) == DEFAULT_SIGNAL_CAP for signal in SIGNALS if signal != "error")


def test_the_opt_out_file_ignores_comments_and_keeps_what_precedes_the_first_hash(tmp_path):
    path = tmp_path / "opt-out.txt"
    path.write_text(
        "# users who asked to be left out\nuser-1  # by mail # twice\n\ntenant: Acme Corp # whole tenant\n#user-2\n",
        encoding="utf-8",
    )
    assert load_opt_out(path) == (frozenset({"user-1"}), frozenset({"Acme Corp"}))
