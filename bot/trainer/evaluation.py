"""Evaluate models on the held-out examples and compare a new model with the current one.

``rasa test nlu --nlu <holdout> --model M --out DIR --successes`` writes
``intent_report.json`` (per-intent precision, recall, F1, support; accuracy; macro and
weighted averages), ``intent_successes.json`` and ``intent_errors.json`` (every example
with its predicted intent: the confusion matrix as data) and
``intent_confusion_matrix.png`` (the same matrix drawn by Rasa).

The verdict "not worse": the new model's macro F1 and accuracy are each at least the
baseline's minus ``TOLERANCE``. Why 0.01: DIET retrained on slightly different data (even
with a fixed seed, one added example reshuffles every batch) moves one or two held-out
lines either way; on the project's 305-line holdout one line is 0.33 points of accuracy,
and one line of a 15-line intent moves macro F1 by about 0.2 points. One point absorbs
that noise (about three lines), while a real regression, an intent pair confused or an
intent lost, costs several points and is refused.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from bot.errors import ShopAssistantError
from bot.training import failure_reason, log_size, log_tail, rasa_command, run_logged

TOLERANCE = 0.01
# A single intent whose F1 falls by more than this is named in the verdict's reasons
# (a warning only: the decision is on macro F1 and accuracy).
INTENT_DROP_WARNING = 0.10
SUMMARY_KEYS = ("accuracy", "macro avg", "weighted avg", "micro avg")
CONFUSION_PNG = "intent_confusion_matrix.png"


class EvaluationError(ShopAssistantError):
    """``rasa test nlu`` failed or wrote no usable report."""

    def __init__(self, reason: str, log_tail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.log_tail = log_tail


def run_rasa_test(
    project: Path, model: Path, holdout: Path, out_dir: Path, *, log_path: Path | None = None
) -> Path:
    """Run ``rasa test nlu`` for one model into ``out_dir`` (replaced if present).

    Raises:
        EvaluationError: Rasa failed or wrote no intent report.
    """
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    command = rasa_command("test", "nlu", "--nlu", str(holdout.resolve()),
                           "--model", str(model.resolve()), "--out", str(out_dir.resolve()),
                           "--successes")  # fmt: skip
    start = log_size(log_path)
    code = run_logged(command, cwd=project, log_path=log_path)
    if code != 0 or not (out_dir / "intent_report.json").is_file():
        reason = failure_reason(f"rasa test nlu of {model.name}", code, log_path, start)
        raise EvaluationError(reason, log_tail(log_path))
    return out_dir


def cache_key(model: Path, holdout: Path) -> str:
    """What an evaluation depends on: the model's and the holdout's contents."""
    digest = hashlib.sha256()
    for path in (model, holdout):
        with path.open("rb") as file:
            while chunk := file.read(1 << 20):
                digest.update(chunk)
        digest.update(b"\0")
    return digest.hexdigest()[:20]


def evaluate(
    project: Path,
    model: Path,
    holdout: Path,
    *,
    cache_dir: Path,
    log_path: Path | None = None,
) -> dict[str, Any]:
    """The scores of ``model`` on ``holdout``, from the cache when this exact model was
    already evaluated on this exact holdout (the served model, evaluated by every job).

    Returns:
        ``{"model", "accuracy", "macro_f1", "weighted_f1", "examples", "intents",
        "confusion", "out_dir"}``.
    """
    out_dir = cache_dir / cache_key(model, holdout)
    if not (out_dir / "intent_report.json").is_file():
        partial = out_dir.with_name(out_dir.name + ".partial")
        run_rasa_test(project, model, holdout, partial, log_path=log_path)
        shutil.rmtree(out_dir, ignore_errors=True)
        partial.rename(out_dir)
    else:
        os.utime(out_dir)  # recently used: kept by prune_cache
        if log_path:
            with log_path.open("a", encoding="utf-8") as log:
                log.write(f"evaluation of {model.name} on this holdout reused: {out_dir}\n")
    return {"model": str(model.resolve()), **read_scores(out_dir), "out_dir": str(out_dir)}


def read_scores(out_dir: Path) -> dict[str, Any]:
    """Accuracy, macro and weighted F1, per-intent scores and the confusion matrix."""
    report = _read_json(out_dir / "intent_report.json")
    intents = {
        name: {
            "precision": float(row["precision"]), "recall": float(row["recall"]),
            "f1": float(row["f1-score"]), "support": int(row["support"]),
            "confused_with": row.get("confused_with", {}),
        }
        for name, row in report.items()
        if name not in SUMMARY_KEYS and isinstance(row, dict)
    }  # fmt: skip
    confusion = confusion_matrix(out_dir)
    examples = sum(sum(row) for row in confusion["matrix"])
    accuracy = report.get("accuracy", report.get("micro avg", {}).get("f1-score", 0.0))
    return {
        "accuracy": float(accuracy),
        "macro_f1": float(report["macro avg"]["f1-score"]),
        "weighted_f1": float(report["weighted avg"]["f1-score"]),
        "examples": examples,
        "intents": intents,
        "confusion": confusion,
    }


def confusion_matrix(out_dir: Path) -> dict[str, Any]:
    """Rows: the true intent; columns: the predicted one (labels sorted, as Rasa draws it)."""
    pairs = [
        (item["intent"], (item.get("intent_prediction") or {}).get("name") or "")
        for name in ("intent_successes.json", "intent_errors.json")
        if (out_dir / name).is_file()
        for item in _read_json(out_dir / name)
    ]
    labels = sorted({label for pair in pairs for label in pair})
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for true, predicted in pairs:
        matrix[index[true]][index[predicted]] += 1
    return {"labels": labels, "matrix": matrix}


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise EvaluationError(f"cannot read {path.name} of the evaluation") from err


def verdict(
    new: dict[str, Any], baseline: dict[str, Any] | None, tolerance: float = TOLERANCE
) -> dict[str, Any]:
    """Whether the new model is not worse than the baseline, with the reasons."""
    if baseline is None:
        return {"not_worse": True, "tolerance": tolerance,
                "reasons": ["no current model to compare with"]}  # fmt: skip
    reasons, not_worse = [], True
    for key, label in (("macro_f1", "macro F1"), ("accuracy", "accuracy")):
        delta = new[key] - baseline[key]
        ok = delta >= -tolerance
        not_worse = not_worse and ok
        reasons.append(
            f"{label} {new[key]:.3f} vs {baseline[key]:.3f} ({delta:+.3f}): "
            + ("within tolerance" if ok else f"worse by more than {tolerance:.2f}")
        )
    for name, row in sorted(new["intents"].items()):
        before = baseline["intents"].get(name)
        if before and before["f1"] - row["f1"] > INTENT_DROP_WARNING:
            reasons.append(f"warning: {name} F1 {row['f1']:.2f} vs {before['f1']:.2f}")
    return {"not_worse": not_worse, "tolerance": tolerance, "reasons": reasons}


def _summary(scores: dict[str, Any] | None) -> dict[str, Any] | None:
    if scores is None:
        return None
    keys = ("model", "accuracy", "macro_f1", "weighted_f1", "examples")
    return {key: scores[key] for key in keys}


def build_report(
    new: dict[str, Any], baseline: dict[str, Any] | None, holdout: Path
) -> dict[str, Any]:
    """The job's ``report.json``: summaries, verdict, per-intent rows, confusion matrix."""
    before = (baseline or {}).get("intents", {})
    intents = [
        {"name": name, "precision": row["precision"], "recall": row["recall"],
         "f1": row["f1"], "support": row["support"],
         "baseline_f1": before[name]["f1"] if name in before else None,
         "confused_with": row["confused_with"]}
        for name, row in sorted(new["intents"].items())
    ]  # fmt: skip
    return {
        "holdout": str(holdout),
        "new": _summary(new),
        "baseline": _summary(baseline),
        "verdict": verdict(new, baseline),
        "intents": intents,
        "confusion": new["confusion"],
    }


def format_report(report: dict[str, Any]) -> str:
    """A readable comparison for the terminal."""
    new, base = report["new"], report["baseline"]
    lines = [f"held-out examples: {new['examples']} ({report['holdout']})",
             f"{'':12}{'new':>9}{'current':>9}"]  # fmt: skip
    for key, label in (("accuracy", "accuracy"), ("macro_f1", "macro F1")):
        current = f"{base[key]:9.3f}" if base else f"{'-':>9}"
        lines.append(f"{label:12}{new[key]:9.3f}{current}")
    lines.append("")
    lines.append(f"{'intent':24}{'P':>7}{'R':>7}{'F1':>7}{'n':>5}{'F1 now':>8}")
    for row in report["intents"]:
        was = "-" if row["baseline_f1"] is None else f"{row['baseline_f1']:.2f}"
        lines.append(f"{row['name']:24}{row['precision']:7.2f}{row['recall']:7.2f}"
                     f"{row['f1']:7.2f}{row['support']:5d}{was:>8}")  # fmt: skip
    verdict_ = report["verdict"]
    lines.append("")
    lines.append("verdict: " + ("NOT WORSE" if verdict_["not_worse"] else "WORSE"))
    lines += [f"  - {reason}" for reason in verdict_["reasons"]]
    return "\n".join(lines)


def copy_confusion_png(scores: dict[str, Any], target: Path) -> Path | None:
    """Copy Rasa's drawing of the confusion matrix next to the job's report."""
    source = Path(scores["out_dir"]) / CONFUSION_PNG
    if not source.is_file():
        return None
    shutil.copyfile(source, target)
    return target


def prune_cache(cache_dir: Path, keep: int = 8) -> None:
    """Keep only the ``keep`` most recent evaluations in the cache."""
    if not cache_dir.is_dir():
        return
    entries = sorted(
        (p for p in cache_dir.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime
    )
    for stale in entries[:-keep]:
        shutil.rmtree(stale, ignore_errors=True)
