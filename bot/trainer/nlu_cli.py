"""``python -m bot nlu``: add a relabelled buyer line to the data, check the NLU data.

    python -m bot nlu add --intent ask_size "我165穿多大" [--sentiment negative] [--project DIR]
    python -m bot nlu check [--project DIR] [--thin-below N] [--json]

``add`` exits 0 (warnings are printed), 2 on bad input. ``check`` exits 1 when the data
has duplicates or conflicts, else 0.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.settings import Settings
from bot.trainer.checks import (
    NEAR_DUPLICATE,
    THIN_BELOW,
    CheckReport,
    Warning_,
    check,
    sentiment_warnings_for,
    warnings_for,
)
from bot.trainer.errors import TrainerDataError
from bot.trainer.nlu_data import AddResult, NluData, check_label


def main(argv: list[str]) -> int:
    """Run ``nlu add`` or ``nlu check``; return the exit code."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:  # argparse: --help (0) or a usage error (2)
        return exit_.code if isinstance(exit_.code, int) else 2
    try:
        return args.run(args)
    except TrainerDataError as err:
        print(f"error: {err.reason}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot nlu", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="add an example to data/nlu (and data/sentiment)")
    add.add_argument("text", help='the example; entities annotated as "[蓝色](colour)"')
    add.add_argument("--intent", help="the intent it belongs to (data/nlu/<intent>.yml)")
    add.add_argument("--sentiment", help="also add it to data/sentiment/<label>.yml")
    add.set_defaults(run=_add)
    report = commands.add_parser("check", help="duplicates, conflicts, counts per intent")
    report.add_argument("--thin-below", type=_positive, default=THIN_BELOW, metavar="N")
    report.add_argument("--json", action="store_true", help="print the report as JSON")
    report.set_defaults(run=_check)
    for command in (add, report):
        command.add_argument(
            "--project",
            type=Path,
            metavar="DIR",
            help="default: TRAINER_PROJECT_DIR, else here",
        )
    return parser


def _positive(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"not a number: {raw!r}") from err
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _add(args: argparse.Namespace) -> int:
    if args.intent is None and args.sentiment is None:
        raise TrainerDataError("give --intent, --sentiment or both", "bad_intent")
    data = NluData(args.project or Settings.from_env().trainer_project_dir)
    warnings: list[Warning_] = []
    # Everything is validated before anything is written.
    if args.intent is not None:
        warnings += warnings_for(data, args.intent, args.text)
    if args.sentiment is not None:
        warnings += sentiment_warnings_for(data, check_label(args.sentiment), args.text)
    if args.intent is not None:
        _print_added(data, data.add(args.intent, args.text))
    if args.sentiment is not None:
        _print_added(data, data.add_sentiment(args.sentiment, args.text))
    for warning in warnings:
        print(f"warning: {warning.describe()}")
    return 0


def _print_added(data: NluData, result: AddResult) -> None:
    where = data.relative(result.file)
    print(f"added to {where}" if result.added else f"already in {where}: not added again")
    if result.new_intent:
        print(f"new intent: {result.file.stem} added to {data.relative(data.domain_path)}")


def _check(args: argparse.Namespace) -> int:
    data = NluData(args.project or Settings.from_env().trainer_project_dir)
    report = check(data, args.thin_below)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_report(data, report)
    return 1 if report.has_errors else 0


def _print_report(data: NluData, report: CheckReport) -> None:
    total = sum(report.counts.values())
    print(f"NLU data in {data.project_dir}: {total} examples, {len(report.counts)} intents")
    _section("duplicates", report.duplicates)
    _section("conflicts", report.conflicts)
    _section(f"near-duplicates (similarity >= {NEAR_DUPLICATE})", report.near_duplicates)
    print("\nexamples per intent:")
    width = max([len("intent"), *(len(intent) for intent in report.counts)])
    print(f"  {'intent':<{width}}  examples")
    for intent, count in report.counts.items():
        print(f"  {intent:<{width}}  {count:>8}")
    _section(f"thin intents (fewer than {report.thin_below})", report.thin_intents)
    _section("intents not in domain.yml", report.new_intents)
    _section("intents without a rule", report.no_rule)
    counts = ", ".join(f"{label} {n}" for label, n in report.sentiment_counts.items())
    print(f"\nsentiment examples: {counts}")
    _section("sentiment duplicates", report.sentiment_duplicates)
    _section("sentiment conflicts", report.sentiment_conflicts)
    errors = _errors(report)
    print(f"\n{'FAILED: ' + errors if errors else 'OK: no duplicates or conflicts'}")


def _section(title: str, warnings: Sequence[Warning_]) -> None:
    if not warnings:
        print(f"\n{title}: none")
        return
    print(f"\n{title} ({len(warnings)}):")
    for warning in warnings:
        print(f"  {warning.describe()}")


def _errors(report: CheckReport) -> str:
    parts = {
        "duplicates": len(report.duplicates),
        "conflicts": len(report.conflicts),
        "sentiment duplicates": len(report.sentiment_duplicates),
        "sentiment conflicts": len(report.sentiment_conflicts),
    }
    return ", ".join(f"{n} {name}" for name, n in parts.items() if n)
