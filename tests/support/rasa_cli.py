"""Running the Rasa command line from tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.settings import PROJECT_ROOT

REPORTS = PROJECT_ROOT / "reports"


def run_rasa(*args: str, timeout_s: float = 900) -> subprocess.CompletedProcess[str]:
    """Run ``python -m rasa ARGS`` in the project root and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "rasa", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


def report_dir(name: str) -> Path:
    """A directory under reports/ (kept by CI as an artifact)."""
    path = REPORTS / name
    path.mkdir(parents=True, exist_ok=True)
    return path
