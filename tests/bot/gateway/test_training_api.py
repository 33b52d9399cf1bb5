"""The training API on a real gateway process: roles, one job at a time, a job started from
the page running to its report, activation on a real Rasa server, and the refusals
(no confirmation, a worse model, an unfinished job, Rasa down, bad job ids)."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.settings import PROJECT_ROOT
from bot.supervisor import ManagedProcess, free_port
from bot.trainer.jobs import TrainingJobs
from tests.bot.trainer.training_support import (
    copy_project,
    install_model,
)
from tests.support.agent_client import AgentClient
from tests.support.gateway import RunningGateway, add_agent_and_trainer, running_gateway
from tests.support.processes import attach_to_test, start_process, wait_until_answers

PASSWORD = "training-password-1"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JOB_DEADLINE_S = 600.0  # a guard against a hung job on busy cores, not a timing assertion


def _env(project: Path) -> dict[str, str]:
    return {
        "SHOP_ADMIN_USERNAME": "boss",
        "SHOP_ADMIN_PASSWORD": PASSWORD,
        "TRAINER_PROJECT_DIR": str(project),
        "NLU_HOLDOUT": str(project / "holdout.yml"),
        "RASA_TELEMETRY_ENABLED": "false",
    }


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        yield session


@pytest.fixture
async def gateway(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[RunningGateway]:
    """A gateway whose Rasa is down, training a copy of the small project."""
    project = copy_project(tmp_path / "project")
    async with running_gateway(tmp_path, extra_env=_env(project)) as gw:
        attach_to_test(request.node, gw.process)
        await add_agent_and_trainer(gw.var_dir, PASSWORD)
        yield gw


async def _log_in(http: aiohttp.ClientSession, gw: RunningGateway, who: str) -> AgentClient:
    return await AgentClient.log_in(http, gw.base_url, who, PASSWORD)


def _write_job(gw: RunningGateway, **status: Any) -> str:
    jobs = TrainingJobs.for_var_dir(gw.var_dir)
    job = jobs.create(**status)
    report = status.get("verdict") and {"verdict": status["verdict"]}
    if report:
        (jobs.job_dir(job["id"]) / "report.json").write_text(json.dumps(report))
    return job["id"]


async def _wait_until_finished(trainer: AgentClient, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + JOB_DEADLINE_S
    seen = set()
    while time.monotonic() < deadline:
        code, body = await trainer.get(f"/trainer/training/{job_id}")
        assert code == 200, body
        seen.add(body["job"]["state"])
        if body["job"]["state"] in ("ready", "failed", "activated"):
            return body | {"seen": seen}
        await asyncio.sleep(0.5)
    pytest.fail(f"job {job_id} did not finish: {body}")


async def test_only_trainers_and_supervisors_may_train(gateway, http) -> None:
    async with await _log_in(http, gateway, "a1") as agent:
        assert (await agent.get("/trainer/training"))[0] == 403
        assert (await agent.post("/trainer/training"))[0] == 403
        assert (await agent.post("/trainer/training/20261123-090000-abcdef/activate",
                                 {"confirm": True}))[0] == 403  # fmt: skip
    async with await _log_in(http, gateway, "t1") as trainer:
        assert await trainer.get("/trainer/training") == (200, {"jobs": []})
    async with await _log_in(http, gateway, "boss") as boss:
        assert (await boss.get("/trainer/training"))[0] == 200
    async with http.get(f"{gateway.base_url}/api/agent/trainer/training") as response:
        assert response.status == 401


async def test_bad_or_unknown_job_ids_are_not_found(gateway, http) -> None:
    job_id = _write_job(gateway, state="failed")
    async with await _log_in(http, gateway, "t1") as trainer:
        for bad in ("..%2F..%2Fetc", "20261123-090000-abcdef", "x", f"{job_id}%2F.."):
            code, body = await trainer.get(f"/trainer/training/{bad}")
            assert (code, body["error"]) == (404, "not_found"), bad
        code, body = await trainer.post("/trainer/training/..%2Fx/activate", {"confirm": True})
        assert code == 404
        url = f"{gateway.base_url}/api/agent/trainer/training/{job_id}/confusion.png"
        async with http.get(url, headers=trainer.headers) as response:
            assert response.status == 404  # the job never got so far


async def test_activation_refusals(gateway, http) -> None:
    not_worse = {"not_worse": True, "reasons": [], "tolerance": 0.01}
    worse = {"not_worse": False, "reasons": ["macro F1 0.5 vs 0.9"], "tolerance": 0.01}
    model = str(gateway.var_dir / "missing.tar.gz")
    ready = _write_job(gateway, state="ready", verdict=not_worse, model=model)
    bad = _write_job(gateway, state="ready", verdict=worse, model=model)
    gone = _write_job(gateway, state="training", stage="training DIETClassifier", pid=1 << 22)
    async with await _log_in(http, gateway, "t1") as trainer:
        for body in ({}, {"confirm": False}, {"confirm": "yes"}):
            code, answer = await trainer.post(f"/trainer/training/{ready}/activate", body)
            assert (code, answer["error"]) == (400, "confirm_required")
        code, answer = await trainer.post(f"/trainer/training/{bad}/activate", {"confirm": True})
        assert (code, answer["error"]) == (409, "worse")
        # A job left "training" by a process that is gone was interrupted.
        code, answer = await trainer.get(f"/trainer/training/{gone}")
        assert answer["job"]["state"] == "failed" and "interrupted" in answer["job"]["error"]
        code, answer = await trainer.post(f"/trainer/training/{gone}/activate", {"confirm": True})
        assert (code, answer["error"]) == (409, "not_ready")
        code, answer = await trainer.post(f"/trainer/training/{ready}/activate", {"confirm": True})
        assert (code, answer["error"]) == (409, "model_missing")
        # The model exists but Rasa is down: the switch cannot happen.
        existing = gateway.var_dir / "model.tar.gz"
        existing.write_bytes(b"a model")
        up = _write_job(gateway, state="ready", verdict=not_worse, model=str(existing))
        code, answer = await trainer.post(f"/trainer/training/{up}/activate", {"confirm": True})
        assert (code, answer["error"]) == (502, "upstream"), answer
        assert (await trainer.get(f"/trainer/training/{up}"))[1]["job"]["state"] == "ready"


@pytest.fixture
async def rasa_serving_bad_model(
    tmp_path: Path,
    request: pytest.FixtureRequest,
    bad_model: Path,
) -> AsyncIterator[tuple[str, Path, ManagedProcess]]:
    """A real Rasa server (as ``make run`` starts it) serving the mislabelled model."""
    served = install_model(bad_model, tmp_path / "served")
    port = free_port()
    command = [sys.executable, "-m", "bot.rasa_server", "run", "--enable-api", "--interface",
               "127.0.0.1", "--port", str(port), "--model", str(served)]  # fmt: skip
    env = {"RASA_TELEMETRY_ENABLED": "false", "PYTHONPATH": str(PROJECT_ROOT)}
    rasa = start_process(command, log_path=tmp_path / "rasa.log", cwd=served.parent, env=env)
    attach_to_test(request.node, rasa)
    try:
        yield f"http://127.0.0.1:{port}", served, rasa
    finally:
        await asyncio.to_thread(rasa.stop)


async def test_train_from_the_page_and_activate_on_rasa(
    tmp_path: Path,
    request: pytest.FixtureRequest,
    http: aiohttp.ClientSession,
    rasa_serving_bad_model: tuple[str, Path, ManagedProcess],
    good_model: Path,
) -> None:
    rasa_url, served, rasa = rasa_serving_bad_model
    project = copy_project(tmp_path / "project")
    install_model(good_model, project)  # up to date: the job validates and evaluates
    install_model(served, project)  # the served model, found by the name Rasa reports
    async with running_gateway(
        tmp_path, rasa_url=rasa_url, extra_env=_env(project)
    ) as gw:  # fmt: skip
        attach_to_test(request.node, gw.process)
        await add_agent_and_trainer(gw.var_dir, PASSWORD)
        # Rasa loads its model while the gateway starts; the job asks it what it serves.
        await wait_until_answers(rasa, f"{rasa_url}/status", timeout_s=300, ok_statuses={200})
        async with (
            await _log_in(http, gw, "t1") as trainer,
            await _log_in(http, gw, "boss") as boss,
        ):
            code, started = await trainer.post("/trainer/training")
            assert code == 202, started
            job_id = started["job"]["id"]
            assert started["job"]["state"] == "queued"
            code, busy = await boss.post("/trainer/training")
            assert (code, busy["error"]) == (409, "busy")
            assert [j["id"] for j in (await boss.get("/trainer/training"))[1]["jobs"]] == [job_id]

            finished = await _wait_until_finished(trainer, job_id)

            job, report = finished["job"], finished["report"]
            assert job["state"] == "ready", job
            assert "evaluating" in finished["seen"] or "validating" in finished["seen"]
            assert Path(job["baseline"]).name == served.name
            assert report["verdict"]["not_worse"] and report["new"]["macro_f1"] > 0.5
            assert {row["name"] for row in report["intents"]} >= {"greet", "thank"}
            assert sum(map(sum, report["confusion"]["matrix"])) == report["new"]["examples"]
            url = f"{gw.base_url}/api/agent/trainer/training/{job_id}/confusion.png"
            async with http.get(url, headers=trainer.headers) as response:
                assert response.status == 200
                assert response.content_type == "image/png"
                assert (await response.read()).startswith(PNG_MAGIC)

            code, activated = await trainer.post(
                f"/trainer/training/{job_id}/activate", {"confirm": True}
            )
            assert code == 200, activated
            assert activated["job"]["state"] == "activated"
            active = TrainingJobs.for_var_dir(gw.var_dir).active_model()
            assert active == project / "models" / good_model.name
            async with http.get(f"{rasa_url}/status") as response:
                assert (await response.json())["model_file"] == good_model.name
            async with http.post(f"{rasa_url}/model/parse", json={"text": "谢谢亲"}) as response:
                assert (await response.json())["intent"]["name"] == "thank"
            # A job compared with a model Rasa no longer serves must be trained again.
            stale = _write_job(gw, state="ready", model=str(served), baseline="/m/old.tar.gz",
                               verdict={"not_worse": True, "reasons": []})  # fmt: skip
            code, answer = await trainer.post(f"/trainer/training/{stale}/activate",
                                              {"confirm": True})  # fmt: skip
            assert (code, answer["error"]) == (409, "stale")
            async with http.get(f"{rasa_url}/status") as response:
                assert (await response.json())["model_file"] == good_model.name
            assert (await boss.post("/trainer/training"))[0] == 202  # the lock was released
