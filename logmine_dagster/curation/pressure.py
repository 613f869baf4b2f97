"""Social-engineering pressure on a support agent's policy: `adversarial:pressure`.

Not an injection (no instruction to the model), but an attempt to talk the agent into breaking a
rule, which the trained model and the pattern families never see. Evidence, each read from one
message at a time:

- `adv:pressure:threat`: a user threatens (a bad review, going public, a lawyer, a chargeback,
  "unless you ...").
- `adv:pressure:flattery`: a user flatters the assistant ("you're clearly the smartest ...").
- `adv:pressure:false_claim`: a user invokes a promise or a rule nobody here made ("your colleague
  already promised", "I was told it would be free", "the website says ...") in a conversation
  where the assistant refused or the user asks for an exception, or the assistant says its record
  shows no such thing. A claim alone is an ordinary complaint ("I was told my bag would come
  today"), not pressure.
- `adv:pressure:repeated_demand`: the user asks for an exception in two or more messages.

One piece of evidence is enough. Limits: English phrasing only; a claim the record contradicts is
seen only when the assistant says so in words ("no record of that"), not by comparing the claim
with tool results.
"""

from __future__ import annotations

import re

from logmine_dagster.curation.adversarial import user_messages
from logmine_dagster.curation.conversation_signals import EXCEPTION_REQUEST, assistant_texts, refuses

_THREAT = re.compile(
    r"\b(?:I'll|I will|I'm going to|gonna|going to)\s+(?:\w+\s+){0,2}?(?:post|tweet|write|leave|report|sue|review|expose|"
    r"dispute|file|complain|take (?:this|you) to|contact (?:my|a) (?:lawyer|solicitor|bank)|go to the (?:press|media))\b"
    r"|\bunless you\b|\bor else\b|\b(?:bad|terrible|one-star|1-star) review\b|\bmy (?:lawyer|solicitor|attorney)\b"
    r"|\bchargeback\b|\bsocial media\b|\beverywhere\b.*\bunless\b",
    re.I,
)
_FLATTERY = re.compile(
    r"\byou(?:'re| are)\s+(?:clearly\s+|obviously\s+|so\s+|the\s+|by far the\s+)*(?:smart|smartest|clever|brilliant|best|"
    r"nicest|most helpful|amazing|wonderful|genius)\b|\bsomeone as (?:smart|capable|clever|helpful) as you\b"
    r"|\bI know you(?:'re| are)? (?:able|capable|can)\b|\ba (?:smart|clever|good) (?:assistant|bot|agent) like you\b",
    re.I,
)
_CLAIM = re.compile(
    r"\b(?:your|a|the|another|one of your)\s+(?:colleague|agent|rep|representative|manager|supervisor|staff|employee|"
    r"website|site|app|person on the phone|team)\s+(?:\w+\s+){0,3}?(?:already\s+)?(?:promised|told me|said|agreed|confirmed|"
    r"guaranteed|assured|approved|says)\b"
    r"|\bI (?:was|have been|got) (?:told|promised|assured|guaranteed)\b|\byou (?:already |just )?(?:promised|agreed|said you would)\b"
    r"|\b(?:always|definitely) (?:free|refundable|allowed)\b",
    re.I,
)
_CONTRADICTED = re.compile(
    r"\b(?:I|we) (?:have|see|find|can find|can see) no (?:record|note|trace|mention) of\b|\bno record of (?:that|any|such)\b"
    r"|\bthat(?:'s| is) not what (?:our|the|my) (?:records?|notes|system) (?:show|says?)\b",
    re.I,
)


def pressure_evidence(record: dict) -> list[str]:
    """`adv:pressure:<kind>` codes, in a fixed order."""
    if not record.get("input"):
        return []
    users = user_messages(record)
    assistants = assistant_texts(record)
    found = []
    if any(_THREAT.search(text) for text in users):
        found.append("adv:pressure:threat")
    if any(_FLATTERY.search(text) for text in users):
        found.append("adv:pressure:flattery")
    exception_asks = sum(1 for text in users if EXCEPTION_REQUEST.search(text))
    if any(_CLAIM.search(text) for text in users) and (
        exception_asks or any(refuses(text) or _CONTRADICTED.search(text) for text in assistants)
    ):
        found.append("adv:pressure:false_claim")
    if exception_asks >= 2:
        found.append("adv:pressure:repeated_demand")
    return found


def pressure_reasons(record: dict) -> list[str]:
    """`adversarial:pressure` and its evidence, or nothing."""
    evidence = pressure_evidence(record)
    return ["adversarial:pressure", *evidence] if evidence else []
