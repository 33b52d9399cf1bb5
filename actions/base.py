"""The base of every action: decide in a worker thread, then send templates and set slots."""

from __future__ import annotations

import asyncio
from abc import ABCMeta, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import deps
from actions.tracker_facts import facts_from_tracker, is_first_reply, is_upset, with_slots
from bot.answers import Facts, Outcome, Reply, answer_topic
from bot.shop import ShopRepository

INTRODUCING = frozenset({"utter_greet", "utter_bot_challenge"})


@dataclass(frozen=True)
class Plan:
    """What one action run sends and remembers."""

    replies: tuple[Reply, ...]
    slots: dict[str, Any] = field(default_factory=dict)
    custom: tuple[dict[str, Any], ...] = ()
    events: tuple[EventType, ...] = ()


def plan_for_outcome(
    outcome: Outcome, topic: str | None, tracker: Tracker, facts: Facts, shop: ShopRepository
) -> Plan:
    """Turn an answered (or asking) topic into a plan, resuming a topic left half-way."""
    replies = list(outcome.replies)
    slots = dict(outcome.slots)
    pending = topic if outcome.missing else None
    offer = outcome.offer
    previous = tracker.get_slot("pending_topic")
    if outcome.missing is None and previous and previous != topic:
        # The buyer switched topics in the middle of one: come back to it.
        resumed_facts = replace(with_slots(facts, slots), text="")
        resumed = answer_topic(previous, shop, resumed_facts)
        replies += [Reply("utter_back_to_topic"), *resumed.replies]
        slots.update(resumed.slots)
        pending = previous if resumed.missing else None
        offer = resumed.offer or offer
    slots.update(pending_topic=pending, offer=offer, misunderstood=0.0)
    return Plan(tuple(replies), slots, custom=outcome.custom)


class ShopAction(Action, metaclass=ABCMeta):
    """An action that plans its answer from the shop's data.

    Args:
        shop: the shop repository (the action server passes none: the configured one is used).
        today: a clock for "today" (tests fix it).
    """

    # A mildly upset buyer whose question the bot can answer hears the feeling named first
    # (E16); actions that word their own feelings (the handoff) turn this off.
    empathy_response: ClassVar[str | None] = "utter_empathy"
    # The first reply introduces the assistant (E2); the handoff, whose reply must name
    # the buyer's feeling first (E11), turns this off.
    introduces_on_first_reply: ClassVar[bool] = True

    def __init__(
        self, shop: ShopRepository | None = None, today: Callable[[], date] | None = None
    ) -> None:
        self._shop = shop
        self._today = today

    @property
    def shop(self) -> ShopRepository:
        """The shop repository this action reads."""
        return self._shop or deps.default_shop()

    def today(self) -> date:
        """Today's date for this run."""
        return self._today() if self._today else deps.today()

    @abstractmethod
    def plan(self, tracker: Tracker, facts: Facts) -> Plan:
        """Decide what to send (runs in a worker thread: it may query SQLite)."""

    def _shop_params(self) -> dict[str, str]:
        info = self.shop.policies().shop
        return {k: v for k, v in info.items() if isinstance(v, str)}

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Plan off the event loop, then send the templates and return slot events."""
        facts = facts_from_tracker(tracker, self.today())
        plan, shop_params = await asyncio.to_thread(
            lambda: (self.plan(tracker, facts), self._shop_params())
        )
        introduces = any(r.response in INTRODUCING for r in plan.replies)
        if self.introduces_on_first_reply and is_first_reply(tracker) and not introduces:
            dispatcher.utter_message(response="utter_intro", **shop_params)
        if self.empathy_response and is_upset(tracker):
            dispatcher.utter_message(response=self.empathy_response, **shop_params)
        for reply in plan.replies:
            dispatcher.utter_message(response=reply.response, **{**shop_params, **reply.params})
        for payload in plan.custom:
            dispatcher.utter_message(json_message=payload)
        return [*(SlotSet(name, value) for name, value in plan.slots.items()), *plan.events]
