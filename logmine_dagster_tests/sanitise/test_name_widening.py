"""Names the sanitiser widens past what a recognizer found: whole words, unknown neighbours, speaker labels, possessives, lists, titles."""

from __future__ import annotations

import pytest

from logmine_dagster_tests.sanitise.masking import assert_masked


@pytest.fixture(scope="module")
def sanitiser():
    from logmine_dagster.sanitise.sanitiser import get_sanitiser

    return get_sanitiser(("Northwind",))


MASKED = [
    # names widened to whole words and unknown neighbours; speaker labels; possessives spread
    ("Producer Ikuro Tanahashi explained it.", "Ikuro", "PERSON"),
    ('"That went well," says Lehto-oja.', "oja", "PERSON"),
    ("Ella: What a day.\nDestiny: Remember me?\nChristopher: Yes.", "Destiny", "PERSON"),
    ("the songs from ivan p. berezina's album. later berezina?", "berezina", "PERSON"),
    ("What a mess! said Dražen to Teresa", "Teresa", "PERSON"),
    # the other half of "X and Y"; a title goes with the name
    ("Szczepaniak and Dobson were engineers.", "Dobson", "PERSON"),
    ("Please ask Dr. Emily Carter to call.", "Dr.", "PERSON"),
    # particles of a surname, initials before a surname, a name prefix
    ("Please ask Joost van den Broek about the invoice.", "Joost", "PERSON"),
    ("Please ask Joost van den Broek about the invoice.", "den", "PERSON"),
    ("Have you ever met Oleg T Varnavin at the depot?", "Oleg", "PERSON"),
    ("The claim was filed by Omar al-Rashid on Tuesday.", "Rashid", "PERSON"),
    # a name stops at a line break, then widens on its own line
    ("Maren van de Velde\nEmployment manager\nQuillfield Inc.", "Velde", "PERSON"),
    # a speaker label whose word is read as a name elsewhere
    ('Tamsin: "Where did you put it?"\nTamsin walked out of the room.', "Tamsin:", None),
]

# Words beside a name that are not part of it.
KEPT_WORDS = [
    ("Maren van de Velde\nEmployment manager\nQuillfield Inc.", "Employment manager"),
    ("Sanne van der Meulen\nOperations lead", "Operations lead"),
    ("Have you been to a Oleg T Varnavin concert?", "to a "),
    # role labels of a transcript are not names, whatever the other labels are
    ("Rosalind: my order is late\nAgent: Sorry to hear that, Rosalind.\nRosalind: thanks", "Agent:"),
    ("Customer: hi, I need help\nAgent: hello there", "Customer: hi"),
    ("Warning: disk almost full\nNote: retry later", "Note: retry"),
]


@pytest.mark.parametrize(("text", "value", "entity_type"), MASKED)
def test_masks(sanitiser, text, value, entity_type):
    assert_masked(sanitiser, text, value, entity_type)


@pytest.mark.parametrize(("text", "words"), KEPT_WORDS)
def test_keeps_words_beside_names(sanitiser, text, words):
    (masked,) = sanitiser.sanitise_texts([text])
    assert words in masked
