"""What a trainer should know about the NLU data: before adding one example, and overall.

Texts are compared by their normalised plain text (``bot.trainer.nlu_data.normalise``).
Near-duplicates are measured by the Jaccard similarity of character bigrams, punctuation
and spaces left out. Bigrams are close to what the model sees (its char 1-4 gram
featurizer); the measure does not depend on where a change happens (difflib's ratio
depends on order and on its junk heuristics); and it has an exact inverted index: two
texts can only be similar if they share a bigram, so the whole-data check counts shared
bigrams through postings lists instead of comparing every pair (difflib over all pairs
of today's data takes ~18 s, the index ~0.05 s). At 0.85 it flags lines that differ
only in punctuation or spacing (1.0), a character added to a line of seven or more, or
one changed in a long line; short lines must match to be flagged ("有货吗" and "有货么"
are not). Equal normalised texts are duplicates or conflicts, never near-duplicates.
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from bot.trainer.nlu_data import (
    Example,
    NluData,
    check_intent_name,
    check_label,
    clean_text,
    normalise,
    plain_text,
)
from bot.trainer.yaml_files import read_yaml

KINDS = ("duplicate", "conflict", "near_duplicate", "thin_intent", "new_intent", "no_rule")
NEAR_DUPLICATE = 0.85
THIN_BELOW = 15


@dataclass(frozen=True)
class Warning_:  # noqa: N801 - "Warning" is a builtin
    """One finding; which fields are set depends on ``kind`` (one of ``KINDS``)."""

    kind: str
    text: str | None = None
    intent: str | None = None  # for sentiment findings: the label
    other_intent: str | None = None
    other_text: str | None = None
    similarity: float | None = None
    count: int | None = None  # thin_intent: the intent's examples

    def to_dict(self) -> dict[str, Any]:
        """The finding as JSON-ready data."""
        return asdict(self)

    def describe(self) -> str:
        """One line for an operator."""
        if self.kind == "duplicate":
            return f"duplicate in {self.intent}: {self.text!r} = {self.other_text!r}"
        if self.kind == "conflict":
            return (
                f"conflict: {self.text!r} ({self.intent}) is also "
                f"{self.other_text!r} ({self.other_intent})"
            )
        if self.kind == "near_duplicate":
            return (
                f"near-duplicate {self.similarity:.2f}: {self.text!r} ({self.intent}) ~ "
                f"{self.other_text!r} ({self.other_intent})"
            )
        if self.kind == "thin_intent":
            return f"thin intent: {self.intent} has {self.count} examples"
        if self.kind == "new_intent":
            return f"new intent: {self.intent} is not in domain.yml"
        return f"no rule: no rule or story in data/stories starts from {self.intent}"


@dataclass(frozen=True)
class CheckReport:
    """The whole data set's findings; ``to_dict()`` is served as is by the gateway."""

    thin_below: int
    counts: dict[str, int]
    duplicates: list[Warning_] = field(default_factory=list)
    conflicts: list[Warning_] = field(default_factory=list)
    near_duplicates: list[Warning_] = field(default_factory=list)
    thin_intents: list[Warning_] = field(default_factory=list)
    new_intents: list[Warning_] = field(default_factory=list)
    no_rule: list[Warning_] = field(default_factory=list)
    sentiment_counts: dict[str, int] = field(default_factory=dict)
    sentiment_duplicates: list[Warning_] = field(default_factory=list)
    sentiment_conflicts: list[Warning_] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        """Whether the data has duplicates or conflicts (intents or sentiment)."""
        return bool(
            self.duplicates
            or self.conflicts
            or self.sentiment_duplicates
            or self.sentiment_conflicts
        )

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        data: dict[str, Any] = {"ok": not self.has_errors}
        for name, value in vars(self).items():
            is_list = isinstance(value, list)
            data[name] = [item.to_dict() for item in value] if is_list else value
        data["examples"] = sum(self.counts.values())
        return data


def shingles(key: str) -> frozenset[str]:
    """Character bigrams of a normalised text, punctuation and spaces left out."""
    core = "".join(c for c in key if not unicodedata.category(c).startswith(("P", "Z")))
    core = core or key
    if len(core) < 2:
        return frozenset({core})
    return frozenset(core[i : i + 2] for i in range(len(core) - 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|a ∩ b| / |a ∪ b|."""
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared) if a or b else 1.0


class ShingleIndex:
    """An inverted index of bigram sets: which stored sets are similar to a query."""

    def __init__(self, sets: Iterable[frozenset[str]]) -> None:
        """Index ``sets``; results refer to them by position."""
        self._sizes: list[int] = []
        self._postings: dict[str, list[int]] = defaultdict(list)
        for position, grams in enumerate(sets):
            self._sizes.append(len(grams))
            for gram in grams:
                self._postings[gram].append(position)

    def similar(self, grams: frozenset[str], threshold: float) -> Iterator[tuple[int, float]]:
        """(position, similarity) of every stored set at least ``threshold`` similar."""
        shared: Counter[int] = Counter()
        for gram in grams:
            shared.update(self._postings.get(gram, ()))
        for position, overlap in shared.items():
            similarity = overlap / (len(grams) + self._sizes[position] - overlap)
            if similarity >= threshold:
                yield position, similarity


def intents_with_rules(stories_dir: Path) -> set[str]:
    """Intents that some rule or story under ``stories_dir`` has as a step (``or`` too)."""
    found: set[str] = set()
    if not stories_dir.is_dir():
        return found
    files = (p for p in stories_dir.rglob("*") if p.suffix in (".yml", ".yaml"))
    for file in sorted(p for p in files if p.is_file()):
        data = read_yaml(file)
        if isinstance(data, dict):
            for key in ("rules", "stories"):
                _collect_intents(data.get(key), found)
    return found


def _collect_intents(node: object, found: set[str]) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("intent"), str):
            found.add(node["intent"])
        for value in node.values():
            _collect_intents(value, found)
    elif isinstance(node, list):
        for item in node:
            _collect_intents(item, found)


def warnings_for(
    data: NluData, intent: str, text: str, thin_below: int = THIN_BELOW
) -> list[Warning_]:
    """What adding ``text`` to ``intent`` would mean, before it is added.

    Raises:
        TrainerDataError: a bad intent name, text or annotation (as ``NluData.add``).
    """
    intent, text = check_intent_name(intent), clean_text(text)
    key = normalise(plain_text(text, data.entities_in_domain()))
    grams = shingles(key)
    found: list[Warning_] = []
    near: list[Warning_] = []
    for example in data.examples():
        other_key = normalise(example.plain)
        if other_key == key:
            kind = "duplicate" if example.intent == intent else "conflict"
            found.append(Warning_(kind, text, intent, example.intent, example.text))
        elif example.intent != intent:
            similarity = jaccard(grams, shingles(other_key))
            if similarity >= NEAR_DUPLICATE:
                near.append(_near(text, intent, example, similarity))
    found += sorted(near, key=lambda w: (-(w.similarity or 0), w.other_intent, w.other_text))
    duplicate = any(w.kind == "duplicate" for w in found)
    count = data.counts().get(intent, 0) + (0 if duplicate else 1)
    if count < thin_below:
        found.append(Warning_("thin_intent", intent=intent, count=count))
    if intent not in data.intents_in_domain():
        found.append(Warning_("new_intent", intent=intent))
    if intent not in intents_with_rules(data.stories_dir):
        found.append(Warning_("no_rule", intent=intent))
    return found


def sentiment_warnings_for(data: NluData, label: str, text: str) -> list[Warning_]:
    """Duplicates (same label) and conflicts (another label) of a sentiment example."""
    label, text = check_label(label), clean_text(text)
    key = normalise(plain_text(text, data.entities_in_domain()))
    found = []
    for other_label, texts in data.sentiment_examples().items():
        for other in texts:
            if normalise(other) == key:
                kind = "duplicate" if other_label == label else "conflict"
                found.append(Warning_(kind, text, label, other_label, other))
    return found


def _near(text: str, intent: str, other: Example, similarity: float) -> Warning_:
    return Warning_("near_duplicate", text, intent, other.intent, other.text, round(similarity, 3))


def check(data: NluData, thin_below: int = THIN_BELOW) -> CheckReport:
    """Review the whole data set (about 0.1 s for today's ~1,350 examples)."""
    counts = data.counts()
    keyed = [(normalise(example.plain), example) for example in data.examples()]
    duplicates, conflicts = _same_key([(key, e.intent, e.text) for key, e in keyed])
    sentiment = data.sentiment_examples()
    labelled = [(normalise(t), label, t) for label, texts in sentiment.items() for t in texts]
    sentiment_duplicates, sentiment_conflicts = _same_key(labelled)
    in_domain, with_rules = set(data.intents_in_domain()), intents_with_rules(data.stories_dir)
    return CheckReport(
        thin_below=thin_below,
        counts=counts,
        duplicates=duplicates,
        conflicts=conflicts,
        near_duplicates=_near_duplicates(keyed),
        thin_intents=[
            Warning_("thin_intent", intent=intent, count=count)
            for intent, count in counts.items()
            if count < thin_below
        ],
        new_intents=[Warning_("new_intent", intent=i) for i in counts if i not in in_domain],
        no_rule=[Warning_("no_rule", intent=i) for i in counts if i not in with_rules],
        sentiment_counts={label: len(texts) for label, texts in sentiment.items()},
        sentiment_duplicates=sentiment_duplicates,
        sentiment_conflicts=sentiment_conflicts,
    )


def _same_key(entries: list[tuple[str, str, str]]) -> tuple[list[Warning_], list[Warning_]]:
    """Duplicates (same key, same name) and conflicts (same key, other names) among
    (key, intent or label, text) entries."""
    by_key: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for key, name, text in entries:
        by_key[key][name].append(text)
    duplicates, conflicts = [], []
    for names in by_key.values():
        for name, texts in sorted(names.items()):
            first = texts[0]
            duplicates += [Warning_("duplicate", text, name, name, first) for text in texts[1:]]
        for (name, texts), (other, other_texts) in combinations(sorted(names.items()), 2):
            conflicts.append(Warning_("conflict", texts[0], name, other, other_texts[0]))
    return _sorted(duplicates), _sorted(conflicts)


def _near_duplicates(keyed: list[tuple[str, Example]]) -> list[Warning_]:
    """Pairs of examples of different intents, similar but not equal once normalised."""
    unique = list({(key, e.intent): (key, e) for key, e in keyed}.values())
    grams = [shingles(key) for key, _example in unique]
    index = ShingleIndex(grams)
    found = []
    for position, (key, example) in enumerate(unique):
        for other_position, similarity in index.similar(grams[position], NEAR_DUPLICATE):
            other_key, other = unique[other_position]
            if other_position < position and other.intent != example.intent and other_key != key:
                first, second = sorted((example, other), key=lambda e: (e.intent, e.text))
                found.append(_near(first.text, first.intent, second, similarity))
    return sorted(found, key=lambda w: (-(w.similarity or 0), w.intent, w.text, w.other_text))


def _sorted(warnings: list[Warning_]) -> list[Warning_]:
    return sorted(warnings, key=lambda w: (w.intent or "", w.text or "", w.other_intent or ""))
