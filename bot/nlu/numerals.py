"""Numbers written in Arabic digits or Chinese numerals, and their canonical string form.

Buyers mix both freely ("一百二十斤", "1米65", "二十四点五"), so every measure extractor
parses its number through :func:`parse_number`.
"""

from __future__ import annotations

import re

CHINESE_DIGITS: dict[str, int] = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CHINESE_UNITS: dict[str, int] = {"十": 10, "百": 100, "千": 1000}
HALF = "半"
DECIMAL_POINT = "点"

#: A regex fragment matching one number: Arabic with optional decimals, or Chinese numerals
#: with an optional 点 fraction. It does not check the Chinese grammar; the parser does.
NUMBER_PATTERN = (
    r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+(?:点[零〇一二三四五六七八九]+)?)"
)

_ARABIC = re.compile(r"\d+(?:\.\d+)?")


def read_digits(text: str) -> str | None:
    """Read Chinese digits one by one: ``"六五"`` → ``"65"``, ``"零五"`` → ``"05"``.

    Returns None when ``text`` holds anything but the ten digits (两 is a count word, never
    read digit by digit).
    """
    if not text or any(char not in CHINESE_DIGITS or char == "两" for char in text):
        return None
    return "".join(str(CHINESE_DIGITS[char]) for char in text)


def parse_chinese_integer(text: str) -> int | None:
    """Parse a Chinese integer: 一百六十五 → 165, 十五 → 15, 一百一 → 110, 一六五 → 165.

    A two-digit run of neighbouring digits such as 三四 or 七八 means "three or four", an
    estimate rather than a number, so it returns None like any other malformed input.
    """
    if not text:
        return None
    if not any(char in CHINESE_UNITS for char in text):
        return _parse_digit_run(text)
    return _parse_with_units(text)


def _parse_digit_run(text: str) -> int | None:
    if len(text) == 1:
        return CHINESE_DIGITS.get(text)
    digits = read_digits(text)
    if digits is None:
        return None
    if len(digits) == 2 and int(digits[1]) - int(digits[0]) == 1:
        return None  # 三四岁, 一二: an estimate, not 34 or 12
    return int(digits)


def _parse_with_units(text: str) -> int | None:
    total = 0
    pending: int | None = None
    last_unit = 10_000
    after_zero = False
    for char in text:
        if char in ("零", "〇"):
            after_zero = True
        elif char in CHINESE_DIGITS:
            if pending is not None:
                return None  # two digits in a row inside a unit number, e.g. 一二十
            pending = CHINESE_DIGITS[char]
        elif char in CHINESE_UNITS:
            unit = CHINESE_UNITS[char]
            if unit >= last_unit:
                return None
            total += (1 if pending is None else pending) * unit
            pending, last_unit, after_zero = None, unit, False
        else:
            return None
    if pending is not None:
        # 一百一 / 一千二: a trailing digit right after 百/千 counts in the next unit down.
        shortened = not after_zero and last_unit >= 100
        total += pending * (last_unit // 10 if shortened else 1)
    return total


def parse_number(text: str) -> float | None:
    """Parse an Arabic or Chinese number, with optional decimals: 二十四点五 → 24.5, 半 → 0.5.

    Returns None for anything that is not a well-formed number.
    """
    text = text.strip()
    if not text:
        return None
    if _ARABIC.fullmatch(text):
        return float(text)
    if text == HALF:
        return 0.5
    whole, _, fraction = text.partition(DECIMAL_POINT)
    integer = parse_chinese_integer(whole)
    if integer is None:
        return None
    if not fraction:
        return None if DECIMAL_POINT in text else float(integer)
    fraction_digits = read_digits(fraction)
    if fraction_digits is None:
        return None
    return float(f"{integer}.{fraction_digits}")


def format_number(value: float) -> str:
    """Format with at most two decimals and no trailing zeros: 55.0 → "55", 52.5 → "52.5"."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
