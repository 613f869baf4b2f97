"""Addresses in forms the street grammar of `address_patterns` does not read: Japanese (〒 postal mark,
prefecture-city-block in kanji, romanised "Chiyoda-ku, Marunouchi 1-9-1"), Chinese blocks written the
same way ("…市…区…路88号"), Indian PIN codes (after a "PIN" cue, after a state, or after a town and a
dash where an address cue is near), and Australian state-and-postcode tails ("Parramatta NSW 2150").
UK and Canadian postcodes and street lines are `address_patterns`' business.

A PIN or state-postcode match takes with it the comma-separated words before it on its line ("Flat 201,
Prestige Towers, MG Road, Bengaluru, Karnataka 560001"): those are the rest of the same address.
"""

from __future__ import annotations

import regex
from presidio_analyzer import Pattern

from logmine_dagster.sanitise.recognizers.addresses import ADDRESS_CONTEXT, StreetAddressRecognizer
from logmine_dagster.sanitise.recognizers.base import NEEDS_CONTEXT, WEAK, LogminePatternRecognizer
from logmine_dagster.sanitise.recognizers.postal_blocks import widen_to_postal_block

_JP_CHARS = r"[\p{Han}\p{Katakana}ー々ヶ\d０-９\-－‐−]"
# Indian states and union territories (the postal circles' names as people write them).
_INDIAN_STATES = (
    "Andhra Pradesh|Arunachal Pradesh|Assam|Bihar|Chhattisgarh|Goa|Gujarat|Haryana|Himachal Pradesh|"
    "Jharkhand|Karnataka|Kerala|Madhya Pradesh|Maharashtra|Manipur|Meghalaya|Mizoram|Nagaland|Odisha|"
    "Orissa|Punjab|Rajasthan|Sikkim|Tamil Nadu|Telangana|Tripura|Uttar Pradesh|Uttarakhand|West Bengal|"
    "Delhi|New Delhi|Chandigarh|Puducherry|Pondicherry|Jammu and Kashmir|Ladakh|Lakshadweep"
)
_PIN = r"[1-9]\d{2}[ \t]?\d{3}(?![\w-])"
_AU_STATES = "NSW|VIC|QLD|WA|SA|TAS|ACT|NT"

REGIONAL_PATTERNS = [
    # 〒150-0002 東京都渋谷区渋谷2丁目21-1: the postal mark and the rest of the address after it
    Pattern(
        "Japanese postal mark",
        rf"〒[ \t　]?\d{{3}}[-－‐ー]?\d{{4}}(?:[ \t　]*{_JP_CHARS}+(?:丁目|番地|番|号)?(?:{_JP_CHARS}|丁目|番地|番|号)*)?",
        0.8,
    ),
    # 東京都渋谷区神南1丁目2-3 / 大阪府大阪市北区梅田3-1-3 / 北京市朝阳区建国路88号: a region, a city or
    # ward, more names, and a block number; without the number it is a place name, not an address
    Pattern(
        "kanji address with block number",
        r"(?:\p{Han}{1,3}[都道府県省])?\p{Han}{1,6}[市区町村郡](?:\p{Han}{1,6}[市区町村])?[\p{Han}\p{Katakana}ー々ヶ]{0,10}"
        r"[\d０-９]{1,4}(?:(?:丁目|番地|番|号|[-－‐−])[\d０-９]{0,4}){1,3}",
        0.6,
    ),
    # Tokyo-to Shibuya-ku Jingumae 4-12-10 / Chiyoda-ku, Marunouchi 1-9-1: a romanised ward or city
    # and a block-lot number
    Pattern(
        "romanised Japanese address",
        r"(?<![\w-])(?:\p{Lu}\p{Ll}+(?:-(?:to|fu|ken|do))?,?[ \t]+)?\p{Lu}\p{Ll}+-(?:ku|shi|cho|chō|machi|gun|mura)"
        r",?(?:[ \t]+\p{Lu}[\p{L}-]*){0,3}[ \t]+\d{1,4}(?:-\d{1,4}){1,2}(?![\w-])",
        0.6,
    ),
    # PIN code 110001 / Pincode: 560 001
    Pattern(
        "Indian PIN after a cue",
        rf"(?<=(?i:\bpin(?:[ \t]?code)?|\bpincode|\bpostal[ \t]index[ \t]number)[ \t]*(?:(?i:is)[ \t]+|[:=#-][ \t]*)?){_PIN}",
        0.7,
    ),
    # Bengaluru, Karnataka 560001 / Gurgaon, Haryana - 122001
    Pattern("Indian state and PIN", rf"(?<![\w-])(?:{_INDIAN_STATES})[ \t]*[-–,]?[ \t]*{_PIN}", 0.6),
    # Pune - 411001 / Pune 411001: a town and a six-digit number, only where an address cue is near
    Pattern("town and PIN", rf"(?<![\w-])\p{{Lu}}\p{{Ll}}{{2,}}[ \t]*[-–,]?[ \t]*{_PIN}", WEAK),
    # Parramatta NSW 2150
    Pattern("Australian state and postcode", rf"(?<![\w-])(?:{_AU_STATES})[ \t]+\d{{4}}(?![\w-])", 0.5),
]

# The address words before a PIN or postcode tail on its line: capitalised words or numbers, commas between.
_WORDS_BEFORE = regex.compile(r"(?:(?:[\p{Lu}\d][\p{L}\d'’./#-]*)(?:[ \t]*,[ \t]*|[ \t]+)){1,10}$")
_WIDENED = ("Indian PIN after a cue", "Indian state and PIN", "town and PIN", "Australian state and postcode")
_LINE_WINDOW = 160


class RegionalAddressRecognizer(LogminePatternRecognizer):
    """Japanese, Chinese-block, Indian and Australian address forms (see the module doc)."""

    ENTITY = "STREET_ADDRESS"
    NAME = "LogmineRegionalAddressRecognizer"
    PATTERNS = REGIONAL_PATTERNS
    CONTEXT = ADDRESS_CONTEXT
    SCORE_THRESHOLDS = NEEDS_CONTEXT
    # The same cue reading as street addresses: "address" earlier in the sentence lifts a weak match.
    enhance_using_context = StreetAddressRecognizer.enhance_using_context

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):
        results = super().analyze(text, entities, nlp_artifacts, regex_flags) or []
        for result in results:
            result.start, result.end = widen_to_postal_block(text, result.start, result.end)
            if getattr(result.analysis_explanation, "pattern_name", None) in _WIDENED:
                before = text[max(0, result.start - _LINE_WINDOW) : result.start].rsplit("\n", 1)[-1]
                words = _WORDS_BEFORE.search(before)
                if words is not None:
                    result.start -= len(before) - words.start()
        return results
