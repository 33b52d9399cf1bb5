"""A private Redis server from Debian's packages, on loopback, with a generated password."""

from __future__ import annotations

import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from bot.errors import ShopAssistantError
from bot.supervisor import ManagedProcess, port_answers


class RedisUnavailableError(ShopAssistantError):
    """redis-server is not installed."""


@dataclass(frozen=True)
class RedisInstance:
    """How to reach the private Redis."""

    port: int
    password: str

    @property
    def url(self) -> str:
        """The ``redis://`` URL the gateways use."""
        return f"redis://:{self.password}@127.0.0.1:{self.port}/0"


def prepare_redis(state_dir: Path, port: int) -> RedisInstance:
    """The instance of ``state_dir``: its password is generated once and kept (0600)."""
    password_file = state_dir / "redis.password"
    if not password_file.exists():
        state_dir.mkdir(parents=True, exist_ok=True)
        password_file.write_text(secrets.token_urlsafe(24))
        password_file.chmod(0o600)
    return RedisInstance(port, password_file.read_text().strip())


def server_process(instance: RedisInstance, state_dir: Path, log_path: Path) -> ManagedProcess:
    """``redis-server`` as a managed process. Nothing in Redis must outlive a restart (the
    queue and the transcripts are in PostgreSQL), so persistence is off."""
    program = shutil.which("redis-server")
    if program is None:
        raise RedisUnavailableError(
            "redis-server is not installed: run scripts/install-system-packages"
        )
    # The password goes in through a config file, not the command line (ps shows that).
    config = state_dir / "redis.conf"
    config.write_text(
        f"bind 127.0.0.1\nport {instance.port}\nrequirepass {instance.password}\n"
        f'save ""\nappendonly no\ndir {state_dir}\nprotected-mode yes\n'
    )
    config.chmod(0o600)
    return ManagedProcess(
        "Redis",
        [program, str(config)],
        log_path,
        ready_check=lambda: port_answers("127.0.0.1", instance.port),
    )
