"""Recognizers added to Presidio's registry for what its built-in set misses in support chats.

Built-in Presidio has no street address or secret recognizer, misses phone numbers outside a few
regions' valid ranges, and spaCy's small model misses many names. The pattern recognizers are regex
based; the name recognizers read spaCy's tokens (part of speech, entity) against two word lists that
ship with installed packages: the English lexicon (`lexicon`) and a given-name gazetteer
(`gazetteer`). They aim at what a person would recognise as an address or a name, not at the
surface of any one corpus.

One module per family: `emails`, `phones`, `spelled_numbers` (digits in words), `addresses` (with
`address_patterns` and `postal_blocks`), `regional_addresses` (Japanese, Indian, Australian forms), `identifiers` (dates of birth, account ids, SSNs, cards),
`record_numbers` (MRN, patient, member, policy numbers after a cue), `credentials`,
`home_directories`, `name_identifiers` (usernames built from names or after a username cue), and the
names: `name_cues`, `multilingual_names` (other languages' cues, non-Latin scripts), `given_names`,
`name_lines`, `proper_nouns`, on the shared `name_base`. `RECOGNIZER_FAMILIES` below is the one list of what gets registered.

Importing this package imports Presidio (about a second): `engine` imports it lazily.
"""

from __future__ import annotations

from logmine_dagster.sanitise.gazetteer import first_names
from logmine_dagster.sanitise.recognizers.addresses import StreetAddressRecognizer
from logmine_dagster.sanitise.recognizers.base import RecognizerInputs
from logmine_dagster.sanitise.recognizers.credentials import SecretRecognizer
from logmine_dagster.sanitise.recognizers.emails import OfflineEmailRecognizer
from logmine_dagster.sanitise.recognizers.given_names import GivenNameRecognizer
from logmine_dagster.sanitise.recognizers.home_directories import HomeDirectoryUserRecognizer
from logmine_dagster.sanitise.recognizers.identifiers import (
    AccountIdRecognizer,
    DateOfBirthRecognizer,
    LuhnCardRecognizer,
    SsnFormatRecognizer,
)
from logmine_dagster.sanitise.recognizers.multilingual_names import MultilingualNameRecognizer
from logmine_dagster.sanitise.recognizers.name_cues import NameAfterCueRecognizer
from logmine_dagster.sanitise.recognizers.name_identifiers import NameIdentifierRecognizer
from logmine_dagster.sanitise.recognizers.name_lines import NameLineRecognizer
from logmine_dagster.sanitise.recognizers.phones import PhoneFormatRecognizer
from logmine_dagster.sanitise.recognizers.proper_nouns import ProperNameRunRecognizer, SingleProperNounRecognizer
from logmine_dagster.sanitise.recognizers.record_numbers import RecordNumberRecognizer
from logmine_dagster.sanitise.recognizers.regional_addresses import RegionalAddressRecognizer
from logmine_dagster.sanitise.recognizers.spelled_numbers import SpelledNumberRecognizer

# Every recognizer logmine adds, in registration order; each class builds itself from the shared
# `RecognizerInputs` (`build`).
RECOGNIZER_FAMILIES = (
    OfflineEmailRecognizer,
    PhoneFormatRecognizer,
    SpelledNumberRecognizer,
    StreetAddressRecognizer,
    RegionalAddressRecognizer,
    DateOfBirthRecognizer,
    AccountIdRecognizer,
    RecordNumberRecognizer,
    SsnFormatRecognizer,
    LuhnCardRecognizer,
    SecretRecognizer,
    HomeDirectoryUserRecognizer,
    NameIdentifierRecognizer,
    NameAfterCueRecognizer,
    MultilingualNameRecognizer,
    GivenNameRecognizer,
    NameLineRecognizer,
    ProperNameRunRecognizer,
    SingleProperNounRecognizer,
)


# Presidio's own recognizers that ours replace: its email recognizer fetches the suffix list.
REPLACED_PRESIDIO_RECOGNIZERS = ("EmailRecognizer",)


def build_recognizers(tld_extractor, known_words: frozenset[str]) -> list:
    """One instance of each recognizer family, all sharing the same word lists."""
    inputs = RecognizerInputs(tld_extractor=tld_extractor, known_words=known_words, given_names=first_names())
    return [family.build(inputs) for family in RECOGNIZER_FAMILIES]


def add_logmine_recognizers(registry, tld_extractor, known_words: frozenset[str]) -> None:
    """Add ours to a registry holding Presidio's set, removing the Presidio ones they replace."""
    for name in REPLACED_PRESIDIO_RECOGNIZERS:
        registry.remove_recognizer(name)
    for recognizer in build_recognizers(tld_extractor, known_words):
        registry.add_recognizer(recognizer)

