"""The word lists the sanitiser judges names by, loaded once per sanitiser."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import AbstractSet

from logmine_dagster.sanitise.allow_list import AllowList

NAME_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")  # Anne-Marie, O'Brien, Šárka


@dataclass(frozen=True)
class WordLists:
    known_words: frozenset[str]  # the English lexicon (`lexicon.known_english_words`)
    given_names: frozenset[str]  # the gazetteer (`gazetteer.first_names`)
    stop_words: AbstractSet[str]  # spaCy's English stop words
    allow_list: AllowList

    def allows(self, word: str) -> bool:
        return self.allow_list.allows(word)
