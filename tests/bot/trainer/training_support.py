"""The small training project and its models, shared by the training tests.

Models are trained once per test session and kept by fingerprint under pytest's base
temporary folder (the same cache ``bot.training`` uses: ``models/<fingerprint>.tar.gz``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT
from bot.training import model_path, train_into

SMALL_PROJECT = Path(__file__).resolve().parent / "small_project"
CLI_TIMEOUT_S = 600


def copy_project(target: Path, *, mislabelled: bool = False) -> Path:
    """A private copy of the small project (its data, config, domain and holdout).

    ``mislabelled``: the examples of ``greet`` and ``thank`` swapped, a bad relabelling
    whose model is clearly worse on the holdout.
    """
    shutil.copytree(SMALL_PROJECT, target, ignore=shutil.ignore_patterns("models", ".rasa"))
    if mislabelled:
        nlu = target / "data" / "nlu"
        greet, thank = (nlu / "greet.yml").read_text(), (nlu / "thank.yml").read_text()
        (nlu / "greet.yml").write_text(thank.replace("intent: thank", "intent: greet"))
        (nlu / "thank.yml").write_text(greet.replace("intent: greet", "intent: thank"))
    return target


def trained_model(cache: Path, *, mislabelled: bool = False) -> Path:
    """The model of the small project (or its mislabelled variant), trained on first use."""
    project = cache / ("mislabelled" if mislabelled else "project")
    if not project.exists():
        copy_project(project, mislabelled=mislabelled)
    target = model_path(project)
    if not target.exists():
        train_into(project, target, log_path=cache / f"{project.name}-train.log")
    return target


def install_model(model: Path, project: Path, name: str | None = None) -> Path:
    """Copy a trained model into a project's models/ (as ``name``, default its own name)."""
    target = project / "models" / (name or model.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(model, target)
    return target


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where this session's small models live."""
    cache = tmp_path_factory.getbasetemp() / "small-models"
    cache.mkdir(exist_ok=True)
    return cache


@pytest.fixture(scope="session")
def good_model(model_cache: Path) -> Path:
    """The small project's model (all four intents learnt)."""
    return trained_model(model_cache)


@pytest.fixture(scope="session")
def bad_model(model_cache: Path) -> Path:
    """The mislabelled project's model (greet and thank swapped)."""
    return trained_model(model_cache, mislabelled=True)


def run_train_cli(
    *args: str, var_dir: Path, rasa_url: str, timeout_s: float = CLI_TIMEOUT_S
) -> subprocess.CompletedProcess[str]:
    """``python -m bot train ARGS`` as the trainer runs it, in a subprocess."""
    env = {**os.environ, "SHOP_VAR_DIR": str(var_dir), "RASA_URL": rasa_url}
    env.pop("SHOP_TRAINING_LOCK_FD", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", "train", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its content (to show nothing changed)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".rasa" not in p.parts
    }
