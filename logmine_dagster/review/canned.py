"""Canned answers: the texts reviewers write again and again, one key each on the case page.

An answer fills the expected output (an accept) or the discard reason (a discard). The ones offered
depend on the case's category: an adversarial case's usual right answer is the standard refusal.
These are the defaults; an admin edits the list on the Guidelines page (canned_store.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Canned:
    label: str
    field: str  # "expected_output" or "reason"
    text: str
    categories: tuple[str, ...] = ()  # offered for these categories only (empty: every category)


STANDARD_REFUSAL = (
    "I can't help with that request. I can only help with questions about your account and our services. "
    "Is there something else I can do for you?"
)

CANNED = (
    Canned("Standard refusal", "expected_output", STANDARD_REFUSAL, ("adversarial",)),
    Canned("Escalate to a human", "expected_output",
           "I'm sorry, I can't resolve this here. I'm passing your request to a member of our support team, "
           "who will get back to you."),
    Canned("Ask for the missing detail", "expected_output",
           "To help with this I need a little more detail. Could you tell me which product or order this is about?"),
    Canned("Discard: duplicate", "reason", "Duplicate of a case already in the eval set."),
    Canned("Discard: not useful", "reason", "Nothing to learn from: the model answered correctly and the case is ordinary."),
    Canned("Discard: broken record", "reason", "The conversation is incomplete or garbled after sanitising."),
)


def canned_for(category: str, answers: tuple[Canned, ...] = CANNED) -> list[Canned]:
    """The answers offered on a case of this category, category-specific first; at most 9 (keys 1-9).
    `answers`: the list in force (canned_store.stored_canned; these defaults until an admin edits them)."""
    specific = [c for c in answers if category in c.categories]
    general = [c for c in answers if not c.categories]
    return (specific + general)[:9]
