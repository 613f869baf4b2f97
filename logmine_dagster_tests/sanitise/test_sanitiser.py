"""The sanitiser, with the real Presidio engines and the real spaCy model (loaded once per session)."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import traceback

import pytest

from logmine_dagster.ingest.records import parse_record
from logmine_dagster.sanitise.spans import Span, merge_overlapping

ALLOW_TERMS = ("Northwind", "Northwind Outfitters")


@pytest.fixture(scope="module")
def sanitiser():
    from logmine_dagster.sanitise.sanitiser import get_sanitiser

    return get_sanitiser(ALLOW_TERMS)


def _record(*messages: dict, output: str = "Happy to help.", metadata: dict | None = None) -> dict:
    return parse_record({
        "request_id": "req-1",
        "timestamp": "2025-03-04T10:15:00Z",
        "session_id": "sess-1",
        "user_id": "user-1",
        "model": "gpt-4o-mini",
        "input": [{"role": "system", "content": "You are the Northwind support assistant."}, *messages],
        "output": output,
        "status": "ok",
        "metadata": metadata or {},
    })


def _tool_call(arguments: dict | str) -> dict:
    arguments = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return {"role": "assistant", "content": None, "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "lookup_customer", "arguments": arguments}}]}


def _tool_result(content: dict) -> dict:
    return {"role": "tool", "tool_call_id": "call_1", "content": json.dumps(content)}


# Each value is PII of one type, written in a sentence where it is detectable.
PII_CASES = [
    ("Please email me at jane.doe@example.com today.", "jane.doe@example.com", "EMAIL_ADDRESS"),
    ("Call me on +44 20 7946 0958 tomorrow.", "+44 20 7946 0958", "PHONE_NUMBER"),
    ("My number is (555) 010-2345, thanks.", "(555) 010-2345", "PHONE_NUMBER"),
    ("Text 555.010.2345 when ready.", "555.010.2345", "PHONE_NUMBER"),
    ("My card 4111 1111 1111 1111 was declined.", "4111 1111 1111 1111", "CREDIT_CARD"),
    ("Refund to IBAN GB82 WEST 1234 5698 7654 32 please.", "GB82 WEST 1234 5698 7654 32", "IBAN_CODE"),
    ("Refund to DE89370400440532013000 please.", "DE89370400440532013000", "IBAN_CODE"),
    ("My SSN is 123-45-6789.", "123-45-6789", "US_SSN"),
    ("Login came from 203.0.113.42 last night.", "203.0.113.42", "IP_ADDRESS"),
    ("The router shows 2001:db8::8a2e:370:7334 as the address.", "2001:db8::8a2e:370:7334", "IP_ADDRESS"),
    ("Ship it to 1234 Oak Street, Springfield, IL 62704 please.", "1234 Oak Street, Springfield, IL 62704", "STREET_ADDRESS"),
    ("Ship it to 221B Baker Street, London NW1 6XE please.", "221B Baker Street, London NW1 6XE", "STREET_ADDRESS"),
    ("Ship it to Hauptstraße 12, 10115 Berlin please.", "Hauptstraße 12, 10115 Berlin", "STREET_ADDRESS"),
    ("For verification, DOB: 14/02/1987.", "14/02/1987", "DATE_OF_BIRTH"),
    ("I was born on March 3, 1990 in a small town.", "March 3, 1990", "DATE_OF_BIRTH"),
    ("Where is order ORD-58213?", "ORD-58213", "ACCOUNT_ID"),
    ("My account is ACC-99812.", "ACC-99812", "ACCOUNT_ID"),
    ("My account number 12345678 is locked.", "12345678", "ACCOUNT_ID"),
    ("I pasted sk-proj-abcdefghijklmnopqrstuvwx by mistake.", "sk-proj-abcdefghijklmnopqrstuvwx", "SECRET"),
    ("Our key AKIAIOSFODNN7EXAMPLE leaked.", "AKIAIOSFODNN7EXAMPLE", "SECRET"),
    ("Header was Authorization: Bearer abcdef1234567890xyz", "abcdef1234567890xyz", "SECRET"),
    ("I typed password=Hunter22! and it failed.", "Hunter22!", "SECRET"),
    ("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U expired",
     "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "SECRET"),
    ("Hi, my name is Zorblax Quennell and I need help.", "Zorblax Quennell", "PERSON"),
    ("Thanks for the help!\n\nBest regards,\nMarisol Etxeberria", "Marisol Etxeberria", "PERSON"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The account is under agnieszka tran, phone 555.010.2345.", "The account is under <PERSON>, phone <PHONE_NUMBER>."),
        ("this is haruto khan, email h.khan@example.com", "this is <PERSON>, email <EMAIL_ADDRESS>"),
        ("It's olivia here, I called last week.", "It's <PERSON> here, I called last week."),
        ("Name on the account is maría sørensen.", "Name on the account is <PERSON>."),
        ("Regards,\ndeclan boateng", "Regards,\n<PERSON>"),
        # the same cues before ordinary words
        ("this is account fraud.", "this is account fraud."),
        ("The plan is under review, it's under warranty.", "The plan is under review, it's under warranty."),
        ("My name is spelled wrong on the bill.", "My name is spelled wrong on the bill."),
        ("I'm Sorry, this is really bad.", "I'm Sorry, this is really bad."),
    ],
)
def test_names_typed_in_lower_case_after_a_cue(sanitiser, text, expected):
    assert sanitiser.sanitise_texts([text]) == [expected]


# -- each PII type, wherever it appears ------------------------------------------------------------


@pytest.mark.parametrize(("text", "value", "entity_type"), PII_CASES)
def test_pii_in_user_text_is_masked_with_its_type(sanitiser, text, value, entity_type):
    (masked,) = sanitiser.sanitise_texts([text])
    assert value not in masked
    assert f"<{entity_type}>" in masked


@pytest.mark.parametrize(("text", "value", "entity_type"), PII_CASES)
def test_pii_in_tool_arguments_and_results_is_masked(sanitiser, text, value, entity_type):
    record = _record(
        {"role": "user", "content": "Can you check something for me?"},
        _tool_call({"query": text}),
        _tool_result({"summary": text, "items": [{"note": text}]}),
    )
    result = sanitiser.sanitise_record(record).record
    arguments = result["input"][2]["tool_calls"][0]["function"]["arguments"]
    tool_content = result["input"][3]["content"]
    for masked in (arguments, tool_content):
        assert value not in masked
        assert f"<{entity_type}>" in masked
        json.loads(masked)  # still valid JSON


def test_pii_named_keys_are_masked_even_when_ner_would_not(sanitiser):
    record = _record(
        {"role": "user", "content": "Look me up please."},
        _tool_call({"name": "zxq blorf", "customer_email": "not really an email", "phone": 5550102345}),
        _tool_result({"first_name": "qux", "lastName": "vorp", "address": {"street": "nowhere lane", "zip": "00000"},
                      "dob": "yesterday", "card_number": "0000", "iban": "n/a", "password": "hunter2",
                      "api_key": "abc", "ip": "localhost", "account_id": "X", "product_name": "camping stove",
                      "items": [{"name": "two person tent", "sku": "T-1"}]}),
    )
    result = sanitiser.sanitise_record(record).record
    arguments = json.loads(result["input"][2]["tool_calls"][0]["function"]["arguments"])
    assert arguments == {"name": "<PERSON>", "customer_email": "<EMAIL_ADDRESS>", "phone": "<PHONE_NUMBER>"}
    content = json.loads(result["input"][3]["content"])
    assert content["first_name"] == content["lastName"] == "<PERSON>"
    assert content["address"] == "<STREET_ADDRESS>"
    assert content["dob"] == "<DATE_OF_BIRTH>"
    assert content["card_number"] == "<CREDIT_CARD>"
    assert content["iban"] == "<IBAN_CODE>"
    assert content["password"] == content["api_key"] == "<SECRET>"
    assert content["ip"] == "<IP_ADDRESS>"
    assert content["account_id"] == "<ACCOUNT_ID>"
    # keys that name things, not people, keep their values
    assert content["product_name"] == "camping stove"
    assert content["items"] == [{"name": "two person tent", "sku": "T-1"}]


def test_metadata_strings_are_sanitised_recursively(sanitiser):
    record = _record(
        {"role": "user", "content": "Hello"},
        metadata={"channel": "web", "customer_phone": "5550102345", "notes": ["call +44 20 7946 0958"],
                  "ticket": {"summary": "mail jane.doe@example.com"}},
    )
    metadata = sanitiser.sanitise_record(record).record["metadata"]
    assert metadata == {"channel": "web", "customer_phone": "<PHONE_NUMBER>", "notes": ["call <PHONE_NUMBER>"],
                        "ticket": {"summary": "mail <EMAIL_ADDRESS>"}}


def test_content_parts_error_type_and_unparsable_arguments_are_sanitised(sanitiser):
    record = _record(
        {"role": "user", "content": [{"type": "text", "text": "mail jane.doe@example.com"}, {"type": "image_url"}]},
        _tool_call('{"email": "jane.doe@example.com", broken'),
    )
    record["error_type"] = "Timeout calling +44 20 7946 0958"
    result = sanitiser.sanitise_record(record).record
    assert result["input"][1]["content"] == [{"type": "text", "text": "mail <EMAIL_ADDRESS>"}, {"type": "image_url"}]
    arguments = result["input"][2]["tool_calls"][0]["function"]["arguments"]
    assert "jane.doe" not in arguments and "<EMAIL_ADDRESS>" in arguments
    assert result["error_type"] == "Timeout calling <PHONE_NUMBER>"


# -- a value found once is masked everywhere ------------------------------------------------------


def test_a_value_found_once_is_masked_in_every_other_field(sanitiser):
    record = _record(
        {"role": "user", "content": "Is the order for zorblax quennell ready? Ask Quennell."},
        _tool_call({"query": "orders of Zorblax Quennell"}),
        _tool_result({"customer_name": "Zorblax Quennell", "contact": "reach them at Quennell HQ"}),
        output="ZORBLAX QUENNELL's order ships today.",
        metadata={"free_text": "Zorblax  Quennell called"},
    )
    result = sanitiser.sanitise_record(record)
    serialised = json.dumps(result.record)
    assert "orblax" not in serialised.lower()
    assert "Quennell" not in serialised  # the surname alone, as written, is masked too
    assert result.record["output"] == "<PERSON>'s order ships today."
    assert "Zorblax Quennell" in result.found_values


def test_counts_and_found_values(sanitiser):
    record = _record({"role": "user", "content": "I'm at jane.doe@example.com, or call (555) 010-2345."},
                     output="We will write to jane.doe@example.com.")
    result = sanitiser.sanitise_record(record)
    assert result.entity_counts["EMAIL_ADDRESS"] == 2
    assert result.entity_counts["PHONE_NUMBER"] == 1
    assert {"jane.doe@example.com", "(555) 010-2345"} <= result.found_values


def test_record_is_copied_and_ids_are_left_as_they_are(sanitiser):
    record = _record({"role": "user", "content": "mail jane.doe@example.com"})
    original = copy.deepcopy(record)
    result = sanitiser.sanitise_record(record).record
    assert record == original
    for name in ("request_id", "session_id", "user_id", "timestamp", "model", "status"):
        assert result[name] == record[name]


# -- clean output -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Email jane.doe@example.com now", "Email <EMAIL_ADDRESS> now"),  # a URL inside the email
        ("IBAN DE89 3704 0044 0532 0130 00 ok", "IBAN <IBAN_CODE> ok"),  # spaCy sees an ORG inside
        ("Ship to 221B Baker Street, London NW1 6XE.", "Ship to <STREET_ADDRESS>."),  # LOCATION inside
        ("DOB: 12/03/1985", "DOB: <DATE_OF_BIRTH>"),  # spaCy DATE on the same span
    ],
)
def test_overlapping_detections_give_one_clean_placeholder(sanitiser, text, expected):
    assert sanitiser.sanitise_texts([text]) == [expected]


def test_merge_takes_the_union_and_the_most_specific_type():
    text = "at 221B Baker Street now"
    spans = [Span(3, 20, "STREET_ADDRESS", 0.6), Span(8, 20, "ORGANIZATION", 0.85, by_model=True),
             Span(3, 7, "PHONE_NUMBER", 0.4)]
    assert merge_overlapping(text, spans) == [Span(3, 20, "STREET_ADDRESS", 0.6)]
    assert merge_overlapping("Ann Lee", [Span(0, 3, "PERSON", 0.85), Span(4, 7, "PERSON", 0.85)]) == [
        Span(0, 7, "PERSON", 0.85)]


def test_allow_listed_words_and_ordinary_text_survive(sanitiser):
    text = ("Thanks for contacting Northwind Outfitters support. The assistant runs on gpt-4o-mini and "
            "Claude. Refunds take 5 to 7 business days; returns are accepted within 30 days.")
    assert sanitiser.sanitise_texts([text]) == [text]


def test_allow_list_is_configurable():
    from logmine_dagster.sanitise.sanitiser import get_sanitiser

    text = "Please ask Zorblax Quennell about it."
    assert "Zorblax" not in get_sanitiser(ALLOW_TERMS).sanitise_texts([text])[0]
    assert get_sanitiser(("Zorblax", "Quennell")).sanitise_texts([text]) == [text]


def test_texts_longer_than_one_spacy_piece_are_sanitised_whole(sanitiser):
    filler = "The tent is waterproof and packs small. " * 700  # about 28k characters
    (masked,) = sanitiser.sanitise_texts([filler + "Reach me at jane.doe@example.com"])
    assert masked == filler + "Reach me at <EMAIL_ADDRESS>"


def test_a_batch_larger_than_the_cache_is_sanitised(sanitiser):
    from logmine_dagster.sanitise.engine import get_analyzer
    from logmine_dagster.sanitise.sanitiser import Sanitiser

    small = Sanitiser(get_analyzer(), cache_size=2)
    texts = [f"Order {n}: mail user{n}@example.com" for n in range(5)]
    assert small.sanitise_texts(texts + texts[:1]) == [f"Order {n}: mail <EMAIL_ADDRESS>" for n in [*range(5), 0]]


# -- errors and loading ----------------------------------------------------------------------------


class _FailingAnalyzer:
    """Fails the way a library might: with the text it was given in the message."""

    def __init__(self, real):
        self.nlp_engine = real.nlp_engine

    def analyze(self, text, **_):
        raise ValueError(f"cannot analyse {text!r}")


def test_errors_never_carry_record_text():
    from logmine_dagster.sanitise.engine import get_analyzer
    from logmine_dagster.sanitise.sanitiser import SanitiseError, Sanitiser

    failing = Sanitiser(_FailingAnalyzer(get_analyzer()))
    secret = "jane.doe@example.com"
    for call in (lambda: failing.sanitise_texts([f"mail {secret}"]),
                 lambda: failing.sanitise_record(_record({"role": "user", "content": f"mail {secret}"})),
                 lambda: failing.sanitise_record(_record({"role": "user", "content": f"mail {secret}"}),
                                                 pseudonym_key=b"k" * 32),
                 lambda: failing.sanitise_texts([f"mail {secret}", None])):
        with pytest.raises(SanitiseError) as caught:
            call()
        shown = "".join(traceback.format_exception(caught.value))
        assert secret not in shown
        assert caught.value.__cause__ is None and caught.value.__context__ is None


def test_importing_the_package_loads_neither_presidio_nor_spacy():
    code = (
        "import sys, logmine_dagster.sanitise.sanitiser, logmine_dagster.sanitise.residual;"
        "print(sorted(m for m in ('presidio_analyzer', 'spacy') if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"


def test_email_validation_stays_offline(sanitiser, capfd):
    from logmine_dagster.sanitise.engine import offline_tld_extractor

    assert offline_tld_extractor().suffix_list_urls == ()
    masked = sanitiser.sanitise_texts(["write to someone@mail.example.co.uk or jane@corp.internal"])
    assert masked == ["write to <EMAIL_ADDRESS> or <EMAIL_ADDRESS>"]
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err and "ConnectionError" not in captured.err


@pytest.mark.parametrize(
    ("key", "parent", "expected"),
    [
        ("customer_email", None, "EMAIL_ADDRESS"),
        ("customerEmail", None, "EMAIL_ADDRESS"),
        ("email_address", None, "EMAIL_ADDRESS"),
        ("ip_address", None, "IP_ADDRESS"),
        ("shipping_address", None, "STREET_ADDRESS"),
        ("full_name", None, "PERSON"),
        ("name", None, "PERSON"),
        ("name", "items", None),
        ("product_name", None, None),
        ("card_type", None, None),
        ("max_tokens", None, None),
        ("apiKey", None, "SECRET"),
        ("order_id", None, "ACCOUNT_ID"),
        ("date_of_birth", None, "DATE_OF_BIRTH"),
        ("query", None, None),
    ],
)
def test_pii_key_names(key, parent, expected):
    from logmine_dagster.sanitise.pii_keys import pii_type_for_key

    assert pii_type_for_key(key, parent) == expected


def test_a_single_english_word_found_as_a_name_spreads_only_as_written(sanitiser):
    # spaCy calls "Awarded Salesperson of the Month" a PERSON now and then: the word "salesperson"
    # elsewhere must stay, while a real name is masked in any case.
    known = sanitiser._spreading([("PERSON", "Salesperson"), ("PERSON", "Wojtaszek")])
    assert not known.holds("Salesperson") and "Salesperson" in known.name_parts
    assert known.holds("wojtaszek")
