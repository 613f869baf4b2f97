"""Names that spaCy's small model misses, read from the words the English lexicon does not know:
runs of unknown proper nouns ("Radogost Wierzba"), and single ones ("Irenka is very reliable")."""

from __future__ import annotations

import regex

from logmine_dagster.sanitise.gazetteer import NOT_GIVEN_NAMES
from logmine_dagster.sanitise.lexicon import english_word
from logmine_dagster.sanitise.model_misreads import names_a_thing
from logmine_dagster.sanitise.recognizers.name_base import (
    INITIAL,
    NAME_TOKEN,
    NO_ENTITY,
    NOT_NAMES,
    NameRecognizer,
    modifies,
    next_token,
)

_SENTENCE_OPENERS = frozenset({".", "!", "?", ":", ";", '"', "'", "“", "‘", "(", "[", "-", "–", "—", "*", "•", ">"})


def _opens_sentence(token) -> bool:
    """First word of the text, of a line, or after sentence punctuation, quotes or a bullet."""
    if token.i == 0:
        return True
    previous = token.doc[token.i - 1]
    return "\n" in previous.text or previous.text in _SENTENCE_OPENERS or previous.text.endswith("...")


class ProperNameRunRecognizer(NameRecognizer):
    """Two or three capitalised proper nouns in a row, none of them an English word, initials
    allowed between: "Radogost Wierzba", "Bendegúz T Hollós"; or two such words in lower case that spaCy
    reads as nouns ("kazuto imahori"). A run of words the lexicon does not know is a name of someone
    or something.
    """

    NAME = "LogmineProperNameRunRecognizer"

    def _unknown_proper(self, token) -> bool:
        word = token.text
        return (
            token.pos_ == "PROPN" and NAME_TOKEN.fullmatch(word) is not None and word[0].isupper()
            and not word[1:].isupper() and len(word) >= 3 and not english_word(word, self._known_words)
            and word.lower() not in NOT_NAMES and not token.is_stop
        )

    def _mostly_unknown(self, doc) -> bool:
        words = [t for t in doc if t.is_alpha and not t.is_stop]
        unknown = sum(1 for t in words if not english_word(t.text, self._known_words))
        return len(words) >= 3 and unknown * 2 > len(words)

    def _unknown_lower_case(self, token) -> bool:
        word = token.text
        return (
            token.pos_ in ("PROPN", "NOUN") and word.islower() and NAME_TOKEN.fullmatch(word) is not None
            and len(word) >= 3 and not token.is_stop and word not in NOT_NAMES
            and not english_word(word, self._known_words, token.lemma_)
        )

    def analyze(self, text, entities, nlp_artifacts=None):
        if nlp_artifacts is None or not nlp_artifacts.tokens:
            return []
        doc = nlp_artifacts.tokens
        # In a text mostly of words the lexicon does not know (another language, code), two such
        # words in lower case say nothing about a name.
        lower_case_pairs = not self._mostly_unknown(doc)
        results = []
        i = 0
        while i < len(doc):
            if lower_case_pairs and self._unknown_lower_case(doc[i]) and not (i > 0 and modifies(doc[i - 1])):
                nxt = next_token(doc, i)
                if nxt is not None and self._unknown_lower_case(nxt):
                    results.append(self.person(doc[i].idx, nxt.idx + len(nxt.text), 0.5))
                    i += 2
                    continue
            if not self._unknown_proper(doc[i]):
                i += 1
                continue
            end, words = i + 1, 1
            while end < len(doc) and words < 3 and doc[end - 1].whitespace_ == " ":
                if self._unknown_proper(doc[end]):
                    words += 1
                elif not (INITIAL.fullmatch(doc[end].text) and end + 1 < len(doc) and self._unknown_proper(doc[end + 1])):
                    break
                end += 1
            if words >= 2:
                last = doc[end - 1]
                results.append(self.person(doc[i].idx, last.idx + len(last.text), 0.5))
            i = end
        return results


# Capitals inside a word mark a brand or product ("OnePlus", "HomeHub", "PostNL"), except in the
# surname prefixes that carry them ("McAllister", "DeVito", "O'Brien").
_INNER_CAPITAL = regex.compile(r"^(?!Mc|Mac|O['’]|D['’]|De|Di|Da|Du|La|Le|Van|Von|Fitz)\p{L}+\p{Lu}")


class SingleProperNounRecognizer(NameRecognizer):
    """One capitalised word that spaCy tags a proper noun, that the English lexicon does not know
    and that spaCy's NER left alone: "Irenka is very reliable", "the Vlasbloem novel".

    Such a word names someone or something; in a support chat mostly a person, a place or a
    company. Product and brand names that must stay readable go in the allow-list. Words written
    with inner capitals (brands) and words right after a number ("500 Mbps") are left alone; a word
    that opens a sentence, where a capital says nothing, counts only as the subject of a verb.

    One more single word is a name whatever spaCy tags it: one that opens a line and is followed
    by a comma, the way a person is addressed ("Vide, can I speak to your boss?"). A lone word in
    lower case is left to the given-name gazetteer: "voicemail is full" and "bluetooth won't pair"
    read just like "kowalczyk said so".
    """

    NAME = "LogmineSingleProperNounRecognizer"

    def analyze(self, text, entities, nlp_artifacts=None):
        if nlp_artifacts is None or not nlp_artifacts.tokens:
            return []
        return [
            self.person(token.idx, token.idx + len(token.text), 0.45)
            for token in nlp_artifacts.tokens
            if self._is_unknown_name(token, text)
        ]

    def _is_unknown_name(self, token, text: str) -> bool:
        word = token.text
        if token.ent_type_ not in NO_ENTITY or len(word) < 3 or not word.isalpha() or word[1:].isupper():
            return False
        if token.is_stop or word.lower() in NOT_NAMES or word.lower() in NOT_GIVEN_NAMES or _INNER_CAPITAL.match(word):
            return False
        if english_word(word, self._known_words) or names_a_thing(text, token.idx, token.idx + len(word), frozenset()):
            return False  # ... or a product by what is said of it ("Grafana keeps crashing"); `text` is
            # the doc's text (`doc.text` is rebuilt from every token on each call: quadratic in a piece)
        doc = token.doc
        previous = doc[token.i - 1] if token.i > 0 else None
        if not word[0].isupper():
            return False
        addressed = token.i + 1 < len(doc) and doc[token.i + 1].text == ","
        if _opens_sentence(token):
            # First in a sentence a capital says nothing: only the way a person is addressed at the
            # start of a line ("Vide, can you ...") or a proper noun that a verb or another name
            # follows ("Irenka is ...", "Abramovich and Wilson were ...").
            opens_line = previous is None or "\n" in previous.text or previous.text_with_ws.endswith("\n")
            after = next_token(doc, token.i)
            subject = token.pos_ == "PROPN" and after is not None and (
                (after.pos_ in ("VERB", "AUX") and after.text.islower())
                or (after.lower_ in ("and", "&") and token.i + 2 < len(doc) and doc[token.i + 2].pos_ == "PROPN")
            )
            return (opens_line and addressed) or subject
        return token.pos_ == "PROPN" and not (previous is not None and previous.like_num)

