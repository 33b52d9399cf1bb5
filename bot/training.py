"""Train the Rasa model only when its inputs changed, decided by a hash of those inputs.

``python -m bot.training`` (what ``make train`` runs) fingerprints the config, domain,
training data, shop data, the project's own Rasa components and the pinned dependencies;
the model is ``models/<fingerprint>.tar.gz``. An existing file means nothing to do, so a
second start is fast; tests share the same cache.

Rasa trains into a staging folder; the model appears in ``models/`` only through one
``os.replace`` once it is complete, so a training that fails or is killed half-way leaves
``models/`` as it was. ``bot.trainer`` (``python -m bot train``) builds its jobs on the
same functions: :func:`validate_data`, :func:`train_into`, :func:`run_logged`.
"""

from __future__ import annotations

import argparse
import errno
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO

from bot.errors import ShopAssistantError
from bot.settings import PROJECT_ROOT

FINGERPRINT_INPUTS = (
    "config.yml",
    "domain.yml",
    "requirements.lock",
    "data",
    "bot/nlu",
    "bot/sentiment",
    "bot/policies",
)
KEEP_MODELS = 3
RASA_DATA = ("data/nlu", "data/stories")
LOG_TAIL_CHARS = 3000
EXCEPTION = re.compile(r"^[A-Za-z_][\w.]*(?:Error|Exception): \S")

LineSink = Callable[[str], None]


class TrainingError(ShopAssistantError):
    """``rasa train`` (or the data validation before it) failed; ``log_tail`` says why."""

    def __init__(self, reason: str, log_tail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.log_tail = log_tail


class TrainingInterruptedError(TrainingError):
    """The training process was told to stop (SIGTERM, Ctrl-C) before it finished."""


def _files(root: Path, inputs: Iterable[str]) -> list[Path]:
    found: list[Path] = []
    for name in inputs:
        path = root / name
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found += [
                p
                for p in path.rglob("*")
                if p.is_file()
                and "__pycache__" not in p.parts
                and p.suffix != ".pyc"
                # a data writer's temporary file, left behind by a crash, is not data
                and not p.name.startswith(".")
            ]
    return sorted(found)


def fingerprint(root: Path = PROJECT_ROOT, inputs: Iterable[str] = FINGERPRINT_INPUTS) -> str:
    """A short hash of every file the trained model depends on (paths and contents)."""
    digest = hashlib.sha256()
    for path in _files(root, inputs):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def model_path(root: Path = PROJECT_ROOT) -> Path:
    """Where the model for the current inputs lives (it may not exist yet)."""
    return root / "models" / f"{fingerprint(root)}.tar.gz"


def stats_path(model: Path) -> Path:
    """The ``<hash>.json`` beside a model (training time and size)."""
    return model.with_suffix("").with_suffix(".json")


def prune(models_dir: Path, keep: Iterable[Path]) -> list[Path]:
    """Delete all but the ``KEEP_MODELS`` newest models, never one listed in ``keep``.

    Returns:
        The models deleted.
    """
    kept = {p.resolve() for p in keep}
    models = list(models_dir.glob("*.tar.gz"))
    others = sorted(
        (p for p in models if p.resolve() not in kept),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    stale = others[max(KEEP_MODELS - (len(models) - len(others)), 0) :]
    for path in stale:
        path.unlink(missing_ok=True)
        stats_path(path).unlink(missing_ok=True)
    return stale


def rasa_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a Rasa subprocess: the project's components importable from
    any project folder, unbuffered output (progress bars arrive as they are drawn), and
    no telemetry (Rasa would otherwise report crashes to its Sentry over the network)."""
    paths = [str(PROJECT_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "PYTHONUNBUFFERED": "1",
           "RASA_TELEMETRY_ENABLED": "false"}  # fmt: skip
    return env | (extra or {})


def run_logged(
    command: Sequence[str],
    *,
    cwd: Path,
    log_path: Path | None = None,
    on_line: LineSink | None = None,
) -> int:
    """Run ``command``, appending its output to ``log_path`` (or our stdout) and handing each
    line (split at ``\\n`` and ``\\r``, so tqdm's redraws count) to ``on_line``.

    The child is stopped (SIGTERM, then SIGKILL) if we are interrupted while it runs.

    Returns:
        The exit code.
    """
    log = log_path.open("ab") if log_path else None
    process = subprocess.Popen(
        list(command), cwd=cwd, env=rasa_env(), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _pump(process, log, on_line)
        return process.wait()
    finally:
        _stop(process)
        if log:
            log.close()


def _pump(process: subprocess.Popen, log: IO[bytes] | None, on_line: LineSink | None) -> None:
    assert process.stdout is not None
    out = log or sys.stdout.buffer
    pending = b""
    while chunk := os.read(process.stdout.fileno(), 65536):
        out.write(chunk)
        out.flush()
        if on_line:
            *lines, pending = (pending + chunk).replace(b"\r", b"\n").split(b"\n")
            for line in lines:
                on_line(line.decode("utf-8", errors="replace"))


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout:
        process.stdout.close()


def log_tail(log_path: Path | None, chars: int = LOG_TAIL_CHARS) -> str:
    """The end of a log file (empty if there is none)."""
    if log_path is None or not log_path.exists():
        return ""
    text = log_path.read_text(encoding="utf-8", errors="replace")
    return text.replace("\r", "\n")[-chars:]


def log_size(log_path: Path | None) -> int:
    """How many bytes the log holds now (where the next command's output will start)."""
    return log_path.stat().st_size if log_path and log_path.exists() else 0


def root_cause(log_path: Path | None, start: int = 0) -> str | None:
    """The first exception line (``RuntimeError: ...``) in the log from byte ``start`` on:
    the root of a chained traceback is printed first."""
    if log_path is None or not log_path.exists():
        return None
    with log_path.open("rb") as log:
        log.seek(start)
        text = log.read().decode("utf-8", errors="replace").replace("\r", "\n")
    found = [line for line in text.splitlines() if EXCEPTION.match(line)]
    return found[0][:300] if found else None


def failure_reason(what: str, code: int, log_path: Path | None, start: int = 0) -> str:
    """``<what> failed (exit N)``, with the root cause when its output shows one."""
    cause = root_cause(log_path, start)
    return f"{what} failed (exit {code})" + (f": {cause}" if cause else "")


def rasa_command(*args: str) -> list[str]:
    """``python -m rasa ARGS`` with this interpreter."""
    return [sys.executable, "-m", "rasa", *args]


def validate_data(root: Path, *, log_path: Path | None = None) -> None:
    """``rasa data validate`` on the project's config, domain, NLU data and stories.

    Raises:
        TrainingError: the validator found errors (its output's tail is attached).
    """
    command = rasa_command("data", "validate", "--config", "config.yml",
                           "--domain", "domain.yml", "--data", *RASA_DATA)  # fmt: skip
    start = log_size(log_path)
    code = run_logged(command, cwd=root, log_path=log_path)
    if code != 0:
        reason = failure_reason("rasa data validate", code, log_path, start)
        raise TrainingError(reason, log_tail(log_path))


def write_dictionary(root: Path) -> Path | None:
    """Write the Jieba user dictionary from the shop data, if the project has shop data."""
    if not (root / "data" / "shop").is_dir():
        return None
    # Imported here: they pull in spaCy (and TensorFlow), seconds that a fingerprint or an
    # up-to-date check does not need.
    from bot.nlu.catalogue_entries import catalogue_entries
    from bot.nlu.shop_dictionary import write_jieba_dictionary

    entries = catalogue_entries(root / "data" / "shop")
    return write_jieba_dictionary(entries, root / "build" / "jieba")


def train_into(
    root: Path,
    target: Path,
    *,
    staging_parent: Path | None = None,
    log_path: Path | None = None,
    on_line: LineSink | None = None,
) -> Path:
    """Train the project's model and publish it at ``target`` only once it is complete.

    Rasa writes into a fresh staging folder (under ``staging_parent``, default
    ``<root>/build``), removed afterwards whatever happens.

    Raises:
        TrainingError: ``rasa train`` failed; ``target`` was not touched.
    """
    parent = staging_parent or root / "build"
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="staging-", dir=parent))
    name = target.name.removesuffix(".tar.gz")
    command = rasa_command("train", "--config", "config.yml", "--domain", "domain.yml",
                           "--data", *RASA_DATA, "--out", str(staging),
                           "--fixed-model-name", name)  # fmt: skip
    started, start = time.monotonic(), log_size(log_path)
    try:
        code = run_logged(command, cwd=root, log_path=log_path, on_line=on_line)
        staged = staging / target.name
        if code != 0 or not staged.is_file():
            reason = failure_reason("rasa train", code, log_path, start)
            raise TrainingError(reason, log_tail(log_path))
        stats = {"seconds": round(time.monotonic() - started, 1), "bytes": staged.stat().st_size}
        publish(staged, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _write_atomically(stats_path(target), json.dumps(stats).encode())
    return target


def publish(staged: Path, target: Path) -> None:
    """Move a finished file into place in one step (copying first across file systems)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(staged, target)
    except OSError as err:
        if err.errno != errno.EXDEV:
            raise
        partial = target.with_name(f".{target.name}.partial")
        shutil.copyfile(staged, partial)
        os.replace(partial, target)


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    os.replace(partial, path)


def train(root: Path = PROJECT_ROOT, *, force: bool = False) -> Path:
    """Return the model for the current inputs, training it first when it is missing."""
    target = model_path(root)
    if target.exists() and not force:
        print(f"model up to date: {target.relative_to(root)}", flush=True)
        return target
    dictionary = write_dictionary(root)
    if dictionary:
        print(f"jieba dictionary: {dictionary.relative_to(root)}", flush=True)
    print(f"training {target.name} (about 15 minutes on 2 cores) ...", flush=True)
    try:
        train_into(root, target)
    except TrainingError as err:
        raise TrainingError(f"{err.reason}; nothing in models/ was changed") from err
    stats = json.loads(stats_path(target).read_text())
    print(f"trained in {stats['seconds']} s, model {stats['bytes'] / 1e6:.1f} MB", flush=True)
    prune(root / "models", [target])
    return target


def main() -> None:
    """Command line: ``python -m bot.training [--force] [--print-path]``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--force", action="store_true", help="train even if up to date")
    parser.add_argument("--print-path", action="store_true", help="only print the model path")
    args = parser.parse_args()
    if args.print_path:
        print(model_path())
        return
    train(force=args.force)


if __name__ == "__main__":
    main()
