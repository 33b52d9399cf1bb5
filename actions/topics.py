"""One action per answerable topic."""

from __future__ import annotations

from abc import abstractmethod
from typing import ClassVar

from rasa_sdk import Tracker

from actions.base import Plan, ShopAction, plan_for_outcome
from bot.answers import Facts, Reply, answer_topic
from bot.answers.faq import answer_faq


class TopicAction(ShopAction):
    """Answers one topic of ``bot.answers.TOPICS``."""

    # Abstract until a subclass names its topic and action with class attributes, so
    # that the SDK's executor, which registers every concrete Action, skips this base.
    @property
    @abstractmethod
    def topic(self) -> str:
        """The key of the topic in ``bot.answers.TOPICS``."""

    @property
    @abstractmethod
    def action_name(self) -> str:
        """The action's name in domain.yml."""

    def name(self) -> str:
        """The action's name in domain.yml."""
        return self.action_name

    def plan(self, tracker: Tracker, facts: Facts) -> Plan:
        """Answer the topic, or ask for what it still needs."""
        outcome = answer_topic(self.topic, self.shop, facts)
        return plan_for_outcome(outcome, self.topic, tracker, facts, self.shop)


class ActionAnswerStock(TopicAction):
    """Is a product, colour and size in stock."""

    topic = "stock"
    action_name = "action_answer_stock"


class ActionRecommendSize(TopicAction):
    """Which size fits, from the size chart."""

    topic = "size"
    action_name = "action_recommend_size"


class ActionAnswerShipping(TopicAction):
    """Fees, regions, carriers, dispatch and where an order is."""

    topic = "shipping"
    action_name = "action_answer_shipping"


class ActionAnswerReturn(TopicAction):
    """Whether and how a return works."""

    topic = "return"
    action_name = "action_answer_return"


class ActionAnswerDiscount(TopicAction):
    """Promotions, price protection and bargaining."""

    topic = "discount"
    action_name = "action_answer_discount"


class ActionAnswerMaterial(TopicAction):
    """Material and care of a product."""

    topic = "material"
    action_name = "action_answer_material"


class ActionAnswerFaq(ShopAction):
    """Invoices, payment, cancelling and changing an order, from faq.yml."""

    INTENT_TOPICS: ClassVar[dict[str, str]] = {
        "ask_invoice": "invoice",
        "ask_payment": "payment",
        "cancel_order": "cancel_order",
        "change_order": "change_order",
    }

    def name(self) -> str:
        """The action's name in domain.yml."""
        return "action_answer_faq"

    def plan(self, tracker: Tracker, facts: Facts) -> Plan:
        """Answer the FAQ topic of the latest intent."""
        intent = (tracker.latest_message.get("intent") or {}).get("name", "")
        topic = self.INTENT_TOPICS.get(intent)
        if topic is None:  # reached by a stray button payload: ask rather than guess
            return Plan((Reply("utter_clarify"),))
        return plan_for_outcome(answer_faq(self.shop, topic), None, tracker, facts, self.shop)
