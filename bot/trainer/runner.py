"""Training jobs started by the gateway: ``python -m bot train`` as a child process (one
at a time), and the activation of a finished job's model on the running Rasa server.

A job's folder under ``<var_dir>/training/`` is its only state (``bot.trainer.jobs``).
The runner takes the one-job lock before it starts the child and hands the lock over.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import aiohttp

from bot.settings import PROJECT_ROOT, Settings
from bot.trainer.activation import activate, served_model_name
from bot.trainer.jobs import LOCK_FD_ENV, JobError, TrainingJobs

CHILD_OUTPUT = "output.txt"  # the command's own lines (Rasa's output is in log.txt)


class JobStateError(JobError):
    """The job is not in a state that allows this; ``code`` says why (409)."""

    def __init__(self, reason: str, code: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


class TrainingRunner:
    """Starts training jobs as child processes (one at a time) and activates their models."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.jobs = TrainingJobs.for_var_dir(settings.var_dir)
        self._starting = asyncio.Lock()
        self._activating = asyncio.Lock()
        self._children: set[asyncio.Task[int]] = set()

    def command(self, job_dir: Path) -> list[str]:
        """The job's command line."""
        s = self.settings
        return [sys.executable, "-m", "bot", "train", "--job-dir", str(job_dir),
                "--project", str(s.trainer_project_dir), "--holdout", str(s.nlu_holdout),
                "--rasa-url", s.rasa_url]  # fmt: skip

    async def start(self) -> dict[str, Any]:
        """Create a queued job and start its process.

        Raises:
            JobBusyError: a job is running.
        """
        async with self._starting:
            lock = await asyncio.to_thread(self.jobs.acquire_lock)
            try:
                status = await asyncio.to_thread(self.jobs.create)
                await self._spawn(status["id"], lock)
            finally:
                os.close(lock)  # the child holds it now (or nobody, if it did not start)
        return status

    async def _spawn(self, job_id: str, lock: int) -> None:
        job_dir = self.jobs.job_dir(job_id)
        output = await asyncio.to_thread((job_dir / CHILD_OUTPUT).open, "ab")
        try:
            process = await asyncio.create_subprocess_exec(
                *self.command(job_dir), cwd=PROJECT_ROOT, stdin=asyncio.subprocess.DEVNULL,
                stdout=output, stderr=asyncio.subprocess.STDOUT, pass_fds=(lock,),
                env={**os.environ, LOCK_FD_ENV: str(lock)},
            )  # fmt: skip
        except OSError as err:
            failed = self.jobs.failure(f"cannot start the training process: {err}")
            await asyncio.to_thread(self.jobs.update, job_id, **failed)
            raise JobError("cannot start the training process") from err
        finally:
            output.close()
        # Reap the child when it ends; its job folder says how it went.
        task = asyncio.create_task(process.wait())
        self._children.add(task)
        task.add_done_callback(self._children.discard)

    async def activate(self, job_id: str, http: aiohttp.ClientSession) -> dict[str, Any]:
        """Have Rasa serve the job's model if the job says it is not worse.

        Raises:
            UnknownJobError: no such job.
            JobStateError: not finished, worse, or evaluated against another model
                than the one Rasa serves now.
            ActivationError: Rasa could not be reached or refused the model.
        """
        async with self._activating:
            status = await asyncio.to_thread(self.jobs.read, job_id)
            if status["state"] not in ("ready", "activated"):
                raise JobStateError(f"the job is {status['state']}, not ready", "not_ready")
            if not (status.get("verdict") or {}).get("not_worse"):
                raise JobStateError("the new model is worse than the current one", "worse")
            await self._check_baseline_still_served(status, http)
            await activate(http, self.settings.rasa_url, Path(status["model"]))
            return await asyncio.to_thread(self.jobs.record_activation, job_id, status["model"])

    async def _check_baseline_still_served(
        self, status: dict[str, Any], http: aiohttp.ClientSession
    ) -> None:
        served = await served_model_name(http, self.settings.rasa_url)
        names = {Path(p).name for p in (status.get("baseline"), status.get("model")) if p}
        if served and status.get("baseline") and served not in names:
            raise JobStateError(
                f"Rasa now serves {served}, not the model this job was compared with; "
                "train again to compare with it",
                "stale",
            )
