"""Product cards repeat the facts of a stock answer for the widget to draw."""

from __future__ import annotations

import pytest

from bot.answers.cards import product_card, stock_state
from bot.shop.models import Product, Sku


def _dress(*skus: Sku) -> Product:
    return Product(
        id="P1", name="碎花连衣裙", category="women", price=199.0, size_chart="c",
        fit="", fit_note="", material="", care="", skus=skus,
    )  # fmt: skip


@pytest.mark.parametrize(("stock", "state"), [(0, "out_of_stock"), (-1, "out_of_stock"),
                                               (1, "low_stock"), (4, "low_stock"),
                                               (5, "in_stock"), (80, "in_stock")])  # fmt: skip
def test_stock_state_thresholds(stock: int, state: str) -> None:
    assert stock_state(stock) == state


def test_a_sku_card_counts_only_that_sku() -> None:
    dress = _dress(Sku("蓝色", "M", 0), Sku("蓝色", "L", 30), Sku("粉色", "M", 2))
    card = product_card(dress, "蓝色", "M")["product_card"]
    assert card == {
        "product_id": "P1", "name": "碎花连衣裙", "price": 199.0, "image": None,
        "stock_state": "out_of_stock", "colour": "蓝色", "size": "M",
    }  # fmt: skip


def test_a_colour_card_sums_its_sizes() -> None:
    dress = _dress(Sku("蓝色", "M", 1), Sku("蓝色", "L", 2), Sku("粉色", "M", 50))
    assert product_card(dress, "蓝色", None)["product_card"]["stock_state"] == "low_stock"
    assert product_card(dress, None, None)["product_card"]["stock_state"] == "in_stock"
