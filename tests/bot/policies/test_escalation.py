"""EscalationPolicy over real Rasa trackers and the project's domain."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ConversationPaused,
    ConversationResumed,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.policies.escalation import EscalationPolicy, turns_since_human
from bot.settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(PROJECT_ROOT / "domain.yml")


@pytest.fixture
def policy(tmp_path) -> EscalationPolicy:
    config = {**EscalationPolicy.get_default_config(), "frustration_threshold": 1.5}
    return EscalationPolicy.create(
        config,
        LocalModelStorage(tmp_path),
        Resource("escalation"),
        ExecutionContext(GraphSchema({}), "test"),
    )


def user(intent: str, label: str = "neutral", confidence: float = 0.9, **extra: Any) -> UserUttered:
    parse = {"intent": {"name": intent, "confidence": 0.95}, "entities": [],
             "sentiment": {"label": label, "confidence": confidence}, **extra}  # fmt: skip
    return UserUttered("…", parse_data=parse)


def tracker(*events: Any) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("c", [ActionExecuted("action_listen"), *events])


def predicted(policy: EscalationPolicy, domain: Domain, t: DialogueStateTracker):
    prediction = policy.predict_action_probabilities(t, domain)
    best = max(range(len(prediction.probabilities)), key=prediction.probabilities.__getitem__)
    if prediction.probabilities[best] == 0:
        return None, prediction
    return domain.action_names_or_texts[best], prediction


def test_angry_message_predicts_handoff_with_reason(policy, domain) -> None:
    t = tracker(user("complain", "negative", 0.99, sentiment_cues=["insult"]))
    action, prediction = predicted(policy, domain, t)
    assert action == "action_handoff"
    assert prediction.policy_priority == 7
    assert [(e.key, e.value) for e in prediction.optional_events] == [
        ("handoff_reason", "complaint")
    ]


def test_calm_question_predicts_nothing(policy, domain) -> None:
    action, _ = predicted(policy, domain, tracker(user("ask_size")))
    assert action is None


def test_listens_right_after_a_handoff(policy, domain) -> None:
    t = tracker(user("request_human"), ActionExecuted("action_handoff"))
    action, _ = predicted(policy, domain, t)
    assert action == "action_listen"


def test_turns_restart_after_the_conversation_is_handed_back(policy, domain) -> None:
    angry = user("ask_shipping", "negative", 0.8)
    t = tracker(
        angry, ActionExecuted("action_answer_shipping"), ActionExecuted("action_listen"),
        angry, ActionExecuted("action_handoff"), ConversationPaused(),
        ConversationResumed(), ActionExecuted("action_listen"), angry,
    )  # fmt: skip
    assert len(turns_since_human(t, "action_handoff")) == 1
    action, _ = predicted(policy, domain, t)
    assert action is None  # one mild message after the hand-back is not yet frustration


def test_answered_by_records_the_clarification(policy, domain) -> None:
    t = tracker(
        user("nlu_fallback"), ActionExecuted("action_clarify"), ActionExecuted("action_listen"),
        user("nlu_fallback"),
    )  # fmt: skip
    turns = turns_since_human(t, "action_handoff")
    assert turns[0].answered_by == "action_clarify"
    action, prediction = predicted(policy, domain, t)
    assert action == "action_handoff"
    assert prediction.optional_events[0].value == "repeated_fallback"
