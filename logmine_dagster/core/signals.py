"""The signals that boost a record into the sample, and their default daily cap.

A vocabulary shared by sampling (ingest) and by the settings that tune it per signal, so it lives in
the kernel rather than in either of them.
"""

SIGNALS = ("error", "low_confidence", "escalated", "negative_feedback", "long_conversation")
DEFAULT_SIGNAL_CAP = 1000
