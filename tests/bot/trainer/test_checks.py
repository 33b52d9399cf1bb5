"""Checks of the NLU data: warnings before adding, and the whole-data report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from bot.trainer.checks import (
    NEAR_DUPLICATE,
    ShingleIndex,
    Warning_,
    check,
    intents_with_rules,
    jaccard,
    sentiment_warnings_for,
    shingles,
    warnings_for,
)
from bot.trainer.errors import TrainerDataError
from bot.trainer.nlu_data import NluData, normalise, strip_annotations

LONG_STOCK_LINE = "这个[碎花连衣裙](product)还有[蓝色](colour)[M](size)码吗"  # in ask_stock.yml


def _kinds(warnings: list[Warning_]) -> list[str]:
    return [w.kind for w in warnings]


def test_a_traditional_line_already_there_is_a_duplicate(project: Path) -> None:
    warnings = warnings_for(NluData(project), "ask_stock", "有貨嗎")
    assert _kinds(warnings) == ["duplicate"]
    assert warnings[0].other_text == "有货吗" and warnings[0].intent == "ask_stock"


def test_the_same_line_under_another_intent_is_a_conflict(project: Path) -> None:
    warnings = warnings_for(NluData(project), "ask_shipping", "有貨嗎")
    assert _kinds(warnings) == ["conflict"]
    conflict = warnings[0]
    assert (conflict.intent, conflict.other_intent, conflict.other_text) == (
        "ask_shipping",
        "ask_stock",
        "有货吗",
    )


def test_a_line_differing_in_punctuation_or_one_character_is_a_near_duplicate(
    project: Path,
) -> None:
    data = NluData(project)
    same_words = warnings_for(data, "ask_size", "这个碎花连衣裙，还有蓝色M码吗？")
    assert _kinds(same_words) == ["near_duplicate"]
    assert same_words[0].similarity == 1.0 and same_words[0].other_text == LONG_STOCK_LINE
    one_more = warnings_for(data, "ask_size", "这个碎花连衣裙还有蓝色M码吗亲")
    assert _kinds(one_more) == ["near_duplicate"]
    assert NEAR_DUPLICATE <= (one_more[0].similarity or 0) < 1
    assert warnings_for(data, "ask_size", "有货么") == []  # short lines must match


def test_a_new_intent_is_new_thin_and_without_a_rule(project: Path) -> None:
    data = NluData(project)
    warnings = warnings_for(data, "ask_warranty", "保修多久")
    assert _kinds(warnings) == ["thin_intent", "new_intent", "no_rule"]
    assert warnings[0].count == 1
    data.add("ask_warranty", "保修多久")
    assert _kinds(warnings_for(data, "ask_warranty", "质保几年")) == ["thin_intent", "no_rule"]
    assert warnings_for(data, "ask_warranty", "质保几年", thin_below=2)[0].kind == "no_rule"


def test_warnings_refuse_bad_input(project: Path) -> None:
    data = NluData(project)
    with pytest.raises(TrainerDataError):
        warnings_for(data, "nlu_fallback", "你好")
    with pytest.raises(TrainerDataError):
        warnings_for(data, "ask_stock", "[蓝色](colour")
    with pytest.raises(TrainerDataError):
        sentiment_warnings_for(data, "furious", "气死了")


def test_sentiment_duplicates_and_conflicts(project: Path) -> None:
    data = NluData(project)
    assert _kinds(sentiment_warnings_for(data, "negative", "你們這什麼破服務啊")) == ["duplicate"]
    conflict = sentiment_warnings_for(data, "positive", "你们这什么破服务啊")
    assert [(w.kind, w.other_intent) for w in conflict] == [("conflict", "negative")]


def test_check_of_the_real_data_is_consistent_and_serialisable(project: Path) -> None:
    data = NluData(project)
    report = check(data)
    assert report.counts == data.counts()
    assert sum(report.counts.values()) == len(data.examples())
    for finding in report.duplicates + report.conflicts:
        plain, other = (
            strip_annotations(finding.text or ""),
            strip_annotations(finding.other_text or ""),
        )
        assert normalise(plain) == normalise(other)
    for finding in report.near_duplicates:
        assert finding.intent != finding.other_intent
        assert (finding.similarity or 0) >= NEAR_DUPLICATE
    served = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    assert served["examples"] == len(data.examples())
    assert served["ok"] is not report.has_errors
    assert set(served) >= {"counts", "duplicates", "conflicts", "near_duplicates", "no_rule"}


def test_check_finds_what_was_added(project: Path) -> None:
    data = NluData(project)
    before = check(data)
    data.add("ask_shipping", "有貨嗎")  # conflict with ask_stock
    data.add("ask_size", "这个碎花连衣裙，还有蓝色M码吗？")  # near-duplicate of ask_stock
    data.add("ask_warranty", "保修多久")  # thin, no rule
    report = check(data)
    assert len(report.conflicts) == len(before.conflicts) + 1
    assert any(
        {w.intent, w.other_intent} == {"ask_shipping", "ask_stock"} for w in report.conflicts
    )
    assert len(report.near_duplicates) == len(before.near_duplicates) + 1
    assert report.near_duplicates[0].similarity == 1.0
    assert [w.intent for w in report.thin_intents] == ["ask_warranty"]
    assert [w.intent for w in report.no_rule] == ["ask_warranty"]
    assert report.new_intents == []  # add() put it in the domain
    assert report.has_errors


def test_check_reports_duplicates_intents_missing_from_domain_and_rules(project: Path) -> None:
    nlu = project / "data" / "nlu"
    (nlu / "extra.yml").write_text(
        'version: "3.1"\nnlu:\n  - intent: thank\n    examples: |\n      - 谢谢\n'
        "  - intent: ask_warranty\n    examples: |\n      - 保修多久\n",
        encoding="utf-8",
    )
    rules_file = project / "data" / "stories" / "rules.yml"
    rules = yaml.safe_load(rules_file.read_text(encoding="utf-8"))
    rules["rules"] = [r for r in rules["rules"] if r["steps"][0].get("intent") != "goodbye"]
    rules_file.write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    report = check(NluData(project), thin_below=3)
    assert any(w.intent == "thank" and w.text == w.other_text == "谢谢" for w in report.duplicates)
    assert [w.intent for w in report.new_intents] == ["ask_warranty"]
    assert [w.intent for w in report.no_rule] == ["ask_warranty", "goodbye"]
    assert [(w.intent, w.count) for w in report.thin_intents] == [("ask_warranty", 1)]


def test_rules_with_or_steps_count(tmp_path: Path) -> None:
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "s.yml").write_text(
        "stories:\n  - story: s\n    steps:\n      - or:\n          - intent: a\n"
        "          - intent: b\n      - action: x\n",
        encoding="utf-8",
    )
    assert intents_with_rules(tmp_path) == {"a", "b"}
    assert intents_with_rules(tmp_path / "missing") == set()


def test_the_index_finds_exactly_what_comparing_every_pair_finds(project: Path) -> None:
    keys = sorted({normalise(e.plain) for e in NluData(project).examples()})
    grams = [shingles(key) for key in keys]
    index = ShingleIndex(grams)
    for position in range(0, len(keys), 7):
        found = dict(index.similar(grams[position], 0.5))
        brute = {i: jaccard(grams[position], g) for i, g in enumerate(grams)}
        assert found == {i: s for i, s in brute.items() if s >= 0.5}


def test_similarity_measure() -> None:
    assert shingles("有货吗?") == shingles("有货 吗") == frozenset({"有货", "货吗"})
    assert shingles("对") == frozenset({"对"})
    assert jaccard(shingles("有货吗"), shingles("有货么")) == pytest.approx(1 / 3)
    assert jaccard(shingles("这件还有吗"), shingles("这件还有吗亲")) == pytest.approx(0.8)
