"""How the trained NLU treats real buyer messages (../shared/data/buyer_messages.jsonl).

The file holds real JD/Taobao buyer messages that the project may read but never copy.
This prints the intent distribution, how many fall back to a clarification, and a
keyword-proxy check of topic routing: messages that plainly mention invoices (发票), returns
(退货/退款/退换), shipping (快递/物流/发货/送货) or human agents (人工) and the share of them
the model sends to the matching intent. It also prints the share the sentiment model
calls negative and the share that, as a buyer's first message, the escalation policy
would hand to a human, by reason.
Run: ``python -m bench.real_messages [--model PATH]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter
from pathlib import Path

from bot.settings import PROJECT_ROOT
from bot.training import model_path

SHARED_MESSAGES = PROJECT_ROOT.parent / "shared" / "data" / "buyer_messages.jsonl"
PROXIES = {
    "ask_invoice": ("发票",),
    "ask_return": ("退货", "退款", "退换"),
    "ask_shipping": ("快递", "物流", "发货", "送货"),
    "request_human": ("人工",),
}


def load_messages(path: Path) -> list[str]:
    """The message texts of the shared file."""
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line)["text"] for line in lines if line.strip()]


async def parse_all(model: Path, texts: list[str]) -> list[dict]:
    """The trained model's parse of each text (in-process)."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    results = []
    for text in texts:
        results.append(await agent.parse_message(text))
    return results


def escalations(parses: list[dict]) -> Counter:
    """Why each message, as a buyer's first message, would go to a human (None: it would not).

    This is the escalation policy's own decision (bot.policies.triggers) over the model's
    intent and sentiment: the figure that says how many agents' time a false alarm costs.
    """
    from bot.policies.escalation import turn_from_parse
    from bot.policies.triggers import Thresholds, escalation_reason

    thresholds = Thresholds.from_config(_policy_config())
    return Counter(escalation_reason([turn_from_parse(p)], thresholds) for p in parses)


def _policy_config() -> dict:
    import yaml

    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
    return next(p for p in config["policies"] if p["name"].endswith("EscalationPolicy"))


def report(texts: list[str], parses: list[dict], seconds: float) -> None:
    """Print the distribution, the proxy routing figures, and the escalations."""
    results = [(p["intent"]["name"], float(p["intent"]["confidence"])) for p in parses]
    counts = Counter(intent for intent, _ in results)
    total = len(results)
    print(
        f"{total} real buyer messages parsed in {seconds:.1f} s "
        f"({seconds / total * 1000:.1f} ms each)"
    )
    print(f"{'intent':<16}{'count':>7}{'share':>8}")
    for intent, count in counts.most_common():
        print(f"{intent:<16}{count:>7}{count / total:>8.1%}")
    print("\nkeyword proxy: messages that plainly name a topic, routed to its intent")
    for intent, words in PROXIES.items():
        hits = [r for t, r in zip(texts, results, strict=True) if any(w in t for w in words)]
        right = sum(1 for name, _ in hits if name == intent)
        share = right / len(hits) if hits else 0.0
        print(f"{intent:<16}{'/'.join(words):<16}{right:>5}/{len(hits):<5}{share:>7.1%}")
    negative = sum(1 for p in parses if (p.get("sentiment") or {}).get("label") == "negative")
    print(f"\nsentiment negative: {negative}/{total} ({negative / total:.1%})")
    reasons = escalations(parses)
    escalated = total - reasons[None]
    print(f"one message alone hands over to a human: {escalated}/{total} ({escalated / total:.1%})")
    for reason, count in reasons.most_common():
        if reason is not None:
            print(f"  {reason:<18}{count:>6}")


def main() -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--messages", type=Path, default=SHARED_MESSAGES)
    args = parser.parse_args()
    if not args.messages.exists():
        print(f"{args.messages} is not here; nothing to measure", file=sys.stderr)
        return 0
    texts = load_messages(args.messages)
    started = time.monotonic()
    results = asyncio.run(parse_all(args.model or model_path(), texts))
    report(texts, results, time.monotonic() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
