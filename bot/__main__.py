"""``python -m bot <command>``: the command line of trainers and supervisors.

Commands: ``transcripts`` (export, purge), ``nlu`` (add, check), ``train`` (validate,
train, evaluate, activate) and ``report`` (the dashboard's figures).
"""

from __future__ import annotations

import importlib
import sys

COMMANDS = {
    "transcripts": "bot.transcripts.cli",
    "nlu": "bot.trainer.nlu_cli",
    "train": "bot.trainer.train_cli",
    "report": "bot.reports.cli",
}


def main(argv: list[str] | None = None) -> int:
    """Run one command; each command module has ``main(argv) -> exit code``."""
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] not in COMMANDS:
        print(__doc__.strip(), file=sys.stderr)
        print(f"\nusage: python -m bot {{{','.join(COMMANDS)}}} ...", file=sys.stderr)
        return 2
    # Imported on demand: training pulls in Rasa and TensorFlow, which a report never needs.
    module = importlib.import_module(COMMANDS[args[0]])
    return int(module.main(args[1:]) or 0)


if __name__ == "__main__":
    sys.exit(main())
