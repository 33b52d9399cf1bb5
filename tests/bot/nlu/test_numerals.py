"""Chinese and Arabic numerals as buyers write them."""

from __future__ import annotations

import pytest

from bot.nlu.numerals import format_number, parse_chinese_integer, parse_number, read_digits


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("零", 0),
        ("五", 5),
        ("两", 2),
        ("十", 10),
        ("十五", 15),
        ("二十", 20),
        ("二十四", 24),
        ("九十五", 95),
        ("一百", 100),
        ("两百", 200),
        ("一百零五", 105),
        ("一百一十", 110),
        ("一百一", 110),  # colloquial: the digit after 百 counts tens
        ("一百二十", 120),
        ("一百六十五", 165),
        ("一千二", 1200),
        ("一六五", 165),  # read digit by digit
    ],
)
def test_parse_chinese_integer(text: str, expected: int) -> None:
    assert parse_chinese_integer(text) == expected


@pytest.mark.parametrize(
    "text", ["", "三四", "一二", "一两", "一二十", "十百", "百百", "五a", "点"]
)
def test_parse_chinese_integer_rejects_estimates_and_garbage(text: str) -> None:
    assert parse_chinese_integer(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("165", 165.0),
        ("24.5", 24.5),
        ("二十四点五", 24.5),
        ("一点六五", 1.65),
        ("一百二十", 120.0),
        ("半", 0.5),
        (" 55 ", 55.0),
    ],
)
def test_parse_number(text: str, expected: float) -> None:
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["", "abc", "二十点", "点五", "1.2.3", "二十四点两"])
def test_parse_number_rejects_malformed(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize(
    ("text", "expected"), [("六五", "65"), ("零五", "05"), ("七", "7"), ("两五", None), ("", None)]
)
def test_read_digits(text: str, expected: str | None) -> None:
    assert read_digits(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(55.0, "55"), (52.5, "52.5"), (50.65, "50.65"), (0.0, "0"), (24.0, "24"), (1 / 3, "0.33")],
)
def test_format_number(value: float, expected: str) -> None:
    assert format_number(value) == expected
