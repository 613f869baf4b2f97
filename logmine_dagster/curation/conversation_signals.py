"""Edge-case signals that read the conversation itself, one message at a time (never the joined turns).

Production has a thumbs-down on few conversations and an `escalated` flag only when a handoff
happened, so the conversation has to say what went wrong:

- `edge:policy_refusal`: an assistant message (or the final reply) refuses or cites a rule against
  the request ("I can't change the passenger name", "per our policy ...", "no exception can be
  made", "non-refundable"). A policy quoted in the user's favour ("our policy allows one free
  change") is not a refusal.
- `edge:asks_exception`: a user message asks for an exception, a waiver, an override, goodwill.
- `edge:asks_human`: a user message asks for a person, an agent, a manager, a transfer.
- `edge:tool_failure`: a tool result of any turn reports an error, in any common shape: an
  `Error: ...` / `failed: ...` string, a JSON object with a non-empty `error`/`errors`/
  `error_message`/`exception` field, `success: false` / `ok: false`, an HTTP status 4xx/5xx in a
  `status`/`status_code`/`code` field or in the text ("HTTP 503", "404 Not Found"), a timeout or
  a traceback. `"error": null`, `"errors": []` and `status: 200` are not errors. A record is a
  conversation: a failure in an earlier turn is still part of what the reviewer reads.
- `edge:unresolved`: the final reply says the task is not done (could not complete, try again
  later, still pending, another team), or the conversation ends on a user message nobody answered.
- `edge:handoff`: the final reply hands the conversation to a person or another team (the
  `escalated` field is set only when the application records the handoff itself).
- `edge:repeated_request`: the user had to ask again: a user message that repeats an earlier one
  (most of its content words), or says so ("again", "as I said", "I already asked").

Limits: English only; regular expressions over phrasing, so a refusal worded in none of these
forms is missed (measured on benchmarks/data/support_set.jsonl, tuning and held-out thirds,
by benchmarks/bench_curation.py).
"""

from __future__ import annotations

import functools
import json
import re

from logmine_dagster.curation.adversarial import user_messages

_I = r"(?:I|we)(?:'m| am| are|'re)?"
REFUSAL = re.compile(
    r"\b" + _I + r"\s*(?:really\s+|simply\s+)?(?:can(?:no|')t|cannot|can not|won't be able to|am not able to|'m not able to|"
    r"are not able to|am unable to|'m unable to|not allowed to|not permitted to|have to decline|must decline|"
    r"don't have the ability to|'m not authori[sz]ed to)\b(?!\s+(?:wait|believe|thank|imagine|recommend|stress|emphasi[sz]e|see (?:any|a) (?:problem|issue|reason)))"
    r"|\b(?:isn't|aren't|is not|are not|not|never)\s+(?:allowed|permitted|eligible|refundable|changeable|transferable|"
    r"possible|something (?:I|we) can|offered|available|supported|an option)\b"
    r"|\bnon-?(?:refundable|transferable|changeable|exchangeable)\b"
    r"|\bno exceptions?\b|\bunable to (?:refund|cancel|change|modify|waive|offer|approve|accept)\b"
    r"|\b(?:per|under|according to|against|by|due to)\s+(?:our|the|company|airline(?:'s)?|store|your fare's|the fare's)\s+"
    r"(?:[\w']+\s+)?(?:policy|policies|rules|terms|conditions)\b"
    r"|\b(?:policy|rules|terms|conditions|fare rules)\s+(?:don't|do not|doesn't|does not|won't|will not)\s+(?:allow|permit|cover)\b"
    r"|\b(?:can(?:no|')t|cannot) be (?:modified|changed|refunded|cancel+ed|transferred|exchanged|returned|upgraded|waived)\b"
    r"|\bI'm afraid (?:that )?(?:isn't|is not|not|we|I|this|that)\b|\boutside (?:of )?(?:what|our|the)\b"
    r"|\b(?:only|just) (?:allows?|permits?)\b|\b(?:rules?|polic(?:y|ies)|terms) (?:still )?appl(?:y|ies)\b",
    re.I,
)
EXCEPTION_REQUEST = re.compile(
    r"\b(?:make|making|grant|allow)\s+(?:an?\s+|one\s+)?exception|\bexception\s+(?:for|this|just)|\bbend (?:the|your) rules?\b|"
    r"\bwaive\b|\bwaiver\b|\boverride\b|\bjust this (?:once|one time|time)\b|\bgoodwill\b|\bas a courtesy\b|\blet it slide\b|"
    r"\bspecial case\b|\bany way (?:around|to get around)\b|\bdo me a favou?r\b|\blet (?:it|this|me) (?:through|go|pass|slide)\b|"
    r"\bnothing (?:else )?you can do\b",
    re.I,
)
_HUMAN = re.compile(
    r"\b(?:talk|speak|chat)\s+(?:to|with)\s+(?:a|an|the|your|some|someone|somebody)?\s*(?:real|live|actual|human)?\s*"
    r"(?:human|person|agent|manager|supervisor|representative|rep|operator|someone|somebody|boss)\b"
    r"|\b(?:transfer|connect|put)\s+me\s+(?:to|through to|with)\s+(?:a|an|the|your|some)?\s*(?:real\s+|live\s+)?"
    r"(?:human|person|agent|manager|supervisor|representative|someone|somebody|operator|department|team|desk)\b|\b(?:real|actual|live)\s+(?:person|human|agent|representative)\b"
    r"|\bhuman (?:agent|being|support)\b|\bget me (?:a|an|your|the)\s+(?:manager|supervisor|human|agent|person)\b"
    r"|\b(?:escalate|escalation)\b|\bcall me back\b|\b(?:manager|supervisor)\b|\bnot (?:a|this|the|some) (?:bot|robot|machine)\b"
    r"|\b(?:deal|talk|speak|chat) (?:to|with) (?:a|an) (?:person|human)\b|\bwhere (?:someone|somebody|a person) (?:picks up|answers)\b",
    re.I,
)
_UNRESOLVED = re.compile(
    r"\b" + _I + r"?\s*(?:was|were|am|'m)?\s*(?:not able to|unable to|wasn't able to|weren't able to|couldn't|could not)\s+"
    r"(?:\w+\s+){0,2}?(?:complete|finish|process|find|locate|resolve|proceed|access|do|fix|go|reach|retrieve|load|finali[sz]e|confirm)\b"
    r"|\btry again (?:later|in a (?:bit|while|few))\b|\bstill (?:pending|open|unresolved|being (?:reviewed|processed))\b"
    r"|\b(?:contact|reach out to|call|write to)\s+(?:us|our|the|customer)\b.*\b(?:later|again|directly|form|team)\b"
    r"|\bthe system (?:isn't|is not|was not|wasn't) (?:responding|available|working)\b|\bcan't go any further\b"
    r"|\bno update yet\b|\b(?:needs?|will need|requires?) (?:a )?follow-?up\b|\bhaving (?:trouble|problems|issues|difficult(?:y|ies))\b"
    r"|\b(?:another|a different|the \w+) (?:department|team)\b|\bget back to you\b",
    re.I,
)
_HANDOFF = re.compile(
    r"\b(?:transfer(?:ring)? (?:you|your (?:request|case|call|chat))|hand(?:ing)? (?:this|you|it|your case) (?:over|off)|"
    r"escalat(?:ed|ing) (?:your|this|the)|someone will (?:contact|get back|call|reach out)|connect(?:ing)? you (?:to|with))",
    re.I,
)
_ASKED_AGAIN = re.compile(
    r"^\W*(?:again\b|as I (?:said|mentioned|wrote)|like I (?:said|told you|mentioned)|I (?:already|just) (?:asked|told|said|explained)|"
    r"(?:I'm )?asking (?:you )?(?:one more time|again)|for the (?:second|third|last|\d+(?:st|nd|rd|th)) time)|"
    r"\byou (?:didn't|did not|still haven't|haven't) (?:answer|respond|reply|address)|\bstill (?:waiting|no answer)\b",
    re.I,
)
_TEXT_ERROR = re.compile(
    r"^\W*(?:error|err|fail(?:ed|ure)?|exception|fatal|denied|forbidden|not found|invalid)\b"
    r"|\b(?:error|exception|failure|failed)\s*[:=\-\u2013]|\bHTTP(?:/\d(?:\.\d)?)?\s*[45]\d\d\b"
    r"|\b[45]\d\d\s+(?:not found|bad request|unauthori[sz]ed|forbidden|internal server error|service unavailable|"
    r"gateway time-?out|too many requests|conflict|bad gateway)\b"
    r"|\bnot[_ ]found\b|\b[A-Z]+_(?:ERROR|FAILED|FAILURE|DENIED|INVALID)\b|\btimed? ?out\b|\btraceback\b|\bdoes not exist\b|\bno such\b|\b(?:could not|couldn't|unable to) (?:be )?"
    r"(?:find|found|locate|complete|process|connect|retrieve)\b",
    re.I,
)
ERROR_HEAD_CHARS = 200
_ERROR_KEYS = frozenset({"error", "errors", "error_message", "error_code", "errormessage", "exception", "fault", "failure"})
_FLAG_KEYS = frozenset({"success", "ok", "succeeded"})
_STATUS_KEYS = frozenset({"status", "status_code", "statuscode", "http_status", "code", "http_code"})
_FAILED_STATUS = frozenset({"error", "failed", "failure", "fail", "not_found", "denied", "rejected", "timeout"})
_PLACEHOLDER = re.compile(r"<[A-Z][A-Z_]*(?:_\d+)?>")  # sanitised values: the same tag is not the same words
_CONTENT_WORD = re.compile(r"[a-z][a-z']{2,}")
_SMALL = frozenset("the and for you your can could would please about with this that what have has was are not just "
                   "again said told already asked one more time like still want need i'm it's".split())


def text_of(content) -> str:
    """A message's text: a string, or the text parts of a list of content parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(p.get("text", "") for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
    return ""


def assistant_texts(record: dict) -> list[str]:
    """Each assistant message of the input with text, then the final reply (`output`)."""
    texts = [text_of(m.get("content")) for m in record.get("input") or [] if isinstance(m, dict) and m.get("role") == "assistant"]
    if isinstance(record.get("output"), str):
        texts.append(record["output"])
    return [t for t in texts if t.strip()]


def tool_results(record: dict) -> list:
    """Every tool result's content, as stored (a string, usually JSON, or an object)."""
    return [m.get("content") for m in record.get("input") or [] if isinstance(m, dict) and m.get("role") in ("tool", "function")]


def tool_result_failed(content) -> bool:
    if isinstance(content, str):
        stripped = content.strip()
        if stripped[:1] in "{[":
            try:
                return _json_failed(json.loads(stripped))
            except ValueError:
                pass
        # Errors are short and say so first; a retrieved document that mentions "not found" further
        # down is content, not a failed call.
        return bool(_TEXT_ERROR.search(stripped[:ERROR_HEAD_CHARS]))
    if isinstance(content, list) and all(isinstance(p, dict) and "text" in p for p in content):
        return tool_result_failed(text_of(content))
    return _json_failed(content)


def _json_failed(value, depth: int = 0) -> bool:
    """An error field with something in it, a false success flag or a 4xx/5xx status, at any depth (to 4)."""
    if depth > 4:
        return False
    if isinstance(value, list):
        return any(_json_failed(item, depth + 1) for item in value[:50])
    if isinstance(value, str):
        return bool(_TEXT_ERROR.match(value.strip()))
    if not isinstance(value, dict):
        return False
    for key, item in value.items():
        name = str(key).lower()
        if name in _ERROR_KEYS and item not in (None, False, "", [], {}, 0):
            return True
        if name in _FLAG_KEYS and item is False:
            return True
        if name in _STATUS_KEYS and _failed_status(item):
            return True
        if isinstance(item, (dict, list)) and _json_failed(item, depth + 1):
            return True
    return False


def _failed_status(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 400 <= value <= 599
    if isinstance(value, str):
        lowered = value.strip().lower()
        return lowered in _FAILED_STATUS or bool(re.fullmatch(r"[45]\d\d", lowered))
    return False


def _content_words(text: str) -> set[str]:
    return {w for w in _CONTENT_WORD.findall(_PLACEHOLDER.sub(" ", text).lower()) if w not in _SMALL}


def repeated_request(messages: list[str]) -> bool:
    """A user message saying it asks again, or repeating most content words of an earlier one (4+ words)."""
    seen: list[set[str]] = []
    for message in messages:
        if seen and _ASKED_AGAIN.search(message):
            return True
        words = _content_words(message)
        if len(words) >= 3 and any(len(words & old) >= 0.6 * min(len(words), len(old)) and len(old) >= 3 for old in seen):
            return True
        seen.append(words)
    return False


def _final_reply(record: dict) -> str | None:
    """The final reply; else the input's last message when the assistant wrote it. None when a
    multi-turn conversation ends on a user message nobody answered; "" when it cannot be told
    (a tool result last, or a single question whose reply was not logged)."""
    if isinstance(record.get("output"), str) and record["output"].strip():
        return record["output"]
    messages = [m for m in record.get("input") or [] if isinstance(m, dict)]
    if not messages:
        return ""
    last = messages[-1]
    if last.get("role") == "assistant":
        return text_of(last.get("content"))
    answered_before = any(m.get("role") == "assistant" and text_of(m.get("content")).strip() for m in messages[:-1])
    return None if last.get("role") == "user" and answered_before else ""


@functools.lru_cache(maxsize=1 << 16)
def refuses(text: str) -> bool:
    """Cached per text: production repeats its canned replies."""
    return bool(REFUSAL.search(text))


@functools.lru_cache(maxsize=1 << 16)
def _final_reasons(final: str) -> tuple[str, ...]:
    return tuple(code for code, pattern in (("edge:unresolved", _UNRESOLVED), ("edge:handoff", _HANDOFF)) if pattern.search(final))


@functools.lru_cache(maxsize=1 << 16)
def _user_asks(text: str) -> tuple[bool, bool]:
    return bool(EXCEPTION_REQUEST.search(text)), bool(_HUMAN.search(text))


def conversation_reasons(record: dict) -> list[str]:
    """The reason codes above, in a fixed order, each evaluated message by message."""
    if not record.get("input"):
        return []
    reasons = []
    users = user_messages(record)
    if any(refuses(text) for text in assistant_texts(record)):
        reasons.append("edge:policy_refusal")
    asks = [_user_asks(text) for text in users]
    if any(exception for exception, _ in asks):
        reasons.append("edge:asks_exception")
    if any(human for _, human in asks):
        reasons.append("edge:asks_human")
    if any(tool_result_failed(content) for content in tool_results(record)):
        reasons.append("edge:tool_failure")
    final = _final_reply(record)
    if final is None and record.get("status") != "error":
        reasons.append("edge:unresolved")
    elif final:
        reasons.extend(_final_reasons(final))
    if repeated_request(users):
        reasons.append("edge:repeated_request")
    return reasons
