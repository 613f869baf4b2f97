"""The lean phone recognizer skips only parses that cannot succeed: Presidio's own recognizer finds
the same numbers, with the same scores and explanations, on text dense with short numbers."""

from __future__ import annotations

import random

from presidio_analyzer.predefined_recognizers import PhoneRecognizer

from logmine_dagster.sanitise.phone_matcher import LeanPhoneRecognizer, use_lean_phone_recognizer

_RANDOM = random.Random(5)
TEXTS = [
    "Call me on +44 20 7946 0958 or (415) 555-0134 ext. 12, not 555-01.",
    "status=200 latency_ms=87 retries=3 [4411] row 12 of 40, code 7 at 10:30:45",
    "Ruf an: 030/1234 5678, Fax (089) 12-34-56, oder +49 30 901820 x 12; 12/05/2020 10:30",
    "Numbers in other scripts: ١٢٣٤٥٦٧٨٩٠ and ４１５ ５５５ ０１９９, and +1 415 555 0199.",
    " ".join(str(_RANDOM.randint(0, 10 ** _RANDOM.randint(1, 8))) for _ in range(300)),
    "\n".join(f"2026-11-16T10:00:{n:02d}Z req={n:06x} +1 415 555 {n:04d} took {n * 7} ms" for n in range(60)),
]


def _found(recognizer, text):
    return sorted(
        (r.start, r.end, r.score, r.analysis_explanation.textual_explanation)
        for r in recognizer.analyze(text, ["PHONE_NUMBER"])
    )


def test_the_lean_recognizer_finds_what_presidios_finds():
    presidio = PhoneRecognizer()
    lean = LeanPhoneRecognizer.replacing(presidio)
    found = [_found(lean, text) for text in TEXTS]
    assert found == [_found(presidio, text) for text in TEXTS]
    assert found[0] and found[5]  # the texts do hold numbers


def test_it_takes_the_place_and_name_of_presidios():
    presidio = PhoneRecognizer()
    recognizers = ["before", presidio, "after"]
    use_lean_phone_recognizer(recognizers)
    assert isinstance(recognizers[1], LeanPhoneRecognizer) and recognizers[::2] == ["before", "after"]
    assert recognizers[1].name == "PhoneRecognizer"  # the gates and the results' metadata key on it
    assert recognizers[1].supported_regions == presidio.supported_regions
