"""Fixtures shared by the whole suite: fresh copies of the real shop data per test."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT
from bot.shop import ShopRepository, load_shop_data

# The small training project's models (session fixtures shared by the trainer and gateway
# tests).
pytest_plugins = [
    "tests.bot.trainer.training_support",
    "tests.support.postgres",
    "tests.support.redis",
]

REAL_SHOP_DATA = PROJECT_ROOT / "data" / "shop"
DEMO_TODAY = date(2026, 11, 23)  # the demo orders are dated around this day


@pytest.fixture
def shop_data_dir(tmp_path: Path) -> Path:
    """A private copy of data/shop that a test may edit."""
    target = tmp_path / "shop_data"
    shutil.copytree(REAL_SHOP_DATA, target)
    return target


@pytest.fixture
def shop(shop_data_dir: Path, tmp_path: Path) -> ShopRepository:
    """The real demo shop, loaded into a fresh SQLite file."""
    db_path = tmp_path / "shop.sqlite3"
    load_shop_data(shop_data_dir, db_path)
    return ShopRepository(db_path)


@pytest.fixture(params=["sqlite", "postgresql"])
def gateway_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The gateway's database for a store test: once SQLite, once PostgreSQL (the same
    code and migrations serve both)."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'gateway.sqlite3'}"
    return request.getfixturevalue("postgres_db_url")


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The model for the current data and config (trained once, cached by its hash).

    ``SHOP_TEST_MODEL=<path>`` uses that model instead: a shortcut while iterating on
    code that does not change the model; CI never sets it.
    """
    from bot.training import train

    override = os.environ.get("SHOP_TEST_MODEL")
    return Path(override) if override else train()
