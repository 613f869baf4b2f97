"""Lines that hold nothing but a name: signature blocks, letter heads, "Label: value" lines."""

from __future__ import annotations

import regex

from logmine_dagster.sanitise.recognizers.name_base import NOT_NAMES, NameRecognizer
from logmine_dagster.sanitise.recognizers.postal_blocks import NOT_ADDRESS_LINE_START

# A line holding only a name, as in signature and letter blocks, quoted or bulleted
# ("> Tadeo R Ubaldo", "??? Liv Halvorsrud"), or the value of a "Label:" line ("Directed By: ...").
_NAME_LINE = regex.compile(
    r"^[ \t>*•·|?-]*(?:[\p{L}][\p{L} \t]{0,30}:[ \t]*)?"
    r"(\p{L}[\p{L}'’-]*(?:[ \t]+(?:\p{L}\.?|\p{L}[\p{L}'’-]+)){1,3})[ \t]*,?[ \t]*$",
    regex.MULTILINE,
)
_INITIAL_WORD = regex.compile(r"\p{L}\.?")


class NameLineRecognizer(NameRecognizer):
    """A line that holds nothing but a name: signature blocks, letter heads, "Label: value" lines.

    Two or three words (initials aside), all capitalised or all lower case; it is a name when every
    word is unknown to the English lexicon, or when the first is a known given name and (in lower
    case, where there is less to go on) the last is not an English word. "Knowledge Agency",
    "Local transit bus driver" and "grace period" stay.
    """

    NAME = "LogmineNameLineRecognizer"

    def analyze(self, text, entities, nlp_artifacts=None):
        results = []
        for match in _NAME_LINE.finditer(text):
            if self._is_name(match.group(1).split()):
                results.append(self.person(match.start(1), match.end(1), 0.6))
        return results

    def _is_name(self, words: list[str]) -> bool:
        full = [w for w in words if not _INITIAL_WORD.fullmatch(w)]
        if not 2 <= len(full) <= 3 or _INITIAL_WORD.fullmatch(words[0]) or _INITIAL_WORD.fullmatch(words[-1]):
            return False
        lowered = [w.lower() for w in full]
        if any(w in NOT_NAMES or w in NOT_ADDRESS_LINE_START for w in lowered):
            return False
        if all(w[0].isupper() and not w[1:].isupper() for w in full):
            lower_case = False
        elif all(w.islower() for w in full):
            lower_case = True
        else:
            return False
        unknown = [w not in self._known_words for w in lowered]
        if all(unknown):
            return True
        if lowered[0] not in self._given_names:
            return False
        return not lower_case or unknown[-1]

