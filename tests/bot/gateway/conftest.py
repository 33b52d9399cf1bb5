"""Fixtures: a real gateway process per test, with Rasa and the action server unreachable."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.gateway.messages import GatewayMessages, load_messages
from bot.settings import PROJECT_ROOT
from bot.shop.loader import read_yaml
from tests.support.gateway import RunningGateway, running_gateway
from tests.support.processes import (
    attach_to_test,
    pytest_runtest_makereport,  # noqa: F401 - hook: failing tests show the gateway's log
)
from tests.support.stand_in_rasa import StandInRasa, running_stand_in_rasa


@pytest.fixture
async def gateway(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[RunningGateway]:
    """A fresh gateway (fresh database in ``tmp_path``) for one test."""
    async with running_gateway(tmp_path) as running:
        attach_to_test(request.node, running.process)
        yield running


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A client session for REST and WebSocket calls."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as session:
        yield session


@pytest.fixture(scope="session")
def gateway_messages() -> GatewayMessages:
    """The texts the gateway sends on its own behalf (what buyers should see)."""
    return load_messages()


@pytest.fixture(scope="session")
def no_agents_notice(gateway_messages: GatewayMessages) -> str:
    """What a buyer handed to humans reads when no agent is online."""
    facts = read_yaml(PROJECT_ROOT / "data" / "shop" / "shop.yml")
    return gateway_messages.render("handoff_no_agents", **facts)


# What the real handoff action sends: a reply, then the payload the gateway acts on.
HANDOFF_REPLIES = [
    {"recipient_id": "x", "text": "非常理解您的心情…这就为您转接人工客服"},
    {"recipient_id": "x", "custom": {"handoff": {
        "reason": "strong_negative", "sentiment": {"label": "negative", "confidence": 0.97},
        "intent": "complain", "slots": {"order_id": "202611150001"}}}},
]  # fmt: skip


@pytest.fixture
async def handoff_rasa() -> AsyncIterator[StandInRasa]:
    """A stand-in Rasa whose every answer hands the buyer to a person."""
    async with running_stand_in_rasa() as stand_in:
        stand_in.replies = HANDOFF_REPLIES
        yield stand_in
