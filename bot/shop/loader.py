"""Load the shop's readable files (``data/shop/*.yml``) into SQLite.

Catalogue tables are rebuilt in one transaction on every load, so the database always
matches the files; buyer requests recorded at run time (restock notices) are kept.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.errors import ShopDataError
from bot.shop.schema import CATALOGUE_TABLES, SCHEMA

# libyaml's loader when present: the catalogue is parsed on every load and in every test.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DOCUMENTS = ("shop", "promotions", "shipping", "returns", "faq")


def read_yaml(path: Path) -> dict[str, Any]:
    """Parse one YAML mapping file, raising ShopDataError when it is missing or malformed."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except (OSError, yaml.YAMLError) as err:
        raise ShopDataError(f"cannot read shop data file {path}: {err}") from err
    if not isinstance(data, dict):
        raise ShopDataError(f"{path} must hold a mapping at the top level")
    return data


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError as err:
        raise ShopDataError(f"not an ISO date: {value!r}") from err


def _json_default(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in a shop document")


def _insert_products(db: sqlite3.Connection, products: list[dict[str, Any]]) -> None:
    for p in products:
        try:
            db.execute(
                "INSERT INTO products VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    p["id"],
                    p["name"],
                    p["category"],
                    float(p["price"]),
                    p["size_chart"],
                    p["fit"],
                    p["fit_note"],
                    p["material"],
                    p["care"],
                    json.dumps(p.get("similar", [])),
                ),
            )
            for alias in p.get("aliases", []):
                db.execute("INSERT INTO product_aliases VALUES (?,?)", (alias, p["id"]))
            for sku in p["skus"]:
                db.execute(
                    "INSERT INTO skus VALUES (?,?,?,?,?)",
                    (
                        p["id"],
                        sku["colour"],
                        str(sku["size"]),
                        int(sku["stock"]),
                        _iso(sku.get("restock")),
                    ),
                )
        except (KeyError, TypeError, ValueError) as err:
            raise ShopDataError(f"product {p.get('id', '?')} is incomplete: {err!r}") from err
        except sqlite3.IntegrityError as err:
            raise ShopDataError(f"product {p.get('id', '?')} repeats a key: {err}") from err


def _insert_size_charts(db: sqlite3.Connection, charts: dict[str, Any]) -> None:
    for chart_id, chart in charts.items():
        db.execute("INSERT INTO size_charts VALUES (?,?)", (chart_id, chart["measure"]))
        for position, row in enumerate(chart["rows"]):
            ranges = {k: [float(v[0]), float(v[1])] for k, v in row.items() if k != "size"}
            db.execute(
                "INSERT INTO size_chart_rows VALUES (?,?,?,?)",
                (chart_id, position, str(row["size"]), json.dumps(ranges)),
            )


def _insert_orders(db: sqlite3.Connection, orders: list[dict[str, Any]]) -> None:
    for o in orders:
        try:
            db.execute(
                "INSERT INTO orders VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    str(o["id"]),
                    o["status"],
                    float(o["total"]),
                    o["region"],
                    o["carrier"],
                    o.get("tracking_no"),
                    _iso(o.get("paid_at")),
                    _iso(o.get("shipped_at")),
                    _iso(o.get("delivered_at")),
                    int(bool(o.get("freight_insurance"))),
                ),
            )
            for position, item in enumerate(o.get("items", [])):
                db.execute(
                    "INSERT INTO order_items VALUES (?,?,?,?,?,?)",
                    (
                        str(o["id"]),
                        position,
                        item["product"],
                        item["colour"],
                        str(item["size"]),
                        int(item.get("qty", 1)),
                    ),
                )
            for position, event in enumerate(o.get("tracking", [])):
                db.execute(
                    "INSERT INTO tracking_events VALUES (?,?,?,?)",
                    (str(o["id"]), position, str(event["time"]), event["event"]),
                )
        except (KeyError, TypeError, ValueError) as err:
            raise ShopDataError(f"order {o.get('id', '?')} is incomplete: {err!r}") from err


def _check_references(db: sqlite3.Connection) -> None:
    checks = {
        "a product names a size chart that does not exist": (
            "SELECT id FROM products WHERE size_chart NOT IN (SELECT id FROM size_charts)"
        ),
        "an order names a product that does not exist": (
            "SELECT order_id FROM order_items WHERE product_id NOT IN (SELECT id FROM products)"
        ),
        "an alias repeats a product name": (
            "SELECT alias FROM product_aliases WHERE alias IN (SELECT name FROM products)"
        ),
    }
    for problem, query in checks.items():
        bad = [row[0] for row in db.execute(query)]
        if bad:
            raise ShopDataError(f"{problem}: {', '.join(map(str, bad))}")


def load_shop_data(data_dir: Path, db_path: Path) -> None:
    """Rebuild the catalogue tables of ``db_path`` from the files in ``data_dir``.

    Raises:
        ShopDataError: a file is missing or malformed, or references do not resolve.
    """
    docs = {name: read_yaml(data_dir / f"{name}.yml") for name in DOCUMENTS}
    products = read_yaml(data_dir / "products.yml").get("products", [])
    charts = read_yaml(data_dir / "size_charts.yml").get("size_charts", {})
    orders = read_yaml(data_dir / "orders.yml").get("orders", [])
    db_path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(db_path)
    try:
        with db:
            for table in CATALOGUE_TABLES:
                db.execute(f"DROP TABLE IF EXISTS {table}")
            db.executescript(SCHEMA)
            _insert_products(db, products)
            _insert_size_charts(db, charts)
            _insert_orders(db, orders)
            for name, doc in docs.items():
                db.execute(
                    "INSERT INTO documents VALUES (?,?)",
                    (name, json.dumps(doc, ensure_ascii=False, default=_json_default)),
                )
            _check_references(db)
    except sqlite3.Error as err:
        raise ShopDataError(f"cannot write shop database {db_path}: {err}") from err
    finally:
        db.close()


def main() -> None:
    """Load ``data/shop`` into the configured database (``python -m bot.shop.loader``)."""
    from bot.settings import Settings

    settings = Settings.from_env()
    load_shop_data(settings.shop_data_dir, settings.shop_db_path)
    print(f"shop data loaded into {settings.shop_db_path}")


if __name__ == "__main__":
    main()
