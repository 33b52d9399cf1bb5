"""The regular-expression rules behind :func:`bot.nlu.measures.extract_measures`.

One small value function per entity turns a regex match into the canonical value, or
rejects it. Each rule has a priority; :mod:`bot.nlu.measures` resolves overlaps with it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from bot.nlu.numerals import NUMBER_PATTERN as N
from bot.nlu.numerals import format_number, parse_number, read_digits

# Priorities: higher wins where two candidates overlap.
ORDER_ID, LABELLED, UNIT, LETTER_SIZE, CONTEXT = 50, 40, 30, 20, 10


class Rule(NamedTuple):
    """One pattern for one entity; ``value_of(match, message)`` gives the value or None.

    ``needs`` lists words of which the (lower-cased) message must hold one for the pattern
    to have a chance: a substring test is far cheaper than a regex scan.
    """

    entity: str
    pattern: re.Pattern[str]
    priority: int
    value_of: Callable[[re.Match[str], str], str | None]
    needs: tuple[str, ...] = ()


# --- shared pattern pieces ----------------------------------------------------------------

# What a buyer puts between a label and its number: 身高是165, 体重：55, 脚长大概24.
_GLUE = r"\s*(?:是|有|大概|大约|约|差不多)?\s*[:：]?\s*"
_NOT_AFTER_DIGIT = r"(?<![\d.])"
_CM = r"(?:cm|厘米|公分)(?![a-z])"
NOT_A_UNIT = (
    r"(?![\d.A-Za-z%]"
    r"|\s*(?:斤|公斤|千克|厘米|公分|米|岁|元|块|天|件|个|号|码|分|小时|多|双|套|年|月|周))"
)
# Garment and shoe measures also come in cm (腰围70cm, 衣长65cm, 鞋跟3cm): not a body.
_OTHER_MEASURE_BEFORE = re.compile(r"(?:[长宽围高厚跟摆]|内长)" + _GLUE + "$")


def parsed_number(found: re.Match[str]) -> float | None:
    """The number in the match's ``n`` group, or None if it is not well-formed."""
    return parse_number(found["n"])


def _after_other_measure(found: re.Match[str], normal: str) -> bool:
    return bool(_OTHER_MEASURE_BEFORE.search(normal, 0, found.start()))


def within(value: float | None, low: float, high: float) -> str | None:
    """``value`` as a canonical string if it lies in ``[low, high]``, else None."""
    return format_number(value) if value is not None and low <= value <= high else None


# --- order id -----------------------------------------------------------------------------

_ORDER_ID_RE = re.compile(
    rf"(?P<label>(?:订单编号|订单号|单号|订单|编号){_GLUE})?"
    r"(?<![A-Za-z0-9])(?P<span>\d{10,20})(?![A-Za-z0-9])"
)


def _order_id(found: re.Match[str], normal: str) -> str | None:
    # Without a label only 12+ digits count: 11 digits is a mobile number.
    return found["span"] if found["label"] or len(found["span"]) >= 12 else None


# --- height -------------------------------------------------------------------------------

_HEIGHT_LABEL = r"(?:身高|个子|个头|身长)"
_METRE_FORM = (  # 一米六五, 1米65, 一米七 (= 170), 一米零五
    r"(?<![\d.一二三四五六七八九十])(?P<metre>[一1])\s*米"
    r"\s*(?P<cm>[零〇一二三四五六七八九]{1,2}|\d{1,2})(?![\d十])"
)
_METRE_RE = re.compile(f"(?P<span>{_METRE_FORM})")
_DECIMAL_METRE_RE = re.compile(
    rf"{_NOT_AFTER_DIGIT}(?P<span>(?P<n>[12]\.\d{{1,2}})\s*(?:米|m(?![a-z])))", re.I
)
_CM_RE = re.compile(rf"{_NOT_AFTER_DIGIT}(?P<span>(?P<n>{N})\s*{_CM})", re.I)
_LABELLED_HEIGHT_RE = re.compile(
    rf"{_HEIGHT_LABEL}{_GLUE}(?P<span>{_METRE_FORM}|(?P<n>{N})(?:\s*(?:{_CM}|米|m(?![a-z])))?)",
    re.I,
)
_HEIGHT_LABEL_AFTER_RE = re.compile(  # 160左右的个子, 165的身高, 165高
    rf"{_NOT_AFTER_DIGIT}(?P<span>(?P<n>{N}))\s*(?:左右|上下)?\s*"
    r"(?:的?(?:个子|个头)|的身高|高(?![腰跟帮领筒]))"
)


def _height(found: re.Match[str], normal: str) -> str | None:
    if found.groupdict().get("metre"):
        rest = found["cm"]
        digits = rest if rest.isdigit() else read_digits(rest)
        centimetres = None if digits is None else 100 + int(digits) * (10 ** (2 - len(digits)))
    else:
        centimetres = parsed_number(found)
        if centimetres is not None and centimetres < 3:
            centimetres *= 100  # 1.65米, 身高1.65: metres
    if centimetres is None or not 50 <= centimetres <= 230:
        return None
    return str(round(centimetres))


def _unlabelled_height(found: re.Match[str], normal: str) -> str | None:
    return None if _after_other_measure(found, normal) else _height(found, normal)


# --- weight -------------------------------------------------------------------------------

_WEIGHT_UNIT = r"\s*(?:来|多)?\s*(?P<unit>斤|kg|公斤|千克)(?![a-z])"
_WEIGHT_RE = re.compile(rf"{_NOT_AFTER_DIGIT}(?P<span>(?P<n>{N}){_WEIGHT_UNIT})", re.I)
_LABELLED_WEIGHT_RE = re.compile(rf"体重{_GLUE}(?P<span>(?P<n>{N})(?:{_WEIGHT_UNIT})?)", re.I)
# A bare 体重 number above this is in 斤: buyers say 体重110 for 55 kg.
_BARE_WEIGHT_IN_JIN_ABOVE = 90


def to_kilograms(value: float | None, unit: str | None) -> float | None:
    """Kilograms from a weight in 斤, kg, or no unit (then 斤 above 90, else kg)."""
    if value is not None and (unit == "斤" or (unit is None and value > _BARE_WEIGHT_IN_JIN_ABOVE)):
        return value / 2
    return value


def _weight(found: re.Match[str], normal: str) -> str | None:
    return within(to_kilograms(parsed_number(found), found["unit"]), 2, 250)


# --- age ----------------------------------------------------------------------------------

_AGE_RE = re.compile(rf"{_NOT_AFTER_DIGIT}(?P<span>(?P<n>{N}|半)\s*周?岁(?P<half>半)?)")
_LABELLED_AGE_RE = re.compile(
    rf"(?:年龄|年纪){_GLUE}(?P<span>(?P<n>{N})(?:\s*周?岁(?P<half>半)?)?)"
)


def _age(found: re.Match[str], normal: str) -> str | None:
    years = parsed_number(found)
    return within(None if years is None else years + (0.5 if found["half"] else 0), 0, 120)


# --- foot length --------------------------------------------------------------------------

_FOOT_UNIT = r"\s*(?P<unit>cm|厘米|公分|mm|毫米)(?![a-z])"
_FOOT_RE = re.compile(rf"{_NOT_AFTER_DIGIT}(?P<span>(?P<n>{N}){_FOOT_UNIT})", re.I)
_LABELLED_FOOT_RE = re.compile(
    rf"(?:脚长度?|脚的长度|脚掌长){_GLUE}(?P<span>(?P<n>{N})(?:{_FOOT_UNIT})?)", re.I
)


def _foot_length(found: re.Match[str], normal: str) -> str | None:
    value, unit = parsed_number(found), (found["unit"] or "").lower()
    if value is not None and (unit in ("mm", "毫米") or (not unit and value > 80)):
        value /= 10  # 脚长245: millimetres
    return within(value, 8, 35)


def _unlabelled_foot_length(found: re.Match[str], normal: str) -> str | None:
    return None if _after_other_measure(found, normal) else _foot_length(found, normal)


# --- size ---------------------------------------------------------------------------------

# A letter size is a whole ASCII word (so "ok", "cm", "Hello" never match; "it's" neither).
# Spans leave out 码/号, as the NLU training data does: [M](size)码.
_LETTER_SIZE_RE = re.compile(
    r"(?<![A-Za-z0-9'’])(?P<span>(?:[2-5]X|X{1,3})L|X?S|M|L)(?![A-Za-z0-9'’])", re.I
)
_NUMBER_SIZE_RE = re.compile(
    rf"{_NOT_AFTER_DIGIT}(?P<span>(?P<n>{N}))\s*(?P<suffix>[码号])(?P<half>半)?"
)
# 3号 is a date (no shoe is that small); 25号 is one after 月/到/日期 or before 发/到/前.
_DATE_BEFORE = re.compile(r"(?:[月到在]|日期|时间)\s*$")
_DATE_AFTER = re.compile(
    r"\s*(?:发|到|送|前|之前|以前|后|之后|以后|当天|那天|[上下中]午|晚上|早上|能|会)"
)
# Bare 2-3 digit numbers are sizes only after a cue: 穿38, 拍36, 换成110, 黑色的37, 跑鞋37.
_CUED_SIZE_RE = re.compile(
    r"(?:(?:穿|要|拿|换|选|买|来|拍|改|把|换成|改成)\s*(?:一双|一件|一套|双|件|套)?"
    rf"|(?:[色鞋靴衣裤裙服装衫]|尺码|码数)\s*的?)\s*(?P<span>\d{{2,3}}){NOT_A_UNIT}"
)
_SIZE_WITH_DE_RE = re.compile(
    rf"{_NOT_AFTER_DIGIT}(?P<span>\d{{2,3}})\s*的(?!\s*(?:个子|个头|身高|高|价))"
)
# 满100的, 价格100的, 我160的 (a height) and 孩子120的 (height or size?) are not sizes.
_NOT_SIZE_BEFORE = re.compile(
    r"(?:价格?|价钱|¥|￥|满|减|到|花了?|付了?|优惠|便宜|贵|超过|低于|预算"
    r"|我|她|他|孩子|宝宝|儿子|女儿|娃|小孩|闺女)\s*(?:是|有)?\s*$"
)
_KIDS_SIZES = frozenset({73, *range(80, 171, 10)})


def _letter_size(found: re.Match[str], normal: str) -> str:
    letters = found["span"].upper()
    if not letters.endswith("XL") or letters[0].isdigit() or letters == "XL":
        return letters
    return f"{len(letters) - 1}XL"  # XXL → 2XL, XXXL → 3XL


def _number_size(found: re.Match[str], normal: str) -> str | None:
    number = parsed_number(found)
    if number is None or _looks_like_date(found, normal, number):
        return None
    return within(number + (0.5 if found["half"] else 0), 15, 200)


def _looks_like_date(found: re.Match[str], normal: str, number: float) -> bool:
    if found["suffix"] != "号" or number > 31:
        return False
    return number < 20 or bool(
        _DATE_BEFORE.search(normal, 0, found.start()) or _DATE_AFTER.match(normal, found.end())
    )


def is_plausible_size(digits: str) -> bool:
    """Whether a bare number could be a shoe size (20-48) or a kids' size (73, 80 … 170)."""
    number = int(digits)
    return 20 <= number <= 48 or number in _KIDS_SIZES


def _cued_size(found: re.Match[str], normal: str) -> str | None:
    return found["span"] if is_plausible_size(found["span"]) else None


def _size_with_de(found: re.Match[str], normal: str) -> str | None:
    if _NOT_SIZE_BEFORE.search(normal, 0, found.start()):
        return None
    return _cued_size(found, normal)


_CM_WORDS = ("cm", "厘米", "公分")
RULES: tuple[Rule, ...] = (
    Rule("order_id", _ORDER_ID_RE, ORDER_ID, _order_id),
    Rule("height", _LABELLED_HEIGHT_RE, LABELLED, _height, ("身高", "个子", "个头", "身长")),
    Rule("height", _HEIGHT_LABEL_AFTER_RE, LABELLED, _height, ("个子", "个头", "身高", "高")),
    Rule("height", _METRE_RE, UNIT, _height, ("米",)),
    Rule("height", _DECIMAL_METRE_RE, UNIT, _height, ("米", "m")),
    Rule("height", _CM_RE, UNIT, _unlabelled_height, _CM_WORDS),
    Rule("weight", _LABELLED_WEIGHT_RE, LABELLED, _weight, ("体重",)),
    Rule("weight", _WEIGHT_RE, UNIT, _weight, ("斤", "kg", "公斤", "千克")),
    Rule("age", _LABELLED_AGE_RE, LABELLED, _age, ("年龄", "年纪")),
    Rule("age", _AGE_RE, UNIT, _age, ("岁",)),
    Rule("foot_length", _LABELLED_FOOT_RE, LABELLED, _foot_length, ("脚",)),
    Rule("foot_length", _FOOT_RE, UNIT, _unlabelled_foot_length, (*_CM_WORDS, "mm", "毫米")),
    Rule("size", _NUMBER_SIZE_RE, UNIT, _number_size, ("码", "号")),
    Rule("size", _LETTER_SIZE_RE, LETTER_SIZE, _letter_size, ("s", "m", "l")),
    Rule("size", _CUED_SIZE_RE, CONTEXT, _cued_size),
    Rule("size", _SIZE_WITH_DE_RE, CONTEXT, _size_with_de, ("的",)),
)
