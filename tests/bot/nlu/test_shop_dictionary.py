"""The Jieba user dictionary of shop words (bot.nlu.shop_dictionary)."""

from __future__ import annotations

import random
from pathlib import Path

import jieba
import pytest

from bot.nlu.catalogue_entries import catalogue_entries
from bot.nlu.gazetteer import SHADOW_ENTITY, GazetteerEntry
from bot.nlu.shop_dictionary import DICTIONARY_FILE, write_jieba_dictionary

SHOP_DATA_DIR = Path(__file__).resolve().parents[3] / "data" / "shop"


@pytest.fixture(scope="module")
def shop_entries() -> tuple[GazetteerEntry, ...]:
    return tuple(catalogue_entries(SHOP_DATA_DIR))


def read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_writes_word_frequency_tag_lines(
    shop_entries: tuple[GazetteerEntry, ...], tmp_path: Path
) -> None:
    path = write_jieba_dictionary(shop_entries, tmp_path / "jieba")
    assert path == tmp_path / "jieba" / DICTIONARY_FILE
    lines = read_lines(path)
    for expected in [
        "碎花连衣裙 2000 nz",
        "碎花裙 2000 nz",
        "浅蓝色 2000 n",
        "浅蓝 2000 n",
        "顺丰速运 2000 nt",
        "顺丰 2000 nt",
        "中国邮政EMS 2000 nt",
        "乌鲁木齐 2000 ns",
        "新疆维吾尔自治区 2000 ns",
        "港澳台 2000 ns",
    ]:
        assert expected in lines
    assert all(len(line.split()) == 3 for line in lines)


def test_words_are_sorted_and_unique(
    shop_entries: tuple[GazetteerEntry, ...], tmp_path: Path
) -> None:
    words = [line.split()[0] for line in read_lines(write_jieba_dictionary(shop_entries, tmp_path))]
    assert words == sorted(set(words))


def test_leaves_out_particles_single_characters_and_shadow_words(
    shop_entries: tuple[GazetteerEntry, ...], tmp_path: Path
) -> None:
    words = {line.split()[0] for line in read_lines(write_jieba_dictionary(shop_entries, tmp_path))}
    assert "蓝的" not in words  # two words: 蓝 / 的
    shadows = {p for e in shop_entries if e.entity == SHADOW_ENTITY for p in e.phrases}
    assert shadows and not shadows & words
    assert all(len(word) >= 2 for word in words)


def test_output_does_not_depend_on_entry_order(
    shop_entries: tuple[GazetteerEntry, ...], tmp_path: Path
) -> None:
    shuffled = list(shop_entries)
    random.Random(7).shuffle(shuffled)
    first = write_jieba_dictionary(shop_entries, tmp_path / "a").read_bytes()
    second = write_jieba_dictionary(shuffled, tmp_path / "b").read_bytes()
    assert first == second


def test_a_word_under_two_entities_gets_one_deterministic_tag(tmp_path: Path) -> None:
    entries = [
        GazetteerEntry("region", "吉林", ("吉林",)),
        GazetteerEntry("product", "吉林", ("吉林",)),
        GazetteerEntry("mystery", "空 格", ("空 格", "奇物")),
    ]
    lines = read_lines(write_jieba_dictionary(entries, tmp_path))
    assert lines == ["吉林 2000 nz", "奇物 2000 nz"]


def test_jieba_keeps_shop_words_whole(
    shop_entries: tuple[GazetteerEntry, ...], tmp_path: Path
) -> None:
    tokenizer = jieba.Tokenizer()  # a fresh tokenizer, not jieba's global one
    tokenizer.load_userdict(str(write_jieba_dictionary(shop_entries, tmp_path)))
    tokens = tokenizer.lcut("我想买浅蓝色的高腰牛仔裤和碎花连衣裙 发中国邮政EMS到乌鲁木齐")
    for word in ["浅蓝色", "高腰牛仔裤", "碎花连衣裙", "乌鲁木齐"]:
        assert word in tokens
