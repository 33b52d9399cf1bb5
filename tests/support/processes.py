"""Run real servers (gateway, Rasa, action server) as child processes in tests.

Usage in a conftest (the hook import makes failing tests show each process's log)::

    from tests.support.processes import (
        attach_to_test, pytest_runtest_makereport, running_process,
    )

    @pytest.fixture
    async def gateway(tmp_path, request):
        port = free_port()  # from bot.supervisor
        async with running_process(
            [sys.executable, "-m", "bot.gateway"],
            env={"GATEWAY_PORT": str(port)},
            log_path=tmp_path / "gateway.log",
            ready_url=f"http://127.0.0.1:{port}/health",
        ) as process:
            attach_to_test(request.node, process)
            yield process

Processes are ``bot.supervisor.ManagedProcess`` (the same code ``make run`` uses): each runs
in its own process group, logs to a file, and stops with SIGTERM, then SIGKILL.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Container, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest

from bot.supervisor import ManagedProcess

PROJECT_ROOT = Path(__file__).resolve().parents[2]
_PROCESSES_ATTR = "_managed_processes"


class ProcessFailedError(RuntimeError):
    """A child process exited early or never became ready; the message holds its log tail."""


def start_process(
    command: Sequence[str],
    *,
    log_path: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path = PROJECT_ROOT,
    name: str | None = None,
) -> ManagedProcess:
    """Start ``command`` with ``env`` added to ours (see ``bot.supervisor.ManagedProcess``)."""
    log_path.unlink(missing_ok=True)
    process = ManagedProcess(
        name or Path(command[0]).name, list(command), log_path, env=dict(env or {}), cwd=cwd
    )
    process.start()
    return process


async def wait_until_answers(
    process: ManagedProcess,
    url: str,
    *,
    timeout_s: float = 60.0,
    interval_s: float = 0.2,
    ok_statuses: Container[int] | None = None,
) -> int:
    """Poll ``url`` until it answers (any status, or one of ``ok_statuses``); return the status.

    Raises:
        ProcessFailedError: the process exited, or ``timeout_s`` passed; with its log tail.
    """
    deadline = time.monotonic() + timeout_s
    probe_timeout = aiohttp.ClientTimeout(total=2)
    async with aiohttp.ClientSession(timeout=probe_timeout) as session:
        while True:
            if not process.running:
                raise _failure(process, f"exited with {process.returncode} before {url}")
            try:
                async with session.get(url) as response:
                    if ok_statuses is None or response.status in ok_statuses:
                        return response.status
            except (aiohttp.ClientError, asyncio.TimeoutError):
                pass  # not listening yet
            if time.monotonic() > deadline:
                raise _failure(process, f"did not answer {url} within {timeout_s}s")
            await asyncio.sleep(interval_s)


@asynccontextmanager
async def running_process(
    command: Sequence[str],
    *,
    log_path: Path,
    ready_url: str,
    env: Mapping[str, str] | None = None,
    name: str | None = None,
    timeout_s: float = 60.0,
    ok_statuses: Container[int] | None = None,
) -> AsyncIterator[ManagedProcess]:
    """Start a process, wait until ``ready_url`` answers, yield it, and always stop it."""
    process = start_process(command, log_path=log_path, env=env, name=name)
    try:
        await wait_until_answers(process, ready_url, timeout_s=timeout_s, ok_statuses=ok_statuses)
        yield process
    finally:
        await asyncio.to_thread(process.stop)


def _failure(process: ManagedProcess, what: str) -> ProcessFailedError:
    return ProcessFailedError(
        f"{process.name} {what}\n----- {process.name} log -----\n{process.log_tail()}"
    )


def attach_to_test(item: pytest.Item, process: ManagedProcess) -> None:
    """Have ``process``'s log added to ``item``'s report if the test fails."""
    processes: list[ManagedProcess] = getattr(item, _PROCESSES_ATTR, [])
    processes.append(process)
    setattr(item, _PROCESSES_ATTR, processes)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Add attached processes' logs as sections of a failing test's report.

    Import this function into a conftest.py to activate it there.
    """
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for process in getattr(item, _PROCESSES_ATTR, []):
            report.sections.append((f"{process.name} log", process.log_tail()))
