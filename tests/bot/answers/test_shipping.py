from __future__ import annotations

import pytest

from bot.answers import Facts
from bot.answers.shipping import answer_shipping
from bot.shop import ShopRepository


def test_general_answer_names_threshold_and_carrier(shop: ShopRepository) -> None:
    outcome = answer_shipping(shop, Facts(text="运费怎么算"))
    reply = outcome.replies[0]
    assert reply.response == "utter_shipping_general"
    assert reply.params["free_min"] == "99"
    assert reply.params["default_carrier"] == "中通快递"


@pytest.mark.parametrize(
    ("region", "response", "key", "value"),
    [
        ("浙江", "utter_shipping_region", "days", "1-2"),
        ("四川", "utter_shipping_region", "days", "2-4"),
        ("新疆", "utter_shipping_region_remote", "extra_fee", "15"),
        ("西藏", "utter_shipping_region_remote", "days", "5-7"),
        ("香港", "utter_shipping_no_delivery", "reason", "暂时还没有开通跨境物流"),
        ("港澳台", "utter_shipping_no_delivery", "region", "港澳台"),
    ],
)
def test_region_rules(shop, region, response, key, value) -> None:
    reply = answer_shipping(shop, Facts(text="运费多少", region=region)).replies[0]
    assert reply.response == response
    assert reply.params[key] == value


def test_requested_carrier_is_noted_with_extra_fee(shop: ShopRepository) -> None:
    reply = answer_shipping(shop, Facts(text="能发顺丰吗", carrier="顺丰速运")).replies[0]
    assert reply.response == "utter_shipping_carrier_extra"
    assert reply.params["extra_fee"] == "12"
    free = answer_shipping(shop, Facts(text="发圆通吗", carrier="圆通")).replies[0]
    assert free.response == "utter_shipping_carrier_free"


def test_tracking_without_order_id_asks_for_it(shop: ShopRepository) -> None:
    outcome = answer_shipping(shop, Facts(text="我的快递到哪了"))
    assert outcome.missing == "order_id"


@pytest.mark.parametrize(
    ("order_id", "response"),
    [
        ("202611200002", "utter_order_shipped"),
        ("202611220003", "utter_order_waiting"),
        ("202611150001", "utter_order_delivered"),
    ],
)
def test_order_status_from_order_data(shop, order_id, response) -> None:
    outcome = answer_shipping(shop, Facts(text="查一下", order_id=order_id))
    assert outcome.replies[0].response == response
    assert outcome.replies[0].params["order_id"] == order_id


def test_shipped_order_shows_latest_tracking_event(shop: ShopRepository) -> None:
    reply = answer_shipping(shop, Facts(order_id="202611200002")).replies[0]
    assert reply.params["latest_event"].startswith("派送中")
    assert reply.params["tracking_no"] == "SF1400012345"


def test_unknown_order_asks_again(shop: ShopRepository) -> None:
    outcome = answer_shipping(shop, Facts(order_id="123456789012"))
    assert outcome.replies[0].response == "utter_order_not_found"
    assert outcome.slots == {"order_id": None}
    assert outcome.missing == "order_id"
