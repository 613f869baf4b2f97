"""Edge signals read from the conversation's messages: refusals and policy citations, requests for
an exception or a person, tool errors in their common shapes, unresolved endings, handoffs and
repeated requests; each true and false, and never from the joined turns."""

from __future__ import annotations

import json

import pytest

from logmine_dagster.curation.categorise import categorise
from logmine_dagster.curation.conversation_signals import conversation_reasons, repeated_request, tool_result_failed
from logmine_dagster.ingest.records import user_text

BASE = {"status": "ok", "escalated": False, "feedback": None, "sample_reasons": "base_rate", "metadata": {}, "model": "m1"}


def _conversation(*turns, output: str | None = "Done, it's changed. Anything else?", tool=None) -> dict:
    messages = [{"role": "system", "content": "You help travellers with bookings."}]
    for role, text in turns:
        messages.append({"role": role, "content": text})
    if tool is not None:
        messages += [
            {"role": "assistant", "content": None, "tool_calls": [{"id": "t1", "type": "function", "function": {"name": "find_trip", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "t1", "content": tool if isinstance(tool, str) else json.dumps(tool)},
        ]
    return dict(BASE, input=messages, output=output)


HAPPY = _conversation(("user", "could I get a seat by the window on Friday's flight"), ("assistant", "Which booking is it?"),
                      ("user", "code <BOOKING_REF>"), tool={"seat": "14A", "error": None})


def test_a_happy_conversation_has_no_edge_signal():
    assert conversation_reasons(HAPPY) == []
    assert categorise(HAPPY, user_text(HAPPY)).category == "happy_path"


@pytest.mark.parametrize("reply", [
    "I'm sorry, but I cannot move a ticket to another traveller.",
    "Under the fare's rules, changes after departure aren't permitted.",
    "This ticket is non-refundable.",
    "I hear you, but no exception is possible here.",
    "That sits outside what we can offer for this ticket class.",
])
def test_refusals_and_policy_citations(reply):
    record = _conversation(("user", "please switch the name on my ticket to my brother"), output=reply)
    assert "edge:policy_refusal" in conversation_reasons(record)
    assert categorise(record, user_text(record)).category == "edge_case"


@pytest.mark.parametrize("reply", [
    "Our policy allows one free date change, so there was no charge. It's done.",
    "I can't wait for you to see the new lounge! Your seat is booked.",
    "I cannot see any issue on your account; the payment went through.",
    "Meals are available on this route, and your meal is added.",
])
def test_replies_that_are_not_refusals(reply):
    assert conversation_reasons(_conversation(("user", "please add a meal to my flight"), output=reply)) == []


def test_user_asks_for_an_exception_or_a_person():
    exception = _conversation(("user", "the fee is silly, could you waive it for me?"))
    assert conversation_reasons(exception) == ["edge:asks_exception"]
    person = _conversation(("user", "honestly I'd like to speak with a real person"))
    assert conversation_reasons(person) == ["edge:asks_human"]
    assert conversation_reasons(_conversation(("user", "is the exception list for liquids online somewhere?"))) == []


@pytest.mark.parametrize("result", [
    "Error: trip not found",
    "ERROR reservation locked by another session",
    {"error": "traveller does not exist"},
    {"error": {"code": "PAST_DATE", "message": "date already passed"}},
    {"errors": [{"message": "seat taken"}]},
    {"status": 404, "detail": "no such record"},
    {"status_code": "503"},
    {"response": {"statusCode": 409}},
    {"success": False, "reason": "flight full"},
    {"ok": False},
    "HTTP/1.1 500 Internal Server Error",
    "gateway returned 504 Gateway Timeout",
    "Request timed out after 20 s",
    "LOOKUP_FAILED",
    {"status": "failed"},
])
def test_tool_errors_in_every_common_shape(result):
    assert tool_result_failed(result if isinstance(result, str) else json.dumps(result))
    assert "edge:tool_failure" in conversation_reasons(_conversation(("user", "where is my trip?"), tool=result))


@pytest.mark.parametrize("result", [
    {"error": None, "errors": [], "status": 200}, {"success": True, "code": 200}, {"status": "confirmed"},
    "Seat 14A assigned.", {"items": [{"error_count": 0}]}, {"status_code": 201, "body": {"state": "ok"}},
])
def test_successful_tool_results(result):
    assert not tool_result_failed(json.dumps(result) if not isinstance(result, str) else result)


def test_a_retrieved_document_that_mentions_an_error_is_not_a_failed_call():
    document = "Baggage guide. " + "Checked bags up to 23 kg travel free on long-haul fares. " * 6 + "If a bag is not found at the carousel, report it."
    assert not tool_result_failed(document)


def test_unresolved_endings_and_handoffs():
    stuck = _conversation(("user", "refund my cancelled trip"), output="I couldn't finish the refund; please try again later.")
    assert conversation_reasons(stuck) == ["edge:unresolved"]
    unanswered = _conversation(("user", "refund my cancelled trip"), ("assistant", "One moment."), ("user", "hello??"), output=None)
    assert "edge:unresolved" in conversation_reasons(unanswered)
    handoff = _conversation(("user", "refund my cancelled trip"), output="I'm transferring your request to the refunds desk.")
    assert conversation_reasons(handoff) == ["edge:handoff"]


def test_repeated_requests():
    assert repeated_request(["can you change my return flight to Sunday", "code <BOOKING_REF>", "change the return flight to Sunday please"])
    assert repeated_request(["where is my parcel", "as I said, the parcel never came"])
    # A new question, or the same placeholder in two messages, is not asking again.
    assert not repeated_request(["change my address to <ADDRESS>", "ok and update my email to <EMAIL_ADDRESS>"])
    assert not repeated_request(["where is my parcel"])


def test_signals_read_each_message_not_the_joined_turns():
    # Joined with a newline, "transfer me to" and "an agent" of two messages would read as one request.
    split = _conversation(("user", "can you transfer me to"), ("user", "an agent-free booking flow, the app keeps failing"))
    assert "edge:asks_human" not in conversation_reasons(split)
    assert "edge:asks_human" in conversation_reasons(_conversation(("user", "can you transfer me to an agent")))
    assert conversation_reasons(_conversation(("user", "please transfer me to the later flight"))) == []
    # The refusal lives in the assistant's turn; the same words typed by the user are not a refusal.
    user_says = _conversation(("user", "I know I can't change the name, can I add a second traveller?"))
    assert "edge:policy_refusal" not in conversation_reasons(user_says)
