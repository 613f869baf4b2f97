"""Street addresses in US, UK and continental forms, widened over the rest of a postal block."""

from __future__ import annotations

import regex

from logmine_dagster.sanitise.recognizers.address_patterns import ADDRESS_PATTERNS
from logmine_dagster.sanitise.recognizers.base import NEEDS_CONTEXT, LogminePatternRecognizer, lift_by_cue
from logmine_dagster.sanitise.recognizers.postal_blocks import widen_to_postal_block

# Presidio matches these as substrings of the lemmas of the five words before a match.
ADDRESS_CONTEXT = [
    "address", "live", "locate", "ship", "deliver", "mailing", "billing", "corner", "move",
    "reside", "street", "apartment", "situate", "station", "headquarter",
]
# The same cues anywhere earlier in the sentence: "The address of Acme Health Data Inc is ...
# Aqqusinersuaq 99" has its cue more than five words before the street.
_ADDRESS_CUE_BEFORE = regex.compile(
    r"(?i)\b(?:address|live[sd]?|living|located|situated|resides?|residing|moved|corner|street|apartment|station)\b"
    r"(?![^.!?\n]*[.!?](?:\s|$))[^\n]*$"
)
_ADDRESS_CUE_WINDOW = 120


class StreetAddressRecognizer(LogminePatternRecognizer):
    """Street addresses in US, UK and continental forms, extended over the rest of a postal block."""

    ENTITY = "STREET_ADDRESS"
    NAME = "LogmineStreetAddressRecognizer"
    PATTERNS = ADDRESS_PATTERNS
    CONTEXT = ADDRESS_CONTEXT
    SCORE_THRESHOLDS = NEEDS_CONTEXT

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):
        results = super().analyze(text, entities, nlp_artifacts, regex_flags) or []
        for result in results:
            result.start, result.end = widen_to_postal_block(text, result.start, result.end)
        return results

    def enhance_using_context(self, text, raw_recognizer_results, other_raw_recognizer_results, nlp_artifacts, context=None):
        """An address cue earlier in the same sentence lifts a weak match (Presidio's own enhancer
        looks five words back only)."""
        for result in raw_recognizer_results:
            if result.score >= NEEDS_CONTEXT["default"]:
                continue
            before = text[max(0, result.start - _ADDRESS_CUE_WINDOW) : result.start]
            if _ADDRESS_CUE_BEFORE.search(before):
                lift_by_cue(result)
        return raw_recognizer_results
