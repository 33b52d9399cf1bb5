"""``bot.training``'s building blocks: running Rasa with a log, finding the root cause,
publishing a finished model in one step, pruning old models."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from bot.training import (
    KEEP_MODELS,
    failure_reason,
    log_size,
    prune,
    publish,
    root_cause,
    run_logged,
)

PROGRESS_SCRIPT = (
    "import sys; print('Epochs: 50%|#| 1/2', end='\\r'); print('Epochs: 100%|#| 2/2'); "
    "print('done', flush=True); sys.exit(3)"
)


def test_run_logged_logs_everything_and_hands_over_each_redrawn_line(tmp_path: Path) -> None:
    log = tmp_path / "log.txt"
    log.write_text("earlier\n")
    lines: list[str] = []
    code = run_logged([sys.executable, "-c", PROGRESS_SCRIPT], cwd=tmp_path, log_path=log,
                      on_line=lines.append)  # fmt: skip
    assert code == 3
    assert lines == ["Epochs: 50%|#| 1/2", "Epochs: 100%|#| 2/2", "done"]
    assert log.read_bytes() == b"earlier\nEpochs: 50%|#| 1/2\rEpochs: 100%|#| 2/2\ndone\n"


def test_the_root_cause_is_the_first_exception_of_this_commands_output(tmp_path: Path) -> None:
    log = tmp_path / "log.txt"
    log.write_text("ValueError: from an earlier command\n")
    start = log_size(log)
    with log.open("a") as file:
        file.write("Traceback (most recent call last):\n  File 'x', line 1\n"
                   "RuntimeError: the real reason\n\nThe above exception was the direct cause\n"
                   "rasa.engine.exceptions.GraphComponentException: Error running node\n"
                   "UserWarning: not an error\n")  # fmt: skip
    assert root_cause(log, start) == "RuntimeError: the real reason"
    assert failure_reason("rasa train", 1, log, start) == (
        "rasa train failed (exit 1): RuntimeError: the real reason"
    )
    assert failure_reason("rasa train", 1, tmp_path / "none.txt") == "rasa train failed (exit 1)"


def test_publish_moves_a_finished_file_into_place(tmp_path: Path) -> None:
    staged = tmp_path / "staging" / "m.tar.gz"
    staged.parent.mkdir()
    staged.write_bytes(b"new model")
    target = tmp_path / "models" / "m.tar.gz"
    publish(staged, target)
    assert target.read_bytes() == b"new model" and not staged.exists()


def test_prune_keeps_the_newest_and_everything_asked_for(tmp_path: Path) -> None:
    models = []
    for i in range(6):
        model = tmp_path / f"m{i}.tar.gz"
        model.write_bytes(b"x")
        (tmp_path / f"m{i}.json").write_text("{}")
        os.utime(model, (1000 + i, 1000 + i))
        models.append(model)
    new, served = models[5], models[0]  # the served model is the oldest
    deleted = prune(tmp_path, [new, served])
    kept = sorted(p.name for p in tmp_path.glob("*.tar.gz"))
    assert kept == ["m0.tar.gz", "m4.tar.gz", "m5.tar.gz"] and len(kept) == KEEP_MODELS
    assert sorted(p.name for p in deleted) == ["m1.tar.gz", "m2.tar.gz", "m3.tar.gz"]
    assert not (tmp_path / "m1.json").exists() and (tmp_path / "m4.json").exists()
