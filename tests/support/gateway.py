"""Start the real gateway (``python -m bot.gateway``) as a process for tests."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.db import create_engine_for, upgrade_schema
from bot.handoff.accounts import create_account
from bot.handoff.store import HandoffStore
from bot.supervisor import ManagedProcess, free_port
from tests.support.processes import running_process


@dataclass(frozen=True)
class RunningGateway:
    """A gateway process under test and how to reach it."""

    base_url: str
    ws_url: str
    process: ManagedProcess
    var_dir: Path


@asynccontextmanager
async def running_gateway(
    state_dir: Path,
    *,
    rasa_url: str | None = None,
    action_server_url: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> AsyncIterator[RunningGateway]:
    """Run a gateway on a free port with its state under ``state_dir``.

    Without ``rasa_url``/``action_server_url`` they point at ports nothing listens on,
    so every call to Rasa or the action server is refused.
    """
    port = free_port()
    var_dir = state_dir / "var"
    env = {
        "GATEWAY_HOST": "127.0.0.1",
        "GATEWAY_PORT": str(port),
        "SHOP_VAR_DIR": str(var_dir),
        "RASA_URL": rasa_url or f"http://127.0.0.1:{free_port()}",
        "ACTION_SERVER_URL": action_server_url or f"http://127.0.0.1:{free_port()}",
        "HTTP_TIMEOUT_S": "5",
        "MAX_MESSAGE_CHARS": "1000",
        "GATEWAY_DB_URL": "",  # empty: the default SQLite file under SHOP_VAR_DIR
        **(extra_env or {}),
    }
    base_url = f"http://127.0.0.1:{port}"
    async with running_process(
        [sys.executable, "-m", "bot.gateway"],
        env=env,
        log_path=state_dir / "gateway.log",
        ready_url=f"{base_url}/health",  # 503 while Rasa is down still means "up"
        name="gateway",
    ) as process:
        yield RunningGateway(base_url, f"ws://127.0.0.1:{port}/ws/buyer", process, var_dir)


async def add_agent_and_trainer(var_dir: Path, password: str) -> None:
    """Create agent ``a1`` (客服001) and trainer ``t1`` (训练001) in a gateway's database."""
    engine = create_engine_for(f"sqlite+aiosqlite:///{var_dir / 'gateway.sqlite3'}")
    try:
        await upgrade_schema(engine)
        store = HandoffStore(engine)
        await create_account(store, "a1", password, "客服001")
        await create_account(store, "t1", password, "训练001", role="trainer")
    finally:
        await engine.dispose()
