"""The project's Rasa graph components, run as Rasa runs them (train, persist, load, process)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.normalizer import ChineseScriptNormalizer
from bot.nlu.shop_entities import ShopEntityExtractor
from tests.conftest import REAL_SHOP_DATA


@pytest.fixture
def storage(tmp_path: Path) -> LocalModelStorage:
    (tmp_path / "model").mkdir()
    return LocalModelStorage(tmp_path / "model")


@pytest.fixture
def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


def _entities(message: Message) -> set[tuple[str, str]]:
    return {(e["entity"], e["value"]) for e in message.get(ENTITIES, [])}


def test_normalizer_makes_traditional_simplified(storage, context) -> None:
    component = ChineseScriptNormalizer.create({}, storage, Resource("norm"), context)
    traditional, simplified = Message({TEXT: "這件還有貨嗎"}), Message({TEXT: "这件还有货吗"})
    component.process([traditional, simplified])
    assert traditional.get(TEXT) == "这件还有货吗" and traditional.get("script") == "traditional"
    assert simplified.get(TEXT) == "这件还有货吗" and simplified.get("script") == "simplified"
    training = TrainingData([Message({TEXT: "運費多少", "intent": "ask_shipping"})])
    component.process_training_data(training)
    assert training.training_examples[0].get(TEXT) == "运费多少"


def _trained_extractor(storage, context, shop_data_dir: Path) -> ShopEntityExtractor:
    resource = Resource("entities")
    config = {**ShopEntityExtractor.get_default_config(), "shop_data_dir": str(shop_data_dir)}
    ShopEntityExtractor.create(config, storage, resource, context).train(TrainingData())
    return ShopEntityExtractor.load(config, storage, resource, context)


def test_extractor_persists_the_catalogue_in_the_model(
    storage, context, shop_data_dir: Path
) -> None:
    extractor = _trained_extractor(storage, context, shop_data_dir)
    for path in shop_data_dir.iterdir():  # the loaded model no longer needs the files
        path.unlink()
    message = Message({TEXT: "碎花裙蓝色M码 身高一米六五 110斤 发新疆"})
    extractor.process([message])
    assert _entities(message) == {
        ("product", "碎花连衣裙"),
        ("colour", "蓝色"),
        ("size", "M"),
        ("height", "165"),
        ("weight", "55"),
        ("region", "新疆"),
    }


def test_rules_win_over_diet_and_unsure_diet_entities_are_dropped(storage, context) -> None:
    extractor = _trained_extractor(storage, context, REAL_SHOP_DATA)
    message = Message(
        {
            TEXT: "格子衬衫有37码吗",
            ENTITIES: [
                {
                    "entity": "product",
                    "value": "格子衬衫",
                    "start": 0,
                    "end": 4,
                    "confidence_entity": 0.93,
                    "extractor": "DIETClassifier",
                },
                {
                    "entity": "order_id",
                    "value": "37",
                    "start": 5,
                    "end": 7,
                    "confidence_entity": 0.9,
                    "extractor": "DIETClassifier",
                },
            ],
        }
    )
    unsure = Message(
        {
            TEXT: "37",
            ENTITIES: [
                {
                    "entity": "order_id",
                    "value": "37",
                    "start": 0,
                    "end": 2,
                    "confidence_entity": 0.37,
                    "extractor": "DIETClassifier",
                },
            ],
        }
    )
    extractor.process([message, unsure])
    assert _entities(message) == {("product", "格子衬衫"), ("size", "37")}
    assert _entities(unsure) == set()
