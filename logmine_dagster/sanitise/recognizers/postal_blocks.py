"""An address match widened to the whole address around it: a building number before it, the
street and town before a postcode, the place after a unit, and the lines of a postal block above
and below ("Suite 4", "SPRINGFIELD", "United States 62704")."""

from __future__ import annotations

import regex

from spacy.lang.en.stop_words import STOP_WORDS

from logmine_dagster.sanitise.recognizers.address_patterns import PARTICLE, UK_POSTCODE, US_STATES

# Lines of a postal block after the street line: "Suite 512", "JÄMSÄNKOSKI", "Finland 42300".
# Lines may open with a quote mark or a bullet (often mangled to "?" on the way into a log), and a
# region code may sit alone on its line after a comma (", ON").
_LINE_LEAD = r"[ \t>*•·|?-]*"
# Symbols may stand inside words: an encoding slip turns the Greek Δ of "ΧΑΝΔΡΙΑ" into "∆".
_ADDRESS_BLOCK_LINE = regex.compile(
    _LINE_LEAD + r"((?:\(?[\p{Lu}\d\p{S}][\p{L}\d\p{S}'’.()/-]*,?[ \t]*)(?:(?:\(?[\p{Lu}\d\p{S}][\p{L}\d\p{S}'’.()/-]*|" + PARTICLE + r")[ \t]*,?[ \t]*){0,5}|,[ \t]*[\p{L}\d]{1,3})[ \t]*$",
    regex.MULTILINE,
)
# The same typed in lower case ("apt. 169", "φλαμου∆ι", ", fa"): taken only when a postcode line
# closes the block.
_LOWER_BLOCK_LINE = regex.compile(
    _LINE_LEAD + r"((?:[\p{L}\d\p{S}(),'’.-]+[ \t]*){1,4}|,[ \t]*\p{L}{1,3})[ \t]*$", regex.MULTILINE
)
# Greetings, sign-offs and labels: a line they open is neither a postal line nor a name line.
NOT_ADDRESS_LINE_START = frozenset({
    "thanks", "thank", "regards", "best", "cheers", "sincerely", "hi", "hello", "please", "kind",
    "many", "yours", "ok", "okay", "yes", "no", "sent", "warm", "phone", "email", "tel", "mobile",
})
_MAX_BLOCK_LINES = 4


def widen_to_postal_block(text: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of the address an address match (`start`, `end`) belongs to."""
    widened = _leading_number_start(text, start)
    if _ENDS_IN_POSTCODE.search(text, start, end):
        widened = _postcode_line_start(text, widened)
    widened = _postal_block_start(text, widened)
    end = _place_tail_end(text, widened, end)
    return widened, _postal_block_end(text, widened, end)


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
# "Raalte, OV 81102 after the match", ", RS", "Belgium 92060 for this card".
_LAST_BLOCK_LINE = regex.compile(
    _LINE_LEAD + r"((?:\(?\p{Lu}[\p{L}'’.()-]*[ \t,]+){0,3}(?:\p{L}{2,3}[ \t]+)?\d{4,6}(?:-\d{3,4})?|,[ \t]*\p{L}{2,3})(?![\w-])"
)
_LOWER_LAST_BLOCK_LINE = regex.compile(
    _LINE_LEAD + r"((?:\(?\p{L}[\p{L}'’.()-]*[ \t,]+){0,3}\d{4,6}(?:-\d{3,4})?)(?![\w-])"
)


# A match that ends in a postcode ("CF11 6YQ", "ID 83739") anchors the address: the street and town
# written before it on the same line belong to it ("Flat 18, 215 Kingsway, Cardiff CF11 6YQ").
_ENDS_IN_POSTCODE = regex.compile(
    rf"(?:{UK_POSTCODE}|(?:{US_STATES})[ \t]+\d{{5}}(?:-\d{{4}})?|[A-Z]\d[A-Z][ \t]?\d[A-Z]\d)$"
)
_ADDRESS_WORDS_BEFORE = regex.compile(
    rf"(?:(?:[\p{{Lu}}\d][\p{{L}}\d'’./#-]*|{PARTICLE})(?:[ \t]*,[ \t]*|[ \t]+)){{1,8}}$"
)
_POSTCODE_LOOKBACK = 80


def _postcode_line_start(text: str, start: int) -> int:
    line_start = text.rfind("\n", 0, start) + 1
    match = _ADDRESS_WORDS_BEFORE.search(text, max(line_start, start - _POSTCODE_LOOKBACK), start)
    if match is None:
        return start
    begin = match.start()
    for word in _LETTERS.finditer(text, match.start(), start):
        if word.group(0).lower() in NOT_ADDRESS_LINE_START:  # "Thanks, Cardiff CF11 6YQ": from "Cardiff"
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
    return lowered in NOT_ADDRESS_LINE_START or lowered in _NOT_PLACE_WORDS or (word.islower() and lowered in STOP_WORDS)


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
    if words[0].strip(",.").lower() in NOT_ADDRESS_LINE_START:
        return False
    if line.startswith(","):
        return True  # ", ON": a region code on its own line
    letters = [char for char in line if char.isalpha()]
    capitalised = [word for word in words if not word[:1].islower()]  # particles aside: "Torroella de Montgrí"
    return any(char.isdigit() for char in line) or (bool(letters) and line.upper() == line) or len(capitalised) <= 3

