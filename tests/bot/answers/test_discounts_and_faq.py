from __future__ import annotations

from pathlib import Path

import yaml

from bot.answers import Facts
from bot.answers.discounts import answer_discount
from bot.answers.faq import answer_faq, answer_material
from bot.shop import ShopRepository, load_shop_data


def test_current_promotions_from_data(shop: ShopRepository) -> None:
    reply = answer_discount(shop, Facts(text="有优惠吗")).replies[0]
    assert reply.response == "utter_discount_current"
    assert reply.params["thresholds"] == "满300减30、满500减60"
    assert "店铺券满199减20" in reply.params["coupons"]
    assert reply.params["ends"] == "12月12日"


def test_bargaining_gets_the_rule_not_an_invented_discount(shop: ShopRepository) -> None:
    outcome = answer_discount(shop, Facts(text="能便宜点吗"))
    firm = outcome.replies[0]
    assert firm.response == "utter_discount_bargain_extra"
    assert firm.params["max_extra_off"] == "5"


def test_bargaining_when_the_price_is_final(shop_data_dir: Path, tmp_path: Path) -> None:
    path = shop_data_dir / "promotions.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["bargaining"]["max_extra_off"] = 0
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    load_shop_data(shop_data_dir, tmp_path / "s.sqlite3")
    shop = ShopRepository(tmp_path / "s.sqlite3")
    outcome = answer_discount(shop, Facts(text="再优惠点呗"))
    assert outcome.replies[0].response == "utter_discount_bargain_final"


def test_price_protection(shop: ShopRepository) -> None:
    reply = answer_discount(shop, Facts(text="买了就降价了能价保吗")).replies[0]
    assert reply.response == "utter_discount_price_protection"


def test_faq_answers_come_from_faq_file(shop: ShopRepository) -> None:
    for topic in ("invoice", "payment", "cancel_order", "change_order"):
        reply = answer_faq(shop, topic).replies[0]
        assert reply.response == f"utter_faq_{topic}"
        assert reply.params["answer"] == shop.policies().faq[topic]


def test_material_of_product(shop: ShopRepository) -> None:
    assert answer_material(shop, Facts()).missing == "product"
    reply = answer_material(shop, Facts(product="羽绒服")).replies[0]
    assert reply.params["product"] == "短款羽绒服"
    assert "白鸭绒" in reply.params["material"]
