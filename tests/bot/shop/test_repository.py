from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.errors import ShopDataError
from bot.shop import ShopRepository


@pytest.mark.parametrize("name", ["碎花连衣裙", "碎花裙", "W101", " 连衣裙 "])
def test_find_product_by_name_alias_or_id(shop: ShopRepository, name: str) -> None:
    product = shop.find_product(name)
    assert product is not None and product.id == "W101"


def test_unknown_product_is_none(shop: ShopRepository) -> None:
    assert shop.find_product("格子衬衫") is None
    with pytest.raises(ShopDataError):
        shop.product("nope")


def test_skus_keep_stock_and_restock(shop: ShopRepository) -> None:
    dress = shop.product("W101")
    assert dress.colours == ("蓝色", "粉色")
    assert dress.sizes == ("S", "M", "L", "XL")
    sold_out = dress.sku("蓝色", "L")
    assert sold_out is not None and sold_out.stock == 0
    assert sold_out.restock == date(2026, 12, 5)
    assert dress.sku("蓝色", "3XL") is None


def test_size_chart_rows_in_order(shop: ShopRepository) -> None:
    chart = shop.size_chart("kids_apparel")
    assert chart.measure == "height_age"
    assert [r.size for r in chart.rows][:3] == ["90", "100", "110"]
    assert chart.rows[0].ranges["height"] == (80.0, 90.0)


def test_order_with_tracking(shop: ShopRepository) -> None:
    order = shop.order("202611200002")
    assert order is not None
    assert order.status == "已发货" and order.carrier == "顺丰速运"
    assert order.tracking[-1].event.startswith("派送中")
    assert order.items[0].product_id == "W102"
    assert shop.order("999999999999") is None


def test_policies_documents(shop: ShopRepository) -> None:
    policies = shop.policies()
    assert policies.shipping["free_shipping_min_spend"] == 99
    assert policies.returns["no_reason_days"] == 7
    assert policies.shop["assistant_name"] == "小悦"


def test_restock_request_recorded_once(shop: ShopRepository) -> None:
    assert shop.record_restock_request("conv", "W101", "蓝色", "L") is True
    assert shop.record_restock_request("conv", "W101", "蓝色", "L") is False


def test_missing_database_is_a_shop_error(tmp_path: Path) -> None:
    with pytest.raises(ShopDataError):
        ShopRepository(tmp_path / "absent.sqlite3").ping()
