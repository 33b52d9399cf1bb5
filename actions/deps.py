"""Dependencies of the actions, built on first use (never at import)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from bot.settings import Settings
from bot.shop import ShopRepository


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The action server's settings, read from the environment once."""
    return Settings.from_env()


@lru_cache(maxsize=1)
def default_shop() -> ShopRepository:
    """The shop repository over the configured database."""
    return ShopRepository(settings().shop_db_path)


def today() -> date:
    """Today's date, unless SHOP_TODAY fixes it."""
    return settings().shop_today or date.today()
