from __future__ import annotations

import pytest

from bot.answers import Facts
from bot.answers.sizing import recommend_size
from bot.shop import ShopRepository


def test_adult_needs_height_and_weight(shop: ShopRepository) -> None:
    assert recommend_size(shop, Facts(product="大衣")).missing == "height"
    assert recommend_size(shop, Facts(product="大衣", height=165)).missing == "weight"
    assert recommend_size(shop, Facts(product="大衣", weight=55)).missing == "height"


@pytest.mark.parametrize(
    ("height", "weight", "size", "response"),
    [
        (165, 57, "L", "utter_size_recommend_adult"),
        (155, 45, "S", "utter_size_recommend_adult"),
        (160, 58, "L", "utter_size_recommend_adult_between"),  # M by height, L by weight
    ],
)
def test_adult_recommendation_from_chart(
    shop: ShopRepository, height: float, weight: float, size: str, response: str
) -> None:
    outcome = recommend_size(shop, Facts(product="羊毛大衣", height=height, weight=weight))
    first, fit = outcome.replies
    assert first.response == response
    assert first.params["size"] == size
    assert fit.response == "utter_size_fit_note"
    assert "宽松" in fit.params["fit_note"]


def test_out_of_chart_is_honest_and_offers_a_human(shop: ShopRepository) -> None:
    outcome = recommend_size(shop, Facts(product="羊毛大衣", height=190, weight=60))
    assert [r.response for r in outcome.replies] == ["utter_size_out_of_chart_height"]
    assert outcome.replies[0].params == {
        "product": "羊毛大衣",
        "value": "190",
        "min": "150",
        "max": "176",
    }
    assert outcome.offer == "human"


def test_kids_by_height_then_by_age(shop: ShopRepository) -> None:
    by_height = recommend_size(shop, Facts(product="儿童卫衣", height=105, age=5))
    assert by_height.replies[0].response == "utter_size_recommend_kids"
    assert by_height.replies[0].params["size"] == "110"
    by_age = recommend_size(shop, Facts(product="儿童卫衣", age=5))
    assert by_age.replies[0].response == "utter_size_recommend_kids_by_age"
    assert by_age.replies[0].params["size"] == "120"
    assert recommend_size(shop, Facts(product="儿童卫衣")).missing == "height"


def test_shoes_by_foot_length(shop: ShopRepository) -> None:
    assert recommend_size(shop, Facts(product="小白鞋")).missing == "foot_length"
    outcome = recommend_size(shop, Facts(product="小白鞋", foot_length=23.6))
    assert outcome.replies[0].params["size"] == "38"
    kids = recommend_size(shop, Facts(product="童鞋", foot_length=17))
    assert kids.replies[0].params["size"] == "28"
