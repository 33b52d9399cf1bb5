"""The real assistant for end-to-end tests: action server, Rasa server and gateway as
processes, on free ports, with their state in a temporary directory.

Starting Rasa takes half a minute, so one set of servers serves the whole session; every
test opens its own conversation, so no test sees another's state.

``scaled_assistant`` is the production profile (bot/cluster/profile.py): PostgreSQL,
Redis, nginx, two gateways and two Rasa servers, also one per session; the handoff and
transcript tests run against both (their ``deployment`` fixture).
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from bot.cluster.profile import ScaledDeployment, ScaledLayout, running_scaled
from bot.db import create_engine_for, upgrade_schema
from bot.handoff.accounts import create_account
from bot.handoff.store import HandoffStore
from bot.run import private_environment, running_assistant
from bot.settings import Settings
from bot.supervisor import ManagedProcess, free_port
from tests.conftest import DEMO_TODAY
from tests.support.project import copy_of_project_data

AGENT_PASSWORD = "e2e-password-1"
# agent3 is only used by tests/e2e/test_transcripts.py, so it starts with no chats held;
# agent4 and agent5 only by tests/e2e/scaled.
AGENTS = (
    ("agent1", "客服001"), ("agent2", "客服002"), ("agent3", "客服003"),
    ("agent4", "客服004"), ("agent5", "客服005"),
)  # fmt: skip
# Tests leave handoffs waiting (nobody online, nobody accepted); an agent who logs in is
# offered the oldest first, so agents hold more than the default 3 and always have room
# for the handoff of their own test.
AGENT_MAX_CHATS = 12
# Short windows so the 15 s / 30 s stages can be watched in seconds.
HANDOFF_ENV = {"HANDOFF_OFFER_ALL_AFTER_S": "2", "HANDOFF_WINDOW_S": "4"}
# The browser tests (tests/e2e/browser) serve a shop page of their own on another origin
# (http://localhost:<port>, allowed to embed the widget; http://127.0.0.1:<port> is not) and
# put a TCP proxy in front of the gateway; both ports are fixed for the session.
WIDGET_HOST_PORT = free_port()
GATEWAY_PROXY_PORT = free_port()
ADMIN_USERNAME, ADMIN_PASSWORD = "admin", "e2e-admin-password-1"  # work name 主管
TRAINER_USERNAME, TRAINER_WORK_NAME = "trainer1", "训练师01"
BROWSER_ENV = {
    "WIDGET_ALLOWED_ORIGINS": (
        f"http://localhost:{WIDGET_HOST_PORT},http://127.0.0.1:{GATEWAY_PROXY_PORT}"
    ),
    "SHOP_ADMIN_USERNAME": ADMIN_USERNAME,
    "SHOP_ADMIN_PASSWORD": ADMIN_PASSWORD,
}


@dataclass(frozen=True)
class RunningAssistant:
    """Addresses of a running assistant."""

    gateway_url: str
    ws_url: str
    rasa_url: str
    processes: tuple[ManagedProcess, ...] = ()
    # The copy of the project's data the trainer's relabels are written to.
    trainer_project: Path | None = None
    env: dict[str, str] | None = None

    def process(self, name: str) -> ManagedProcess:
        """The managed process called ``name`` (``gateway``, ``Rasa server 2`` …)."""
        return next(p for p in self.processes if p.name == name)

    def group(self, kind: str) -> list[ManagedProcess]:
        """Every process of a kind: ``gateway`` is one process embedded, two scaled."""
        return [p for p in self.processes if p.name == kind or p.name.startswith(f"{kind} ")]

    async def stop_group(self, kind: str) -> None:
        """Stop every process of ``kind`` (all gateways, all Rasa servers)."""
        for process in self.group(kind):
            await asyncio.to_thread(process.stop)

    async def start_group(self, kind: str, timeout_s: float = 240.0) -> None:
        """Start every process of ``kind`` again and wait until they answer."""
        for process in self.group(kind):
            process.start()
        for process in self.group(kind):
            await asyncio.to_thread(process.wait_ready, timeout_s)


async def _create_agents(db_url: str) -> None:
    engine = create_engine_for(db_url)
    try:
        await upgrade_schema(engine)
        store = HandoffStore(engine)
        for username, work_name in AGENTS:
            await create_account(
                store, username, AGENT_PASSWORD, work_name, max_chats=AGENT_MAX_CHATS
            )
        await create_account(
            store, TRAINER_USERNAME, AGENT_PASSWORD, TRAINER_WORK_NAME, role="trainer"
        )
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def assistant(
    tmp_path_factory: pytest.TempPathFactory, trained_model: Path
) -> Iterator[RunningAssistant]:
    """Start the three servers once per session and stop them at the end."""
    env = private_environment(tmp_path_factory.mktemp("assistant"), DEMO_TODAY.isoformat())
    env |= HANDOFF_ENV | BROWSER_ENV
    project = copy_of_project_data(tmp_path_factory.mktemp("project"))
    env["TRAINER_PROJECT_DIR"] = str(project)
    settings = Settings.from_env(env)
    asyncio.run(_create_agents(settings.gateway_db_url))
    with running_assistant(settings, trained_model, env=env) as processes:
        try:
            port = settings.gateway_port
            yield RunningAssistant(
                f"http://127.0.0.1:{port}",
                f"ws://127.0.0.1:{port}/ws/buyer",
                settings.rasa_url,
                tuple(processes),
                project,
                env,
            )
        finally:
            for process in processes:  # shown by pytest when a test of the session failed
                print(f"----- {process.name} log (tail) -----\n{process.log_tail(3000)}")


@pytest.fixture(scope="session")
def scaled_assistant(
    tmp_path_factory: pytest.TempPathFactory, trained_model: Path
) -> Iterator[ScaledAssistant]:
    """The production profile, once per session, behind its nginx."""
    state = tmp_path_factory.mktemp("scaled")
    env = private_environment(state, DEMO_TODAY.isoformat()) | HANDOFF_ENV | BROWSER_ENV
    env["TRAINER_PROJECT_DIR"] = str(copy_of_project_data(tmp_path_factory.mktemp("project")))
    settings = Settings.from_env(env)
    layout = ScaledLayout.on_free_ports(gateways=2, rasa=2, actions=1)

    def prepare(profile_env: dict[str, str]) -> None:
        asyncio.run(_create_agents(profile_env["GATEWAY_DB_URL"]))

    with running_scaled(settings, trained_model, layout, env=env, prepare=prepare) as deployed:
        processes = (*deployed.servers, *deployed.infrastructure)
        try:
            yield ScaledAssistant(
                deployed.gateway_url,
                deployed.gateway_url.replace("http://", "ws://") + "/ws/buyer",
                deployed.rasa_url,
                processes,
                Path(env["TRAINER_PROJECT_DIR"]),
                deployed.env,
                deployed,
            )
        finally:
            for process in processes:
                print(f"----- {process.name} log (tail) -----\n{process.log_tail(3000)}")
    # The cluster may live outside the temporary folder (under the postgres user's home).
    shutil.rmtree(deployed.cluster.data_dir, ignore_errors=True)
    Path(f"{deployed.cluster.data_dir}.password").unlink(missing_ok=True)


@dataclass(frozen=True)
class ScaledAssistant(RunningAssistant):
    """The production profile; ``deployment`` reaches each gateway directly."""

    deployment: ScaledDeployment | None = None

    def node_url(self, index: int) -> str:
        """Gateway ``index`` (0 or 1) directly, bypassing nginx."""
        assert self.deployment is not None
        return self.deployment.gateway_node_url(index)


@pytest.fixture(scope="module", params=["embedded", "scaled"])
def deployment(request: pytest.FixtureRequest) -> RunningAssistant:
    """The embedded assistant, then the production profile: a module using this runs
    every test against both."""
    name = "assistant" if request.param == "embedded" else "scaled_assistant"
    return request.getfixturevalue(name)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A client session for one test."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        yield session
