"""`make run`'s supervisor: starts the three servers, prints the chat address, and stops
them all cleanly on Ctrl-C (SIGINT)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT
from bot.supervisor import free_port, url_answers

pytestmark = pytest.mark.e2e
READY_TIMEOUT_S = 240


def test_run_starts_everything_and_ctrl_c_stops_it(tmp_path: Path, trained_model: Path) -> None:
    ports = {name: free_port() for name in ("rasa", "actions", "gateway")}
    env = {
        **os.environ,
        "SHOP_VAR_DIR": str(tmp_path / "var"),
        "RASA_URL": f"http://127.0.0.1:{ports['rasa']}",
        "ACTION_SERVER_URL": f"http://127.0.0.1:{ports['actions']}",
        "GATEWAY_PORT": str(ports["gateway"]),
        "PYTHONUNBUFFERED": "1",
    }
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        runner = subprocess.Popen(
            [sys.executable, "-m", "bot.run", "--model", str(trained_model)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while "is running" not in log.read_text(encoding="utf-8", errors="replace"):
            assert runner.poll() is None, log.read_text(encoding="utf-8", errors="replace")
            assert time.monotonic() < deadline, "not ready in time"
            time.sleep(1)
        output = log.read_text(encoding="utf-8")
        assert f"http://127.0.0.1:{ports['gateway']}/" in output
        runner.send_signal(signal.SIGINT)
        assert runner.wait(timeout=60) == 0, log.read_text(encoding="utf-8")
    finally:
        if runner.poll() is None:
            runner.kill()
    assert "stopped." in log.read_text(encoding="utf-8")
    for port in ports.values():
        assert not url_answers(f"http://127.0.0.1:{port}/", timeout_s=1), f"port {port} still up"
