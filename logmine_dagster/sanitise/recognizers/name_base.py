"""What the name recognizers share: their base class (set-up, results), the words that follow a
cue without being names, and small readings of spaCy tokens."""

from __future__ import annotations

from typing import ClassVar

import regex

from presidio_analyzer import EntityRecognizer, RecognizerResult

from logmine_dagster.sanitise.recognizers.base import RecognizerInputs

# Capitalised words that follow a name cue (`name_cues`) without being names ("Hi there",
# "I'm Sorry"), and chat shorthand: no recognizer takes them for a name.
NOT_NAMES = frozenset({
    "there", "team", "all", "everyone", "everybody", "folks", "guys", "support", "again", "so", "very",
    "sorry", "not", "just", "still", "also", "here", "now", "back", "really", "unable", "able",
    "trying", "looking", "having", "going", "getting", "happy", "glad", "sure", "fine", "good",
    "great", "new", "your", "you", "the", "a", "an", "it", "this", "that", "what", "why", "how",
    "when", "where", "which", "who", "please", "ok", "okay", "yes", "no", "thanks", "thank", "hi",
    "hello", "hey", "dear", "sir", "madam", "customer", "user", "assistant", "bot", "agent", "human",
    "ai", "system", "admin", "today", "tomorrow", "yesterday", "morning", "afternoon", "evening",
    "interested", "concerned", "confused", "writing", "calling", "contacting", "reaching", "following",
    "regards", "best", "cheers", "sincerely", "about", "regarding", "re", "in", "on", "note",
    "subject", "update", "edit", "warning", "error", "question", "answer", "summary", "example",
    "input", "output", "step", "tip", "ps", "title", "description", "total", "reason", "issue",
    "problem", "solution", "result", "response", "request", "date", "time", "name", "address",
    "phone", "email", "website", "status", "order", "account", "reply", "from", "to", "sent",
    "details", "info", "location", "directed", "starring", "bcc", "cc", "tool", "function", "developer",
    # chat shorthand the lexicon does not know
    "thx", "thnx", "pls", "plz", "btw", "fyi", "lol", "omg", "imo", "imho", "tbh", "idk", "np", "ty",
    "tia", "asap", "aka", "etc", "hmm", "yay", "ugh", "meh", "nope", "yep", "yup", "hiya", "heya",
    "howdy", "yo", "hullo", "greetings", "hola", "bonjour", "hallo", "ciao", "salut", "hej", "ola",
})
NAME_TOKEN = regex.compile(r"\p{L}+(?:['’]\p{L}+)*|\p{Lu}\.")  # O'Brien, Šárka, the K. of "Oksana K. Voronova"
INITIAL = regex.compile(r"\p{Lu}\.?")
# spaCy's entity labels under which a word is left to spaCy's own span (or to nobody).
NO_ENTITY = ("",)


class NameRecognizer(EntityRecognizer):
    """A recognizer of PERSON names that reads spaCy's tokens (or the text) against the English
    lexicon and the given-name gazetteer. Subclasses set `NAME` (the registry name) and `analyze`.
    """

    NAME: ClassVar[str]

    def __init__(self, known_words: frozenset[str], given_names: frozenset[str] = frozenset()) -> None:
        super().__init__(supported_entities=["PERSON"], name=self.NAME)
        self._known_words = known_words
        self._given_names = given_names

    @classmethod
    def build(cls, inputs: RecognizerInputs) -> NameRecognizer:
        return cls(inputs.known_words, inputs.given_names)

    def load(self) -> None:
        pass  # the word lists come in through the constructor

    def person(self, start: int, end: int, score: float) -> RecognizerResult:
        return RecognizerResult(
            entity_type="PERSON",
            start=start,
            end=end,
            score=score,
            recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            },
        )


def next_token(doc, i: int):
    """The token after doc[i] when only one space separates them, else None."""
    if i + 1 >= len(doc):
        return None
    token = doc[i]
    # `whitespace_` is what separates a token from the next; `doc.text` would rebuild the whole
    # text on every call, which made long texts quadratic.
    return doc[i + 1] if token.whitespace_ == " " else None


def modifies(token) -> bool:
    """An article, possessive, number or adjective: what comes before a thing ("my bluetooth
    earbuds", "the sim card"), rarely before a name."""
    return token.pos_ in ("DET", "NUM", "ADJ") or token.tag_ == "PRP$"
