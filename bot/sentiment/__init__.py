"""Chat sentiment: cue lexicon, labelled data and a small trainable classifier (no Rasa here).

``bot.nlu.sentiment`` wraps it as a Rasa graph component; benchmarks and tests use it
directly.
"""

from bot.sentiment.data import LABELS, LabelledText, load_examples
from bot.sentiment.model import SentimentModel, SentimentResult

__all__ = ["LABELS", "LabelledText", "SentimentModel", "SentimentResult", "load_examples"]
