"""Body measures, sizes and order ids pulled from a buyer's message with regular expressions.

Each rule proposes candidates with a priority; where candidates overlap, the more specific
reading wins (an order id, then a labelled number, then a number with a unit, then a
letter size, then a guess from context), then the longer one. Values are canonical:

* ``height`` – centimetres, integer ("165"); ``weight`` – kilograms ("55", "52.5");
* ``age`` – years ("2.5"); ``foot_length`` – centimetres ("24.5");
* ``size`` – "XS" … "3XL" or the number ("37", "110"); ``order_id`` – the digits.
"""

from __future__ import annotations

import re

from bot.nlu.entity_match import EntityMatch
from bot.nlu.measure_rules import (
    NOT_A_UNIT,
    RULES,
    is_plausible_size,
    parsed_number,
    to_kilograms,
    within,
)
from bot.nlu.numerals import NUMBER_PATTERN as N

# Fullwidth ASCII (１６５ｃｍ, ＸＬ) maps one-to-one onto ASCII, so offsets stay valid.
_FULLWIDTH_TO_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
# Nothing to find in a message without a digit, a Chinese numeral or a Latin letter.
_WORTH_A_LOOK = re.compile(r"[0-9A-Za-z零〇一二两三四五六七八九十百千半]")


def extract_measures(text: str) -> list[EntityMatch]:
    """Find heights, weights, ages, foot lengths, sizes and order ids in ``text``.

    Args:
        text: One message, already converted to Simplified Chinese.

    Returns:
        Non-overlapping matches in order of appearance.
    """
    normal = text.translate(_FULLWIDTH_TO_ASCII)
    if not _WORTH_A_LOOK.search(normal):
        return []
    candidates: list[tuple[int, EntityMatch]] = []
    lowered = normal.lower()
    for rule in RULES:
        if rule.needs and not any(word in lowered for word in rule.needs):
            continue
        for found in rule.pattern.finditer(normal):
            value = rule.value_of(found, normal)
            if value is not None:
                start, end = found.span("span")
                match = EntityMatch(rule.entity, value, start, end, text[start:end])
                candidates.append((rule.priority, match))
    chosen = _resolve_overlaps(candidates)
    chosen += _partners_from_context(text, normal, chosen)
    chosen += _alternative_sizes(text, normal, chosen)
    return sorted(chosen, key=lambda match: match.start)


def _resolve_overlaps(candidates: list[tuple[int, EntityMatch]]) -> list[EntityMatch]:
    ranked = sorted(candidates, key=lambda c: (-c[0], c[1].start - c[1].end, c[1].start))
    chosen: list[EntityMatch] = []
    for _, match in ranked:
        if not _overlaps_any(match.start, match.end, chosen):
            chosen.append(match)
    return chosen


def _overlaps_any(start: int, end: int, chosen: list[EntityMatch]) -> bool:
    return any(start < other.end and other.start < end for other in chosen)


# --- bare numbers that their neighbours explain -------------------------------------------

_BARE_HEIGHT_RE = re.compile(r"(?<![\d.A-Za-z])(?P<span>1[4-9]\d)(?![\d.A-Za-z])")
_ADULT_KG = (40, 150)  # a bare number next to an adult height, read as kg (or 斤 if > 90)
_SEPARATOR = re.compile(r"[\s,，、/;；和]{0,3}")
# 36还是37, 36、37: a number listed right after a size is another size.
_ALTERNATIVE_SIZE_RE = re.compile(
    rf"\s*[码号]?\s*(?:还是|或者|或|和|跟|/|、|,|，)\s*(?P<span>\d{{2,3}}){NOT_A_UNIT}"
)
_BARE_WEIGHT_AFTER_RE = re.compile(rf"[\s,，、/;；]{{1,3}}(?P<span>(?P<n>{N})){NOT_A_UNIT}")
_BARE_PAIR_RE = re.compile(
    r"(?<![\d.A-Za-z])(?P<height>1[4-9]\d)\s*[/\s,，]\s*(?P<span>(?P<n>\d{2,3}(?:\.\d)?))"
    + NOT_A_UNIT
)


def _partners_from_context(text: str, normal: str, chosen: list[EntityMatch]) -> list[EntityMatch]:
    """Read a bare number beside a measure: 165 110斤, 一米七 一百三, 160/100 (bare > 90 is 斤)."""
    heights = [match for match in chosen if match.entity == "height"]
    weights = [match for match in chosen if match.entity == "weight"]
    if heights and weights:
        return []
    if weights:
        return _bare_height_beside(text, normal, chosen, weights)
    if heights:
        adult = [match for match in heights if int(match.value) >= 140]
        return _bare_weight_after(text, normal, chosen, adult)
    return _bare_pair(text, normal, chosen)


def _bare_height_beside(
    text: str, normal: str, chosen: list[EntityMatch], weights: list[EntityMatch]
) -> list[EntityMatch]:
    for found in _BARE_HEIGHT_RE.finditer(normal):
        start, end = found.span()
        if _overlaps_any(start, end, chosen):
            continue
        for weight in weights:
            gap = normal[end : weight.start] if end <= weight.start else normal[weight.end : start]
            if _SEPARATOR.fullmatch(gap):
                return [EntityMatch("height", found[0], start, end, text[start:end])]
    return []


def _bare_weight_after(
    text: str, normal: str, chosen: list[EntityMatch], heights: list[EntityMatch]
) -> list[EntityMatch]:
    for height in heights:
        found = _BARE_WEIGHT_AFTER_RE.match(normal, height.end)
        if found is None or _overlaps_any(*found.span("span"), chosen):
            continue
        kilograms = within(to_kilograms(parsed_number(found), None), *_ADULT_KG)
        if kilograms is not None:
            start, end = found.span("span")
            return [EntityMatch("weight", kilograms, start, end, text[start:end])]
    return []


def _bare_pair(text: str, normal: str, chosen: list[EntityMatch]) -> list[EntityMatch]:
    for found in _BARE_PAIR_RE.finditer(normal):
        kilograms = within(to_kilograms(parsed_number(found), None), *_ADULT_KG)
        if kilograms is None or _overlaps_any(found.start(), found.end(), chosen):
            continue
        (h_start, h_end), (w_start, w_end) = found.span("height"), found.span("span")
        return [
            EntityMatch("height", found["height"], h_start, h_end, text[h_start:h_end]),
            EntityMatch("weight", kilograms, w_start, w_end, text[w_start:w_end]),
        ]
    return []


def _alternative_sizes(text: str, normal: str, chosen: list[EntityMatch]) -> list[EntityMatch]:
    """After a size, 还是/或/、 introduces another: 拍36还是37 → 36 and 37."""
    added: list[EntityMatch] = []
    pending = [match for match in chosen if match.entity == "size"]
    while pending:
        found = _ALTERNATIVE_SIZE_RE.match(normal, pending.pop().end)
        if found is None or not is_plausible_size(found["span"]):
            continue
        start, end = found.span("span")
        if not _overlaps_any(start, end, chosen + added):
            added.append(EntityMatch("size", found["span"], start, end, text[start:end]))
            pending.append(added[-1])
    return added
