"""Presidio's phone-number recognizer without the parses that cannot succeed.

Presidio runs the phone library's matcher once per region (eight of them) and the matcher parses
every run of digits it meets, with the runs inside it, as a possible number: in log text ("status=200",
"latency_ms=87", "[4411]") that is most of the cost of a long text. No number the library accepts
has fewer than four digits (the shortest national number of any region it knows, the same bound as
`recognizer_gates`), and a candidate's inner runs are parts of it, so a candidate with fewer digits
is dropped before the parse. Everything else, results and scores included, is Presidio's.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import PhoneNumberMatcher
from phonenumbers.phonenumberutil import NumberParseException
from presidio_analyzer import EntityRecognizer
from presidio_analyzer.predefined_recognizers import PhoneRecognizer

_DIGIT = re.compile(r"\d")  # Unicode decimal digits, the ones the library reads
_FEWEST_DIGITS = 4


class _LeanMatcher(PhoneNumberMatcher):
    def _extract_match(self, candidate, offset):
        digits = _DIGIT.finditer(candidate)
        if sum(1 for _ in zip(range(_FEWEST_DIGITS), digits)) < _FEWEST_DIGITS:
            return None
        return super()._extract_match(candidate, offset)


class LeanPhoneRecognizer(PhoneRecognizer):
    """`PhoneRecognizer.analyze` with `_LeanMatcher`; built from the registry's instance, same name."""

    @classmethod
    def replacing(cls, recognizer: PhoneRecognizer) -> "LeanPhoneRecognizer":
        return cls(
            context=recognizer.context, supported_language=recognizer.supported_language,
            supported_entity=recognizer.supported_entities[0], supported_regions=recognizer.supported_regions,
            leniency=recognizer.leniency, name=recognizer.name,
        )

    def analyze(self, text, entities, nlp_artifacts=None):
        results = []
        for region in self.supported_regions:
            for match in _LeanMatcher(text, region, leniency=self.leniency):
                try:
                    region = phonenumbers.region_code_for_number(phonenumbers.parse(text[match.start : match.end]))
                except NumberParseException:
                    pass
                results.append(self._get_recognizer_result(match, text, region, nlp_artifacts))
        return EntityRecognizer.remove_duplicates(results)


def use_lean_phone_recognizer(recognizers: list) -> None:
    """Swap Presidio's phone recognizer in a registry's list for the lean one, in its place."""
    for index, recognizer in enumerate(recognizers):
        if type(recognizer) is PhoneRecognizer:
            recognizers[index] = LeanPhoneRecognizer.replacing(recognizer)
