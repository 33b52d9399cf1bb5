"""``python -m bot train`` on a copy of the small project: relabel → validate → retrain →
report; failures half-way (a broken component, SIGTERM) change nothing; bad data and bad
usage are refused."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from bot.settings import PROJECT_ROOT
from bot.supervisor import free_port
from bot.trainer.jobs import TrainingJobs, new_job_id
from bot.trainer.nlu_data import NluData
from bot.trainer.train_cli import main
from bot.training import fingerprint, model_path
from tests.bot.trainer.training_support import (
    copy_project,
    install_model,
    run_train_cli,
    tree,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
FAILING_COMPONENT = """
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class BreaksHalfWay(GraphComponent):
    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "BreaksHalfWay":
        return cls()

    def train(self, training_data: TrainingData) -> Resource:
        raise RuntimeError("this component breaks half-way through training")

    def process(self, messages: List[Message]) -> List[Message]:
        return messages
"""


@pytest.fixture
def project(tmp_path: Path, good_model: Path) -> Path:
    """A copy of the small project whose models/ holds the current model."""
    folder = copy_project(tmp_path / "project")
    install_model(good_model, folder, "current.tar.gz")
    return folder


def _train(project: Path, job_dir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_train_cli(
        "--project", str(project), "--holdout", str(project / "holdout.yml"),
        "--job-dir", str(job_dir), *extra,
        var_dir=job_dir.parent.parent, rasa_url=f"http://127.0.0.1:{free_port()}",
    )  # fmt: skip


def _status(job_dir: Path) -> dict:
    return json.loads((job_dir / "status.json").read_text(encoding="utf-8"))


def _holdout_pairs(holdout: Path) -> list[tuple[str, str]]:
    data = yaml.safe_load(holdout.read_text(encoding="utf-8"))
    return [(block["intent"], line.strip()[2:]) for block in data["nlu"]
            for line in block["examples"].splitlines() if line.strip()]  # fmt: skip


def test_relabel_retrain_and_evaluate_against_the_current_model(
    project: Path, tmp_path: Path
) -> None:
    added = NluData(project).add("ask_shipping", "发货能不能快一点")
    assert added.added
    assert "- 发货能不能快一点" in (project / "data/nlu/ask_shipping.yml").read_text("utf-8")
    job_dir = tmp_path / "var" / "training" / new_job_id()

    result = _train(project, job_dir)

    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    status = _status(job_dir)
    new_model = model_path(project)
    assert (status["state"], status["progress"]) == ("ready", 1.0)
    assert status["model"] == str(new_model) and new_model.is_file()
    assert status["baseline"] == str(project / "models" / "current.tar.gz")
    assert sorted(p.name for p in (project / "models").glob("*.tar.gz")) == sorted(
        ["current.tar.gz", new_model.name]
    )
    assert not list(job_dir.glob("staging-*"))
    report = json.loads((job_dir / "report.json").read_text(encoding="utf-8"))
    holdout = _holdout_pairs(project / "holdout.yml")
    rows = {row["name"]: row for row in report["intents"]}
    assert set(rows) >= {"greet", "ask_shipping", "ask_return", "thank"}
    for name in ("greet", "ask_shipping", "ask_return", "thank"):
        row = rows[name]
        assert row["support"] == sum(1 for intent, _ in holdout if intent == name)
        assert 0 <= row["precision"] <= 1 and 0 <= row["recall"] <= 1
        assert row["baseline_f1"] is not None
    matrix, labels = report["confusion"]["matrix"], report["confusion"]["labels"]
    assert sum(map(sum, matrix)) == len(holdout) == report["new"]["examples"]
    for name in ("greet", "thank"):  # recall is the diagonal over the row
        i = labels.index(name)
        assert rows[name]["recall"] == pytest.approx(matrix[i][i] / sum(matrix[i]))
    diagonal = sum(matrix[i][i] for i in range(len(labels)))
    assert report["new"]["accuracy"] == pytest.approx(diagonal / len(holdout))
    assert report["verdict"] == status["verdict"]
    assert (job_dir / "confusion.png").read_bytes().startswith(PNG_MAGIC)
    assert "macro F1" in result.stdout and "verdict:" in result.stdout
    assert "Epochs" in (job_dir / "log.txt").read_text(encoding="utf-8")


def test_a_training_that_breaks_half_way_changes_nothing(project: Path, tmp_path: Path) -> None:
    (project / "breaks_half_way.py").write_text(FAILING_COMPONENT, encoding="utf-8")
    config = (project / "config.yml").read_text(encoding="utf-8")
    config = config.replace(
        "  - name: FallbackClassifier",
        "  - name: breaks_half_way.BreaksHalfWay\n  - name: FallbackClassifier",
    )
    (project / "config.yml").write_text(config, encoding="utf-8")
    before = tree(project)
    job_dir = tmp_path / "var" / "training" / new_job_id()

    result = _train(project, job_dir)

    assert result.returncode == 1, (result.stdout + result.stderr)[-3000:]
    status = _status(job_dir)
    assert status["state"] == "failed" and "rasa train failed" in status["error"]
    assert "RuntimeError: this component breaks half-way" in status["error"]
    assert "DIETClassifier" in (job_dir / "log.txt").read_text(encoding="utf-8")
    assert "failed: rasa train failed" in result.stderr
    assert tree(project) == before  # data, config, models/: all as they were
    assert not model_path(project).exists()
    assert not list(job_dir.glob("staging-*"))


def test_a_killed_training_is_marked_failed_and_changes_nothing(
    project: Path, tmp_path: Path
) -> None:
    NluData(project).add("thank", "谢谢你帮忙")
    before = tree(project)
    job_dir = tmp_path / "var" / "training" / new_job_id()
    env = {**os.environ, "SHOP_VAR_DIR": str(tmp_path / "var"),
           "RASA_URL": f"http://127.0.0.1:{free_port()}"}  # fmt: skip
    command = [sys.executable, "-m", "bot", "train", "--project", str(project), "--holdout",
               str(project / "holdout.yml"), "--job-dir", str(job_dir)]  # fmt: skip
    with (tmp_path / "cli.txt").open("w") as out:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=out)
    try:
        _wait_for_epochs(job_dir, process)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 1
    finally:
        if process.poll() is None:
            process.kill()
    status = _status(job_dir)
    assert status["state"] == "failed" and "interrupted" in status["error"], status
    assert tree(project) == before
    assert not list(job_dir.glob("staging-*"))
    assert not TrainingJobs(job_dir.parent).lock_held()


def _wait_for_epochs(job_dir: Path, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 300  # a guard against hanging, not a timing assertion
    while time.monotonic() < deadline and process.poll() is None:
        status_file = job_dir / "status.json"
        if status_file.exists() and "epoch" in _status(job_dir)["stage"]:
            return
        time.sleep(0.2)
    pytest.fail(f"training never reached DIET's epochs: {_status(job_dir)}")


def test_duplicates_and_conflicts_fail_validation_before_training(
    project: Path, tmp_path: Path
) -> None:
    NluData(project).add("thank", "什么时候发货")  # also an ask_shipping example
    before = tree(project)
    job_dir = tmp_path / "var" / "training" / new_job_id()

    result = _train(project, job_dir)

    assert result.returncode == 1
    status = _status(job_dir)
    assert status["state"] == "failed" and "conflicts" in status["error"]
    assert "什么时候发货" in status["log_tail"]
    assert tree(project) == before


def test_data_rasa_refuses_fails_validation(project: Path, tmp_path: Path) -> None:
    rules = project / "data" / "stories" / "rules.yml"
    rules.write_text(rules.read_text("utf-8").replace("utter_thank", "action_nowhere"), "utf-8")
    job_dir = tmp_path / "var" / "training" / new_job_id()

    result = _train(project, job_dir)

    assert result.returncode == 1
    status = _status(job_dir)
    assert status["state"] == "failed" and "rasa data validate" in status["error"]
    assert "action_nowhere" in status["log_tail"]
    assert not model_path(project).exists()


def test_a_second_job_is_refused_while_one_runs(project: Path, tmp_path: Path) -> None:
    jobs = TrainingJobs(tmp_path / "training")
    lock = jobs.acquire_lock()
    try:
        code = main(["--project", str(project), "--holdout", str(project / "holdout.yml"),
                     "--job-dir", str(jobs.root / new_job_id())])  # fmt: skip
    finally:
        os.close(lock)
    assert code == 1
    assert jobs.job_ids() == []


@pytest.mark.parametrize(
    "args",
    [["--no-such-option"], ["--project", "/nonexistent"], ["--job-dir", "/tmp/not-a-job-id"]],
)
def test_bad_usage_exits_2(args: list[str], project: Path) -> None:
    holdout = ["--holdout", str(project / "holdout.yml")]
    full = args if "--project" in args else ["--project", str(project), *holdout, *args]
    assert main(full) == 2


def test_the_fingerprint_names_the_model(project: Path) -> None:
    assert model_path(project).name == f"{fingerprint(project)}.tar.gz"


def test_bad_usage_fails_the_job_the_gateway_queued(tmp_path: Path) -> None:
    jobs = TrainingJobs(tmp_path / "training")
    lock = jobs.acquire_lock()  # what the gateway holds and hands over to its child
    try:
        job = jobs.create()
        job_dir = ["--job-dir", str(jobs.job_dir(job["id"]))]
        assert main(["--project", str(tmp_path / "nowhere"), *job_dir]) == 2
    finally:
        os.close(lock)
    status = jobs.read(job["id"])
    assert status["state"] == "failed" and "no config.yml" in status["error"]
