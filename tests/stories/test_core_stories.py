"""`rasa test core` over the test stories: no failed story."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.settings import PROJECT_ROOT
from tests.support.rasa_cli import report_dir, run_rasa


def test_no_failed_stories(trained_model: Path) -> None:
    out = report_dir("core")
    stories = PROJECT_ROOT / "tests" / "stories" / "test_stories.yml"
    result = run_rasa(
        "test",
        "core",
        "--stories",
        str(stories),
        "--model",
        str(trained_model),
        "--out",
        str(out),
        "--fail-on-prediction-errors",
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    failed = out / "failed_test_stories.yml"
    if failed.exists():
        content = yaml.safe_load(failed.read_text(encoding="utf-8")) or {}
        assert not content.get("stories"), failed.read_text(encoding="utf-8")[:3000]
