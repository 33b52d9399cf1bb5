"""The handoff action: the reply fits the reason, the gateway is briefed, Rasa pauses."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionHandoff
from bot.shop import ShopRepository
from tests.support.trackers import make_tracker, sent, slot_events


async def run(tracker, shop):
    dispatcher = CollectingDispatcher()
    events = await ActionHandoff(shop=shop).run(dispatcher, tracker, {})
    return dispatcher, events


@pytest.mark.parametrize(
    ("reason", "response"),
    [
        ("request_human", "utter_handoff_requested"),
        ("strong_negative", "utter_handoff_upset"),
        ("threat", "utter_handoff_upset"),
        ("complaint", "utter_handoff_upset"),
        ("frustration", "utter_handoff_upset"),
        ("repeated_fallback", "utter_handoff_not_understood"),
        ("repeated_question", "utter_handoff_not_understood"),
    ],
)
async def test_reply_fits_the_reason(shop: ShopRepository, reason: str, response: str) -> None:
    tracker = make_tracker("complain", "气死了", {"handoff_reason": reason})
    dispatcher, _ = await run(tracker, shop)
    assert sent(dispatcher) == [response, "custom:handoff"]
    assert dispatcher.messages[0]["handoff_wait"] == "30秒内"


async def test_the_gateway_gets_reason_sentiment_and_the_buyers_facts(shop) -> None:
    sentiment = {"label": "negative", "confidence": 0.97}
    slots = {"handoff_reason": "strong_negative", "product": "碎花连衣裙", "order_id": "A1001",
             "size": "M", "colour": None, "pending_topic": "shipping"}  # fmt: skip
    tracker = make_tracker("complain", "太慢了！！！", slots, sentiment=sentiment)
    dispatcher, events = await run(tracker, shop)
    payload = dispatcher.messages[-1]["custom"]["handoff"]
    assert payload == {
        "reason": "strong_negative",
        "sentiment": sentiment,
        "intent": "complain",
        "slots": {"product": "碎花连衣裙", "size": "M", "order_id": "A1001",
                  "pending_topic": "shipping"},
    }  # fmt: skip
    assert events[-1] == {"event": "pause", "timestamp": None}
    assert slot_events(events)["handoff_reason"] == "strong_negative"


async def test_no_reason_means_the_buyer_asked(shop) -> None:
    dispatcher, _ = await run(make_tracker("request_human", "转人工"), shop)
    assert sent(dispatcher)[0] == "utter_handoff_requested"
    assert dispatcher.messages[-1]["custom"]["handoff"]["reason"] == "request_human"


async def test_handoff_does_not_add_the_generic_empathy_line(shop) -> None:
    tracker = make_tracker(
        "complain", "垃圾", {"handoff_reason": "strong_negative"},
        sentiment={"label": "negative", "confidence": 0.99},
    )  # fmt: skip
    dispatcher, _ = await run(tracker, shop)
    assert "utter_empathy" not in sent(dispatcher)


async def test_an_angry_first_message_hears_the_feeling_first_not_the_introduction(shop) -> None:
    tracker = make_tracker("complain", "垃圾店", {"handoff_reason": "complaint"}, bot_spoke=False)
    dispatcher, _ = await run(tracker, shop)
    assert sent(dispatcher) == ["utter_handoff_upset", "custom:handoff"]
