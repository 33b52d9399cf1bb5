"""Actions that steer the conversation: continuing a topic, small talk, clarifying, yes/no."""

from __future__ import annotations

from typing import ClassVar

from rasa_sdk import Tracker

from actions.base import Plan, ShopAction, plan_for_outcome
from actions.tracker_facts import is_first_reply
from bot.answers import Facts, Reply
from bot.answers.stock import record_restock_notice
from bot.answers.topics import answer_topic, guess_topic


def _intent(tracker: Tracker) -> str:
    return (tracker.latest_message.get("intent") or {}).get("name", "")


def clarify_plan(tracker: Tracker) -> Plan:
    """A polite clarification with topic buttons.

    Misunderstandings are counted; the escalation policy hands the buyer to a person
    when they repeat (bot.policies.triggers).
    """
    count = float(tracker.get_slot("misunderstood") or 0) + 1
    response = "utter_out_of_scope" if _intent(tracker) == "out_of_scope" else "utter_clarify"
    return Plan((Reply(response),), {"misunderstood": count, "offer": None})


class ActionContinueTopic(ShopAction):
    """The buyer gave a fact ("蓝色", "165 110斤"): continue the topic it belongs to."""

    def name(self) -> str:
        """The action's name in domain.yml."""
        return "action_continue_topic"

    def plan(self, tracker: Tracker, facts: Facts) -> Plan:
        """Resume the pending topic, or the one the fact points to, or ask."""
        topic = tracker.get_slot("pending_topic") or guess_topic(facts)
        if topic is None:
            return clarify_plan(tracker)
        outcome = answer_topic(topic, self.shop, facts)
        return plan_for_outcome(outcome, topic, tracker, facts, self.shop)


class ActionSmallTalk(ShopAction):
    """Greetings, thanks, goodbyes and "are you a bot?"."""

    RESPONSES: ClassVar[dict[str, str]] = {
        "greet": "utter_greet",
        "thank": "utter_thank",
        "goodbye": "utter_goodbye",
        "bot_challenge": "utter_bot_challenge",
    }

    def name(self) -> str:
        """The action's name in domain.yml."""
        return "action_small_talk"

    def plan(self, tracker: Tracker, facts: Facts) -> Plan:
        """Answer in kind; a repeated greeting does not introduce the assistant again."""
        response = self.RESPONSES.get(_intent(tracker), "utter_anything_else")
        if response == "utter_greet" and not is_first_reply(tracker):
            response = "utter_greet_again"
        return Plan((Reply(response),), {"misunderstood": 0.0})


class ActionClarify(ShopAction):
    """Low confidence or out of scope: clarify with topic buttons."""

    def name(self) -> str:
        """The action's name in domain.yml."""
        return "action_clarify"

    def plan(self, tracker: Tracker, facts: Facts) -> Plan:
        """Count the misunderstanding and clarify."""
        return clarify_plan(tracker)


class ActionHandleAffirm(ShopAction):
    """ "好的": accept whatever the last reply offered."""

    def name(self) -> str:
        """The action's name in domain.yml."""
        return "action_handle_affirm"

    def plan(self, tracker: Tracker, facts: Facts) -> Plan:
        """Act on the pending offer, if any."""
        offer = tracker.get_slot("offer")
        if offer == "restock_notice":
            outcome = record_restock_notice(self.shop, facts)
            return Plan(outcome.replies, {"offer": None})
        return Plan((Reply("utter_anything_else"),), {"offer": None})


class ActionHandleDeny(ShopAction):
    """ "不用了": drop the offer and ask what else we can do."""

    def name(self) -> str:
        """The action's name in domain.yml."""
        return "action_handle_deny"

    def plan(self, tracker: Tracker, facts: Facts) -> Plan:
        """Decline politely."""
        return Plan((Reply("utter_anything_else"),), {"offer": None, "misunderstood": 0.0})
