"""The two checks the recognizer cases share: a value is masked (as its type), a text is kept."""

from __future__ import annotations


def assert_masked(sanitiser, text: str, value: str, entity_type: str | None) -> None:
    (masked,) = sanitiser.sanitise_texts([text])
    assert value not in masked
    if entity_type:
        assert f"<{entity_type}>" in masked


def assert_kept(sanitiser, text: str) -> None:
    assert sanitiser.sanitise_texts([text]) == [text]
