"""Synthetic personal data: one `Customer` per chat session, with values in the forms people really type.

Values never contain quotes, backslashes or control characters, so they appear verbatim both in the
record and in the raw JSON line (and inside tool-result JSON nested in a string): the manifest can list
them as plain substrings.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata

from . import vocab

# Manifest types (the names Presidio uses, plus DATE_OF_BIRTH and ACCOUNT_ID).
PERSON = "PERSON"
EMAIL = "EMAIL_ADDRESS"
PHONE = "PHONE_NUMBER"
ADDRESS = "STREET_ADDRESS"
CARD = "CREDIT_CARD"
IBAN = "IBAN_CODE"
IP = "IP_ADDRESS"
DOB = "DATE_OF_BIRTH"
ACCOUNT = "ACCOUNT_ID"

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_DOB_FIRST = dt.date(1945, 1, 1).toordinal()
_DOB_SPAN = dt.date(2005, 12, 31).toordinal() - _DOB_FIRST
_UK_POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the inward code never uses C, I, K, M, O, V
_DIGITS = "0123456789"
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_PUBLIC_FIRST_OCTETS = (24, 31, 46, 62, 68, 73, 81, 86, 92, 98, 104, 109, 151, 176, 185, 203, 212, 217)


# Letters that Unicode decomposition does not reduce to ASCII, spelled as people type them without accents.
_TRANSLITERATION = str.maketrans({"Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "ß": "ss", "Æ": "AE", "æ": "ae",
                                  "ı": "i", "đ": "d", "Đ": "D"})


def fold_to_ascii(text: str) -> str:
    """'Łukasz Wiśniewska' -> 'Lukasz Wisniewska'."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATION))
    return decomposed.encode("ascii", "ignore").decode("ascii")


# Folding names is the slowest step of building an e-mail; the lists are small, so do it once.
_NAMES = vocab.FIRST_NAMES + vocab.LAST_NAMES
_FOLDED_DISPLAY = {name: fold_to_ascii(name) for name in _NAMES}
_FOLDED = {name: "".join(ch for ch in _FOLDED_DISPLAY[name].lower() if ch.isalnum()) for name in _NAMES}


def _digits(rng: random.Random, count: int) -> str:
    return f"{rng.randrange(10 ** count):0{count}d}"


def _letters(rng: random.Random, count: int, alphabet: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ") -> str:
    return "".join(rng.choice(alphabet) for _ in range(count))


# --- checksummed numbers ---------------------------------------------------------------------------

def luhn_check_digit(partial: str) -> str:
    """The digit that makes `partial + digit` pass the Luhn check."""
    total = 0
    for index, char in enumerate(reversed(partial)):
        digit = int(char)
        if index % 2 == 0:  # these positions are doubled once the check digit is appended
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    digits = [c for c in number if c.isdigit()]
    return len(digits) > 1 and luhn_check_digit("".join(digits[:-1])) == digits[-1]


def iban_check_digits(country: str, bban: str) -> str:
    rearranged = bban + country + "00"
    numeric = "".join(str(int(ch, 36)) for ch in rearranged)
    return f"{98 - int(numeric) % 97:02d}"


def iban_valid(iban: str) -> bool:
    compact = iban.replace(" ", "")
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


# (card brand prefix, total length, grouping)
_CARD_KINDS = (
    ("4", 16, (4, 4, 4, 4)),
    ("4", 16, (4, 4, 4, 4)),
    ("51", 16, (4, 4, 4, 4)),
    ("55", 16, (4, 4, 4, 4)),
    ("2221", 16, (4, 4, 4, 4)),
    ("6011", 16, (4, 4, 4, 4)),
    ("37", 15, (4, 6, 5)),
    ("34", 15, (4, 6, 5)),
)


def make_card(rng: random.Random) -> str:
    prefix, length, groups = rng.choice(_CARD_KINDS)
    partial = prefix + _digits(rng, length - len(prefix) - 1)
    number = partial + luhn_check_digit(partial)
    separator = rng.choice((" ", " ", "-", ""))
    parts, start = [], 0
    for size in groups:
        parts.append(number[start:start + size])
        start += size
    return separator.join(parts)


def _iban_bban(rng: random.Random, country: str) -> str:
    if country == "GB":
        return rng.choice(("NWBK", "BARC", "LOYD", "HBUK", "MIDL")) + _digits(rng, 14)
    if country == "NL":
        return rng.choice(("ABNA", "INGB", "RABO", "TRIO")) + _digits(rng, 10)
    if country == "FR":
        return _digits(rng, 23)
    if country == "ES":
        return _digits(rng, 20)
    if country == "IT":
        return _letters(rng, 1) + _digits(rng, 22)
    return _digits(rng, 18)  # DE


def make_iban(rng: random.Random, country: str) -> str:
    bban = _iban_bban(rng, country)
    compact = country + iban_check_digits(country, bban) + bban
    if rng.random() < 0.5:
        return compact
    return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))


# --- contact details -------------------------------------------------------------------------------

def make_email(rng: random.Random, first: str, last: str) -> str:
    f, l = _FOLDED[first], _FOLDED[last]
    number = rng.randrange(1, 100)
    local = rng.choice((
        f"{f}.{l}", f"{f}{l}{number}", f"{f[0]}.{l}", f"{f}_{l}", f"{l}.{f}{number}", f"{f}{number}", f"{f[0]}{l}",
    ))
    return f"{local}@{rng.choice(vocab.EMAIL_DOMAINS)}"


def fill_pattern(rng: random.Random, pattern: str) -> str:
    """Replace `#` with a digit, `N` with a digit 2-9 (no leading 0/1) and `@` with a capital letter."""
    out = []
    for char in pattern:
        if char == "#":
            out.append(_DIGITS[int(rng.random() * 10)])
        elif char == "N":
            out.append(_DIGITS[2 + int(rng.random() * 8)])
        elif char == "@":
            out.append(_UPPER[int(rng.random() * 26)])
        else:
            out.append(char)
    return "".join(out)


def make_phone(rng: random.Random, region: str, country: str | None) -> str:
    if rng.random() < 0.08:  # customers abroad, or who give a relative's number
        patterns = vocab.PHONE_PATTERNS["international"]
    else:
        patterns = vocab.PHONE_PATTERNS[(country or "DE") if region == "EU" else region]
    return fill_pattern(rng, rng.choice(patterns))


def _us_address(rng: random.Random) -> str:
    city, state, zip_prefix = rng.choice(vocab.US_CITIES)
    street = f"{rng.randrange(1, 9900)} {rng.choice(vocab.US_STREETS)} {rng.choice(vocab.US_STREET_SUFFIXES)}"
    if rng.random() < 0.3:
        street += f", {rng.choice(vocab.US_UNITS)} {rng.randrange(1, 40)}{rng.choice(('', '', 'A', 'B', 'C'))}"
    return f"{street}, {city}, {state} {zip_prefix}{_digits(rng, 2)}"


def _uk_address(rng: random.Random) -> str:
    town, area = rng.choice(vocab.UK_TOWNS)
    postcode = f"{area}{rng.randrange(1, 29)} {rng.randrange(10)}{_letters(rng, 2, _UK_POSTCODE_LETTERS)}"
    flat = f"Flat {rng.randrange(1, 30)}, " if rng.random() < 0.25 else ""
    return f"{flat}{rng.randrange(1, 220)} {rng.choice(vocab.UK_STREETS)}, {town} {postcode}"


def _eu_address(rng: random.Random, country: str) -> str:
    spec = next(c for c in vocab.EU_COUNTRIES if c[0] == country)
    _, streets, postcode_digits, postcode_letters, cities, number_first = spec
    postcode = f"{rng.randrange(10 ** (postcode_digits - 1), 10 ** postcode_digits)}"
    if postcode_letters:
        postcode += " " + _letters(rng, postcode_letters)
    number, street = rng.randrange(1, 180), rng.choice(streets)
    line = f"{number} {street}" if number_first else f"{street} {number}"
    return f"{line}, {postcode} {rng.choice(cities)}"


def make_address(rng: random.Random, region: str, country: str | None) -> str:
    if region == "US":
        return _us_address(rng)
    if region == "UK":
        return _uk_address(rng)
    return _eu_address(rng, country or "DE")


def make_ip(rng: random.Random) -> str:
    return f"{rng.choice(_PUBLIC_FIRST_OCTETS)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def make_birth_date(rng: random.Random) -> dt.date:
    return dt.date.fromordinal(_DOB_FIRST + rng.randrange(_DOB_SPAN))


def format_birth_date(rng: random.Random, born: dt.date, region: str) -> str:
    day_first = f"{born.day:02d}/{born.month:02d}/{born.year}"
    month_first = f"{born.month:02d}/{born.day:02d}/{born.year}"
    local = month_first if region == "US" else day_first
    return rng.choice((
        local, local, born.isoformat(), f"{_MONTHS[born.month - 1]} {born.day}, {born.year}",
        f"{born.day} {_MONTHS[born.month - 1]} {born.year}", f"{born.day:02d}.{born.month:02d}.{born.year}",
    ))


def make_account_id(rng: random.Random) -> str:
    return f"ACC-{_digits(rng, 8)}"


def make_order_id(rng: random.Random) -> str:
    return fill_pattern(rng, rng.choice(("ORD-2024-######", "ORD-########", "ORD-@@#####")))


class Customer:
    """One customer's details, drawn only when first needed and then reused across the session's turns."""

    __slots__ = ("_rng", "region", "country", "first", "last", "_values")

    def __init__(self, rng: random.Random, region: str):
        self._rng = rng
        self.region = region
        self.country = rng.choice(vocab.EU_COUNTRIES)[0] if region == "EU" else None
        self.first = rng.choice(vocab.FIRST_NAMES)
        self.last = rng.choice(vocab.LAST_NAMES)
        self._values: dict[str, object] = {}

    def _cached(self, kind: str, make):
        value = self._values.get(kind)
        if value is None:
            value = self._values[kind] = make()
        return value

    @property
    def full_name(self) -> str:
        return f"{self.first} {self.last}"

    def typed_name(self) -> str:
        """The name as a user types it this time: full, lower-case, without accents, or first name only."""
        roll = self._rng.random()
        if roll < 0.62:
            return self.full_name
        if roll < 0.77:
            return self.full_name.lower()
        if roll < 0.85:
            return f"{_FOLDED_DISPLAY[self.first]} {_FOLDED_DISPLAY[self.last]}"
        return self.first

    @property
    def email(self) -> str:
        return self._cached("email", lambda: make_email(self._rng, self.first, self.last))

    @property
    def phone(self) -> str:
        return self._cached("phone", lambda: make_phone(self._rng, self.region, self.country))

    @property
    def address(self) -> str:
        return self._cached("address", lambda: make_address(self._rng, self.region, self.country))

    @property
    def card(self) -> str:
        return self._cached("card", lambda: make_card(self._rng))

    @property
    def iban(self) -> str:
        country = "GB" if self.region == "UK" else (self.country or "DE")
        return self._cached("iban", lambda: make_iban(self._rng, country))

    @property
    def ip(self) -> str:
        return self._cached("ip", lambda: make_ip(self._rng))

    @property
    def birth_date(self) -> dt.date:
        return self._cached("birth_date", lambda: make_birth_date(self._rng))

    def typed_birth_date(self) -> str:
        return format_birth_date(self._rng, self.birth_date, self.region)

    @property
    def account_id(self) -> str:
        return self._cached("account_id", lambda: make_account_id(self._rng))

    @property
    def crm_id(self) -> str:
        return self._cached("crm_id", lambda: f"cus_{self._rng.getrandbits(40):010x}")

    @property
    def balance_due(self) -> str:
        return self._cached("balance_due", lambda: f"{self._rng.randrange(0, 20000) / 100:.2f}")

    @property
    def order_id(self) -> str:
        return self._cached("order_id", lambda: make_order_id(self._rng))
