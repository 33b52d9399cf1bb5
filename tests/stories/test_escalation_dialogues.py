"""Escalation triggers and non-triggers with the trained model's real NLU and sentiment.

Each dialogue is the buyer's words; the expected action is what the policy ensemble
(EscalationPolicy over RulePolicy) predicts for each line. See tests/support/dialogue.py
for why `rasa test core` cannot check these.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from rasa.core.agent import Agent

from tests.support.dialogue import Dialogue, load_agent

HANDOFF = "action_handoff"
_ids = itertools.count()


@pytest.fixture(scope="module")
def agent(trained_model: Path) -> Agent:
    return load_agent(trained_model)


async def expect(agent: Agent, turns: list[tuple[str, str]]) -> list[dict]:
    dialogue = Dialogue(agent, f"dialogue-{next(_ids)}")
    parses = []
    for text, expected in turns:
        action, parse = await dialogue.say(text)
        assert action == expected, (text, action, parse.get("sentiment"), parse["intent"])
        parses.append(parse)
    return parses


@pytest.mark.parametrize(
    "text",
    [
        "你们这什么垃圾店，骗子！！！",  # insult
        "还不发货我就给差评了，什么时候发",  # a threat inside an answerable question
        "我要投诉你们",  # threat
        "我的快递怎么还没到？？？都一个礼拜了！！！",  # strongly negative, urging, anger marks
        "转人工",  # asked for
    ],
)
async def test_one_message_that_goes_to_a_human(agent, text) -> None:
    await expect(agent, [(text, HANDOFF)])


async def test_mild_annoyance_in_an_answerable_question_is_answered(agent) -> None:
    [parse] = await expect(agent, [("有点慢啊，什么时候发货", "action_answer_shipping")])
    # Negative: the action names the feeling first (E16) instead of handing over.
    assert parse["sentiment"]["label"] == "negative"


async def test_frustration_builds_up_over_turns(agent) -> None:
    await expect(
        agent,
        [("怎么还没发货啊", "action_answer_shipping"), ("都等了好几天了，真的很着急", HANDOFF)],
    )


async def test_the_same_question_a_third_time(agent) -> None:
    ask = "什么时候发货"
    answer = "action_answer_shipping"
    await expect(agent, [(ask, answer), (ask, answer), (ask, HANDOFF)])


async def test_calm_conversations_never_escalate(agent) -> None:
    parses = await expect(
        agent,
        [
            ("你好", "action_small_talk"),
            ("这件碎花连衣裙有M码吗", "action_answer_stock"),
            ("亲，这个卫衣会不会起球呀", "action_answer_material"),
            ("不用了，谢谢", "action_handle_deny"),
        ],
    )
    assert all(p["sentiment"]["label"] != "negative" for p in parses)
