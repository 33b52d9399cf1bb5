"""How often the redactor fires on real text, with hits to eyeball, and how fast it is.

Reads a file of real messages (JSON lines with a ``text`` field such as
../shared/data/buyer_messages.jsonl, a CSV with a ``review`` or ``text`` column, or plain
lines), runs every redactable kind over every line and prints, per kind, how many lines
it fires on and up to ``--show`` hits in context; then the time per line. The file is
only read: never copy it into the project.
Run: ``python -m bench.redaction PATH [--show 30]``.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

from bot.settings import REDACTABLE_KINDS
from bot.transcripts.redaction import Redactor

CONTEXT = 12  # characters shown either side of a hit
TIMING_ROUNDS = 5


def read_lines(path: Path) -> list[str]:
    """The texts of ``path``: JSON lines (``text``), CSV (``review``/``text``) or plain lines."""
    if path.suffix == ".jsonl":
        with path.open(encoding="utf-8") as lines:
            return [json.loads(line)["text"] for line in lines if line.strip()]
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as rows:
            reader = csv.DictReader(rows)
            column = "review" if "review" in (reader.fieldnames or ()) else "text"
            return [row[column] for row in reader if row.get(column)]
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def hits_by_kind(redactor: Redactor, texts: list[str]) -> dict[str, list[str]]:
    """For each kind, one excerpt per line it fires on (the hit in 【】)."""
    hits: dict[str, list[str]] = defaultdict(list)
    for text in texts:
        seen = set()
        for finding in redactor.findings(text):
            if finding.kind in seen:
                continue
            seen.add(finding.kind)
            before = text[max(0, finding.start - CONTEXT) : finding.start]
            after = text[finding.end : finding.end + CONTEXT]
            hits[finding.kind].append(f"{before}【{text[finding.start : finding.end]}】{after}")
    return hits


def microseconds_per_line(redactor: Redactor, texts: list[str]) -> float:
    """The best of a few rounds of redacting every line, per line."""
    best = float("inf")
    for _ in range(TIMING_ROUNDS):
        began = time.perf_counter()
        for text in texts:
            redactor.redact(text)
        best = min(best, time.perf_counter() - began)
    return best / len(texts) * 1e6


def main(argv: list[str] | None = None) -> int:
    """Print the firing rates, sample hits and timing for the file named in ``argv``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--show", type=int, default=30, help="hits shown per kind")
    args = parser.parse_args(argv)
    if not args.path.is_file():
        print(f"no such file: {args.path} (the shared data is not in the project)")
        return 1
    texts = read_lines(args.path)
    redactor = Redactor(REDACTABLE_KINDS)
    hits = hits_by_kind(redactor, texts)
    print(f"{len(texts)} lines, mean {sum(map(len, texts)) / len(texts):.0f} characters")
    for kind in REDACTABLE_KINDS:
        found = hits.get(kind, [])
        print(f"\n{kind}: fires on {len(found)} lines ({len(found) / len(texts):.2%})")
        for excerpt in random.Random(0).sample(found, min(args.show, len(found))):
            print(f"  {excerpt}")
    print(f"\nredact(): {microseconds_per_line(redactor, texts):.1f} µs per line")
    return 0


if __name__ == "__main__":
    sys.exit(main())
