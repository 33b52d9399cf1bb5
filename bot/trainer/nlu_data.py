"""A project's NLU and sentiment training data: read it, validate new examples, add them.

``data/nlu/<intent>.yml`` holds one intent's examples in Rasa's YAML (entity annotations
like ``[蓝色](colour)``); ``data/sentiment/<label>.yml`` holds one sentiment label's. An
added example lands in its file sorted and de-duplicated, written atomically with
every other block, key and comment of the file kept (``bot.trainer.yaml_files``); a new
intent is also appended to ``domain.yml``'s ``intents:`` list.
"""

from __future__ import annotations

import contextlib
import json
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.text.chinese_script import to_simplified
from bot.trainer.errors import TrainerDataError
from bot.trainer.yaml_files import (
    block_texts,
    folder_lock,
    new_examples_file,
    read_blocks,
    read_yaml,
    with_block_examples,
    with_list_item,
    write_atomic,
)

INTENT_NAME = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
# Rasa's own default intents: examples under them would change Rasa's built-in behaviour.
RESERVED_INTENTS = frozenset({"nlu_fallback", "restart", "back", "session_start"})
# As bot.sentiment.data.LABELS (not imported: bot.sentiment loads scikit-learn, ~0.7 s).
SENTIMENT_LABELS = ("negative", "neutral", "positive")
MAX_TEXT_CHARS = 500
NLU_VERSION = "3.1"
SENTIMENT_VERSION = "1"

# Rasa's annotation syntax, as in rasa/shared/nlu/training_data/entities_parser.py
# (ENTITY_REGEX): [text](entity), [text](entity:value), [text]{"entity": ...} and
# [text][{...}, {...}]. Copied so that reading data does not import Rasa; a test checks
# that Rasa reads what this module writes the same way.
ANNOTATION = re.compile(
    r"\[(?P<entity_text>[^\]]+?)\]"
    r"(\((?P<entity>[^:)]+?)(?:\:(?P<value>[^)]+))?\)"
    r"|\{(?P<entity_dict>[^}]+?)\}"
    r"|\[(?P<list_entity_dicts>.*?)\])"
)
# Outside valid annotations: the start of an annotation that did not parse.
_BROKEN_ANNOTATION = re.compile(r"\][({\[]|\[\]")
_ENTITY_KEYS = frozenset({"entity", "value", "role", "group"})


@dataclass(frozen=True)
class Example:
    """One NLU example."""

    intent: str
    text: str  # as written in the file, with entity annotations: "[蓝色](colour)有吗"
    plain: str  # annotations stripped: "蓝色有吗"


@dataclass(frozen=True)
class AddResult:
    """Where an example went; ``added`` is False when it was already there."""

    file: Path
    added: bool
    new_intent: bool


def check_intent_name(intent: str) -> str:
    """``intent`` if it is a usable intent name, else TrainerDataError (``bad_intent``)."""
    if not isinstance(intent, str) or not INTENT_NAME.match(intent):
        raise TrainerDataError(
            f"intent name {intent!r} must be 2-64 characters of a-z, 0-9 and _, "
            "starting with a letter",
            "bad_intent",
        )
    if intent in RESERVED_INTENTS:
        raise TrainerDataError(f"{intent!r} is one of Rasa's own intents", "bad_intent")
    return intent


def check_label(label: str) -> str:
    """``label`` if it is a sentiment label, else TrainerDataError (``bad_label``)."""
    if label not in SENTIMENT_LABELS:
        raise TrainerDataError(
            f"sentiment label must be one of {', '.join(SENTIMENT_LABELS)}, got {label!r}",
            "bad_label",
        )
    return label


def clean_text(text: str) -> str:
    """``text`` on one line (whitespace runs, newlines included, become one space), stripped.

    Raises:
        TrainerDataError: (``bad_text``) empty, longer than 500 characters, or holding
            control characters that YAML cannot carry.
    """
    if not isinstance(text, str):
        raise TrainerDataError("the example must be text", "bad_text")
    line = " ".join(text.split())
    if not line:
        raise TrainerDataError("the example is empty", "bad_text")
    if len(line) > MAX_TEXT_CHARS:
        raise TrainerDataError(
            f"the example has {len(line)} characters; at most {MAX_TEXT_CHARS}", "bad_text"
        )
    bad = sorted({f"U+{ord(c):04X}" for c in line if unicodedata.category(c) in ("Cc", "Cs")})
    if bad or "\ufffe" in line or "\uffff" in line:
        raise TrainerDataError(f"the example holds control characters {bad}", "bad_text")
    return line


def strip_annotations(text: str) -> str:
    """``text`` with every entity annotation replaced by its text, as Rasa reads it."""
    return ANNOTATION.sub(lambda match: match["entity_text"], text)


def plain_text(text: str, entities: Collection[str]) -> str:
    """The plain text of an annotated example, after checking its annotations.

    Raises:
        TrainerDataError: (``bad_annotation``) an annotation that does not parse, or that
            names an entity not in ``entities`` (the domain's).
    """
    for match in ANNOTATION.finditer(text):
        _check_annotation(match, entities)
    broken = _BROKEN_ANNOTATION.search(ANNOTATION.sub("\0", text))
    if broken:
        raise TrainerDataError(
            f"malformed entity annotation near {broken.group()!r} in {text!r}; "
            "write an entity as [text](entity)",
            "bad_annotation",
        )
    return strip_annotations(text)


def _check_annotation(match: re.Match[str], entities: Collection[str]) -> None:
    whole = match.group()
    if "[" in match["entity_text"]:
        raise TrainerDataError(f"nested brackets in annotation {whole!r}", "bad_annotation")
    if match["entity"] is not None:
        names = [match["entity"]]
    elif match["entity_dict"] is not None:
        names = [_dict_entity(_json(f"{{{match['entity_dict']}}}", whole), whole)]
    else:
        listed = _json(f"[{match['list_entity_dicts']}]", whole)
        if not isinstance(listed, list) or not listed:
            raise TrainerDataError(f"annotation {whole!r} lists no entity", "bad_annotation")
        names = [_dict_entity(item, whole) for item in listed]
    unknown = [name for name in names if name not in entities]
    if unknown:
        raise TrainerDataError(
            f"annotation {whole!r} names {unknown[0]!r}, which is not an entity in domain.yml",
            "bad_annotation",
        )


def _json(raw: str, whole: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError as err:
        raise TrainerDataError(f"annotation {whole!r} is not valid JSON", "bad_annotation") from err


def _dict_entity(item: Any, whole: str) -> str:
    if (
        not isinstance(item, dict)
        or not isinstance(item.get("entity"), str)
        or set(item) - _ENTITY_KEYS
        or not all(isinstance(value, str) for value in item.values())
    ):
        raise TrainerDataError(
            f'annotation {whole!r} must be {{"entity": ...}} with optional value, role, ' "group",
            "bad_annotation",
        )
    return item["entity"]


@lru_cache(maxsize=16384)
def normalise(text: str) -> str:
    """The comparison key of a plain text: NFKC, Traditional → Simplified, zero-width
    format characters dropped, case folded (the model's featurizers lowercase), and
    whitespace collapsed."""
    text = to_simplified(unicodedata.normalize("NFKC", text))
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return " ".join(text.casefold().split())


def sort_texts(texts: Collection[str]) -> list[str]:
    """``texts`` without repeats, sorted by plain text, then text."""
    return sorted(set(texts), key=lambda text: (strip_annotations(text), text))


class NluData:
    """The training data of the project in ``project_dir``, read once at construction.

    ``add`` and ``add_sentiment`` re-read the data under a lock before they write, so
    edits by other processes are never lost, and refresh this object afterwards.
    """

    def __init__(self, project_dir: Path) -> None:
        """Read ``data/nlu``, ``data/sentiment`` and ``domain.yml`` of ``project_dir``."""
        self.project_dir = Path(project_dir)
        self.nlu_dir = self.project_dir / "data" / "nlu"
        self.sentiment_dir = self.project_dir / "data" / "sentiment"
        self.stories_dir = self.project_dir / "data" / "stories"
        self.domain_path = self.project_dir / "domain.yml"
        self._load()

    def _load(self) -> None:
        self._intents, self._entities = _read_domain(self.domain_path)
        self._examples = _read_nlu(self.nlu_dir, self.project_dir)
        self._sentiment = _read_sentiment(self.sentiment_dir, self.project_dir)

    def examples(self) -> list[Example]:
        """Every NLU example, file by file in file order."""
        return list(self._examples)

    def counts(self) -> dict[str, int]:
        """Examples per intent, for every intent of the data or the domain, by name."""
        counts = dict.fromkeys(self._intents, 0)
        for example in self._examples:
            counts[example.intent] = counts.get(example.intent, 0) + 1
        return dict(sorted(counts.items()))

    def intents_in_domain(self) -> list[str]:
        """The intents listed in ``domain.yml``, in its order."""
        return list(self._intents)

    def entities_in_domain(self) -> list[str]:
        """The entities listed in ``domain.yml``, in its order."""
        return list(self._entities)

    def sentiment_examples(self) -> dict[str, list[str]]:
        """Sentiment label → its example texts."""
        return {label: list(texts) for label, texts in self._sentiment.items()}

    def relative(self, path: Path) -> str:
        """``path`` relative to the project, for messages."""
        with contextlib.suppress(ValueError):
            return path.relative_to(self.project_dir).as_posix()
        return str(path)

    def add(self, intent: str, text: str) -> AddResult:
        """Add an example to ``data/nlu/<intent>.yml`` unless its normalised plain text is
        already one of the intent's; a new intent is added to ``domain.yml`` too.

        Raises:
            TrainerDataError: a bad intent name, text or annotation, or a file that
                cannot be edited safely (nothing is written then).
        """
        intent, text = check_intent_name(intent), clean_text(text)
        path = self.nlu_dir / f"{intent}.yml"
        with self._locked():
            self._load()
            key = normalise(plain_text(text, self._entities))
            duplicate = any(
                normalise(example.plain) == key
                for example in self._examples
                if example.intent == intent
            )
            domain_text = None
            if intent not in self._intents:
                old_domain = self.domain_path.read_text(encoding="utf-8")
                domain_text = with_list_item(old_domain, "intents", intent, "domain.yml")
            if not duplicate:
                self._write(path, ("nlu", "intent", intent, NLU_VERSION), text)
            if domain_text is not None:
                write_atomic(self.domain_path, domain_text)
            self._load()
        return AddResult(path, not duplicate, domain_text is not None)

    def add_sentiment(self, label: str, text: str) -> AddResult:
        """Add a plain text (annotations stripped) to ``data/sentiment/<label>.yml`` unless
        its normalised text is already one of the label's.

        Raises:
            TrainerDataError: a bad label, text or annotation, or a file that cannot be
                edited safely.
        """
        label, text = check_label(label), clean_text(text)
        path = self.sentiment_dir / f"{label}.yml"
        with self._locked():
            self._load()
            plain = plain_text(text, self._entities)
            key = normalise(plain)
            duplicate = any(normalise(known) == key for known in self._sentiment[label])
            if not duplicate:
                self._write(path, ("sentiment", "label", label, SENTIMENT_VERSION), plain)
            self._load()
        return AddResult(path, not duplicate, False)

    def _locked(self) -> contextlib.AbstractContextManager[None]:
        if not self.project_dir.is_dir():
            raise TrainerDataError(f"no project at {self.project_dir}")
        return folder_lock(self.project_dir)

    def _write(self, path: Path, block: tuple[str, str, str, str], text: str) -> None:
        list_key, item_key, name, version = block
        where = self.relative(path)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, new_examples_file(version, list_key, item_key, name, [text]))
            return
        try:
            old = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise TrainerDataError(f"cannot read {where}: {err}") from err
        known = block_texts(read_yaml(path), (list_key, item_key, name), where)
        texts = sort_texts([*known, text])
        write_atomic(path, with_block_examples(old, list_key, item_key, name, texts, where))


def _read_domain(path: Path) -> tuple[list[str], list[str]]:
    if not path.is_file():
        raise TrainerDataError(f"no domain.yml in {path.parent}: is it a Rasa project?")
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise TrainerDataError(f"{path}: expected a mapping at the top")
    return _names(data.get("intents")), _names(data.get("entities"))


def _names(items: Any) -> list[str]:
    """Names of a domain list whose items are names or one-key mappings."""
    names = []
    for item in items or []:
        name = next(iter(item), None) if isinstance(item, dict) else item
        if isinstance(name, str):
            names.append(name)
    return names


def _read_nlu(folder: Path, root: Path) -> list[Example]:
    return [
        Example(intent, text, strip_annotations(text))
        for intent, text in read_blocks(folder, root, ("nlu", "intent"), (".yml", ".yaml"))
    ]


def _read_sentiment(folder: Path, root: Path) -> dict[str, list[str]]:
    """As ``bot.sentiment.data.load_examples`` reads them (.yml files only; a test checks
    that they agree)."""
    texts: dict[str, list[str]] = {label: [] for label in SENTIMENT_LABELS}
    for label, text in read_blocks(folder, root, ("sentiment", "label"), (".yml",)):
        if label not in texts:
            raise TrainerDataError(f"{folder}: unknown sentiment label {label!r}")
        texts[label].append(text)
    return texts
