"""The shop's data: one source for the bot and for human agents (etiquette rule E9).

``loader`` reads the readable files in ``data/shop/`` into SQLite; ``repository`` is the
only reader of that database.
"""

from bot.shop.loader import load_shop_data
from bot.shop.repository import ShopRepository

__all__ = ["ShopRepository", "load_shop_data"]
