"""Intent quality on held-out examples written apart from the training data (gates CI)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from bot.settings import PROJECT_ROOT
from tests.support.rasa_cli import report_dir, run_rasa

MIN_MACRO_F1 = 0.90
HOLDOUT = PROJECT_ROOT / "tests" / "nlu" / "holdout.yml"


def _examples(path: Path) -> set[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    lines = set()
    for block in data.get("nlu", []):
        for line in block.get("examples", "").splitlines():
            if line.strip().startswith("- "):
                lines.add(line.strip()[2:].strip())
    return lines


def test_holdout_is_disjoint_from_training() -> None:
    training = set().union(*(_examples(p) for p in (PROJECT_ROOT / "data" / "nlu").glob("*.yml")))
    overlap = _examples(HOLDOUT) & training
    assert not overlap, f"holdout examples also in training: {sorted(overlap)[:10]}"


def test_intent_macro_f1_on_holdout(trained_model: Path) -> None:
    out = report_dir("nlu")
    result = run_rasa(
        "test", "nlu", "--nlu", str(HOLDOUT), "--model", str(trained_model), "--out", str(out)
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    report = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    macro_f1 = report["macro avg"]["f1-score"]
    weak = {
        k: round(v["f1-score"], 2)
        for k, v in report.items()
        if isinstance(v, dict) and "f1-score" in v and v["f1-score"] < 0.85
    }
    assert macro_f1 >= MIN_MACRO_F1, f"macro F1 {macro_f1:.3f}; weak intents: {weak}"
