"""``python -m bot.rasa_server ARGS``: Rasa's own command line, with ``bot.rasa_fixes`` applied.

``bot.run`` starts the Rasa server this way, so production, the end-to-end tests and the
benchmarks all run the same, fixed Rasa.
"""

from __future__ import annotations


def main() -> None:
    """Apply the fixes, then hand over to Rasa's command line (``sys.argv`` unchanged)."""
    from rasa.__main__ import main as rasa_main

    from bot import rasa_fixes

    rasa_fixes.apply()
    rasa_main()


if __name__ == "__main__":
    main()
