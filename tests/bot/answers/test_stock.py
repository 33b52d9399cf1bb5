from __future__ import annotations

from bot.answers import Facts
from bot.answers.stock import answer_stock, record_restock_notice
from bot.shop import ShopRepository


def responses(outcome) -> list[str]:
    return [r.response for r in outcome.replies]


def test_asks_for_product_first(shop: ShopRepository) -> None:
    outcome = answer_stock(shop, Facts())
    assert outcome.missing == "product"
    assert responses(outcome) == ["utter_ask_product_for_stock"]


def test_unknown_product_lists_catalogue_and_forgets_it(shop: ShopRepository) -> None:
    outcome = answer_stock(shop, Facts(product="格子衬衫"))
    assert responses(outcome) == ["utter_product_not_found"]
    assert outcome.slots == {"product": None}
    assert "碎花连衣裙" in outcome.replies[0].params["catalogue"]


def test_asks_colour_with_the_real_colours(shop: ShopRepository) -> None:
    outcome = answer_stock(shop, Facts(product="碎花裙"))
    assert outcome.missing == "colour"
    assert outcome.replies[0].params["colours"] == "蓝色、粉色"
    assert outcome.slots["product"] == "碎花连衣裙"


def test_colour_the_product_lacks_is_corrected(shop: ShopRepository) -> None:
    outcome = answer_stock(shop, Facts(product="碎花裙", colour="黑色"))
    assert responses(outcome) == ["utter_colour_not_offered"]
    assert outcome.slots["colour"] is None


def test_asks_size_listing_sizes_in_stock(shop: ShopRepository) -> None:
    outcome = answer_stock(shop, Facts(product="碎花裙", colour="蓝色"))
    assert outcome.missing == "size"
    assert outcome.replies[0].params["sizes"] == "S、M、XL"  # L is sold out


def test_in_stock_reports_count(shop: ShopRepository) -> None:
    outcome = answer_stock(shop, Facts(product="碎花连衣裙", colour="蓝色", size="M"))
    assert responses(outcome) == ["utter_stock_available"]
    assert outcome.replies[0].params["count"] == "20"
    assert outcome.missing is None


def test_low_stock_is_flagged(shop: ShopRepository) -> None:
    outcome = answer_stock(shop, Facts(product="短款羽绒服", colour="红色", size="XL"))
    assert responses(outcome) == ["utter_stock_low"]


def test_sold_out_with_restock_date_alternatives_and_offer(shop: ShopRepository) -> None:
    outcome = answer_stock(shop, Facts(product="碎花连衣裙", colour="蓝色", size="L"))
    assert responses(outcome) == [
        "utter_stock_out_restock",
        "utter_stock_alternatives_same",
        "utter_stock_alternatives_similar",
        "utter_offer_restock_notice",
    ]
    assert outcome.replies[0].params["restock"] == "12月5日"
    assert "蓝色M码" in outcome.replies[1].params["alternatives"]
    assert outcome.offer == "restock_notice"


def test_sold_out_without_date(shop: ShopRepository) -> None:
    outcome = answer_stock(shop, Facts(product="碎花连衣裙", colour="粉色", size="XL"))
    assert responses(outcome)[0] == "utter_stock_out_no_date"


def test_size_not_offered(shop: ShopRepository) -> None:
    outcome = answer_stock(shop, Facts(product="碎花连衣裙", colour="蓝色", size="3XL"))
    assert responses(outcome) == ["utter_size_not_offered"]
    assert outcome.slots["size"] is None


def test_restock_notice_recorded_then_acknowledged(shop: ShopRepository) -> None:
    facts = Facts(product="碎花连衣裙", colour="蓝色", size="L", conversation_id="c9")
    assert responses(record_restock_notice(shop, facts)) == ["utter_restock_notice_recorded"]
    assert responses(record_restock_notice(shop, facts)) == ["utter_restock_notice_exists"]
