"""Where a name-shaped span is a misreading, told from the words around it, not from a list of brands.

1. *A thing, by what is said of it.* "Grafana keeps crashing", "our Zendesk widget": software crashes,
   freezes and times out, and a product name modifies the app, widget or dashboard after it. People do
   neither in a support chat ("crashed at my place", "is down with flu" and "was unresponsive" are
   left out: people do those). So a span is a thing when a machine predicate follows it, or when a
   determiner comes before it and a noun of software or devices after it. No brand list is needed, so
   the rule holds for tools newer than any list. A span whose first word is a gazetteer given name
   stays a name ("Amelia keeps crashing out" is rare, "Amelia's dashboard" has no determiner).
   A place (read as a place or a person, not as an organisation) naming an organisation's premises is
   no one's personal data either: "our Pune office", "the Leeds warehouse", "Acme's Derby branch" (a
   determiner or a possessive before it, a noun of business premises after it) say where a company
   works, not where a person lives.
2. *A script without capitals.* spaCy's English model tags words of Devanagari, Arabic or CJK text as
   proper nouns and reads a greeting and the word after it as a PERSON ("नमस्ते मुझे ..."). Its PERSON
   over text with no cased letter is cut past the greetings and cues that open it and dropped when
   what is left opens a sentence (`multilingual_names.name_after_cues`, which knows both): Presidio
   has already merged the cue recognizer's span for a real name ("مرحبا خالد ...") into the model's.

No spaCy or Presidio import here.
"""

from __future__ import annotations

import re

_MACHINE_PREDICATE = re.compile(
    r"\s+(?:(?:keeps?|kept|just|still|always|randomly|suddenly|constantly)\s+)*"
    r"(?:crash(?:es|ed|ing)?(?!\s+(?:at|on|with|into|in|here|there|over)\b)|freez(?:es|ing)|froze|hangs|hanging"
    r"|lag(?:s|ged|ging)(?!\s+behind)|reboot(?:s|ed|ing)?"
    r"|glitch(?:es|ed|ing)|time[sd]\s+out|timing\s+out|throws|threw"
    r"|(?:won['’]t|will\s+not|doesn['’]t|does\s+not|didn['’]t|did\s+not|can['’]t|cannot|fails?\s+to|failed\s+to)\s+"
    r"(?:load|sync|boot|launch|install|update|connect|render|open)"
    # (not "unresponsive", said of patients; not "down with", said of the flu)
    r"|(?:is|was|went|keeps\s+going)\s+(?:down(?!\s+with)|offline|blank|buggy))\b",
    re.IGNORECASE,
)
_DETERMINER_BEFORE = re.compile(r"\b(?:our|my|your|their|the|this|that|a|an)\s+$", re.IGNORECASE)
_THING_AFTER = re.compile(
    r"\s+(?:apps?|widgets?|dashboards?|plugins?|plug-ins?|integrations?|api|boards?|alerts?|instances?|servers?"
    r"|clusters?|subscriptions?|licen[cs]es?|workspaces?|bots?|extensions?|panels?|portals?|routers?|modems?"
    r"|devices?|updates?|exports?|imports?|reports?|pipelines?|deployments?|containers?|agents?|clients?|sdk"
    r"|cli|connectors?|webhooks?|tokens?|tiers?|plans?|bundles?|packages?|queries|query|sync|logins?"
    r"|notifications?|tickets?|tabs?|feeds?|firmware|software|console|database|db|queue|integration)\b",
    re.IGNORECASE,
)
# A possessive before the span ("Acme's", "the company's") owns it like a determiner does.
_OWNER_BEFORE = re.compile(r"(?:\b(?:our|my|your|their|the|this|that|a|an)|[^\W\d_]['’]s)\s+$", re.IGNORECASE)
_PREMISES_AFTER = re.compile(
    r"\s+(?:offices?|branch(?:es)?|warehouses?|stores?|shops?|depots?|hubs?|campus(?:es)?|headquarters|hq"
    r"|factory|factories|plants?|facility|facilities|sites?|sites|cent(?:er|re)s?|locations?|outlets?|showrooms?"
    r"|distribution\s+cent(?:er|re)|data\s*cent(?:er|re)s?|teams?|desks?|counters?)\b",
    re.IGNORECASE,
)
_FIRST_WORD = re.compile(r"[^\W\d_]+")
_LOOK_BEHIND = 12


def names_a_thing(text: str, start: int, end: int, given_names: frozenset[str]) -> bool:
    """The span text[start:end] names a product or tool by what the text says of it."""
    first = _FIRST_WORD.search(text, start, end)
    if first is None or first.group().lower() in given_names:
        return False
    if _MACHINE_PREDICATE.match(text, end):
        return True
    return _DETERMINER_BEFORE.search(text[max(0, start - _LOOK_BEHIND) : start]) is not None and _THING_AFTER.match(text, end) is not None


def names_premises(text: str, start: int, end: int, given_names: frozenset[str]) -> bool:
    """The span text[start:end], a place, says where an organisation works: "our Pune office". (Not for
    an organisation's own name: "the Acme store" still names the company.)"""
    first = _FIRST_WORD.search(text, start, end)
    if first is None or first.group().lower() in given_names:
        return False
    before = text[max(0, start - _LOOK_BEHIND - 8) : start]
    return _OWNER_BEFORE.search(before) is not None and _PREMISES_AFTER.match(text, end) is not None


def outside_the_models_script(span_text: str) -> bool:
    """No letter with a case in the span (Devanagari, Arabic, Hebrew, Thai, CJK): the English model
    finds names by their capitals, so its PERSON there is no evidence. In Cyrillic or Greek a capital
    still says what it says in English ("Меня зовут Светлана Орлова"), and the reading stands."""
    return not any(char.isupper() or char.islower() for char in span_text)
