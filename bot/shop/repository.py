"""The one reader of the shop database (synchronous; async callers use ``asyncio.to_thread``)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from bot.errors import ShopDataError
from bot.shop.models import (
    Order,
    OrderItem,
    Policies,
    Product,
    SizeChart,
    SizeChartRow,
    Sku,
    TrackingEvent,
)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class ShopRepository:
    """Queries over the shop database built by ``bot.shop.loader``."""

    def __init__(self, db_path: Path) -> None:
        self._db_path = db_path

    @contextmanager
    def _connect(self, *, write: bool = False) -> Iterator[sqlite3.Connection]:
        mode = "rw" if write else "ro"
        try:
            db = sqlite3.connect(f"file:{self._db_path}?mode={mode}", uri=True, timeout=5)
        except sqlite3.Error as err:
            raise ShopDataError(f"cannot open shop database {self._db_path}: {err}") from err
        try:
            with db:
                yield db
        except sqlite3.Error as err:
            raise ShopDataError(f"shop database query failed: {err}") from err
        finally:
            db.close()

    def ping(self) -> None:
        """Raise ShopDataError unless the database answers a trivial query."""
        with self._connect() as db:
            db.execute("SELECT count(*) FROM products").fetchone()

    def _product_from_row(self, db: sqlite3.Connection, row: tuple) -> Product:
        pid, name, category, price, chart, fit, fit_note, material, care, similar = row
        aliases = tuple(
            a for (a,) in db.execute("SELECT alias FROM product_aliases WHERE product_id=?", (pid,))
        )
        skus = tuple(
            Sku(colour=c, size=s, stock=n, restock=_date(r))
            for c, s, n, r in db.execute(
                "SELECT colour, size, stock, restock FROM skus WHERE product_id=? ORDER BY rowid",
                (pid,),
            )
        )
        return Product(
            id=pid,
            name=name,
            category=category,
            price=price,
            size_chart=chart,
            fit=fit,
            fit_note=fit_note,
            material=material,
            care=care,
            aliases=aliases,
            similar=tuple(json.loads(similar)),
            skus=skus,
        )

    def find_product(self, name: str) -> Product | None:
        """The product whose id, name or alias is ``name`` (ignoring case), or None."""
        key = name.strip()
        with self._connect() as db:
            row = db.execute(
                "SELECT p.* FROM products p LEFT JOIN product_aliases a ON a.product_id = p.id "
                "WHERE p.id = ?1 OR lower(p.name) = lower(?1) OR lower(a.alias) = lower(?1) "
                "LIMIT 1",
                (key,),
            ).fetchone()
            return self._product_from_row(db, row) if row else None

    def product(self, product_id: str) -> Product:
        """The product with ``product_id``; raise ShopDataError if it does not exist."""
        found = self.find_product(product_id)
        if found is None:
            raise ShopDataError(f"unknown product {product_id}")
        return found

    def products(self, category: str | None = None) -> list[Product]:
        """All products, optionally of one category, in catalogue order."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT * FROM products WHERE ?1 IS NULL OR category = ?1 ORDER BY rowid",
                (category,),
            ).fetchall()
            return [self._product_from_row(db, row) for row in rows]

    def size_chart(self, chart_id: str) -> SizeChart:
        """The size chart ``chart_id``; raise ShopDataError if it does not exist."""
        with self._connect() as db:
            head = db.execute("SELECT measure FROM size_charts WHERE id=?", (chart_id,)).fetchone()
            if head is None:
                raise ShopDataError(f"unknown size chart {chart_id}")
            rows = tuple(
                SizeChartRow(
                    size=size, ranges={k: (v[0], v[1]) for k, v in json.loads(ranges).items()}
                )
                for size, ranges in db.execute(
                    "SELECT size, ranges_json FROM size_chart_rows WHERE chart_id=? "
                    "ORDER BY position",
                    (chart_id,),
                )
            )
        return SizeChart(id=chart_id, measure=head[0], rows=rows)

    def order(self, order_id: str) -> Order | None:
        """The order ``order_id`` with its items and tracking, or None."""
        with self._connect() as db:
            row = db.execute("SELECT * FROM orders WHERE id=?", (order_id.strip(),)).fetchone()
            if row is None:
                return None
            oid, status, total, region, carrier, tracking_no, paid, shipped, delivered, ins = row
            items = tuple(
                OrderItem(product_id=p, colour=c, size=s, qty=q)
                for p, c, s, q in db.execute(
                    "SELECT product_id, colour, size, qty FROM order_items WHERE order_id=? "
                    "ORDER BY position",
                    (oid,),
                )
            )
            tracking = tuple(
                TrackingEvent(time=t, event=e)
                for t, e in db.execute(
                    "SELECT time, event FROM tracking_events WHERE order_id=? ORDER BY position",
                    (oid,),
                )
            )
        return Order(
            id=oid,
            status=status,
            total=total,
            region=region,
            carrier=carrier,
            freight_insurance=bool(ins),
            paid_at=_date(paid),
            shipped_at=_date(shipped),
            delivered_at=_date(delivered),
            tracking_no=tracking_no,
            items=items,
            tracking=tracking,
        )

    def policies(self) -> Policies:
        """The shop's rule documents: shop, promotions, shipping, returns and faq."""
        with self._connect() as db:
            docs = {name: json.loads(doc) for name, doc in db.execute("SELECT * FROM documents")}
        return Policies(**docs)

    def record_restock_request(
        self, conversation_id: str, product_id: str, colour: str, size: str
    ) -> bool:
        """Note that a buyer wants to hear when a SKU is back; False if already noted."""
        with self._connect(write=True) as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO restock_requests (conversation_id, product_id, colour, size)"
                " VALUES (?,?,?,?)",
                (conversation_id, product_id, colour, size),
            )
            return cursor.rowcount == 1
