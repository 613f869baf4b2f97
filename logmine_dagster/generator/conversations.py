"""One chat session and the requests it makes: user text, optional tool round-trip, outcome, JSON line.

A request's `input` is the system prompt, every committed earlier turn of its session, and the new user
turn, which is how chat applications log each LLM call. The PII planted in any of those (and in the
output) is returned with the line, so the manifest lists every value the record holds.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import json
import random
import string
from dataclasses import dataclass, field
from typing import NamedTuple

from . import pii, vocab

# Compact, non-ASCII-preserving JSON: values then appear verbatim in the raw line. A pre-built encoder,
# because json.dumps with keyword arguments constructs a new encoder on every call.
encode_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
encode_string = json.encoder.encode_basestring  # the C function behind json for one str, non-ASCII kept

# --- rates (per request unless stated) ---------------------------------------------------------------
ERROR_RATE = 0.03
ERROR_TYPES = (("timeout", 0.30), ("rate_limit", 0.25), ("tool_error", 0.20), ("content_filter", 0.13),
               ("context_length_exceeded", 0.12))
CONFIDENCE_MISSING = 0.08  # some client versions do not log it
LOW_CONFIDENCE = 0.055  # share of logged confidences below 0.5
OPENING_PII = 0.30  # first user message carries an identity or detail sentence
FOLLOW_UP_PII = 0.45
TOOL_CALL = 0.16
TOOL_CALL_AFTER_LOOKUP = 0.05  # the bot seldom looks the customer up twice
ASK_FOR_HUMAN = 0.035
FEEDBACK_UP = 0.093
FEEDBACK_DOWN = 0.025
FEEDBACK_DOWN_WHEN_LOW_CONFIDENCE = 0.25
DRIFT_PRODUCT_SESSIONS = 0.065
DRIFT_INTENT_SESSIONS = 0.065
ADVERSARIAL_SESSIONS = 0.0095  # about 0.5% of requests: attack sessions are single-request
# (requests in a session, share): multi-turn sessions log one request per turn.
SESSION_LENGTHS = ((1, 0.45), (2, 0.30), (3, 0.15), (4, 0.10))


class Weighted:
    """A weighted choice by bisecting cumulative weights: cheaper than random.choices in a hot loop."""

    def __init__(self, pairs):
        pairs = tuple(pairs)
        self.values = [value for value, _ in pairs]
        self.cumulative = list(itertools.accumulate(weight for _, weight in pairs))

    def pick(self, rng: random.Random):
        return self.values[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


MODELS = Weighted(vocab.MODELS)
TENANTS = Weighted(((tenant, region), share) for tenant, region, share in vocab.TENANTS)
CHANNELS = Weighted(vocab.CHANNELS)
INTENTS = Weighted(vocab.INTENTS)
ERRORS = Weighted(ERROR_TYPES)
LENGTHS = Weighted(SESSION_LENGTHS)
DRIFT_PRODUCT_INTENTS = (
    "device_troubleshooting", "device_troubleshooting", "order_status", "general_question", "plan_change",
)

SYSTEM_MESSAGE_JSON = {
    model: encode_json({"role": "system", "content": prompt}) for model, prompt in vocab.SYSTEM_PROMPTS.items()
}


# --- templates ---------------------------------------------------------------------------------------

# A template is its text when it has no slots (most replies), else ((literal, slot name or None), ...).
Template = str | tuple


def compile_template(text: str) -> Template:
    pieces = tuple((literal, name) for literal, name, _, _ in string.Formatter().parse(text))
    if all(name is None for _, name in pieces):
        return text.replace("{{", "{").replace("}}", "}")
    return pieces


def _compile_all(texts) -> tuple[Template, ...]:
    return tuple(compile_template(text) for text in texts)


OPENINGS = {intent: _compile_all(texts) for intent, texts in vocab.OPENINGS.items()}
DRIFT_PRODUCT_OPENINGS = _compile_all(vocab.DRIFT_PRODUCT_OPENINGS)
PII_SENTENCES = _compile_all(vocab.PII_SENTENCES)
INTENT_PII_SENTENCES = {intent: _compile_all(texts) for intent, texts in vocab.INTENT_PII_SENTENCES.items()}
FOLLOW_UPS = _compile_all(vocab.FOLLOW_UPS)
HUMAN_REQUEST = compile_template("can I talk to a real person please")
EMAIL_SIGNATURES = _compile_all(vocab.EMAIL_SIGNATURES)
ANSWERS = {intent: _compile_all(texts) for intent, texts in vocab.ANSWERS.items()}
DRIFT_PRODUCT_ANSWERS = _compile_all(vocab.DRIFT_PRODUCT_ANSWERS)
GREETING_PREFIXES = _compile_all(vocab.GREETING_PREFIXES)


# --- sessions ----------------------------------------------------------------------------------------

@dataclass(slots=True, eq=False)  # identity equality: sessions are looked up in the open-session pool
class Session:
    session_id: str
    user_id: str
    model: str
    customer: pii.Customer
    intent: str
    product: str
    channel: str
    metadata_json: str
    requests_left: int
    drift: bool = False
    adversarial: bool = False
    name_known: bool = False
    looked_up: bool = False
    # The system message and committed turns, already JSON-encoded and comma-joined: every later
    # request repeats them verbatim, so they are encoded once.
    encoded_input: str = ""
    committed_turns: int = 0
    # PII in the committed turns: an ordered set, since several turns often repeat the same value.
    history_pii: dict[tuple[str, str], None] = field(default_factory=dict)


@functools.lru_cache(maxsize=4096)  # a few thousand combinations; encoding per session showed in profiles
def _metadata_json(intent: str, tenant: str, channel: str, product: str) -> str:
    return encode_json({"app": vocab.APP, "intent": intent, "tenant": tenant, "channel": channel, "product": product})


def _hex(rng: random.Random, digits: int) -> str:
    return f"{rng.getrandbits(digits * 4):0{digits}x}"


def new_session(rng: random.Random, drift_active: bool) -> Session:
    tenant, region = TENANTS.pick(rng)
    intent, product, drift = INTENTS.pick(rng), rng.choice(vocab.PRODUCTS), False
    adversarial = rng.random() < ADVERSARIAL_SESSIONS
    if adversarial:
        intent = "general_question"  # what the upstream intent classifier makes of an attack
    elif drift_active:
        roll = rng.random()
        if roll < DRIFT_PRODUCT_SESSIONS:
            product, intent, drift = vocab.DRIFT_PRODUCT, rng.choice(DRIFT_PRODUCT_INTENTS), True
        elif roll < DRIFT_PRODUCT_SESSIONS + DRIFT_INTENT_SESSIONS:
            intent, drift = vocab.DRIFT_INTENT, True
    channel = CHANNELS.pick(rng)
    model = MODELS.pick(rng)
    return Session(
        session_id="sess_" + _hex(rng, 16),
        user_id="u_" + _hex(rng, 12),
        model=model,
        customer=pii.Customer(rng, region),
        intent=intent,
        product=product,
        channel=channel,
        metadata_json=_metadata_json(intent, tenant, channel, product),
        requests_left=1 if adversarial else LENGTHS.pick(rng),
        encoded_input=SYSTEM_MESSAGE_JSON[model],
        drift=drift,
        adversarial=adversarial,
    )


# --- filling templates -------------------------------------------------------------------------------

class TextFiller:
    """Fills template slots for one request and remembers which PII values it planted."""

    __slots__ = ("rng", "session", "planted", "reveals_name")

    def __init__(self, rng: random.Random, session: Session):
        self.rng = rng
        self.session = session
        self.planted: list[tuple[str, str]] = []
        self.reveals_name = False

    def fill(self, template: Template) -> str:
        if isinstance(template, str):
            return template
        parts = []
        for literal, slot in template:
            parts.append(literal)
            if slot is not None:
                parts.append(self.slot(slot))
        return "".join(parts)

    def plant(self, kind: str, value: str) -> str:
        self.planted.append((kind, value))
        return value

    def slot(self, name: str) -> str:
        customer, rng = self.session.customer, self.rng
        if name == "name":
            self.reveals_name = True
            return self.plant(pii.PERSON, customer.typed_name())
        if name == "first":
            self.reveals_name = True
            return self.plant(pii.PERSON, customer.first)
        if name in _PII_SLOTS:
            kind, read = _PII_SLOTS[name]
            return self.plant(kind, read(customer))
        if name == "product":
            return self.session.product
        if name == "plan":
            product = self.session.product
            return product if product in _PLANS else rng.choice(vocab.PLANS)
        if name == "amount":
            return rng.choice(vocab.AMOUNTS[customer.region])
        return rng.choice(_FILLERS[name])


_PII_SLOTS = {
    "email": (pii.EMAIL, lambda c: c.email),
    "phone": (pii.PHONE, lambda c: c.phone),
    "address": (pii.ADDRESS, lambda c: c.address),
    "card": (pii.CARD, lambda c: c.card),
    "iban": (pii.IBAN, lambda c: c.iban),
    "ip": (pii.IP, lambda c: c.ip),
    "dob": (pii.DOB, lambda c: c.typed_birth_date()),
    "account": (pii.ACCOUNT, lambda c: c.account_id),
    "order": (pii.ACCOUNT, lambda c: c.order_id),
}
_FILLERS = {
    "other_plan": vocab.PLANS, "device": vocab.DEVICES, "duration": vocab.DURATIONS,
    "speed": vocab.SPEEDS, "country": vocab.COUNTRIES_TRAVEL,
}
_PLANS = frozenset(vocab.PLANS)


# --- user text ---------------------------------------------------------------------------------------

def _detail_sentence(filler: TextFiller) -> str:
    specific = INTENT_PII_SENTENCES.get(filler.session.intent)
    if specific and filler.rng.random() < 0.4:
        return filler.fill(filler.rng.choice(specific))
    return filler.fill(filler.rng.choice(PII_SENTENCES))


def _opening(filler: TextFiller) -> str:
    session, rng = filler.session, filler.rng
    templates = DRIFT_PRODUCT_OPENINGS if session.product == vocab.DRIFT_PRODUCT else OPENINGS[session.intent]
    text = filler.fill(rng.choice(templates))
    if rng.random() < OPENING_PII:
        text += (" " if text[-1] in ".?!" else rng.choice((". ", ", ", " - "))) + _detail_sentence(filler)
    if session.channel == "email":
        # E-mails are signed, so they nearly always carry the sender's name.
        text = rng.choice(vocab.EMAIL_GREETINGS) + text + filler.fill(rng.choice(EMAIL_SIGNATURES))
    return text


def user_message(filler: TextFiller) -> tuple[str, bool]:
    """The new user text, and whether the user asks for a human."""
    session, rng = filler.session, filler.rng
    if session.adversarial:
        return rng.choice(vocab.ADVERSARIAL_PROMPTS), False
    if not session.committed_turns:
        return _opening(filler), False
    roll = rng.random()
    if roll < ASK_FOR_HUMAN:
        return filler.fill(HUMAN_REQUEST), True
    if roll < ASK_FOR_HUMAN + FOLLOW_UP_PII:
        return _detail_sentence(filler), False
    return filler.fill(rng.choice(FOLLOW_UPS)), False


# --- tools -------------------------------------------------------------------------------------------

def _tool_call_id(rng: random.Random, model: str) -> str:
    if model.startswith("claude"):
        return "toolu_01" + _hex(rng, 22)
    return "call_" + _hex(rng, 24)


def _customer_profile(filler: TextFiller) -> dict:
    customer, session, rng = filler.session.customer, filler.session, filler.rng
    filler.reveals_name = True
    profile = {
        "customer_id": customer.crm_id,
        "name": filler.plant(pii.PERSON, customer.full_name),
        "email": filler.plant(pii.EMAIL, customer.email),
        "phone": filler.plant(pii.PHONE, customer.phone),
        "service_address": filler.plant(pii.ADDRESS, customer.address),
        "date_of_birth": filler.plant(pii.DOB, customer.birth_date.isoformat()),
        "account_id": filler.plant(pii.ACCOUNT, customer.account_id),
        "plan": session.product,
        "status": "active",
        "balance_due": customer.balance_due,
    }
    if customer.region != "US" and rng.random() < 0.6:
        profile["payment_method"] = {"type": "direct_debit", "iban": filler.plant(pii.IBAN, customer.iban)}
    else:
        profile["payment_method"] = {"type": "card", "number": filler.plant(pii.CARD, customer.card)}
    if rng.random() < 0.4:
        profile["last_login_ip"] = filler.plant(pii.IP, customer.ip)
    return profile


# A tool is (name, arguments maker, result maker); the result is only made when the call succeeds,
# so that a failed call plants no PII the record does not contain.

def _lookup_arguments(filler: TextFiller) -> dict:
    key = filler.rng.choice(("email", "email", "account_id", "phone"))
    kind = {"email": pii.EMAIL, "account_id": pii.ACCOUNT, "phone": pii.PHONE}[key]
    return {key: filler.plant(kind, getattr(filler.session.customer, key))}


def _order_arguments(filler: TextFiller) -> dict:
    return {"order_id": filler.plant(pii.ACCOUNT, filler.session.customer.order_id)}


def _order_status(filler: TextFiller) -> dict:
    customer, rng = filler.session.customer, filler.rng
    filler.reveals_name = True
    return {
        "order_id": customer.order_id,
        "status": rng.choice(("shipped", "processing", "delayed", "delivered")),
        "carrier": rng.choice(("UPS", "DHL", "Royal Mail", "FedEx", "PostNL")),
        "ship_to": {"name": filler.plant(pii.PERSON, customer.full_name),
                    "address": filler.plant(pii.ADDRESS, customer.address)},
        "contact_phone": filler.plant(pii.PHONE, customer.phone),
    }


def _outage_arguments(filler: TextFiller) -> dict:
    return {"address": filler.plant(pii.ADDRESS, filler.session.customer.address)}


def _outage_status(filler: TextFiller) -> dict:
    rng = filler.rng
    outage = rng.random() < 0.4
    return {"outage": outage, "eta": f"{rng.randrange(12, 23)}:00" if outage else None,
            "ticket": f"INC{rng.randrange(10 ** 6, 10 ** 7)}"}


LOOKUP_CUSTOMER = ("lookup_customer", _lookup_arguments, _customer_profile)
GET_ORDER_STATUS = ("get_order_status", _order_arguments, _order_status)
CHECK_OUTAGE = ("check_outage", _outage_arguments, _outage_status)
TOOL_FAILURE = {"error": "upstream_unavailable", "detail": "CRM request timed out after 10000 ms"}


def tool_round_trip(filler: TextFiller, failed: bool) -> list[dict]:
    """The assistant's tool call and the tool's answer, as the next LLM call sees them."""
    intent, rng = filler.session.intent, filler.rng
    if intent == "order_status":
        name, make_arguments, make_result = GET_ORDER_STATUS
    elif intent == "network_outage" and rng.random() < 0.6:
        name, make_arguments, make_result = CHECK_OUTAGE
    else:
        name, make_arguments, make_result = LOOKUP_CUSTOMER
    arguments = make_arguments(filler)
    result = TOOL_FAILURE if failed else make_result(filler)
    call_id = _tool_call_id(rng, filler.session.model)
    call = {"id": call_id, "type": "function", "function": {"name": name, "arguments": encode_json(arguments)}}
    return [
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": call_id, "content": encode_json(result)},
    ]


# --- outcome -----------------------------------------------------------------------------------------

class Request(NamedTuple):
    """One generated log line and what the summary and manifest need to know about it."""

    line: str
    request_id: str
    planted: list  # [(type, value)], unique, in order of first appearance
    error: bool
    low_confidence: bool
    escalated: bool
    feedback: str | None
    adversarial: bool
    drift: bool


def _confidence(rng: random.Random, session: Session) -> float | None:
    if rng.random() < CONFIDENCE_MISSING:
        return None
    if session.adversarial or rng.random() < LOW_CONFIDENCE:
        return round(0.12 + rng.random() * 0.37, 3)
    return round(0.5 + (1 - (rng.random() ** 2.5)) * 0.49, 3)  # most answers are confident


def _latency_ms(rng: random.Random, session: Session, error_type: str | None, used_tool: bool) -> int:
    if error_type == "timeout":
        return 30000 + rng.randrange(30000)
    if error_type in ("rate_limit", "context_length_exceeded"):
        return 20 + rng.randrange(400)
    base = 550 if session.model.startswith("gpt-4o-mini") else 1100
    latency = base * rng.lognormvariate(0.3, 0.45) + (900 if used_tool else 0)
    return int(latency)


def _answer(filler: TextFiller) -> str:
    session, rng = filler.session, filler.rng
    if session.product == vocab.DRIFT_PRODUCT:
        template = rng.choice(DRIFT_PRODUCT_ANSWERS)
    else:
        template = rng.choice(ANSWERS[session.intent])
    prefix = filler.fill(rng.choice(GREETING_PREFIXES)) if session.name_known else ""
    return prefix + filler.fill(template)


def _feedback(rng: random.Random, low_confidence: bool, error: bool) -> str | None:
    roll = rng.random()
    if low_confidence or error:
        return "down" if roll < FEEDBACK_DOWN_WHEN_LOW_CONFIDENCE else None
    if roll < FEEDBACK_DOWN:
        return "down"
    return "up" if roll < FEEDBACK_DOWN + FEEDBACK_UP else None


def _all_planted(session: Session, new: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Every distinct PII value of the request: the committed turns' and this turn's, in order."""
    if not new:
        return list(session.history_pii)
    return list(dict.fromkeys([*session.history_pii, *new]))


def _json_string(text: str | None) -> str:
    return "null" if text is None else encode_string(text)


def text_message_json(role: str, text: str) -> str:
    return f'{{"role":"{role}","content":{encode_string(text)}}}'


class Outcome(NamedTuple):
    error_type: str | None
    confidence: float | None
    escalated: bool
    output: str | None
    feedback: str | None
    latency_ms: int

    @property
    def low_confidence(self) -> bool:
        return self.confidence is not None and self.confidence < 0.5


def _outcome(filler: TextFiller, error_type: str | None, wants_human: bool, used_tool: bool) -> Outcome:
    session, rng = filler.session, filler.rng
    confidence = None if error_type else _confidence(rng, session)
    low_confidence = confidence is not None and confidence < 0.5
    escalated = not session.adversarial and error_type is None and (
        wants_human and rng.random() < 0.9 or low_confidence and rng.random() < 0.1 or rng.random() < 0.004)
    if error_type == "tool_error":
        output = vocab.TOOL_ERROR_ANSWER
    elif error_type:
        output = None
    elif session.adversarial:
        output = vocab.REFUSAL_ANSWER
    elif escalated:
        output = vocab.ESCALATION_ANSWER
    else:
        output = _answer(filler)
    feedback = _feedback(rng, low_confidence, error_type is not None)
    return Outcome(error_type, confidence, escalated, output, feedback,
                   _latency_ms(rng, session, error_type, used_tool))


def _line(session: Session, request_id: str, timestamp: str, turn_json: str, outcome: Outcome) -> str:
    # Written by hand rather than with json.dumps of one dict: the system prompt and the earlier turns
    # (2-5 KB) are spliced in already encoded, and re-encoding them for every request would dominate the
    # run time. Ids, timestamps and model names are hex or fixed ASCII: nothing there needs escaping.
    confidence = "" if outcome.confidence is None else f'"confidence":{outcome.confidence},'
    error_type = "null" if outcome.error_type is None else f'"{outcome.error_type}"'
    feedback = "null" if outcome.feedback is None else f'"{outcome.feedback}"'
    return (
        f'{{"request_id":"{request_id}","timestamp":"{timestamp}","session_id":"{session.session_id}",'
        f'"user_id":"{session.user_id}","model":"{session.model}","input":[{session.encoded_input},{turn_json}],'
        f'"output":{_json_string(outcome.output)},"status":"{"error" if outcome.error_type else "ok"}",'
        f'"error_type":{error_type},"latency_ms":{outcome.latency_ms},{confidence}'
        f'"escalated":{"true" if outcome.escalated else "false"},"feedback":{feedback},'
        f'"metadata":{session.metadata_json}}}'
    )


def _commit(session: Session, turn_json: str, outcome: Outcome, planted: list[tuple[str, str]]) -> None:
    """Add the turn to the session's history, as the chat client would once it got an answer."""
    session.encoded_input += "," + turn_json
    if outcome.output is not None:
        session.encoded_input += "," + text_message_json("assistant", outcome.output)
    session.history_pii.update(dict.fromkeys(planted))
    session.committed_turns += 1


def build_request(rng: random.Random, session: Session, request_id: str, timestamp: str) -> Request:
    """Make the session's next request; commit the turn to its history unless the call failed outright."""
    filler = TextFiller(rng, session)
    error_type = ERRORS.pick(rng) if rng.random() < ERROR_RATE else None
    if session.adversarial and error_type is None and rng.random() < 0.4:
        error_type = "content_filter"
    text, wants_human = user_message(filler)
    turn_json = text_message_json("user", text)
    tool_rate = TOOL_CALL_AFTER_LOOKUP if session.looked_up else TOOL_CALL
    used_tool = not session.adversarial and (error_type == "tool_error" or rng.random() < tool_rate)
    if used_tool:
        turn_json += "," + ",".join(encode_json(m) for m in tool_round_trip(filler, error_type == "tool_error"))
        session.looked_up = True
    if filler.reveals_name:
        session.name_known = True
    outcome = _outcome(filler, error_type, wants_human, used_tool)
    planted = _all_planted(session, filler.planted)
    line = _line(session, request_id, timestamp, turn_json, outcome)

    session.requests_left = 0 if outcome.escalated else session.requests_left - 1
    if error_type is None or error_type == "tool_error":
        _commit(session, turn_json, outcome, filler.planted)
    return Request(line, request_id, planted, error_type is not None, outcome.low_confidence, outcome.escalated,
                   outcome.feedback, session.adversarial, session.drift)
