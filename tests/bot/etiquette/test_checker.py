"""The etiquette checker: what breaks each rule, what must not, and the one-click fix."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest
import yaml

from bot.errors import EtiquetteRulesError, ShopAssistantError
from bot.etiquette import (
    DEFAULT_RULES_PATH,
    EtiquetteChecker,
    RuleKind,
    Violation,
    load_rules,
    parse_rules,
)


@pytest.fixture(scope="module")
def checker() -> EtiquetteChecker:
    return EtiquetteChecker.default()


def rule_ids(checker: EtiquetteChecker, text: str, *, first_reply: bool = False) -> list[str]:
    return [v.rule_id for v in checker.check(text, first_reply=first_reply)]


# (rule, text that breaks it)
BREAKING = [
    ("E1", "你要哪个颜色？"),
    ("E1", "你好，请问有什么可以帮你？"),
    ("E1", "你们可以先下单"),
    ("E1", "你們可以先下單"),  # Traditional script is read as Simplified
    ("E4", "嗯"),
    ("E4", "哦。"),
    ("E4", "哈哈哈~"),
    ("E4", "😊😊"),
    ("E4", "[微笑]"),
    ("E5", "没有这款了。"),
    ("E5", "不行"),
    ("E5", "亲，没有了"),
    ("E5", "不知道。"),
    ("E5", "这个不能退"),
    ("E5", "没货"),
    ("E5", "{product}没货了"),
    ("E5", "親，沒有這款了。"),
    ("E6", "你必须先付款"),
    ("E6", "您必须先付款"),
    ("E6", "你应该先看详情页"),
    ("E6", "你怎么老是问这个"),
    ("E6", "你没看清楚"),
    ("E6", "自己看详情页吧"),
    ("E6", "这是常识，纯棉会缩水"),
    ("E6", "听不懂吗？"),
    ("E6", "我都说了多少遍了"),
    ("E6", "您到底要不要"),
    ("E7", "保证明天一定到！"),
    ("E7", "我们一定会给您处理"),
    ("E7", "绝对正品"),
    ("E7", "百分之百满意"),
    ("E7", "肯定没问题"),
    ("E7", "今天下单明天马上到"),
    ("E7", "退款立刻到账"),
    ("E8", "这个码肯定合适"),
    ("E8", "绝对合适"),
    ("E8", "M码绝对不会小"),
    ("E8", "闭眼入就行"),
    ("E11", "这不是我们的问题。"),
    ("E11", "不关我们的事"),
    ("E11", "跟我们没关系"),
    ("E11", "这是您自己的问题"),
    ("E14", "不能便宜，爱买不买"),
    ("E14", "嫌贵别买"),
    ("E14", "一分都不能少"),
    ("E15", "欢迎下次在来"),
    ("E15", "以经为您发货了"),
    ("E16", "这有什么好生气的"),
    ("E16", "至于吗"),
    ("E16", "你想多了"),
]

# (rule, text that comes close to breaking it but must pass every rule)
NEAR_MISSES = [
    ("E1", "迷你裙现在有货哦"),
    ("E1", "亲，欢迎光临"),
    ("E4", "好的，已经为您备注了～😊"),
    ("E4", "嗯嗯，已经为您登记了"),
    ("E4", "{product}"),
    ("E5", "没问题，已经为您备注了。"),
    ("E5", "不知道您平时穿什么码呢？"),
    ("E5", "没有收到货吗？"),
    ("E5", "不可机洗"),
    ("E5", "不可以机洗哦"),
    ("E5", "没有运费险的订单，寄回运费需要您承担"),
    ("E5", "不能和新人券叠加使用，但可以和满减一起用"),
    ("E5", "抱歉，暂时没有查到订单{order_id}，麻烦您核对一下订单号。"),
    ("E5", "由于需求量大，这款暂时缺货，可以为您登记到货提醒"),
    ("E6", "您可以自己看一下尺码表哦"),
    ("E6", "您应该已经收到短信了"),
    ("E6", "洗护小常识：羊毛要冷水洗"),
    ("E7", "一定要冷水手洗哦"),
    ("E7", "感谢您的肯定和支持"),
    ("E7", "面料是百分之百纯棉"),
    ("E7", "我马上为您查询"),
    ("E7", "保证48小时内发货"),
    ("E7", "不一定哦，要看您的身高"),
    ("E8", "根据您的身高体重，建议您选L码，仅供参考。"),
    ("E8", "这款版型很合适春秋穿"),
    ("E11", "这不是您的问题，是我们的疏忽，非常抱歉。"),
    ("E11", "有问题随时和我们联系"),
    ("E14", "实在抱歉，目前的价格已经是最大优惠了"),
    ("E14", "满199元可以便宜20元哦"),
    ("E15", "现在来看看新款吧"),
    ("E16", "至于尺码，建议您参考尺码表"),
    ("E16", "非常理解您的心情"),
]

# Ordinary polite shop wording that must never be flagged.
CLEAN_SHOP_TEXTS = [
    "您好,我是悦衣小铺的客服小悦,很高兴为您服务。",
    "建议冷水手洗,不可漂白,反面晾干",
    "由于需求量大,这款暂时缺货,可以为您登记到货提醒",
    "一般下单后48小时内发货,具体以物流为准",
    "实在抱歉,目前的价格已经是最大优惠了",
    "贴身内衣和定制商品不支持七天无理由",
    "请问还有其他可以帮您的吗?",
    "{product}有货,还剩{count}件哦",
    "建议干洗,不可机洗,挂起存放",
    "请问还有其他可以帮您的吗？感谢您的支持，祝您生活愉快！",
]


@pytest.mark.parametrize(("rule_id", "text"), BREAKING)
def test_text_breaking_a_rule_is_flagged(checker: EtiquetteChecker, rule_id: str, text: str):
    assert rule_id in rule_ids(checker, text)


@pytest.mark.parametrize(("rule_id", "text"), NEAR_MISSES)
def test_near_miss_is_not_flagged(checker: EtiquetteChecker, rule_id: str, text: str):
    assert checker.check(text) == [], f"{rule_id} near miss flagged"


@pytest.mark.parametrize("text", CLEAN_SHOP_TEXTS)
def test_polite_shop_text_is_clean_and_left_alone(checker: EtiquetteChecker, text: str):
    assert checker.check(text) == []
    assert checker.suggest_fix(text) == text


def test_every_rule_has_a_breaking_text_and_a_near_miss(checker: EtiquetteChecker):
    ids = {rule.id for rule in checker.rules}
    assert {"E1", "E2", "E4", "E5", "E6", "E7", "E8", "E11", "E14", "E16"} <= ids
    ids.discard("E2")  # first-reply behaviour has its own tests below
    assert ids <= {rule_id for rule_id, _ in BREAKING}
    assert ids <= {rule_id for rule_id, _ in NEAR_MISSES}


def test_blank_text_has_nothing_to_flag(checker: EtiquetteChecker):
    assert checker.check("") == []
    assert checker.check("  \n") == []
    assert checker.suggest_fix("") == ""


# --- E2: the first reply greets and introduces ---


def test_first_reply_must_greet_and_introduce(checker: EtiquetteChecker):
    assert rule_ids(checker, "有货。", first_reply=True) == ["E2"]
    assert rule_ids(checker, "您好，请问有什么可以帮您？", first_reply=True) == ["E2"]
    assert rule_ids(checker, "我是客服小悦。", first_reply=True) == ["E2"]


def test_first_reply_rule_only_applies_to_the_first_reply(checker: EtiquetteChecker):
    assert checker.check("有货。") == []


@pytest.mark.parametrize(
    "greeting",
    [
        "您好,我是悦衣小铺的客服小悦,很高兴为您服务。",
        "您好，我是{shop_name}的智能客服{assistant_name}，很高兴为您服务！",
        "亲，欢迎光临！我是客服008，请问有什么可以帮您？",
    ],
)
def test_greeting_with_introduction_passes_as_first_reply(checker: EtiquetteChecker, greeting):
    assert checker.check(greeting, first_reply=True) == []


def test_first_reply_violation_points_at_the_opening_and_gives_advice(checker):
    (violation,) = checker.check("有货。还剩3件", first_reply=True)
    assert violation.excerpt == "有货"
    assert violation.span == (0, 2)
    assert "您好" in violation.suggestion


# --- violations ---


def test_violation_names_the_offending_words_and_suggests_a_full_rewrite(checker):
    text = "亲，你要哪个颜色？"
    (violation,) = checker.check(text)
    assert violation.rule_id == "E1"
    assert violation.excerpt == "你"
    assert text[slice(*violation.span)] == violation.excerpt
    assert violation.message
    assert violation.suggestion == "亲，您要哪个颜色？"


def test_violation_without_mechanical_rewrite_gives_advice(checker: EtiquetteChecker):
    (violation,) = checker.check("听不懂吗？")
    assert violation.rule_id == "E6"
    assert violation.suggestion != "听不懂吗？"
    assert "建议" in violation.suggestion


def test_violations_come_in_text_order(checker: EtiquetteChecker):
    found = checker.check("不能便宜，爱买不买。你想多了")
    assert [(v.rule_id, v.excerpt) for v in found] == [
        ("E5", "不能便宜，爱买不买"),
        ("E14", "不能便宜"),
        ("E14", "爱买不买"),
        ("E1", "你"),
        ("E16", "你想多了"),
    ]


def test_violation_is_frozen(checker: EtiquetteChecker):
    (violation,) = checker.check("你好")
    assert isinstance(violation, Violation)
    with pytest.raises(dataclasses.FrozenInstanceError):
        violation.rule_id = "E2"  # type: ignore[misc]


def test_traditional_text_keeps_its_script_in_excerpt_and_fix(checker: EtiquetteChecker):
    text = "親，沒有這款了。"
    (violation,) = checker.check(text)
    assert (violation.rule_id, violation.excerpt) == ("E5", "親，沒有這款了")
    fixed = checker.suggest_fix(text)
    assert fixed == "親，這款暫時缺貨，可以爲您登記到貨提醒，或者看看相似的款式。"


# --- suggest_fix ---


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("你要哪个颜色？", "您要哪个颜色？"),
        ("你好，{product}有货", "您好，{product}有货"),
        ("你必须先付款", "建议您先付款"),
        ("没有这款了。", "这款暂时缺货，可以为您登记到货提醒，或者看看相似的款式。"),
        ("不知道", "这个问题我帮您核实一下，请您稍等"),
        ("我们一定会给您处理", "我们会尽快给您处理"),
        ("保证明天一定到！", "尽量明天会尽快到！"),
        ("这个码肯定合适", "这个码应该比较合适，仅供参考"),
        ("不能便宜，爱买不买", "实在抱歉，目前的价格已经是最大优惠了，感谢您的理解和支持"),
        ("这不是我们的问题。", "非常理解您的心情，给您添麻烦了，我们一起来看看问题出在哪里。"),
        ("这有什么好生气的", "非常理解您的心情"),
        ("欢迎下次在来", "欢迎下次再来"),
        ("嗯", "好的"),
        ("迷你裙你要哪个颜色", "迷你裙您要哪个颜色"),
    ],
)
def test_suggest_fix_rewrites_to_a_clean_text(checker: EtiquetteChecker, text: str, fixed: str):
    assert checker.suggest_fix(text) == fixed
    assert checker.check(fixed) == []


@pytest.mark.parametrize("text", [text for _, text in BREAKING])
def test_suggest_fix_never_makes_a_text_worse(checker: EtiquetteChecker, text: str):
    before = rule_ids(checker, text)
    after = rule_ids(checker, checker.suggest_fix(text))
    assert len(after) <= len(before)
    assert all(after.count(rule_id) <= before.count(rule_id) for rule_id in after)


def test_suggest_fix_leaves_template_placeholders_intact(checker: EtiquetteChecker):
    fixed = checker.suggest_fix("你的{product}我们保证{days}天内发货，你放心")
    assert fixed == "您的{product}我们保证{days}天内发货，您放心"


def test_long_and_repetitive_texts_are_checked_quickly(checker: EtiquetteChecker):
    texts = ["亲，" * 2000 + "没有", "{product}" * 1000, "这个" * 2000 + "不行", "哈" * 5000]
    started = time.perf_counter()
    for text in texts:
        checker.check(text)
        checker.suggest_fix(text)
    assert time.perf_counter() - started < 5


# --- the rules file ---


def test_packaged_rules_load_with_messages_and_advice():
    rules = load_rules()
    assert rules == load_rules(DEFAULT_RULES_PATH)
    for rule in rules:
        assert rule.message and rule.advice and rule.name
    kinds = {rule.id: rule.kind for rule in rules}
    assert kinds["E2"] is RuleKind.FIRST_REPLY
    assert kinds["E4"] is RuleKind.WHOLE_REPLY
    assert kinds["E5"] is RuleKind.SENTENCE_START


def _minimal_rule(**changes: object) -> dict[str, object]:
    rule: dict[str, object] = {
        "id": "E1",
        "name": "称呼",
        "kind": "phrase",
        "message": "请用您。",
        "patterns": ["你"],
        "rewrite": {"replace": [{"find": "你", "with": "您"}], "advice": "用您。"},
    }
    rule.update(changes)
    return rule


def test_checker_can_be_built_from_custom_rules():
    custom = EtiquetteChecker(parse_rules({"version": 1, "rules": [_minimal_rule()]}))
    assert [v.rule_id for v in custom.check("你好")] == ["E1"]
    assert custom.suggest_fix("你好") == "您好"


def _rewrite(*replace: dict[str, str]) -> dict[str, object]:
    return {"advice": "用您。", "replace": list(replace)}


@pytest.mark.parametrize(
    "document",
    [
        None,
        [],
        {"rules": [_minimal_rule()]},
        {"version": 2, "rules": [_minimal_rule()]},
        {"version": 1, "rules": []},
        {"version": 1, "rules": ["E1"]},
        {"version": 1, "rules": [_minimal_rule(id="X1")]},
        {"version": 1, "rules": [_minimal_rule(), _minimal_rule()]},
        {"version": 1, "rules": [_minimal_rule(kind="keyword")]},
        {"version": 1, "rules": [_minimal_rule(message="")]},
        {"version": 1, "rules": [_minimal_rule(patterns=[])]},
        {"version": 1, "rules": [_minimal_rule(patterns=["你("])]},
        {"version": 1, "rules": [_minimal_rule(patterns=["你?"])]},
        {"version": 1, "rules": [_minimal_rule(allow="迷你")]},
        {"version": 1, "rules": [_minimal_rule(pattern=["你"])]},
        {"version": 1, "rules": [_minimal_rule(kind="first_reply")]},
        {"version": 1, "rules": [_minimal_rule(require=["您好"])]},
        {"version": 1, "rules": [_minimal_rule(lead_in="亲")]},
        {"version": 1, "rules": [_minimal_rule(rewrite={"replace": []})]},
        {"version": 1, "rules": [_minimal_rule(rewrite=_rewrite({"find": "你"}))]},
        {"version": 1, "rules": [_minimal_rule(rewrite=_rewrite({"find": "你", "with": r"\1"}))]},
    ],
)
def test_malformed_rules_file_raises(tmp_path: Path, document: object):
    path = tmp_path / "rules.yml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    with pytest.raises(EtiquetteRulesError):
        EtiquetteChecker.from_file(path)


def test_unreadable_rules_file_raises(tmp_path: Path):
    broken = tmp_path / "broken.yml"
    broken.write_text("rules: [unclosed\n", encoding="utf-8")
    for path in (broken, tmp_path / "missing.yml"):
        with pytest.raises(EtiquetteRulesError) as raised:
            load_rules(path)
        assert isinstance(raised.value, ShopAssistantError)
        assert str(path) in str(raised.value)
