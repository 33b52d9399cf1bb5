"""When a conversation must go to a human: pure decisions over the buyer's recent turns.

``bot.policies.escalation`` turns a Rasa tracker into ``Turn`` values and asks
``escalation_reason``; keeping the rules free of Rasa types keeps them easy to test and read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

FALLBACK_INTENTS = frozenset({"nlu_fallback", "out_of_scope"})
# Turns that say something about the topic at hand rather than ask a question of their own.
NOT_QUESTIONS = frozenset(
    {"greet", "goodbye", "thank", "affirm", "deny", "inform", "bot_challenge", *FALLBACK_INTENTS}
)
# Questions the bot can answer from the shop's data: a mild complaint in one of them gets
# an empathetic answer (E16) rather than a human.
ANSWERABLE_INTENTS = frozenset(
    {
        "ask_stock",
        "ask_size",
        "ask_shipping",
        "ask_return",
        "ask_discount",
        "ask_material",
        "ask_invoice",
        "ask_payment",
        "cancel_order",
        "change_order",
        "inform",
    }
)
INTENSITY_CUES = frozenset(
    {"intensifier", "anger_punctuation", "sarcasm", "urging", "negative_emoji", "complaint"}
)
CLARIFY_ACTION = "action_clarify"


@dataclass(frozen=True)
class Turn:
    """One buyer message as the policy sees it, and the bot's first action in reply."""

    intent: str
    sentiment: str = "neutral"
    sentiment_confidence: float = 0.0
    cues: frozenset[str] = frozenset()
    entities: tuple[tuple[str, str], ...] = ()
    answered_by: str | None = None

    @property
    def negativity(self) -> float:
        """The model's confidence that the message is negative (0 when it is not)."""
        return self.sentiment_confidence if self.sentiment == "negative" else 0.0

    @property
    def was_fallback(self) -> bool:
        """The bot did not understand (or could not serve) this message."""
        return self.intent in FALLBACK_INTENTS or self.answered_by == CLARIFY_ACTION

    @property
    def question(self) -> tuple[str, tuple[tuple[str, str], ...]] | None:
        """What was asked (intent and entities), or None for a non-question turn."""
        if self.intent in NOT_QUESTIONS or not self.intent:
            return None
        return self.intent, tuple(sorted(self.entities))


@dataclass(frozen=True)
class Thresholds:
    """The knobs of escalation; ``from_config`` reads them from the policy's config.yml entry."""

    strong_negative_confidence: float = 0.85
    answerable_intensity: int = 2
    complaint_confidence: float = 0.7
    frustration_threshold: float = 1.5
    frustration_decay: float = 0.8
    frustration_window: int = 6
    fallbacks_in_a_row: int = 2
    repeats: int = 3
    threat_cues: frozenset[str] = field(default_factory=lambda: frozenset({"threat"}))

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Thresholds:
        """Thresholds from a config mapping; missing keys keep their defaults."""
        defaults = cls()
        values = {
            name: type(getattr(defaults, name))(config[name])
            for name in cls.__dataclass_fields__
            if name in config and name != "threat_cues"
        }
        if "threat_cues" in config:
            values["threat_cues"] = frozenset(config["threat_cues"])
        return cls(**values)


def frustration(turns: Sequence[Turn], thresholds: Thresholds) -> float:
    """Negativity of recent turns, the latest counting most (exponential decay)."""
    recent = list(reversed(turns))[: thresholds.frustration_window]
    return sum(t.negativity * thresholds.frustration_decay**age for age, t in enumerate(recent))


def _frustration_reached(turns: Sequence[Turn], thresholds: Thresholds) -> bool:
    return frustration(turns, thresholds) >= thresholds.frustration_threshold


def _is_strongly_negative(turn: Turn, thresholds: Thresholds) -> bool:
    if turn.negativity < thresholds.strong_negative_confidence:
        return False
    if "insult" in turn.cues or turn.intent not in ANSWERABLE_INTENTS:
        return True
    # An answerable question asked crossly ("有点慢啊，什么时候发货") is answered with
    # empathy; only one asked with several marks of anger goes to a person.
    return len(turn.cues & INTENSITY_CUES) >= thresholds.answerable_intensity


def _is_complaint(turn: Turn, thresholds: Thresholds) -> bool:
    if turn.intent == "complain":
        return True
    return "complaint" in turn.cues and turn.negativity >= thresholds.complaint_confidence


def _fallbacks_in_a_row(turns: Sequence[Turn]) -> int:
    count = 0
    for turn in reversed(turns):
        if not turn.was_fallback:
            break
        count += 1
    return count


def _times_asked(turns: Sequence[Turn]) -> int:
    latest = turns[-1].question
    return 0 if latest is None else sum(1 for t in turns if t.question == latest)


def escalation_reason(turns: Sequence[Turn], thresholds: Thresholds) -> str | None:
    """Why the latest turn must go to a human, or None when the bot should answer it.

    Args:
        turns: the buyer's turns since the conversation was last with a human, oldest
            first; the last one is the message being answered.
        thresholds: the configured knobs.
    """
    if not turns:
        return None
    latest = turns[-1]
    checks = (
        ("request_human", latest.intent == "request_human"),
        ("threat", bool(latest.cues & thresholds.threat_cues)),
        ("complaint", _is_complaint(latest, thresholds)),
        ("strong_negative", _is_strongly_negative(latest, thresholds)),
        ("frustration", latest.negativity > 0 and _frustration_reached(turns, thresholds)),
        ("repeated_fallback", _fallbacks_in_a_row(turns) >= thresholds.fallbacks_in_a_row),
        ("repeated_question", _times_asked(turns) >= thresholds.repeats),
    )
    return next((reason for reason, fired in checks if fired), None)
