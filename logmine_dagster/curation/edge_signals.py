"""Edge-case signals from the text and the structure of a record, beyond status and feedback.

- `edge:non_english:<lang>`: the user wrote in another language. First the script of the letters
  (Cyrillic, Greek, Arabic, CJK, ...) and function words (a few dozen per language for de, fr, es,
  it, nl, pt, and English); a text these do not settle (few English function words) goes to
  py3langid (langid.py's model: 97 languages, ~4 MB, numpy only, ~0.15 ms a text), which must be
  at least `MODEL_CONFIDENCE` sure. Deterministic either way. Limits: texts under four words are
  never flagged (too little evidence: "Danke!", "refund pls"); mixed-language texts are flagged
  only when the other language clearly dominates; product names and placeholders can make a short
  English text look foreign to the model, hence the confidence bar.
- `edge:structure:<kind>`: code blocks, JSON/markup pasted as the message, many lines, mostly
  symbols, or a long run of one repeated character.
Signals that read the conversation (refusals, tool failures, unresolved endings, ...) are in
curation/conversation_signals.py.
"""

from __future__ import annotations

import functools
import json
import re

_PLACEHOLDER = re.compile(r"<[A-Z_]+(?:_\d+)?>")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)

# Function words: frequent, short, and rarely shared across these languages.
_STOPWORDS = {
    "en": set("the a an and or but is are was were be been to of in on at for with my your i you it this that "
              "what why how when where can could would should do does did not no have has had me we they there "
              "from please thanks thank just so if about will".split()),
    "de": set("der die das und ist nicht ich ein eine mit zu den dem auf für sie es wie was mein meine ihr bitte "
              "kann ich habe wir auch noch aber oder warum wann danke".split()),
    "fr": set("le la les et est une un des du pas je vous mon ma mes pour avec que qui dans sur ce cette il elle "
              "nous mais ou pourquoi quand merci bonjour".split()),
    "es": set("el la los las y es un una de del que no mi mis por para con en se lo como pero porque cuando "
              "gracias hola usted tengo".split()),
    "it": set("il lo la gli le e è un una di del che non mio mia per con in si come ma perché quando grazie "
              "ciao sono ho".split()),
    "nl": set("de het een en is niet ik je mijn met op voor van dat die wat hoe maar waarom wanneer bedankt "
              "alstublieft heb".split()),
    "pt": set("o a os as e é um uma de do da que não meu minha por para com em se como mas porque quando "
              "obrigado obrigada olá tenho".split()),
}
_SCRIPTS = (
    ("cyrillic", re.compile(r"[\u0400-\u04FF]")),
    ("greek", re.compile(r"[\u0370-\u03FF]")),
    ("arabic", re.compile(r"[\u0600-\u06FF]")),
    ("hebrew", re.compile(r"[\u0590-\u05FF]")),
    ("devanagari", re.compile(r"[\u0900-\u097F]")),
    ("cjk", re.compile(r"[\u3040-\u30FF\u4E00-\u9FFF\uAC00-\uD7AF]")),
    ("thai", re.compile(r"[\u0E00-\u0E7F]")),
)
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)

MANY_LINES = 25
REPEATED_RUN = re.compile(r"(.)\1{19,}", re.S)
_CODE = re.compile(r"```|^\s*(?:def |class |import |#include|function\s*\(|SELECT\s.+\sFROM\s)", re.M | re.I)
_MARKUP = re.compile(r"<(?:html|div|script|table|body|span|p)\b", re.I)


def language(text: str) -> str | None:
    """'en', another language code, a script name, or None when there is too little text to tell."""
    text = _PLACEHOLDER.sub(" ", text)
    letters = _LETTER.findall(text)
    if len(letters) >= 6:
        for name, pattern in _SCRIPTS:
            if len(pattern.findall(text)) / len(letters) > 0.3:
                return name
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < 4:
        return None
    hits = {lang: sum(1 for w in words if w in stop) for lang, stop in _STOPWORDS.items()}
    best = max(hits, key=lambda lang: (hits[lang], lang == "en"))
    if best != "en" and hits[best] >= 2 and hits[best] >= 2 * hits["en"] + 1:
        return best
    if hits["en"] >= 2 and hits["en"] * 4 >= len(words):
        return "en"  # plainly English: most traffic stops here, without the model
    return _identify(text)


# The model (py3langid: langid.py's Naive Bayes over byte n-grams, 97 languages, ~4 MB, numpy only)
# is loaded on first use and asked only about texts the function words could not settle.
MODEL_CONFIDENCE = 0.9
_IDENTIFIER = None


def _identify(text: str) -> str | None:
    global _IDENTIFIER
    if _IDENTIFIER is None:
        try:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier
        except ImportError:  # optional: without it, the function words decide
            _IDENTIFIER = False
        else:
            _IDENTIFIER = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    if _IDENTIFIER is False:
        return "en"
    lang, probability = _IDENTIFIER.classify(text)
    if lang == "en":
        return "en"
    return lang if probability >= MODEL_CONFIDENCE else None


@functools.lru_cache(maxsize=1 << 16)
def _language_cached(text: str) -> str | None:
    return language(text)


def non_english_reasons(text: str) -> list[str]:
    lang = _language_cached(text)
    return [f"edge:non_english:{lang}"] if lang not in (None, "en") else []


def structure_reasons(text: str) -> list[str]:
    return list(_structure_reasons(text))


@functools.lru_cache(maxsize=1 << 16)
def _structure_reasons(text: str) -> tuple[str, ...]:
    reasons = []
    stripped = text.strip()
    if not stripped:
        return ()
    if _CODE.search(stripped):
        reasons.append("edge:structure:code")
    elif stripped[:1] in "{[" and _is_json(stripped):
        reasons.append("edge:structure:json")
    elif _MARKUP.search(stripped):
        reasons.append("edge:structure:markup")
    if stripped.count("\n") + 1 >= MANY_LINES:
        reasons.append("edge:structure:many_lines")
    visible = [c for c in _PLACEHOLDER.sub("", stripped) if not c.isspace()]
    if len(visible) >= 12 and sum(1 for c in visible if c.isalnum()) / len(visible) < 0.5:
        reasons.append("edge:structure:symbols")
    if REPEATED_RUN.search(stripped):
        reasons.append("edge:structure:repetition")
    return tuple(reasons)


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True
