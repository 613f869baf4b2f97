"""Recognizers added to Presidio's registry for what its built-in set misses in support chats.

Built-in Presidio has no street address or secret recognizer, misses phone numbers outside a few
regions' valid ranges, and spaCy's small model misses many names. The pattern recognizers are regex
based; the name recognizers read spaCy's tokens (part of speech, entity) against two word lists that
ship with installed packages: the English lexicon (`lexicon`) and a given-name gazetteer. They aim at
what a person would recognise as an address or a name, not at the surface of any one corpus.

Importing this module imports Presidio (about a second): `engine` imports it lazily.
"""

from __future__ import annotations

import bisect
import functools
from pathlib import Path

import regex

from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult
from spacy.lang.en.stop_words import STOP_WORDS

from logmine_dagster.sanitise.lexicon import MODERN_WORDS, english_word
from presidio_analyzer.predefined_recognizers import EmailRecognizer

# Case matters for most patterns below (a capitalised word is a name, a lower-case one rarely is);
# Presidio's default flags would make them case-insensitive.
CASE_SENSITIVE = regex.MULTILINE
# Patterns that only count with a cue word nearby score below this; Presidio's context enhancer
# lifts a result to at least 0.4 when one of the recognizer's context words precedes it.
NEEDS_CONTEXT = {"default": 0.4}
WEAK = 0.1

# ---------------------------------------------------------------------------------------------
# Street addresses
# ---------------------------------------------------------------------------------------------

# Street types from USPS Publication 28 and common UK ones; only capitalised forms are matched.
_STREET_TYPES = (
    "Street|Str|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|Boulevard|Blvd|Court|Ct|Place|Pl|Way|Close|"
    "Crescent|Cres|Terrace|Square|Sq|Parkway|Pkwy|Highway|Hwy|Trail|Trl|Row|Mews|Grove|Gardens|"
    "Walk|Hill|Circle|Cir|Loop|Alley|Path|Pike|Plaza|Green|Greens|Rise|View|Wharf|Quay|Heights|"
    "Park|Point|Pass|Crossing|Ridge|Run|Landing|Manor|Meadows?|Glen|Hollow|Harbou?r|Junction|"
    "Estates?|Expressway|Freeway|Turnpike|Causeway|Bypass|Cent(?:er|re)|Village|Valley|Creek|"
    "Brook|Falls|Fields?|Ford|Forest|Islands?|Isle|Lakes?|Mount|Mountain|Orchard|Oval|Port|"
    "Shores?|Springs?|Station|Summit|Union|Ville|Vista|Wells?|Cove|Bend|Bluffs?|Bridge|Canyon|"
    "Cape|Club|Common|Corner|Crest|Curve|Dale|Ferry|Flats?|Forks?|Haven|Inlet|Knolls?|Lock|"
    "Mall|Mills?|Motorway|Plains?|Prairie|Ranch|Rapids|River|Route|Spur|Stream|Trace|Tunnel|Crossroads?"
)
# Continental street words written as a suffix (Hauptstraße, Östbygatan, Rooseveltlaan).
_STREET_SUFFIXES = (
    "straße|strasse|str\\.|gasse|weg|platz|allee|damm|ufer|chaussee|gatan|gata|vägen|väg|gränd|"
    "torget|torg|veien|vegen|gaten|gade|vej|stræde|laan|straat|plein|kade|gracht|dreef|tie|"
    "katu|kuja|polku|utca|ulica|cesta|iela|gatve|tänav"
)
# The same written as a word of their own after the name (Berliner Straße 5, Rákóczi út 66).
# Hungarian abbreviations: u. (utca), krt. (körút), rkp. (rakpart).
_STREET_WORDS = (
    "Straße|Strasse|Str\\.|Weg|Gasse|Platz|Allee|Gatan|Gata|Vej|Laan|Straat|Plein|út|útja|utca|u\\.|tér|"
    "kapu|körút|krt\\.|rakpart|rkp\\.|sétány|köz|fasor|tee|maantee|puiestee|iela|gatvė|prospektas"
)
# Street words written before the name (Via Roma 12, Rua João Pessoa 1636, ul. Cicha 86).
_STREET_PREFIXES = (
    "Rue|Avenue|Boulevard|Chemin|Allée|Impasse|Quai|Via|Viale|Vicolo|Piazza|Piazzale|Corso|Largo|"
    "Calle|Carrer|Avenida|Avinguda|Paseo|Passeig|Plaza|Plaça|Camino|Carretera|Ronda|Travesía|Rua|Rúa|"
    "Travessa|Praça|Praza|Alameda|Estrada|Rambla|ul\\.|ulica|al\\.|aleja|Λεωφόρος|Λ\\.|Οδός|Strada|"
    "Straße|Strasse|Calea|Bulevardul|Ulitsa|Trg|Náměstí|nám\\.|Třída"
)
_PARTICLE = (
    "(?:d[aeiou]s?|de[il]|degli|dell[aeo']?|la|le|les|l'|d'|von|van|der|den|of|the|y|e|"
    "z|ze|u|na|nad|pod|am|an|im|zum|zur|auf|sur|en)"
)
_NAME_WORD = rf"(?:[\p{{Lu}}\d][\p{{L}}\d'’.-]*|{_PARTICLE})"
_HOUSE_NUMBER = r"\d{1,6}[A-Za-z]?(?:[-/]\d{1,4}[A-Za-z]?)?\.?"
_UNIT = r"(?:,?[ \t]*(?i:apt|apartment|suite|ste|unit|flat|floor|fl)\.?[ \t]*#?[ \t]*\d{1,5}[A-Za-z]?){0,2}"
_UK_POSTCODE = r"(?:[A-Z]{1,2}\d[A-Z\d]?[ \t]*\d[A-Z]{2})"
_US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|"
    "NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC"
)
# ", Springfield, IL 62704" / ", London NW1 6XE" / ", 10115 Berlin" after a street, on its line
# (a postal block over several lines is handled by StreetAddressRecognizer).
_CITY = rf"\p{{Lu}}[\p{{L}}'’.-]*\p{{L}}(?:[ \t]+(?:{_PARTICLE}[ \t]+)?\p{{Lu}}[\p{{L}}'’.-]*\p{{L}}){{0,2}}"  # Mora de Rubielos
_TAIL = (
    rf"(?:,[ \t]*\d{{4,5}}[ \t]+{_CITY}"
    rf"|(?:,[ \t]*{_CITY}){{0,2}},?[ \t]+(?:(?:{_US_STATES})[ \t]+)?(?:\d{{5}}(?:-\d{{4}})?|{_UK_POSTCODE})(?!\w)"
    rf"|,[ \t]*{_CITY})?"
)

# Words that put a number and a street type together without making an address: "5 minutes down
# the road", "a 3 lane road", "the 2 way street".
_NOT_STREET_NAME = (
    r"(?!(?i:the|a|an|on|in|of|to|up|down|along|across|off|this|that|my|your|our|way|lane|one|two|"
    r"minutes?|mins?|hours?|days?|miles?|blocks?|km|meters?|metres?|feet|ft|yards?|doors?|more|other)\b)"
)
ADDRESS_PATTERNS = [
    # 1234 Oak Street, Springfield, IL 62704 / 221B Baker Street, London NW1 6XE
    Pattern(
        "house number, name, street type",
        rf"(?<![\w.,])(?:{_HOUSE_NUMBER}[ \t]+)?{_HOUSE_NUMBER}[ \t]+(?:{_NAME_WORD}[ \t]+){{1,4}}?"
        rf"(?:{_STREET_TYPES})s?\.?(?!\p{{L}}){_UNIT}{_TAIL}",
        0.6,
    ),
    # Hauptstraße 12, 10115 Berlin / Brucker Bundesstrasse 31 / hersnapvej 18 / Rákóczi út 66 /
    # Árpád fejedelem útja 3 (a capitalised name may go on in lower case before the street word)
    Pattern(
        "street with continental suffix, number",
        rf"(?<![\w.])(?:{_HOUSE_NUMBER}[ \t]+)?(?:\p{{Lu}}[\p{{L}}'’.-]*[ \t]+(?:\p{{L}}[\p{{L}}'’.-]*[ \t]+){{0,1}})?"
        rf"(?:\p{{L}}{{3,}}(?i:{_STREET_SUFFIXES})|(?:{_STREET_WORDS}))[ \t]+{_HOUSE_NUMBER}(?!\w){_UNIT}{_TAIL}",
        0.6,
    ),
    # Via dei Fiorentini 17 / Rua João Pessoa 1636 / ul. Więckowskiego Stefana 28 /
    # Rua Vinte e Cinco de Setembro 1257
    Pattern(
        "street type first, name, number",
        rf"(?<![\w.])(?:{_HOUSE_NUMBER}[ \t]+)?(?:{_STREET_PREFIXES})[ \t]+(?:{_NAME_WORD}[ \t]+){{0,6}}?"
        rf"{_HOUSE_NUMBER}(?!\w){_UNIT}{_TAIL}",
        0.6,
    ),
    # Am Markt 106 / An der Alster 12 / Zur Mühle 3: German streets named with a preposition.
    Pattern(
        "German preposition, name, number",
        r"(?<![\w.])(?:Am|An[ \t]+der|Auf[ \t]+der|Auf[ \t]+dem|Im|In[ \t]+der|Zum|Zur|Unter[ \t]+den|Hinter[ \t]+der)[ \t]+"
        r"\p{Lu}\p{L}{2,}(?:[ \t-]\p{Lu}\p{L}+)?[ \t]+" + _HOUSE_NUMBER + r"(?!\w)" + _UNIT + _TAIL,
        0.6,
    ),
    # 36 rue de pologne: French addresses put the number first and are often typed in lower case;
    # a second number may follow the name ("688 rue du centre 320").
    Pattern(
        "number, French street type, name",
        r"(?<![\w.])\d{1,4}(?:[ \t]?(?:bis|ter))?,?[ \t]+(?i:rue|allée|impasse|chemin|quai)[ \t]+"
        rf"[\p{{L}}'’-]+(?:[ \t]+[\p{{L}}'’-]+){{0,3}}(?:[ \t]+\d{{1,5}}[A-Za-z]?(?!\w))?{_TAIL}(?![\p{{L}}'’-])",
        0.6,
    ),
    # "the corner of Östbygatan 14 and Sigurmundsson Greens": an intersection is one address, and
    # the phrase that introduces it goes with it ("it is <STREET_ADDRESS>").
    Pattern(
        "corner of two streets",
        r"(?<![\w-])(?:(?i:the)[ \t]+)?(?i:corner)[ \t]+of[ \t]+(?:(?i:the)[ \t]+)?[\p{L}\d.'’-]+(?:[ \t]+[\p{L}\d.'’-]+){0,3}?[ \t]+and[ \t]+"
        r"\p{Lu}[\p{L}'’.-]*(?:[ \t]+\p{Lu}[\p{L}'’.-]*){0,2}",
        0.6,
    ),
    # The same in lower case ("12 baker street", "3911 fourth avenue"): number first, and only the
    # street types that are not also common nouns of distance or direction.
    Pattern(
        "house number, words, street type, any case",
        rf"(?<![\w.,])(?:{_HOUSE_NUMBER}[ \t]+)?\d{{1,6}}[ \t]+(?:{_NOT_STREET_NAME}[\p{{L}}'’-]+[ \t]+){{1,3}}?"
        rf"(?i:street|avenue|road|boulevard|drive|lane|st\.|ave\.|rd\.|blvd\.?)(?!\p{{L}}){_UNIT}{_TAIL}",
        0.6,
    ),
    # "Vana-Viru 25 Apt. 971", "0605 πεντέλης 210 apt. 999", "5670 r josé a madeira 1 suite 696":
    # words and a house number followed by a flat or suite, in any case; the unit makes it an
    # address without a street type.
    Pattern(
        "words, house number, unit",
        rf"(?<![\w.])(?:{_HOUSE_NUMBER}[ \t]+{_NOT_STREET_NAME}\p{{L}}[\p{{L}}'’.-]*(?:[ \t]+{_NOT_STREET_NAME}\p{{L}}[\p{{L}}'’.-]*){{0,3}}"
        rf"|\p{{Lu}}[\p{{L}}'’.-]+(?:[ \t]+\p{{Lu}}[\p{{L}}'’.-]+){{0,3}})[ \t]+{_HOUSE_NUMBER},?[ \t]+"
        r"(?i:apt|apartment|suite|ste|unit|flat)\.?[ \t]*#?[ \t]*\d{1,5}[A-Za-z]?(?!\w)" + _UNIT + _TAIL,
        0.6,
    ),
    # US military mail: "PSC 7589, Box 0572" / "Unit 4719 Box 7394" / "APO AE 20040" / "USNS Bergman".
    Pattern(
        "military unit and box",
        r"(?<![\w.])(?i:PSC|CMR|Unit)[ \t]+\d{3,5},?[ \t]*(?i:Box)[ \t]+\d{1,5}(?!\w)",
        0.7,
    ),
    Pattern("military post office", r"(?<![\w.])(?i:APO|FPO|DPO)[ \t]+(?i:AA|AE|AP)[ \t]+\d{5}(?!\w)", 0.7),
    Pattern("military ship", r"(?<![\w.])(?i:USNS|USNV|USCGC|USS)[ \t]+\p{L}[\p{L}'’-]+(?:[ \t]+\p{Lu}[\p{L}'’-]+)?", 0.6),
    Pattern("unit", r"(?<![\w.])(?:Apt|Apartment|Suite|Ste|Flat)\.?[ \t]*#?[ \t]*\d{1,5}[A-Za-z]?(?!\w)", 0.5),
    Pattern("post office box", r"(?<![\w.])(?i:P\.?[ \t]?O\.?[ \t]*Box)[ \t]+\d{1,6}(?!\w)", 0.7),
    Pattern(
        "postcode after a cue",
        r"(?<=(?i:\b(?:zip|postcode|post[ \t]code|postal[ \t]code|zip[ \t]code))[ \t]*(?:(?i:is)[ \t]+|[:=#][ \t]*)?)"
        r"(?=[A-Z0-9 -]*\d)[A-Z0-9]{2,5}(?:[- ]?[A-Z0-9]{2,4})?(?![\w-])",
        0.6,
    ),
    Pattern("US state and ZIP", rf"(?<![\w.])(?:{_US_STATES})[ \t]+\d{{5}}(?:-\d{{4}})?(?!\w)", 0.6),
    Pattern("UK postcode", rf"(?<![\w.]){_UK_POSTCODE}(?!\w)", 0.5),
    Pattern(
        "Canadian postcode",
        r"(?<![\w.])[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ \t]?\d[ABCEGHJ-NPRSTV-Z]\d(?!\w)",
        0.5,
    ),
    # "72134 Coronilla 3599" ending its line: a building number, a street name and a house number.
    Pattern(
        "number, capitalised words, number, line end",
        r"(?<![\w.,])\d{1,6}[ \t]+\p{Lu}[\p{L}'’-]{2,}(?:[ \t]+\p{Lu}[\p{L}'’-]{2,}){0,2}[ \t]+\d{1,5}[A-Za-z]?\.?"
        r"(?=[ \t]*(?:\n|$|,[ \t]*\p{Lu}))" + _TAIL,
        0.5,
    ),
    # "lives on Hansinegata 120", "Jiřího z Poděbrad 1874": capitalised words and a number, only
    # after an address cue.
    Pattern(
        "capitalised words and a number",
        rf"(?<![\w.])(?:{_HOUSE_NUMBER}[ \t]+)?\p{{Lu}}\p{{L}}{{2,}}(?:[ \t]+(?:{_PARTICLE}[ \t]+)?\p{{Lu}}\p{{L}}{{2,}}){{0,2}}[ \t]+"
        rf"{_HOUSE_NUMBER}(?!\w){_UNIT}{_TAIL}",
        WEAK,
    ),
]
# Presidio matches these as substrings of the lemmas of the five words before a match.
ADDRESS_CONTEXT = [
    "address", "live", "locate", "ship", "deliver", "mailing", "billing", "corner", "move",
    "reside", "street", "apartment", "situate", "station", "headquarter",
]
# The same cues anywhere earlier in the sentence: "The address of Acme Health Data Inc is ...
# Aqqusinersuaq 99" has its cue more than five words before the street.
_ADDRESS_CUE_BEFORE = regex.compile(
    r"(?i)\b(?:address|live[sd]?|living|located|situated|resides?|residing|moved|corner|street|apartment|station)\b"
    r"(?![^.!?\n]*[.!?](?:\s|$))[^\n]*$"
)
_ADDRESS_CUE_WINDOW = 120

# Lines of a postal block after the street line: "Suite 377", "HYVINKÄÄ", "Finland 41600".
# Lines may open with a quote mark or a bullet (often mangled to "?" on the way into a log), and a
# region code may sit alone on its line after a comma (", ON").
_LINE_LEAD = r"[ \t>*•·|?-]*"
# Symbols may stand inside words: an encoding slip turns the Greek Δ of "ΧΑΝΔΡΙΑ" into "∆".
_ADDRESS_BLOCK_LINE = regex.compile(
    _LINE_LEAD + r"((?:\(?[\p{Lu}\d\p{S}][\p{L}\d\p{S}'’.()/-]*,?[ \t]*)(?:(?:\(?[\p{Lu}\d\p{S}][\p{L}\d\p{S}'’.()/-]*|" + _PARTICLE + r")[ \t]*,?[ \t]*){0,5}|,[ \t]*[\p{L}\d]{1,3})[ \t]*$",
    regex.MULTILINE,
)
# The same typed in lower case ("apt. 169", "φλαμου∆ι", ", fa"): taken only when a postcode line
# closes the block.
_LOWER_BLOCK_LINE = regex.compile(
    _LINE_LEAD + r"((?:[\p{L}\d\p{S}(),'’.-]+[ \t]*){1,4}|,[ \t]*\p{L}{1,3})[ \t]*$", regex.MULTILINE
)
_NOT_ADDRESS_LINE_START = frozenset({
    "thanks", "thank", "regards", "best", "cheers", "sincerely", "hi", "hello", "please", "kind",
    "many", "yours", "ok", "okay", "yes", "no", "sent", "warm", "phone", "email", "tel", "mobile",
})
_MAX_BLOCK_LINES = 4


class StreetAddressRecognizer(PatternRecognizer):
    """Street addresses in US, UK and continental forms, extended over the rest of a postal block."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity="STREET_ADDRESS",
            name="LogmineStreetAddressRecognizer",
            patterns=ADDRESS_PATTERNS,
            context=ADDRESS_CONTEXT,
            global_regex_flags=CASE_SENSITIVE,
        )
        self.score_thresholds = NEEDS_CONTEXT

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):
        results = super().analyze(text, entities, nlp_artifacts, regex_flags) or []
        for result in results:
            start = _leading_number_start(text, result.start)
            if _ENDS_IN_POSTCODE.search(text, result.start, result.end):
                start = _postcode_line_start(text, start)
            result.start = _postal_block_start(text, start)
            end = _place_tail_end(text, result.start, result.end)
            result.end = _postal_block_end(text, result.start, end)
        return results

    def enhance_using_context(self, text, raw_recognizer_results, other_raw_recognizer_results, nlp_artifacts, context=None):
        """An address cue earlier in the same sentence lifts a weak match (Presidio's own enhancer
        looks five words back only)."""
        for result in raw_recognizer_results:
            if result.score >= NEEDS_CONTEXT["default"]:
                continue
            before = text[max(0, result.start - _ADDRESS_CUE_WINDOW) : result.start]
            if _ADDRESS_CUE_BEFORE.search(before):
                result.score = max(result.score + 0.35, NEEDS_CONTEXT["default"])
                result.recognition_metadata[RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY] = True
        return raw_recognizer_results


# A building or house number written before the street number ("9554 62 Rue Gafsa").
_LEADING_NUMBER = regex.compile(r"(?<![\w.,-])\d{1,6}[A-Za-z]?[ \t]+$")
# After a unit number, the rest of its line up to punctuation when it is place-like: capitalised
# or upper-case words and region codes ("Suite 019 CHARLEROI Victoria?", "Apt. 237 BUNDALAGUAH VIC").
_UNIT_END = regex.compile(r"(?i:apt|apartment|suite|ste|unit|flat|box)\.?[ \t]*#?[ \t]*\d{1,6}[A-Za-z]?\.?$")
_PLACE_TAIL = regex.compile(r"(?:,?[ \t]+\(?\p{Lu}[\p{L}'’.-]*\)?){1,4}(?:,?[ \t]+\d{4,6}(?:-\d{3,4})?)?(?=[ \t]*(?:[.,;:!?)]|$))", regex.MULTILINE)
# Upper-case words after a unit are its town, whatever follows: "Suite 451 HUTTON HENRY and ...".
_UPPER_PLACE_TAIL = regex.compile(r"(?:,?[ \t]+\p{Lu}{2,}[\p{Lu}'’.-]*){1,3}(?![\p{L}\d])")
# The town and country of an address typed in lower case: after a unit ("suite 112 calgary
# alberta") or a comma (", sé, portugal"), up to the end of the line or sentence.
_LOWER_PLACE_TAIL = regex.compile(
    r"(?:,?[ \t]+[\p{Ll}\p{Lo}][\p{L}'’.-]*){1,4}(?:,?[ \t]+\d{4,6}(?:-\d{3,4})?)?(?=[ \t]*(?:[.,;:!?)]|$))", regex.MULTILINE
)
# The last line of a postal block, followed by the rest of a sentence: "Cyprus 36903? I am ...",
# "Hellendoorn, OV 21072 after the concert", ", RS", "Belgium 92060 for this card".
_LAST_BLOCK_LINE = regex.compile(
    _LINE_LEAD + r"((?:\(?\p{Lu}[\p{L}'’.()-]*[ \t,]+){0,3}(?:\p{L}{2,3}[ \t]+)?\d{4,6}(?:-\d{3,4})?|,[ \t]*\p{L}{2,3})(?![\w-])"
)
_LOWER_LAST_BLOCK_LINE = regex.compile(
    _LINE_LEAD + r"((?:\(?\p{L}[\p{L}'’.()-]*[ \t,]+){0,3}\d{4,6}(?:-\d{3,4})?)(?![\w-])"
)


# A match that ends in a postcode ("CF11 6YQ", "ID 83739") anchors the address: the street and town
# written before it on the same line belong to it ("Flat 18, 215 Kingsway, Cardiff CF11 6YQ").
_ENDS_IN_POSTCODE = regex.compile(
    rf"(?:{_UK_POSTCODE}|(?:{_US_STATES})[ \t]+\d{{5}}(?:-\d{{4}})?|[A-Z]\d[A-Z][ \t]?\d[A-Z]\d)$"
)
_ADDRESS_WORDS_BEFORE = regex.compile(
    rf"(?:(?:[\p{{Lu}}\d][\p{{L}}\d'’./#-]*|{_PARTICLE})(?:[ \t]*,[ \t]*|[ \t]+)){{1,8}}$"
)
_POSTCODE_LOOKBACK = 80


def _postcode_line_start(text: str, start: int) -> int:
    line_start = text.rfind("\n", 0, start) + 1
    match = _ADDRESS_WORDS_BEFORE.search(text, max(line_start, start - _POSTCODE_LOOKBACK), start)
    if match is None:
        return start
    begin = match.start()
    for word in _LETTERS.finditer(text, match.start(), start):
        if word.group(0).lower() in _NOT_ADDRESS_LINE_START:  # "Thanks, Cardiff CF11 6YQ": from "Cardiff"
            begin = _SEPARATORS.match(text, word.end()).end()
    return min(begin, start)


_LETTERS = regex.compile(r"\p{L}+")
_SEPARATORS = regex.compile(r"[ \t,]*")


def _leading_number_start(text: str, start: int) -> int:
    match = _LEADING_NUMBER.search(text, max(0, start - 10), start)
    return match.start() if match else start


def _place_tail_end(text: str, start: int, end: int) -> int:
    after_unit = _UNIT_END.search(text, start, end) is not None
    candidates = [_PLACE_TAIL.match(text, end)]
    if after_unit:
        candidates.append(_UPPER_PLACE_TAIL.match(text, end))
    if not any(char.isupper() for char in text[start:end]) and (after_unit or text.startswith(",", end)):
        candidates.append(_LOWER_PLACE_TAIL.match(text, end))
    for match in candidates:
        if match and not any(_not_a_place(w) for w in regex.findall(r"\p{L}+", match.group(0))):
            return match.end()
    return end


def _not_a_place(word: str) -> bool:
    lowered = word.lower()
    return lowered in _NOT_ADDRESS_LINE_START or lowered in _NOT_PLACE_WORDS or (word.islower() and lowered in STOP_WORDS)


# Words that end an address typed in lower case rather than name its town.
_NOT_PLACE_WORDS = frozenset({
    "today", "tomorrow", "tonight", "asap", "now", "soon", "morning", "afternoon", "evening", "week",
    "thx", "pls", "plz", "lol", "tia", "ty",
})


def _postal_block_end(text: str, start: int, end: int) -> int:
    """Extend an address match over following short lines that hold a unit, city or postcode.

    One blank line may sit inside the block when the line after it ends in a postcode; the last
    line may go on with the rest of a sentence after its postcode ("Belgium 92060 for this card").
    An address typed in lower case gives no capitals to go by: its lines are taken only when a
    line with a postcode closes the block ("apt. 169\nmarke\nbelgium 97466").
    """
    lower_case = not any(char.isupper() for char in text[start:end])
    confirmed = position = end
    pending = False  # lower-case lines taken on trust, until a postcode line confirms them
    for _ in range(_MAX_BLOCK_LINES):
        line_end = text.find("\n", position)
        if line_end < 0 or text[position:line_end].strip(" \t,."):
            return confirmed  # last line, or the match stops inside its line: not a postal block
        match = _ADDRESS_BLOCK_LINE.match(text, line_end + 1)
        if match and _looks_like_address_line(match.group(1)):
            position = match.end(1)
            if not pending:
                confirmed = position
            continue
        next_line = line_end + 1
        if text[next_line:].lstrip(" \t").startswith("\n"):  # one blank line
            next_line = text.index("\n", next_line) + 1
        last = _LAST_BLOCK_LINE.match(text, next_line)
        if last and _looks_like_address_line(last.group(1).strip(" ,")):
            return last.end(1)
        if not lower_case:
            return confirmed
        last = _LOWER_LAST_BLOCK_LINE.match(text, next_line)
        if last and _plain_lower_line(last.group(1)):
            return last.end(1)
        lower = _LOWER_BLOCK_LINE.match(text, line_end + 1)
        if not lower or not _plain_lower_line(lower.group(1)):
            return confirmed
        position, pending = lower.end(1), True
    return confirmed


def _plain_lower_line(line: str) -> bool:
    """A lower-case postal line: no sign-off, greeting or English function word."""
    words = regex.findall(r"\p{L}+", line)
    return bool(words) and not any(_not_a_place(word) for word in words)


def _postal_block_start(text: str, start: int) -> int:
    """Extend a match that starts a line (often "Suite 12") back over street lines holding a number."""
    for _ in range(_MAX_BLOCK_LINES // 2):
        line_start = text.rfind("\n", 0, start) + 1
        if line_start == 0 or text[line_start:start].strip(" \t>*•·|?-"):
            return start  # first line, or the match starts inside its line
        previous_start = text.rfind("\n", 0, line_start - 1) + 1
        match = _ADDRESS_BLOCK_LINE.match(text[:line_start - 1], previous_start)
        if not match or not any(char.isdigit() for char in match.group(1)):
            return start
        start = match.start(1)
    return start


def _looks_like_address_line(line: str) -> bool:
    words = line.split()
    if not words:
        return False
    if words[0].strip(",.").lower() in _NOT_ADDRESS_LINE_START:
        return False
    if line.startswith(","):
        return True  # ", ON": a region code on its own line
    letters = [char for char in line if char.isalpha()]
    capitalised = [word for word in words if not word[:1].islower()]  # particles aside: "Torroella de Montgrí"
    return any(char.isdigit() for char in line) or (bool(letters) and line.upper() == line) or len(capitalised) <= 3


# ---------------------------------------------------------------------------------------------
# Phone numbers in formats Presidio's validated matcher misses
# ---------------------------------------------------------------------------------------------

_EXTENSION = r"(?:\s?(?:x|ext\.?)\s?\d{1,5})?"


class PhoneFormatRecognizer(PatternRecognizer):
    """Phone numbers by shape: international, North American, and national numbers starting with 0."""

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

    def __init__(self) -> None:
        super().__init__(
            supported_entity="PHONE_NUMBER",
            name="LogminePhoneFormatRecognizer",
            patterns=self.PATTERNS,
            context=self.CONTEXT,
            global_regex_flags=CASE_SENSITIVE,
        )
        self.score_thresholds = NEEDS_CONTEXT

    def validate_result(self, pattern_text: str) -> bool | None:
        digits = sum(char.isdigit() for char in pattern_text)
        return None if 7 <= digits <= 15 else False

    def enhance_using_context(self, text, raw_recognizer_results, other_raw_recognizer_results, nlp_artifacts, context=None):
        """A cue word just before a number (on this line or the one above) or a label right after it
        ("655 437 108 office") lifts a weak match. Presidio's own enhancer reads only non-stop-word
        lemmas before the match, and "call" is a spaCy stop word."""
        for result in raw_recognizer_results:
            if result.score >= NEEDS_CONTEXT["default"]:
                continue
            before = text[max(0, result.start - 40) : result.start]
            after = text[result.end : result.end + 20].split("\n", 1)[0]
            if _PHONE_CUE_BEFORE.search(before) or _PHONE_CUE_AFTER.match(after):
                result.score = max(result.score + 0.35, NEEDS_CONTEXT["default"])
                result.recognition_metadata[RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY] = True
        return raw_recognizer_results


_PHONE_WORDS = (
    r"phone|call|calling|mobile|cell|tel|telephone|fax|whatsapp|sms|text|ring|dial|voicemail|"
    r"office|desk|landline|hotline|home|work|direct|switchboard"
)
_PHONE_CUE_BEFORE = regex.compile(rf"(?i)\b(?:{_PHONE_WORDS}|contact|reach)\w*\b[^\n]*\n?[^\n]*$")
_PHONE_CUE_AFTER = regex.compile(rf"(?i)[ \t]*[-:,(]?[ \t]*(?:{_PHONE_WORDS})\b")


# ---------------------------------------------------------------------------------------------
# Dates of birth, ids, SSNs, secrets
# ---------------------------------------------------------------------------------------------

_MONTH = (
    r"(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = (
    rf"(?:\d{{1,2}}[./-]\d{{1,2}}[./-](?:\d{{4}}|\d{{2}})|\d{{4}}[./-]\d{{1,2}}[./-]\d{{1,2}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
)
_DOB_CUE = r"(?i:\b(?:d\.?o\.?b\.?|date\s+of\s+birth|birth\s*date|birthday|born(?:\s+on)?)(?!\w))"


def date_of_birth_recognizer() -> PatternRecognizer:
    """A date right after "DOB", "date of birth", "born on": only the date is masked."""
    patterns = [
        Pattern("date after a birth cue", rf"(?<={_DOB_CUE}\s*(?:(?i:is|was)\s+|[:=,-]\s*)?){_DATE}(?!\d)", 0.85),
        Pattern("year after born in", rf"(?<=(?i:\bborn\s+in)\s+)(?:{_MONTH}\s+)?\d{{4}}(?!\d)", 0.6),
    ]
    return PatternRecognizer(
        supported_entity="DATE_OF_BIRTH",
        name="LogmineDateOfBirthRecognizer",
        patterns=patterns,
        global_regex_flags=CASE_SENSITIVE,
    )


_ID_CUE = (
    r"(?i:\b(?:account|acct|customer|member(?:ship)?|order|booking|policy|reference|ref|confirmation|"
    r"ticket|case|invoice|tracking|reservation)(?:\s+(?:number|no\.?|num|id|code|#))?\s*(?:is|:|#|=)?\s*#?)"
)


def account_id_recognizer() -> PatternRecognizer:
    patterns = [
        Pattern(
            "prefixed id",
            r"(?<![\w-])(?:ACC|ACCT|ORD|CUST|CUS|INV|TKT|CASE|MBR|USR|BKG)[-_#]?(?=[A-Z0-9]*\d)[A-Z0-9]{3,}"
            r"(?:-[A-Z0-9]+)*(?![\w-])",
            0.7,
        ),
        # "account number 12345678", "order #A12-345": the value must hold a digit.
        Pattern(
            "id after a cue",
            rf"(?<={_ID_CUE})(?=[A-Za-z0-9-]*\d)[A-Za-z0-9][A-Za-z0-9-]{{4,}}(?![\w-])",
            0.6,
        ),
    ]
    return PatternRecognizer(
        supported_entity="ACCOUNT_ID",
        name="LogmineAccountIdRecognizer",
        patterns=patterns,
        global_regex_flags=CASE_SENSITIVE,
    )


class LuhnCardRecognizer(PatternRecognizer):
    """Card numbers of 13 to 19 digits that pass the Luhn check; Presidio's stops at 17 digits."""

    def __init__(self) -> None:
        pattern = Pattern("13 to 19 digits", r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])", 0.3)
        super().__init__(
            supported_entity="CREDIT_CARD",
            name="LogmineLuhnCardRecognizer",
            patterns=[pattern],
            global_regex_flags=CASE_SENSITIVE,
        )

    def validate_result(self, pattern_text: str) -> bool:
        digits = [int(char) for char in pattern_text if char.isdigit()]
        if len(set(digits)) == 1:
            return False
        checksum = sum(digits[-1::-2]) + sum(sum(divmod(2 * d, 10)) for d in digits[-2::-2])
        return checksum % 10 == 0


def ssn_format_recognizer() -> PatternRecognizer:
    """US SSNs by format; Presidio's own recognizer drops well-formed but 'example' numbers."""
    pattern = Pattern(
        "dashed SSN", r"(?<![\w-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w-])", 0.5
    )
    return PatternRecognizer(
        supported_entity="US_SSN",
        name="LogmineSsnFormatRecognizer",
        patterns=[pattern],
        context=["ssn", "social", "security"],
        global_regex_flags=CASE_SENSITIVE,
    )


_SECRET_NAME = r"(?i:password|passwd|pwd|passcode|secret|api[_ -]?key|access[_ -]?key|token|client[_ -]?secret)"
# The same inside an identifier: DB_PASSWORD=..., AWS_SECRET_ACCESS_KEY=..., "github_token": ...
# (a suffix only if it names a secret too: "token_count", "max_tokens" are not secrets).
_SECRET_IDENTIFIER = (
    rf"(?<![\w-])(?:[A-Za-z0-9]+[_-])*{_SECRET_NAME}(?i:[_-](?:access[_-])?(?:key|token|secret|value))?"
)


def secret_recognizer() -> PatternRecognizer:
    patterns = [
        Pattern("OpenAI-style key", r"(?<![\w-])sk-(?:proj-|live-|test-)?[A-Za-z0-9_-]{16,}", 0.9),
        Pattern("Stripe-style key", r"(?<![\w-])(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{16,}", 0.9),
        Pattern("AWS access key id", r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])", 0.9),
        Pattern("GitHub token", r"(?<!\w)gh[pousr]_[A-Za-z0-9]{30,}", 0.9),
        Pattern("Slack token", r"(?<!\w)xox[abprs]-[A-Za-z0-9-]{10,}", 0.9),
        Pattern("Google API key", r"(?<!\w)AIza[0-9A-Za-z_-]{35}", 0.9),
        Pattern("JWT", r"(?<![\w-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}", 0.9),
        Pattern("bearer token", r"(?<=(?i:\bbearer)\s+)[A-Za-z0-9._~+/-]{12,}=*", 0.85),
        # password=..., "api_key": "...", AWS_SECRET_ACCESS_KEY=...: everything after the assignment.
        Pattern(
            "assigned secret",
            rf"(?<={_SECRET_IDENTIFIER}[\"']?\s*[:=]\s*[\"']?)[^\s\"',;<>]{{4,}}",
            0.8,
        ),
        # -----BEGIN RSA PRIVATE KEY----- ... -----END RSA PRIVATE KEY----- (or to the end of the
        # base64 when the block was cut off); "\n" may be written out as two characters in logs.
        Pattern(
            "private key block",
            r"-----BEGIN[A-Z ]*PRIVATE KEY(?: BLOCK)?-----(?s:.*?-----END[A-Z ]*PRIVATE KEY(?: BLOCK)?-----"
            r"|(?:[A-Za-z0-9+/=\s:-]|\\n)*)",
            0.95,
        ),
        # scheme://user:password@host: the user and the password.
        Pattern(
            "credentials in a URL",
            r"(?<=\b[A-Za-z][A-Za-z0-9+.-]{1,20}://)[^\s:/@<>\"']{1,64}:[^\s/@<>\"']{1,128}(?=@[\w.-])",
            0.9,
        ),
        # "my password is hunter2": only values that mix in digits or symbols, not "is incorrect".
        Pattern(
            "stated secret",
            rf"(?<=\b{_SECRET_NAME}\s+(?i:is)\s+[\"']?)(?=[^\s\"']*[\d_!@#$%^&*])[^\s\"',;<>]{{4,}}",
            0.7,
        ),
    ]
    return PatternRecognizer(
        supported_entity="SECRET",
        name="LogmineSecretRecognizer",
        patterns=patterns,
        global_regex_flags=CASE_SENSITIVE,
    )


# Home-directory folders that name nobody.
_NOT_USER_FOLDERS = "(?i:public|shared|default|default user|all users|guest|root|runner|ubuntu|admin|user|username|you|me|your-?name|<[^>]*>)"


def home_directory_user_recognizer() -> PatternRecognizer:
    """The user name in a home-directory path: /home/jdoe/..., /Users/jdoe/..., C:\\Users\\jdoe\\..."""
    pattern = Pattern(
        "home directory",
        r"(?<=(?:(?<![\w.])(?:/home|/Users|/export/home)/|(?i:\b[A-Z]:)?\\{1,2}(?i:Users|Documents and Settings)\\{1,2}|~))"
        rf"(?!{_NOT_USER_FOLDERS}(?:[/\\\s\"':]|$))[A-Za-z0-9][\w.$-]{{0,63}}(?=[/\\\s\"':,;)]|$)",
        0.7,
    )
    return PatternRecognizer(
        supported_entity="USERNAME",
        name="LogmineHomeDirectoryUserRecognizer",
        patterns=[pattern],
        global_regex_flags=CASE_SENSITIVE,
    )


# ---------------------------------------------------------------------------------------------
# Names after a cue
# ---------------------------------------------------------------------------------------------

# How much a cue says about the words after it:
_STRONG = "strong"  # "my name is", "name:": even a lower-case word is a name ("my name is jan")
_HOLDER = "holder"  # "the account is under", "in the name of": a name, or "under review"
_CAPITALISED = "capitalised"  # titles, greetings, sign-offs: capitalised words are names
_PROPER = "proper"  # "I'm", "this is": a name only if spaCy calls it a proper noun (not "I'm Sorry")

_CUES = (
    (_STRONG, regex.compile(
        r"(?i:\bmy\s+name(?:\s+is|'s|’s)|\bname\s*(?:is|:|=)|\bcall\s+me|\bname\s+on\s+(?:the\s+|my\s+)?\w+\s+(?:is|was|:)"
        r"|\bname\b[^.?!\n]{0,30}\?[ \t]*(?:(?:user|customer|me)[ \t]*:)?)[ \t]*"
    )),
    (_HOLDER, regex.compile(
        r"(?i:\b(?:is|was|are|'s|’s)\s+(?:registered\s+|listed\s+)?under(?:\s+the\s+name(?:\s+of)?)?"
        r"|\bin\s+the\s+name\s+of|\baccount\s+holder\s*:?|\bcardholder\s*:?)[ \t]+"
    )),
    (_CAPITALISED, regex.compile(
        r"""
        (?i:\b(?:hi|hello|hey|dear|thanks|thank\s+you)[ \t]*,?)[ \t]+
        | \b(?:Mr|Mrs|Ms|Mx|Miss|Dr|Prof|Sir|Dame|Madam|Mme|Herr|Frau)\b\.?[ \t]+
        | (?im:^[ \t]*(?:best\s+regards|kind\s+regards|warm\s+regards|regards|best\s+wishes|many\s+thanks
           |thanks|thank\s+you|cheers|best|sincerely|yours\s+(?:sincerely|truly))[ \t]*,?[ \t]*\n[ \t]*)
        | (?m:^[ \t]*(?:--|—|–)[ \t]*)
        """,
        regex.VERBOSE,
    )),
    (_PROPER, regex.compile(
        r"(?i:\bthis\s+is|\bi\s*(?:'|’)?m|\bi\s+am|\bit(?:'|’)s(?=[ \t]+\S+(?:[ \t]+\S+)?[ \t]+here\b))[ \t]+"
    )),
)
# Capitalised words that follow the cues above without being names ("Hi there", "I'm Sorry").
_NOT_NAMES = frozenset({
    "there", "team", "all", "everyone", "everybody", "folks", "guys", "support", "again", "so", "very",
    "sorry", "not", "just", "still", "also", "here", "now", "back", "really", "unable", "able",
    "trying", "looking", "having", "going", "getting", "happy", "glad", "sure", "fine", "good",
    "great", "new", "your", "you", "the", "a", "an", "it", "this", "that", "what", "why", "how",
    "when", "where", "which", "who", "please", "ok", "okay", "yes", "no", "thanks", "thank", "hi",
    "hello", "hey", "dear", "sir", "madam", "customer", "user", "assistant", "bot", "agent", "human",
    "ai", "system", "admin", "today", "tomorrow", "yesterday", "morning", "afternoon", "evening",
    "interested", "concerned", "confused", "writing", "calling", "contacting", "reaching", "following",
    "regards", "best", "cheers", "sincerely", "about", "regarding", "re", "in", "on", "note",
    "subject", "update", "edit", "warning", "error", "question", "answer", "summary", "example",
    "input", "output", "step", "tip", "ps", "title", "description", "total", "reason", "issue",
    "problem", "solution", "result", "response", "request", "date", "time", "name", "address",
    "phone", "email", "website", "status", "order", "account", "reply", "from", "to", "sent",
    "details", "info", "location", "directed", "starring", "bcc", "cc", "tool", "function", "developer",
    # chat shorthand the lexicon does not know
    "thx", "thnx", "pls", "plz", "btw", "fyi", "lol", "omg", "imo", "imho", "tbh", "idk", "np", "ty",
    "tia", "asap", "aka", "etc", "hmm", "yay", "ugh", "meh", "nope", "yep", "yup", "hiya", "heya",
    "howdy", "yo", "hullo", "greetings", "hola", "bonjour", "hallo", "ciao", "salut", "hej", "ola",
})
_NAME_TOKEN = regex.compile(r"\p{L}+(?:['’]\p{L}+)*|\p{Lu}\.")  # O'Brien, Šárka, the D. of "Faina D. Yefremova"
# Words after a lower-case name that close it: "this is jan novak, ...", "it's jan here".
_NAME_CLOSERS = frozenset({"here", "from", "and", "speaking", "again"})
_MAX_NAME_TOKENS = 3


class NameAfterCueRecognizer(EntityRecognizer):
    """Names after "my name is", "I'm", "this is", "the account is under", a title, a greeting or
    a sign-off: up to three name-like tokens after the cue, stopping at punctuation, line ends and
    common words.

    People often type names in lower case, where spaCy sees no name at all. After a weak cue a
    lower-case phrase counts only if it closes there and holds a word the English lexicon does not
    know (`known_words`, the lemmatizer's WordNet index that ships with the spaCy model): "this is
    agnieszka tran," is a name, "this is account fraud." is not.
    """

    def __init__(self, known_words: frozenset[str]) -> None:
        super().__init__(supported_entities=["PERSON"], name="LogmineNameAfterCueRecognizer")
        self._known_words = known_words

    def load(self) -> None:
        pass

    def analyze(self, text, entities, nlp_artifacts=None):
        if nlp_artifacts is None or not nlp_artifacts.tokens:
            return []
        tokens = _TokenIndex(nlp_artifacts.tokens)
        results = []
        for strength, cues in _CUES:
            for cue in cues.finditer(text):
                span = self._name_after(tokens, cue.end(), strength)
                if span is not None:
                    results.append(self._result(*span))
        return results

    def _name_after(self, tokens: "_TokenIndex", offset: int, strength: str) -> tuple[int, int] | None:
        taken = tokens.name_tokens(offset, lambda token: _could_be_name(token, strength))
        if not taken:
            return None
        if taken[0].text[0].islower() and not self._lower_case_name(taken, strength):
            return None
        return taken[0].idx, taken[-1].idx + len(taken[-1].text)

    def _lower_case_name(self, taken: list, strength: str) -> bool:
        unknown = any(t.lower_ not in self._known_words and t.lemma_.lower() not in self._known_words for t in taken)
        if strength == _STRONG:  # "my name is jan", not "my name is spelled wrong"
            return unknown or all(t.pos_ in ("PROPN", "NOUN") for t in taken)
        after = taken[-1].nbor(1) if taken[-1].i + 1 < len(taken[-1].doc) else None
        closes = after is None or after.is_punct or after.is_space or after.lower_ in _NAME_CLOSERS
        return closes and unknown and (strength != _HOLDER or len(taken) >= 2)

    def _result(self, start: int, end: int) -> RecognizerResult:
        return RecognizerResult(
            entity_type="PERSON",
            start=start,
            end=end,
            score=0.7,
            recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            },
        )


def _could_be_name(token, strength: str) -> bool:
    word = token.text
    if token.is_space or token.is_punct or not _NAME_TOKEN.fullmatch(word):
        return False
    if word.lower() in _NOT_NAMES:
        return False
    if word[0].isupper():
        return token.pos_ == "PROPN" or (strength != _PROPER and not token.is_stop)
    return not token.is_stop  # a lower-case phrase is checked as a whole by _lower_case_name



@functools.lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """Lower-cased given names: the US Census Bureau's 1990 given-name tables (about 5,500 names,
    public domain, shipped by the MIT-licensed `names` package), plus, when the optional
    `logmine[gpl-names]` extra is installed, the ~40,000 international names of `gender-guesser`'s
    nam_dict. That one is GPLv3, so logmine (Apache-2.0) never requires it; it raises recall on
    names outside US usage ("Sigrun", "Halldór")."""
    import names as census_names  # only its data files; the package's code is never called

    folder = Path(census_names.__file__).parent
    found: set[str] = set()
    for table in ("dist.female.first", "dist.male.first"):
        with open(folder / table, encoding="ascii") as rows:
            found.update(row.split(None, 1)[0].lower() for row in rows if row.strip())
    try:
        from gender_guesser.detector import Detector
    except ImportError:
        pass
    else:
        found.update(name.lower() for name in Detector(case_sensitive=False).names)
    return frozenset(name for name in found if len(name) >= 3) - _NOT_GIVEN_NAMES


# Names of assistants, brands and months that support logs mention far more often than people.
_NOT_GIVEN_NAMES = frozenset({
    "siri", "alexa", "cortana", "bixby", "dell", "ruby", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "mon", "tue", "wed", "thu", "fri", "sat", "sun",
})


_INITIAL = regex.compile(r"\p{Lu}\.?")
# A middle initial between a given name and a surname; "I", "A" and "O" only with a full stop,
# since "May I Help" and "mark a test" hold no initial.
_MIDDLE_INITIAL = regex.compile(r"(?i:[b-hj-np-z]\.?|[aio]\.)")
# spaCy's entity labels under which a word is left to spaCy's own span (or to nobody).
_NO_ENTITY = ("",)
# Single letters that chat uses as words ("can u check", "r u there"), never as initials in lower case.
_CHAT_LETTERS = frozenset("bcnruy")


def _result(recognizer: EntityRecognizer, start: int, end: int, score: float) -> RecognizerResult:
    return RecognizerResult(
        entity_type="PERSON",
        start=start,
        end=end,
        score=score,
        recognition_metadata={
            RecognizerResult.RECOGNIZER_NAME_KEY: recognizer.name,
            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: recognizer.id,
        },
    )


def _next_token(doc, i: int):
    """The token after doc[i] when only one space separates them, else None."""
    if i + 1 >= len(doc):
        return None
    token = doc[i]
    return doc[i + 1] if doc.text[token.idx + len(token.text) : doc[i + 1].idx] == " " else None


class GivenNameRecognizer(EntityRecognizer):
    """A known given name that is not also an English word ("Teresa", "Halldór", not "Will" or
    "Rose"), with the surname and initials written after it: "Ryan P Costa", "Lily Nolan".

    A given name that is an English word counts when a capitalised surname that is not one
    follows ("Mark Tolley"), when a middle initial follows ("Brad L Key"), or when spaCy tags it a
    proper noun that a verb follows ("Jacob lives on ...", "Lily has the router"). In lower case,
    where capitals say nothing, a given name counts with a surname that is not an English word
    ("patricia desrosiers") or an initial ("codey m ross"), or alone when it is no English word and
    spaCy reads it as a noun that no article or number comes before ("the gender of bertram").
    spaCy's small model misses many of these, above all outside sentences: lists, signatures,
    chat transcripts.
    """

    def __init__(self, known_words: frozenset[str], given_names: frozenset[str]) -> None:
        super().__init__(supported_entities=["PERSON"], name="LogmineGivenNameRecognizer")
        self._known_words = known_words
        self._given_names = given_names

    def load(self) -> None:
        pass

    def _word(self, token) -> bool:
        return token.is_stop or english_word(token.text, self._known_words)

    def analyze(self, text, entities, nlp_artifacts=None):
        if nlp_artifacts is None or not nlp_artifacts.tokens or not self._given_names:
            return []
        doc = nlp_artifacts.tokens
        results = []
        i = 0
        while i < len(doc):
            token = doc[i]
            end = self._name_at(doc, i)
            if end is None:
                i += 1
                continue
            results.append(_result(self, token.idx, doc[end - 1].idx + len(doc[end - 1].text), 0.6))
            i = end
        return results

    def _name_at(self, doc, i: int) -> int | None:
        """The token index just after a name starting at token i, or None."""
        token = doc[i]
        word = token.text
        if token.lower_ not in self._given_names or not _NAME_TOKEN.fullmatch(word) or token.lower_ in _NOT_NAMES:
            return None
        if word[0].isupper() and not word[1:].isupper():  # "Teresa", not "TERESA" or "teresa"
            return self._capitalised_name_at(doc, i)
        if word.islower():
            return self._lower_case_name_at(doc, i)
        return None

    def _capitalised_name_at(self, doc, i: int) -> int | None:
        token = doc[i]
        end = i + 1
        surname = initial = False
        while end < len(doc) and end - i <= 3:
            nxt = doc[end]
            if "\n" in doc.text[doc[end - 1].idx : nxt.idx]:
                break
            if _INITIAL.fullmatch(nxt.text) and end + 1 < len(doc) and doc[end + 1].text[:1].isupper():
                initial = initial or _MIDDLE_INITIAL.fullmatch(nxt.text) is not None
                end += 1
                continue
            if nxt.text[:1].isupper() and _NAME_TOKEN.fullmatch(nxt.text) and not nxt.text.isupper() \
                    and not nxt.is_stop and nxt.lower_ not in _NOT_NAMES:
                surname = surname or not self._word(nxt)
                end += 1
                continue
            break
        if not self._word(token) or surname or (initial and end > i + 2):
            return end
        # A given name that is also a word ("Teresa", "Florence", "Jacob") when spaCy tags it a
        # proper noun after a lower-case word, or before a verb as the subject of a sentence: not
        # first in Title Case text, where capitals say nothing.
        if token.pos_ == "PROPN" and token.ent_type_ in (*_NO_ENTITY, "PERSON") and end == i + 1:
            after = _next_token(doc, i)
            before = doc[i - 1] if i > 0 else None
            if before is not None and before.text.islower():
                return end
            # "Jacob lives on ...", though not the last word of a title ("The Princess Royal arrived")
            subject = before is None or not before.text[:1].isupper()
            if subject and after is not None and after.pos_ in ("VERB", "AUX") and after.text.islower():
                return end
        return None

    def _lower_case_name_at(self, doc, i: int) -> int | None:
        token = doc[i]
        nxt = _next_token(doc, i)
        unknown = not self._word(token)
        if nxt is not None and nxt.text.islower():
            # "codey m ross": a given name, a middle initial, a surname; not "can u check"
            after = _next_token(doc, i + 1)
            if unknown and _MIDDLE_INITIAL.fullmatch(nxt.text) and nxt.lower_ not in _CHAT_LETTERS \
                    and after is not None and after.text.islower() \
                    and _NAME_TOKEN.fullmatch(after.text) and len(after.text) >= 2 and not after.is_stop:
                return i + 3
            if unknown and _NAME_TOKEN.fullmatch(nxt.text) and not self._word(nxt) and nxt.lower_ not in _NOT_NAMES:
                return i + 2
        previous = doc[i - 1] if i > 0 else None
        if unknown and len(token.text) >= 4 and token.pos_ in ("PROPN", "NOUN") \
                and not (previous is not None and _modifies(previous)):
            return i + 1
        if token.pos_ == "PROPN" and nxt is not None and nxt.pos_ in ("VERB", "AUX"):
            return i + 1  # "selma is from ..."
        return None


_SENTENCE_OPENERS = frozenset({".", "!", "?", ":", ";", '"', "'", "“", "‘", "(", "[", "-", "–", "—", "*", "•", ">"})


def _opens_sentence(token) -> bool:
    """First word of the text, of a line, or after sentence punctuation, quotes or a bullet."""
    if token.i == 0:
        return True
    previous = token.doc[token.i - 1]
    return "\n" in previous.text or previous.text in _SENTENCE_OPENERS or previous.text.endswith("...")


def _modifies(token) -> bool:
    """An article, possessive, number or adjective: what comes before a thing ("my bluetooth
    earbuds", "the sim card"), rarely before a name."""
    return token.pos_ in ("DET", "NUM", "ADJ") or token.tag_ == "PRP$"


class ProperNameRunRecognizer(EntityRecognizer):
    """Two or three capitalised proper nouns in a row, none of them an English word, initials
    allowed between: "Rościsław Dudek", "Csanád P Gere"; or two such words in lower case that spaCy
    reads as nouns ("nijito asano"). A run of words the lexicon does not know is a name of someone
    or something.
    """

    def __init__(self, known_words: frozenset[str]) -> None:
        super().__init__(supported_entities=["PERSON"], name="LogmineProperNameRunRecognizer")
        self._known_words = known_words

    def load(self) -> None:
        pass

    def _unknown_proper(self, token) -> bool:
        word = token.text
        return (
            token.pos_ == "PROPN" and _NAME_TOKEN.fullmatch(word) is not None and word[0].isupper()
            and not word[1:].isupper() and len(word) >= 3 and not english_word(word, self._known_words)
            and word.lower() not in _NOT_NAMES and not token.is_stop
        )

    def _mostly_unknown(self, doc) -> bool:
        words = [t for t in doc if t.is_alpha and not t.is_stop]
        unknown = sum(1 for t in words if not english_word(t.text, self._known_words))
        return len(words) >= 3 and unknown * 2 > len(words)

    def _unknown_lower_case(self, token) -> bool:
        word = token.text
        return (
            token.pos_ in ("PROPN", "NOUN") and word.islower() and _NAME_TOKEN.fullmatch(word) is not None
            and len(word) >= 3 and not token.is_stop and word not in _NOT_NAMES
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
            if lower_case_pairs and self._unknown_lower_case(doc[i]) and not (i > 0 and _modifies(doc[i - 1])):
                nxt = _next_token(doc, i)
                if nxt is not None and self._unknown_lower_case(nxt):
                    results.append(_result(self, doc[i].idx, nxt.idx + len(nxt.text), 0.5))
                    i += 2
                    continue
            if not self._unknown_proper(doc[i]):
                i += 1
                continue
            end, words = i + 1, 1
            while end < len(doc) and words < 3 and doc.text[doc[end - 1].idx + len(doc[end - 1].text) : doc[end].idx] == " ":
                if self._unknown_proper(doc[end]):
                    words += 1
                elif not (_INITIAL.fullmatch(doc[end].text) and end + 1 < len(doc) and self._unknown_proper(doc[end + 1])):
                    break
                end += 1
            if words >= 2:
                last = doc[end - 1]
                results.append(_result(self, doc[i].idx, last.idx + len(last.text), 0.5))
            i = end
        return results


# Capitals inside a word mark a brand or product ("OnePlus", "HomeHub", "PostNL"), except in the
# surname prefixes that carry them ("McAllister", "DeVito", "O'Brien").
_INNER_CAPITAL = regex.compile(r"^(?!Mc|Mac|O['’]|D['’]|De|Di|Da|Du|La|Le|Van|Von|Fitz)\p{L}+\p{Lu}")


class SingleProperNounRecognizer(EntityRecognizer):
    """One capitalised word that spaCy tags a proper noun, that the English lexicon does not know
    and that spaCy's NER left alone: "Irenka is very reliable", "the Roeterdink novel".

    Such a word names someone or something; in a support chat mostly a person, a place or a
    company. Product and brand names that must stay readable go in the allow-list. Words written
    with inner capitals (brands) and words right after a number ("500 Mbps") are left alone; a word
    that opens a sentence, where a capital says nothing, counts only as the subject of a verb.

    One more single word is a name whatever spaCy tags it: one that opens a line and is followed
    by a comma, the way a person is addressed ("Vide, can I speak to your boss?"). A lone word in
    lower case is left to the given-name gazetteer: "voicemail is full" and "bluetooth won't pair"
    read just like "kowalczyk said so".
    """

    def __init__(self, known_words: frozenset[str]) -> None:
        super().__init__(supported_entities=["PERSON"], name="LogmineSingleProperNounRecognizer")
        self._known_words = known_words

    def load(self) -> None:
        pass

    def analyze(self, text, entities, nlp_artifacts=None):
        if nlp_artifacts is None or not nlp_artifacts.tokens:
            return []
        return [
            _result(self, token.idx, token.idx + len(token.text), 0.45)
            for token in nlp_artifacts.tokens
            if self._is_unknown_name(token)
        ]

    def _is_unknown_name(self, token) -> bool:
        word = token.text
        if token.ent_type_ not in _NO_ENTITY or len(word) < 3 or not word.isalpha() or word[1:].isupper():
            return False
        if token.is_stop or word.lower() in _NOT_NAMES or word.lower() in _NOT_GIVEN_NAMES or _INNER_CAPITAL.match(word):
            return False
        if english_word(word, self._known_words):
            return False
        doc = token.doc
        previous = doc[token.i - 1] if token.i > 0 else None
        if not word[0].isupper():
            return False
        addressed = token.i + 1 < len(doc) and doc[token.i + 1].text == ","
        if _opens_sentence(token):
            # First in a sentence a capital says nothing: only the way a person is addressed at the
            # start of a line ("Vide, can you ...") or a proper noun that a verb or another name
            # follows ("Irenka is ...", "Abramovich and Wilson were ...").
            opens_line = previous is None or "\n" in previous.text or doc.text[: token.idx].endswith("\n")
            after = _next_token(doc, token.i)
            subject = token.pos_ == "PROPN" and after is not None and (
                (after.pos_ in ("VERB", "AUX") and after.text.islower())
                or (after.lower_ in ("and", "&") and token.i + 2 < len(doc) and doc[token.i + 2].pos_ == "PROPN")
            )
            return (opens_line and addressed) or subject
        return token.pos_ == "PROPN" and not (previous is not None and previous.like_num)


# A line holding only a name, as in signature and letter blocks, quoted or bulleted
# ("> Mijail C Adomo", "??? Freja Clausen"), or the value of a "Label:" line ("Directed By: ...").
_NAME_LINE = regex.compile(
    r"^[ \t>*•·|?-]*(?:[\p{L}][\p{L} \t]{0,30}:[ \t]*)?"
    r"(\p{L}[\p{L}'’-]*(?:[ \t]+(?:\p{L}\.?|\p{L}[\p{L}'’-]+)){1,3})[ \t]*,?[ \t]*$",
    regex.MULTILINE,
)
_INITIAL_WORD = regex.compile(r"\p{L}\.?")


class NameLineRecognizer(EntityRecognizer):
    """A line that holds nothing but a name: signature blocks, letter heads, "Label: value" lines.

    Two or three words (initials aside), all capitalised or all lower case; it is a name when every
    word is unknown to the English lexicon, or when the first is a known given name and (in lower
    case, where there is less to go on) the last is not an English word. "Knowledge Agency",
    "Local transit bus driver" and "grace period" stay.
    """

    def __init__(self, known_words: frozenset[str], given_names: frozenset[str]) -> None:
        super().__init__(supported_entities=["PERSON"], name="LogmineNameLineRecognizer")
        self._known_words = known_words
        self._given_names = given_names

    def load(self) -> None:
        pass

    def analyze(self, text, entities, nlp_artifacts=None):
        results = []
        for match in _NAME_LINE.finditer(text):
            if self._is_name(match.group(1).split()):
                results.append(RecognizerResult(
                    entity_type="PERSON",
                    start=match.start(1),
                    end=match.end(1),
                    score=0.6,
                    recognition_metadata={
                        RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                        RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                    },
                ))
        return results

    def _is_name(self, words: list[str]) -> bool:
        full = [w for w in words if not _INITIAL_WORD.fullmatch(w)]
        if not 2 <= len(full) <= 3 or _INITIAL_WORD.fullmatch(words[0]) or _INITIAL_WORD.fullmatch(words[-1]):
            return False
        lowered = [w.lower() for w in full]
        if any(w in _NOT_NAMES or w in _NOT_ADDRESS_LINE_START for w in lowered):
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


class _TokenIndex:
    """Finds the spaCy token starting at a character offset, and the name tokens from there."""

    def __init__(self, doc) -> None:
        self.doc = doc
        self.starts = [token.idx for token in doc]

    def token_at(self, offset: int):
        index = bisect.bisect_left(self.starts, offset)
        if index < len(self.starts) and self.starts[index] == offset:
            return self.doc[index]
        return None

    def name_tokens(self, offset: int, accepts) -> list:
        first = self.token_at(offset)
        if first is None:
            return []
        taken = []
        for token in self.doc[first.i : first.i + _MAX_NAME_TOKENS]:
            if not accepts(token) or (taken and "\n" in self.doc.text[taken[-1].idx : token.idx]):
                break
            taken.append(token)
        return taken


def known_english_words(nlp) -> frozenset[str]:
    """Every word of the English lexicon the spaCy model's lemmatizer ships with (from WordNet),
    with the irregular forms it lists ("children", "went")."""
    lookups = nlp.get_pipe("lemmatizer").lookups
    index = lookups.get_table("lemma_index")
    exceptions = lookups.get_table("lemma_exc")
    words = {word.lower() for pos in ("noun", "verb", "adj", "adv") for word in index[pos]}
    words.update(form.lower() for pos in ("noun", "verb", "adj", "adv") if pos in exceptions for form in exceptions[pos])
    words.update(MODERN_WORDS)
    return frozenset(words)


# ---------------------------------------------------------------------------------------------
# Registration
# ---------------------------------------------------------------------------------------------

class OfflineEmailRecognizer(EmailRecognizer):
    """Presidio's email recognizer, checking domains against the suffix list bundled with
    tldextract (no network). A known suffix makes the match certain; an address on an internal
    domain ("jane@corp.internal") is still an address, so it keeps the pattern's score."""

    def __init__(self, tld_extractor) -> None:
        super().__init__()
        self._tld_extractor = tld_extractor

    def validate_result(self, pattern_text: str) -> bool | None:
        return True if self._tld_extractor(pattern_text).fqdn else None


def add_logmine_recognizers(registry, tld_extractor, known_words: frozenset[str]) -> None:
    """Replace the email recognizer and add ours, in a registry holding Presidio's set."""
    registry.remove_recognizer("EmailRecognizer")
    given_names = first_names()
    for recognizer in (
        OfflineEmailRecognizer(tld_extractor),
        PhoneFormatRecognizer(),
        StreetAddressRecognizer(),
        date_of_birth_recognizer(),
        account_id_recognizer(),
        ssn_format_recognizer(),
        LuhnCardRecognizer(),
        secret_recognizer(),
        home_directory_user_recognizer(),
        NameAfterCueRecognizer(known_words),
        GivenNameRecognizer(known_words, given_names),
        NameLineRecognizer(known_words, given_names),
        ProperNameRunRecognizer(known_words),
        SingleProperNounRecognizer(known_words),
    ):
        registry.add_recognizer(recognizer)
