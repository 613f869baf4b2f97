"""Drift novelty on several views of a conversation's intent: a case is novel only when every view is.

Users reword, agents do not: whatever words ask to cancel a booking, the agent looks the booking
up, calls its cancel tool and says the booking is cancelled. So besides the user's opening request
(`request`, novelty.intent_text) each conversation has two views of what the agent did:

- `actions`: the tools it called with their argument keys, and the keys of the tools' JSON results
  (`get_reservation get_reservation__reservation_id result__status`), values ignored;
- `replies`: the words of the assistant's messages and final output, without the words that more
  than `GENERIC_SHARE` of the reference conversations use ("sorry", "help", "confirmed") and
  without template sentences (said after `TEMPLATE_TOOL_SETS` different tool sets: "anything
  else?", "could you give me the reference?"): a generic refusal or closer then has nothing left
  and cannot make a new topic look like an old one.

Each view is scored by its own novelty.NoveltyIndex (TF-IDF, document frequencies from the
reference) and mapped onto one scale by its own threshold (`THRESHOLDS`, tuned by
benchmarks/tune_intent_views.py on the tuning part of benchmarks/data/support_set.jsonl only):
`calibrated` puts each view's threshold at novelty.NOVEL_THRESHOLD. The combined score is the minimum over the views that have enough to say
(`MIN_VIEW_TOKENS`; a conversation without tools has no `actions` view), so a reworded repeat with
the agent doing the old thing scores low, while a new topic must be new in request, tools and reply.
Tools every task starts with (a lookup called alongside `GENERIC_COMPANIONS` other tools, or in
over `GENERIC_TOOL_SHARE` of the reference) are left out of `actions` the same way.

The agent's views may lower novelty only with evidence the case is an old task: not when the user's
request and the agent's replies share a word the reference never saw (`may_overrule`: a new
product name both sides talk about, as on the generator's traffic, where a question about a new
product was answered after an old task's lookup). On the support set's tuning part this cost one
reworded repeat of 75 (both sides used a word new to the reference); new topics there were never
overruled. The agent's views are scored only where the request is novel (`score`): the minimum
cannot raise novelty, and most conversations repeat a known request.

Limits: a new topic the agent handles exactly as an old one (same tools, same reply words) is not
drift; an old task handled with a new tool is judged by its other views (all must be novel); the
agent side is only as telling as the agent's tools: one generic `lookup` tool for everything gives
`actions` nothing to say (its words are then too common to count, see novelty's IDF weights).
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

from logmine_dagster.curation.adversarial import user_messages
from logmine_dagster.curation.near_duplicates import normalise
from logmine_dagster.curation.novelty import MIN_TOKENS, NOVEL_THRESHOLD, Novelty, NoveltyIndex, intent_text, tokens, words

VIEWS = ("request", "actions", "replies")
THRESHOLDS = {"request": NOVEL_THRESHOLD, "actions": 0.8, "replies": 0.15}
MIN_VIEW_TOKENS = {"request": 1, "actions": 1, "replies": 3}
GENERIC_SHARE = 0.1  # reply words used by more than this share of the reference conversations say nothing of the task
GENERIC_COMPANIONS = 5  # a tool called alongside this many different tools is a generic lookup, not the task's action
GENERIC_TOOL_SHARE = 0.2  # a tool in more than this share of the reference conversations is a generic lookup
TEMPLATE_TOOL_SETS = 5  # a reply sentence said after this many different tool sets is a template ("anything else?")
MIN_GENERIC_REFERENCE = 20  # below this many reference conversations, shares are too coarse to call a word generic


@dataclass(frozen=True)
class IntentViews:
    request: str
    actions: str
    replies: str

    def key(self) -> tuple[str, str, str]:
        return (self.request, self.actions, self.replies)


def views_of(record: dict) -> IntentViews:
    return IntentViews(intent_text(user_messages(record)), action_text(record), reply_text(record))


def action_text(record: dict) -> str:
    """Per tool call, one word each: `tool_<name>`, `<name>__<argument key>` and, from the tool's
    JSON result, `<name>__result__<key>`, in call order (values ignored)."""
    words: list[str] = []
    called: dict[str, str] = {}  # tool_call_id -> name, to tie a result to its call
    last = ""
    for message in record.get("input") or []:
        if not isinstance(message, dict):
            continue
        for call in message.get("tool_calls") or []:
            function = call.get("function") if isinstance(call, dict) else None
            if not isinstance(function, dict) or not isinstance(function.get("name"), str) or not _word(str(function["name"])):
                continue
            last = _word(str(function["name"]))
            called[str(call.get("id"))] = last
            words.append(f"tool_{last}")
            words.extend(f"{last}__{_word(str(key))}" for key in _keys(function.get("arguments")))
        if message.get("role") in ("tool", "function"):
            name = _word(str(message.get("name") or "")) or called.get(str(message.get("tool_call_id")), last)
            if name:
                words.extend(f"{name}__result__{_word(str(key))}" for key in _keys(message.get("content")))
    return " ".join(w for w in words if not w.endswith("_"))


def tool_of(word: str) -> str:
    """The tool an action word belongs to."""
    return word[5:] if word.startswith("tool_") else word.split("__", 1)[0]


def reply_text(record: dict) -> str:
    parts = [m["content"] for m in record.get("input") or []
             if isinstance(m, dict) and m.get("role") == "assistant" and isinstance(m.get("content"), str)]
    if isinstance(record.get("output"), str):
        parts.append(record["output"])
    return "\n".join(parts)


_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n")


def sentences(replies: str) -> list[str]:
    """The replies' sentences, normalised (near_duplicates.normalise), empty ones dropped."""
    return [s for s in (_normal_sentence(part) for part in _SENTENCE.split(replies)) if s]


@functools.lru_cache(maxsize=1 << 16)
def _normal_sentence(part: str) -> str:
    return normalise(part)  # agents repeat their sentences: most are normalised once


@functools.lru_cache(maxsize=1 << 16)
def _sentence_tokens(sentence: str) -> tuple[str, ...]:
    return tuple(tokens(sentence))  # agents repeat their sentences: most are tokenised once


def tool_set(actions: str) -> frozenset[str]:
    return frozenset(w[5:] for w in actions.split() if w.startswith("tool_"))


@functools.lru_cache(maxsize=1 << 14)
def _word(text: str) -> str:
    return _NOT_WORD.sub("_", text.lower()).strip("_")


_NOT_WORD = re.compile(r"[\W_]+")


def _keys(payload) -> list[str]:
    """Top-level keys of a JSON object given as a dict or a string; anything else has none."""
    if isinstance(payload, str):
        if not payload.lstrip().startswith("{"):
            return []
        try:
            payload = json.loads(payload)
        except ValueError:
            return []
    return [str(key) for key in payload] if isinstance(payload, dict) else []


def calibrated(score: float, threshold: float) -> float:
    """Piecewise-linear map of 0..1 onto 0..1 that sends `threshold` to NOVEL_THRESHOLD."""
    if score < threshold:
        return score * NOVEL_THRESHOLD / threshold if threshold > 0 else NOVEL_THRESHOLD
    return NOVEL_THRESHOLD + (score - threshold) * (1 - NOVEL_THRESHOLD) / max(1e-9, 1 - threshold)


class IntentIndex:
    """One NoveltyIndex per view of the reference conversations; `score` gives one Novelty per
    query conversation (its score the calibrated minimum over the views it has, its tokens and
    nearest those of its request)."""

    def __init__(self, reference: Sequence[IntentViews], thresholds: dict[str, float] | None = None):
        self.size = len(reference)
        self.thresholds = dict(THRESHOLDS, **(thresholds or {}))
        small = len(reference) < MIN_GENERIC_REFERENCE  # too few to tell generic from specific
        reply_sentences = [sentences(v.replies) for v in reference]
        self.templates = frozenset() if small else _templates(reference, reply_sentences)
        reply_tokens = [[w for s in said for w in _sentence_tokens(s)] for said in reply_sentences]
        self.generic = frozenset() if small else _generic_words(reply_tokens)
        self.generic_tools = frozenset() if small else _generic_tools([v.actions for v in reference])
        kept_replies = [self._kept(said) for said in reply_sentences]
        self._indexes = {
            "request": NoveltyIndex([v.request for v in reference]),
            "actions": NoveltyIndex([self._actions(v.actions) for v in reference]),
            "replies": NoveltyIndex([" ".join(words) for words in kept_replies], reference_tokens=kept_replies),
        }
        # Every word the reference's users or agents said, templates and generic words included.
        self.known = frozenset(self._indexes["request"].known_words()) | {w for said in reply_tokens for w in said}

    def _kept(self, said: list[str]) -> list[str]:
        """Reply words that can tell a task: template sentences and generic words left out."""
        return [w for s in said if s not in self.templates for w in _sentence_tokens(s) if w not in self.generic]

    def _actions(self, text: str) -> str:
        return " ".join(w for w in text.split() if tool_of(w) not in self.generic_tools)

    def _view_words(self, name: str, views: IntentViews) -> list[str]:
        if name == "replies":
            return self._kept(sentences(views.replies))
        if name == "actions":
            return words(self._actions(views.actions))
        return words(views.request)

    def may_overrule(self, queries: Sequence[IntentViews]) -> list[bool]:
        """False where the user's request and the agent's replies share a word the reference never
        saw (a new product name both sides talk about): the agent is then discussing something new,
        whatever tools it called, so its views may not make the case look familiar."""
        request_folder = self._indexes["request"].fold
        reply_folder = self._indexes["replies"].fold
        allowed = []
        for views in queries:
            asked = {request_folder(w) for w in tokens(views.request)} - self.known
            allowed.append(not asked or not asked & {reply_folder(w) for w in self._view_words("replies", views)})
        return allowed

    def view_scores(self, queries: Sequence[IntentViews]) -> dict[str, list[Novelty]]:
        """Every view of every query (what the tuning grid needs; `score` skips what cannot matter)."""
        return {name: index.score_words([self._view_words(name, v) for v in queries]) for name, index in self._indexes.items()}

    def score(self, queries: Sequence[IntentViews]) -> list[Novelty]:
        """The agent's views are scored only for queries whose request is novel: the minimum can
        only lower novelty, so for the rest they cannot change the decision (most of production
        repeats a known request, and skipping them is most of the scoring time). A query not
        novel by its request keeps the request's score: an upper bound of the combined one, which
        only ranks it among the other non-drift candidates of a review batch."""
        request = self._indexes["request"].score_words([words(v.request) for v in queries])
        open_ = [i for i, n in enumerate(request)
                 if n.tokens >= MIN_TOKENS and calibrated(n.score, self.thresholds["request"]) >= NOVEL_THRESHOLD]
        by_view: dict[str, list[Novelty | None]] = {"request": list(request)}
        for name in VIEWS[1:]:
            scored = self._indexes[name].score_words([self._view_words(name, queries[i]) for i in open_])
            by_view[name] = [None] * len(queries)
            for i, novelty in zip(open_, scored):
                by_view[name][i] = novelty
        return combine(by_view, self.thresholds, [True] * len(queries) if not open_ else self._allowed(queries, open_))

    def _allowed(self, queries: Sequence[IntentViews], positions: list[int]) -> list[bool]:
        allowed = [True] * len(queries)
        for i, ok in zip(positions, self.may_overrule([queries[i] for i in positions])):
            allowed[i] = ok
        return allowed


def combine(by_view: dict[str, list[Novelty | None]], thresholds: dict[str, float], may_overrule: Sequence[bool] | None = None) -> list[Novelty]:
    """Per query, the calibrated minimum over the views it has (None: not scored); the request's
    alone where `may_overrule` (IntentIndex.may_overrule) is False."""
    results = []
    for position, request in enumerate(by_view["request"]):
        agent = may_overrule is None or may_overrule[position]
        present = [(name, by_view[name][position]) for name in VIEWS if agent or name == "request"]
        scores = [calibrated(n.score, thresholds[name]) for name, n in present
                  if n is not None and n.tokens >= MIN_VIEW_TOKENS[name]]
        score = min(scores) if scores else 0.0
        results.append(Novelty(round(score, 4), request.tokens, request.nearest))
    return results


def _generic_tools(actions: Sequence[str]) -> frozenset[str]:
    """Tools called alongside `GENERIC_COMPANIONS` or more different tools (a lookup every task
    starts with), or in more than `GENERIC_TOOL_SHARE` of the reference conversations (an agent
    that calls one lookup, alone, whatever the request)."""
    companions: dict[str, set[str]] = {}
    calls: Counter = Counter()
    for text in actions:
        names = {w[5:] for w in text.split() if w.startswith("tool_")}
        calls.update(names)
        for name in names:
            companions.setdefault(name, set()).update(names - {name})
    return frozenset(name for name, others in companions.items()
                     if len(others) >= GENERIC_COMPANIONS or calls[name] > GENERIC_TOOL_SHARE * len(actions))


def _templates(reference: Sequence[IntentViews], reply_sentences: Sequence[list[str]]) -> frozenset[str]:
    """Reply sentences said after `TEMPLATE_TOOL_SETS` or more different tool sets: "done", "anything
    else?", "could you give me the reference?" follow any task, so they cannot make one look familiar."""
    seen: dict[str, set[frozenset[str]]] = {}
    for views, said in zip(reference, reply_sentences):
        tools = tool_set(views.actions)
        for sentence in set(said):
            seen.setdefault(sentence, set()).add(tools)
    return frozenset(sentence for sentence, sets in seen.items() if len(sets) >= TEMPLATE_TOOL_SETS)


def _generic_words(replies: Sequence[list[str]]) -> frozenset[str]:
    frequency: Counter = Counter()
    for words in replies:
        frequency.update(set(words))
    return frozenset(word for word, count in frequency.items() if count > GENERIC_SHARE * len(replies))


__all__ = ["IntentIndex", "IntentViews", "MIN_TOKENS", "THRESHOLDS", "VIEWS", "action_text", "reply_text", "views_of"]
