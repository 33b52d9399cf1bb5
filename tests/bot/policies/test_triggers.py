"""Every escalation trigger fires when it should, and not when it should not."""

from __future__ import annotations

import pytest

from bot.policies.triggers import Thresholds, Turn, escalation_reason, frustration

T = Thresholds()


def neg(confidence: float, intent: str = "complain", cues: frozenset[str] = frozenset()) -> Turn:
    return Turn(intent, "negative", confidence, cues)


def calm(intent: str = "ask_stock", entities: tuple = ()) -> Turn:
    return Turn(intent, "neutral", 0.9, frozenset(), entities)


def test_request_human() -> None:
    assert escalation_reason([calm("request_human")], T) == "request_human"


def test_threat_words_escalate_even_in_a_calm_question() -> None:
    assert escalation_reason([Turn("ask_return", cues=frozenset({"threat"}))], T) == "threat"


def test_complain_intent() -> None:
    assert escalation_reason([calm("complain")], T) == "complaint"


def test_complaint_words_need_a_negative_message() -> None:
    words = frozenset({"complaint"})
    assert escalation_reason([neg(0.8, "ask_return", words)], T) == "complaint"
    assert escalation_reason([Turn("ask_return", "neutral", 0.9, words)], T) is None


def test_strongly_negative_unanswerable_message() -> None:
    assert escalation_reason([neg(0.95, "nlu_fallback")], T) == "strong_negative"


def test_mildly_negative_answerable_question_is_answered() -> None:
    # "有点慢啊，什么时候发货": negative, but a question the bot can answer (E16).
    assert escalation_reason([neg(0.92, "ask_shipping", frozenset({"downtoner"}))], T) is None


def test_answerable_question_asked_in_anger_escalates() -> None:
    cues = frozenset({"urging", "anger_punctuation"})
    assert escalation_reason([neg(0.97, "ask_shipping", cues)], T) == "strong_negative"


def test_insult_escalates_an_answerable_question() -> None:
    assert escalation_reason([neg(0.9, "ask_shipping", frozenset({"insult"}))], T) == (
        "strong_negative"
    )


def test_weakly_negative_unanswerable_message_alone_does_not_escalate() -> None:
    assert escalation_reason([neg(0.6, "nlu_fallback")], T) is None


def test_frustration_accumulates_over_turns() -> None:
    turns = [neg(0.8, "ask_shipping"), neg(0.8, "ask_shipping")]
    assert frustration(turns, T) == pytest.approx(0.8 + 0.8 * 0.8)
    assert escalation_reason(turns, T) is None  # 1.44 < 1.5
    assert escalation_reason([*turns, neg(0.8, "ask_shipping")], T) == "frustration"


def test_frustration_needs_the_latest_message_to_be_negative() -> None:
    turns = [neg(0.8, "ask_shipping"), neg(0.8, "ask_shipping"), calm("thank")]
    assert escalation_reason(turns, T) is None


def test_old_negativity_fades() -> None:
    turns = [neg(0.8, "ask_size"), *[calm("ask_size", (("n", str(i)),)) for i in range(5)]]
    assert escalation_reason([*turns, neg(0.8, "ask_size")], T) is None


def test_two_fallbacks_in_a_row() -> None:
    first = Turn("nlu_fallback", answered_by="action_clarify")
    assert escalation_reason([first], T) is None
    assert escalation_reason([first, Turn("out_of_scope")], T) == "repeated_fallback"


def test_core_fallback_counts_as_a_fallback() -> None:
    turns = [Turn("ask_size", answered_by="action_clarify"), Turn("nlu_fallback")]
    assert escalation_reason(turns, T) == "repeated_fallback"


def test_fallbacks_not_in_a_row_do_not_escalate() -> None:
    turns = [Turn("nlu_fallback", answered_by="action_clarify"), calm(), Turn("nlu_fallback")]
    assert escalation_reason(turns, T) is None


def test_same_question_a_third_time() -> None:
    question = calm("ask_shipping", (("order_id", "A1001"),))
    assert escalation_reason([question, question], T) is None
    assert escalation_reason([question, calm("thank"), question, question], T) == (
        "repeated_question"
    )


def test_different_entities_are_different_questions() -> None:
    turns = [calm("ask_stock", (("product", p),)) for p in ("连衣裙", "卫衣", "T恤")]
    assert escalation_reason(turns, T) is None


def test_small_talk_repeated_is_not_a_question() -> None:
    assert escalation_reason([calm("greet")] * 3, T) is None


def test_plain_conversation_never_escalates() -> None:
    assert escalation_reason([calm("greet"), calm("ask_size"), calm("thank")], T) is None
    assert escalation_reason([], T) is None


def test_thresholds_come_from_config() -> None:
    config = {"strong_negative_confidence": "0.5", "repeats": 2, "threat_cues": ["insult"]}
    thresholds = Thresholds.from_config(config)
    assert thresholds.strong_negative_confidence == 0.5
    assert thresholds.repeats == 2
    assert thresholds.threat_cues == frozenset({"insult"})
    assert escalation_reason([neg(0.6, "nlu_fallback")], thresholds) == "strong_negative"
