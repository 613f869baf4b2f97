"""The grammar of a street address, as Presidio patterns: house numbers, street types in English
and continental forms, units, towns and postcodes, military mail. Only the street line and what
follows on its line; `postal_blocks` takes the lines around it."""

from __future__ import annotations

from presidio_analyzer import Pattern

from logmine_dagster.sanitise.recognizers.base import WEAK

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
# Street words written before the name (Via Roma 12, Rua Bento Lisboa 512, ul. Cicha 86).
_STREET_PREFIXES = (
    "Rue|Avenue|Boulevard|Chemin|Allée|Impasse|Quai|Via|Viale|Vicolo|Piazza|Piazzale|Corso|Largo|"
    "Calle|Carrer|Avenida|Avinguda|Paseo|Passeig|Plaza|Plaça|Camino|Carretera|Ronda|Travesía|Rua|Rúa|"
    "Travessa|Praça|Praza|Alameda|Estrada|Rambla|ul\\.|ulica|al\\.|aleja|Λεωφόρος|Λ\\.|Οδός|Strada|"
    "Straße|Strasse|Calea|Bulevardul|Ulitsa|Trg|Náměstí|nám\\.|Třída"
)
PARTICLE = (
    "(?:d[aeiou]s?|de[il]|degli|dell[aeo']?|la|le|les|l'|d'|von|van|der|den|of|the|y|e|"
    "z|ze|u|na|nad|pod|am|an|im|zum|zur|auf|sur|en)"
)
_NAME_WORD = rf"(?:[\p{{Lu}}\d][\p{{L}}\d'’.-]*|{PARTICLE})"
_HOUSE_NUMBER = r"\d{1,6}[A-Za-z]?(?:[-/]\d{1,4}[A-Za-z]?)?\.?"
_UNIT = r"(?:,?[ \t]*(?i:apt|apartment|suite|ste|unit|flat|floor|fl)\.?[ \t]*#?[ \t]*\d{1,5}[A-Za-z]?){0,2}"
UK_POSTCODE = r"(?:[A-Z]{1,2}\d[A-Z\d]?[ \t]*\d[A-Z]{2})"
US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|"
    "NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC"
)
# ", Springfield, IL 62704" / ", London NW1 6XE" / ", 10115 Berlin" after a street, on its line
# (a postal block over several lines is handled by StreetAddressRecognizer).
_CITY = rf"\p{{Lu}}[\p{{L}}'’.-]*\p{{L}}(?:[ \t]+(?:{PARTICLE}[ \t]+)?\p{{Lu}}[\p{{L}}'’.-]*\p{{L}}){{0,2}}"  # Mora de Rubielos
_TAIL = (
    rf"(?:,[ \t]*\d{{4,5}}[ \t]+{_CITY}"
    rf"|(?:,[ \t]*{_CITY}){{0,2}},?[ \t]+(?:(?:{US_STATES})[ \t]+)?(?:\d{{5}}(?:-\d{{4}})?|{UK_POSTCODE})(?!\w)"
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
    # Hauptstraße 12, 10115 Berlin / Brucker Bundesstrasse 31 / kildevej 27 / Rákóczi út 66 /
    # Béla király útja 5 (a capitalised name may go on in lower case before the street word)
    Pattern(
        "street with continental suffix, number",
        rf"(?<![\w.])(?:{_HOUSE_NUMBER}[ \t]+)?(?:\p{{Lu}}[\p{{L}}'’.-]*[ \t]+(?:\p{{L}}[\p{{L}}'’.-]*[ \t]+){{0,1}})?"
        rf"(?:\p{{L}}{{3,}}(?i:{_STREET_SUFFIXES})|(?:{_STREET_WORDS}))[ \t]+{_HOUSE_NUMBER}(?!\w){_UNIT}{_TAIL}",
        0.6,
    ),
    # Via dei Mercanti 23 / Rua Bento Lisboa 512 / ul. Więckowskiego Stefana 28 /
    # Rua Sete de Abril de Novembro 804
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
    # 14 rue des tanneurs: French addresses put the number first and are often typed in lower case;
    # a second number may follow the name ("688 rue du centre 320").
    Pattern(
        "number, French street type, name",
        r"(?<![\w.])\d{1,4}(?:[ \t]?(?:bis|ter))?,?[ \t]+(?i:rue|allée|impasse|chemin|quai)[ \t]+"
        rf"[\p{{L}}'’-]+(?:[ \t]+[\p{{L}}'’-]+){{0,3}}(?:[ \t]+\d{{1,5}}[A-Za-z]?(?!\w))?{_TAIL}(?![\p{{L}}'’-])",
        0.6,
    ),
    # "the corner of Lövgatan 9 and Halvorsen Meadows": an intersection is one address, and
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
    # "Vana-Viru 25 Apt. 971", "0318 κηφισίας 77 apt. 402", "412 r pedro de castro 3 suite 208":
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
    Pattern("US state and ZIP", rf"(?<![\w.])(?:{US_STATES})[ \t]+\d{{5}}(?:-\d{{4}})?(?!\w)", 0.6),
    Pattern("UK postcode", rf"(?<![\w.]){UK_POSTCODE}(?!\w)", 0.5),
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
    # "lives on Storvikgata 48", "Jiřího z Poděbrad 1874": capitalised words and a number, only
    # after an address cue.
    Pattern(
        "capitalised words and a number",
        rf"(?<![\w.])(?:{_HOUSE_NUMBER}[ \t]+)?\p{{Lu}}\p{{L}}{{2,}}(?:[ \t]+(?:{PARTICLE}[ \t]+)?\p{{Lu}}\p{{L}}{{2,}}){{0,2}}[ \t]+"
        rf"{_HOUSE_NUMBER}(?!\w){_UNIT}{_TAIL}",
        WEAK,
    ),
]
