"""Airline and retail support conversations shaped like third-party agent traces (tau-bench style),
with the customer-profile lookups that made the gate refuse most real records.

    records = profile_records(count=300, seed=11)     # [(record, planted, kept)], one per conversation
    split_of(record["request_id"])                    # "tuning" or "held_out", from a hash of the id

Written before any tuning against it (issue 13), from pools made up here: none of these names,
streets or phrasings come from the generator, the sanitiser's tests or ../shared/. A conversation
looks a customer up (by user id, by email, or by name and zip), gets the profile as a JSON tool result
(nested name, address, payment methods keyed by their ids, saved passengers, reservations or orders),
then a reservation or order whose JSON holds passengers, dates of birth and payment history, and ends
in a reply, a failure (tool error, thumbs-down) or a transfer to a human.

`planted`: (kind, value) of every personal value the record holds (user id, first, last and full
name, email, date of birth, street, zip, payment method id) — none may be readable once stored.
`kept`: (kind, value) of values that are not personal (reservation status, cabin class, airport code,
amount, flight number, membership tier, product name) — each should still be readable.
"""

from __future__ import annotations

import hashlib
import json
import random
import string

DAY = "2026-04-21"
HELD_OUT_SHARE = 3  # of 10, by the id's hash, fixed before tuning

FIRST = [
    "Harriet", "Desmond", "Ingrid", "Tobias", "Marisol", "Kwame", "Svetlana", "Rohan", "Yuki", "Oluwaseun",
    "Beatriz", "Callum", "Anneliese", "Dmitri", "Priyanka", "Mateo", "Siobhan", "Hamza", "Linnea", "Thaddeus",
    "Ximena", "Ravi", "Agnieszka", "Emeka", "Solveig", "Joaquin", "Noor", "Bartholomew", "Mireille", "Kenji",
    "Eleanor", "Samuel", "Grace", "Daniel", "Olivia", "Ethan", "Chloe", "Isaac", "Lily", "Mason",
]
LAST = [
    "Okonkwo", "Lindqvist", "Castellanos", "Haverford", "Nakamura", "Petrovic", "Abernathy", "Szymanski",
    "Delacroix", "Obiora", "Thornbury", "Vasquez", "Ferreira", "Kowalczyk", "Achterberg", "Mahmoud",
    "Fitzgerald", "Rasmussen", "Quintero", "Wojcik", "Brennan", "Iyer", "Halvorsen", "Montague",
    "Carter", "Hughes", "Morgan", "Foster", "Bennett", "Reyes", "Powell", "Russell",
]
STREETS = [
    "Juniper Hollow Road", "Larkspur Court", "Marlowe Avenue", "Old Quarry Lane", "Pemberton Street",
    "Wexford Drive", "Cedar Bluff Way", "Harbor View Terrace", "Sycamore Ridge Boulevard", "Kestrel Place",
    "Fairmount Street", "Bramblewood Drive", "Linden Avenue", "Copper Creek Road", "Ashgrove Lane",
]
CITIES = [
    ("Tucson", "AZ"), ("Spokane", "WA"), ("Raleigh", "NC"), ("Omaha", "NE"), ("Providence", "RI"),
    ("Boise", "ID"), ("Savannah", "GA"), ("Madison", "WI"), ("Albuquerque", "NM"), ("Portland", "ME"),
]
AIRPORTS = ["JFK", "SEA", "ORD", "ATL", "DFW", "DEN", "SFO", "BOS", "MIA", "PHX", "LAX", "MSP", "DTW", "CLT"]
CABINS = ["basic_economy", "economy", "business"]
TIERS = ["regular", "silver", "gold"]
RES_STATUS = ["confirmed", "cancelled", "landed", "available", "delayed"]
PRODUCTS = [
    ("Mechanical Keyboard", {"switch type": "tactile", "backlight": "RGB"}),
    ("Hiking Boots", {"size": "10", "material": "leather"}),
    ("Water Bottle", {"capacity": "750ml", "color": "green"}),
    ("Desk Lamp", {"brightness": "high", "power source": "USB"}),
    ("Wireless Earbuds", {"battery life": "8 hours", "color": "black"}),
    ("Yoga Mat", {"thickness": "6mm", "color": "purple"}),
]
ORDER_STATUS = ["pending", "processed", "delivered", "cancelled", "return requested"]

AIRLINE_PROMPT = (
    "# Airline Agent Policy\n\nThe current time is 2024-05-15 15:00:00 EST.\n\nAs an airline agent, you can help "
    "users book, modify, or cancel flight reservations.\n\n- Before taking any actions that update the booking "
    "database, you must list the action details and obtain explicit user confirmation (yes) to proceed.\n- You "
    "should deny user requests that are against this policy.\n- You should transfer the user to a human agent if "
    "and only if the request cannot be handled within the scope of your actions.\n\n## Domain Basic\n\n- Each "
    "user has a profile containing user id, email, addresses, date of birth, payment methods, reservation "
    "numbers, and membership tier.\n- Each reservation has an reservation id, user id, trip type, flights, "
    "passengers, payment methods, created time, baggages, and travel insurance information.\n- Each flight has "
    "a flight number, an origin, destination, scheduled departure and arrival time.\n"
)
RETAIL_PROMPT = (
    "# Retail agent policy\n\nAs a retail agent, you can help users cancel or modify pending orders, return or "
    "exchange delivered orders, modify their default user address, or provide information about their own "
    "profile, orders, and related products.\n\n- At the beginning of the conversation, you have to authenticate "
    "the user identity by locating their user id via email, or via name + zip code. This has to be done even "
    "when the user already provides the user id.\n- Once the user has been authenticated, you can provide the "
    "user with information about order, product, profile information.\n- You can only help one user per "
    "conversation, and must deny any requests for tasks related to any other user.\n"
)


def split_of(request_id: str) -> str:
    return "held_out" if int(hashlib.sha256(request_id.encode()).hexdigest(), 16) % 10 < HELD_OUT_SHARE else "tuning"


class _Conversation:
    def __init__(self, rng: random.Random, number: int) -> None:
        self.rng = rng
        self.number = number
        self.messages: list[dict] = []
        self.planted: list[tuple[str, str]] = []
        self.kept: list[tuple[str, str]] = []
        self._call = 0

    def person(self) -> dict:
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        dob = f"{self.rng.randint(1948, 2004)}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"
        self.planted += [("first_name", first), ("last_name", last), ("name", f"{first} {last}"), ("dob", dob)]
        return {"first_name": first, "last_name": last, "dob": dob}

    def call(self, name: str, arguments: dict, result) -> None:
        self._call += 1
        call_id = f"call_{self.number:04d}_{self._call}"
        self.messages.append({"role": "assistant", "content": None, "tool_calls": [
            {"id": call_id, "type": "function", "function": {"name": name, "arguments": json.dumps(arguments)}}]})
        content = result if isinstance(result, str) else json.dumps(result)
        self.messages.append({"role": "tool", "tool_call_id": call_id, "name": name, "content": content})

    def say(self, role: str, text: str) -> None:
        self.messages.append({"role": role, "content": text})


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def _profile(c: _Conversation, retail: bool) -> dict:
    rng = c.rng
    holder = c.person()
    first, last = holder["first_name"], holder["last_name"]
    user_id = f"{first.lower()}_{last.lower()}_{_digits(rng, 4)}"
    email = f"{first.lower()}.{last.lower()}{_digits(rng, 4)}@example.com"
    street = f"{rng.randint(10, 9999)} {rng.choice(STREETS)}"
    city, state = rng.choice(CITIES)
    zip_code = _digits(rng, 5)
    c.planted += [("user_id", user_id), ("email", email), ("street", street), ("zip", zip_code)]
    payments = {}
    for source in rng.sample(["credit_card", "gift_card", "certificate", "paypal"], rng.randint(1, 3)):
        pid = f"{source}_{_digits(rng, 7)}"
        c.planted.append(("payment_id", pid))
        method = {"source": source, "id": pid}
        if source == "credit_card":
            method.update(brand=rng.choice(["visa", "mastercard"]), last_four=_digits(rng, 4))
        elif source in ("gift_card", "certificate"):
            method["amount"] = rng.randint(50, 500)
        payments[pid] = method
    profile = {
        "user_id": user_id,
        "name": {"first_name": first, "last_name": last},
        "address": {"address1": street, "address2": rng.choice(["", f"Suite {rng.randint(100, 999)}", f"Apt {rng.randint(1, 40)}"]),
                    "city": city, "country": "USA", "state": state, "zip": zip_code},
        "email": email,
        "payment_methods": payments,
    }
    if retail:
        profile["orders"] = [f"#W{_digits(rng, 7)}" for _ in range(rng.randint(1, 3))]
    else:
        profile["dob"] = holder["dob"]
        profile["saved_passengers"] = [c.person() for _ in range(rng.randint(0, 2))]
        tier = rng.choice(TIERS)
        c.kept.append(("membership", tier))
        profile["membership"] = tier
        profile["reservations"] = ["".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(6)) for _ in range(rng.randint(1, 3))]
    return profile


def _reservation(c: _Conversation, profile: dict) -> dict:
    rng = c.rng
    origin, destination = rng.sample(AIRPORTS, 2)
    cabin, status = rng.choice(CABINS), rng.choice(RES_STATUS)
    price = rng.randint(90, 1900)
    flight = f"HAT{rng.randint(100, 299)}"
    c.kept += [("airport", origin), ("airport", destination), ("cabin", cabin), ("status", status), ("amount", str(price)), ("flight", flight)]
    passengers = [{"first_name": profile["name"]["first_name"], "last_name": profile["name"]["last_name"], "dob": profile["dob"]}]
    passengers += profile["saved_passengers"][: rng.randint(0, 2)]
    payment = next(iter(profile["payment_methods"]))
    return {
        "reservation_id": profile["reservations"][0], "user_id": profile["user_id"], "origin": origin,
        "destination": destination, "flight_type": rng.choice(["one_way", "round_trip"]), "cabin": cabin,
        "flights": [{"origin": origin, "destination": destination, "flight_number": flight,
                     "date": f"2024-05-{rng.randint(16, 30)}", "price": price, "status": status}],
        "passengers": passengers,
        "payment_history": [{"payment_id": payment, "amount": price * len(passengers)}],
        "created_at": f"2024-05-0{rng.randint(1, 9)}T{rng.randint(10, 23)}:{rng.randint(10, 59)}:07",
        "total_baggages": rng.randint(0, 3), "nonfree_baggages": 0, "insurance": rng.choice(["yes", "no"]),
    }


def _order(c: _Conversation, profile: dict) -> dict:
    rng = c.rng
    product, options = rng.choice(PRODUCTS)
    status, price = rng.choice(ORDER_STATUS), round(rng.uniform(15, 400), 2)
    c.kept += [("product", product), ("status", status), ("amount", f"{price}")]
    payment = next(iter(profile["payment_methods"]))
    return {
        "order_id": profile["orders"][0], "user_id": profile["user_id"],
        "address": profile["address"],
        "items": [{"name": product, "product_id": _digits(rng, 10), "item_id": _digits(rng, 10), "price": price, "options": options}],
        "fulfillments": [{"tracking_id": [_digits(rng, 12)], "item_ids": [_digits(rng, 10)]}] if status == "delivered" else [],
        "status": status,
        "payment_history": [{"transaction_type": "payment", "amount": price, "payment_method_id": payment}],
    }


def _airline(c: _Conversation) -> dict:
    rng = c.rng
    profile = _profile(c, retail=False)
    first = profile["name"]["first_name"]
    c.say("system", AIRLINE_PROMPT)
    c.say("user", rng.choice([
        f"Hi, I need to change a flight. My user id is {profile['user_id']}.",
        f"hello. i want to cancel my trip, user id {profile['user_id']}",
        f"Hey there, this is {first}. I'd like to add a checked bag to my booking; my user ID is {profile['user_id']}",
        f"I want to upgrade my cabin. user_id: {profile['user_id']}",
    ]))
    c.call("get_user_details", {"user_id": profile["user_id"]}, profile)
    c.say("assistant", rng.choice([
        f"Thanks, {first}. I can see {len(profile['reservations'])} reservation(s) on your profile. Which one is it about?",
        f"Thank you {first} {profile['name']['last_name']}, I found your profile. Could you tell me the reservation id?",
        "I found your profile. Which reservation would you like to work on?",
    ]))
    c.say("user", rng.choice([f"It's {profile['reservations'][0]}.", f"the one with id {profile['reservations'][0]}",
                              f"{profile['reservations'][0]} please. my date of birth is {profile['dob']} if you need it"]))
    reservation = _reservation(c, profile)
    c.call("get_reservation_details", {"reservation_id": reservation["reservation_id"]}, reservation)
    flight = reservation["flights"][0]
    return {"reply": rng.choice([
        f"Your reservation {reservation['reservation_id']} from {flight['origin']} to {flight['destination']} is in {reservation['cabin']}, "
        f"flight {flight['flight_number']} ({flight['status']}). The change costs ${flight['price']}; shall I charge {next(iter(profile['payment_methods']))}?",
        f"I see flight {flight['flight_number']} {flight['origin']}-{flight['destination']} on {flight['date']}, {reservation['cabin']} cabin, "
        f"{len(reservation['passengers'])} passenger(s). Please confirm (yes) to proceed.",
    ])}


def _retail(c: _Conversation) -> dict:
    rng = c.rng
    profile = _profile(c, retail=True)
    name, address = profile["name"], profile["address"]
    c.say("system", RETAIL_PROMPT)
    how = rng.choice(["email", "name_zip"])
    if how == "email":
        c.say("user", rng.choice([f"Hi! I want to return something. My email is {profile['email']}.",
                                  f"i need to exchange an item, email {profile['email']}"]))
        c.call("find_user_id_by_email", {"email": profile["email"]}, profile["user_id"])
    else:
        c.say("user", rng.choice([f"Hello, I'm {name['first_name']} {name['last_name']} and my zip code is {address['zip']}. Where is my order?",
                                  f"hi this is {name['first_name']} {name['last_name']}, zip {address['zip']}, i want to cancel an order"]))
        c.call("find_user_id_by_name_zip", {"first_name": name["first_name"], "last_name": name["last_name"], "zip": address["zip"]}, profile["user_id"])
    c.call("get_user_details", {"user_id": profile["user_id"]}, profile)
    c.say("assistant", f"Thanks {name['first_name']}, you're verified. I see order {profile['orders'][0]} on your account. Is that the one?")
    c.say("user", rng.choice(["yes that one", f"Yes, {profile['orders'][0]}. It should ship to {address['address1']}."]))
    order = _order(c, profile)
    c.call("get_order_details", {"order_id": order["order_id"]}, order)
    item = order["items"][0]
    return {"reply": f"Order {order['order_id']} ({item['name']}, ${item['price']}) is {order['status']}. "
                     f"Do you want the refund to go to {order['payment_history'][0]['payment_method_id']}?"}


def profile_records(count: int = 300, seed: int = 11) -> list[tuple[dict, list[tuple[str, str]], list[tuple[str, str]]]]:
    rng = random.Random(seed)
    out = []
    for number in range(count):
        c = _Conversation(rng, number)
        ending = (_airline if rng.random() < 0.6 else _retail)(c)
        outcome = rng.random()
        record = {
            "request_id": f"prof-{number:05d}", "timestamp": f"{DAY}T{8 + number % 12:02d}:{number % 60:02d}:00Z",
            "session_id": f"sess-prof-{number:05d}", "user_id": f"acct-{rng.randint(10_000, 99_999)}",
            "model": "gpt-4o-2024-08-06", "input": c.messages, "output": ending["reply"], "status": "ok",
            "metadata": {"domain": "airline" if c.messages[0]["content"] is AIRLINE_PROMPT else "retail"},
        }
        if outcome < 0.15:
            record.update(status="error", error_type="openai.APITimeoutError", output=None)
        elif outcome < 0.3:
            record["feedback"] = "down"
        elif outcome < 0.4:
            record["escalated"] = True
            record["output"] = "I'm transferring you to a human agent who can help further."
        out.append((record, _unique(c.planted), _unique(c.kept)))
    return out


def _unique(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return list(dict.fromkeys(pairs))
