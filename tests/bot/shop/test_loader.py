from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import yaml

from bot.errors import ShopDataError
from bot.shop import ShopRepository, load_shop_data


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_loads_every_product_and_order(shop: ShopRepository) -> None:
    products = shop.products()
    assert len(products) == 12
    assert {p.category for p in products} == {"women", "kids", "shoes"}
    assert shop.order("202611200002") is not None


def test_reload_replaces_catalogue_but_keeps_restock_requests(
    shop_data_dir: Path, tmp_path: Path
) -> None:
    db = tmp_path / "shop.sqlite3"
    load_shop_data(shop_data_dir, db)
    ShopRepository(db).record_restock_request("c1", "W101", "蓝色", "L")
    _edit(shop_data_dir / "products.yml", lambda d: d["products"].pop())
    load_shop_data(shop_data_dir, db)
    assert len(ShopRepository(db).products()) == 11
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM restock_requests").fetchone() == (1,)


def test_missing_file_is_a_clear_error(shop_data_dir: Path, tmp_path: Path) -> None:
    (shop_data_dir / "returns.yml").unlink()
    with pytest.raises(ShopDataError, match="returns.yml"):
        load_shop_data(shop_data_dir, tmp_path / "x.sqlite3")


def test_unknown_size_chart_is_rejected(shop_data_dir: Path, tmp_path: Path) -> None:
    _edit(
        shop_data_dir / "products.yml",
        lambda d: d["products"][0].update(size_chart="no_such_chart"),
    )
    with pytest.raises(ShopDataError, match="size chart"):
        load_shop_data(shop_data_dir, tmp_path / "x.sqlite3")


def test_incomplete_product_is_rejected(shop_data_dir: Path, tmp_path: Path) -> None:
    _edit(shop_data_dir / "products.yml", lambda d: d["products"][0].pop("price"))
    with pytest.raises(ShopDataError, match="W101"):
        load_shop_data(shop_data_dir, tmp_path / "x.sqlite3")


def test_malformed_yaml_is_rejected(shop_data_dir: Path, tmp_path: Path) -> None:
    (shop_data_dir / "faq.yml").write_text("invoice: [unclosed", encoding="utf-8")
    with pytest.raises(ShopDataError, match="faq.yml"):
        load_shop_data(shop_data_dir, tmp_path / "x.sqlite3")
