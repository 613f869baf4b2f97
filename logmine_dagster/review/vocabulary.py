"""The review domain's words: what a reviewer can decide, and what a case can become."""

DECISIONS = ("accept", "discard")
# Written by the review app when a reviewer finds PII in the sanitised tier: the case is quarantined.
FLAG_PII = "flag_pii"
