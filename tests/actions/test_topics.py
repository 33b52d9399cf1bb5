from __future__ import annotations

from pathlib import Path

import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.topics import ActionAnswerFaq, ActionAnswerShipping, ActionAnswerStock
from bot.shop import ShopRepository, load_shop_data
from tests.conftest import DEMO_TODAY
from tests.support.trackers import make_tracker, sent, slot_events


async def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    return dispatcher, events


async def test_first_reply_introduces_the_assistant(shop: ShopRepository) -> None:
    action = ActionAnswerStock(shop=shop, today=lambda: DEMO_TODAY)
    dispatcher, _ = await run(action, make_tracker("ask_stock", "有货吗", bot_spoke=False))
    assert sent(dispatcher) == ["utter_intro", "utter_ask_product_for_stock"]
    intro = dispatcher.messages[0]
    assert intro["shop_name"] == "悦衣小铺" and intro["assistant_name"] == "小悦"


async def test_missing_fact_becomes_the_pending_topic(shop: ShopRepository) -> None:
    action = ActionAnswerStock(shop=shop)
    dispatcher, events = await run(
        action, make_tracker("ask_stock", "碎花裙有货吗", {"product": "碎花裙"})
    )
    assert sent(dispatcher) == ["utter_ask_colour"]
    assert slot_events(events) == {
        "product": "碎花连衣裙",
        "colour": None,
        "pending_topic": "stock",
        "offer": None,
        "misunderstood": 0.0,
    }


async def test_answer_after_switch_returns_to_pending_topic(shop: ShopRepository) -> None:
    # The buyer was asked for a colour (stock), then asked about shipping to 新疆.
    tracker = make_tracker(
        "ask_shipping",
        "新疆运费多少",
        {"product": "碎花连衣裙", "region": "新疆", "pending_topic": "stock"},
    )
    dispatcher, events = await run(ActionAnswerShipping(shop=shop), tracker)
    assert sent(dispatcher) == [
        "utter_shipping_region_remote",
        "utter_back_to_topic",
        "utter_ask_colour",
    ]
    assert slot_events(events)["pending_topic"] == "stock"


async def test_sold_out_sets_the_restock_offer(shop: ShopRepository) -> None:
    slots = {"product": "碎花连衣裙", "colour": "蓝色", "size": "L"}
    dispatcher, events = await run(
        ActionAnswerStock(shop=shop), make_tracker("ask_stock", "有货吗", slots)
    )
    assert sent(dispatcher)[0] == "utter_stock_out_restock"
    assert slot_events(events)["offer"] == "restock_notice"


async def test_faq_action_answers_by_intent(shop: ShopRepository) -> None:
    dispatcher, _ = await run(ActionAnswerFaq(shop=shop), make_tracker("ask_invoice", "开发票"))
    assert sent(dispatcher) == ["utter_faq_invoice"]
    assert dispatcher.messages[0]["answer"] == shop.policies().faq["invoice"]


async def test_changing_the_data_changes_the_answer(shop_data_dir: Path, tmp_path: Path) -> None:
    """Rule E9: answers follow the shop's data with no code or template change."""
    db = tmp_path / "shop.sqlite3"
    load_shop_data(shop_data_dir, db)
    action = ActionAnswerStock(shop=ShopRepository(db))
    slots = {"product": "碎花连衣裙", "colour": "蓝色", "size": "M"}
    before, _ = await run(action, make_tracker("ask_stock", "有货吗", slots))
    assert sent(before) == ["utter_stock_available", "custom:product_card"]
    assert before.messages[0]["count"] == "20"
    assert before.messages[1]["custom"]["product_card"]["stock_state"] == "in_stock"

    products = shop_data_dir / "products.yml"
    data = yaml.safe_load(products.read_text(encoding="utf-8"))
    sku = next(s for s in data["products"][0]["skus"] if s["colour"] == "蓝色" and s["size"] == "M")
    sku.update(stock=0, restock="2027-01-08")
    products.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    shipping = shop_data_dir / "shipping.yml"
    rules = yaml.safe_load(shipping.read_text(encoding="utf-8"))
    rules["free_shipping_min_spend"] = 129
    shipping.write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    load_shop_data(shop_data_dir, db)

    after, _ = await run(action, make_tracker("ask_stock", "有货吗", slots))
    assert sent(after)[0] == "utter_stock_out_restock"
    assert after.messages[-1]["custom"]["product_card"]["stock_state"] == "out_of_stock"
    assert after.messages[0]["restock"] == "1月8日"
    shipping_reply, _ = await run(
        ActionAnswerShipping(shop=ShopRepository(db)), make_tracker("ask_shipping", "包邮吗")
    )
    assert shipping_reply.messages[0]["free_min"] == "129"
