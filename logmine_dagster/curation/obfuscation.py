"""Undoing the cheap disguises attackers put on a prompt, so the adversarial patterns can see it.

`variants(text)` returns (how, plain text) pairs, one per disguise found; the detector runs its
families on each and reports `adv:obfuscated:<how>` when a variant is an attack. Nothing is
returned for ordinary text, so benign traffic costs a few regex scans.

- `unicode`: zero-width characters and soft hyphens removed, compatibility forms folded (NFKC:
  fullwidth letters, ligatures, mathematical alphanumerics), combining marks dropped, and
  lookalike letters from Cyrillic, Greek and other scripts mapped to the Latin letter they imitate
  (a subset of the Unicode confusables table, UTS #39, for letters used in English words).
- `spaced`: letters split by single spaces, dots, dashes or underscores ("i g n o r e") joined
  again; a wider gap (two spaces, a slash, " | ") is read as a word boundary.
- `leet`: words mixing letters with digits or symbols that stand for letters ("1gn0r3", "pr0mpt").
- `base64`: runs of 16+ base64 characters that decode to readable text.
- `rot13`: the whole text rotated back when it mentions ROT13.

Sources: Kang et al. 2023, "Exploiting Programmatic Behavior of LLMs: Dual-Use Through Standard
Security Attacks" (obfuscation, encoding, payload splitting); Wei et al. 2023, "Jailbroken: How
Does LLM Safety Training Fail?" (base64 and other encodings); Unicode Technical Standard #39
(confusable characters); OWASP LLM01 (obfuscated injections).

Limits: one layer only (base64 of leetspeak is not unwrapped), no other ciphers (Caesar shifts
other than 13, Morse, hex), no translation; a disguise split across turns or tool results is not
reassembled.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
import unicodedata

_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060-\u2064\ufeff\u202a-\u202e\u2066-\u2069]")
# Lookalikes of Latin letters (UTS #39 confusables, letters only).
_CONFUSABLES = str.maketrans({
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t",
    "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ɡ": "g",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
    "У": "Y", "Х": "X", "Ѕ": "S", "І": "I", "Ј": "J", "Ԁ": "D", "Ԛ": "Q", "Ԝ": "W", "Һ": "H",
    # Greek
    "α": "a", "ο": "o", "ρ": "p", "ν": "v", "ι": "i", "κ": "k", "τ": "t", "υ": "u", "χ": "x", "ε": "e",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    # Latin letters that look like others
    "ı": "i", "ȷ": "j", "ℓ": "l", "ǀ": "l",
})
_SPACED = re.compile(r"(?<![^\W\d_])(?:[^\W\d_] ){2,}[^\W\d_](?![^\W\d_])")
_DASHED = re.compile(r"(?<![^\W\d_])(?:[^\W\d_][.\-_*]){2,}[^\W\d_](?![^\W\d_])")
_WIDE_GAP = re.compile(r"\s{2,}|\s*[/|]\s*")
_LEET_MAP = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i", "|": "l", "8": "b", "9": "g"})
_LEET_CHARS = frozenset("0134579@$!|8")
_LEET_WORD = re.compile(r"(?<![\w@$!|])(?=[\w@$!|]*[a-zA-Z])(?=[\w@$!|]*[0134579@$!|8])[a-zA-Z0134579@$!|8]{2,}(?![\w@$!|])")
# Digits with a unit or an ordinal ("5g", "100gb", "2fa", "3rd") and ids ending in several digits are not leet.
_NOT_LEET = re.compile(r"\d+(?:g|gb|mb|kb|tb|fa|st|nd|rd|th|x|k|m|h|s|am|pm|min|ms|hz|ghz|mhz|mbps|gbps|p|mp|d)|[a-z]+\d{2,}|\d+|\w{3,}@\w{3,}", re.I)
_BASE64 = re.compile(r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{16,}={0,2}(?![A-Za-z0-9+/=])")
_ROT13 = re.compile(r"\brot-?13\b", re.I)
_PRINTABLE = re.compile(r"[ -~\n\t]")


def _unicode(text: str) -> str | None:
    if text.isascii():
        return None
    plain = _INVISIBLE.sub("", text)
    plain = unicodedata.normalize("NFKC", plain).translate(_CONFUSABLES)
    plain = "".join(c for c in unicodedata.normalize("NFKD", plain) if not unicodedata.combining(c))
    return plain if plain != text else None


def _spaced(text: str) -> str | None:
    def join(match: re.Match) -> str:
        return "".join(c for c in match.group(0) if c.isalpha())

    # Letters split by dashes, dots, underscores or stars: the spaces between them are word gaps.
    dashed = _DASHED.sub(join, text)
    if not _SPACED.search(dashed):
        return dashed if dashed != text else None
    text = dashed

    # Wide gaps are word boundaries: mark them, join single-spaced letters, restore the spaces.
    marked = _WIDE_GAP.sub(" \x00 ", text)
    joined = _SPACED.sub(join, marked)
    return re.sub(r"\s*\x00\s*", " ", joined)


def _leet(text: str) -> str | None:
    changed = 0

    def fold(match: re.Match) -> str:
        nonlocal changed
        word = match.group(0)
        tail = len(word) - len(word.rstrip("!"))  # "it!" ends a sentence, it is not "iti"
        word, end = (word[:-tail], word[-tail:]) if tail else (word, "")
        if not word or _NOT_LEET.fullmatch(word) or not any(c in _LEET_CHARS for c in word):
            return word + end
        changed += 1
        letters = [c for c in word if c.isalpha()]
        plain = word.translate(_LEET_MAP)
        return (plain.upper() if len(letters) >= 2 and all(c.isupper() for c in letters) else plain) + end

    folded = _LEET_WORD.sub(fold, text)
    return folded if changed >= 2 else None


def _base64(text: str) -> str | None:
    decoded = []
    for match in _BASE64.finditer(text):
        token = match.group(0)
        try:
            raw = base64.b64decode(token + "=" * (-len(token) % 4), validate=True)
            plain = raw.decode("utf-8")
        except (binascii.Error, ValueError):
            continue
        # Readable text: printable, with spaces between words (ids and hashes decode to noise).
        if len(plain) >= 8 and len(_PRINTABLE.findall(plain)) >= 0.95 * len(plain) and " " in plain:
            decoded.append(plain)
    return "\n".join(decoded) if decoded else None


def _rot13(text: str) -> str | None:
    return codecs.decode(text, "rot13") if _ROT13.search(text) else None


_DECODERS = (("unicode", _unicode), ("spaced", _spaced), ("leet", _leet), ("base64", _base64), ("rot13", _rot13))


def variants(text: str) -> list[tuple[str, str]]:
    """(how, plain text) for every disguise found; a Unicode-cleaned text is also tried for the
    other disguises, since attackers combine them."""
    found = []
    cleaned = _unicode(text)
    if cleaned is not None:
        found.append(("unicode", cleaned))
    base = cleaned or text
    for how, decoder in _DECODERS[1:]:
        plain = decoder(base)
        if plain is not None:
            found.append((how, plain))
    return found
