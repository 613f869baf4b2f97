"""Which JSON keys name PII, so that their values are masked whatever the NER says.

Tool arguments and tool results are structured: `{"customer_email": "..."}` says what the value is
more reliably than any model reading the value. Both the sanitiser and the residual gate use this.
"""

from __future__ import annotations

import functools
import re

# Splits snake_case, kebab-case, camelCase and "IPAddress"-style keys into lower-case words.
_KEY_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")

# Words that turn a PII-looking key into metadata about the value (`card_type`, `token_count`).
_DESCRIBES_NOT_HOLDS = frozenset({
    "count", "type", "types", "kind", "format", "length", "len", "limit", "max", "min", "status",
    "verified", "valid", "enabled", "required", "provider", "brand", "network", "expiry", "expires",
    "ttl", "hint", "label", "template", "masked", "field", "fields", "tokens",
})

# "name" names a person unless another word says what is named (`product_name`, `file_name`).
_NAMED_THINGS = frozenset({
    "product", "file", "filename", "company", "org", "organization", "organisation", "business",
    "tool", "function", "model", "plan", "item", "event", "category", "host", "hostname", "domain",
    "store", "shop", "bank", "merchant", "app", "application", "service", "project", "team", "device",
    "browser", "os", "city", "country", "state", "region", "field", "key", "param", "parameter",
    "column", "table", "database", "db", "queue", "topic", "bucket", "branch", "repo", "package",
    "module", "class", "method", "variable", "var", "attribute", "attr", "tag", "group", "role",
    "department", "dept", "sku", "course", "place", "venue", "location", "campaign", "feature",
    "metric", "step", "task", "job", "stage", "server", "cluster", "zone", "street", "hotel",
    "restaurant", "airline", "airport", "vendor", "supplier", "carrier", "building", "room", "school",
    "variant", "option", "attachment", "document", "image", "folder", "channel", "workspace",
})

# Checked in order: `email_address` is an email, `ip_address` an IP, `street_address` an address.
_WORDS_BY_TYPE: tuple[tuple[str, frozenset[str]], ...] = (
    ("EMAIL_ADDRESS", frozenset({"email", "mail", "emailaddress"})),
    ("IP_ADDRESS", frozenset({"ip", "ipv4", "ipv6", "ipaddress", "ipaddr"})),
    ("SECRET", frozenset({
        "password", "passwd", "pwd", "passphrase", "secret", "token", "apikey", "credential",
        "credentials", "otp", "pin", "authorization", "auth", "cookie",
    })),
    ("CREDIT_CARD", frozenset({"card", "cardnumber", "creditcard", "ccnumber", "pan", "cvv", "cvc"})),
    ("IBAN_CODE", frozenset({"iban", "bic", "swift"})),
    ("US_SSN", frozenset({"ssn", "nino", "nin"})),
    ("DATE_OF_BIRTH", frozenset({"dob", "birthday", "birthdate", "birth"})),
    ("PHONE_NUMBER", frozenset({
        "phone", "phonenumber", "mobile", "tel", "telephone", "cell", "cellphone", "fax", "msisdn",
        "whatsapp",
    })),
    ("MAC_ADDRESS", frozenset({"mac", "macaddress"})),
    ("STREET_ADDRESS", frozenset({
        "address", "addr", "street", "address1", "address2", "addressline", "postcode", "postal",
        "postalcode", "zip", "zipcode",
    })),
    ("ID_NUMBER", frozenset({"passport", "license", "licence", "taxid", "nationalid", "vat"})),
    ("PERSON", frozenset({
        "firstname", "lastname", "fullname", "surname", "forename", "givenname", "familyname",
        "middlename", "maidenname", "username", "nickname", "displayname", "login", "cardholder",
        "recipient", "beneficiary", "payee", "signatory",
    })),
)

_SECRET_KEY_QUALIFIERS = frozenset({"api", "secret", "private", "access", "signing", "auth", "license"})
_ID_OWNERS = frozenset({
    "account", "acct", "customer", "cust", "member", "membership", "user", "order", "booking",
    "policy", "subscriber", "client", "patient", "loyalty", "reservation", "sort", "routing", "payment",
})
_ID_WORDS = frozenset({"id", "number", "no", "num", "nr", "ref", "reference", "code"})
# A key holding a run of 5+ digits is a record's id used as a key ("credit_card_4411934" keying a
# payment method), not a field name: it is data, masked like a value (`record_fields`), and says
# nothing about the value under it. Dates used as keys ("2024-05-16") are not ids.
_DATA_KEY = re.compile(r"(?<!\d)\d{5,}(?!\d)")
_DATE_KEY = re.compile(r"\d{4}-\d{2}-\d{2}")


def is_data_key(key: str) -> bool:
    return _DATA_KEY.search(key) is not None and _DATE_KEY.fullmatch(key) is None


_COMPACT_ID = re.compile(r"^(?:%s)(?:id|number|no|num|nr|ref)$" % "|".join(sorted(_ID_OWNERS)))


def key_words(key: str) -> tuple[str, ...]:
    return tuple(word.lower() for word in _KEY_WORD.findall(key))


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


@functools.lru_cache(maxsize=4096)
def pii_type_for_key(key: str, parent: str | None = None) -> str | None:
    """The placeholder type for a value stored under `key`, or None when the key names no PII.

    `parent` is the key holding the object, if any: the "name" of one of `"items"` or `"products"`
    is a product's name, not a person's.
    """
    words = key_words(key)
    if not words or is_data_key(key) or _DESCRIBES_NOT_HOLDS.intersection(words):
        return None
    if words == ("name",) and parent and _NAMED_THINGS.intersection(map(_singular, key_words(parent))):
        return None
    compact = "".join(words)
    if "key" in words and _SECRET_KEY_QUALIFIERS.intersection(words):
        return "SECRET"
    for entity_type, type_words in _WORDS_BY_TYPE:
        if type_words.intersection(words) or compact in type_words:
            return entity_type
    if "account" in words or _COMPACT_ID.match(compact) or (
        _ID_OWNERS.intersection(words) and _ID_WORDS.intersection(words)
    ):
        return "ACCOUNT_ID"
    if "name" in words and not _NAMED_THINGS.intersection(words):
        return "PERSON"
    return None
