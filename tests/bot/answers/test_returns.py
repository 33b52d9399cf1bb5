from __future__ import annotations

from bot.answers import Facts
from bot.answers.returns import answer_return
from bot.shop import ShopRepository
from tests.conftest import DEMO_TODAY


def responses(outcome) -> list[str]:
    return [r.response for r in outcome.replies]


def test_general_policy_without_details(shop: ShopRepository) -> None:
    outcome = answer_return(shop, Facts(text="可以退货吗", today=DEMO_TODAY))
    assert responses(outcome) == [
        "utter_return_policy",
        "utter_return_postage",
        "utter_return_steps",
    ]


def test_days_from_order_delivery(shop: ShopRepository) -> None:
    # delivered 2026-11-17, today 2026-11-23: 6 days, inside the 7-day window, insured
    outcome = answer_return(shop, Facts(text="能退吗", order_id="202611150001", today=DEMO_TODAY))
    assert responses(outcome)[:2] == ["utter_return_eligible", "utter_return_postage_insured"]
    assert outcome.replies[0].params["days"] == "6"


def test_expired_window_offers_human(shop: ShopRepository) -> None:
    # delivered 2026-11-12: 11 days
    outcome = answer_return(shop, Facts(text="想退", order_id="202611050004", today=DEMO_TODAY))
    assert responses(outcome) == ["utter_return_expired"]
    assert outcome.offer == "human"


def test_days_from_the_message(shop: ShopRepository) -> None:
    outcome = answer_return(shop, Facts(text="收到3天了能退吗", today=DEMO_TODAY))
    assert responses(outcome)[0] == "utter_return_eligible"
    outcome = answer_return(shop, Facts(text="收到10天了还能退吗", today=DEMO_TODAY))
    assert responses(outcome) == ["utter_return_expired"]


def test_quality_problem_shop_pays_postage(shop: ShopRepository) -> None:
    outcome = answer_return(shop, Facts(text="衣服开线了", today=DEMO_TODAY))
    assert responses(outcome) == ["utter_return_quality", "utter_return_steps"]
    assert "店铺承担" in outcome.replies[0].params["postage"]


def test_quality_problem_beyond_window(shop: ShopRepository) -> None:
    outcome = answer_return(shop, Facts(text="收到20天了质量有问题", today=DEMO_TODAY))
    assert responses(outcome) == ["utter_return_quality_expired"]


def test_worn_and_tags_cases(shop: ShopRepository) -> None:
    assert responses(answer_return(shop, Facts(text="穿过一次能退吗")))[0] == (
        "utter_return_condition_worn"
    )
    assert responses(answer_return(shop, Facts(text="吊牌剪了还能退吗")))[0] == (
        "utter_return_condition_tags"
    )


def test_refund_timeline(shop: ShopRepository) -> None:
    outcome = answer_return(shop, Facts(text="退款多久到账"))
    assert responses(outcome) == ["utter_return_refund"]
    assert outcome.replies[0].params["refund_days"] == "1-3"
