"""Labelled sentiment examples: the YAML files in ``data/sentiment/`` and the test holdout.

The format mirrors Rasa's NLU YAML so that trainers extend both the same way::

    version: "1"
    sentiment:
      - label: negative
        examples: |
          - 等了一个礼拜了还没到
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.errors import ShopDataError

LABELS = ("negative", "neutral", "positive")


class SentimentDataError(ShopDataError):
    """A sentiment data file is missing or malformed."""


@dataclass(frozen=True)
class LabelledText:
    """One example: what the buyer wrote and how it feels."""

    text: str
    label: str


def data_files(path: Path) -> list[Path]:
    """``path`` itself, or the YAML files under it, sorted."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise SentimentDataError(f"no sentiment data at {path}")
    return sorted(p for p in path.rglob("*.yml") if p.is_file())


def load_examples(path: Path) -> list[LabelledText]:
    """Every example in a file or a directory of files, in file order.

    Raises:
        SentimentDataError: unreadable YAML, an unknown label or an empty example.
    """
    examples: list[LabelledText] = []
    for file in data_files(path):
        examples += _file_examples(file)
    if not examples:
        raise SentimentDataError(f"no sentiment examples under {path}")
    return examples


def _file_examples(file: Path) -> list[LabelledText]:
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as err:
        raise SentimentDataError(f"cannot read {file}: {err}") from err
    blocks = raw.get("sentiment") if isinstance(raw, dict) else None
    if not isinstance(blocks, list):
        raise SentimentDataError(f"{file}: expected a top-level 'sentiment' list")
    examples: list[LabelledText] = []
    for block in blocks:
        label = block.get("label") if isinstance(block, dict) else None
        if label not in LABELS:
            raise SentimentDataError(f"{file}: label must be one of {LABELS}, got {label!r}")
        examples += [LabelledText(text, label) for text in _lines(file, block.get("examples"))]
    return examples


def _lines(file: Path, block: object) -> list[str]:
    if not isinstance(block, str):
        raise SentimentDataError(f"{file}: 'examples' must be a block of '- text' lines")
    texts = []
    for line in block.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("- ") or not stripped[2:].strip():
            raise SentimentDataError(f"{file}: bad example line {stripped[:40]!r}")
        texts.append(stripped[2:].strip())
    return texts
