"""One person, one surrogate across the records of a conversation.

Within a record, `known_values.KnownValues.linked` already gives a greeting's given name, a title form
("Mrs. Drummond-Hale") and an email local part the surrogate of the full name found in the same record.
Records of one conversation are sanitised apart (other shards, days, processes) and nothing linking
values to people may be stored, so across records the link has to come from the value itself: a
person's keyed surrogate is derived from the first word of the full name, not the whole of it.

    placeholder = linked_people(keyed_placeholder(key, conversation))

Then "Philippa Drummond-Hale" in a tool result of one record and "Thanks Philippa" in the next record
of the session read as `<PERSON_3f9a>` both. The price is fidelity, never privacy: two people of one
conversation who share a given name share a surrogate (tags are per conversation, so never across).
A surname alone in a record without the full name ("Mrs. Drummond-Hale") keeps its own surrogate.
"""

from __future__ import annotations

import re

from logmine_dagster.sanitise.surrogates import Placeholder

_TITLES = frozenset({"mr", "mrs", "ms", "mx", "miss", "dr", "prof", "sir", "madam", "dame", "lord", "lady"})
# Words that open a surname, not a given name ("Van Der Berg", "de la Cruz").
_PARTICLES = frozenset({"van", "von", "der", "den", "de", "da", "del", "della", "di", "du", "la", "le", "st", "mc", "mac", "bin", "al", "el"})
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def person_family(value: str) -> str:
    """The part of a person's name their surrogate is keyed by: the given name of a full name written
    given name first, else the value as it is."""
    if "," in value:  # "Drummond-Hale, Philippa": which word is the given name is not clear
        return value
    words = [word for word in _WORD.findall(value)]
    while words and words[0].lower().rstrip(".") in _TITLES:
        words = words[1:]
    if len(words) < 2 or len(words) > 4 or len(words[0]) < 2 or words[0].lower() in _PARTICLES:
        return value
    return words[0]


def linked_people(placeholder: Placeholder) -> Placeholder:
    """`placeholder` with PERSON values keyed by `person_family`."""

    def linked(entity_type: str, value: str) -> str:
        return placeholder(entity_type, person_family(value) if entity_type == "PERSON" else value)

    return linked
