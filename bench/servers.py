"""A private copy of the assistant (action server, Rasa, gateway) for one benchmark run.

Started the way the end-to-end tests start theirs (``tests/e2e/conftest.py``): free ports,
state (shop database, gateway database, Rasa's trackers, logs) in a temporary directory,
the shop data loaded, a fixed "today".
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.run import private_environment, running_assistant
from bot.settings import Settings

SHOP_TODAY = "2026-11-23"  # the demo orders are dated around this day
STARTUP_TIMEOUT_S = 240.0


@dataclass(frozen=True)
class Addresses:
    """Where a running assistant answers."""

    ws_url: str
    rasa_url: str


@contextmanager
def private_assistant(model: Path, state_dir: Path | None = None) -> Iterator[Addresses]:
    """Start the three servers, yield their addresses, and always stop them.

    The state lives in ``state_dir`` when given (kept afterwards, logs included), else in
    a temporary directory that is removed.

    Raises:
        ProcessStartError: a server exited or did not get ready (the error names its log).
    """
    state = state_dir or Path(tempfile.mkdtemp(prefix="bench-assistant-"))
    state.mkdir(parents=True, exist_ok=True)
    env = private_environment(state, SHOP_TODAY)
    settings = Settings.from_env(env)
    try:
        with running_assistant(settings, model, env=env, verbose=True):
            yield Addresses(f"ws://127.0.0.1:{settings.gateway_port}/ws/buyer", settings.rasa_url)
    finally:
        if state_dir is None:
            shutil.rmtree(state, ignore_errors=True)
