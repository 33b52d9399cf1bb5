"""Activation on a real Rasa server (``python -m bot.rasa_server run --enable-api``, as
``make run`` starts it): the new model is served after ``python -m bot train --activate``,
and a worse one is refused."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.settings import PROJECT_ROOT
from bot.supervisor import free_port
from bot.trainer.jobs import TrainingJobs, new_job_id
from bot.training import model_path
from tests.bot.trainer.training_support import (
    copy_project,
    install_model,
    run_train_cli,
)
from tests.support.processes import attach_to_test, start_process, wait_until_answers

RASA_START_S = 300.0  # loading TensorFlow on two busy cores


async def _get(url: str) -> dict[str, Any]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def _parse(url: str, text: str) -> dict[str, Any]:
    body = {"text": text}
    async with aiohttp.ClientSession() as http, http.post(f"{url}/model/parse", json=body) as r:
        assert r.status == 200, await r.text()
        return await r.json()


async def _train(project: Path, var_dir: Path, url: str) -> tuple[int, str, dict[str, Any]]:
    job_dir = var_dir / "training" / new_job_id()
    result = await asyncio.to_thread(
        run_train_cli,
        "--project", str(project), "--holdout", str(project / "holdout.yml"),
        "--job-dir", str(job_dir), "--activate", "--yes", "--rasa-url", url,
        var_dir=var_dir, rasa_url=url,
    )  # fmt: skip
    status = json.loads((job_dir / "status.json").read_text(encoding="utf-8"))
    return result.returncode, result.stdout + result.stderr, status


async def test_activate_on_a_running_rasa_and_refuse_a_worse_model(
    tmp_path: Path,
    request: pytest.FixtureRequest,
    good_model: Path,
    bad_model: Path,
) -> None:
    project = copy_project(tmp_path / "project")
    assert model_path(project).name == good_model.name  # trained from these very files
    install_model(good_model, project)  # so the job finds it up to date and does not train
    served = install_model(bad_model, project)
    url = f"http://127.0.0.1:{free_port()}"
    command = [sys.executable, "-m", "bot.rasa_server", "run", "--enable-api", "--interface",
               "127.0.0.1", "--port", url.rsplit(":", 1)[1], "--model", str(served)]  # fmt: skip
    # Run in the small project: no endpoints.yml (in-memory trackers, no action server).
    env = {"RASA_TELEMETRY_ENABLED": "false", "PYTHONPATH": str(PROJECT_ROOT)}
    rasa = start_process(command, log_path=tmp_path / "rasa.log", cwd=project, env=env)
    attach_to_test(request.node, rasa)
    try:
        await wait_until_answers(rasa, f"{url}/status", timeout_s=RASA_START_S, ok_statuses={200})
        assert (await _get(f"{url}/status"))["model_file"] == bad_model.name
        assert (await _parse(url, "谢谢亲"))["intent"]["name"] == "greet"  # mislabelled

        code, output, status = await _train(project, tmp_path / "var", url)

        assert code == 0, output[-3000:]
        assert status["state"] == "activated" and status["activated_at"]
        assert status["baseline"] == str(served)
        assert status["baseline_source"].startswith("served by Rasa")
        assert status["verdict"]["not_worse"]
        assert f"now serves {good_model.name}" in output
        assert (await _get(f"{url}/status"))["model_file"] == good_model.name
        assert (await _parse(url, "谢谢亲"))["intent"]["name"] == "thank"
        jobs = TrainingJobs(tmp_path / "var" / "training")
        assert jobs.active_model() == project / "models" / good_model.name

        # The mislabelled data again: its model is worse than the one now served.
        worse = copy_project(tmp_path / "worse", mislabelled=True)
        install_model(bad_model, worse)
        install_model(good_model, worse)

        code, output, status = await _train(worse, tmp_path / "var", url)

        assert code == 1, output[-3000:]
        assert "activation refused" in output
        assert status["state"] == "ready" and not status["verdict"]["not_worse"]
        assert Path(status["baseline"]).name == good_model.name
        assert (await _get(f"{url}/status"))["model_file"] == good_model.name
    finally:
        await asyncio.to_thread(rasa.stop)
