"""``make run``: load the shop data, start Rasa, the action server and the gateway, wait.

Ctrl-C (or SIGTERM) stops the three processes cleanly, gateway first.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from bot.settings import PROJECT_ROOT, Settings
from bot.shop import load_shop_data
from bot.supervisor import ManagedProcess, ProcessStartError, free_port
from bot.training import model_path

STARTUP_TIMEOUT_S = 180.0


def build_processes(
    settings: Settings,
    model: Path,
    *,
    env: Mapping[str, str] | None = None,
    root: Path = PROJECT_ROOT,
) -> list[ManagedProcess]:
    """The three processes of a running assistant, in start order.

    Args:
        settings: where each process listens and keeps its files.
        model: the trained Rasa model.
        env: extra environment for every process (tests pass their settings this way).
        root: the project directory the processes run in.
    """
    env = common_environment(settings, env)
    return [
        action_server_process(settings, int(_port(settings.action_server_url)), env, root),
        rasa_process(settings, model, int(_port(settings.rasa_url)), env, root),
        gateway_process(settings, settings.gateway_port, env, root),
    ]


def common_environment(settings: Settings, env: Mapping[str, str] | None) -> dict[str, str]:
    """What every process of the assistant is started with, on top of ``env``."""
    # endpoints.yml reads these two (Rasa expands ${VAR} in it).
    return {
        **(env or {}),
        "ACTION_SERVER_URL": settings.action_server_url,
        "SHOP_VAR_DIR": str(settings.var_dir.resolve()),
        # rasa_sdk listens on every interface unless told otherwise; it has no auth.
        "SANIC_HOST": "127.0.0.1",
    }


def action_server_process(
    settings: Settings, port: int, env: Mapping[str, str], root: Path, name: str = "action server"
) -> ManagedProcess:
    """An action server on ``port``."""
    argv = [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)]
    log = settings.var_dir / "logs" / f"{_file_name(name)}.log"
    return ManagedProcess(name, argv, log, f"http://127.0.0.1:{port}/health", env, root)


def rasa_process(
    settings: Settings,
    model: Path,
    port: int,
    env: Mapping[str, str],
    root: Path,
    name: str = "Rasa server",
    endpoints: str = "endpoints.yml",
) -> ManagedProcess:
    """A Rasa server with its HTTP API on ``port`` (loopback)."""
    argv = [sys.executable, "-m", "bot.rasa_server", "run", "--enable-api",
            "--interface", "127.0.0.1", "--port", str(port), "--model", str(model),
            "--endpoints", endpoints, "--credentials", "credentials.yml"]  # fmt: skip
    log = settings.var_dir / "logs" / f"{_file_name(name)}.log"
    return ManagedProcess(name, argv, log, f"http://127.0.0.1:{port}/", env, root)


def gateway_process(
    settings: Settings, port: int, env: Mapping[str, str], root: Path, name: str = "gateway"
) -> ManagedProcess:
    """A gateway on ``port``."""
    log = settings.var_dir / "logs" / f"{_file_name(name)}.log"
    url = f"http://{settings.gateway_host}:{port}/health"
    env = {**env, "GATEWAY_PORT": str(port)}
    return ManagedProcess(name, [sys.executable, "-m", "bot.gateway"], log, url, env, root)


def _file_name(name: str) -> str:
    # "action server" → actions.log, "Rasa server 2" → rasa-2.log, "gateway 1" → gateway-1.log
    words = name.lower().replace("action server", "actions").replace(" server", "").split()
    return "-".join(words)


def _port(url: str) -> str:
    return url.rsplit(":", 1)[-1]


def private_environment(state_dir: Path, today: str | None = None) -> dict[str, str]:
    """Settings for a private assistant on free local ports with its state in ``state_dir``
    (the end-to-end tests and the benchmarks run one)."""
    env = {
        "SHOP_VAR_DIR": str(state_dir / "var"),
        "RASA_URL": f"http://127.0.0.1:{free_port()}",
        "ACTION_SERVER_URL": f"http://127.0.0.1:{free_port()}",
        "GATEWAY_PORT": str(free_port()),
        "GATEWAY_DB_URL": "",
    }
    return env | ({"SHOP_TODAY": today} if today else {})


@contextmanager
def running_assistant(
    settings: Settings,
    model: Path,
    *,
    env: Mapping[str, str] | None = None,
    timeout_s: float = STARTUP_TIMEOUT_S,
    verbose: bool = False,
) -> Iterator[list[ManagedProcess]]:
    """Load the shop data, start the three servers together, yield once all answer their
    health URLs, and always stop them (gateway first).

    Raises:
        ProcessStartError: a server exited or was not ready in time (the error names its log).
    """
    load_shop_data(settings.shop_data_dir, settings.shop_db_path)
    processes = build_processes(settings, model, env=env)
    try:
        for process in processes:  # together: Rasa loads its model while the others start
            if verbose:
                print(f"starting {process.name} (log: {process.log_path})", flush=True)
            process.start()
        for process in processes:
            process.wait_ready(timeout_s, _progress(process.name) if verbose else None)
        yield processes
    finally:
        for process in reversed(processes):
            process.stop()


def _progress(name: str) -> Callable[[float], None]:
    shown = {"last": 0.0}

    def report(elapsed: float) -> None:
        if elapsed - shown["last"] >= 10:
            shown["last"] = elapsed
            print(f"  waiting for {name} ... {elapsed:.0f} s", flush=True)

    return report


def serve_until_stopped(processes: list[ManagedProcess]) -> int:
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    while not stop.wait(1.0):
        dead = [p.name for p in processes if not p.running]
        if dead:
            print(f"{', '.join(dead)} stopped unexpectedly; shutting down", file=sys.stderr)
            return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run until interrupted (Ctrl-C or SIGTERM); return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, help="a trained model (default: the one for the "
                        "current data and config, see bot.training)")  # fmt: skip
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    model = args.model or model_path()
    if not model.exists():
        print(f"no trained model at {model}; run `make train` first", file=sys.stderr)
        return 1
    try:
        with running_assistant(settings, model, verbose=True) as processes:
            url = f"http://{settings.gateway_host}:{settings.gateway_port}/"
            print(f"\n小店助手 is running. Open the demo shop at {url} and chat with the\n"
                  "bubble in its corner (the same widget any shop page can embed).\n"
                  f"Agents, supervisors and trainers log in at {url}agent (accounts: see README)\n"
                  "Press Ctrl-C to stop.", flush=True)  # fmt: skip
            code = serve_until_stopped(processes)
            print("stopping ...", flush=True)
    except ProcessStartError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # Ctrl-C while still starting: the servers are stopped
        code = 130
    print("stopped.", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
