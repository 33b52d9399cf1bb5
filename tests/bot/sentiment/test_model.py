"""The sentiment model, its cue lexicon and its data files."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from bot.sentiment import LabelledText, SentimentModel, load_examples
from bot.sentiment.cues import default_lexicon, normalise
from bot.sentiment.data import SentimentDataError
from bot.settings import PROJECT_ROOT

DATA = PROJECT_ROOT / "data" / "sentiment"


@pytest.fixture(scope="module")
def model() -> SentimentModel:
    return SentimentModel.fit(load_examples(DATA))


def test_cues_read_full_width_and_traditional_alike() -> None:
    lexicon = default_lexicon()
    assert normalise("氣死了！！") == "气死了!!"
    assert lexicon.kinds_in(normalise("我要投訴！！！")) == ("threat", "anger_punctuation")
    assert "sarcasm" not in lexicon.kinds_in(normalise("拒绝了"))


def test_plain_questions_and_thanks_are_not_negative(model) -> None:
    for text in ("在吗", "这件有M码吗", "谢谢亲", "不用了", "还没付款可以改地址吗", "轉人工"):
        assert model.predict(text).label != "negative", text


def test_anger_is_negative_with_its_cues(model) -> None:
    result = model.predict("你们这什么破店，骗子！！！我要投诉")
    assert result.label == "negative"
    assert result.confidence > 0.9
    assert {"insult", "threat", "anger_punctuation"} <= set(result.cues)


def test_empty_and_symbol_only_text(model) -> None:
    assert model.predict("").label == "neutral"
    assert model.predict("   ").confidence == 1.0
    assert model.predict("😀👍").label in {"neutral", "positive"}


def test_fast_path_equals_scikit_learn(model) -> None:
    for example in load_examples(PROJECT_ROOT / "tests" / "nlu" / "sentiment_holdout.yml"):
        fast = model.predict(example.text)
        reference = model.predict_with_sklearn(example.text)
        assert fast.confidence == pytest.approx(max(reference), abs=1e-9)
        assert fast.label == model.classes[reference.index(max(reference))]


def test_model_survives_pickling(model) -> None:
    restored = pickle.loads(pickle.dumps(model))
    assert restored.predict("气死了！！！") == model.predict("气死了！！！")


def test_bad_data_files_are_refused(tmp_path: Path) -> None:
    bad_label = tmp_path / "a.yml"
    bad_label.write_text('sentiment:\n  - label: angry\n    examples: "- 哼"\n', encoding="utf-8")
    with pytest.raises(SentimentDataError, match="label"):
        load_examples(bad_label)
    bad_line = tmp_path / "b.yml"
    bad_line.write_text("sentiment:\n  - label: negative\n    examples: |\n      哼\n", "utf-8")
    with pytest.raises(SentimentDataError, match="bad example"):
        load_examples(bad_line)
    with pytest.raises(SentimentDataError):
        load_examples(tmp_path / "missing")


def test_training_data_has_every_label_and_no_duplicates() -> None:
    examples = load_examples(DATA)
    assert {e.label for e in examples} == {"negative", "neutral", "positive"}
    texts = [e.text for e in examples]
    assert len(texts) == len(set(texts))
    assert all(isinstance(e, LabelledText) and e.text for e in examples)
