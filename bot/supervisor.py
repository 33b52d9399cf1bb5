"""Start, watch and stop the assistant's processes (used by ``make run`` and the e2e tests)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from bot.errors import ShopAssistantError


class ProcessStartError(ShopAssistantError):
    """A process exited, or did not answer its health URL in time."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now (also usable as a "closed" port in tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def port_answers(host: str, port: int, timeout_s: float = 1.0) -> bool:
    """Whether something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


def url_answers(url: str, timeout_s: float = 2.0) -> bool:
    """Whether an HTTP GET of ``url`` gets any answer below 500."""
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            return response.status < 500
    except urllib.error.HTTPError as err:
        return err.code < 500
    except (urllib.error.URLError, OSError):
        return False


@dataclass
class ManagedProcess:
    """One child process with a health URL and a log file."""

    name: str
    argv: Sequence[str]
    log_path: Path
    health_url: str = ""
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    # Servers without a health URL (PostgreSQL, Redis) say they are ready another way.
    ready_check: Callable[[], bool] | None = None
    _process: subprocess.Popen | None = None
    _log: IO[bytes] | None = None

    def start(self) -> None:
        """Start the process in its own process group, logging to ``log_path``."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        self._process = subprocess.Popen(
            list(self.argv),
            cwd=self.cwd,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **self.env},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C goes to the supervisor, which stops us in order
        )

    @property
    def running(self) -> bool:
        """Whether the process has been started and has not exited."""
        return self._process is not None and self._process.poll() is None

    @property
    def returncode(self) -> int | None:
        """The exit code, or None while running (or before start)."""
        return None if self._process is None else self._process.poll()

    def wait_ready(self, timeout_s: float, on_wait: Callable[[float], None] | None = None) -> None:
        """Block until the health URL answers; raise ProcessStartError on exit or time-out."""
        started = time.monotonic()
        while time.monotonic() - started < timeout_s:
            if not self.running:
                raise ProcessStartError(f"{self.name} exited early; see {self.log_path}")
            if self.ready_check() if self.ready_check else url_answers(self.health_url):
                return
            if on_wait:
                on_wait(time.monotonic() - started)
            time.sleep(0.5)
        raise ProcessStartError(
            f"{self.name} not ready after {timeout_s:.0f} s; see {self.log_path}"
        )

    def kill(self) -> None:
        """SIGKILL the process group at once, as a crash would (tests of failover)."""
        self.stop(grace_s=0.0, first_signal=signal.SIGKILL)

    def stop(self, grace_s: float = 10.0, first_signal: int = signal.SIGTERM) -> None:
        """Signal the process group (SIGTERM), then SIGKILL it after ``grace_s``."""
        if self._process is not None and self._process.poll() is None:
            try:
                os.killpg(self._process.pid, first_signal)
                self._process.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait()
            except ProcessLookupError:
                pass
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, chars: int = 20_000) -> str:
        """The end of the log, for error reports."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError as err:
            return f"<cannot read {self.log_path}: {err}>"
        return text[-chars:]
