"""Record numbers after a cue: medical record numbers, patient, member, subscriber and insurance ids,
policy, claim and chart numbers, national health numbers, passports.

The value must hold a digit and be at least four characters; the cue says what it is, so its shape
can be anything an institution prints (`00482913`, `HX-7730021`, `PL 88213 A` is cut at the space).
Customer, order and booking ids are `identifiers.AccountIdRecognizer`'s.
"""

from __future__ import annotations

import regex

from presidio_analyzer import RecognizerResult

from logmine_dagster.sanitise.recognizers.base import LogmineEntityRecognizer

# Words that name a record on their own ("MRN 0048...", "patient HX-77...").
_RECORD_WORDS = (
    r"mrn|m\.r\.n\.?|medical\s+record|health\s+record|patient|chart|subscriber|beneficiary|nhs|medicare|"
    r"medicaid|health\s+card|passport|aadhaar|pesel|personnummer|dni|bsn|nie|nif"
)
# Words that need "number", "no.", "id" or "#" after them: "policy no. PL-882...", not "policy 2024".
_NEEDS_NUMBER = (
    r"member|insurance|insured|policy|claim|group|plan|national|tax|ni|employee|emp|student|badge|"
    r"licen[cs]e|driver'?s\s+licen[cs]e|social\s+security|social\s+insurance|health"
)
_NUMBER_WORD = r"\s*(?:number|no\.?|nr\.?|num|id|#|code|ref)(?!\w)"
_TAIL = r"\s*(?:is|was|:|#|=|-)?\s*#?\s*"
_RECORD_CUE = (
    rf"(?i:\b(?:(?:{_RECORD_WORDS})(?!\w)(?:\s+(?:record|account))?(?:{_NUMBER_WORD})?"
    rf"|(?:{_NEEDS_NUMBER})(?!\w)(?:\s+(?:record|account|insurance))?{_NUMBER_WORD}){_TAIL})"
)
# One pass finds the cue and the value after it (a look-behind over the cue alternatives, as
# Presidio's pattern recognizers would need, cost ten times as much).
_CUE_AND_VALUE = regex.compile(
    rf"{_RECORD_CUE}(?P<value>(?=[A-Za-z0-9/-]*\d)[A-Za-z0-9][A-Za-z0-9/-]{{3,}}(?<![-/]))(?![\w-])"
)
ENTITY = "RECORD_ID"


class RecordNumberRecognizer(LogmineEntityRecognizer):
    """A number or code with a digit, after a record-number cue word (see the module doc)."""

    ENTITY = ENTITY
    NAME = "LogmineRecordNumberRecognizer"

    def analyze(self, text, entities, nlp_artifacts=None):
        return [
            RecognizerResult(
                entity_type=ENTITY,
                start=match.start("value"),
                end=match.end("value"),
                score=0.65,
                recognition_metadata={
                    RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                    RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                },
            )
            for match in _CUE_AND_VALUE.finditer(text)
        ]
