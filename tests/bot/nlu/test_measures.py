"""Measures, sizes and order ids from buyers' messages (bot.nlu.measures)."""

from __future__ import annotations

import time
from itertools import pairwise

import pytest

from bot.nlu.entity_match import EntityMatch
from bot.nlu.measures import extract_measures


def found(text: str) -> list[tuple[str, str]]:
    return [(match.entity, match.value) for match in extract_measures(text)]


HEIGHTS = [
    ("身高165", "165"),
    ("165cm", "165"),
    ("165CM", "165"),
    ("165 cm", "165"),
    ("165厘米", "165"),
    ("一米六五", "165"),
    ("1米65", "165"),
    ("1米6", "160"),
    ("1.65米", "165"),
    ("1.65m", "165"),
    ("一米七", "170"),
    ("一米五八", "158"),
    ("一米零五", "105"),
    ("160左右的个子", "160"),
    ("165的身高穿M吗", "165"),
    ("身高一百六十五", "165"),
    ("身高：165cm", "165"),
    ("身高是1.65", "165"),
    ("身高1米6", "160"),
    ("个子158", "158"),
    ("孩子身高105", "105"),
    ("105公分", "105"),
    ("娃6岁 120高", "120"),
]


@pytest.mark.parametrize(("text", "value"), HEIGHTS)
def test_height(text: str, value: str) -> None:
    assert ("height", value) in found(text)
    assert [entity for entity, _ in found(text)].count("height") == 1


WEIGHTS = [
    ("110斤", "55"),
    ("一百二十斤", "60"),
    ("60kg", "60"),
    ("60公斤", "60"),
    ("60KG", "60"),
    ("60千克", "60"),
    ("52.5kg", "52.5"),
    ("体重55", "55"),
    ("体重110", "55"),  # a bare 体重 number over 90 is in 斤
    ("体重50", "50"),
    ("体重：九十", "90"),
    ("体重110斤", "55"),
    ("体重一百一", "55"),
    ("九十五斤", "47.5"),
    ("一百零五斤", "52.5"),
    ("120来斤", "60"),
    ("一百多斤", "50"),
    ("一百斤出头", "50"),
    ("两百斤", "100"),
]


@pytest.mark.parametrize(("text", "value"), WEIGHTS)
def test_weight(text: str, value: str) -> None:
    assert found(text) == [("weight", value)]


AGES = [
    ("5岁", "5"),
    ("五岁", "5"),
    ("十二岁", "12"),
    ("3周岁", "3"),
    ("两岁半", "2.5"),
    ("一岁半", "1.5"),
    ("半岁", "0.5"),
    ("孩子7岁", "7"),
    ("8岁的男孩", "8"),
    ("年龄6", "6"),
]


@pytest.mark.parametrize(("text", "value"), AGES)
def test_age(text: str, value: str) -> None:
    assert found(text) == [("age", value)]


FOOT_LENGTHS = [
    ("脚长24.5", "24.5"),
    ("脚长24.5cm", "24.5"),
    ("脚长245mm", "24.5"),
    ("脚长245", "24.5"),  # bare over 80: millimetres
    ("脚长二十四厘米", "24"),
    ("脚长二十四点五", "24.5"),
    ("脚长23公分", "23"),
    ("脚长大概19.5", "19.5"),
    ("24.5cm", "24.5"),  # no label, but no body is 24.5 cm tall
    ("孩子脚长15.8厘米", "15.8"),
]


@pytest.mark.parametrize(("text", "value"), FOOT_LENGTHS)
def test_foot_length(text: str, value: str) -> None:
    assert found(text) == [("foot_length", value)]


SIZES = [
    ("M码", "M"),
    ("m码", "M"),
    ("要l的", "L"),
    ("S", "S"),
    ("XS码", "XS"),
    ("XL", "XL"),
    ("xl码", "XL"),
    ("XXL", "2XL"),
    ("xxl", "2XL"),
    ("2xl", "2XL"),
    ("2XL", "2XL"),
    ("XXXL", "3XL"),
    ("3xl", "3XL"),
    ("36码", "36"),
    ("36号", "36"),
    ("三十六码", "36"),
    ("37的鞋", "37"),
    ("37码半", "37.5"),
    ("110码", "110"),
    ("120的", "120"),
    ("我平时穿38", "38"),
    ("换成110", "110"),
    ("马丁短靴黑色38啥时候补", "38"),
    ("有没有白绿色 39的", "39"),
    ("28号有货吗", "28"),
    ("ＸＬ码", "XL"),  # fullwidth letters
]


@pytest.mark.parametrize(("text", "value"), SIZES)
def test_size(text: str, value: str) -> None:
    assert found(text) == [("size", value)]


ORDER_IDS = [
    ("订单号202611150001", "202611150001"),
    ("单号：202611200002", "202611200002"),
    ("订单 202611220003 到哪了", "202611220003"),
    ("202611150001", "202611150001"),
    ("订单号1234567890", "1234567890"),  # 10 digits count after a label
    ("12345678901234567890", "12345678901234567890"),
]


@pytest.mark.parametrize(("text", "value"), ORDER_IDS)
def test_order_id(text: str, value: str) -> None:
    assert found(text) == [("order_id", value)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("165 110斤 穿什么码", [("height", "165"), ("weight", "55")]),
        ("身高165体重110", [("height", "165"), ("weight", "55")]),
        ("体重55身高165", [("weight", "55"), ("height", "165")]),
        ("110斤 165", [("weight", "55"), ("height", "165")]),
        (
            "166 55kg 在M和L之间怎么选",
            [("height", "166"), ("weight", "55"), ("size", "M"), ("size", "L")],
        ),
        ("一米六，一百斤，穿什么码", [("height", "160"), ("weight", "50")]),
        ("一米七 一百三", [("height", "170"), ("weight", "65")]),
        ("160/100", [("height", "160"), ("weight", "50")]),
        ("我160 105 牛仔裤拍M码可以不", [("height", "160"), ("weight", "52.5"), ("size", "M")]),
        (
            "身高：165cm，体重：55kg，脚长24",
            [("height", "165"), ("weight", "55"), ("foot_length", "24")],
        ),
        ("孩子4岁半 身高105 体重18kg", [("age", "4.5"), ("height", "105"), ("weight", "18")]),
        ("宝宝两岁 90公分", [("age", "2"), ("height", "90")]),
        ("九岁男孩 一米三五", [("age", "9"), ("height", "135")]),
        ("平常36码 白色板鞋拍36还是37", [("size", "36"), ("size", "36"), ("size", "37")]),
        ("黑色36改成黑色37", [("size", "36"), ("size", "37")]),
        ("36码、37、38有货吗", [("size", "36"), ("size", "37"), ("size", "38")]),
        ("M/L", [("size", "M"), ("size", "L")]),
        (
            "订单202611150001的M码改成L",
            [("order_id", "202611150001"), ("size", "M"), ("size", "L")],
        ),
    ],
)
def test_several_entities(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "你好",
        "ok",
        "OK的",
        "在吗",
        "Hello",
        "plz",
        "it's ok",
        "3天了",
        "7天无理由",
        "满300减30",
        "满199减20",
        "价格189",
        "价格189的那件",
        "满100的券",
        "165",
        "13812345678",  # an 11-digit mobile number is no order id
        "快递单号ZT7812345678",  # a tracking number, not ours
        "S302",
        "165/88A",
        "三四岁",  # an estimate, not 34
        "5XXL",
        "腰围70cm",
        "衣长65cm",
        "鞋跟3cm",
        "第2件半价",
        "16:00前付款",
        "十五号发货吗",
        "11月25号能到吗",
        "25号之前能到吗",
        "发货时间16号",
        "最晚到28号",
        "明天发顺丰快递吗",
        "500ml",
    ],
)
def test_nothing_in_messages_without_measures(text: str) -> None:
    assert extract_measures(text) == []


def test_size_is_not_age_and_days_are_not_age() -> None:
    assert found("37码") == [("size", "37")]
    assert found("7天无理由退换吗") == []


@pytest.mark.parametrize("text", ["170cm 60kg size?", "what size should i take 身高163"])
def test_english_words_hold_no_letter_sizes(text: str) -> None:
    assert "size" not in [entity for entity, _ in found(text)]


def test_matches_carry_spans_of_the_original_text() -> None:
    text = "身高１６５ｃｍ 体重110斤 要M码 订单号202611150001"
    matches = extract_measures(text)
    assert [m.text for m in matches] == ["１６５ｃｍ", "110斤", "M", "202611150001"]
    assert all(text[m.start : m.end] == m.text for m in matches)


def test_spans_leave_out_labels_and_size_suffixes() -> None:
    assert extract_measures("36码") == [EntityMatch("size", "36", 0, 2, "36")]
    assert extract_measures("身高165") == [EntityMatch("height", "165", 2, 5, "165")]
    assert extract_measures("两岁半") == [EntityMatch("age", "2.5", 0, 3, "两岁半")]


def test_matches_do_not_overlap_and_come_in_order() -> None:
    matches = extract_measures("脚长245mm 身高1.65m 体重一百一十斤 穿XL还是XXL")
    assert [m.entity for m in matches] == ["foot_length", "height", "weight", "size", "size"]
    assert all(a.end <= b.start for a, b in pairwise(matches))


def test_short_messages_are_fast() -> None:
    messages = ["165 110斤 穿什么码", "身高165体重110", "你好", "订单号202611150001到哪了"] * 50
    started = time.perf_counter()
    for message in messages:
        extract_measures(message)
    per_message = (time.perf_counter() - started) / len(messages)
    assert per_message < 1e-3  # typically ~0.1 ms; the margin keeps a busy machine green
