"""Texts far longer than one spaCy piece: cut with overlap, sanitised whole, in time linear in
their length (the cost itself is a benchmark line, `bench_sanitise.py`'s `long_text_s`)."""

from __future__ import annotations

import pytest

from logmine_dagster.ingest.records import parse_record
from logmine_dagster.sanitise.text_results import split_long_text

FILLER = "The tent is waterproof and packs small.\n"


@pytest.fixture(scope="module")
def sanitiser():
    from logmine_dagster.sanitise.sanitiser import get_sanitiser

    return get_sanitiser()


def test_a_multi_mib_record_is_sanitised_at_its_start_middle_and_end(sanitiser):
    half = FILLER * (1024 * 1024 // len(FILLER))  # 1 MiB each side of the middle
    content = (
        "Write to maria.okafor@example.com about the order.\n" + half
        + "Or call her on +1 415 555 0199 after six.\n" + half
        + "Copy lukas.weber@example.org please."
    )
    assert len(content) > 2 * 1024 * 1024
    record = parse_record({
        "request_id": "req-long", "timestamp": "2025-03-04T10:15:00Z", "session_id": "sess-long",
        "user_id": "user-1", "model": "gpt-4o-mini", "input": [{"role": "user", "content": content}],
        "output": "Done.", "status": "ok", "metadata": {},
    })
    masked = sanitiser.sanitise_record(record, pseudonym_key=b"test-key").record["input"][0]["content"]
    for planted in ("maria.okafor@example.com", "415 555 0199", "lukas.weber@example.org"):
        assert planted not in masked
    assert masked.startswith("Write to <EMAIL_ADDRESS_")
    assert "Or call her on <PHONE_NUMBER_" in masked
    assert "\nCopy <EMAIL_ADDRESS_" in masked
    assert masked.count(FILLER) == content.count(FILLER)  # nothing readable was lost at the cuts


def test_a_value_across_a_cut_is_masked_once_and_whole(sanitiser):
    words = "word " * 797  # one long line: the cuts fall at spaces, here inside the phone number
    text = words + "call +1 415 555 0199 now " + words + "or mail bob.lee@example.net " + words
    pieces = split_long_text(text)
    first_cut = pieces[0].own_end
    assert len(pieces) > 2 and text.index("+1 415") < first_cut < text.index("0199")
    (masked,) = sanitiser.sanitise_texts([text])
    assert masked == words + "call <PHONE_NUMBER> now " + words + "or mail <EMAIL_ADDRESS> " + words


def test_pieces_cover_the_text_once_with_overlap():
    text = ("A line of text that goes on for a while. " * 30 + "\n") * 200
    pieces = split_long_text(text)
    position = 0
    for piece in pieces:
        assert text[piece.offset : piece.offset + len(piece.text)] == piece.text
        assert piece.offset + piece.own_start == position  # owned parts tile the text
        position = piece.offset + piece.own_end
        assert len(piece.text) < 6_000
    assert position == len(text)
    assert all(piece.own_start > 0 for piece in pieces[1:])  # each reads back into the one before


def test_a_short_text_is_one_piece():
    assert [(p.text, p.offset, p.own_start, p.own_end) for p in split_long_text("Hi Jane")] == [("Hi Jane", 0, 0, 7)]


# One long line with no line or sentence end (a pasted chat export, a transcript): the cut falls at
# the last space before the piece size, placed here inside a personal value, which each of the two
# pieces then sees only partly in its own part.
_FILLER = "the tent was checked and packed, "
_PLANTED = (
    ("Amelia Davis", "and the customer Amelia Davis asked for a refund, ", ("Amelia", "Davis")),
    ("+1 415 555 0199", "so please call her on +1 415 555 0199 today, ", ("415 555", "555 0199")),
    ("12 Harbour Road, Leeds LS1 4AP", "then ship it to 12 Harbour Road, Leeds LS1 4AP next week, ", ("Harbour", "LS1 4AP")),
)


def _line_with_a_cut_inside(value: str, sentence: str) -> str:
    """Filler, `sentence`, filler, on one line, the first space inside `value` at offset 3,995:
    every later space of the value before 4,000 keeps the cut inside it."""
    first_space = sentence.index(value) + value.index(" ")
    before = _FILLER * ((3_995 - first_space) // len(_FILLER))
    before += " " * (3_995 - first_space - len(before))  # runs of spaces: no cut falls after them
    return before + sentence + _FILLER * 200


@pytest.mark.parametrize("value, sentence, parts", _PLANTED, ids=["name", "phone", "address"])
def test_a_value_cut_by_the_window_seam_is_masked_whole(sanitiser, value, sentence, parts):
    text = _line_with_a_cut_inside(value, sentence)
    pieces = split_long_text(text)
    seam = pieces[0].own_end
    assert len(pieces) > 1 and text.index(value) < seam < text.index(value) + len(value)
    (masked,) = sanitiser.sanitise_texts([text])
    for part in parts:
        assert part not in masked
    assert masked.count(_FILLER) == text.count(_FILLER)  # the cut lost nothing readable
