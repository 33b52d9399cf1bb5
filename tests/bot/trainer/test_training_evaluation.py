"""Reading ``rasa test nlu``'s output, the verdict "not worse", the report and its cache.

The output folders here are written in Rasa's format with scikit-learn's report (what
Rasa itself calls); the CLI tests read real ``rasa test nlu`` output.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from sklearn.metrics import classification_report

from bot.trainer import evaluation
from bot.trainer.evaluation import TOLERANCE, build_report, format_report, read_scores, verdict

PAIRS = [  # (true intent, predicted intent)
    *[("greet", "greet")] * 4, ("greet", "thank"),
    *[("thank", "thank")] * 5,
    *[("ask_return", "ask_return")] * 3, ("ask_return", "ask_shipping"), ("ask_return", "greet"),
]  # fmt: skip


def _write_rasa_output(folder: Path, pairs: list[tuple[str, str]]) -> Path:
    folder.mkdir(parents=True)
    true, predicted = zip(*pairs, strict=True)
    report = classification_report(true, predicted, output_dict=True, zero_division=0)
    (folder / "intent_report.json").write_text(json.dumps(report))
    rows = [{"text": f"例句{i}", "intent": t, "intent_prediction": {"name": p, "confidence": 0.9}}
            for i, (t, p) in enumerate(pairs)]  # fmt: skip
    right = [r for r in rows if r["intent"] == r["intent_prediction"]["name"]]
    wrong = [r for r in rows if r not in right]
    (folder / "intent_successes.json").write_text(json.dumps(right, ensure_ascii=False))
    (folder / "intent_errors.json").write_text(json.dumps(wrong, ensure_ascii=False))
    return folder


def _scores(accuracy: float, macro_f1: float, intents: dict[str, float]) -> dict[str, Any]:
    return {
        "model": "/m.tar.gz", "accuracy": accuracy, "macro_f1": macro_f1, "weighted_f1": macro_f1,
        "examples": 15, "confusion": {"labels": [], "matrix": []},
        "intents": {n: {"precision": f, "recall": f, "f1": f, "support": 5, "confused_with": {}}
                    for n, f in intents.items()},
    }  # fmt: skip


def test_scores_and_confusion_matrix_from_rasa_output(tmp_path: Path) -> None:
    scores = read_scores(_write_rasa_output(tmp_path / "eval", PAIRS))
    assert scores["examples"] == 15
    assert scores["accuracy"] == pytest.approx(12 / 15)
    greet = scores["intents"]["greet"]
    assert (greet["precision"], greet["recall"], greet["support"]) == (pytest.approx(0.8), 0.8, 5)
    assert scores["intents"]["ask_return"]["recall"] == pytest.approx(3 / 5)
    assert scores["intents"]["ask_shipping"]["support"] == 0  # predicted, never true
    confusion = scores["confusion"]
    assert confusion["labels"] == ["ask_return", "ask_shipping", "greet", "thank"]
    assert confusion["matrix"] == [[3, 1, 1, 0], [0, 0, 0, 0], [0, 0, 4, 1], [0, 0, 0, 5]]


def test_no_errors_file_when_every_line_is_right(tmp_path: Path) -> None:
    folder = _write_rasa_output(tmp_path / "eval", [("greet", "greet"), ("thank", "thank")])
    (folder / "intent_errors.json").unlink()  # Rasa writes none then
    assert read_scores(folder)["confusion"]["matrix"] == [[1, 0], [0, 1]]


def test_not_worse_within_the_tolerance() -> None:
    base = _scores(0.95, 0.94, {"greet": 0.9})
    assert verdict(_scores(0.95, 0.94, {"greet": 0.9}), base)["not_worse"]
    slightly = _scores(0.95 - TOLERANCE / 2, 0.94 - TOLERANCE / 2, {"greet": 0.9})
    assert verdict(slightly, base)["not_worse"]
    assert verdict(_scores(0.99, 0.99, {"greet": 1.0}), base)["not_worse"]


def test_worse_when_macro_f1_or_accuracy_drops_beyond_the_tolerance() -> None:
    base = _scores(0.95, 0.94, {"greet": 0.9})
    lower_f1 = verdict(_scores(0.95, 0.92, {"greet": 0.9}), base)
    assert not lower_f1["not_worse"]
    assert any("macro F1" in r and "worse" in r for r in lower_f1["reasons"])
    assert not verdict(_scores(0.93, 0.94, {"greet": 0.9}), base)["not_worse"]


def test_a_collapsed_intent_is_named_and_no_baseline_is_not_worse() -> None:
    base = _scores(0.95, 0.94, {"greet": 0.9, "thank": 0.9})
    result = verdict(_scores(0.95, 0.94, {"greet": 0.5, "thank": 1.0}), base)
    assert result["not_worse"] and any("greet" in r for r in result["reasons"])
    first = verdict(_scores(0.5, 0.5, {}), None)
    assert first["not_worse"] and first["reasons"] == ["no current model to compare with"]


def test_report_lists_every_intent_with_the_baselines_f1(tmp_path: Path) -> None:
    new = read_scores(_write_rasa_output(tmp_path / "new", PAIRS))
    old = read_scores(_write_rasa_output(tmp_path / "old", [(t, t) for t, _ in PAIRS]))
    report = build_report(new | {"model": "/n"}, old | {"model": "/o"}, Path("holdout.yml"))
    rows = {row["name"]: row for row in report["intents"]}
    assert set(rows) == {"ask_return", "ask_shipping", "greet", "thank"}
    assert rows["greet"]["baseline_f1"] == 1.0 and rows["ask_shipping"]["baseline_f1"] is None
    assert set(rows["greet"]) >= {"precision", "recall", "f1", "support", "baseline_f1"}
    assert report["new"]["accuracy"] == pytest.approx(0.8) and report["baseline"]["accuracy"] == 1
    assert not report["verdict"]["not_worse"]
    assert report["confusion"] == new["confusion"]
    json.dumps(report)  # what report.json holds
    text = format_report(report)
    assert "verdict: WORSE" in text and "ask_return" in text and "0.800" in text


def test_an_evaluation_is_reused_for_the_same_model_and_holdout(tmp_path: Path) -> None:
    model, holdout = tmp_path / "m.tar.gz", tmp_path / "holdout.yml"
    model.write_bytes(b"model")
    holdout.write_text("nlu: []")
    cache = tmp_path / "cache"
    _write_rasa_output(cache / evaluation.cache_key(model, holdout), PAIRS)
    # No project and no Rasa: only the cache can answer.
    scores = evaluation.evaluate(tmp_path / "missing", model, holdout, cache_dir=cache)
    assert scores["accuracy"] == pytest.approx(0.8)
    holdout.write_text("nlu: [] # changed")
    assert evaluation.cache_key(model, holdout) not in os.listdir(cache)


def test_the_cache_keeps_the_most_recent_evaluations(tmp_path: Path) -> None:
    for i in range(5):
        (tmp_path / f"e{i}").mkdir()
        os.utime(tmp_path / f"e{i}", (1000 + i, 1000 + i))
    evaluation.prune_cache(tmp_path, keep=2)
    assert sorted(os.listdir(tmp_path)) == ["e3", "e4"]
