"""Chinese street addresses: the detailed part of one, which finds a home.

:func:`address_spans` finds them in a line already in NFKC form (see
:func:`bot.transcripts.redaction.normalised`); :class:`bot.transcripts.redaction.Redactor`
replaces them with the ``address`` label.

What it catches, and what it deliberately leaves alone: the part that finds a home, which
always holds Arabic digits: a road, street, lane with its number (文三路90号, 银都路88弄3号,
中关村大街27号, 幸福街道8号); a building, unit or room (3栋2单元501室, 5号楼1203, B座2001,
3-501室); an estate or village followed by numbers (阳光花园3-2-501, 张家村3组15号); and the
road's or estate's name before them (up to 8 characters, stopping at 省/市/区/县/镇/乡, at a
region name of the NLU gazetteer, at punctuation and at small words such as 到/在/寄).
Province, city and district stay: the bot answers shipping questions by region. Not:
addresses without a number (朝阳区国贸大厦), Chinese numerals (三栋二单元), estate names or
landmarks on their own, and numbers that only look like one: dates (11月15号, 小区5号发货),
sizes (38码), quantities, prices, 第3单元.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

from bot.errors import SettingsError

REGIONS_PATH = Path(__file__).resolve().parent.parent / "nlu" / "regions.yml"

_ROADS = (*"大街 大道 街道 胡同".split(), *"路街巷弄道")
# 道 names roads in Tianjin and Hong Kong (琼州道, 弥敦道), but not after these: 知道, 味道 ….
_NOT_ROAD_BEFORE_DAO = frozenset("知难味频渠通轨赛跑管车")
# Estates whose name may come before any number (阳光小区5号), and name endings that only
# count before a building, unit or room, or a 3-2-501 (碧桂园24幢, 翡翠公馆B座).
_ESTATES = (*"小区 小區 花园 花園 公寓 大厦 大廈 家园 家園 新村 社区 社區".split(), "村", "苑")
_ENDINGS = (*"公馆 公館 广场 廣場 中心 大楼 大樓 大院".split(), *"园園府庭城湾灣居阁閣轩軒邸墅坊")
_BUILDING = r"\d{1,4}\s*(?:号楼|號樓|号院|號院|栋|棟|幢)"
_STRONG = (  # a building, a lettered block, a unit or a room: a home on their own
    rf"(?:{_BUILDING}|(?<![A-Za-z])[A-Za-z]\s*(?:座|栋|棟|幢)"
    r"|(?<!第)\d{1,2}\s*(?:单元|單元)|(?:\d{1,4}-)?\d{3,5}\s*(?:号房|號房|室|房间|房間|房))"
)
_NUMBERED = r"\d{1,5}(?:-\d{1,5}){0,3}\s*(?:号|號|弄|区|區|组|組|楼|樓|层|層|户|戶|门|門|座|室)"
_UNIT_WORDS = "件个元块斤克码号號米天年月日点分岁双套箱包瓶支张次"
_BARE = rf"\d{{1,4}}(?:-\d{{1,4}}){{1,3}}(?![\d.])|\d{{3,5}}(?![\d.%])(?!\s*[{_UNIT_WORDS}])"
_PART_RE = re.compile(rf"[ \-]?(?:{_STRONG}|(?P<numbered>{_NUMBERED})|{_BARE})", re.ASCII)
_START_RE = re.compile(
    rf"(?P<road>{'|'.join(_ROADS)})\s{{0,2}}\d{{1,5}}(?:-\d{{1,5}})?\s?(?:(?:号|號)(?:楼|樓|院)?|弄)"
    rf"|(?P<estate>{'|'.join(_ESTATES)})(?=[ \-]?(?:{_STRONG}|{_NUMBERED}|{_BARE}))"
    rf"|(?P<ending>{'|'.join(_ENDINGS)})(?=[ \-]?(?:{_STRONG}|\d{{1,4}}-\d{{1,4}}-\d{{2,5}}))"
    rf"|(?<!\d)(?<!\d\.){_STRONG}",  # not 1.5栋
    re.ASCII,
)
# Where an address can start: at most _REACH characters before one of its digits.
_START_CHARS = frozenset(
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    + "".join(word[0] for word in (*_ROADS, *_ESTATES, *_ENDINGS))
)
_REACH = 6
_DIGIT_RUN = re.compile(r"\d+", re.ASCII)
# Every address has a digit before a unit word or dash, a lettered block, or an estate word
# before a number: lines without one (prices, sizes, order ids) skip the address search.
_ADDRESS_HINT = re.compile(
    rf"\d\s*[号號栋棟幢单單室房弄组組楼樓层層户戶门門座区區\-]|[A-Za-z]\s*[座栋棟幢]"
    rf"|(?:{'|'.join(_ESTATES)})[ \-]?\d",
    re.ASCII,
)
# 5号 followed by these is a day of the month, not a house: 小区5号发货, 5号前到.
_DATE_AFTER = re.compile(
    r"\s*(?:发|到|送|前|之前|以前|后|之后|以后|下单|左右|当天|那天|[上下中]午|晚上|早上|能|会|可以)"
)
_NAME_STOPS = frozenset(  # small words a name never holds; 都, 和, 发 do (成都路, 和平路)
    "省市区县旗镇乡在到是往去至从寄送改住为于的我你您他她它们了吗呢吧啊跟与或就也还请帮把给换写填让"
    "要想能再又先收有这那个条处边旁近面"
)
_NAME_MAX = 8
_REGION_MAX = 7  # 内蒙古自治区


def _is_name_char(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" and char not in _NAME_STOPS


def _region_before(normal: str, end: int, regions: frozenset[str]) -> int:
    """The length of the region name that ends at ``end``, or 0."""
    for length in range(_REGION_MAX, 1, -1):
        if normal[max(0, end - length) : end] in regions:
            return length
    return 0


def _name_start(normal: str, end: int, floor: int, needed: int, regions: frozenset[str]) -> int:
    """Where the road's or estate's name before ``end`` starts (``end`` if it has none)."""
    start = end
    while start > max(floor, end - _NAME_MAX) and _is_name_char(normal[start - 1]):
        region = _region_before(normal, start, regions)
        if region and end - start >= needed:
            break  # 杭州文三路: the city stays
        start -= region or 1  # a road named after a place: 南京路, 赤峰路
    return max(start, floor)


def _anchor_start(
    found: re.Match[str], normal: str, floor: int, regions: frozenset[str]
) -> int | None:
    """Where an address starting with ``found`` starts, or None if it is not one."""
    word = found["road"] or found["estate"] or found["ending"]
    if word is None:
        return found.start()
    if word == "道" and normal[found.start() - 1 : found.start()] in _NOT_ROAD_BEFORE_DAO:
        return None
    needed = 1 if len(word) > 1 else 2  # 中山路 and 张家村, not 帮我弄3号 or 农村5号
    start = _name_start(normal, found.start(), floor, needed, regions)
    return start if found.start() - start >= needed else None


def _chain_end(normal: str, end: int) -> int:
    """The end of the building/unit/room parts that follow ``end``."""
    while (part := _PART_RE.match(normal, end)) is not None:
        numbered = part["numbered"]
        if numbered and numbered[-1] in "号號" and _DATE_AFTER.match(normal, part.end()):
            break
        end = part.end()
    return end


def _address_near(
    normal: str, digit: int, floor: int, regions: frozenset[str]
) -> tuple[int, int] | None:
    """The address that starts at most _REACH characters before ``digit``, if any."""
    for at in range(max(floor, digit - _REACH), digit + 1):
        found = _START_RE.match(normal, at) if normal[at] in _START_CHARS else None
        if found is None:
            continue
        start = _anchor_start(found, normal, floor, regions)
        end = _chain_end(normal, found.end())
        if start is not None and (end > found.end() or not (found["estate"] or found["ending"])):
            return start, end
    return None


def address_spans(normal: str, regions: frozenset[str]) -> list[tuple[int, int]]:
    """Spans of detailed addresses in ``normal`` (NFKC), in order; parts that touch are one.

    ``regions`` are the names an address's name stops before (:func:`region_names`). Lines
    without a hint of an address are skipped at once. Every address holds a digit, so only
    the few characters before each run of digits are tried as a start: far cheaper than
    scanning the whole line.
    """
    if not _ADDRESS_HINT.search(normal):
        return []
    spans: list[tuple[int, int]] = []
    for run in _DIGIT_RUN.finditer(normal):
        floor = spans[-1][1] if spans else 0
        if (
            run.start() < floor
            or (span := _address_near(normal, run.start(), floor, regions)) is None
        ):
            continue
        if spans and not normal[floor : span[0]].strip():
            spans[-1] = (spans[-1][0], span[1])
        else:
            spans.append(span)
    return spans


@cache
def region_names() -> frozenset[str]:
    """Province and city names of the NLU gazetteer: an address's name stops before them."""
    try:
        raw = yaml.safe_load(REGIONS_PATH.read_text(encoding="utf-8"))
        provinces = raw["provinces"]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as err:
        raise SettingsError(f"cannot read region names from {REGIONS_PATH}: {err}") from err
    names: set[str] = set()
    for province in provinces:
        names.update([province["name"], province.get("full_name", province["name"])])
        names.update(province.get("aliases", []), province.get("cities", []))
    return frozenset(names)
