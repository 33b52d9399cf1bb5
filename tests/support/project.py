"""A private copy of the project files a trainer edits, so tests never touch the real data."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.settings import PROJECT_ROOT

TRAINER_FILES = ("data/nlu", "data/sentiment", "data/stories", "domain.yml")


def copy_of_project_data(root: Path) -> Path:
    """Copy data/nlu, data/sentiment, data/stories and domain.yml under ``root``."""
    for name in TRAINER_FILES:
        source, target = PROJECT_ROOT / name, root / name
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
    return root
