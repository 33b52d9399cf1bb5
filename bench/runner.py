"""Load: every buyer sends its next message when its last turn ended (closed loop), or
after a pause like a person typing (paced: ``think_s`` > 0)."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

from bench.clients import Buyer, TurnError
from bench.stats import Outcome


@dataclass(frozen=True)
class LoadResult:
    """Warm-up and measured outcomes of every buyer, and the measured phase's wall time."""

    warmup: list[Outcome]
    measured: list[Outcome]
    wall_s: float


async def run_turns(
    buyer: Buyer, messages: Sequence[str | None], think_s: float = 0.0, seed: int = 0
) -> list[Outcome]:
    """Send ``messages`` one after another, timing each turn; failures are recorded.
    ``None`` starts a new conversation.

    With ``think_s`` > 0 the buyer pauses 0.5-1.5 x ``think_s`` before each message
    (seeded, so runs are comparable), as a person reading and typing would.
    """
    pauses = random.Random(seed)
    outcomes: list[Outcome] = []
    for text in messages:
        if text is None:  # bench.scripts.NEW_CONVERSATION
            await buyer.new_conversation()
            continue
        if think_s > 0:
            await asyncio.sleep(think_s * pauses.uniform(0.5, 1.5))
        started = time.perf_counter()
        try:
            replies = await buyer.turn(text)
        except TurnError as err:
            outcomes.append(Outcome(time.perf_counter() - started, error=err.kind))
        else:
            outcomes.append(Outcome(time.perf_counter() - started, replies))
    return outcomes


async def run_load(
    buyers: Sequence[Buyer],
    scripts: Sequence[Sequence[str | None]],
    warmup: int,
    think_s: float = 0.0,
) -> LoadResult:
    """Run every buyer's script concurrently: first ``warmup`` turns each, then the rest.

    The two phases are separate so that the measured phase starts with every buyer warm
    and its wall time covers measured turns only.

    Raises:
        ValueError: not exactly one script per buyer.
    """
    pairs = list(zip(buyers, scripts, strict=True))
    warm = await asyncio.gather(*(run_turns(b, s[:warmup]) for b, s in pairs))
    started = time.perf_counter()
    measured = await asyncio.gather(
        *(run_turns(b, s[warmup:], think_s, seed) for seed, (b, s) in enumerate(pairs))
    )
    wall_s = time.perf_counter() - started
    return LoadResult(_flat(warm), _flat(measured), wall_s)


def _flat(nested: Sequence[list[Outcome]]) -> list[Outcome]:
    return [outcome for outcomes in nested for outcome in outcomes]
