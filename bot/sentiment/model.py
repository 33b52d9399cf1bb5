"""A small chat-sentiment classifier: character n-grams plus cue counts, logistic regression.

Review corpora make poor teachers for chat (a review-trained model calls most plain
questions negative), so the model learns only from the project's chat-style examples.
Prediction takes well under a millisecond; the model pickles into a Rasa model's storage.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bot.sentiment.cues import CueLexicon, default_lexicon, normalise
from bot.sentiment.data import LabelledText

NEUTRAL = "neutral"
SEED = 20261123


@dataclass(frozen=True)
class SentimentResult:
    """How a message feels: the label, the model's confidence in it, and the cue kinds seen."""

    label: str
    confidence: float
    cues: tuple[str, ...] = ()
    negative_probability: float = 0.0

    def as_parse_data(self) -> dict[str, object]:
        """The ``sentiment`` object of a parse result (the interface DESIGN.md fixes)."""
        return {"label": self.label, "confidence": round(self.confidence, 4)}


class SentimentModel:
    """Character 1–3-grams (TF-IDF) and log-scaled cue counts into multinomial regression."""

    def __init__(
        self,
        vectorizer: TfidfVectorizer,
        classifier: LogisticRegression,
        lexicon: CueLexicon,
    ) -> None:
        self._vectorizer = vectorizer
        self._classifier = classifier
        self._lexicon = lexicon
        self._classes = tuple(str(c) for c in classifier.classes_)
        self._fast: _FastScorer | None = None

    @classmethod
    def fit(
        cls,
        examples: Sequence[LabelledText],
        lexicon: CueLexicon | None = None,
        regularisation: float = 4.0,
    ) -> SentimentModel:
        """Train on labelled examples (seconds for a few thousand)."""
        lexicon = lexicon or default_lexicon()
        texts = [normalise(e.text) for e in examples]
        vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
        ngrams = vectorizer.fit_transform(texts)
        features = sparse.hstack([ngrams, _cue_matrix(lexicon, texts)]).tocsr()
        classifier = LogisticRegression(
            C=regularisation, class_weight="balanced", max_iter=2000, random_state=SEED
        )
        classifier.fit(features, [e.label for e in examples])
        return cls(vectorizer, classifier, lexicon)

    def __getstate__(self) -> dict[str, object]:
        # The scorer is derived from the fitted parts; it is rebuilt after unpickling.
        return {**self.__dict__, "_fast": None}

    def predict_with_sklearn(self, text: str) -> list[float]:
        """Class probabilities through scikit-learn's own pipeline (the fast path's reference)."""
        normalised = normalise(text)
        features = sparse.hstack(
            [self._vectorizer.transform([normalised]), _cue_matrix(self._lexicon, [normalised])]
        ).tocsr()
        return [float(p) for p in self._classifier.predict_proba(features)[0]]

    @property
    def classes(self) -> tuple[str, ...]:
        """The labels, in the order of the probabilities."""
        return self._classes

    def predict(self, text: str) -> SentimentResult:
        """Label one message; empty or symbol-only text is neutral unless cues say otherwise."""
        normalised = normalise(text or "")
        if not normalised:
            return SentimentResult(NEUTRAL, 1.0)
        if self._fast is None:
            self._fast = _FastScorer(self._vectorizer, self._classifier)
        cues = [math.log1p(n) for n in self._lexicon.counts(normalised).values()]
        probabilities = self._fast.probabilities(normalised, cues)
        best = int(np.argmax(probabilities))
        negative = probabilities[self._classes.index("negative")]
        return SentimentResult(
            label=self._classes[best],
            confidence=float(probabilities[best]),
            cues=self._lexicon.kinds_in(normalised),
            negative_probability=float(negative),
        )


def _cue_matrix(lexicon: CueLexicon, normalised_texts: Sequence[str]) -> sparse.csr_matrix:
    # log1p keeps "!!!!!!" from outweighing everything else the message says.
    rows = [[math.log1p(n) for n in lexicon.counts(text).values()] for text in normalised_texts]
    return sparse.csr_matrix(np.asarray(rows, dtype=np.float64))


class _FastScorer:
    """The fitted vectorizer and regression as plain lookups and a dot product.

    scikit-learn's transform/predict_proba cost about 2 ms per single message in call
    overhead; the same arithmetic on one message's few n-grams takes microseconds.
    """

    def __init__(self, vectorizer: TfidfVectorizer, classifier: LogisticRegression) -> None:
        self._analyse = vectorizer.build_analyzer()
        self._vocabulary: dict[str, int] = vectorizer.vocabulary_
        self._idf = vectorizer.idf_
        self._sublinear = vectorizer.sublinear_tf
        self._ngram_count = len(self._idf)
        self._coef = classifier.coef_
        self._intercept = classifier.intercept_

    def probabilities(self, normalised: str, cues: list[float]) -> np.ndarray:
        counts: dict[int, int] = {}
        for gram in self._analyse(normalised):
            index = self._vocabulary.get(gram)
            if index is not None:
                counts[index] = counts.get(index, 0) + 1
        indices = np.fromiter(counts, dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        if self._sublinear:
            tf = 1.0 + np.log(tf)
        weights = tf * self._idf[indices]
        norm = float(np.sqrt(weights @ weights))
        if norm:
            weights /= norm
        scores = self._coef[:, indices] @ weights + self._intercept
        scores += self._coef[:, self._ngram_count :] @ np.asarray(cues)
        exp = np.exp(scores - scores.max())
        return exp / exp.sum()
