"""Typed, immutable records of the shop's data, as the repository returns them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Sku:
    """One colour x size of a product."""

    colour: str
    size: str
    stock: int
    restock: date | None = None

    @property
    def in_stock(self) -> bool:
        """Whether at least one piece can be sold now."""
        return self.stock > 0


@dataclass(frozen=True)
class Product:
    """A product of the catalogue with its SKUs."""

    id: str
    name: str
    category: str
    price: float
    size_chart: str
    fit: str
    fit_note: str
    material: str
    care: str
    aliases: tuple[str, ...] = ()
    similar: tuple[str, ...] = ()
    skus: tuple[Sku, ...] = ()

    @property
    def colours(self) -> tuple[str, ...]:
        """Colours in catalogue order, without repeats."""
        return tuple(dict.fromkeys(sku.colour for sku in self.skus))

    @property
    def sizes(self) -> tuple[str, ...]:
        """Sizes in catalogue order, without repeats."""
        return tuple(dict.fromkeys(sku.size for sku in self.skus))

    def sku(self, colour: str, size: str) -> Sku | None:
        """The SKU for ``colour`` and ``size``, or None when the product has no such SKU."""
        return next((s for s in self.skus if s.colour == colour and s.size == size), None)

    @property
    def in_stock(self) -> bool:
        """Whether any SKU of the product is in stock."""
        return any(s.in_stock for s in self.skus)


@dataclass(frozen=True)
class SizeChartRow:
    """One size and the measurement ranges it fits; each range is [min, max)."""

    size: str
    ranges: dict[str, tuple[float, float]]


@dataclass(frozen=True)
class SizeChart:
    """A size chart: which measurements it uses and its rows, smallest size first."""

    id: str
    measure: str
    rows: tuple[SizeChartRow, ...]


@dataclass(frozen=True)
class TrackingEvent:
    """One line of an order's tracking history."""

    time: str
    event: str


@dataclass(frozen=True)
class OrderItem:
    """A product line of an order."""

    product_id: str
    colour: str
    size: str
    qty: int


@dataclass(frozen=True)
class Order:
    """A buyer's order with its status and tracking."""

    id: str
    status: str
    total: float
    region: str
    carrier: str
    freight_insurance: bool
    paid_at: date | None
    shipped_at: date | None = None
    delivered_at: date | None = None
    tracking_no: str | None = None
    items: tuple[OrderItem, ...] = ()
    tracking: tuple[TrackingEvent, ...] = ()


@dataclass(frozen=True)
class Policies:
    """The shop's rule documents (shop, promotions, shipping, returns, faq) as parsed YAML."""

    shop: dict[str, Any] = field(default_factory=dict)
    promotions: dict[str, Any] = field(default_factory=dict)
    shipping: dict[str, Any] = field(default_factory=dict)
    returns: dict[str, Any] = field(default_factory=dict)
    faq: dict[str, Any] = field(default_factory=dict)
