"""A Rasa graph component for the rule-based entities: catalogue names and measurements.

At training time it builds a spaCy EntityRuler gazetteer from the shop's data files and
stores it in the model, so the running model needs no access to the shop files. At
inference it adds catalogue entities (product, colour, region, carrier) and measurements
(height, weight, age, foot length, size, order id) with canonical values, and drops any
DIET entity that overlaps one of them: the rules are exact where they fire, DIET covers
what they cannot (products outside the catalogue, unusual phrasing).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.errors import ShopDataError
from bot.nlu.catalogue_entries import catalogue_entries
from bot.nlu.entity_match import EntityMatch
from bot.nlu.file_digest import files_digest
from bot.nlu.gazetteer import Gazetteer
from bot.nlu.measures import extract_measures

GAZETTEER_FILE = "gazetteer.json"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class ShopEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Extracts the shop's entities by rules, reconciling them with DIET's."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """``shop_data_dir``: where the catalogue files are read at training time;
        ``min_learned_confidence``: DIET entities below it are dropped."""
        return {"shop_data_dir": "data/shop", "min_learned_confidence": 0.5}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        gazetteer: Gazetteer | None = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._gazetteer = gazetteer

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """The catalogue files: editing them retrains the gazetteer."""
        return files_digest(Path(config.get("shop_data_dir", "data/shop")))

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ShopEntityExtractor:
        """Build an untrained extractor."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Build the gazetteer from the catalogue and store it in the model."""
        entries = catalogue_entries(Path(self._config["shop_data_dir"]))
        self._gazetteer = Gazetteer.from_entries(entries)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / GAZETTEER_FILE).write_text(
                json.dumps(self._gazetteer.to_dict(), ensure_ascii=False), encoding="utf-8"
            )
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> ShopEntityExtractor:
        """Load the gazetteer stored at training time."""
        try:
            with model_storage.read_from(resource) as directory:
                data = json.loads((directory / GAZETTEER_FILE).read_text(encoding="utf-8"))
        except (ValueError, OSError) as err:
            raise ShopDataError(f"the model holds no readable gazetteer: {err}") from err
        return cls(config, model_storage, resource, Gazetteer.from_dict(data))

    def _rule_matches(self, text: str) -> list[EntityMatch]:
        found = extract_measures(text)
        if self._gazetteer is not None:
            taken = [(m.start, m.end) for m in found]
            found += [
                m
                for m in self._gazetteer.find(text)
                if not any(m.start < end and start < m.end for start, end in taken)
            ]
        return sorted(found, key=lambda m: m.start)

    def _keeps_learned(self, entity: dict[str, Any], matches: list[EntityMatch]) -> bool:
        """A learned entity stays unless a rule covers its span or DIET was unsure of it."""
        if any(m.start < entity["end"] and entity["start"] < m.end for m in matches):
            return False
        # DIET sees every bare number as one token, so its guesses on them are weak.
        confidence = entity.get("confidence_entity")
        return confidence is None or confidence >= self._config["min_learned_confidence"]

    def process(self, messages: list[Message]) -> list[Message]:
        """Add rule entities; drop learned entities that overlap them or are unsure."""
        for message in messages:
            text = message.get(TEXT) or ""
            matches = self._rule_matches(text)
            learned = [e for e in message.get(ENTITIES, []) if self._keeps_learned(e, matches)]
            rules = [
                {
                    "entity": m.entity,
                    "value": m.value,
                    "start": m.start,
                    "end": m.end,
                    "confidence_entity": 1.0,
                }
                for m in matches
            ]
            message.set(ENTITIES, learned + self.add_extractor_name(rules), add_to_output=True)
        return messages
