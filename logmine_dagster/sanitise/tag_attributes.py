"""The spaCy model's attribute ruler (tag -> part of speech, morphology, a few lemmas), matched
without spaCy's Matcher.

The ruler holds about 180 one-token rules (a tag, sometimes a lower-cased word) and a few spanning
two tokens. spaCy's Matcher tries every rule at every token, which cost a third of a second on the
shared corpus's 938 texts, as much as a fifth of the tagger's whole pipeline. A one-token rule's
outcome depends only on the token's tag, lower-cased text, is-space flag and dependency label, so
the rules that fire are worked out once per distinct such key and remembered; the multi-token and
any other rule keep the spaCy Matcher. The same rules fire, in the same order, with the same
attributes: only the time changes (`tests` compare every token's attributes with the original).
"""

from __future__ import annotations

import re

# The token attributes a one-token rule may test here; any other rule stays with the Matcher.
_KEY_ATTRS = ("TAG", "LOWER", "IS_SPACE", "DEP")
_CACHE_LIMIT = 200_000  # distinct (tag, word) pairs; cleared when full so memory stays bounded


def speed_up_attribute_ruler(ruler) -> None:
    """Replace the ruler's matching with `FastRuleMatch`, in place. Idempotent."""
    if not isinstance(getattr(ruler, "match", None), FastRuleMatch):
        ruler.match = FastRuleMatch(ruler)


class FastRuleMatch:
    """`AttributeRuler.match` for a ruler's current rules: the same (rule, id, start, end) list."""

    def __init__(self, ruler) -> None:
        from spacy.matcher import Matcher

        self._single: list[tuple[int, int, tuple]] = []
        self._rest = Matcher(ruler.vocab)
        for number, rule in enumerate(ruler.patterns):
            key = str(number)  # the ruler's own match id for this rule
            match_id = ruler.vocab.strings.add(key)
            patterns = rule["patterns"]
            if all(len(pattern) == 1 and set(pattern[0]) <= set(_KEY_ATTRS) and _supported(pattern[0]) for pattern in patterns):
                for pattern in patterns:
                    self._single.append((number, match_id, _compiled(pattern[0])))
            else:
                self._rest.add(key, patterns)
        self._vocab = ruler.vocab
        self._cache: dict[tuple, list[tuple[int, int]]] = {}
        # Most rules name one tag: a new word is tested against its own tag's rules only.
        self._by_tag: dict[str, list[tuple[int, int, tuple]]] = {}

    def __call__(self, doc) -> list[tuple[int, int, int, int]]:
        matches = []
        for i, token in enumerate(doc):
            key = (token.tag_, token.lower_, token.is_space, token.dep_)
            rules = self._cache.get(key)
            if rules is None:
                rules = self._rules_for(key)
            matches.extend((number, match_id, i, i + 1) for number, match_id in rules)
        if len(self._rest):
            strings = self._vocab.strings
            matches.extend(
                (int(strings[match_id]), match_id, start, end)
                for match_id, start, end in self._rest(doc, allow_missing=True, as_spans=False)
            )
        matches.sort()  # by rule number: later rules take precedence, as in AttributeRuler.match
        return matches

    def _rules_for(self, key: tuple) -> list[tuple[int, int]]:
        values = dict(zip(_KEY_ATTRS, key))
        candidates = self._by_tag.get(key[0])
        if candidates is None:
            candidates = self._by_tag[key[0]] = [
                (number, match_id, tuple(test for test in tests if test[0] != "TAG"))
                for number, match_id, tests in self._single
                if all(test(key[0]) for attr, test in tests if attr == "TAG")
            ]
        rules = [
            (number, match_id)
            for number, match_id, tests in candidates
            if all(test(values[attr]) for attr, test in tests)
        ]
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[key] = rules
        return rules


def _supported(pattern: dict) -> bool:
    """Whether every test of a one-token pattern is one `_compiled` reproduces exactly."""
    for value in pattern.values():
        if isinstance(value, dict):
            if not set(value) <= {"IN", "NOT_IN", "REGEX"}:
                return False
        elif not isinstance(value, (str, bool)):
            return False
    return True


def _compiled(pattern: dict) -> tuple:
    return tuple((attr, _test(value)) for attr, value in pattern.items())


def _test(value):
    if not isinstance(value, dict):
        return lambda actual, expected=value: actual == expected
    tests = []
    if "IN" in value:
        allowed = frozenset(value["IN"])
        tests.append(lambda actual: actual in allowed)
    if "NOT_IN" in value:
        refused = frozenset(value["NOT_IN"])
        tests.append(lambda actual: actual not in refused)
    if "REGEX" in value:
        regex = re.compile(value["REGEX"])
        tests.append(lambda actual: regex.search(actual) is not None)
    return lambda actual: all(test(actual) for test in tests)
