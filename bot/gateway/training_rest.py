"""Trainers' and supervisors' training page API: start a training job, follow it, read its
report and confusion matrix, and activate its model on the running Rasa server.

A job is ``python -m bot train`` run as a child process (``bot.trainer.train_cli``); its
folder under ``<var_dir>/training/`` is the only state (``bot.trainer.jobs``). The gateway
takes the one-job lock before it starts the child and hands the lock over to it.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import aiohttp
from sanic import HTTPResponse, Request, Sanic
from sanic.response import json, raw

from bot.gateway.agent_auth import check_same_origin, current_agent, require_reviewer
from bot.gateway.agent_http import agent_blueprint, agent_body
from bot.gateway.services import app_services, services_of
from bot.handoff.models import Agent
from bot.settings import PROJECT_ROOT, Settings
from bot.trainer.activation import ActivationError, activate, served_model_name
from bot.trainer.jobs import (
    CONFUSION_FILE,
    LOCK_FD_ENV,
    JobBusyError,
    JobError,
    TrainingJobs,
    UnknownJobError,
    utc_now,
)

training_rest = agent_blueprint("training_rest")
RECENT_JOBS = 10
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
            changes = {"state": "activated", "stage": "activated", "activated_at": utc_now()}
            return await asyncio.to_thread(self.jobs.update, job_id, **changes)

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


def runner_of(app: Sanic) -> TrainingRunner:
    """The app's training runner (made on first use)."""
    runner = getattr(app.ctx, "training_runner", None)
    if runner is None:
        runner = app.ctx.training_runner = TrainingRunner(app_services(app).settings)
    return runner


async def _training_agent(request: Request) -> Agent:
    return require_reviewer(await current_agent(request))


@training_rest.exception(JobBusyError)
async def _busy(_request: Request, error: JobBusyError) -> HTTPResponse:
    return json({"error": "busy", "reason": str(error)}, status=409)


@training_rest.exception(UnknownJobError)
async def _unknown_job(_request: Request, _error: UnknownJobError) -> HTTPResponse:
    return json({"error": "not_found", "reason": "no such training job"}, status=404)


@training_rest.exception(JobStateError)
async def _job_state(_request: Request, error: JobStateError) -> HTTPResponse:
    return json({"error": error.code, "reason": error.reason}, status=409)


@training_rest.exception(JobError)
async def _job_error(_request: Request, error: JobError) -> HTTPResponse:
    return json({"error": "job_error", "reason": str(error)}, status=500)


@training_rest.exception(ActivationError)
async def _activation_failed(_request: Request, error: ActivationError) -> HTTPResponse:
    if error.code == "missing":
        return json({"error": "model_missing", "reason": error.reason}, status=409)
    return json({"error": "upstream", "code": error.code, "reason": error.reason}, status=502)


@training_rest.post("/trainer/training")
async def start_training(request: Request) -> HTTPResponse:
    """Start a job: 202 with its status; 409 while another runs."""
    check_same_origin(request)
    await _training_agent(request)
    status = await runner_of(request.app).start()
    return json({"job": status}, status=202)


@training_rest.get("/trainer/training")
async def list_jobs(request: Request) -> HTTPResponse:
    """The newest jobs first."""
    await _training_agent(request)
    jobs = runner_of(request.app).jobs
    return json({"jobs": await asyncio.to_thread(jobs.recent, RECENT_JOBS)})


@training_rest.get("/trainer/training/<job_id:str>")
async def job_detail(request: Request, job_id: str) -> HTTPResponse:
    """A job's status and, once evaluated, its report."""
    await _training_agent(request)
    jobs = runner_of(request.app).jobs
    status = await asyncio.to_thread(jobs.read, job_id)
    report = await asyncio.to_thread(jobs.report, job_id)
    return json({"job": status, "report": report})


@training_rest.get("/trainer/training/<job_id:str>/confusion.png")
async def confusion_png(request: Request, job_id: str) -> HTTPResponse:
    """Rasa's drawing of the new model's confusion matrix."""
    await _training_agent(request)
    path = runner_of(request.app).jobs.job_dir(job_id) / CONFUSION_FILE
    try:
        body = await asyncio.to_thread(path.read_bytes)
    except FileNotFoundError as err:
        raise UnknownJobError("no confusion matrix for this job") from err
    return raw(body, content_type="image/png", headers={"Cache-Control": "no-store"})


@training_rest.post("/trainer/training/<job_id:str>/activate")
async def activate_job(request: Request, job_id: str) -> HTTPResponse:
    """Switch Rasa to the job's model: ``{"confirm": true}`` required; refused when worse."""
    body = agent_body(request)
    await _training_agent(request)
    if body.get("confirm") is not True:
        return json({"error": "confirm_required",
                     "reason": "send {\"confirm\": true} to activate"}, status=400)  # fmt: skip
    http = services_of(request).http
    status = await runner_of(request.app).activate(job_id, http)
    return json({"job": status})
