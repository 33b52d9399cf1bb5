"""The Rasa graph component: trains from data/sentiment, persists, loads, labels messages."""

from __future__ import annotations

from pathlib import Path

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.sentiment import SENTIMENT, SENTIMENT_CUES, SentimentAnalyzer
from bot.settings import PROJECT_ROOT

CONFIG = {"training_data": str(PROJECT_ROOT / "data" / "sentiment")}


def test_trains_persists_loads_and_labels(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("sentiment")
    context = ExecutionContext(GraphSchema({}), "test")
    trained = SentimentAnalyzer.create(CONFIG, storage, resource, context)
    trained.train(TrainingData())
    loaded = SentimentAnalyzer.load(CONFIG, storage, resource, context)
    messages = [Message.build("你们这什么破店！！！"), Message.build("请问有M码吗")]
    angry, calm = loaded.process(messages)
    assert angry.get(SENTIMENT)["label"] == "negative"
    assert 0 < angry.get(SENTIMENT)["confidence"] <= 1
    assert "insult" in angry.get(SENTIMENT_CUES)
    assert calm.get(SENTIMENT)["label"] == "neutral"
    # Output properties reach /model/parse and the tracker's latest message.
    assert {SENTIMENT, SENTIMENT_CUES} <= set(angry.as_dict(only_output_properties=True))


def test_editing_the_examples_changes_the_fingerprint(tmp_path: Path) -> None:
    data = tmp_path / "sentiment"
    data.mkdir()
    file = data / "negative.yml"
    file.write_text("sentiment:\n  - label: negative\n    examples: |\n      - 哼\n", "utf-8")
    before = SentimentAnalyzer.fingerprint_addon({"training_data": str(data)})
    file.write_text("sentiment:\n  - label: negative\n    examples: |\n      - 哼哼\n", "utf-8")
    assert SentimentAnalyzer.fingerprint_addon({"training_data": str(data)}) != before
