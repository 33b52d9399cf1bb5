"""A Rasa graph component that adds chat sentiment to every parse result.

It trains during ``rasa train`` from the project's labelled chat examples
(``data/sentiment/*.yml``, see ``bot.sentiment.data``) and sets, on every message::

    "sentiment": {"label": "negative" | "neutral" | "positive", "confidence": 0..1}
    "sentiment_cues": ["threat", "intensifier", ...]

``sentiment`` is the interface DESIGN.md fixes; ``sentiment_cues`` lets the escalation
policy tell a threat or an insult from a mild complaint.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.file_digest import files_digest
from bot.sentiment import SentimentModel, load_examples
from bot.sentiment.cues import CUES_PATH
from bot.sentiment.data import SentimentDataError

SENTIMENT = "sentiment"
SENTIMENT_CUES = "sentiment_cues"
MODEL_FILE = "sentiment.pkl"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SentimentAnalyzer(GraphComponent):
    """Labels each message negative, neutral or positive, with a confidence."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """``training_data``: the folder (or file) of labelled sentiment examples."""
        return {"training_data": "data/sentiment"}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: SentimentModel | None = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """The examples and the cue lexicon: editing either retrains the component."""
        return files_digest(Path(config.get("training_data", "data/sentiment")), CUES_PATH)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentimentAnalyzer:
        """Build an untrained analyzer."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the model on the sentiment examples (not on the intent data) and store it."""
        self._model = SentimentModel.fit(load_examples(Path(self._config["training_data"])))
        with self._model_storage.write_to(self._resource) as directory:
            (directory / MODEL_FILE).write_bytes(pickle.dumps(self._model))
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SentimentAnalyzer:
        """Load the model stored at training time (our own file, inside our own model)."""
        try:
            with model_storage.read_from(resource) as directory:
                model = pickle.loads((directory / MODEL_FILE).read_bytes())
        except (ValueError, OSError, pickle.UnpicklingError) as err:
            raise SentimentDataError(f"the model holds no readable sentiment model: {err}") from err
        return cls(config, model_storage, resource, model)

    def process(self, messages: list[Message]) -> list[Message]:
        """Set ``sentiment`` and ``sentiment_cues`` on each message."""
        if self._model is None:
            raise SentimentDataError("the sentiment analyzer was used before training")
        for message in messages:
            result = self._model.predict(message.get(TEXT) or "")
            message.set(SENTIMENT, result.as_parse_data(), add_to_output=True)
            message.set(SENTIMENT_CUES, list(result.cues), add_to_output=True)
        return messages
