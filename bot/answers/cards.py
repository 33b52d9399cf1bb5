"""Product cards: the structured part of a stock answer that the widget draws as a card.

The text of the answer stays in the response templates; the card only repeats facts
(name, price, stock state) so the buyer can see them at a glance.
"""

from __future__ import annotations

from typing import Any

from bot.shop.models import Product

LOW_STOCK = 5
CARD_KEY = "product_card"


def stock_state(stock: int) -> str:
    """``in_stock``, ``low_stock`` (fewer than LOW_STOCK) or ``out_of_stock``."""
    if stock <= 0:
        return "out_of_stock"
    return "low_stock" if stock < LOW_STOCK else "in_stock"


def product_card(product: Product, colour: str | None, size: str | None) -> dict[str, Any]:
    """The card payload for a product, and for one SKU of it when colour and size are known."""
    skus = [
        s
        for s in product.skus
        if (colour is None or s.colour == colour) and (size is None or s.size == size)
    ]
    return {
        CARD_KEY: {
            "product_id": product.id,
            "name": product.name,
            "price": product.price,
            "image": None,
            "stock_state": stock_state(sum(max(s.stock, 0) for s in skus)),
            "colour": colour,
            "size": size,
        }
    }
