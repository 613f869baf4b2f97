"""Usernames and handles built from a person's name: `amelia_davis_8890`, `j.smith84`, `@tomas.k_92`,
and any handle-shaped token after a username cue ("username is", "handle:", "find me as").

A token with separators or digits is read part by part (split at `._-` and at letter/digit
boundaries). It is a username when
- one part is a given name from the gazetteer and another part (3+ letters) is a word the English
  lexicon does not know (`carlos_mendez`, `amelia_kowalczyk_6524`, not `olivia_sales_report` or
  `mark_down_v2`), or the given name is itself unknown to the lexicon and the token holds a digit
  (`desmond92`, not `mark2`); or
- it holds two or more name-like parts (each a given name or unknown to the lexicon) and a run of
  digits (`amelia_davis_8890`, `leocadia_vanterpool_7731`), with no cue; or
- it has the shape of an initial, a dot or underscore and a surname-like part with digits
  (`j.smith84`, `k_osei1990`), whatever the name; or
- it follows a username cue, or is an @-handle holding a digit or a separator.
A handle-shaped token after an id cue ("user id", "user_id:", "customer id", "member id") is that id,
typed `ACCOUNT_ID` as a `user_id` JSON key's value is (`pii_keys`): the cue says what the value is,
so a record that writes the id only in prose names it as one that also holds the key.
Code identifiers (`customer_email`, `order_id_2`) are made of English words, so they fail the first
test, and carry no cue.
"""

from __future__ import annotations

import regex

from presidio_analyzer import EntityRecognizer, RecognizerResult

from logmine_dagster.sanitise.allow_list import MODEL_NAME
from logmine_dagster.sanitise.recognizers.base import RecognizerInputs

ENTITY = "USERNAME"
ID_ENTITY = "ACCOUNT_ID"
# A handle-shaped token: letters first, then letters, digits and inner separators; an optional "@".
_TOKEN = regex.compile(r"(?<![\w@.+/-])@?\p{L}[\p{L}\d]*(?:[._-]?[\p{L}\d]+)*(?![\w@]|[.-]\w)")
_PARTS = regex.compile(r"\p{L}+|\d+")
_INITIAL_SURNAME = regex.compile(r"\p{Ll}[._]\p{Ll}{3,}\d{2,4}|\p{Ll}{3,}[._]\p{Ll}\d{2,4}")
_CUE = regex.compile(
    r"(?i:\b(?:user\s*name|user\s*id|login(?:\s+id)?|handle|screen\s*name|nick(?:name)?|gamer\s*tag|"
    r"account\s+name|find\s+me\s+as|i\s+go\s+by|known\s+as|(?:twitter|instagram|telegram|discord|github|"
    r"skype|slack|tiktok|reddit|x)\s+(?:handle|username|name|id)?)"
    r"(?:\s+(?:is|was|:|=))?\s*[:=]?\s*)$"
)
_CUE_WINDOW = 40
_ID_CUE = regex.compile(
    r"(?i:\b(?:user|customer|client|member|account|login)[\s_-]*id(?:\s+(?:is|was|:|=))?\s*[:=#]?\s*)$"
)
_INFLECTIONS = (("s", ""), ("es", ""), ("ies", "y"), ("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"), ("er", ""))
_VERSIONED = regex.compile(r"\d+\.\d+")
# A file name is not a handle, even when a person's name starts it ("olivia_q3_report.xlsx").
_FILE_NAME = regex.compile(
    r"(?i).+\.(?:txt|csv|tsv|xlsx?|pdf|docx?|pptx?|odt|rtf|png|jpe?g|gif|svg|webp|heic|json|jsonl|xml|ya?ml|"
    r"log|zip|gz|tar|py|js|ts|java|go|rb|md|html?|css|sql|mp3|mp4|wav|mov|eml|msg|ics|bak|tmp)"
)


class NameIdentifierRecognizer(EntityRecognizer):
    """Usernames and handles derived from names, or after a username cue (see the module doc)."""

    NAME = "LogmineNameIdentifierRecognizer"

    def __init__(self, known_words: frozenset[str], given_names: frozenset[str]) -> None:
        super().__init__(supported_entities=[ENTITY, ID_ENTITY], name=self.NAME)
        self._known_words = known_words
        self._given_names = given_names

    @classmethod
    def build(cls, inputs: RecognizerInputs) -> NameIdentifierRecognizer:
        return cls(inputs.known_words, inputs.given_names)

    def load(self) -> None:
        pass  # the word lists come in through the constructor

    def analyze(self, text, entities, nlp_artifacts=None):
        results = []
        for match in _TOKEN.finditer(text):
            token = match.group()
            bare = token.lstrip("@")
            if not any(char.isdigit() or char in "._-" for char in bare) or _FILE_NAME.fullmatch(bare):
                continue  # one plain word: a name, if anything, is the name recognizers' call
            before = text[max(0, match.start() - _CUE_WINDOW) : match.start()]
            cued = _CUE.search(before) is not None
            if cued or token.startswith("@") or self._derived_from_name(bare):
                entity = ID_ENTITY if not token.startswith("@") and _ID_CUE.search(before) else ENTITY
                results.append(self._result(match.start(), match.end(), 0.75 if cued else 0.6, entity))
        return results

    def _derived_from_name(self, token: str) -> bool:
        if _VERSIONED.search(token):
            return False  # "sa-2024.11.3-claude", "release-1.2-amelia": a version string
        if _INITIAL_SURNAME.fullmatch(token):
            return True
        words = [part.lower() for part in _PARTS.findall(token) if not part.isdigit()]
        if any(MODEL_NAME.fullmatch(word) for word in words):
            return False  # "claude-3-5-sonnet-20241022": a model family is no person's name
        unknown = [word for word in words if len(word) >= 3 and not self._known(word)]
        has_digit = any(char.isdigit() for char in token)
        if _name_and_number(token, words, unknown, self._given_names):
            return True
        for word in words:
            if word not in self._given_names:
                continue
            surname_like = any(other != word for other in unknown)
            # "carlos_mendez", "amelia_kowalczyk_6524" (the lexicon knows "amelia": a name it also
            # knows as a word needs an unknown part beside it), "desmond92"; not "mark_down_v2"
            if surname_like or (has_digit and word in unknown):
                return True
        return False

    def _known(self, word: str) -> bool:
        """In the lexicon, itself or with an inflection taken off: "tokens", "retries", "mapped"."""
        stems = [word]
        for suffix, replacement in _INFLECTIONS:
            if word.endswith(suffix):
                stems.append(word[: -len(suffix)] + replacement)
        return any(stem in self._known_words for stem in stems if len(stem) >= 2)

    def _result(self, start: int, end: int, score: float, entity: str = ENTITY) -> RecognizerResult:
        return RecognizerResult(
            entity_type=entity,
            start=start,
            end=end,
            score=score,
            recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            },
        )


def _name_and_number(token: str, words: list[str], unknown: list[str], given_names: frozenset[str]) -> bool:
    """Two or more name-like parts and a run of digits, every part a given name or a word the lexicon
    does not know: "amelia_davis_8890" (the lexicon knows both as words, the gazetteer as names),
    "leocadia_vanterpool_7731" (names in no list). Not "retry_count_10", "order_id_2"."""
    if not regex.search(r"\d{2}", token) or len(words) < 2 or any(len(word) < 3 for word in words):
        return False
    return all(word in given_names or word in unknown for word in words)

