"""The residual-PII gate: strict regexes and known values, checked on its own and on sanitiser output."""

from __future__ import annotations

import copy
import json

import pytest

from logmine_dagster.ingest.records import parse_record
from logmine_dagster.sanitise.residual import Finding, known_values, scan_record, scan_text

ALLOW_TERMS = ("Northwind", "Northwind Outfitters", "Trailhead")

SYSTEM_PROMPT = (
    "You are the customer support assistant for Northwind Outfitters, an online shop for outdoor "
    "clothing and camping gear. Answer in a friendly, concise tone and never invent order details.\n"
    "Rules:\n"
    "1. Always look up an order with the lookup_order tool before you talk about its status.\n"
    "2. Refunds: items can be returned within 30 days of delivery if unused. Refunds go back to the "
    "original payment method within 5 to 7 business days. Offer store credit as an alternative.\n"
    "3. Never ask for a full card number, a password or a one-time code. If a customer shares one, "
    "tell them not to and continue without repeating it.\n"
    "4. Shipping: standard delivery takes 3 to 5 business days, express delivery 1 to 2 days. "
    "International orders can take up to 14 days and may be subject to customs fees.\n"
    "5. Escalate to a human agent when the customer asks for one, when a payment was charged "
    "twice, or when you are not confident in the answer.\n"
    "6. The Trailhead loyalty programme gives one point per dollar spent; 500 points are worth a "
    "$10 voucher. Points expire after 24 months without a purchase.\n"
    "7. Do not discuss competitors, do not give legal or medical advice, and keep answers under "
    "150 words unless the customer asks for detail.\n"
    "8. Product questions: use the search_catalog tool and quote sizes and materials exactly.\n"
    "Tools: lookup_order, search_catalog, update_address, reset_password, create_ticket.\n"
    "Sign off as the Northwind support assistant. Today is a weekday; the warehouse is open from "
    "8am to 6pm and orders placed before noon ship the same day."
)


def _call(call_id: str, name: str, arguments: dict) -> dict:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": json.dumps(arguments)}}


def _record(request_id: str, messages: list[dict], output: str, **extra) -> dict:
    record = {
        "request_id": request_id,
        "timestamp": "2025-03-04T10:15:00Z",
        "session_id": "sess-" + request_id,
        "user_id": "user-" + request_id,
        "model": "gpt-4o-mini",
        "input": [{"role": "system", "content": SYSTEM_PROMPT}, *messages],
        "output": output,
        "status": "ok",
        "latency_ms": 812,
        "confidence": 0.82,
        "metadata": {"channel": "web", "app_version": "2.4.1"},
    }
    record.update(extra)
    return record


def support_chat_records() -> list[dict]:
    """Realistic support chats: PII in user text, tool arguments, tool results, output, metadata."""
    return [
        _record(
            "r1",
            [
                {"role": "user", "content": "Hi, my name is Maria Gonzalez. Where is my order ORD-58213? "
                 "You can reach me at maria.gonzalez@example.com."},
                {"role": "assistant", "content": None, "tool_calls": [
                    _call("call_1", "lookup_order", {"order_id": "ORD-58213", "email": "maria.gonzalez@example.com"})]},
                {"role": "tool", "tool_call_id": "call_1", "content": json.dumps({
                    "order_id": "ORD-58213", "customer_name": "Maria Gonzalez",
                    "shipping_address": "1234 Oak Street, Springfield, IL 62704",
                    "status": "shipped", "carrier": "UPS", "eta_days": 2})},
            ],
            "Hi Maria, your order ORD-58213 has shipped with UPS and should arrive at 1234 Oak Street, "
            "Springfield, IL 62704 within 2 days. Thanks for shopping with Northwind Outfitters!",
            metadata={"channel": "web", "customer_email": "maria.gonzalez@example.com", "app_version": "2.4.1"},
        ),
        _record(
            "r2",
            [
                {"role": "user", "content": "My card 4111 1111 1111 1111 was charged twice for the same tent. "
                 "Please call me back on (555) 010-2345, I'm David Okafor."},
            ],
            "I'm sorry about the double charge, David. Please don't share full card numbers here. "
            "I've escalated this to a human agent who will call (555) 010-2345 today.",
            escalated=True,
        ),
        _record(
            "r3",
            [
                {"role": "user", "content": "I moved. New address: 221B Baker Street, London NW1 6XE. "
                 "Phone +44 20 7946 0958, DOB: 14/02/1987. Refund the jacket to my IBAN GB82 WEST 1234 5698 7654 32 please."},
                {"role": "assistant", "content": None, "tool_calls": [
                    _call("call_2", "update_address", {"account_id": "ACC-99812",
                                                       "address": "221B Baker Street, London NW1 6XE",
                                                       "phone": "+44 20 7946 0958"})]},
                {"role": "tool", "tool_call_id": "call_2", "content": json.dumps({"ok": True, "account_id": "ACC-99812"})},
            ],
            "Done! Your address is updated. Refunds go back to the original payment method, so I can't send it "
            "to a different bank account, but I can offer store credit instead.",
        ),
        _record(
            "r4",
            [
                {"role": "user", "content": [
                    {"type": "text", "text": "I can't log in. My account number is 12345678 and I tried "
                     "password=Hunter22! three times. This is Priya Raman from Leeds."}]},
                {"role": "assistant", "content": None, "tool_calls": [
                    _call("call_3", "reset_password", {"account_number": "12345678", "full_name": "Priya Raman"})]},
                {"role": "tool", "tool_call_id": "call_3", "content": [
                    {"type": "text", "text": json.dumps({"sent_to": "p.raman@example.org", "status": "sent"})}]},
            ],
            "I've sent a reset link to the email on file. Please don't share passwords in chat, Priya.",
        ),
        _record(
            "r5",
            [
                {"role": "user", "content": "Please ship the replacement to Hauptstraße 12, 10115 Berlin, "
                 "attention Jonas Weber. Order ORD-77120. I'm connecting from 203.0.113.42 if that helps."},
                {"role": "assistant", "content": None, "tool_calls": [
                    _call("call_4", "lookup_order", {"order_id": "ORD-77120"})]},
                {"role": "tool", "tool_call_id": "call_4", "content": json.dumps({
                    "order_id": "ORD-77120", "customer": {"first_name": "Jonas", "last_name": "Weber",
                    "phone": "+49 30 901820"}, "items": [{"sku": "TENT-2P", "name": "Trailhead 2P tent"}]})},
            ],
            "Thanks Jonas! I've arranged the replacement Trailhead 2P tent for ORD-77120 to Hauptstraße 12, 10115 Berlin.",
        ),
        _record(
            "r6",
            [
                {"role": "user", "content": "whats the warranty on the trailhead stove? also my friend zxq blorf "
                 "wants the same one"},
                {"role": "assistant", "content": None, "tool_calls": [
                    _call("call_5", "search_catalog", {"query": "trailhead stove warranty", "name": "zxq blorf"})]},
            ],
            "",
            status="error",
            error_type="RateLimitError",
        ),
    ]


# -- the battery on its own -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("write to jane.doe@example.com", "EMAIL_ADDRESS"),
        ("card 4111 1111 1111 1111 please", "CREDIT_CARD"),
        ("iban GB82 WEST 1234 5698 7654 32 and more", "IBAN_CODE"),
        ("iban DE89370400440532013000", "IBAN_CODE"),
        ("call +44 20 7946 0958", "PHONE_NUMBER"),
        ("call (555) 010-2345", "PHONE_NUMBER"),
        ("call 555.010.2345", "PHONE_NUMBER"),
        ("from 203.0.113.42.", "IP_ADDRESS"),
        ("from fe80::1ff:fe23:4567:890a", "IP_ADDRESS"),
        ("ssn 123-45-6789", "US_SSN"),
        ("DOB: 12/03/1985", "DATE_OF_BIRTH"),
        ("born on March 3, 1990", "DATE_OF_BIRTH"),
        ("account ACC-99812", "ACCOUNT_ID"),
        ("account number 12345678", "ACCOUNT_ID"),
        ("key sk-proj-abcdefghijklmnopqrstuvwx", "SECRET"),
        ("AKIAIOSFODNN7EXAMPLE", "SECRET"),
        ("password=Hunter22!", "SECRET"),
        ("Please ask Mrs O'Brien", "PERSON"),
        ("Dr Łukasiewicz will call", "PERSON"),
        ("ship it to 12 Oak Street today", "STREET_ADDRESS"),
        ("I moved to 4 Mill Lane", "STREET_ADDRESS"),
    ],
)
def test_battery_finds_each_kind(text, kind):
    assert kind in scan_text(text)


@pytest.mark.parametrize(
    "text",
    [
        "<PERSON> called <PHONE_NUMBER> about <EMAIL_ADDRESS> from <STREET_ADDRESS>",
        '{"password": "<SECRET>", "card": "<CREDIT_CARD>", "iban": "<IBAN_CODE>"}',
        "Version 2.3.4 shipped on 2024-01-15 at 10:30; total $1,299.00 for 3 items.",
        "Your order will arrive in 3 to 5 business days. Points expire after 24 months.",
        "card ending 1111, 4111 1111 1111 1112 fails Luhn, localhost is 127.0.0.1",
        "max_tokens=4096, token_count: 1234, std::vector, dead::beef, 12:30:45",
        "Thanks Maria, the tent is on its way!",
        "Hi, my name is <PERSON_3f9a>, ask Dr. <PERSON> at <STREET_ADDRESS>",
        "Hi, my name is Nova, your assistant. Mr <PERSON_3f9a> and Dr Customer",
        "It is 5 minutes down the road, on a 3 lane road.",
    ],
)
def test_battery_ignores_placeholders_and_ordinary_text(text):
    assert scan_text(text) == []



@pytest.mark.parametrize("filler", [0, 12_000])  # under and over the length the gate keeps a text's verdict for
def test_a_repeated_text_gets_the_same_verdict_every_time(filler):
    # The gate reads each distinct text once: a second record repeating it, and its raw values, are flagged alike.
    text = "x " * (filler // 2) + "mail jane.roe@example.com or call +44 20 7946 0958"
    record = {"request_id": "r", "output": text, "input": [{"role": "user", "content": text}]}
    for _ in range(2):
        assert scan_text(text) == ["EMAIL_ADDRESS", "PHONE_NUMBER"]
        assert {"jane.roe@example.com", "+44 20 7946 0958"} <= known_values(record)
        assert {f.kind for f in scan_record(record)} == {"EMAIL_ADDRESS", "PHONE_NUMBER"}
    assert scan_text(text.replace("jane.roe@example.com", "<EMAIL_ADDRESS>")) == ["PHONE_NUMBER"]


# -- known values -------------------------------------------------------------------------------


def _raw(index: int) -> dict:
    return parse_record(support_chat_records()[index])


def test_known_values_come_from_the_battery_and_pii_keys():
    known = known_values(_raw(0))
    assert {"maria.gonzalez@example.com", "ORD-58213", "Maria Gonzalez",
            "1234 Oak Street, Springfield, IL 62704"} <= known
    assert "shipped" not in known and "UPS" not in known  # values under keys that name no PII


def test_known_values_skip_short_values_and_function_names():
    record = _raw(5)
    record["input"].append({"role": "tool", "tool_call_id": "c", "content": json.dumps({"pin": "123", "name": "Al"})})
    known = known_values(record)
    assert "zxq blorf" in known
    assert "123" not in known and "Al" not in known
    assert "search_catalog" not in known  # tool_calls[].function.name is not a PII key of the payload


def test_planted_known_value_is_flagged_case_insensitively_but_not_inside_words():
    sanitised = {"request_id": "r", "output": "Ask MARIA GONZALEZ about it", "input": [{"role": "user", "content": "fine"}]}
    assert scan_record(sanitised, {"Maria Gonzalez"}) == [Finding("output", "KNOWN_VALUE")]
    sanitised["output"] = "Ask MariaGonzalezz about it"
    assert scan_record(sanitised, {"Maria Gonzalez"}) == []


def test_known_values_shorter_than_four_characters_are_ignored():
    sanitised = {"request_id": "r", "output": "Bob and Al went home", "input": []}
    assert scan_record(sanitised, {"Bob", "Al", " Al "}) == []


# -- scanning sanitised records -------------------------------------------------------------------


def _clean_record() -> dict:
    return {
        "request_id": "r", "timestamp": "2025-03-04T10:15:00Z", "user_id": "jane@example.com", "model": "gpt-4o",
        "status": "ok",
        "input": [
            {"role": "user", "content": "Hi, I'm <PERSON>, my email is <EMAIL_ADDRESS>."},
            {"role": "assistant", "content": None, "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "lookup_order",
                 "arguments": '{"email": "<EMAIL_ADDRESS>", "order_id": "<ACCOUNT_ID>"}'}}]},
        ],
        "output": "Thanks <PERSON>, your order ships tomorrow.",
        "metadata": {"channel": "web", "notes": ["called twice"]},
    }


def test_clean_record_has_no_findings():
    # user_id is the caller's to replace with a keyed hash: the gate does not read it
    assert scan_record(_clean_record()) == []


@pytest.mark.parametrize(
    ("path", "planted", "field", "kind"),
    [
        (("input", 0, "content"), "reach me at jane.doe@example.com", "input[0].content", "EMAIL_ADDRESS"),
        (("output",), "card 4111-1111-1111-1111", "output", "CREDIT_CARD"),
        (("metadata", "notes", 0), "call +44 20 7946 0958", "metadata.notes[0]", "PHONE_NUMBER"),
        (("input", 1, "tool_calls", 0, "function", "arguments"), '{"phone": "(555) 010-2345"}',
         "input[1].tool_calls[0].function.arguments", "PHONE_NUMBER"),
    ],
)
def test_planted_pii_is_flagged_with_its_field(path, planted, field, kind):
    record = _clean_record()
    container = record
    for step in path[:-1]:
        container = container[step]
    container[path[-1]] = planted
    assert scan_record(record) == [Finding(field, kind)]


def test_findings_hold_no_matched_text():
    record = _clean_record()
    record["metadata"] = {"jane.doe@example.com": "mail jane.doe@example.com"}
    findings = scan_record(record, {"jane.doe@example.com"})
    assert findings == [
        Finding("metadata.<key>", "EMAIL_ADDRESS"), Finding("metadata.<key>", "KNOWN_VALUE"),  # the key is scanned too
        Finding("metadata.*", "EMAIL_ADDRESS"), Finding("metadata.*", "KNOWN_VALUE"),
    ]
    assert all("jane" not in repr(finding) for finding in findings)


# -- the gate on sanitiser output -----------------------------------------------------------------


@pytest.fixture(scope="module")
def sanitiser():
    from logmine_dagster.sanitise.sanitiser import get_sanitiser

    return get_sanitiser(ALLOW_TERMS)


@pytest.mark.parametrize("index", range(len(support_chat_records())))
def test_gate_passes_sanitiser_output_of_support_chats(sanitiser, index):
    raw = _raw(index)
    result = sanitiser.sanitise_record(raw)
    assert scan_record(result.record, known_values(raw)) == []
    assert scan_record(result.record, result.found_values) == []


def test_gate_catches_a_value_the_sanitiser_missed(sanitiser):
    raw = _raw(0)
    result = sanitiser.sanitise_record(raw)
    leaked = copy.deepcopy(result.record)
    leaked["output"] += " (ref maria.gonzalez@example.com)"
    assert Finding("output", "EMAIL_ADDRESS") in scan_record(leaked, known_values(raw))
    leaked["output"] = result.record["output"] + " Say hi to Maria Gonzalez."
    assert scan_record(leaked, known_values(raw)) == [Finding("output", "KNOWN_VALUE")]


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("postgres://admin:S3cretPass@db.example.com", True),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx7yq3b9PmQ", True),
        ("sk_live_abcdefghijklmnop1234", True),
        ("postgres://<SECRET>@db.example.com", False),
        ("-----BEGIN PRIVATE KEY-----<SECRET>", False),
        ("https://example.com/a:b", False),
    ],
)
def test_the_gate_knows_the_new_secret_shapes(text, flagged):
    assert ("SECRET" in scan_text(text)) is flagged
