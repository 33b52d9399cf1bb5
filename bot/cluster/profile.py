"""The production profile on one machine (``make run-scaled``, its tests and benchmarks):
PostgreSQL, Redis and nginx from Debian's packages, several gateways, Rasa servers and
action servers, all on loopback.

```
 buyers, agents ─▶ nginx :gateway_port ─▶ gateway 1, gateway 2 ──▶ PostgreSQL (gateway db)
                                          │  Redis: bus, queue lock, presence, turn leases
                                          ▼
                   nginx :rasa_port ─▶ Rasa server 1, 2 ──▶ PostgreSQL (rasa db: trackers)
                                          │  Redis: Rasa's lock store
                                          ▼
                   nginx :actions_port ─▶ action server 1 (, 2)
```
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bot.cluster import nginx, postgres, redis_server
from bot.db import create_engine_for, upgrade_schema
from bot.run import (
    STARTUP_TIMEOUT_S,
    action_server_process,
    common_environment,
    gateway_process,
    rasa_process,
)
from bot.settings import PROJECT_ROOT, Settings
from bot.shop import load_shop_data
from bot.supervisor import ManagedProcess, free_port

SCALED_ENDPOINTS = "endpoints.scaled.yml"
INFRA_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class ScaledLayout:
    """The ports of every server of the profile."""

    gateway_port: int
    gateway_nodes: tuple[int, ...]
    rasa_port: int
    rasa_nodes: tuple[int, ...]
    actions_port: int
    action_nodes: tuple[int, ...]
    postgres_port: int
    redis_port: int

    @classmethod
    def standard(cls, gateway_port: int = 8000, rasa: int = 2, actions: int = 1) -> ScaledLayout:
        """Fixed ports for ``make run-scaled`` (the public one is ``gateway_port``)."""
        return cls(
            gateway_port, (8101, 8102), 5005, tuple(5101 + i for i in range(rasa)),
            5055, tuple(5151 + i for i in range(actions)), 54329, 63790,
        )  # fmt: skip

    @classmethod
    def on_free_ports(cls, gateways: int = 2, rasa: int = 2, actions: int = 1) -> ScaledLayout:
        """Free ports for a private copy (tests, benchmarks)."""

        def ports(count: int) -> tuple[int, ...]:
            return tuple(free_port() for _ in range(count))

        return cls(
            free_port(), ports(gateways), free_port(), ports(rasa), free_port(),
            ports(actions), free_port(), free_port(),
        )  # fmt: skip

    def fronts(self) -> nginx.Fronts:
        """nginx's view of the layout."""
        return nginx.Fronts(
            self.gateway_port, self.gateway_nodes, self.rasa_port, self.rasa_nodes,
            self.actions_port, self.action_nodes,
        )  # fmt: skip


@dataclass
class ScaledDeployment:
    """A running production profile."""

    layout: ScaledLayout
    cluster: postgres.PostgresCluster
    redis: redis_server.RedisInstance
    infrastructure: list[ManagedProcess]
    servers: list[ManagedProcess]
    env: dict[str, str] = field(default_factory=dict)

    @property
    def gateway_url(self) -> str:
        """The public address (nginx in front of the gateways)."""
        return f"http://127.0.0.1:{self.layout.gateway_port}"

    def gateway_node_url(self, index: int) -> str:
        """One gateway process's own address (0-based), bypassing nginx."""
        return f"http://127.0.0.1:{self.layout.gateway_nodes[index]}"

    @property
    def rasa_url(self) -> str:
        """Rasa behind nginx."""
        return f"http://127.0.0.1:{self.layout.rasa_port}"

    def process(self, name: str) -> ManagedProcess:
        """The process called ``name`` (``gateway 1``, ``Rasa server 2``, ``Redis`` …)."""
        return next(p for p in [*self.infrastructure, *self.servers] if p.name == name)

    def group(self, prefix: str) -> list[ManagedProcess]:
        """The processes whose name starts with ``prefix`` (``gateway``: both gateways)."""
        return [p for p in self.servers if p.name.startswith(prefix)]


def scaled_environment(
    settings: Settings,
    layout: ScaledLayout,
    cluster: postgres.PostgresCluster,
    redis: redis_server.RedisInstance,
    env: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment every process of the profile shares."""
    return {
        **(env or {}),
        "GATEWAY_DB_URL": cluster.url("gateway"),
        "REDIS_URL": redis.url,
        "RASA_URL": f"http://127.0.0.1:{layout.rasa_port}",
        "ACTION_SERVER_URL": f"http://127.0.0.1:{layout.actions_port}",
        # endpoints.scaled.yml
        "RASA_DB_HOST": "127.0.0.1",
        "RASA_DB_PORT": str(cluster.port),
        "RASA_DB_NAME": "rasa",
        "RASA_DB_USER": postgres.USER,
        "RASA_DB_PASSWORD": cluster.password,
        "RASA_REDIS_HOST": "127.0.0.1",
        "RASA_REDIS_PORT": str(redis.port),
        "RASA_REDIS_PASSWORD": redis.password,
    }


def build_servers(
    settings: Settings, model: Path, layout: ScaledLayout, env: Mapping[str, str]
) -> list[ManagedProcess]:
    """Action servers, Rasa servers and gateways of the profile, in start order."""
    env = common_environment(settings, env) | {"ACTION_SERVER_URL": env["ACTION_SERVER_URL"]}
    root = PROJECT_ROOT
    servers = [
        action_server_process(settings, port, env, root, f"action server {i}")
        for i, port in enumerate(layout.action_nodes, 1)
    ]
    servers += [
        rasa_process(settings, model, port, env, root, f"Rasa server {i}", SCALED_ENDPOINTS)
        for i, port in enumerate(layout.rasa_nodes, 1)
    ]
    servers += [
        gateway_process(
            settings, port, {**env, "GATEWAY_NODE": f"gateway-{i}"}, root, f"gateway {i}"
        )
        for i, port in enumerate(layout.gateway_nodes, 1)
    ]
    return servers


@contextmanager
def running_scaled(
    settings: Settings,
    model: Path,
    layout: ScaledLayout,
    *,
    env: Mapping[str, str] | None = None,
    prepare: Callable[[dict[str, str]], None] | None = None,
    timeout_s: float = STARTUP_TIMEOUT_S,
    verbose: bool = False,
) -> Iterator[ScaledDeployment]:
    """Start the whole profile, yield once every server answers, and always stop it
    (nginx and the gateways first, PostgreSQL last).

    Args:
        prepare: called with the profile's environment once PostgreSQL and Redis are up,
            before the other servers start (tests create accounts there).

    Raises:
        ProcessStartError: a server exited or was not ready in time (the error names its log).
    """
    state_dir = settings.var_dir / "scaled"
    logs = settings.var_dir / "logs"
    cluster = postgres.prepare_cluster(state_dir, layout.postgres_port)
    redis = redis_server.prepare_redis(state_dir, layout.redis_port)
    infrastructure = [
        postgres.server_process(cluster, logs / "postgresql.log"),
        redis_server.server_process(redis, state_dir, logs / "redis.log"),
    ]
    started: list[ManagedProcess] = []
    try:
        _start(infrastructure, started, INFRA_TIMEOUT_S, verbose)
        postgres.create_databases(cluster)
        # Migrated once here, as a deployment does before it starts new gateways (each
        # gateway would also migrate, one at a time, at its start).
        asyncio.run(_migrate(cluster.url("gateway")))
        full_env = scaled_environment(settings, layout, cluster, redis, env)
        if prepare is not None:
            prepare(full_env)
        load_shop_data(settings.shop_data_dir, settings.shop_db_path)
        servers = build_servers(settings, model, layout, full_env)
        balancer = nginx.server_process(layout.fronts(), state_dir / "nginx", logs / "nginx.log")
        _start([*servers, balancer], started, timeout_s, verbose)
        yield ScaledDeployment(
            layout, cluster, redis, [*infrastructure, balancer], servers, full_env
        )
    finally:
        for process in _stop_order(started):
            process.stop()


async def _migrate(db_url: str) -> None:
    engine = create_engine_for(db_url)
    try:
        await upgrade_schema(engine)
    finally:
        await engine.dispose()


def _start(
    processes: Sequence[ManagedProcess],
    started: list[ManagedProcess],
    timeout_s: float,
    verbose: bool,
) -> None:
    for process in processes:  # together: Rasa loads its models while the others start
        if verbose:
            print(f"starting {process.name} (log: {process.log_path})", flush=True)
        process.start()
        started.append(process)
    for process in processes:
        process.wait_ready(timeout_s)


def _stop_order(started: Sequence[ManagedProcess]) -> list[ManagedProcess]:
    first = [p for p in started if p.name == "nginx" or p.name.startswith("gateway")]
    return [*first, *[p for p in reversed(started) if p not in first]]
