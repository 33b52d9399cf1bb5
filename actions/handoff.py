"""The handoff to a human: feelings first, who takes over and how soon (E11, E12).

The escalation policy (bot.policies.escalation) predicts this action and puts its reason
in the ``handoff_reason`` slot. The action words the reply for that reason, tells the
gateway with a ``{"handoff": {...}}`` custom message (reason, sentiment, intent and the
slots the agent needs so that the buyer never repeats the story), and pauses the
conversation in Rasa: the bot stays silent until the gateway hands it back.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.events import ConversationPaused

from actions.base import Plan, ShopAction
from actions.tracker_facts import NUMBER_SLOTS, TEXT_SLOTS, latest_sentiment
from bot.answers import Facts, Reply

HANDOFF_PAYLOAD_KEY = "handoff"
REASON_SLOT = "handoff_reason"
DEFAULT_REASON = "request_human"
RESPONSE_BY_REASON = {
    "request_human": "utter_handoff_requested",
    "repeated_fallback": "utter_handoff_not_understood",
    "repeated_question": "utter_handoff_not_understood",
}
UPSET_RESPONSE = "utter_handoff_upset"
# What the agent should see besides the buyer's facts: where the bot had got to.
CONTEXT_SLOTS = ("pending_topic",)


def handoff_payload(tracker: Tracker, reason: str) -> dict[str, Any]:
    """What the gateway needs to queue the handoff and brief the agent."""
    slots = {
        name: tracker.get_slot(name)
        for name in (*TEXT_SLOTS, *NUMBER_SLOTS, *CONTEXT_SLOTS)
        if tracker.get_slot(name) not in (None, "")
    }
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    return {
        HANDOFF_PAYLOAD_KEY: {
            "reason": reason,
            "sentiment": latest_sentiment(tracker),
            "intent": intent,
            "slots": slots,
        }
    }


class ActionHandoff(ShopAction):
    """Hand the conversation to a human agent."""

    empathy_response: ClassVar[str | None] = None  # the handoff replies name the feeling
    introduces_on_first_reply: ClassVar[bool] = False  # feelings first, even first of all

    def name(self) -> str:
        """The action's name in domain.yml."""
        return "action_handoff"

    def plan(self, tracker: Tracker, facts: Facts) -> Plan:
        """Tell the buyer, brief the gateway, and pause the bot."""
        reason = tracker.get_slot(REASON_SLOT) or DEFAULT_REASON
        response = RESPONSE_BY_REASON.get(reason, UPSET_RESPONSE)
        return Plan(
            (Reply(response),),
            {"offer": None, "misunderstood": 0.0, REASON_SLOT: reason},
            (handoff_payload(tracker, reason),),
            (ConversationPaused(),),
        )
