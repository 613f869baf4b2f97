"""Phone numbers in formats Presidio's validated matcher misses."""

from __future__ import annotations

import regex

from presidio_analyzer import Pattern

from logmine_dagster.sanitise.recognizers.base import NEEDS_CONTEXT, WEAK, LogminePatternRecognizer, lift_by_cue

_EXTENSION = r"(?:\s?(?:x|ext\.?)\s?\d{1,5})?"


class PhoneFormatRecognizer(LogminePatternRecognizer):
    """Phone numbers by shape: international, North American, and national numbers starting with 0."""

    ENTITY = "PHONE_NUMBER"
    NAME = "LogminePhoneFormatRecognizer"
    SCORE_THRESHOLDS = NEEDS_CONTEXT
    PATTERNS = [
        Pattern(
            "international",
            rf"(?<![\w+])\+\d{{1,3}}(?:[\s.-]?\(0\))?(?:[\s.-]?\(?\d{{1,5}}\)?){{1,6}}{_EXTENSION}(?!\w)",
            0.7,
        ),
        Pattern(
            "North American",
            rf"(?<![\w.+-])(?:1[\s.-])?(?:\(\d{{3}}\)\s?|\d{{3}}[\s.-])\d{{3}}[\s.-]\d{{4}}{_EXTENSION}(?![\w-])",
            0.6,
        ),
        Pattern(
            "national, leading zero",
            r"(?<![\w.+-])\(?0\d{1,4}\)?[\s.-]?\d{2,4}(?:[\s.-]?\d{2,4}){1,3}(?![\w-])",
            0.5,
        ),
        Pattern(
            "digit groups",
            r"(?<![\w.+/-])\(?\d{2,5}\)?(?:[\s.-]\d{2,5}){1,4}(?![\w/]|-\d|[.,]\d)|(?<![\w.+/-])\d{7,13}(?!\w)",
            WEAK,
        ),
    ]
    CONTEXT = [
        "phone", "call", "mobile", "cell", "tel", "telephone", "fax", "contact", "reach", "whatsapp",
        "text", "sms", "number", "ring", "dial", "answer", "message", "voicemail",
    ]


    def validate_result(self, pattern_text: str) -> bool | None:
        digits = sum(char.isdigit() for char in pattern_text)
        return None if 7 <= digits <= 15 else False

    def enhance_using_context(self, text, raw_recognizer_results, other_raw_recognizer_results, nlp_artifacts, context=None):
        """A cue word just before a number (on this line or the one above) or a label right after it
        ("612 904 371 office") lifts a weak match. Presidio's own enhancer reads only non-stop-word
        lemmas before the match, and "call" is a spaCy stop word."""
        for result in raw_recognizer_results:
            if result.score >= NEEDS_CONTEXT["default"]:
                continue
            before = text[max(0, result.start - 40) : result.start]
            after = text[result.end : result.end + 20].split("\n", 1)[0]
            if _PHONE_CUE_BEFORE.search(before) or _PHONE_CUE_AFTER.match(after):
                lift_by_cue(result)
        return raw_recognizer_results


_PHONE_WORDS = (
    r"phone|call|calling|mobile|cell|tel|telephone|fax|whatsapp|sms|text|ring|dial|voicemail|"
    r"office|desk|landline|hotline|home|work|direct|switchboard"
)
_PHONE_CUE_BEFORE = regex.compile(rf"(?i)\b(?:{_PHONE_WORDS}|contact|reach)\w*\b[^\n]*\n?[^\n]*$")
_PHONE_CUE_AFTER = regex.compile(rf"(?i)[ \t]*[-:,(]?[ \t]*(?:{_PHONE_WORDS})\b")
