"""nginx from Debian's packages as the scaled profile's load balancer, on loopback."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.errors import ShopAssistantError
from bot.supervisor import ManagedProcess, port_answers

TEMPLATE = Path(__file__).with_name("nginx.conf.in")
# Workers drop root; www-data exists on every Debian system.
WORKER_USER = "www-data"


class NginxUnavailableError(ShopAssistantError):
    """nginx is not installed."""


@dataclass(frozen=True)
class Fronts:
    """The ports nginx listens on and the servers behind each."""

    gateway_port: int
    gateways: Sequence[int]
    rasa_port: int
    rasa_servers: Sequence[int]
    actions_port: int
    action_servers: Sequence[int]


def render_config(fronts: Fronts, prefix: Path) -> str:
    """The nginx configuration for ``fronts`` with its files under ``prefix``."""
    values = {
        "PREFIX": str(prefix),
        "USER": f"user {WORKER_USER};" if os.geteuid() == 0 else "",
        "GATEWAY_PORT": str(fronts.gateway_port),
        "RASA_PORT": str(fronts.rasa_port),
        "ACTIONS_PORT": str(fronts.actions_port),
        "GATEWAYS": _servers(fronts.gateways),
        "RASA": _servers(fronts.rasa_servers),
        "ACTIONS": _servers(fronts.action_servers),
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace(f"@@{name}@@", value)
    return text


def _servers(ports: Sequence[int]) -> str:
    # A server that failed is skipped for 3 s, then tried again (it may be back).
    return "\n".join(
        f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=3s;" for port in ports
    )


def server_process(fronts: Fronts, prefix: Path, log_path: Path) -> ManagedProcess:
    """nginx in the foreground with the rendered configuration."""
    program = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None
    )
    if program is None:
        raise NginxUnavailableError("nginx is not installed: run scripts/install-system-packages")
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / "tmp" / folder).mkdir(parents=True, exist_ok=True)
    config = prefix / "nginx.conf"
    config.write_text(render_config(fronts, prefix), encoding="utf-8")
    return ManagedProcess(
        "nginx",
        [program, "-p", str(prefix), "-c", str(config), "-g", "daemon off;"],
        log_path,
        ready_check=lambda: port_answers("127.0.0.1", fronts.gateway_port),
    )
