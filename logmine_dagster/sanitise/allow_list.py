"""Words that stay readable whatever a recognizer says: roles, model families, field labels, and
the company and product names from configuration."""

from __future__ import annotations

import re
from typing import Iterable

# Words that are never PII in these logs: roles, model families, and the field labels and
# acronyms that spaCy likes to call a PERSON or ORG ("Email", "DOB", "IBAN"). Company and product
# names come from configuration.
DEFAULT_ALLOW_TERMS = (
    "system", "user", "assistant", "tool", "developer", "function", "bot", "agent", "customer",
    "human", "AI", "LLM", "GPT", "ChatGPT", "OpenAI", "Anthropic", "Claude", "Gemini", "Llama",
    "Mistral", "Email", "E-mail", "Phone", "Mobile", "Tel", "Address", "Website", "DOB", "IBAN",
    "SSN", "PIN", "OTP", "API", "URL", "ID", "Bearer", "JSON", "SMS", "FAQ", "PDF", "CSV", "VPN",
    "2FA", "OK", "N/A", "ASAP", "ATM", "FYI", "ETA", "TBD", "MRN", "NHS",
)
# A model family alone ("Claude") or with a version after a separator or digit ("gpt-4o",
# "llama3", "o1-mini"), never a longer word that starts like one: "Philippe" is not "phi".
MODEL_NAME = re.compile(
    r"(?i)(?:gpt|o\d|claude|gemini|llama|mistral|mixtral|command|phi|qwen|deepseek|text-embedding)"
    r"(?:[-.:_]?\d[\w.]*|[-.:_][\w.]+)?(?:[-.:_][\w.]+)*"
)


class AllowList:
    """The default terms, the configured ones, and any model name."""

    def __init__(self, allow_terms: Iterable[str] = ()) -> None:
        self._words = frozenset(word.casefold() for term in (*DEFAULT_ALLOW_TERMS, *allow_terms) for word in term.split())

    def allows(self, word: str) -> bool:
        bare = word.strip(".,;:!?'\"()[]{}")
        return bare.casefold() in self._words or MODEL_NAME.fullmatch(bare) is not None

    def trim(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        """Drop allow-listed words from both ends of a span; None when nothing else is left."""
        words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", text[start:end])]
        while words and self.allows(text[slice(*words[0])]):
            words.pop(0)
        while words and self.allows(text[slice(*words[-1])]):
            words.pop()
        return (words[0][0], words[-1][1]) if words else None
