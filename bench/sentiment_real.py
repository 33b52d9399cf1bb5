"""How the chat-sentiment model does on real buyer messages (../shared/data/buyer_messages.jsonl).

It trains the model from ``data/sentiment/`` (timed), then measures it two ways:

* on the hand-labelled sample in ``../labels/buyer_sentiment.jsonl``: negative precision,
  recall and F1, overall accuracy, and the confusion counts (gold label by predicted label);
* on all the real messages: the share predicted negative (what a handoff rule would flag;
  SnowNLP, a review-trained model, flags 71 %) and the prediction latency per message.

Both files live outside the project and may be read but never copied into it. Run:
``python -m bench.sentiment_real [--labels PATH] [--messages PATH] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.stats import percentile
from bot.sentiment.data import LABELS, load_examples
from bot.sentiment.model import SentimentModel
from bot.settings import PROJECT_ROOT

TRAINING_DATA = PROJECT_ROOT / "data" / "sentiment"
LABELLED = PROJECT_ROOT.parent / "labels" / "buyer_sentiment.jsonl"
SHARED_MESSAGES = PROJECT_ROOT.parent / "shared" / "data" / "buyer_messages.jsonl"
NEGATIVE = "negative"
SNOWNLP_NEGATIVE_SHARE = 0.71
CORNER = "gold / predicted"


@dataclass(frozen=True)
class Figures:
    """Everything the benchmark measures, in the units it prints."""

    labelled: int
    negative_precision: float
    negative_recall: float
    negative_f1: float
    accuracy: float
    confusion: dict[str, dict[str, int]]
    messages: int
    negative_share: float
    snownlp_negative_share: float
    p50_ms: float
    p99_ms: float
    training_examples: int
    training_s: float


def read_jsonl(path: Path) -> list[dict[str, str]]:
    """The JSON objects of a JSON-lines file, skipping blank lines."""
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def train(data: Path) -> tuple[SentimentModel, int, float]:
    """The model trained on ``data``, the number of examples and the seconds it took."""
    examples = load_examples(data)
    started = time.perf_counter()
    model = SentimentModel.fit(examples)
    return model, len(examples), time.perf_counter() - started


def timed_labels(model: SentimentModel, texts: Sequence[str]) -> tuple[list[str], list[float]]:
    """The predicted label of each text and the milliseconds each prediction took."""
    labels: list[str] = []
    millis: list[float] = []
    for text in texts:
        started = time.perf_counter()
        labels.append(model.predict(text).label)
        millis.append((time.perf_counter() - started) * 1000)
    return labels, millis


def ratio(part: int, whole: int) -> float:
    """``part / whole``, or 0.0 when ``whole`` is zero."""
    return part / whole if whole else 0.0


def confusion(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, dict[str, int]]:
    """Counts of (gold label, predicted label), as ``{gold: {predicted: count}}``."""
    pairs = Counter(zip(gold, predicted, strict=True))
    return {g: {p: pairs[g, p] for p in LABELS} for g in LABELS}


def f1(precision: float, recall: float) -> float:
    """The harmonic mean of precision and recall (0.0 when both are zero)."""
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def measure(
    model: SentimentModel,
    labelled: Sequence[dict[str, str]],
    messages: Sequence[str],
    training: tuple[int, float],
) -> Figures:
    """The figures on the labelled sample and on all messages; ``training`` is (examples, s)."""
    gold = [row["label"] for row in labelled]
    table = confusion(gold, [model.predict(row["text"]).label for row in labelled])
    hits = table[NEGATIVE][NEGATIVE]
    precision = ratio(hits, sum(table[g][NEGATIVE] for g in LABELS))
    recall = ratio(hits, sum(table[NEGATIVE].values()))
    predicted, millis = timed_labels(model, messages)
    return Figures(
        labelled=len(labelled),
        negative_precision=precision,
        negative_recall=recall,
        negative_f1=f1(precision, recall),
        accuracy=ratio(sum(table[label][label] for label in LABELS), len(labelled)),
        confusion=table,
        messages=len(messages),
        negative_share=ratio(predicted.count(NEGATIVE), len(messages)),
        snownlp_negative_share=SNOWNLP_NEGATIVE_SHARE,
        p50_ms=percentile(millis, 50),
        p99_ms=percentile(millis, 99),
        training_examples=training[0],
        training_s=training[1],
    )


def report(figures: Figures) -> None:
    """Print the figures for a reader."""
    print(f"trained on {figures.training_examples} examples in {figures.training_s:.2f} s")
    print(f"\n{figures.labelled} hand-labelled real messages")
    print(
        f"negative precision {figures.negative_precision:.3f}  "
        f"recall {figures.negative_recall:.3f}  F1 {figures.negative_f1:.3f}  "
        f"accuracy {figures.accuracy:.3f}"
    )
    print(f"\n{CORNER:<18}" + "".join(f"{label:>10}" for label in LABELS))
    for gold, row in figures.confusion.items():
        print(f"{gold:<18}" + "".join(f"{row[label]:>10}" for label in LABELS))
    print(
        f"\nall {figures.messages} real messages: {figures.negative_share:.1%} predicted negative "
        f"(SnowNLP, a review-trained model, flags {figures.snownlp_negative_share * 100:.0f} %)"
    )
    print(
        f"prediction latency per message: p50 {figures.p50_ms:.3f} ms, "
        f"p99 {figures.p99_ms:.3f} ms"
    )


def missing(paths: Sequence[Path]) -> list[Path]:
    """The paths that do not exist."""
    return [path for path in paths if not path.exists()]


def main() -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--labels", type=Path, default=LABELLED)
    parser.add_argument("--messages", type=Path, default=SHARED_MESSAGES)
    parser.add_argument("--json", action="store_true", help="print the figures as one object")
    args = parser.parse_args()
    for path in missing([args.labels, args.messages]):
        print(f"{path} does not exist; nothing to measure", file=sys.stderr)
    if missing([args.labels, args.messages]):
        return 2
    model, examples, seconds = train(TRAINING_DATA)
    messages = [row["text"] for row in read_jsonl(args.messages)]
    figures = measure(model, read_jsonl(args.labels), messages, (examples, seconds))
    if args.json:
        print(json.dumps(asdict(figures), ensure_ascii=False))
    else:
        report(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
