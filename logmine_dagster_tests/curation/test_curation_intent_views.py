"""Drift on several views of intent: a reworded request with the agent doing the old thing is not
novel, a new topic with new tools is, and a generic reply cannot make a new topic look familiar."""

from __future__ import annotations

import json

from logmine_dagster.curation import intent_views
from logmine_dagster.curation.intent_views import IntentIndex, action_text, combine, reply_text, views_of
from logmine_dagster.curation.novelty import NoveltyIndex, intent_text

# (opening request, [(tool, argument keys, result keys)], reply) per past task.
TASKS = {
    "cancel": ("I want to cancel my flight booking", [("get_reservation", ["reservation_id"], ["reservation_id", "status"]),
                                                       ("cancel_reservation", ["reservation_id", "reason"], ["refund_amount"])],
               "Your reservation is cancelled and the refund goes back to your card."),
    "track": ("where is my parcel, it has not arrived", [("get_order", ["order_id"], ["order_id", "status"]),
                                                         ("track_shipment", ["tracking_number"], ["carrier", "eta"])],
              "The courier shows the package in transit, arriving tomorrow."),
    "seat": ("can I choose a window seat on my flight", [("get_seat_map", ["flight_number"], ["rows"]),
                                                         ("assign_seat", ["reservation_id", "seat"], ["seat"])],
             "You now have the window seat you asked for."),
    "bags": ("how many checked bags does my fare include", [("get_fare_rules", ["fare_class"], ["checked_bags", "max_weight_kg"])],
             "Your fare includes one hold bag up to 23 kg."),
    "refund": ("has the money for my returned order come back", [("get_order", ["order_id"], ["order_id", "status"]),
                                                                 ("get_refund_status", ["order_id"], ["refund_state"])],
               "The refund was issued and shows on your statement within days."),
    "address": ("please change the delivery address of my order", [("modify_order_address", ["order_id", "address"], ["shipping_address"])],
                "The shipping address on the order is now the new one."),
}
GENERIC = "I'm sorry, I can't help with that."


def record(request: str, tools: list, reply: str | None, extra_reply: str | None = None) -> dict:
    messages = [{"role": "user", "content": request}, {"role": "assistant", "content": "Sure, let me look that up."}]
    for number, (name, arguments, result) in enumerate(tools):
        call_id = f"c{number}"
        messages += [{"role": "assistant", "content": None, "tool_calls": [{"id": call_id, "type": "function", "function": {
                         "name": name, "arguments": json.dumps({key: "<ID>" for key in arguments})}}]},
                     {"role": "tool", "tool_call_id": call_id, "content": json.dumps({key: "<ID>" for key in result})}]
    if extra_reply:
        messages.append({"role": "assistant", "content": extra_reply})
    return {"input": messages, "output": reply}


def reference_index() -> IntentIndex:
    past = []
    for request, tools, reply in TASKS.values():
        for copy in range(4):  # each task seen a few times; some end with a generic closer, one was turned down
            past.append(views_of(record(request, tools, GENERIC if copy == 3 else reply, extra_reply=GENERIC if copy == 1 else None)))
    return IntentIndex(past)


def test_a_reworded_request_with_the_same_tool_calls_is_not_novel():
    index = reference_index()
    request, tools, reply = TASKS["cancel"]
    reworded = record("I need to call off my journey, not travelling anymore", tools, "All cancelled; you'll get the money back on the card.")
    request_only = NoveltyIndex([intent_text([r]) for r, _, _ in TASKS.values()]).score([intent_text(["I need to call off my journey, not travelling anymore"])])[0]
    assert request_only.novel  # the words alone look new: this is what the agent's views fix
    assert not index.score([views_of(reworded)])[0].novel


def test_a_new_topic_with_new_tools_is_novel():
    index = reference_index()
    new = record("can my dog travel in the cabin with me", [("get_pet_policy", ["species", "route"], ["pet_fee", "carrier_size"])],
                 "Small pets travel in a carrier under the seat for a pet fee.")
    novelty = index.score([views_of(new)])[0]
    assert novelty.novel and novelty.score >= 0.5


def test_a_new_topic_looked_up_with_a_common_tool_is_still_novel():
    index = reference_index()
    new = record("my child is nine, can she fly alone to her grandparents", [("get_order", ["order_id"], ["order_id", "status"])],
                 "Young travellers flying alone need the escort service and a guardian form.")
    assert index.score([views_of(new)])[0].novel


def test_a_generic_reply_does_not_mask_a_new_topic():
    index = reference_index()
    assert "sorry" in index.generic  # half of the past conversations said it: it says nothing about the task
    new = record("please delete every piece of personal data you keep on me", [], GENERIC, extra_reply=GENERIC)
    views = views_of(new)
    assert views.actions == ""  # no tools: that view is absent, not familiar
    assert index.score([views])[0].novel


def test_a_repeat_of_the_past_scores_zero():
    index = reference_index()
    request, tools, reply = TASKS["track"]
    assert index.score([views_of(record(request, tools, reply))])[0].score < 0.05


def test_action_text_reads_tool_names_argument_and_result_keys_and_survives_bad_shapes():
    rec = record("x", [("Get-Order", ["order_id"], ["status"])], "ok")
    assert action_text(rec).split() == ["tool_get_order", "get_order__order_id", "get_order__result__status"]
    broken = {"input": [{"role": "assistant", "tool_calls": [{"function": {"name": "lookup", "arguments": "not json"}}, "junk", {}]},
                        {"role": "tool", "content": "Error: not found"}, {"role": "tool", "content": "{broken"}, "junk"], "output": None}
    assert action_text(broken) == "tool_lookup"
    assert reply_text(broken) == ""


def test_skipping_the_agent_views_of_known_requests_changes_no_decision():
    index = reference_index()
    request, tools, reply = TASKS["seat"]
    queries = [views_of(record(r, t, p)) for r, t, p in TASKS.values()] + [
        views_of(record("I need to call off my journey, not travelling anymore", TASKS["cancel"][1], "All cancelled.")),
        views_of(record("can my dog travel in the cabin with me", [("get_pet_policy", ["species"], ["pet_fee"])], "Pets go in a carrier.")),
        views_of(record("window seat please", tools, reply)),  # too few words to ever be drift
    ]
    full = combine(index.view_scores(queries), index.thresholds)
    fast = index.score(queries)
    assert [n.novel for n in fast] == [n.novel for n in full]
    assert any(n.novel for n in fast) and not all(n.novel for n in fast)
    for quick, exact in zip(fast, full):
        if quick.novel:
            assert quick.score == exact.score
        else:  # the request's score: never below the combined one
            assert quick.score >= exact.score


TEMPLATE = "Your request is logged under a ticket in our system now."


def template_reference() -> list:
    """Each task seen ten times; five tasks once close with the same template sentence (under a
    tenth of the conversations, so its words are not generic by share)."""
    past = []
    for number, (request, tools, reply) in enumerate(TASKS.values()):
        for copy in range(10):
            closer = TEMPLATE if copy == 0 and number < 5 else None
            past.append(views_of(record(request, tools, reply, extra_reply=closer)))
    return past


def test_a_reply_sentence_said_after_many_different_tool_sets_is_a_template():
    index = IntentIndex(template_reference())
    assert not {"ticket", "logged"} & index.generic  # rare enough to pass the share rule
    assert any("ticket" in sentence for sentence in index.templates)
    assert not any("refund goes back" in sentence for sentence in index.templates)  # one task's own reply


def test_a_template_reply_does_not_make_a_new_topic_look_familiar(monkeypatch):
    past = template_reference()
    new = views_of(record("can I bring my surfboard as sports equipment on the plane", [], TEMPLATE))
    assert IntentIndex(past).score([new])[0].novel
    monkeypatch.setattr(intent_views, "TEMPLATE_TOOL_SETS", 10 ** 9)  # no templates: the template alone overrules the request
    assert not IntentIndex(past).score([new])[0].novel


def test_a_new_name_both_user_and_agent_talk_about_keeps_old_tools_from_overruling():
    index = reference_index()
    request, tools, reply = TASKS["track"]
    new_product = record("does the Zephyrlink travel adapter work with my parcel locker", tools,
                         "The Zephyrlink adapter is not sold by us yet, so I can't say.")
    reworded = record("I need to call off my journey, not travelling anymore", TASKS["cancel"][1], "All cancelled, the card gets the money back.")
    assert index.may_overrule([views_of(new_product), views_of(reworded)]) == [False, True]
    assert index.score([views_of(new_product)])[0].novel
    assert not index.score([views_of(reworded)])[0].novel
