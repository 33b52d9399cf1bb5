"""Catalogue words (products, colours, carriers, regions) found by phrase matching.

A :class:`Gazetteer` wraps a blank Chinese spaCy pipeline with an ``EntityRuler`` of
phrase patterns. spaCy's default Chinese segmenter splits text into single characters,
so a phrase matches wherever its characters occur in a row, whatever a word segmenter
would have made of the sentence. Matching is case-insensitive (``EMS`` = ``ems``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import spacy
from spacy.language import Language

from bot.errors import ShopDataError
from bot.nlu.entity_match import EntityMatch

#: Entries with this entity claim their phrases but are never reported: they stop a
#: shorter phrase inside a longer ordinary word from matching (明白的 is not 白的).
SHADOW_ENTITY = "_shadow"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class GazetteerEntry:
    """One canonical value and the phrases buyers use for it.

    Attributes:
        entity: The entity name, e.g. ``"product"``.
        value: The canonical value reported for every phrase, e.g. ``"碎花连衣裙"``.
        phrases: What buyers write, e.g. ``("碎花连衣裙", "碎花裙")``.
    """

    entity: str
    value: str
    phrases: tuple[str, ...]


class Gazetteer:
    """Finds the phrases of its entries in a message; the longest match wins."""

    def __init__(self, entries: tuple[GazetteerEntry, ...]) -> None:
        """Use :meth:`from_entries` or :meth:`from_dict`, which check their input."""
        self._entries = entries
        self._nlp = _build_pipeline(entries)
        self._has_patterns = any(entry.phrases for entry in entries)

    @classmethod
    def from_entries(cls, entries: Iterable[GazetteerEntry]) -> Gazetteer:
        """Build a gazetteer.

        Raises:
            ShopDataError: A phrase is empty, or two entries claim the same phrase.
        """
        checked = tuple(entries)
        _check_phrases(checked)
        return cls(checked)

    @property
    def entries(self) -> tuple[GazetteerEntry, ...]:
        """The entries this gazetteer was built from."""
        return self._entries

    def find(self, text: str) -> list[EntityMatch]:
        """Return non-overlapping matches in ``text`` in order, each with its canonical value.

        Where phrases overlap the longest wins, then the earliest. A Latin phrase only
        matches a whole word: ``ems`` is found in "发ems吗" but not in "items".
        """
        if not text or not self._has_patterns:
            return []  # spaCy warns when an EntityRuler without patterns runs
        matches = []
        for span in self._nlp(text).ents:
            start, end = span.start_char, span.end_char
            if span.label_ == SHADOW_ENTITY or _cuts_latin_word(text, start, end):
                continue
            matches.append(EntityMatch(span.label_, span.ent_id_, start, end, span.text))
        return matches

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable form that :meth:`from_dict` reads back."""
        return {
            "format": FORMAT_VERSION,
            "entries": [
                {"entity": entry.entity, "value": entry.value, "phrases": list(entry.phrases)}
                for entry in self._entries
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Gazetteer:
        """Rebuild a gazetteer saved with :meth:`to_dict`.

        Raises:
            ShopDataError: ``data`` is not in the saved form.
        """
        if not isinstance(data, Mapping) or data.get("format") != FORMAT_VERSION:
            raise ShopDataError(f"not a gazetteer in format {FORMAT_VERSION}")
        try:
            entries = [
                GazetteerEntry(item["entity"], item["value"], tuple(item["phrases"]))
                for item in data["entries"]
            ]
        except (KeyError, TypeError) as err:
            raise ShopDataError(f"malformed gazetteer entry: {err!r}") from err
        return cls.from_entries(entries)


def _build_pipeline(entries: tuple[GazetteerEntry, ...]) -> Language:
    nlp = spacy.blank("zh")  # the default segmenter is per character: no model needed
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    patterns = [
        {"label": entry.entity, "pattern": phrase, "id": entry.value}
        for entry in entries
        for phrase in dict.fromkeys(entry.phrases)
    ]
    if patterns:
        ruler.add_patterns(patterns)
    return nlp


def _check_phrases(entries: tuple[GazetteerEntry, ...]) -> None:
    owners: dict[str, GazetteerEntry] = {}
    for entry in entries:
        if not entry.entity or not entry.value:
            raise ShopDataError(f"gazetteer entry without entity or value: {entry}")
        for phrase in entry.phrases:
            if not isinstance(phrase, str) or not phrase.strip():
                raise ShopDataError(f"empty phrase for {entry.entity} {entry.value!r}")
            owner = owners.setdefault(phrase.lower(), entry)
            if (owner.entity, owner.value) != (entry.entity, entry.value):
                raise ShopDataError(
                    f"phrase {phrase!r} means both {owner.entity} {owner.value!r} "
                    f"and {entry.entity} {entry.value!r}"
                )


def _is_latin(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _cuts_latin_word(text: str, start: int, end: int) -> bool:
    """Whether the match starts or ends inside a run of Latin letters and digits."""
    cuts_start = start > 0 and _is_latin(text[start]) and _is_latin(text[start - 1])
    cuts_end = end < len(text) and _is_latin(text[end - 1]) and _is_latin(text[end])
    return cuts_start or cuts_end
