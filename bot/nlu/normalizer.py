"""A Rasa graph component that turns Traditional input into Simplified before tokenising.

Every later component (Jieba, featurizers, DIET, the entity rules) then sees one script,
so Traditional messages are understood without doubling the training data. The original
script is kept on the message as ``script`` for whoever answers.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.text.chinese_script import is_traditional, to_simplified

SCRIPT = "script"


# Registered as a tokenizer-type component so that the recipe runs it, in pipeline order,
# on training data as well as at inference; it does not produce tokens itself.
@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class ChineseScriptNormalizer(GraphComponent):
    """Converts Traditional Chinese text to Simplified, in place."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ChineseScriptNormalizer:
        """Build the component (the converter itself loads lazily on first use)."""
        return cls()

    @staticmethod
    def _normalise(message: Message) -> None:
        text = message.get(TEXT)
        if not text:
            return
        if is_traditional(text):
            message.set(TEXT, to_simplified(text))
            message.set(SCRIPT, "traditional", add_to_output=True)
        else:
            message.set(SCRIPT, "simplified", add_to_output=True)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Normalise every training example."""
        for example in training_data.training_examples:
            self._normalise(example)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Normalise messages at inference."""
        for message in messages:
            self._normalise(message)
        return messages
