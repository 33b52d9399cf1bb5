"""EscalationPolicy: a Rasa policy that predicts the handoff to a human.

It reads the buyer's turns since the conversation last left a human (or began) from the
tracker: intent, entities, and the ``sentiment`` / ``sentiment_cues`` that
``bot.nlu.sentiment`` put in each parse result. ``bot.policies.triggers`` decides; the
thresholds come from this policy's entry in ``config.yml``. A handoff is predicted with
confidence 1 at a priority above the RulePolicy, and the reason is set in the
``handoff_reason`` slot for the handoff action to word its reply and tell the gateway.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction, SupportedData
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ConversationResumed,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.nlu.sentiment import SENTIMENT, SENTIMENT_CUES
from bot.policies.triggers import Thresholds, Turn, escalation_reason

HANDOFF_REASON_SLOT = "handoff_reason"
# Above the RulePolicy (6): a buyer who must reach a person is not answered by a rule.
DEFAULT_PRIORITY = 7


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, True)
class EscalationPolicy(Policy):
    """Predicts the handoff action when a trigger of ``bot.policies.triggers`` fires."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The handoff action's name, the priority, and the thresholds (see ``Thresholds``)."""
        return {"priority": DEFAULT_PRIORITY, "handoff_action": "action_handoff"}

    @staticmethod
    def supported_data() -> SupportedData:
        """Rules and stories are both fine: the policy learns nothing from them."""
        return SupportedData.ML_AND_RULE_DATA

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        featurizer: Any = None,
    ) -> None:
        super().__init__(config, model_storage, resource, execution_context, featurizer)
        self._handoff_action = config["handoff_action"]
        self._thresholds = Thresholds.from_config(config)

    def train(self, training_trackers: list[Any], domain: Domain, **kwargs: Any) -> Resource:
        """Nothing to learn: the thresholds are configuration."""
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        """Hand off after a triggering buyer message; listen right after a handoff."""
        probabilities = self._default_predictions(domain)
        latest_action = tracker.latest_action_name
        if latest_action == self._handoff_action:
            probabilities[domain.index_for_action(ACTION_LISTEN_NAME)] = 1.0
            return self._prediction(probabilities)
        if latest_action != ACTION_LISTEN_NAME:
            return self._prediction(probabilities)
        reason = escalation_reason(
            turns_since_human(tracker, self._handoff_action), self._thresholds
        )
        if reason is None:
            return self._prediction(probabilities)
        probabilities[domain.index_for_action(self._handoff_action)] = 1.0
        return self._prediction(
            probabilities, optional_events=[SlotSet(HANDOFF_REASON_SLOT, reason)]
        )


def turn_from_parse(parse_data: dict[str, Any]) -> Turn:
    """A Turn from one user message's parse data."""
    intent = (parse_data.get("intent") or {}).get("name") or ""
    sentiment = parse_data.get(SENTIMENT) or {}
    entities = tuple(
        (str(e.get("entity")), str(e.get("value")))
        for e in parse_data.get("entities") or ()
        if isinstance(e, dict)
    )
    return Turn(
        intent=intent,
        sentiment=str(sentiment.get("label", "neutral")),
        sentiment_confidence=float(sentiment.get("confidence", 0.0)),
        cues=frozenset(parse_data.get(SENTIMENT_CUES) or ()),
        entities=entities,
    )


def turns_since_human(tracker: DialogueStateTracker, handoff_action: str) -> list[Turn]:
    """The buyer's turns since the last handoff, hand-back or session start, oldest first.

    Each turn records the first action the bot ran in reply (``answered_by``).
    """
    turns: list[Turn] = []
    awaiting_answer = False
    for event in tracker.applied_events():
        if isinstance(event, ConversationResumed | SessionStarted | Restarted) or (
            isinstance(event, ActionExecuted) and event.action_name == handoff_action
        ):
            turns, awaiting_answer = [], False
        elif isinstance(event, UserUttered):
            turns.append(turn_from_parse(event.parse_data))
            awaiting_answer = True
        elif (
            isinstance(event, ActionExecuted)
            and awaiting_answer
            and event.action_name != ACTION_LISTEN_NAME
        ):
            turns[-1] = replace(turns[-1], answered_by=event.action_name)
            awaiting_answer = False
    return turns
