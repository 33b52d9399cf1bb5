"""Drive the trained model's NLU and policies in-process, turn by turn, without actions.

`rasa test core` replaces each story line's parse with the story's own intent, so the
sentiment of a line never reaches the policies there. This harness parses the buyer's
real words with the model (sentiment included) and asks the policy ensemble for the next
action, which is what the escalation triggers need to be tested on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import ActionExecuted


class Dialogue:
    """One conversation against a loaded model."""

    def __init__(self, agent: Agent, sender_id: str) -> None:
        self._agent = agent
        self._sender_id = sender_id

    async def say(self, text: str) -> tuple[str, dict[str, Any]]:
        """The buyer says ``text``: return the predicted action and the message's parse.

        The predicted action is recorded as executed (its own events are not: no action
        server runs), followed by ``action_listen``.
        """
        processor = self._agent.processor
        assert processor is not None
        tracker = await processor.fetch_tracker_and_update_session(self._sender_id)
        await processor._handle_message_with_tracker(
            UserMessage(text, sender_id=self._sender_id), tracker
        )
        action, _prediction = processor.predict_next_with_tracker_if_should(tracker)
        parse = tracker.latest_message.parse_data
        tracker.update(ActionExecuted(action.name()))
        tracker.update(ActionExecuted("action_listen"))
        await processor.save_tracker(tracker)
        return action.name(), parse


def load_agent(model: Path) -> Agent:
    """Load the trained model (NLU and policies) into this process."""
    return Agent.load(str(model))
