"""Names after a cue: "my name is", "I'm", "this is", "the account is under", a title, a greeting
or a sign-off."""

from __future__ import annotations

import bisect

import regex

from logmine_dagster.sanitise.recognizers.name_base import NAME_TOKEN, NOT_NAMES, NameRecognizer

# How much a cue says about the words after it:
_STRONG = "strong"  # "my name is", "name:": even a lower-case word is a name ("my name is jan")
_HOLDER = "holder"  # "the account is under", "in the name of": a name, or "under review"
_CAPITALISED = "capitalised"  # titles, greetings, sign-offs: capitalised words are names
_PROPER = "proper"  # "I'm", "this is": a name only if spaCy calls it a proper noun (not "I'm Sorry")

_CUES = (
    (_STRONG, regex.compile(
        r"(?i:\bmy\s+name(?:\s+is|'s|’s)|\bname\s*(?:is|:|=)|\bcall\s+me|\bname\s+on\s+(?:the\s+|my\s+)?\w+\s+(?:is|was|:)"
        r"|\bname\b[^.?!\n]{0,30}\?[ \t]*(?:(?:user|customer|me)[ \t]*:)?)[ \t]*"
    )),
    (_HOLDER, regex.compile(
        r"(?i:\b(?:is|was|are|'s|’s)\s+(?:registered\s+|listed\s+)?under(?:\s+the\s+name(?:\s+of)?)?"
        r"|\bin\s+the\s+name\s+of|\baccount\s+holder\s*:?|\bcardholder\s*:?)[ \t]+"
    )),
    (_CAPITALISED, regex.compile(
        r"""
        (?i:\b(?:hi|hello|hey|dear|thanks|thank\s+you)[ \t]*,?)[ \t]+
        | \b(?:Mr|Mrs|Ms|Mx|Miss|Dr|Prof|Sir|Dame|Madam|Mme|Herr|Frau)\b\.?[ \t]+
        | (?im:^[ \t]*(?:best\s+regards|kind\s+regards|warm\s+regards|regards|best\s+wishes|many\s+thanks
           |thanks|thank\s+you|cheers|best|sincerely|yours\s+(?:sincerely|truly))[ \t]*,?[ \t]*\n[ \t]*)
        | (?m:^[ \t]*(?:--|—|–)[ \t]*)
        """,
        regex.VERBOSE,
    )),
    (_PROPER, regex.compile(
        r"(?i:\bthis\s+is|\bi\s*(?:'|’)?m|\bi\s+am|\bit(?:'|’)s(?=[ \t]+\S+(?:[ \t]+\S+)?[ \t]+here\b))[ \t]+"
    )),
)
# Words after a lower-case name that close it: "this is jan novak, ...", "it's jan here".
_NAME_CLOSERS = frozenset({"here", "from", "and", "speaking", "again"})
_MAX_NAME_TOKENS = 3


class NameAfterCueRecognizer(NameRecognizer):
    """Names after "my name is", "I'm", "this is", "the account is under", a title, a greeting or
    a sign-off: up to three name-like tokens after the cue, stopping at punctuation, line ends and
    common words.

    People often type names in lower case, where spaCy sees no name at all. After a weak cue a
    lower-case phrase counts only if it closes there and holds a word the English lexicon does not
    know (`known_words`, the lemmatizer's WordNet index that ships with the spaCy model): "this is
    agnieszka tran," is a name, "this is account fraud." is not.
    """

    NAME = "LogmineNameAfterCueRecognizer"

    def analyze(self, text, entities, nlp_artifacts=None):
        if nlp_artifacts is None or not nlp_artifacts.tokens:
            return []
        tokens = _TokenIndex(nlp_artifacts.tokens)
        results = []
        for strength, cues in _CUES:
            for cue in cues.finditer(text):
                span = self._name_after(tokens, cue.end(), strength)
                if span is not None:
                    results.append(self.person(*span, 0.7))
        return results

    def _name_after(self, tokens: "_TokenIndex", offset: int, strength: str) -> tuple[int, int] | None:
        taken = tokens.name_tokens(offset, lambda token: _could_be_name(token, strength))
        if not taken:
            return None
        if taken[0].text[0].islower() and not self._lower_case_name(taken, strength):
            return None
        return taken[0].idx, taken[-1].idx + len(taken[-1].text)

    def _lower_case_name(self, taken: list, strength: str) -> bool:
        unknown = any(t.lower_ not in self._known_words and t.lemma_.lower() not in self._known_words for t in taken)
        if strength == _STRONG:  # "my name is jan", not "my name is spelled wrong"
            return unknown or all(t.pos_ in ("PROPN", "NOUN") for t in taken)
        after = taken[-1].nbor(1) if taken[-1].i + 1 < len(taken[-1].doc) else None
        closes = after is None or after.is_punct or after.is_space or after.lower_ in _NAME_CLOSERS
        return closes and unknown and (strength != _HOLDER or len(taken) >= 2)


def _could_be_name(token, strength: str) -> bool:
    word = token.text
    if token.is_space or token.is_punct or not NAME_TOKEN.fullmatch(word):
        return False
    if word.lower() in NOT_NAMES:
        return False
    if word[0].isupper():
        return token.pos_ == "PROPN" or (strength != _PROPER and not token.is_stop)
    return not token.is_stop  # a lower-case phrase is checked as a whole by _lower_case_name


class _TokenIndex:
    """Finds the spaCy token starting at a character offset, and the name tokens from there."""

    def __init__(self, doc) -> None:
        self.doc = doc
        self.starts = [token.idx for token in doc]

    def token_at(self, offset: int):
        index = bisect.bisect_left(self.starts, offset)
        if index < len(self.starts) and self.starts[index] == offset:
            return self.doc[index]
        return None

    def name_tokens(self, offset: int, accepts) -> list:
        first = self.token_at(offset)
        if first is None:
            return []
        taken = []
        for token in self.doc[first.i : first.i + _MAX_NAME_TOKENS]:
            if not accepts(token) or (taken and "\n" in self.doc[taken[-1].i : token.i].text_with_ws):
                break
            taken.append(token)
        return taken
