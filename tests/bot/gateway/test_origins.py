"""Which pages may embed the widget: the gateway's own, the listed origins, no others."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.support.gateway import RunningGateway, running_gateway
from tests.support.processes import attach_to_test

SHOP = "http://shop.example"
EVIL = "http://evil.example"


@pytest.fixture
async def gateway(tmp_path: Path, request) -> AsyncIterator[RunningGateway]:
    env = {"WIDGET_ALLOWED_ORIGINS": f"{SHOP}, https://other.example"}
    async with running_gateway(tmp_path, extra_env=env) as gw:
        attach_to_test(request.node, gw.process)
        yield gw


async def test_a_listed_origin_may_open_the_buyer_socket(gateway, http) -> None:
    async with http.ws_connect(gateway.ws_url, headers={"Origin": SHOP}) as ws:
        assert (await ws.receive_json(timeout=5))["type"] == "welcome"


async def test_another_origin_is_refused_before_the_welcome(gateway, http) -> None:
    async with http.ws_connect(gateway.ws_url, headers={"Origin": EVIL}) as ws:
        message = await ws.receive(timeout=5)
        assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        assert ws.close_code == 4403


async def test_the_gateway_s_own_pages_need_no_listing(gateway, http) -> None:
    async with http.ws_connect(gateway.ws_url, headers={"Origin": gateway.base_url}) as ws:
        assert (await ws.receive_json(timeout=5))["type"] == "welcome"


async def test_rest_grants_cors_to_listed_origins_only(gateway, http) -> None:
    url = f"{gateway.base_url}/api/conversations"
    async with http.post(url, headers={"Origin": SHOP}) as response:
        assert response.status == 201
        assert response.headers["Access-Control-Allow-Origin"] == SHOP
    async with http.post(url, headers={"Origin": EVIL}) as response:
        assert (response.status, (await response.json())["error"]) == (403, "forbidden_origin")
    preflight = {"Origin": SHOP, "Access-Control-Request-Method": "POST"}
    async with http.options(f"{url}/abc/messages", headers=preflight) as response:
        assert response.status == 204
        assert response.headers["Access-Control-Allow-Headers"] == "Content-Type"
    async with http.options(url, headers={**preflight, "Origin": EVIL}) as response:
        assert response.status == 403
        assert "Access-Control-Allow-Origin" not in response.headers
