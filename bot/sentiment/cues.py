"""Cue words and marks of chat sentiment: negation, intensifiers, insults, threats, urging …

The lexicon lives in ``cues.yml``. Matching is on text that is Simplified and half-width,
so "！！！" and "!!!" are the same cue.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from bot.text.chinese_script import is_traditional, to_simplified

CUES_PATH = Path(__file__).with_name("cues.yml")
ANGER_PUNCTUATION = "anger_punctuation"
_ANGER_MARKS = re.compile(r"[!?]{2,}")


def normalise(text: str) -> str:
    """Simplified script, half-width forms and lower case: the one form the model reads."""
    simplified = to_simplified(text) if is_traditional(text) else text
    return unicodedata.normalize("NFKC", simplified).lower().strip()


@dataclass(frozen=True)
class CueLexicon:
    """Cue words by kind (kinds keep the order of the file)."""

    words: dict[str, tuple[str, ...]]

    @property
    def kinds(self) -> tuple[str, ...]:
        """Every kind of cue, the punctuation cue last."""
        return (*self.words, ANGER_PUNCTUATION)

    def counts(self, normalised_text: str) -> dict[str, int]:
        """How often each kind occurs in already normalised text."""
        found = {kind: sum(normalised_text.count(w) for w in ws) for kind, ws in self.words.items()}
        found[ANGER_PUNCTUATION] = len(_ANGER_MARKS.findall(normalised_text))
        return found

    def kinds_in(self, normalised_text: str) -> tuple[str, ...]:
        """The kinds that occur at least once, in lexicon order."""
        return tuple(kind for kind, n in self.counts(normalised_text).items() if n)


@cache
def default_lexicon() -> CueLexicon:
    """The lexicon of ``cues.yml`` (read once)."""
    return load_lexicon(CUES_PATH)


def load_lexicon(path: Path) -> CueLexicon:
    """Read a cue lexicon: a mapping of kind to a list of words."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    words = {
        str(kind): tuple(unicodedata.normalize("NFKC", str(w)).lower() for w in ws)
        for kind, ws in raw.items()
    }
    return CueLexicon(words)
