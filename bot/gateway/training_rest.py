"""Trainers' and supervisors' training page API: start a training job, follow it, read its
report and confusion matrix, and activate its model on the running Rasa server.

Jobs are run by ``bot.trainer.runner.TrainingRunner`` (one of the gateway's services).
"""

from __future__ import annotations

import asyncio

from sanic import HTTPResponse, Request
from sanic.response import json, raw

from bot.gateway.agent_auth import check_same_origin, current_agent, require_reviewer
from bot.gateway.agent_http import agent_blueprint, agent_body
from bot.gateway.services import services_of
from bot.handoff.models import Agent
from bot.trainer.activation import ActivationError
from bot.trainer.jobs import (
    CONFUSION_FILE,
    JobBusyError,
    JobError,
    UnknownJobError,
)
from bot.trainer.runner import JobStateError

training_rest = agent_blueprint("training_rest")
RECENT_JOBS = 10


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
    status = await services_of(request).training.start()
    return json({"job": status}, status=202)


@training_rest.get("/trainer/training")
async def list_jobs(request: Request) -> HTTPResponse:
    """The newest jobs first."""
    await _training_agent(request)
    jobs = services_of(request).training.jobs
    return json({"jobs": await asyncio.to_thread(jobs.recent, RECENT_JOBS)})


@training_rest.get("/trainer/training/<job_id:str>")
async def job_detail(request: Request, job_id: str) -> HTTPResponse:
    """A job's status and, once evaluated, its report."""
    await _training_agent(request)
    jobs = services_of(request).training.jobs
    status = await asyncio.to_thread(jobs.read, job_id)
    report = await asyncio.to_thread(jobs.report, job_id)
    return json({"job": status, "report": report})


@training_rest.get("/trainer/training/<job_id:str>/confusion.png")
async def confusion_png(request: Request, job_id: str) -> HTTPResponse:
    """Rasa's drawing of the new model's confusion matrix."""
    await _training_agent(request)
    path = services_of(request).training.jobs.job_dir(job_id) / CONFUSION_FILE
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
    status = await services_of(request).training.activate(job_id, http)
    return json({"job": status})
