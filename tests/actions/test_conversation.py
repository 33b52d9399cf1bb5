from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import (
    ActionClarify,
    ActionContinueTopic,
    ActionHandleAffirm,
    ActionHandleDeny,
    ActionSmallTalk,
)
from bot.shop import ShopRepository
from tests.support.trackers import make_tracker, sent, slot_events


async def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    return dispatcher, events


async def test_inform_continues_the_pending_topic(shop: ShopRepository) -> None:
    tracker = make_tracker(
        "inform", "蓝色", {"product": "碎花连衣裙", "colour": "蓝色", "pending_topic": "stock"}
    )
    dispatcher, events = await run(ActionContinueTopic(shop=shop), tracker)
    assert sent(dispatcher) == ["utter_ask_size_for_stock"]
    assert slot_events(events)["pending_topic"] == "stock"


async def test_inform_without_pending_topic_guesses_from_the_fact(shop: ShopRepository) -> None:
    tracker = make_tracker("inform", "165 110斤", {"height": "165", "weight": "55"})
    dispatcher, _ = await run(ActionContinueTopic(shop=shop), tracker)
    assert sent(dispatcher) == ["utter_ask_product_for_size"]


async def test_inform_with_nothing_usable_clarifies(shop: ShopRepository) -> None:
    dispatcher, _ = await run(ActionContinueTopic(shop=shop), make_tracker("inform", "那个"))
    assert sent(dispatcher) == ["utter_clarify"]


async def test_misunderstandings_are_counted(shop: ShopRepository) -> None:
    action = ActionClarify(shop=shop)
    first, events = await run(action, make_tracker("nlu_fallback", "阿巴阿巴"))
    assert sent(first) == ["utter_clarify"]
    count = slot_events(events)["misunderstood"]
    second, events = await run(
        action, make_tracker("out_of_scope", "今天天气", {"misunderstood": count})
    )
    # The escalation policy, not the action, hands a repeated misunderstanding to a human.
    assert sent(second) == ["utter_out_of_scope"]
    assert slot_events(events)["misunderstood"] == count + 1


async def test_out_of_scope_first_time(shop: ShopRepository) -> None:
    dispatcher, _ = await run(ActionClarify(shop=shop), make_tracker("out_of_scope", "讲个笑话"))
    assert sent(dispatcher) == ["utter_out_of_scope"]


async def test_affirm_accepts_restock_offer(shop: ShopRepository) -> None:
    slots = {"offer": "restock_notice", "product": "碎花连衣裙", "colour": "蓝色", "size": "L"}
    dispatcher, events = await run(
        ActionHandleAffirm(shop=shop), make_tracker("affirm", "好的", slots)
    )
    assert sent(dispatcher) == ["utter_restock_notice_recorded"]
    assert slot_events(events)["offer"] is None


async def test_affirm_without_offer_and_deny(shop: ShopRepository) -> None:
    dispatcher, _ = await run(ActionHandleAffirm(shop=shop), make_tracker("affirm", "嗯"))
    assert sent(dispatcher) == ["utter_anything_else"]
    dispatcher, events = await run(
        ActionHandleDeny(shop=shop), make_tracker("deny", "不用", {"offer": "human"})
    )
    assert sent(dispatcher) == ["utter_anything_else"]
    assert slot_events(events)["offer"] is None


async def test_greeting_introduces_once(shop: ShopRepository) -> None:
    first, _ = await run(ActionSmallTalk(shop=shop), make_tracker("greet", "你好", bot_spoke=False))
    assert sent(first) == ["utter_greet"]
    again, _ = await run(ActionSmallTalk(shop=shop), make_tracker("greet", "在吗"))
    assert sent(again) == ["utter_greet_again"]


async def test_thanks_and_goodbye(shop: ShopRepository) -> None:
    thanks, _ = await run(ActionSmallTalk(shop=shop), make_tracker("thank", "谢谢"))
    bye, _ = await run(ActionSmallTalk(shop=shop), make_tracker("goodbye", "拜拜"))
    assert sent(thanks) == ["utter_thank"] and sent(bye) == ["utter_goodbye"]


async def test_a_mildly_upset_buyer_hears_empathy_before_the_answer(shop: ShopRepository) -> None:
    tracker = make_tracker(
        "inform", "蓝色", {"product": "碎花连衣裙", "colour": "蓝色", "pending_topic": "stock"},
        sentiment={"label": "negative", "confidence": 0.8},
    )  # fmt: skip
    dispatcher, _ = await run(ActionContinueTopic(shop=shop), tracker)
    assert sent(dispatcher) == ["utter_empathy", "utter_ask_size_for_stock"]


async def test_a_neutral_buyer_gets_no_empathy_line(shop: ShopRepository) -> None:
    tracker = make_tracker("greet", "你好", sentiment={"label": "neutral", "confidence": 0.9})
    dispatcher, _ = await run(ActionSmallTalk(shop=shop), tracker)
    assert "utter_empathy" not in sent(dispatcher)
