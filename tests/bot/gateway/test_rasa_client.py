"""RasaClient against a small stand-in HTTP server (the real Rasa is in the e2e test)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import aiohttp
import pytest

from bot.errors import UpstreamError
from bot.gateway.rasa_client import BotReply, Button, RasaClient, parse_rasa_replies
from bot.settings import Settings
from bot.supervisor import free_port
from tests.support.stand_in_rasa import StandInRasa, running_stand_in_rasa


@pytest.fixture
async def stand_in() -> AsyncIterator[StandInRasa]:
    async with running_stand_in_rasa() as server:
        yield server


@pytest.fixture
async def client(stand_in: StandInRasa) -> AsyncIterator[RasaClient]:
    url = stand_in.url
    settings = replace(
        Settings.from_env({}), rasa_url=url, action_server_url=url, http_timeout_s=0.5
    )
    timeout = aiohttp.ClientTimeout(total=settings.http_timeout_s)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        yield RasaClient(session, settings)


async def test_send_posts_the_rest_channel_body(client, stand_in) -> None:
    replies = await client.send("conv-1", "有货吗", {"script": "simplified"})
    assert stand_in.received == [
        {"sender": "conv-1", "message": "有货吗", "metadata": {"script": "simplified"}}
    ]
    assert replies == [BotReply("您好")]


@pytest.mark.parametrize(
    ("status", "body"),
    [(500, "[]"), (404, "[]"), (200, "<html>"), (200, '{"text": "x"}'), (200, "[1]")],
)
async def test_unusable_answers_raise_upstream_error(client, stand_in, status, body) -> None:
    stand_in.webhook_status, stand_in.raw_webhook_body = status, body
    with pytest.raises(UpstreamError):
        await client.send("conv-1", "hi", {})


async def test_timeout_raises_upstream_error(client, stand_in) -> None:
    stand_in.delay_s = 2.0
    with pytest.raises(UpstreamError, match="timed out"):
        await client.send("conv-1", "hi", {})


async def test_refused_connection_raises_upstream_error() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    settings = replace(Settings.from_env({}), rasa_url=url, action_server_url=url)
    async with aiohttp.ClientSession() as session:
        client = RasaClient(session, settings)
        with pytest.raises(UpstreamError, match="cannot connect") as caught:
            await client.send("c", "hi", {})
        assert isinstance(caught.value.__cause__, aiohttp.ClientConnectionError)
        with pytest.raises(UpstreamError):
            await client.rasa_status()
        with pytest.raises(UpstreamError):
            await client.action_server_status()


async def test_status_checks(client) -> None:
    assert await client.rasa_status() == "Hello from Rasa: 3.6.21"
    assert await client.action_server_status() == "ok"


def test_parse_rasa_replies_keeps_buttons_custom_and_images() -> None:
    payload = [
        {
            "recipient_id": "c",
            "text": "请选择",
            "buttons": [{"title": "尺码", "payload": "/ask_size"}, "junk"],
        },
        {"recipient_id": "c", "custom": {"card": 1}},
        {"recipient_id": "c", "image": "https://shop.example/p.png"},
        {"recipient_id": "c"},
    ]
    assert parse_rasa_replies(payload) == [
        BotReply("请选择", (Button("尺码", "/ask_size"),), None),
        BotReply(None, (), {"card": 1}),
        BotReply(None, (), {"image": "https://shop.example/p.png"}),
    ]
