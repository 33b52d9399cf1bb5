"""The real assistant for end-to-end tests: action server, Rasa server and gateway as
processes, on free ports, with their state in a temporary directory.

Starting Rasa takes half a minute, so one set of servers serves the whole session; every
test opens its own conversation, so no test sees another's state.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from bot.run import build_processes
from bot.settings import Settings
from bot.shop import load_shop_data
from bot.supervisor import ManagedProcess
from tests.conftest import DEMO_TODAY, REAL_SHOP_DATA
from tests.support.processes import free_port

STARTUP_TIMEOUT_S = 240.0


@dataclass(frozen=True)
class RunningAssistant:
    """Addresses of a running assistant."""

    gateway_url: str
    ws_url: str
    rasa_url: str
    processes: tuple[ManagedProcess, ...]


@pytest.fixture(scope="session")
def assistant(
    tmp_path_factory: pytest.TempPathFactory, trained_model: Path
) -> Iterator[RunningAssistant]:
    """Start the three servers once per session and stop them at the end."""
    state = tmp_path_factory.mktemp("assistant")
    env = {
        "SHOP_VAR_DIR": str(state / "var"),
        "SHOP_TODAY": DEMO_TODAY.isoformat(),
        "RASA_URL": f"http://127.0.0.1:{free_port()}",
        "ACTION_SERVER_URL": f"http://127.0.0.1:{free_port()}",
        "GATEWAY_PORT": str(free_port()),
        "GATEWAY_DB_URL": "",
    }
    settings = Settings.from_env(env)
    load_shop_data(REAL_SHOP_DATA, settings.shop_db_path)
    processes = build_processes(settings, trained_model, env=env)
    try:
        for process in processes:
            process.start()
        for process in processes:
            process.wait_ready(STARTUP_TIMEOUT_S)
        gateway = f"http://127.0.0.1:{settings.gateway_port}"
        yield RunningAssistant(
            gateway,
            f"ws://127.0.0.1:{settings.gateway_port}/ws/buyer",
            settings.rasa_url,
            tuple(processes),
        )
    except Exception:
        for process in processes:
            print(f"----- {process.name} log -----\n{process.log_tail(6000)}")
        raise
    finally:
        for process in reversed(processes):
            process.stop()


@pytest.fixture
async def http() -> aiohttp.ClientSession:
    """A client session for one test."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        yield session
