"""Is a word English? The lexicon is the WordNet index that spaCy's English model ships for its
lemmatizer, plus the everyday words of apps and devices that WordNet (2006) predates; this module
reads that index from a loaded model, adds those and undoes regular endings. No spaCy or
Presidio import here."""

from __future__ import annotations

# Regular inflections, undone to find the lexicon's form: "Hobbits", "Pleasures", "talked".
_INFLECTIONS = (
    ("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"),
    ("ly", ""), ("er", ""), ("er", "e"), ("est", ""), ("’s", ""), ("'s", ""),
)
_MIN_STEM = 3

# Common words newer than WordNet 3.0: without them "Bluetooth won't pair" reads like a name.
MODERN_WORDS = frozenset("""
app apps api apis audiobook backend backorder bluetooth captcha cashback chargeback chatbot checkbox
config cryptocurrency dataplan dropdown earbuds ebook ecommerce emoji esim frontend geolocation
hashtag inbox iphone ipad livestream login logout lte mms offline payout pdf popup preorder promo
promocode screenshot selfie signup smarthome smartphone smartwatch sms telehealth telemedicine
tooltip touchpad trackpad unsubscribe username vlog webhook webinar weblink webshop wifi autopay
voicemail hotspot ethernet firmware broadband email online website internet
""".split())


def english_word(word: str, known_words: frozenset[str], lemma: str | None = None) -> bool:
    """Whether a word, its lemma, or the word with a regular ending taken off is in the lexicon."""
    lowered = word.lower()
    if lowered in known_words or (lemma is not None and lemma.lower() in known_words):
        return True
    return any(
        lowered.endswith(ending) and len(lowered) - len(ending) >= _MIN_STEM
        and lowered[: len(lowered) - len(ending)] + stem in known_words
        for ending, stem in _INFLECTIONS
    )


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
