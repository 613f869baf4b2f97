"""Words that many users write on the same day are the day's vocabulary, not one customer's name.

The NER reads a product, tool or brand it does not know ("Grafana", "Zendesk") as a PERSON. A real
customer's name is written in that customer's conversations only; a word that the conversations of at
least `k` distinct users use on one day (LOGMINE_COMMON_TERM_USERS, default 5) is a term of the day:
a PERSON or ORGANIZATION span made only of such words is kept readable, unless there is strong
evidence of a person:

- the name lexicon: its first word is a gazetteer given name ("Taylor Swift", "Amelia Davis" mask
  however many users write them), or
- a person cue right before it: a title or a self-introduction ("Mr Wojtaszek", "my name is ...",
  "I'm ..."), where the model's reading is not a guess, or
- the shape of a full name: two or more words, none after the first an English word ("Leocadia
  Vanterpool" masks; "Nimbus Home", a plan, does not). A name planted in many users' records, as the
  structure benchmark does, stays masked this way.

Decided: a surname or an unknown given name that k users write without such a cue (a celebrity, a
staff member who signs replies, a shop named after its owner) is public to those users and is kept;
the default k=5 leaves room for a household or one person writing from a few accounts (2-3 user ids),
and is small enough that a support tool the day's users keep naming is counted.

Counting is per-day and deterministic: `DayTermCounter` is fed every raw record of the day (each shard
feeds the whole day, so every shard gets the same terms), keyed by a hash of the user id; it keeps, per
word, only the set of user hashes until the word reaches k, then only the word. Nothing is stored or
logged: the terms live in memory for the day's run. A record without a user id (or session id) counts
for no one.

    counter = DayTermCounter(k)
    for record in records: counter.add(record)
    terms = counter.terms()
    sanitiser.sanitise_record(record, pseudonym_key=key, common_terms=terms)
"""

from __future__ import annotations

import hashlib
import os
import re
from typing import Iterable, Mapping

from logmine_dagster.sanitise.prompt_terms import TERM_TYPES
from logmine_dagster.sanitise.spans import Span

DEFAULT_USERS = 5
_CAPITALISED = re.compile(r"(?<![\w'’-])[A-Z][\w'’-]*")
# Strong evidence of a person right before a span: a title, or the person introducing themself.
_PERSON_CUE = re.compile(
    r"(?:\b(?:mr|mrs|ms|mx|miss|dr|prof|sir|madam|dear)\.?|\bname\s+is|\bname's|\bi\s+am|\bi['’]m|\bcalled|\bthis\s+is)\s+$",
    re.IGNORECASE,
)
_CUE_WINDOW = 20


class CommonTermSettingError(ValueError):
    """k below 2: a single customer's own name would count as a term of the day."""


def _strings(value) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


class DayTermCounter:
    """Capitalised words of a day's records, counted by distinct user."""

    def __init__(self, users: int = DEFAULT_USERS) -> None:
        if users < 2:
            raise CommonTermSettingError(f"common terms need at least 2 users, got {users}")
        self._users = users
        self._seen: dict[str, set[bytes]] = {}
        self._common: set[str] = set()

    def add(self, record: dict) -> None:
        who = (record.get("user_id") or record.get("session_id")) if isinstance(record, dict) else None
        if not isinstance(who, str) or not who:
            return
        user = hashlib.sha256(who.encode("utf-8")).digest()[:8]
        words = {word.lower() for text in _strings([record.get("input"), record.get("output")]) for word in _CAPITALISED.findall(text)}
        for word in words - self._common:
            users = self._seen.setdefault(word, set())
            users.add(user)
            if len(users) >= self._users:
                self._common.add(word)
                del self._seen[word]

    def terms(self) -> frozenset[str]:
        return frozenset(self._common)


def day_common_terms(records: Iterable[dict], users: int = DEFAULT_USERS) -> frozenset[str]:
    counter = DayTermCounter(users)
    for record in records:
        counter.add(record)
    return counter.terms()


def is_common_term(
    text: str, span: Span, terms: frozenset[str], given_names: frozenset[str], known_words: frozenset[str] = frozenset()
) -> bool:
    """A PERSON or ORGANIZATION span whose every capitalised word is a term of the day, whose first
    word is no given name, that is not shaped like a full name (two or more words, none after the
    first an English word: "Leocadia Vanterpool", where "Nimbus Home" is a plan), and that no title or
    self-introduction precedes."""
    if span.entity_type not in TERM_TYPES or not terms:
        return False
    found = list(_CAPITALISED.finditer(text, span.start, span.end))
    words = [match.group().lower() for match in found]
    if not words or words[0] in given_names or not all(word in terms for word in words):
        return False
    if len(words) >= 2 and not any(word in known_words for word in words[1:]):
        return False  # a full name's shape is strong evidence, however many users write it
    # The cue may be outside the span or its first word ("Mr Wojtaszek" widened over its title).
    last = found[-1].start()
    return _PERSON_CUE.search(text[max(0, span.start - _CUE_WINDOW) : last]) is None


def is_common_value(
    entity_type: str, value: str, terms: frozenset[str], given_names: frozenset[str], known_words: frozenset[str] = frozenset()
) -> bool:
    """The same test for a found (type, value) pair, before it is masked wherever else it occurs."""
    return is_common_term(value, Span(0, len(value), entity_type, 0.0), terms, given_names, known_words)
