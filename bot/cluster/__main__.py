"""``make run-scaled``: the production profile on this machine (see bot/cluster/profile.py).

Ctrl-C (or SIGTERM) stops every server cleanly, nginx and the gateways first.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cluster.profile import ScaledLayout, running_scaled
from bot.errors import ShopAssistantError
from bot.run import serve_until_stopped
from bot.settings import Settings
from bot.training import model_path


def main(argv: list[str] | None = None) -> int:
    """Run until interrupted; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, help="a trained model (default: the current one)")
    parser.add_argument("--rasa", type=int, default=2, help="Rasa servers (default 2)")
    parser.add_argument("--actions", type=int, default=1, help="action servers (default 1)")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    model = args.model or model_path()
    if not model.exists():
        print(f"no trained model at {model}; run `make train` first", file=sys.stderr)
        return 1
    layout = ScaledLayout.standard(settings.gateway_port, args.rasa, args.actions)
    try:
        with running_scaled(settings, model, layout, verbose=True) as deployment:
            print(f"\n小店助手 (scaled: {len(layout.gateway_nodes)} gateways, "
                  f"{len(layout.rasa_nodes)} Rasa servers, {len(layout.action_nodes)} action "
                  "server(s), PostgreSQL, Redis, nginx) is running.\n"
                  f"Demo shop: {deployment.gateway_url}/  "
                  f"console: {deployment.gateway_url}/agent\n"
                  "Press Ctrl-C to stop.", flush=True)  # fmt: skip
            code = serve_until_stopped(deployment.servers + deployment.infrastructure)
            print("stopping ...", flush=True)
    except ShopAssistantError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        code = 130
    print("stopped.", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
