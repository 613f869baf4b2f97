"""Lines that hold nothing but a name; lines of ordinary words and labels stay."""

from __future__ import annotations

import pytest

from logmine_dagster_tests.sanitise.masking import assert_kept, assert_masked


MASKED = [
    # lines holding only a name, "Label: name"
    ("> Tadeo R Ubaldo\n> Brightline Holdings", "Ubaldo", "PERSON"),
    ("Veikkohannes Rautiola\n\nNight shift warehouse picker", "Rautiola", "PERSON"),
    ("naomi ryan\nsewer pipe cleaner", "naomi", "PERSON"),
    ("Produced By:    Anselmo Villaverde", "Villaverde", "PERSON"),
]

KEPT = [
    # lines of ordinary words, Title Case and labels that are not names
    "Knowledge Agency\nLocal transit bus driver",
    "grace period\nis over",
    "Best Regards\nSupport Team",
    "Secretly Love (But Hate)",
    "User: hi\nAssistant: hello",
    "Note: restart it\nWarning: it may fail",
]


@pytest.mark.parametrize(("text", "value", "entity_type"), MASKED)
def test_masks(sanitiser, text, value, entity_type):
    assert_masked(sanitiser, text, value, entity_type)


@pytest.mark.parametrize("text", KEPT)
def test_keeps(sanitiser, text):
    assert_kept(sanitiser, text)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("> Tadeo R Ubaldo\n> Research Bureau", ["Tadeo R Ubaldo"]),
        ("Fletcher Hill\nLocal transit bus driver", ["Fletcher Hill"]),
        ("naomi ryan\nsewer pipe cleaner", ["naomi ryan"]),
        ("grace period\nBest Regards\nPersonal Info:", []),
        ("Thanks a lot\nSee you", []),
    ],
)
def test_name_line_recognizer(text, names):
    from logmine_dagster.sanitise.engine import get_analyzer
    from logmine_dagster.sanitise.recognizers import NameLineRecognizer

    recognizer = next(r for r in get_analyzer().registry.recognizers if isinstance(r, NameLineRecognizer))
    assert [text[r.start : r.end] for r in recognizer.analyze(text, ["PERSON"])] == names
