"""Scale-out benchmark (issue 6): the embedded profile against the production profile.

Usage::

    .venv/bin/python -m bench.scale [--configs sqlite-1rasa,postgres-1rasa,postgres-2rasa]
                                    [--conversations 50,200] [--turns 14,6] [--warmup 2]
                                    [--think-s S]
                                    [--push-samples 50] [--rasa-timeout-s S]
                                    [--state-dir DIR] [--json PATH]

1. Saturation: per configuration and number of concurrent conversations, simulated
   buyers (``bench.scripts``) send their next message the moment a turn ends, through
   the gateway's WebSocket (nginx in front of two gateways for ``postgres-*``, the
   production profile of ``bot.cluster.profile`` with one or two Rasa servers;
   ``sqlite-1rasa`` is the embedded profile). Reported: turns/s, turn latency, failed
   turns, and CPU time per turn of each kind of process in the measured phase.
2. Push latency (with ``postgres-2rasa``, before its load runs): an agent's console on
   gateway 2, a buyer on gateway 1 ("cross") or gateway 2 ("same"), alternately, each on
   the gateway's own port. Per sample: the buyer asks for a person -> the console's
   ``handoff new`` frame; the agent accepts; the agent's REST message -> the buyer's
   frame; a buyer message -> the console's frame; the agent hands the conversation back.

Exits 1 if any turn or push sample failed, 2 if the servers did not start.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp

from bench.clients import GatewayBuyer
from bench.handoff import ANGRY_MESSAGES, AgentAccount, BuyerSocket, create_agents
from bench.load import ws_url
from bench.report import machine_info, model_info
from bench.runner import run_load
from bench.scale_report import (
    PUSH_LABELS,
    Console,
    FrameLog,
    cpu_snapshot,
    cpu_used,
    figures,
    handoff_event,
    machine_ticks,
    render_pushes,
    render_runs,
    steady_rate,
    to_json,
)
from bench.scripts import buyer_messages
from bench.servers import SHOP_TODAY, STARTUP_TIMEOUT_S, private_assistant
from bench.stats import summarise
from bot.cluster.postgres import cluster_dir_for
from bot.cluster.profile import ScaledLayout, running_scaled
from bot.gateway.messages import load_messages
from bot.run import private_environment
from bot.settings import Settings
from bot.supervisor import ProcessStartError
from bot.training import model_path

# Rasa servers of the production profile; 0: the embedded profile.
CONFIGS = {"sqlite-1rasa": 0, "postgres-1rasa": 1, "postgres-2rasa": 2}
PUSH_CONFIG = "postgres-2rasa"
PUSH_WARMUP = 2  # unmeasured handoffs per placement first


# ----------------------------------------------------------------- throughput and CPU


async def drive(
    ws: str, config: str, conversations: int, turns: int, warmup: int, think_s: float
) -> dict:
    """One closed-loop run (buyers pausing ``think_s`` on average before each measured
    message; 0: none); CPU is sampled around the measured phase only."""
    apology = (await asyncio.to_thread(load_messages)).assistant_unavailable
    scripts = [buyer_messages(i, warmup + turns) for i in range(conversations)]
    connector = aiohttp.TCPConnector(limit=0)  # one connection per buyer, however many
    async with aiohttp.ClientSession(connector=connector) as session:
        buyers = [GatewayBuyer(session, ws, apology) for _ in scripts]
        await asyncio.gather(*(b.connect() for b in buyers), return_exceptions=True)
        try:
            warm = await run_load(buyers, [s[:warmup] for s in scripts], 0)
            load_start, before, machine = os.getloadavg(), cpu_snapshot(), machine_ticks()
            measured = await run_load(buyers, [s[warmup:] for s in scripts], 0, think_s)
            after, load_end = cpu_snapshot(), os.getloadavg()
            busy, total = (b - a for a, b in zip(machine, machine_ticks(), strict=True))
        finally:
            await asyncio.gather(*(b.close() for b in buyers))
    summary = summarise(config, measured.measured, measured.wall_s, warm.measured)
    return {
        "config": config,
        "conversations": conversations,
        "think_s": think_s,
        "summary": summary,
        # With pauses the rate is the buyers' pace, and "every buyer at work" means nothing.
        "steady_rate": math.nan
        if think_s
        else steady_rate(
            [measured.measured[i * turns : (i + 1) * turns] for i in range(conversations)]
        ),
        "cpu": cpu_used(before, after),
        "machine_busy": busy / total if total else float("nan"),
        "load_start": load_start,
        "load_end": load_end,
    }


# ----------------------------------------------------------------------- push latency


async def one_handoff(console: Console, buyer_ws: str, n: int) -> dict[str, float]:
    """One buyer's handoff and one push each way; seconds per measure."""
    buyer = await BuyerSocket.connect(console.session, buyer_ws)
    frames, cid = FrameLog(buyer.ws), buyer.conversation_id
    try:
        mark, sent = console.log.mark(), time.perf_counter()
        await buyer.send(ANGRY_MESSAGES[n % len(ANGRY_MESSAGES)])
        new_at, _ = await console.log.wait(handoff_event(cid, "new"), mark)
        _, offer = await console.log.wait(handoff_event(cid, "assigned"), mark)
        await console.post(f"/handoffs/{offer['handoff']['id']}/accept")
        await frames.wait(lambda f: f.get("type") == "agent")  # the agent's greeting
        text, mark, pushed = f"我来查一下（{n}）", frames.mark(), time.perf_counter()
        answered = await console.post(f"/conversations/{cid}/messages", {"text": text})
        got_at, _ = await frames.wait(lambda f: f.get("text") == text, mark)
        text, mark, said = f"好的，麻烦了（{n}）", console.log.mark(), time.perf_counter()
        await buyer.send(text)
        heard_at, _ = await console.log.wait(
            lambda f: f.get("type") == "message" and f.get("text") == text, mark
        )
        await console.post(f"/conversations/{cid}/handback")
    finally:
        await frames.close()
        await buyer.close()
    return {
        "handoff_new": new_at - sent,
        "agent_to_buyer": got_at - pushed,
        "agent_rest": answered - pushed,
        "buyer_to_agent": heard_at - said,
    }


async def measure_pushes(
    node_urls: Sequence[str], account: AgentAccount, samples: int
) -> dict[str, Any]:
    """Alternate cross- and same-gateway samples with the agent on gateway 2."""
    placements = {"cross": ws_url(node_urls[0]), "same": ws_url(node_urls[1])}
    seen: dict[str, list[dict[str, float]]] = {p: [] for p in placements}
    errors: dict[str, dict[str, int]] = {p: {} for p in placements}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        console = await Console.open(session, node_urls[1], account)
        try:
            for n in range(PUSH_WARMUP + samples):
                for placement, url in placements.items():
                    try:
                        sample = await one_handoff(console, url, n)
                    except (aiohttp.ClientError, ConnectionError, asyncio.TimeoutError) as err:
                        kind = type(err).__name__
                        errors[placement][kind] = errors[placement].get(kind, 0) + 1
                        continue
                    if n >= PUSH_WARMUP:
                        seen[placement].append(sample)
        finally:
            await console.close()
    return {
        p: {
            **{m: figures([s[m] for s in seen[p]]) for m in PUSH_LABELS},
            "errors": errors[p],
        }
        for p in placements
    }


# ----------------------------------------------------------------------------- running


@contextmanager
def _servers(
    config: str, model: Path, state: Path, agents: int
) -> Iterator[tuple[str, list[str], list[AgentAccount]]]:
    """Start ``config``; yield the buyers' WebSocket URL, the gateway node URLs and
    ``agents`` agent accounts (the latter two empty for the embedded profile). A PostgreSQL
    cluster kept outside ``state`` (we are root) is removed afterwards; logs stay in it."""
    if config == "sqlite-1rasa":
        with private_assistant(model, state) as addresses:
            yield addresses.ws_url, [], []
        return
    env = private_environment(state.resolve(), SHOP_TODAY)
    settings = Settings.from_env(env)
    layout = ScaledLayout.on_free_ports(gateways=2, rasa=CONFIGS[config], actions=1)
    accounts: list[AgentAccount] = []

    def prepare(profile_env: dict[str, str]) -> None:
        accounts.extend(asyncio.run(create_agents(Settings.from_env(profile_env), agents)))

    try:
        with running_scaled(settings, model, layout, env=env, prepare=prepare if agents else None,
                            timeout_s=STARTUP_TIMEOUT_S, verbose=True) as deployed:  # fmt: skip
            nodes = [deployed.gateway_node_url(i) for i in range(2)]
            yield ws_url(deployed.gateway_url), nodes, accounts
    finally:
        cluster = cluster_dir_for(settings.var_dir / "scaled")
        if not cluster.is_relative_to(state):
            shutil.rmtree(cluster, ignore_errors=True)
            cluster.with_name(f"{cluster.name}.password").unlink(missing_ok=True)


def run_config(config: str, model: Path, root: Path, args: argparse.Namespace) -> dict:
    """Start one configuration, measure it, stop it."""
    print(f"\n=== {config}: starting ...", flush=True)
    started = time.monotonic()
    report: dict[str, Any] = {"runs": []}
    push = config == PUSH_CONFIG and args.push_samples > 0
    with _servers(config, model, root / config, int(push)) as (ws, nodes, accounts):
        report["startup_s"] = time.monotonic() - started
        print(f"=== {config}: up in {report['startup_s']:.0f} s", flush=True)
        if push:
            print(f"=== push latency, {args.push_samples} samples per placement", flush=True)
            try:
                pushes = asyncio.run(measure_pushes(nodes, accounts[0], args.push_samples))
            except (aiohttp.ClientError, ConnectionError, asyncio.TimeoutError) as err:
                print(f"error: the push measurement failed: {err!r}", file=sys.stderr)
                pushes = {"failed": repr(err)}
            report["pushes"] = {**pushes, "load_end": os.getloadavg()}
        for conversations, turns in zip(args.conversations, args.turns, strict=True):
            print(f"=== {config}: {conversations} conversations x {turns} turns", flush=True)
            run = asyncio.run(drive(ws, config, conversations, turns, args.warmup, args.think_s))
            s = run["summary"]
            print(f"    {s.per_second:.2f} turns/s, p99 {s.p99_ms:.0f} ms, "
                  f"{s.errors + s.warmup_errors} failed, load {run['load_end'][0]:.2f}",
                  flush=True)  # fmt: skip
            report["runs"].append(run)
    return report


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse and check the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.scale",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--configs", default=",".join(CONFIGS), help="comma-separated")
    parser.add_argument("--conversations", default="50,200", help="comma-separated")
    parser.add_argument("--turns", default="14,6",
                        help="measured turns per buyer, one for each --conversations "
                        "or one for all")  # fmt: skip
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured turns per buyer")
    parser.add_argument("--think-s", type=float, default=0.0,
                        help="buyers pause 0.5-1.5 x this before each measured message "
                        "(default 0: saturation)")  # fmt: skip
    parser.add_argument("--push-samples", type=int, default=50,
                        help=f"per placement, with {PUSH_CONFIG} (0: skip)")  # fmt: skip
    parser.add_argument("--rasa-timeout-s", type=float,
                        help="the gateways' HTTP_TIMEOUT_S (default: theirs, 10 s)")  # fmt: skip
    parser.add_argument("--model", type=Path, help="default: the current model")
    parser.add_argument("--state-dir", type=Path, help="keep state and logs here")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    args.configs = args.configs.split(",")
    if unknown := set(args.configs) - set(CONFIGS):
        parser.error(f"unknown configs {sorted(unknown)}; known: {', '.join(CONFIGS)}")
    try:
        args.conversations = [int(n) for n in args.conversations.split(",")]
        args.turns = [int(n) for n in args.turns.split(",")]
    except ValueError:
        parser.error("--conversations and --turns: comma-separated numbers")
    args.turns *= len(args.conversations) if len(args.turns) == 1 else 1
    if len(args.turns) != len(args.conversations):
        parser.error("give one --turns for all --conversations, or one for each")
    if (
        min(*args.conversations, *args.turns) < 1
        or min(args.warmup, args.push_samples, args.think_s) < 0
    ):
        parser.error("--conversations and --turns must be >= 1, the others >= 0")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; return the exit code."""
    args = parse_args(argv)
    # A plain SIGTERM would skip the clean-up and leave every server running.
    signal.signal(signal.SIGTERM, lambda _sig, _frame: sys.exit(143))
    model = args.model.resolve() if args.model else model_path()
    if not model.exists():
        print(f"no trained model at {model}; run `make train` first", file=sys.stderr)
        return 2
    root = (args.state_dir or Path(tempfile.mkdtemp(prefix="bench-scale-"))).resolve()
    root.mkdir(parents=True, exist_ok=True)
    if args.rasa_timeout_s:  # the servers inherit this process's environment
        os.environ["HTTP_TIMEOUT_S"] = str(args.rasa_timeout_s)
    names = ("configs", "conversations", "turns", "warmup", "think_s", "push_samples")
    parameters = {k: getattr(args, k) for k in (*names, "rasa_timeout_s")}
    report: dict[str, Any] = {"machine": machine_info(), "model": model_info(model),
                              "parameters": parameters, "configs": {}}  # fmt: skip
    try:
        for config in args.configs:
            report["configs"][config] = run_config(config, model, root, args)
    except ProcessStartError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    finally:
        if not args.state_dir:
            shutil.rmtree(root, ignore_errors=True)
    report["machine"]["load_average_end"] = os.getloadavg()
    if args.json:
        args.json.write_text(to_json(report) + "\n", encoding="utf-8")
        print(f"figures written to {args.json}")
    runs = [run for c in report["configs"].values() for run in c["runs"]]
    print("\n" + render_runs(runs, report["machine"]["usable_cores"]))
    pushes = report["configs"].get(PUSH_CONFIG, {}).get("pushes", {})
    if "cross" in pushes:
        print("\n" + render_pushes(pushes))
    failed = sum(r["summary"].errors + r["summary"].warmup_errors for r in runs)
    failed += sum(sum(pushes[p]["errors"].values()) for p in ("cross", "same") if p in pushes)
    failed += "failed" in pushes
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
