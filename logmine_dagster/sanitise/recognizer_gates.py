"""Cheap character tests that skip a recognizer on a text it cannot match.

Every regex alternative of the recognizers listed here needs the character (or run) its gate
looks for, so a text without one gives the recognizer nothing to find: skipping it changes no
result, only the time. The phone-number library is the costly one (a tenth of the time on short
texts): no number it can accept has fewer than four digits (the shortest national number of any
region it knows), so a text with fewer is not handed to it; nor is one whose digits never come
four in a row with at most four of the library's own separator characters between each two (its
candidate pattern joins digit blocks no other way, so such a text yields no candidate it could
accept: dates and counts spread over a sentence cost nothing).
"""

from __future__ import annotations

import re

_ANY_DIGIT = re.compile(r"\d")
_FOUR_DIGITS = re.compile(r"\d(?:\D*\d){3}")


def _phone_run() -> re.Pattern:
    try:
        from phonenumbers.phonenumberutil import _VALID_PUNCTUATION
    except ImportError:  # a library version that renamed it: the looser gate is still exact
        return _FOUR_DIGITS
    return re.compile(r"\d(?:[" + _VALID_PUNCTUATION + r"]{0,4}\d){3}")


_PHONE_RUN = _phone_run()

# recognizer name -> a pattern the text must contain for the recognizer to find anything
GATES: dict[str, re.Pattern] = {
    "PhoneRecognizer": _PHONE_RUN,
    "CreditCardRecognizer": _FOUR_DIGITS,
    "UsBankRecognizer": _FOUR_DIGITS,
    "UsItinRecognizer": _FOUR_DIGITS,
    "UsPassportRecognizer": _FOUR_DIGITS,
    "UsSsnRecognizer": _FOUR_DIGITS,
    "NhsRecognizer": _FOUR_DIGITS,
    "MedicalLicenseRecognizer": _FOUR_DIGITS,
    "LogmineSsnFormatRecognizer": _FOUR_DIGITS,
    "LogmineLuhnCardRecognizer": _FOUR_DIGITS,
    "UsLicenseRecognizer": _ANY_DIGIT,
    "DateRecognizer": _ANY_DIGIT,
    "IbanRecognizer": _ANY_DIGIT,
    "LogminePhoneFormatRecognizer": _ANY_DIGIT,
    "LogmineDateOfBirthRecognizer": _ANY_DIGIT,
    "LogmineAccountIdRecognizer": _ANY_DIGIT,
    "LogmineRegionalAddressRecognizer": _ANY_DIGIT,  # every form ends in a postcode or block number
    "IpRecognizer": re.compile(r"[\d:]"),  # IPv6 may be all hex letters, or "::"
    "UrlRecognizer": re.compile(r"\."),
    "OfflineEmailRecognizer": re.compile(r"@"),
}


def gate_recognizers(recognizers) -> None:
    """Wrap each gated recognizer's `analyze` so that it runs only on texts its gate lets through."""
    for recognizer in recognizers:
        gate = GATES.get(recognizer.name)
        if gate is not None and not getattr(recognizer, "_logmine_gated", False):
            recognizer.analyze = _gated(recognizer.analyze, gate)
            recognizer._logmine_gated = True


def _gated(analyze, gate: re.Pattern):
    def gated_analyze(text, entities, nlp_artifacts=None, *args, **kwargs):
        if gate.search(text) is None:
            return []
        return analyze(text, entities, nlp_artifacts, *args, **kwargs)

    return gated_analyze
