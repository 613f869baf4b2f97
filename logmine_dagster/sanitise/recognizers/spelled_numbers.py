"""Numbers spelled out in words: "five five five, oh one two three", "double seven nine...".

People read phone numbers, card and account numbers aloud (voice transcripts) or type them in words
to get past a filter. Seven or more digit words in a row (with "double"/"triple" counting twice or
three times, and commas, hyphens and "and" between them) is a contact or account number: ordinary
prose rarely says seven single digits in a row. Only the run is masked.
"""

from __future__ import annotations

import regex

from presidio_analyzer import RecognizerResult

from logmine_dagster.sanitise.recognizers.base import LogmineEntityRecognizer

ENTITY = "PHONE_NUMBER"
MIN_DIGITS = 7
_DIGIT = r"(?:zero|oh|o|nought|one|two|three|four|five|six|seven|eight|nine|niner)"
_REPEAT = r"(?:double|triple)"
_WORD = rf"(?:{_REPEAT}[ \t]+)?{_DIGIT}"
_GAP = r"(?:[ \t]*[,-]?[ \t]+(?:and[ \t]+)?|-)"
_RUN = regex.compile(rf"(?i)\b{_WORD}(?:{_GAP}{_WORD})+\b")
_COUNTED = regex.compile(rf"(?i)\b(?:(double|triple)[ \t]+)?{_DIGIT}\b")


def digit_count(run: str) -> int:
    return sum({"double": 2, "triple": 3}.get((m.group(1) or "").lower(), 1) for m in _COUNTED.finditer(run))


class SpelledNumberRecognizer(LogmineEntityRecognizer):
    """Runs of seven or more spelled-out digits (see the module doc)."""

    ENTITY = ENTITY
    NAME = "LogmineSpelledNumberRecognizer"

    def analyze(self, text, entities, nlp_artifacts=None):
        return [
            RecognizerResult(
                entity_type=ENTITY,
                start=run.start(),
                end=run.end(),
                score=0.6,
                recognition_metadata={
                    RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                    RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                },
            )
            for run in _RUN.finditer(text)
            if digit_count(run.group()) >= MIN_DIGITS
        ]
