"""Training jobs on disk: one folder per job under ``<var_dir>/training/``.

A job folder holds ``status.json`` (always replaced atomically), ``log.txt`` (Rasa's
output), ``report.json`` and ``confusion.png``. One job runs at a time: whoever runs it
holds an exclusive ``flock`` on ``training/.lock`` for the job's whole life, so the lock
is released by the kernel when the process dies, however it dies. The gateway takes the
lock, then hands it to the ``python -m bot train`` child it starts (the open file is
inherited, its number is passed in ``SHOP_TRAINING_LOCK_FD``).

A job still marked as running while nobody holds the lock (or whose process is gone) was
interrupted: it is marked failed the next time it is read.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bot.errors import ShopAssistantError

ACTIVE_STATES = ("queued", "validating", "training", "evaluating")
FINAL_STATES = ("ready", "failed", "activated")
JOB_ID = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{6}$")
LOCK_FD_ENV = "SHOP_TRAINING_LOCK_FD"
LOCK_FILE = ".lock"
STATUS_FILE = "status.json"
REPORT_FILE = "report.json"
CONFUSION_FILE = "confusion.png"
LOG_FILE = "log.txt"
ACTIVE_FILE = "active.json"  # the model last activated on Rasa, for restarts
INTERRUPTED = "interrupted: the training process ended before the job finished"


class JobError(ShopAssistantError):
    """A training job cannot be read or changed as asked."""


class JobBusyError(JobError):
    """Another training job is running (one at a time)."""


class UnknownJobError(JobError):
    """No job with this id (or the id is malformed)."""


def utc_now() -> str:
    """The current UTC time as an ISO string (what every timestamp in status.json is)."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def new_job_id(now: datetime | None = None) -> str:
    """A sortable, unguessable job id: ``YYYYMMDD-HHMMSS-<6 hex>`` (UTC)."""
    now = now or datetime.now(timezone.utc)
    return f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def is_job_id(value: str) -> bool:
    """Whether ``value`` is a well-formed job id (never a path)."""
    return bool(JOB_ID.fullmatch(value))


def write_json_atomically(path: Path, data: Any) -> None:
    """Write JSON to a temporary file in the same folder, fsync it, then ``os.replace``."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    with partial.open("w", encoding="utf-8") as file:
        json.dump(data, file, ensure_ascii=False, indent=2)
        file.flush()
        os.fsync(file.fileno())
    os.replace(partial, path)


def _is_open_file(fd: int | None, path: Path) -> bool:
    """Whether ``fd`` is an open descriptor of the file at ``path``."""
    if fd is None:
        return False
    try:
        held, wanted = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (held.st_dev, held.st_ino) == (wanted.st_dev, wanted.st_ino)


def _pid_alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class TrainingJobs:
    """The job folders under one ``training/`` directory."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def for_var_dir(cls, var_dir: Path) -> TrainingJobs:
        """The jobs of a running assistant (``<var_dir>/training``)."""
        return cls(var_dir / "training")

    def job_dir(self, job_id: str) -> Path:
        """The folder of a job.

        Raises:
            UnknownJobError: a malformed id.
        """
        if not is_job_id(job_id):
            raise UnknownJobError("no such training job")
        return self.root / job_id

    # -- the lock ---------------------------------------------------------------------

    def acquire_lock(self, inherited_fd: int | None = None) -> int:
        """Hold the one-job-at-a-time lock; return its file descriptor (keep it open).

        Args:
            inherited_fd: a descriptor of the lock file handed down by a parent that
                already holds the lock (locking it again through it succeeds).

        Raises:
            JobBusyError: another process holds the lock.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / LOCK_FILE
        fd = inherited_fd if _is_open_file(inherited_fd, path) else None
        if fd is None:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as err:
            os.close(fd)
            raise JobBusyError("another training job is running") from err
        return fd

    def lock_held(self) -> bool:
        """Whether some process (this one included, through another descriptor) holds it."""
        try:
            fd = self.acquire_lock()
        except JobBusyError:
            return True
        os.close(fd)  # closing the descriptor releases the lock we just took
        return False

    # -- status -----------------------------------------------------------------------

    def create(self, job_id: str | None = None, **fields: Any) -> dict[str, Any]:
        """Make a new job folder with a ``queued`` status and return that status."""
        job_id = job_id or new_job_id()
        folder = self.job_dir(job_id)
        folder.mkdir(parents=True, exist_ok=False)
        status = {
            "id": job_id, "state": "queued", "stage": "waiting to start", "progress": 0.0,
            "created_at": utc_now(), "started_at": None, "finished_at": None, "error": None,
            "log_tail": None, "model": None, "baseline": None, "verdict": None,
            "activated_at": None, "pid": None, **fields,
        }  # fmt: skip
        write_json_atomically(folder / STATUS_FILE, status)
        return status

    def read(self, job_id: str) -> dict[str, Any]:
        """A job's status; a running job whose process is gone is marked failed first.

        Raises:
            UnknownJobError: no such job.
        """
        path = self.job_dir(job_id) / STATUS_FILE
        try:
            status = json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, NotADirectoryError) as err:
            raise UnknownJobError("no such training job") from err
        except ValueError as err:
            raise JobError(f"the status of job {job_id} is unreadable") from err
        if status.get("state") in ACTIVE_STATES and self._orphaned(status):
            status = self.update(job_id, **self.failure(INTERRUPTED))
            for staging in path.parent.glob("staging-*"):
                shutil.rmtree(staging, ignore_errors=True)
        return status

    def _orphaned(self, status: dict[str, Any]) -> bool:
        pid = status.get("pid")
        return not self.lock_held() or (pid is not None and not _pid_alive(pid))

    def update(self, job_id: str, **changes: Any) -> dict[str, Any]:
        """Change fields of a job's status (atomically) and return the new status."""
        path = self.job_dir(job_id) / STATUS_FILE
        status = json.loads(path.read_text(encoding="utf-8")) | changes
        write_json_atomically(path, status)
        return status

    @staticmethod
    def failure(error: str, log_tail: str | None = None) -> dict[str, Any]:
        """The status fields of a failed job."""
        return {"state": "failed", "stage": "failed", "error": error,
                "log_tail": log_tail, "finished_at": utc_now()}  # fmt: skip

    def report(self, job_id: str) -> dict[str, Any] | None:
        """A job's evaluation report, or None before there is one."""
        path = self.job_dir(job_id) / REPORT_FILE
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except ValueError as err:
            raise JobError(f"the report of job {job_id} is unreadable") from err

    def job_ids(self) -> list[str]:
        """Every job id, newest first."""
        if not self.root.is_dir():
            return []
        return sorted((p.name for p in self.root.iterdir() if is_job_id(p.name)), reverse=True)

    def recent(self, limit: int = 10) -> list[dict[str, Any]]:
        """The newest ``limit`` jobs' statuses, newest first (unreadable ones skipped)."""
        statuses = []
        for job_id in self.job_ids():
            with contextlib.suppress(JobError):
                statuses.append(self.read(job_id))
            if len(statuses) >= limit:
                break
        return statuses

    def running(self) -> dict[str, Any] | None:
        """The status of the job that is running now, if any."""
        return next((s for s in self._statuses() if s["state"] in ACTIVE_STATES), None)

    def _statuses(self) -> Iterator[dict[str, Any]]:
        for job_id in self.job_ids():
            with contextlib.suppress(JobError):
                yield self.read(job_id)

    # -- the activated model ------------------------------------------------------------

    def record_activation(self, job_id: str, model: str) -> dict[str, Any]:
        """Mark the job activated and remember its model as the one Rasa serves."""
        now = utc_now()
        write_json_atomically(
            self.root / ACTIVE_FILE, {"model": model, "job": job_id, "activated_at": now}
        )
        return self.update(job_id, state="activated", stage="activated", activated_at=now)

    def active_model(self) -> Path | None:
        """The model last activated through a training job, if it still exists."""
        try:
            record = json.loads((self.root / ACTIVE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        model = Path(str(record.get("model", "")))
        return model if model.is_file() else None
