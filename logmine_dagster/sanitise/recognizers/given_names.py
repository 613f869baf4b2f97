"""Given names from the gazetteer, with the initials and surname written after them."""

from __future__ import annotations

import regex

from logmine_dagster.sanitise.lexicon import english_word
from logmine_dagster.sanitise.recognizers.name_base import (
    INITIAL,
    NAME_TOKEN,
    NO_ENTITY,
    NOT_NAMES,
    NameRecognizer,
    modifies,
    next_token,
)

# A middle initial between a given name and a surname; "I", "A" and "O" only with a full stop,
# since "May I Help" and "mark a test" hold no initial.
_MIDDLE_INITIAL = regex.compile(r"(?i:[b-hj-np-z]\.?|[aio]\.)")
# Single letters that chat uses as words ("can u check", "r u there"), never as initials in lower case.
_CHAT_LETTERS = frozenset("bcnruy")


class GivenNameRecognizer(NameRecognizer):
    """A known given name that is not also an English word ("Teresa", "Þórgnýr", not "Will" or
    "Rose"), with the surname and initials written after it: "Ryan P Costa", "Lily Nolan".

    A given name that is an English word counts when a capitalised surname that is not one
    follows ("Mark Tolley"), when a middle initial follows ("Brad L Key"), or when spaCy tags it a
    proper noun that a verb follows ("Jacob lives on ...", "Lily has the router"). In lower case,
    where capitals say nothing, a given name counts with a surname that is not an English word
    ("patricia desrosiers") or an initial ("codey m ross"), or alone when it is no English word and
    spaCy reads it as a noun that no article or number comes before ("the gender of bertram").
    spaCy's small model misses many of these, above all outside sentences: lists, signatures,
    chat transcripts.
    """

    NAME = "LogmineGivenNameRecognizer"

    def _word(self, token) -> bool:
        return token.is_stop or english_word(token.text, self._known_words)

    def analyze(self, text, entities, nlp_artifacts=None):
        if nlp_artifacts is None or not nlp_artifacts.tokens or not self._given_names:
            return []
        doc = nlp_artifacts.tokens
        results = []
        i = 0
        while i < len(doc):
            token = doc[i]
            end = self._name_at(doc, i)
            if end is None:
                i += 1
                continue
            results.append(self.person(token.idx, doc[end - 1].idx + len(doc[end - 1].text), 0.6))
            i = end
        return results

    def _name_at(self, doc, i: int) -> int | None:
        """The token index just after a name starting at token i, or None."""
        token = doc[i]
        word = token.text
        if token.lower_ not in self._given_names or not NAME_TOKEN.fullmatch(word) or token.lower_ in NOT_NAMES:
            return None
        if word[0].isupper() and not word[1:].isupper():  # "Teresa", not "TERESA" or "teresa"
            return self._capitalised_name_at(doc, i)
        if word.islower():
            return self._lower_case_name_at(doc, i)
        return None

    def _capitalised_name_at(self, doc, i: int) -> int | None:
        token = doc[i]
        end = i + 1
        surname = initial = False
        while end < len(doc) and end - i <= 3:
            nxt = doc[end]
            if "\n" in doc[end - 1].text_with_ws:  # not doc.text: rebuilt on every call
                break
            if INITIAL.fullmatch(nxt.text) and end + 1 < len(doc) and doc[end + 1].text[:1].isupper():
                initial = initial or _MIDDLE_INITIAL.fullmatch(nxt.text) is not None
                end += 1
                continue
            if nxt.text[:1].isupper() and NAME_TOKEN.fullmatch(nxt.text) and not nxt.text.isupper() \
                    and not nxt.is_stop and nxt.lower_ not in NOT_NAMES:
                surname = surname or not self._word(nxt)
                end += 1
                continue
            break
        if not self._word(token) or surname or (initial and end > i + 2):
            return end
        # A given name that is also a word ("Teresa", "Florence", "Jacob") when spaCy tags it a
        # proper noun after a lower-case word, or before a verb as the subject of a sentence: not
        # first in Title Case text, where capitals say nothing.
        if token.pos_ == "PROPN" and token.ent_type_ in (*NO_ENTITY, "PERSON") and end == i + 1:
            after = next_token(doc, i)
            before = doc[i - 1] if i > 0 else None
            if before is not None and before.text.islower():
                return end
            # "Jacob lives on ...", though not the last word of a title ("The Princess Royal arrived")
            subject = before is None or not before.text[:1].isupper()
            if subject and after is not None and after.pos_ in ("VERB", "AUX") and after.text.islower():
                return end
        return None

    def _lower_case_name_at(self, doc, i: int) -> int | None:
        token = doc[i]
        nxt = next_token(doc, i)
        unknown = not self._word(token)
        if nxt is not None and nxt.text.islower():
            # "codey m ross": a given name, a middle initial, a surname; not "can u check"
            after = next_token(doc, i + 1)
            if unknown and _MIDDLE_INITIAL.fullmatch(nxt.text) and nxt.lower_ not in _CHAT_LETTERS \
                    and after is not None and after.text.islower() \
                    and NAME_TOKEN.fullmatch(after.text) and len(after.text) >= 2 and not after.is_stop:
                return i + 3
            if unknown and NAME_TOKEN.fullmatch(nxt.text) and not self._word(nxt) and nxt.lower_ not in NOT_NAMES:
                return i + 2
        previous = doc[i - 1] if i > 0 else None
        if unknown and len(token.text) >= 4 and token.pos_ in ("PROPN", "NOUN") \
                and not (previous is not None and modifies(previous)):
            return i + 1
        if token.pos_ == "PROPN" and nxt is not None and nxt.pos_ in ("VERB", "AUX"):
            return i + 1  # "selma is from ..."
        return None
