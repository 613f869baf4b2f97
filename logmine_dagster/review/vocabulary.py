"""The review domain's words: what a reviewer can decide, what a case can become, and the form's limits."""

import re

DECISIONS = ("accept", "discard")
# Written by the review app when a reviewer finds PII in the sanitised tier: the case is quarantined.
FLAG_PII = "flag_pii"
# Appended by an undo: the reviewer took back the decision their vote alone made, so the case is open again.
REOPENED = "reopened"
STATUSES = ("open", "disputed", "accepted", "discarded", "flagged")
PII_KINDS = ("person name", "email address", "phone number", "postal address", "account or id number", "payment card or bank", "other")
# What a reviewer fills in, in the app and in every file format (Label Studio maps its own controls).
DECISION_FIELDS = ("decision", "expected_output", "reason", "rubric_notes", "tags", "category_override")

MAX_EXPECTED = 20_000
MAX_TEXT = 4_000
MAX_TAGS = 10
TAG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
