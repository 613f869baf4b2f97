"""Names after cues in other languages, and names in non-Latin scripts after any name cue.

spaCy's English model knows neither "je m'appelle" nor a name written in Arabic, Cyrillic, CJK or
Devanagari. Two readings, both purely textual:
- after a strong cue ("my name is", "je m'appelle", "меня зовут", "اسمي", "我叫", "मेरा नाम"), the next
  one to three words are a name: capitalised words in a cased script, any words in an uncased
  script (Arabic, Hebrew, Devanagari, Thai...), a short run of Han, Hangul or Katakana characters;
- after a weaker cue (a greeting or a title: "Hola", "Bonjour", "Привет", "مرحبا", "नमस्ते", "Sr."),
  only words that could be nothing else: capitalised in a cased script, or in an uncased script
  with no comma after the greeting and none of the few function words that open a sentence there
  ("नमस्ते मुझे मदद चाहिए" is "hello, I need help").
A non-Latin run in a name position is a name unless the allow-list says otherwise (applied by the
sanitiser to every span).
"""

from __future__ import annotations

from typing import NamedTuple

import regex

from logmine_dagster.sanitise.recognizers.name_base import NameRecognizer

# English cues: what follows is read here only when written in a non-Latin script.
_ENGLISH_STRONG_CUES = r"my\s+name\s+is|name\s*:|i\s*['’]m|i\s+am|this\s+is|call\s+me"
_ENGLISH_WEAK_CUES = r"hi|hello|hey|dear|thanks|thank\s+you|mr\.?|mrs\.?|ms\.?|dr\.?"
_STRONG_CUES = (
    r"je\s+m['’]appelle|mon\s+nom\s+est|me\s+llamo|mi\s+nombre\s+es|ich\s+hei(?:ß|ss)e|mein\s+name\s+ist|"
    r"mi\s+chiamo|il\s+mio\s+nome\s+è|meu\s+nome\s+é|me\s+chamo|mijn\s+naam\s+is|ik\s+heet|"
    r"nazywam\s+się|mam\s+na\s+imię|jmenuji\s+se|jag\s+heter|jeg\s+he(?:dd|t)er|benim\s+adım|"
    r"меня\s+зовут|мо[её]\s+имя|мене\s+звати|我叫|我的名字是|私の名前は|제\s*이름은|"
    r"اسمي|मेरा\s+नाम|שמי|קוראים\s+לי|με\s+λένε|ονομάζομαι|ผมชื่อ|ฉันชื่อ"
)
_WEAK_CUES = (
    r"hola|bonjour|bonsoir|salut|hallo|guten\s+tag|ciao|buongiorno|olá|oi|hej|hoi|"
    r"cześć|dzień\s+dobry|merhaba|sr\.|sra\.|srta\.|señora?|monsieur|madame|mademoiselle|signora?|senhora?|"
    r"herr|frau|привет|здравствуйте|добрый\s+день|уважаем(?:ый|ая)|господин|госпожа|你好|您好|尊敬的|"
    r"こんにちは|안녕하세요|مرحبا|السلام\s+عليكم|عزيزي|عزيزتي|السيد|السيدة|नमस्ते|नमस्कार|श्री|श्रीमती|"
    r"שלום|γεια\s+σου|αγαπητ[έή]|สวัสดี(?:ครับ|ค่ะ)?|คุณ"
)
_CUE = regex.compile(
    rf"(?i)(?<!\w)(?:(?P<english_strong>{_ENGLISH_STRONG_CUES})|(?P<english_weak>{_ENGLISH_WEAK_CUES})"
    rf"|(?P<strong>{_STRONG_CUES})|(?P<weak>{_WEAK_CUES}))(?P<gap>[ \t]*[,،]?[ \t]*)"
)
_CASED_WORD = r"\p{Lu}[\p{Ll}\p{M}]+(?:[-'’]\p{Lu}?[\p{Ll}\p{M}]+)*"
_UNCASED_WORD = r"(?:(?![\p{Latin}\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Cyrillic}\p{Greek}])[\p{L}\p{M}])+"
_COMPACT = r"\p{Han}{2,4}|\p{Hangul}{2,4}|\p{Katakana}{2,8}"
_COMPACT_RUN = regex.compile(_COMPACT)
_SPACE = regex.compile(r"[ \t]")
_WORD = regex.compile(rf"{_COMPACT}|{_CASED_WORD}|{_UNCASED_WORD}")
# ("I am" alone in Chinese, Japanese, Korean, Arabic or Hindi opens any sentence: not a cue.)
# Words that open a sentence after a greeting in the uncased scripts: never a name there.
_SENTENCE_OPENERS = frozenset(
    "मुझे मैं मेरा मेरी मेरे आप हम जी क्या कृपया मुझको "
    "أنا عندي لدي أريد هل من في شكرا أحتاج لو ممكن كيف اريد "
    "אני יש לי רוצה תודה אפשר".split()
)
_MAX_WORDS = 3


class _Cue(NamedTuple):
    strong: bool  # says a name follows ("my name is"), not only that one may (a greeting)
    english: bool
    comma: bool  # a comma after it: "Hello, I need..." rather than "Hello Anna"


class MultilingualNameRecognizer(NameRecognizer):
    """Names after cues in other languages and non-Latin names after any cue (see the module doc)."""

    NAME = "LogmineMultilingualNameRecognizer"

    def analyze(self, text, entities, nlp_artifacts=None):
        results = []
        for cue in _CUE.finditer(text):
            strong = cue.group("strong") is not None or cue.group("english_strong") is not None
            english = cue.group("english_strong") is not None or cue.group("english_weak") is not None
            comma = "," in cue.group("gap") or "،" in cue.group("gap")
            span = self._name_after(text, cue.end(), _Cue(strong, english, comma))
            if span is not None:
                results.append(self.person(*span, 0.7 if strong else 0.6))
        return results

    def _name_after(self, text: str, offset: int, cue: "_Cue") -> tuple[int, int] | None:
        words: list[tuple[int, int]] = []
        position = offset
        while len(words) < _MAX_WORDS:
            word = _WORD.match(text, position)
            if word is None or not self._could_be_name(word.group(), cue, bool(words)):
                break
            words.append(word.span())
            gap = _SPACE.match(text, word.end())
            if gap is None or _COMPACT_RUN.fullmatch(word.group()):
                break  # a compact-script name is one run; a line or punctuation ends any name
            position = gap.end()
        if not words:
            return None
        return words[0][0], words[-1][1]

    def _could_be_name(self, word: str, cue: "_Cue", after_name: bool) -> bool:
        if regex.match(r"\p{Latin}", word) is not None:
            # after an English cue a Latin word is the English recognizers' call
            return not cue.english and (cue.strong or word.lower() not in self._known_words)
        if regex.fullmatch(_UNCASED_WORD, word):
            return word not in _SENTENCE_OPENERS and (cue.strong or not cue.comma or after_name)
        return True  # a capitalised Cyrillic or Greek word, or a Han, Hangul or Katakana run


# Cues that are titles: they stay in the name span (the README: titles go into the span).
_TITLE = regex.compile(
    r"(?i)(?:mr|mrs|ms|dr|sr|sra|srta|señora?|monsieur|madame|mademoiselle|signora?|senhora?|herr|frau"
    r"|господин|госпожа|السيد|السيدة|श्री|श्रीमती|คุณ)\.?"
)


def past_cues(span_text: str) -> int | None:
    """Where a name span starts once the greetings and cues that open it are cut ("Привет Иван" ->
    "Иван"), 0 when none opens it, None when it holds nothing else ("Здравствуйте", "Привет!"): the
    English model and the list widening read a greeting they do not know as a name, in any script."""
    position = 0
    while (cue := _CUE.match(span_text, position)) is not None and cue.end() > position:
        word = cue.group().strip(" \t,،")
        if _TITLE.fullmatch(word) or regex.match(r"\w", span_text[cue.end() - len(cue.group("gap")) :]):
            break  # a title is part of the name ("Mrs Okafor"); "Mr" is no cue inside "Mrs"
        position = cue.end()
    if position == 0:
        return 0
    rest = regex.search(r"[\p{L}\p{N}]", span_text, pos=position)
    return None if rest is None else rest.start()


def name_after_cues(span_text: str) -> tuple[int, int] | None:
    """Where a name can be in a span of a caseless script that spaCy's English model took for one:
    after the greetings and cues that open it ("مرحبا خالد ..." -> "خالد ..."); None when nothing is
    left or what is left opens a sentence ("नमस्ते मुझे" is "hello, I")."""
    position, greeted_with_comma = 0, False
    while (cue := _CUE.match(span_text, position)) is not None and cue.end() > position:
        position = cue.end()
        # "Hello, the order ...": after a greeting and a comma a sentence goes on, as in `_could_be_name`
        greeted_with_comma = cue.group("strong") is None and cue.group("english_strong") is None and bool(regex.search("[,،]", cue.group("gap")))
    while position < len(span_text) and span_text[position].isspace():
        position += 1
    word = _WORD.match(span_text, position)
    if word is None or word.group() in _SENTENCE_OPENERS or greeted_with_comma:
        return None
    return position, len(span_text)
