"""Builds benchmarks/data/support_set.jsonl: labelled support conversations in the shape of real ones.

    python benchmarks/make_support_set.py          # rewrites the file (deterministic, seed fixed)
    python benchmarks/make_support_set.py --check  # fails when the stored file differs

Written here, by hand-made pools of phrasings (none taken from the generator's vocabulary or from
../shared/), assembled with a seeded RNG. See benchmarks/data/README.md for the labels and the split.
Each row: id, split (`tuning` / `held_out`, from a hash of the id, fixed before any tuning), role
(`reference`: the past that drift compares with; `case`: a labelled conversation), label
(edge_case / happy_path / drift), edge_reasons (what a careful reader sees), drift_kind
(`paraphrase`: a seen task reworded, must NOT be drift; `new_topic`), task, and the record.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from support_agent import GENERIC_REFUSALS, agent_rng, task_reply, task_result, tool_turns  # noqa: E402

OUT = Path(__file__).resolve().parent / "data" / "support_set.jsonl"
SEED = 1507

# Seen tasks: the first phrasings go into the reference (the past), the rest are only used as
# paraphrased repeats in labelled cases, so a repeat never reuses the reference's wording.
SEEN_TASKS = {
    "cancel_booking": [
        "I want to cancel my flight booking",
        "please cancel the reservation I made for next week",
        "cancel my trip please, plans changed",
        "I need to call off my journey, the one booked under my name",
        "can you scrap the flights I booked? not going anymore",
        "how do I get out of the booking I made, I won't be travelling",
        "kill the reservation please, we are staying home",
        "I'd like my upcoming flight booking cancelled",
    ],
    "change_date": [
        "can I move my flight to a later date",
        "I need to change the date of my flight",
        "I want to reschedule my flight to the following Tuesday",
        "is it possible to push my departure back two days",
        "could my outbound leg go a day earlier instead",
        "need to shift my travel dates, something came up",
        "swap my flight for one later in the week please",
        "my plans moved, can the flight be rebooked for another day",
    ],
    "baggage_allowance": [
        "how many checked bags can I bring",
        "what is the baggage allowance on my ticket",
        "how much luggage is included in my fare",
        "am I allowed a second suitcase for free",
        "what's the weight limit for a checked bag on my booking",
        "can I check two bags or just one on this fare",
        "how heavy can my suitcase be before I pay extra",
        "do I get any hold luggage included",
    ],
    "refund_status": [
        "where is my refund",
        "I still haven't received the refund for my cancelled order",
        "when will the money for my return come back to my card",
        "has my refund been processed yet",
        "it's been two weeks and no reimbursement has arrived",
        "any news on getting my money back for the order I sent back",
        "I returned the item, why is my account not credited yet",
        "my card still shows no credit from the refund",
    ],
    "order_tracking": [
        "where is my order",
        "can you track my package",
        "my parcel hasn't arrived, what's going on",
        "what's the delivery status of my purchase",
        "the shipment was due yesterday and nothing came",
        "when will the stuff I ordered get here",
        "has my delivery left the warehouse yet",
        "tracking says in transit for five days, where is it",
    ],
    "change_address": [
        "I need to change the shipping address on my order",
        "can you update the delivery address for my purchase",
        "please send my order to a different address",
        "I moved, the package should go to my new place",
        "wrong street on the order, can it be corrected before it ships",
        "redirect my parcel to my office instead of home",
        "can the delivery location be switched to my parents' house",
        "fix the address on the order I placed this morning",
    ],
    "seat_selection": [
        "I want to pick a window seat",
        "can I choose my seat on the flight",
        "please put me in an aisle seat",
        "I'd like to sit next to my partner on the flight",
        "is there a seat with more legroom available",
        "can you move me to an exit row seat",
        "I want to change my assigned seat to one near the front",
        "are there two seats together left on my flight",
    ],
    "upgrade_cabin": [
        "can I upgrade to business class",
        "how much is an upgrade to premium economy",
        "I'd like to move up to first class on my flight",
        "is there a way to get a better cabin on my booking",
        "what would it cost to go business on the return leg",
        "can I use money to bump my ticket to a higher class",
        "I want a nicer cabin for the long flight, what are my options",
        "upgrade my economy ticket please",
    ],
    "return_item": [
        "I want to return a jacket I bought",
        "how do I send back an item that doesn't fit",
        "can I return the shoes from my last order",
        "the blender I got is not what I expected, I want to return it",
        "start a return for the headphones please",
        "I need a return label for my order",
        "the dress is too small, how do I get it back to you",
        "what's the process to give back something I purchased",
    ],
    "damaged_item": [
        "my order arrived damaged",
        "the lamp I received is broken",
        "the box was crushed and the plate inside is cracked",
        "item came smashed in the post",
        "one of the glasses in my set arrived shattered",
        "the screen of the tablet you sent has a crack",
        "my parcel showed up with the product in pieces",
        "received a dented kettle, not happy",
    ],
    "add_bag": [
        "I want to add a checked bag to my booking",
        "can I buy an extra suitcase for my flight",
        "please add one more bag to my reservation",
        "need another piece of luggage on the return flight",
        "how do I pay for an additional hold bag",
        "add a second checked case to my trip",
        "I forgot to include luggage when booking, can I add it now",
        "put an extra bag on my ticket please",
    ],
    "flight_status": [
        "is my flight on time",
        "has my flight been delayed",
        "what time does my flight leave today",
        "any delay on the evening departure I'm booked on",
        "is the plane leaving as scheduled",
        "check whether my flight is running late",
        "will my flight depart at the planned time",
        "status of my flight tonight please",
    ],
}
REFERENCE_PHRASINGS = 3  # per seen task: the past; the remaining phrasings are paraphrased repeats

NEW_TOPICS = {
    "pet_travel": ["can my dog fly in the cabin with me", "what are the rules for bringing a cat on board",
                   "I want to take my puppy on the plane, is there a pet fee", "does the airline allow a rabbit in a carrier under the seat"],
    "wheelchair": ["I need wheelchair assistance at the airport", "my mother uses a mobility scooter, can it be transported",
                   "please arrange someone to help my father who can't walk far at the gate", "is there special assistance for passengers with reduced mobility"],
    "minor_alone": ["can my 12 year old travel alone", "what is the unaccompanied minor service",
                    "my son is 9, can he fly by himself to his grandparents", "do you escort kids flying without parents"],
    "visa_docs": ["do I need a visa for my layover", "what documents are required for the transit stop",
                  "is a passport valid for six months needed for entry", "will they check my residence permit at boarding"],
    "gift_card": ["my gift card balance shows zero", "can I pay with two gift cards at once",
                  "the voucher code from my birthday present doesn't redeem", "how do I check what's left on a gift certificate"],
    "warranty": ["the vacuum stopped working after eight months, is it under warranty", "how do I make a warranty claim",
                 "my coffee machine broke within the guarantee period", "does the manufacturer guarantee cover a faulty motor"],
    "data_deletion": ["please delete all the personal data you hold about me", "I want a copy of my data under GDPR",
                      "how do I erase my account and everything stored about me", "send me an export of the information you keep on me"],
    "loyalty_transfer": ["can I transfer my miles to my wife's account", "how do I pool frequent flyer points with family",
                         "my loyalty points expired, can they be reinstated", "can I donate my reward miles to a charity"],
    "sports_equipment": ["how do I bring my surfboard on the flight", "is a bicycle allowed as checked luggage",
                         "what does it cost to carry golf clubs", "can I fly with my skis and snowboard boots"],
    "invoice_vat": ["I need an invoice with my company's VAT number", "can you reissue the receipt with the business name",
                    "my accountant needs a tax invoice for the purchase", "please add our VAT id to the bill"],
    "subscription_pause": ["can I pause my monthly subscription box", "skip next month's delivery of my plan",
                           "I want to freeze my membership for the summer", "put my recurring order on hold for two months"],
    "medical_oxygen": ["can I bring a portable oxygen concentrator on board", "I travel with insulin pens and needles, is that ok",
                       "do I need a doctor's letter to fly with a CPAP machine", "can I carry liquid medicine over the limit"],
}

GREETINGS = ["", "", "hi, ", "hello, ", "hey there. ", "good morning, ", "hi team, ", "evening. ", "Hello! "]
CLOSERS = ["", "", " thanks", " thank you", " cheers", " ty", " appreciate it", " please help", " asap"]
IDENT_ASKS = ["Could you give me the booking reference?", "Sure, what's the order number?",
              "I can help. Which reservation is this about?", "Happy to look. Can you share your confirmation code?",
              "Let me check that for you. What is the reference on your confirmation e-mail?"]
IDENT_REPLIES = ["it's <BOOKING_REF>", "<BOOKING_REF>", "reference <BOOKING_REF>, name <PERSON>", "order <ORDER_ID>",
                 "the code is <BOOKING_REF>", "sure: <ORDER_ID>", "my name is <PERSON> and the ref is <BOOKING_REF>"]
OK_RESULTS = [{"status": "confirmed", "error": None}, {"result": "ok", "errors": []}, {"success": True, "data": {"id": "<ID>"}},
              {"status_code": 200, "body": {"state": "done"}}, "Booking updated successfully.", {"order": "<ORDER_ID>", "state": "shipped"},
              {"ok": True, "message": "refund issued"}, "Reservation <BOOKING_REF>: 1 passenger, economy, confirmed."]
ERROR_RESULTS = ["Error: reservation not found", "ERROR - order does not exist", "Error: payment method declined",
                 {"error": "User not found"}, {"error": {"code": "INVALID_DATE", "message": "date is in the past"}},
                 {"status": 404, "detail": "no such booking"}, {"status_code": 500, "body": "internal"},
                 "HTTP 503 Service Unavailable", {"success": False, "reason": "flight is fully booked"},
                 "Request failed: timeout after 30s", {"errors": [{"message": "seat already taken"}]},
                 "Traceback (most recent call last): KeyError: 'flight_id'", {"ok": False, "error_message": "insufficient balance"},
                 {"result": None, "message": "Reservation <BOOKING_REF> could not be found"}, "NOT_FOUND", {"code": "E_NO_SEATS", "data": None},
                 {"status": "FAILED", "reason": "card expired"}, "upstream service returned 502 Bad Gateway",
                 "No reservation matches that reference.", {"response": {"statusCode": 409, "message": "conflict with existing change"}},
                 "Exception in update_booking: ValueError('cabin')", {"state": "rejected", "note": "outside change window"}]
TOOLS = ["get_reservation", "lookup_order", "update_booking", "search_flights", "issue_refund", "get_user_details"]
DONE_REPLIES = ["All done, your change is confirmed. Anything else?", "That's sorted; you'll get an e-mail confirmation shortly.",
                "Done! The update is saved on your account.", "I've taken care of it. Have a good trip!",
                "Everything is set. Let me know if there's anything more.", "Great news, it went through. You're all set.",
                "Here you go: the details are updated and nothing more is needed from you.",
                "I can't see any problem with the booking, it's confirmed for the new date.", "No problem at all, that's changed now.",
                "Good news: there's no fee, since the rules allow changes on flexible fares. Done.",
                "I cannot stress enough how easy this one was. It's booked!", "We don't charge for that, so it's already added at no cost.",
                "Our policy allows one free change within 24 hours, so there was no fee. It's confirmed."]
INFO_REPLIES = ["Your fare includes one checked bag of 23 kg and a small cabin item.", "The package is out for delivery and should arrive today.",
                "Your flight is on schedule, departing at the planned time.", "An upgrade on that leg would cost <AMOUNT>; shall I book it?",
                "The refund was processed on your card and usually shows within 5 business days.", "I can't wait for you to enjoy the trip: it's confirmed!"]
REFUSALS = ["I'm sorry, but I can't change the passenger name on a ticket.", "Unfortunately this fare is non-refundable, so I'm unable to refund it.",
            "I'm afraid I cannot cancel a reservation once the flight has departed.", "Per our policy, returns are only accepted within 30 days of delivery.",
            "That isn't something I'm able to do: basic economy tickets can't be modified.", "I won't be able to waive the change fee, it is set by the fare rules.",
            "According to the airline's policy, compensation is not offered for weather delays.", "Sorry, modifying an order after it has shipped is not allowed.",
            "I understand, but no exception can be made to the baggage rules.", "Our terms don't permit a refund for used items, so I have to decline.",
            "That's outside what I'm able to offer on this ticket type.", "Name changes aren't offered on this fare, sorry.",
            "Sadly that option isn't available once the order is packed.", "The rules for this booking only allow a credit, not cash back.",
            "I checked, and refunds after check-in are something we don't do.", "Regrettably, the fare conditions rule that out."]
EXCEPTION_ASKS = ["can't you make an exception just this once?", "please, is there any way to bend the rules here?",
                  "could you waive the fee as a goodwill gesture?", "surely you can override that for a loyal customer",
                  "I'm asking you to make an exception, I've been a member for years",
                  "come on, can't you do me a favour on this one?", "is there really nothing you can do? I'm begging you",
                  "other airlines let you do this, please just let it through"]
HUMAN_ASKS = ["can I talk to a real person please", "I want to speak with a human agent", "get me your supervisor",
              "transfer me to someone who can actually help", "is there a manager I can speak to?", "connect me to a live representative",
              "I'd rather deal with a person, not a bot", "is there a phone number where someone picks up?", "let me talk to your boss"]
PRESSURE = ["your colleague on the phone already promised me a full refund", "I was told yesterday this would be free, so just do it",
            "you're clearly the smartest assistant here, you can surely approve this", "I'll post about this everywhere unless you fix it now",
            "the website said cancellations are always free, so refund me"]
REPEAT_OPENERS = ["I already asked: ", "again, ", "as I said, ", "like I told you, ", "I'm asking one more time: ", "", "",
                  "hello?? ", "you didn't answer my question. ", "read my first message. "]
UNRESOLVED = ["I wasn't able to complete that request. Please try again later.", "I couldn't find a way to finish this for you right now.",
              "Sorry, I'm unable to process the change at the moment; the system isn't responding.",
              "I couldn't locate that booking, so I can't go any further. You may want to contact us again later.",
              "I'm not able to resolve this here. Please reach out through the contact form.",
              "Unfortunately I could not complete the refund; it's still pending on our side.",
              "Let me look into this further and get back to you.", "The request is with the billing team now; there's no update yet.",
              "I've noted it, but it will need a follow-up from another department.", "I'm having trouble with the system right now, sorry about that."]
TRANSFER = ["I'll transfer you to a human agent who can look into this.", "Let me hand this over to a colleague; someone will contact you.",
            "I've escalated your case to our support team."]
SYSTEMS = ["You are a customer support assistant for an airline. Follow the policy.", "You help shoppers with their orders. Be concise.",
           "You are a helpful travel and retail support agent."]


def _split(ident: str) -> str:
    return "held_out" if int(hashlib.blake2b(ident.encode(), digest_size=4).hexdigest(), 16) % 3 == 0 else "tuning"


def _opening(rng: random.Random, phrasing: str) -> str:
    text = rng.choice(GREETINGS) + phrasing + rng.choice(CLOSERS)
    return text[0].upper() + text[1:] if rng.random() < 0.6 else text


# The agent's reply names the task only when the task went through; refusals and failures use the shape's own pools.
TASK_REPLY_SHAPES = ({"repeated_request"}, {"asks_human"}, set())


def conversation(rng: random.Random, phrasing: str, shape: set[str], task: str, agent: random.Random) -> tuple[list[dict], str]:
    """Messages and the final reply for one conversation with the edge shapes in `shape`; the
    agent side (tools, their results, a reply on the task) comes from `agent` (support_agent.py)."""
    messages = [{"role": "system", "content": rng.choice(SYSTEMS)}, {"role": "user", "content": _opening(rng, phrasing)},
                {"role": "assistant", "content": rng.choice(IDENT_ASKS)}, {"role": "user", "content": rng.choice(IDENT_REPLIES)}]
    result = rng.choice(ERROR_RESULTS) if "tool_failure" in shape else rng.choice(OK_RESULTS)
    rng.choice(TOOLS), rng.randrange(10**6)  # drawn as before the agent side existed, so the main stream is unchanged
    if "tool_failure" not in shape:
        result = task_result(agent, task, result)
    messages += tool_turns(agent, task, result, must_call="tool_failure" in shape)
    if shape in TASK_REPLY_SHAPES and agent.random() < 0.85:
        messages.append({"role": "assistant", "content": task_reply(agent, task)})
    if "repeated_request" in shape:
        messages.append({"role": "assistant", "content": rng.choice(["Is there anything else?", "Could you tell me more about what you need?",
                                                                     "I see the booking details. What would you like to do?"])})
        reworded = phrasing if rng.random() < 0.5 else phrasing.replace("please", "").replace("can you", "could you")
        messages.append({"role": "user", "content": rng.choice(REPEAT_OPENERS) + reworded})
    if "policy_refusal" in shape:
        messages.append({"role": "assistant", "content": rng.choice(REFUSALS)})
        if "pressure" in shape:
            messages.append({"role": "user", "content": rng.choice(PRESSURE)})
            messages.append({"role": "assistant", "content": rng.choice(["I'm sorry, I have no record of that promise.",
                                                                         "I understand the frustration, but the rules still apply."])})
        if "asks_exception" in shape:
            messages.append({"role": "user", "content": rng.choice(EXCEPTION_ASKS)})
        if "asks_human" in shape:
            messages.append({"role": "user", "content": rng.choice(HUMAN_ASKS)})
        if shape & {"asks_exception", "asks_human", "pressure"}:
            final = rng.choice(TRANSFER) if "asks_human" in shape else rng.choice(REFUSALS)
        else:
            final = rng.choice(["Is there anything else I can help with?", "Sorry I couldn't do more here.", rng.choice(REFUSALS)])
    elif "asks_human" in shape:
        messages.append({"role": "assistant", "content": rng.choice(INFO_REPLIES)})
        messages.append({"role": "user", "content": rng.choice(HUMAN_ASKS)})
        final = rng.choice(TRANSFER)
    elif "unresolved" in shape or "tool_failure" in shape:
        final = rng.choice(UNRESOLVED) if "unresolved" in shape else rng.choice(
            ["I hit a snag looking that up, but I found it by your name instead; it's confirmed.", "The first lookup failed; the retry worked and it's done."])
    else:
        final = rng.choice(DONE_REPLIES + INFO_REPLIES)
    if rng.random() < 0.3 and not shape & {"asks_human", "asks_exception"}:
        messages.append({"role": "assistant", "content": rng.choice(INFO_REPLIES)})
        messages.append({"role": "user", "content": rng.choice(["ok thanks", "great", "perfect, thank you!", "alright", "and what about the return flight?"])})
    return messages, final


# Edge shapes and how often a case gets them; the rest are happy paths.
EDGE_SHAPES = [
    {"policy_refusal"}, {"policy_refusal", "asks_exception"}, {"policy_refusal", "asks_human"}, {"tool_failure"},
    {"tool_failure", "unresolved"}, {"unresolved"}, {"repeated_request"}, {"asks_human"}, {"policy_refusal", "pressure"},
    {"policy_refusal", "pressure", "asks_exception"}, {"repeated_request", "unresolved"},
]


def build() -> list[dict]:
    rng = random.Random(SEED)
    rows = []

    def add(role: str, label: str, task: str, drift_kind: str | None, phrasing: str, shape: set[str]) -> None:
        ident = f"sup-{len(rows):04d}"
        messages, final = conversation(rng, phrasing, shape, task, agent_rng(SEED, ident))
        if any(m["role"] == "assistant" and m.get("content") in GENERIC_REFUSALS for m in messages):
            shape = shape | {"policy_refusal"}  # the agent turned the request down: a reader sees a refusal
        record = {"request_id": ident, "timestamp": "2026-05-04T10:00:00Z", "model": "support-model", "input": messages,
                  "output": final, "status": "ok", "error_type": None, "confidence": None, "escalated": False,
                  "feedback": None, "metadata": {}}
        rows.append({"id": ident, "split": _split(ident), "role": role, "label": label, "task": task, "drift_kind": drift_kind,
                     "edge_reasons": sorted(shape), "record": record})

    for task, phrasings in SEEN_TASKS.items():
        for phrasing in phrasings[:REFERENCE_PHRASINGS]:
            for _ in range(3):  # the past saw each of its phrasings a few times, in different conversations
                add("reference", "happy_path", task, None, phrasing, set())
    for task, phrasings in SEEN_TASKS.items():
        for phrasing in phrasings[REFERENCE_PHRASINGS:]:
            for _ in range(2):
                shape = set(rng.choice(EDGE_SHAPES)) if rng.random() < 0.45 else set()
                add("case", "edge_case" if shape else "happy_path", task, "paraphrase", phrasing, shape)
    for task, phrasings in NEW_TOPICS.items():
        for phrasing in phrasings:
            shape = set(rng.choice(EDGE_SHAPES)) if rng.random() < 0.3 else set()
            add("case", "drift", task, "new_topic", phrasing, shape)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text = "".join(json.dumps(row, sort_keys=True) + "\n" for row in build())
    if args.check:
        sys.exit(0 if OUT.read_text(encoding="utf-8") == text else "support_set.jsonl differs from what the script builds")
    OUT.write_text(text, encoding="utf-8")
    rows = [json.loads(line) for line in text.splitlines()]
    cases = [r for r in rows if r["role"] == "case"]
    print(json.dumps({"rows": len(rows), "cases": len(cases), "held_out_cases": sum(r["split"] == "held_out" for r in cases),
                      "by_label": {lab: sum(r["label"] == lab for r in cases) for lab in ("edge_case", "happy_path", "drift")}}))


if __name__ == "__main__":
    main()
