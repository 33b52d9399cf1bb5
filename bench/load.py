"""Load benchmark: concurrent simulated buyers through the gateway, then straight to Rasa.

Usage::

    .venv/bin/python -m bench.load [--conversations 10] [--turns 20] [--warmup 2]
                                   [--start | --gateway-url URL --rasa-url URL] [--json PATH]

With ``--start`` (the default when no URLs are given) a private action server, Rasa server
and gateway are started on free ports and stopped at the end. The same message scripts
are then sent, with the same concurrency, to the gateway's buyer WebSocket, to Rasa's REST
channel and to Rasa's ``/model/parse`` (NLU only), and the figures are printed. Exits 1
if any turn failed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiohttp

from bench.clients import TURN_TIMEOUT_S, GatewayBuyer, ParseClient, RestBuyer
from bench.report import machine_info, model_info, render, to_json
from bench.runner import run_load
from bench.scripts import buyer_messages
from bench.servers import Addresses, private_assistant
from bench.stats import Summary, summarise
from bot.gateway.messages import load_messages
from bot.supervisor import ProcessStartError
from bot.training import model_path

GATEWAY = "gateway (WebSocket)"
REST = "Rasa REST direct"
PARSE = "Rasa /model/parse (NLU only)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--conversations", type=int, default=10, help="concurrent buyers")
    parser.add_argument("--turns", type=int, default=20, help="measured turns per buyer")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured turns per buyer first")
    parser.add_argument("--start", action="store_true", help="start private servers (default)")
    parser.add_argument("--gateway-url", help="a running gateway, e.g. http://127.0.0.1:8000")
    parser.add_argument("--rasa-url", help="a running Rasa server, e.g. http://127.0.0.1:5005")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--model", type=Path, help="with --start: this model (default: current)")
    parser.add_argument("--state-dir", type=Path, help="with --start: keep state and logs here")
    parser.add_argument("--no-parse", action="store_true", help="skip the /model/parse run")
    parser.add_argument(
        "--think-ms",
        type=float,
        default=0.0,
        help="mean pause before each message, like a person typing "
        "(default 0: closed loop, the next message as soon as a turn ends)",
    )
    return parser


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse and check the command line."""
    parser = _parser()
    args = parser.parse_args(argv)
    if min(args.conversations, args.turns) < 1 or args.warmup < 0:
        parser.error("--conversations and --turns must be >= 1, --warmup >= 0")
    urls = (args.gateway_url, args.rasa_url)
    if any(urls) and not all(urls):
        parser.error("give both --gateway-url and --rasa-url, or neither")
    if any(urls) and (args.start or args.model or args.state_dir):
        parser.error("--start, --model and --state-dir start servers; do not give URLs too")
    args.start = not any(urls)
    return args


def ws_url(gateway_url: str) -> str:
    """The buyer WebSocket URL of a gateway given as http(s):// or ws(s)://."""
    base = gateway_url.rstrip("/").replace("http://", "ws://", 1).replace("https://", "wss://", 1)
    return base if base.endswith("/ws/buyer") else f"{base}/ws/buyer"


async def _gateway(url: str, scripts: list[list[str]], warmup: int, think_s: float) -> Summary:
    apology = (await asyncio.to_thread(load_messages)).assistant_unavailable
    async with aiohttp.ClientSession() as session:
        buyers = [GatewayBuyer(session, url, apology) for _ in scripts]
        await asyncio.gather(*(b.connect() for b in buyers), return_exceptions=True)
        try:
            result = await run_load(buyers, scripts, warmup, think_s)
        finally:
            await asyncio.gather(*(b.close() for b in buyers))
    return summarise(GATEWAY, result.measured, result.wall_s, result.warmup)


async def _rasa(
    rasa_url: str, scripts: list[list[str]], warmup: int, parse: bool, think_s: float
) -> list[Summary]:
    run = uuid.uuid4().hex[:8]
    connector = aiohttp.TCPConnector(limit=max(100, len(scripts)))
    async with aiohttp.ClientSession(connector=connector) as session:
        buyers = [RestBuyer(session, rasa_url, f"bench-{run}-{i}") for i in range(len(scripts))]
        result = await run_load(buyers, scripts, warmup, think_s)
        summaries = [summarise(REST, result.measured, result.wall_s, result.warmup)]
        if parse:
            client = ParseClient(session, rasa_url)
            result = await run_load([client] * len(scripts), scripts, warmup, think_s)
            summaries.append(summarise(PARSE, result.measured, result.wall_s, result.warmup))
    return summaries


async def measure(addresses: Addresses, args: argparse.Namespace) -> list[Summary]:
    """Run the same load against the gateway, then Rasa REST (and /model/parse)."""
    count = args.warmup + args.turns
    scripts = [buyer_messages(i, count) for i in range(args.conversations)]
    print(f"driving {GATEWAY} ...", flush=True)
    think_s = args.think_ms / 1000
    gateway = await _gateway(addresses.ws_url, scripts, args.warmup, think_s)
    print(f"driving {REST}{'' if args.no_parse else ' and ' + PARSE} ...", flush=True)
    rasa = await _rasa(addresses.rasa_url, scripts, args.warmup, not args.no_parse, think_s)
    return [gateway, *rasa]


def _report(args: argparse.Namespace, model: Path) -> dict[str, Any]:
    servers = "private (--start)" if args.start else f"{args.gateway_url} + {args.rasa_url}"
    parameters = {
        "conversations": args.conversations,
        "turns": args.turns,
        "warmup": args.warmup,
        "think_ms": args.think_ms,
        "mode": "paced" if args.think_ms > 0 else "closed loop",
        "turn_timeout_s": TURN_TIMEOUT_S,
        "servers": servers,
    }
    return {"machine": machine_info(), "parameters": parameters, "model": model_info(model)}


def _run(args: argparse.Namespace, model: Path) -> list[Summary]:
    if not args.start:
        return asyncio.run(measure(Addresses(ws_url(args.gateway_url), args.rasa_url), args))
    print("starting a private assistant ...", flush=True)
    with private_assistant(model, args.state_dir) as addresses:
        return asyncio.run(measure(addresses, args))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; return the exit code (1 if any turn failed)."""
    args = parse_args(argv)
    model = args.model.resolve() if args.model else model_path()
    if args.start and not model.exists():
        print(f"no trained model at {model}; run `make train` first", file=sys.stderr)
        return 2
    report = _report(args, model)  # machine load is sampled before our servers start
    try:
        summaries = _run(args, model)
    except ProcessStartError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print("\n" + render(report, summaries), flush=True)
    if args.json:
        args.json.write_text(to_json(report, summaries) + "\n", encoding="utf-8")
        print(f"figures written to {args.json}")
    failed = sum(s.errors + s.warmup_errors for s in summaries)
    if failed:
        print(f"FAILED: {failed} turns failed (see failures by kind above)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
