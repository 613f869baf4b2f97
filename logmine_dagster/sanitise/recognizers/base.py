"""What every pattern recognizer here shares: case-sensitive regexes, the score levels, the lift a
cue word gives a weak match, and how the registry builds a recognizer from what it needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import regex

from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult

# Case matters for most patterns (a capitalised word is a name, a lower-case one rarely is);
# Presidio's default flags would make them case-insensitive.
CASE_SENSITIVE = regex.MULTILINE
# Patterns that only count with a cue word nearby score below this; Presidio's context enhancer
# lifts a result to at least 0.4 when one of the recognizer's context words precedes it.
NEEDS_CONTEXT = {"default": 0.4}
WEAK = 0.1
_CUE_LIFT = 0.35


@dataclass(frozen=True)
class RecognizerInputs:
    """What the recognizers are built from: loaded once by the engine, shared by all of them."""

    tld_extractor: Any  # a tldextract.TLDExtract that never fetches
    known_words: frozenset[str]  # the English lexicon (`lexicon.known_english_words`)
    given_names: frozenset[str]  # the given-name gazetteer (`gazetteer.first_names`)


def lift_by_cue(result: RecognizerResult) -> None:
    """A cue word found by the recognizer's own search lifts a weak match over the threshold."""
    result.score = max(result.score + _CUE_LIFT, NEEDS_CONTEXT["default"])
    result.recognition_metadata[RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY] = True


class LogminePatternRecognizer(PatternRecognizer):
    """A Presidio pattern recognizer declared by its class attributes, matching case-sensitively.

    Subclasses set `ENTITY`, `NAME` (the registry name), `PATTERNS`, and optionally `CONTEXT` and
    `SCORE_THRESHOLDS` (`NEEDS_CONTEXT` when weak patterns wait for a cue word).
    """

    ENTITY: ClassVar[str]
    NAME: ClassVar[str]
    PATTERNS: ClassVar[list[Pattern]]
    CONTEXT: ClassVar[list[str] | None] = None
    SCORE_THRESHOLDS: ClassVar[dict[str, float] | None] = None

    def __init__(self) -> None:
        super().__init__(
            supported_entity=self.ENTITY,
            name=self.NAME,
            patterns=self.PATTERNS,
            context=self.CONTEXT,
            global_regex_flags=CASE_SENSITIVE,
        )
        if self.SCORE_THRESHOLDS is not None:
            self.score_thresholds = self.SCORE_THRESHOLDS

    @classmethod
    def build(cls, inputs: RecognizerInputs) -> LogminePatternRecognizer:
        return cls()


class LogmineEntityRecognizer(EntityRecognizer):
    """A code-driven recognizer of one entity that needs nothing loaded: subclasses set `ENTITY` and
    `NAME` (the registry name) and write `analyze`."""

    ENTITY: ClassVar[str]
    NAME: ClassVar[str]

    def __init__(self) -> None:
        super().__init__(supported_entities=[self.ENTITY], name=self.NAME)

    @classmethod
    def build(cls, inputs: RecognizerInputs) -> LogmineEntityRecognizer:
        return cls()

    def load(self) -> None:
        pass
