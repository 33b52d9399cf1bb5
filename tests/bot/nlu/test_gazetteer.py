"""Catalogue phrase matching (bot.nlu.gazetteer) over entries read from the shop data."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.errors import ShopDataError
from bot.nlu.catalogue_entries import DEFAULT_REGIONS_FILE, catalogue_entries
from bot.nlu.gazetteer import SHADOW_ENTITY, Gazetteer, GazetteerEntry

SHOP_DATA_DIR = Path(__file__).resolve().parents[3] / "data" / "shop"


@pytest.fixture(scope="module")
def shop_entries() -> tuple[GazetteerEntry, ...]:
    # Entries are frozen and the shop files are not changed here, so one read is shared.
    return tuple(catalogue_entries(SHOP_DATA_DIR))


@pytest.fixture
def gazetteer(shop_entries: tuple[GazetteerEntry, ...]) -> Gazetteer:
    return Gazetteer.from_entries(shop_entries)


def found(gazetteer: Gazetteer, text: str) -> list[tuple[str, str, str]]:
    return [(match.entity, match.value, match.text) for match in gazetteer.find(text)]


@pytest.mark.parametrize(
    ("text", "entity", "value"),
    [
        ("碎花连衣裙", "product", "碎花连衣裙"),
        ("小碎花裙还有吗", "product", "碎花连衣裙"),
        ("呢子大衣", "product", "羊毛大衣"),
        ("这件面包服", "product", "短款羽绒服"),
        ("板鞋", "product", "小白鞋"),
        ("童鞋", "product", "儿童运动鞋"),
        ("蓝色", "colour", "蓝色"),
        ("要蓝的", "colour", "蓝色"),
        ("浅蓝", "colour", "浅蓝色"),
        ("米白的有吗", "colour", "米白色"),
        ("藏青", "colour", "藏青色"),
        ("顺丰", "carrier", "顺丰速运"),
        ("能发EMS吗", "carrier", "中国邮政EMS"),
        ("能发ems吗", "carrier", "中国邮政EMS"),
        ("邮政", "carrier", "中国邮政EMS"),
        ("中通", "carrier", "中通快递"),
    ],
)
def test_phrases_map_to_canonical_values(
    gazetteer: Gazetteer, text: str, entity: str, value: str
) -> None:
    assert [(m.entity, m.value) for m in gazetteer.find(text)] == [(entity, value)]


@pytest.mark.parametrize(
    ("text", "phrase", "value"),
    [
        ("浅蓝色的牛仔裤", "浅蓝色", "浅蓝色"),
        ("深蓝色", "深蓝色", "深蓝色"),
        ("儿童运动鞋", "儿童运动鞋", "儿童运动鞋"),
        ("运动鞋", "运动鞋", "女士跑步鞋"),
        ("儿童羽绒服", "儿童羽绒服", "儿童羽绒服"),
        ("中国邮政EMS", "中国邮政EMS", "中国邮政EMS"),
        ("新疆维吾尔自治区", "新疆维吾尔自治区", "新疆"),
        ("港澳台", "港澳台", "港澳台"),
    ],
)
def test_longest_match_wins(gazetteer: Gazetteer, text: str, phrase: str, value: str) -> None:
    assert found(gazetteer, text)[0][1:] == (value, phrase)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("北京", "北京"),
        ("北京市", "北京"),
        ("上海", "上海"),
        ("新疆", "新疆"),
        ("乌鲁木齐", "新疆"),
        ("喀什", "新疆"),
        ("拉萨", "西藏"),
        ("西藏自治区", "西藏"),
        ("广州", "广东"),
        ("深圳", "广东"),
        ("成都", "四川"),
        ("杭州", "浙江"),
        ("内蒙古自治区", "内蒙古"),
        ("内蒙", "内蒙古"),
        ("呼和浩特", "内蒙古"),
        ("广西壮族自治区", "广西"),
        ("南宁", "广西"),
        ("宁夏回族自治区", "宁夏"),
        ("黑龙江省", "黑龙江"),
        ("香港", "香港"),
        ("澳门特别行政区", "澳门"),
        ("台北", "台湾"),
        ("港澳台", "港澳台"),
        ("海外", "海外"),
        ("国外", "海外"),
        ("美国", "海外"),
    ],
)
def test_regions_and_cities_map_to_provinces(gazetteer: Gazetteer, text: str, value: str) -> None:
    assert [(m.entity, m.value) for m in gazetteer.find(f"能发到{text}吗")] == [("region", value)]


def test_region_file_lists_every_provincial_region() -> None:
    regions = yaml.safe_load(DEFAULT_REGIONS_FILE.read_text(encoding="utf-8"))
    names = [province["name"] for province in regions["provinces"]]
    assert len(names) == len(set(names)) == 34
    shipping = yaml.safe_load((SHOP_DATA_DIR / "shipping.yml").read_text(encoding="utf-8"))
    groups = shipping["regions"]["groups"] + shipping["regions"]["no_delivery"]
    named_in_shipping = {p for group in groups for p in group["provinces"]}
    group_names = {group["name"] for group in regions["groups"]}
    assert named_in_shipping <= set(names) | group_names


def test_several_entities_in_one_message(gazetteer: Gazetteer) -> None:
    text = "浅蓝色的高腰牛仔裤和粉的小白鞋 发顺丰到乌鲁木齐"
    assert found(gazetteer, text) == [
        ("colour", "浅蓝色", "浅蓝色"),
        ("product", "高腰牛仔裤", "高腰牛仔裤"),
        ("colour", "粉色", "粉的"),
        ("product", "小白鞋", "小白鞋"),
        ("carrier", "顺丰速运", "顺丰"),
        ("region", "新疆", "乌鲁木齐"),
    ]
    for match in gazetteer.find(text):
        assert text[match.start : match.end] == match.text


@pytest.mark.parametrize(
    "text",
    ["", "你好", "好的我明白的", "有红包吗", "蓝牙耳机", "items", "systems", "上了黑名单", "蓝"],
)
def test_no_false_matches(gazetteer: Gazetteer, text: str) -> None:
    assert gazetteer.find(text) == []


def test_shadow_entries_are_never_reported(gazetteer: Gazetteer) -> None:
    assert SHADOW_ENTITY in {entry.entity for entry in gazetteer.entries}
    assert all(match.entity != SHADOW_ENTITY for match in gazetteer.find("明白 空白 蓝牙 拉黑"))


def test_round_trip_through_json_gives_identical_results(gazetteer: Gazetteer) -> None:
    restored = Gazetteer.from_dict(json.loads(json.dumps(gazetteer.to_dict(), ensure_ascii=False)))
    assert restored.entries == gazetteer.entries
    messages = ["浅蓝色的碎花裙", "发EMS到拉萨", "蓝的大衣 顺丰 深圳", "我明白的", "童鞋 国外"]
    for message in messages:
        assert restored.find(message) == gazetteer.find(message)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"format": 99, "entries": []},
        {"format": 1},
        {"format": 1, "entries": [{"entity": "product"}]},
        {"format": 1, "entries": [{"entity": "product", "value": "x", "phrases": [""]}]},
        ["not", "a", "mapping"],
    ],
)
def test_from_dict_rejects_malformed_data(data: object) -> None:
    with pytest.raises(ShopDataError):
        Gazetteer.from_dict(data)  # type: ignore[arg-type]


def test_a_phrase_with_two_meanings_is_an_error() -> None:
    entries = [
        GazetteerEntry("product", "碎花连衣裙", ("碎花裙",)),
        GazetteerEntry("product", "碎花半身裙", ("碎花裙",)),
    ]
    with pytest.raises(ShopDataError, match="碎花裙"):
        Gazetteer.from_entries(entries)


def test_an_empty_gazetteer_finds_nothing() -> None:
    assert Gazetteer.from_entries([]).find("碎花连衣裙") == []


# --- catalogue entries from the shop's files ------------------------------------------------


@pytest.fixture
def shop_copy(tmp_path: Path) -> Path:
    target = tmp_path / "shop"
    shutil.copytree(SHOP_DATA_DIR, target)
    return target


def _edit_yaml(path: Path, edit: Callable[[Any], object]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_a_modified_catalogue_changes_the_result(shop_copy: Path) -> None:
    assert Gazetteer.from_entries(catalogue_entries(shop_copy)).find("仙女裙") == []

    def add_alias_and_colour(data: dict) -> None:
        dress = data["products"][0]
        dress["aliases"].append("仙女裙")
        dress["skus"].append({"colour": "薄荷绿色", "size": "M", "stock": 1})

    _edit_yaml(shop_copy / "products.yml", add_alias_and_colour)
    _edit_yaml(
        shop_copy / "shipping.yml",
        lambda data: data["carriers"].append({"name": "韵达快递", "aliases": ["韵达"]}),
    )
    gazetteer = Gazetteer.from_entries(catalogue_entries(shop_copy))
    assert found(gazetteer, "仙女裙有薄荷绿的吗 发韵达") == [
        ("product", "碎花连衣裙", "仙女裙"),
        ("colour", "薄荷绿色", "薄荷绿的"),
        ("carrier", "韵达快递", "韵达"),
    ]


def test_colour_short_forms_follow_the_rule(shop_copy: Path) -> None:
    colours = {e.value: e.phrases for e in catalogue_entries(shop_copy) if e.entity == "colour"}
    assert colours["蓝色"] == ("蓝色", "蓝的")  # a one-character stem only with 的
    assert colours["浅蓝色"] == ("浅蓝色", "浅蓝", "浅蓝的")
    assert set(colours) == {
        "蓝色", "粉色", "黑色", "驼色", "浅蓝色", "深蓝色", "米白色", "灰色", "白色",
        "红色", "黄色", "藏青色", "白绿色", "棕色",
    }  # fmt: skip


def test_a_short_form_claimed_elsewhere_is_dropped(shop_copy: Path) -> None:
    products = shop_copy / "products.yml"
    _edit_yaml(products, lambda data: data["products"][0]["aliases"].append("浅蓝"))
    colours = {e.value: e.phrases for e in catalogue_entries(shop_copy) if e.entity == "colour"}
    assert colours["浅蓝色"] == ("浅蓝色", "浅蓝的")


def test_a_shadow_word_that_is_a_colour_stays_a_colour(shop_copy: Path) -> None:
    products = shop_copy / "products.yml"
    _edit_yaml(products, lambda data: data["products"][0]["skus"].append({"colour": "黑白色"}))
    gazetteer = Gazetteer.from_entries(catalogue_entries(shop_copy))
    assert found(gazetteer, "要黑白的") == [("colour", "黑白色", "黑白的")]
    assert found(gazetteer, "黑白") == [("colour", "黑白色", "黑白")]


def test_missing_shop_files_raise_shop_data_error(tmp_path: Path) -> None:
    with pytest.raises(ShopDataError) as raised:
        catalogue_entries(tmp_path)
    assert isinstance(raised.value.__cause__, OSError)


def test_malformed_yaml_raises_shop_data_error(shop_copy: Path) -> None:
    (shop_copy / "products.yml").write_text("products: [unclosed", encoding="utf-8")
    with pytest.raises(ShopDataError) as raised:
        catalogue_entries(shop_copy)
    assert isinstance(raised.value.__cause__, yaml.YAMLError)


@pytest.mark.parametrize(
    "content",
    [
        "just text",
        "products: {W101: 碎花连衣裙}",
        "products: [{id: W101, aliases: [碎花裙]}]",
        "products: [{name: 碎花连衣裙, aliases: 碎花裙 连衣裙}]",
        "products: [{name: 碎花连衣裙, skus: [{size: M}]}]",
    ],
)
def test_unexpected_structure_raises_shop_data_error(shop_copy: Path, content: str) -> None:
    (shop_copy / "products.yml").write_text(content, encoding="utf-8")
    with pytest.raises(ShopDataError):
        catalogue_entries(shop_copy)
