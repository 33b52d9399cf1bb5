"""``python -m bot nlu add|check``: output and exit codes, run as a trainer runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT
from bot.trainer.nlu_cli import main

RULES = """\
version: "3.1"
rules:
  - rule: greeting
    steps:
      - intent: greet
      - action: utter_greet
  - rule: thanks
    steps:
      - intent: thank
      - action: utter_thank
"""


@pytest.fixture
def clean_project(tmp_path: Path) -> Path:
    """A small project without duplicates or conflicts."""
    root = tmp_path / "clean"
    (root / "data" / "nlu").mkdir(parents=True)
    (root / "data" / "stories").mkdir()
    (root / "domain.yml").write_text(
        'version: "3.1"\nintents:\n  - greet\n  - thank\nentities:\n  - colour\n',
        encoding="utf-8",
    )
    for intent, texts in {"greet": ["你好", "在吗"], "thank": ["谢谢", "多谢"]}.items():
        lines = "".join(f"      - {text}\n" for text in texts)
        (root / "data" / "nlu" / f"{intent}.yml").write_text(
            f'version: "3.1"\nnlu:\n  - intent: {intent}\n    examples: |\n{lines}',
            encoding="utf-8",
        )
    (root / "data" / "stories" / "rules.yml").write_text(RULES, encoding="utf-8")
    return root


def _run(*args: str, cwd: Path = PROJECT_ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": str(PROJECT_ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "bot", "nlu", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def test_add_writes_and_prints_where(project: Path) -> None:
    done = _run("add", "--intent", "ask_size", "我165穿多大", "--project", str(project))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "added to data/nlu/ask_size.yml"
    assert "      - 我165穿多大\n" in (project / "data/nlu/ask_size.yml").read_text("utf-8")
    again = _run("add", "--intent", "ask_size", "我165穿多大", "--project", str(project))
    assert again.returncode == 0
    assert "already in data/nlu/ask_size.yml: not added again" in again.stdout
    assert "warning: duplicate in ask_size: '我165穿多大'" in again.stdout


def test_add_with_sentiment_and_warnings(project: Path) -> None:
    done = _run(
        "add", "--intent", "ask_shipping", "有貨嗎", "--sentiment", "neutral",
        "--project", str(project),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:2] == [
        "added to data/nlu/ask_shipping.yml",
        "added to data/sentiment/neutral.yml",
    ]
    assert "warning: conflict: '有貨嗎' (ask_shipping) is also '有货吗' (ask_stock)" in lines


def test_add_a_new_intent(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["add", "--intent", "ask_warranty", "保修多久", "--project", str(project)])
    out = capsys.readouterr().out
    assert code == 0
    assert "new intent: ask_warranty added to domain.yml" in out
    assert "warning: no rule: no rule or story in data/stories starts from ask_warranty" in out
    assert "  - ask_warranty\n" in (project / "domain.yml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["add", "--intent", "Ask-Size", "我165穿多大"], "intent name 'Ask-Size' must be"),
        (["add", "--intent", "ask_size", "[165](height"], "malformed entity annotation"),
        (["add", "--intent", "ask_size", "我165", "--sentiment", "angry"], "sentiment label"),
        (["add", "我165穿多大"], "give --intent, --sentiment or both"),
    ],
)
def test_bad_input_exits_2_with_the_reason(
    project: Path, capsys: pytest.CaptureFixture[str], args: list[str], reason: str
) -> None:
    before = sorted(p.read_bytes() for p in project.rglob("*.yml"))
    assert main([*args, "--project", str(project)]) == 2
    assert reason in capsys.readouterr().err
    assert sorted(p.read_bytes() for p in project.rglob("*.yml")) == before


def test_bad_input_through_python_m_bot(project: Path) -> None:
    done = _run("add", "--intent", "nlu_fallback", "你好", "--project", str(project))
    assert done.returncode == 2
    assert done.stderr.strip() == "error: 'nlu_fallback' is one of Rasa's own intents"
    assert _run("check", "--thin-below", "0", "--project", str(project)).returncode == 2
    assert _run("frobnicate").returncode == 2


def test_check_of_clean_data_exits_0(clean_project: Path) -> None:
    done = _run("check", "--project", str(clean_project), "--thin-below", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "NLU data in" in out and ": 4 examples, 2 intents" in out
    assert "\nduplicates: none\n" in out and "\nconflicts: none\n" in out
    assert "  intent  examples\n  greet          2\n  thank          2\n" in out
    assert out.rstrip().endswith("OK: no duplicates or conflicts")


def test_check_with_a_conflict_exits_1(clean_project: Path) -> None:
    assert _run("add", "--intent", "thank", "你好", "--project", str(clean_project)).returncode == 0
    done = _run("check", "--project", str(clean_project))
    assert done.returncode == 1
    assert "conflicts (1):\n  conflict: '你好' (greet) is also '你好' (thank)" in done.stdout
    assert "thin intents (fewer than 15) (2):" in done.stdout
    assert done.stdout.rstrip().endswith("FAILED: 1 conflicts")


def test_check_json(clean_project: Path) -> None:
    done = _run("check", "--json", "--project", str(clean_project), "--thin-below", "3")
    assert done.returncode == 0
    report = json.loads(done.stdout)
    assert report["ok"] is True
    assert report["counts"] == {"greet": 2, "thank": 2}
    assert [w["intent"] for w in report["thin_intents"]] == ["greet", "thank"]


def test_check_of_the_real_project_by_default(tmp_path: Path) -> None:
    done = _run("check", "--json", cwd=tmp_path)  # --project defaults to PROJECT_ROOT
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout)
    assert done.returncode == (0 if report["ok"] else 1)
    assert report["examples"] == sum(report["counts"].values()) > 1000
