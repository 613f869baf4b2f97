"""A customer-profile lookup shaped like third-party airline agent traces, for the tests beside it.

The profile and reservation come back as JSON tool results holding a user id built from the name,
nested first and last names, an email, a date of birth, a street address and zip, payment methods
keyed by their ids, saved passengers and reservation ids. Values written here, not taken from the
benchmark's generator.
"""

from __future__ import annotations

import json

PERSONAL = {
    "user_id": "wilhelmina_ashcombe_3317",
    "first": "Wilhelmina",
    "last": "Ashcombe",
    "email": "w.ashcombe5520@example.net",
    "dob": "1979-02-14",
    "street": "4471 Quillfeather Lane",
    "zip": "27514",
    "card": "credit_card_7730152",
    "gift": "gift_card_4409918",
    "companion": "Ptolemy Garroway",
}
# Values that are no one's: each must stay readable.
PLAIN = ["basic_economy", "confirmed", "DFW", "SEA", "HAT204", "1146", "gold", "credit_card"]


def profile_conversation(request_id: str, day: str, **extra) -> dict:
    p = PERSONAL
    profile = {
        "user_id": p["user_id"],
        "name": {"first_name": p["first"], "last_name": p["last"]},
        "address": {"address1": p["street"], "address2": "Apt 9", "city": "Chapel Hill", "country": "USA", "state": "NC", "zip": p["zip"]},
        "email": p["email"],
        "dob": p["dob"],
        "payment_methods": {
            p["card"]: {"source": "credit_card", "brand": "visa", "last_four": "2210", "id": p["card"]},
            p["gift"]: {"source": "gift_card", "amount": 120, "id": p["gift"]},
        },
        "saved_passengers": [{"first_name": "Ptolemy", "last_name": "Garroway", "dob": "1981-07-30"}],
        "membership": "gold",
        "reservations": ["K7QZ2M"],
    }
    reservation = {
        "reservation_id": "K7QZ2M", "user_id": p["user_id"], "origin": "DFW", "destination": "SEA", "cabin": "basic_economy",
        "flights": [{"origin": "DFW", "destination": "SEA", "flight_number": "HAT204", "date": "2024-05-20", "price": 1146, "status": "confirmed"}],
        "passengers": [{"first_name": p["first"], "last_name": p["last"], "dob": p["dob"]}],
        "payment_history": [{"payment_id": p["card"], "amount": 1146}],
    }

    def call(n: int, name: str, arguments: dict, result: dict) -> list[dict]:
        call_id = f"call_{n}"
        return [
            {"role": "assistant", "content": None, "tool_calls": [{"id": call_id, "type": "function", "function": {"name": name, "arguments": json.dumps(arguments)}}]},
            {"role": "tool", "tool_call_id": call_id, "name": name, "content": json.dumps(result)},
        ]

    return {
        "request_id": request_id, "timestamp": f"{day}T09:30:00Z", "session_id": "sess-" + request_id, "user_id": "acct-" + request_id,
        "model": "gpt-4o-mini",
        "input": [
            {"role": "system", "content": "You are an airline agent. Authenticate the user before changing a booking."},
            {"role": "user", "content": f"Hi, I want to add a bag. user_id: {p['user_id']}"},
            *call(1, "get_user_details", {"user_id": p["user_id"]}, profile),
            {"role": "assistant", "content": f"Thanks, {p['first']}. Which reservation is it?"},
            {"role": "user", "content": "K7QZ2M"},
            *call(2, "get_reservation_details", {"reservation_id": "K7QZ2M"}, reservation),
        ],
        "output": f"Flight HAT204 from DFW to SEA is confirmed in basic_economy. The bag costs $50; shall I charge {p['card']}?",
        "status": "ok", "metadata": {}, **extra,
    }


def personal_values() -> list[str]:
    """Each personal value as the raw record writes it (the companion by first and last name)."""
    return [*(value for kind, value in PERSONAL.items() if kind != "companion"), *PERSONAL["companion"].split()]
