"""The agent side of benchmarks/make_support_set.py: what a support agent does for each task.

Real agents act on the task, not on the user's wording: cancelling a booking looks up the
reservation and calls a cancel tool whatever words the user chose, and the reply names what was
done. Each task here has a few action plans (an agent may look the user up first, or not, or skip
a lookup it does not need), task results with their own keys, and a few reply phrasings, so two
conversations on the same task share most, not all, of their agent side.

New topics are not all handled with new tools: some use only a generic lookup the seen tasks use
too (get_reservation, get_order), and some get a generic refusal and no tool at all, as an agent
without a tool for the request does. Drawn from a second RNG seeded by the row id, so the user
side, labels and split of every row stay what the main RNG made them.
"""

from __future__ import annotations

import json
import random

GENERIC_REFUSALS = ["I'm sorry, I can't help with that.", "Sorry, that's not something I can do here.",
                    "I'm afraid I can't assist with that request.", "Unfortunately I'm not able to help with this one."]

# task -> (plans: each a list of (tool, argument keys)), result keys of the task's tool, replies)
R, O = ("get_reservation", ("reservation_id",)), ("get_order", ("order_id",))
U = ("get_user_details", ("user_id",))
AGENT = {
    "cancel_booking": ([[R, ("cancel_reservation", ("reservation_id", "reason"))], [U, R, ("cancel_reservation", ("reservation_id", "reason"))]],
                       ("reservation_id", "status", "refund_amount"),
                       ["Your reservation is cancelled and the refund goes back to the original payment method.",
                        "I've cancelled the booking; the cancellation confirmation is on its way.",
                        "The flights are cancelled. Refunds to the card take a few business days."]),
    "change_date": ([[R, ("search_direct_flight", ("origin", "destination", "date")), ("update_reservation_flights", ("reservation_id", "flights", "payment_id"))],
                     [R, ("search_onestop_flight", ("origin", "destination", "date")), ("update_reservation_flights", ("reservation_id", "flights", "payment_id"))]],
                    ("reservation_id", "flights", "fare_difference"),
                    ["I found a flight on the new date; the fare difference is <AMOUNT>. Shall I rebook you?",
                     "You're rebooked on the new departure date; the itinerary is updated.",
                     "The new date has seats available, and your itinerary now shows the rebooked flight."]),
    "baggage_allowance": ([[R, ("get_fare_rules", ("fare_class",))], [("get_fare_rules", ("fare_class",))]],
                          ("fare_class", "checked_bags", "max_weight_kg"),
                          ["Your fare includes one checked bag up to 23 kg; extra kilos are charged at the airport.",
                           "On this fare you can check two bags of 23 kg each, plus a cabin bag.",
                           "The allowance on your ticket is one hold bag, 23 kg maximum weight."]),
    "refund_status": ([[O, ("get_refund_status", ("order_id",))], [U, O, ("get_refund_status", ("order_id",))]],
                      ("order_id", "refund_state", "refunded_on"),
                      ["The refund was issued to your card; banks usually post it within 5 business days.",
                       "Your refund is processed and on its way to the original payment method.",
                       "I can see the refund was sent; it should show on your statement soon."]),
    "order_tracking": ([[O, ("track_shipment", ("tracking_number",))], [("track_shipment", ("tracking_number",))]],
                       ("tracking_number", "carrier", "eta"),
                       ["The carrier shows your parcel out for delivery, expected by tonight.",
                        "Your shipment is in transit with the courier; the estimated delivery is tomorrow.",
                        "The tracking shows the package at the local depot, arriving within two days."]),
    "change_address": ([[O, ("modify_order_address", ("order_id", "address"))], [U, O, ("modify_order_address", ("order_id", "address"))]],
                       ("order_id", "shipping_address"),
                       ["The shipping address on the order is updated to the new one.",
                        "Done, the parcel will now ship to the address you gave.",
                        "I've changed the delivery address; the order hasn't shipped yet so it's in time."]),
    "seat_selection": ([[R, ("get_seat_map", ("flight_number",)), ("assign_seat", ("reservation_id", "seat"))],
                        [("get_seat_map", ("flight_number",)), ("assign_seat", ("reservation_id", "seat"))]],
                       ("flight_number", "seat", "row"),
                       ["You're now in seat <SEAT>, by the window.", "I've assigned the seat you wanted; the seat map is updated.",
                        "Seat <SEAT> is yours; the boarding pass will show the new seat."]),
    "upgrade_cabin": ([[R, ("get_upgrade_offers", ("reservation_id", "cabin")), ("update_reservation_cabin", ("reservation_id", "cabin", "payment_id"))],
                       [R, ("get_upgrade_offers", ("reservation_id", "cabin"))]],
                      ("cabin", "upgrade_price"),
                      ["An upgrade to business on that leg is <AMOUNT>; shall I charge it to your card on file?",
                       "You're upgraded; the cabin on your booking now shows business.",
                       "Premium economy is available for <AMOUNT> per leg as a cabin upgrade."]),
    "return_item": ([[O, ("create_return", ("order_id", "item_ids", "reason"))], [U, O, ("create_return", ("order_id", "item_ids", "reason"))]],
                    ("return_id", "label_url"),
                    ["I've opened the return; the prepaid return label is in your e-mail.",
                     "Your return is registered. Drop the parcel at any post office with the label.",
                     "The return is created; once the item arrives back the refund follows."]),
    "damaged_item": ([[O, ("file_damage_claim", ("order_id", "item_ids", "photos"))], [O, ("file_damage_claim", ("order_id", "item_ids")), ("create_replacement", ("order_id", "item_ids"))]],
                     ("claim_id", "replacement"),
                     ["Sorry it arrived broken. I've filed a damage claim and a replacement is on the way.",
                      "The damage claim is open; you don't need to send the broken item back.",
                      "I've logged the breakage, and we'll ship a replacement at no cost."]),
    "add_bag": ([[R, ("update_reservation_baggages", ("reservation_id", "total_baggages", "payment_id"))],
                 [R, ("get_fare_rules", ("fare_class",)), ("update_reservation_baggages", ("reservation_id", "total_baggages", "payment_id"))]],
                ("reservation_id", "total_baggages", "charge"),
                ["I've added one checked bag to the booking for <AMOUNT>.", "Extra baggage is on the reservation now; the bag fee is charged.",
                 "Your booking now includes an additional hold bag."]),
    "flight_status": ([[("get_flight_status", ("flight_number", "date"))], [R, ("get_flight_status", ("flight_number", "date"))]],
                      ("flight_number", "scheduled_departure", "estimated_departure", "gate"),
                      ["The flight shows on time, departing from gate <GATE>.", "There's a 20 minute delay on the departure; boarding starts later.",
                       "Your flight is scheduled to leave as planned; check the departures board for the gate."]),
    # New topics: some new tools, some a generic lookup only, some no tool and a generic refusal.
    "pet_travel": ([[R, ("get_pet_policy", ("species", "route")), ("add_pet_to_reservation", ("reservation_id", "species", "carrier_size"))]],
                   ("pet_allowed", "pet_fee", "carrier_dimensions"),
                   ["Small pets can travel in the cabin in a carrier under the seat; the pet fee is <AMOUNT>.",
                    "I've added the animal to the booking; the carrier must fit under the seat in front."]),
    "wheelchair": ([[R, ("request_special_assistance", ("reservation_id", "assistance_type"))]],
                   ("assistance_id", "assistance_type"),
                   ["Wheelchair assistance is booked from check-in to the gate.", "I've requested mobility assistance at both airports."]),
    "minor_alone": ([[R]], ("reservation_id", "passengers"),
                    ["Children from 5 to 11 flying alone need the unaccompanied minor service and a guardian form.",
                     "Escort for young travellers is available; a staff member stays with the child until pickup."]),
    "visa_docs": ([[]], (), GENERIC_REFUSALS),
    "gift_card": ([[("check_gift_card_balance", ("card_number",))]], ("card_number", "balance", "expires_on"),
                  ["The voucher balance is <AMOUNT> and it expires next year.", "That gift card code has been redeemed already."]),
    "warranty": ([[O, ("open_warranty_claim", ("order_id", "item_ids", "fault_description"))]], ("warranty_claim_id", "warranty_until"),
                 ["The appliance is still under warranty; I've opened a claim with the manufacturer.",
                  "Your guarantee covers the fault; a technician will contact you about the repair."]),
    "data_deletion": ([[]], (), GENERIC_REFUSALS),
    "loyalty_transfer": ([[U, ("get_loyalty_account", ("member_id",)), ("transfer_miles", ("from_member_id", "to_member_id", "miles"))]],
                         ("member_id", "miles_balance", "tier"),
                         ["Miles can be pooled with household members once a year; I've started the transfer.",
                          "Expired points can be reinstated once for a fee of <AMOUNT>."]),
    "sports_equipment": ([[R, ("add_special_baggage", ("reservation_id", "item_type"))]], ("item_type", "special_baggage_fee"),
                         ["Surfboards and bikes travel as special baggage for a fixed fee per item.",
                          "I've added the golf clubs as sports equipment on your booking."]),
    "invoice_vat": ([[O]], ("order_id", "total"),
                    ["I can reissue the invoice with your company name and VAT number.",
                     "A tax invoice with the business details will be e-mailed to you."]),
    "subscription_pause": ([[U, ("pause_subscription", ("subscription_id", "until"))]], ("subscription_id", "paused_until"),
                           ["Your subscription is paused; the next box ships after the pause ends.",
                            "I've put the membership on hold; no charges until it resumes."]),
    "medical_oxygen": ([[]], (), GENERIC_REFUSALS),
}


def agent_rng(seed: int, ident: str) -> random.Random:
    return random.Random(f"{seed}:agent:{ident}")


def tool_turns(rng: random.Random, task: str, last_result, must_call: bool = False) -> list[dict]:
    """The task's tool calls: one of its plans; every call but the last returns the task's result
    keys, the last returns `last_result` (a success or one of the failure shapes). A task with no
    tool that `must_call` (a failing tool is its edge shape) searches the help centre."""
    plans, result_keys, _ = AGENT[task]
    plan = rng.choice(plans) or ([("search_help_center", ("query",))] if must_call else [])
    messages: list[dict] = []
    for position, (name, keys) in enumerate(plan):
        call_id = f"call_{rng.randrange(10**6):06d}"
        arguments = json.dumps({key: f"<{key.upper()}>" for key in keys})
        if position == len(plan) - 1:
            result = last_result
        else:
            result = {key: f"<{key.upper()}>" for key in (*result_keys, "status")}
        messages += [{"role": "assistant", "content": None, "tool_calls": [{"id": call_id, "type": "function",
                      "function": {"name": name, "arguments": arguments}}]},
                     {"role": "tool", "tool_call_id": call_id, "name": name, "content": result if isinstance(result, str) else json.dumps(result)}]
    return messages


def task_result(rng: random.Random, task: str, generic_ok):
    """A success result: the task's own keys most of the time, else the generic success shape drawn."""
    _, result_keys, _ = AGENT[task]
    if result_keys and rng.random() < 0.7:
        return {key: f"<{key.upper()}>" for key in (*result_keys, "status")}
    return generic_ok


def task_reply(rng: random.Random, task: str) -> str:
    return rng.choice(AGENT[task][2])
