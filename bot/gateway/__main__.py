"""``python -m bot.gateway``: run the gateway with settings from the environment."""

from __future__ import annotations

import logging

from bot.gateway.app import create_app
from bot.settings import Settings


def main() -> None:
    """Run one gateway worker (no access log: URLs can hold a buyer's conversation id)."""
    _configure_logging()
    settings = Settings.from_env()
    app = create_app(settings)
    app.run(
        host=settings.gateway_host,
        port=settings.gateway_port,
        workers=1,
        access_log=False,
        motd=False,
        debug=False,
    )


def _configure_logging() -> None:
    # Sanic configures its own loggers; ours get a handler of their own, never message texts.
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    project_logger = logging.getLogger("bot")
    project_logger.addHandler(handler)
    project_logger.setLevel(logging.INFO)
    project_logger.propagate = False


if __name__ == "__main__":
    main()
