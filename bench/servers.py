"""A private copy of the assistant (action server, Rasa, gateway) for one benchmark run.

Started the way the end-to-end tests start theirs (``tests/e2e/conftest.py``): free ports,
state (shop database, gateway database, Rasa's trackers, logs) in a temporary directory,
the shop data loaded, a fixed "today".
"""

from __future__ import annotations

import shutil
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.run import build_processes
from bot.settings import Settings
from bot.shop import load_shop_data
from bot.supervisor import ManagedProcess, ProcessStartError

SHOP_TODAY = "2026-11-23"  # the demo orders are dated around this day
STARTUP_TIMEOUT_S = 240.0


@dataclass(frozen=True)
class Addresses:
    """Where a running assistant answers."""

    ws_url: str
    rasa_url: str


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _environment(state: Path) -> dict[str, str]:
    return {
        "SHOP_VAR_DIR": str(state / "var"),
        "SHOP_TODAY": SHOP_TODAY,
        "RASA_URL": f"http://127.0.0.1:{free_port()}",
        "ACTION_SERVER_URL": f"http://127.0.0.1:{free_port()}",
        "GATEWAY_PORT": str(free_port()),
        "GATEWAY_DB_URL": "",
    }


def _start(processes: list[ManagedProcess]) -> None:
    for process in processes:
        print(f"  starting {process.name} (log: {process.log_path})", flush=True)
        process.start()
    for process in processes:
        process.wait_ready(STARTUP_TIMEOUT_S)
        print(f"  {process.name} is ready", flush=True)


@contextmanager
def private_assistant(model: Path, state_dir: Path | None = None) -> Iterator[Addresses]:
    """Start the three servers, yield their addresses, and always stop them.

    The state lives in ``state_dir`` when given (kept afterwards, logs included), else in
    a temporary directory that is removed.

    Raises:
        ProcessStartError: a server exited or did not get ready; its log tail is printed.
    """
    state = state_dir or Path(tempfile.mkdtemp(prefix="bench-assistant-"))
    state.mkdir(parents=True, exist_ok=True)
    env = _environment(state)
    settings = Settings.from_env(env)
    processes: list[ManagedProcess] = []
    try:
        load_shop_data(settings.shop_data_dir, settings.shop_db_path)
        # endpoints.yml takes the action server URL and the tracker store's folder
        # (under SHOP_VAR_DIR) from the environment that build_processes sets.
        processes = build_processes(settings, model, env=env)
        _start(processes)
        yield Addresses(f"ws://127.0.0.1:{settings.gateway_port}/ws/buyer", settings.rasa_url)
    except ProcessStartError:
        for process in processes:
            print(f"----- {process.name} log -----\n{process.log_tail(4000)}", flush=True)
        raise
    finally:
        for process in reversed(processes):
            process.stop()
        if state_dir is None:
            shutil.rmtree(state, ignore_errors=True)
