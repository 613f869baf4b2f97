"""Email addresses, validated offline."""

from __future__ import annotations

from presidio_analyzer.predefined_recognizers import EmailRecognizer

from logmine_dagster.sanitise.recognizers.base import RecognizerInputs


class OfflineEmailRecognizer(EmailRecognizer):
    """Presidio's email recognizer, checking domains against the suffix list bundled with
    tldextract (no network). A known suffix makes the match certain; an address on an internal
    domain ("jane@corp.internal") is still an address, so it keeps the pattern's score."""

    def __init__(self, tld_extractor) -> None:
        super().__init__()
        self._tld_extractor = tld_extractor

    @classmethod
    def build(cls, inputs: RecognizerInputs) -> OfflineEmailRecognizer:
        return cls(inputs.tld_extractor)

    def validate_result(self, pattern_text: str) -> bool | None:
        return True if self._tld_extractor(pattern_text).fqdn else None
