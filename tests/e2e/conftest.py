"""The real assistant for end-to-end tests: action server, Rasa server and gateway as
processes, on free ports, with their state in a temporary directory.

Starting Rasa takes half a minute, so one set of servers serves the whole session; every
test opens its own conversation, so no test sees another's state.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from bot.run import private_environment, running_assistant
from bot.settings import Settings
from tests.conftest import DEMO_TODAY


@dataclass(frozen=True)
class RunningAssistant:
    """Addresses of a running assistant."""

    gateway_url: str
    ws_url: str
    rasa_url: str


@pytest.fixture(scope="session")
def assistant(
    tmp_path_factory: pytest.TempPathFactory, trained_model: Path
) -> Iterator[RunningAssistant]:
    """Start the three servers once per session and stop them at the end."""
    env = private_environment(tmp_path_factory.mktemp("assistant"), DEMO_TODAY.isoformat())
    settings = Settings.from_env(env)
    with running_assistant(settings, trained_model, env=env) as processes:
        try:
            port = settings.gateway_port
            yield RunningAssistant(
                f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/ws/buyer", settings.rasa_url
            )
        finally:
            for process in processes:  # shown by pytest when a test of the session failed
                print(f"----- {process.name} log (tail) -----\n{process.log_tail(3000)}")


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A client session for one test."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        yield session
