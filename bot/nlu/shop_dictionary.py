"""A Jieba user dictionary of the shop's words, so the tokenizer keeps them whole.

Rasa's ``JiebaTokenizer`` loads every file in its ``dictionary_path`` folder; without
these words Jieba may cut 碎花连衣裙 into 碎花 / 连衣裙 or 乌鲁木齐 into pieces, and an
entity would then not line up with token boundaries.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bot.nlu.gazetteer import SHADOW_ENTITY, GazetteerEntry

DICTIONARY_FILE = "shop_words.txt"
# High enough that Jieba prefers the whole word over any split of it.
WORD_FREQUENCY = 2000
# Jieba/ICTCLAS part-of-speech tags: nz other proper noun, n noun, nt organisation,
# ns place name.
POS_TAGS = {"product": "nz", "colour": "n", "carrier": "nt", "region": "ns"}
DEFAULT_POS_TAG = "nz"


def write_jieba_dictionary(entries: Iterable[GazetteerEntry], out_dir: Path) -> Path:
    """Write ``word freq pos`` lines for every entry's value and phrases, sorted by word.

    Single characters are left out (Jieba keeps those anyway), as are phrases with spaces
    (the format cannot hold them) and phrases ending in the particle 的 (蓝的 is two
    words). A word listed under several entities gets the tag of the first entity in
    sorted order, so the file depends only on the entries, not on their order.

    Args:
        entries: Gazetteer entries, e.g. from :func:`bot.nlu.catalogue_entries.catalogue_entries`.
        out_dir: The folder to write into (created if missing); give Jieba this folder.

    Returns:
        The path of the dictionary file.
    """
    tags: dict[str, str] = {}
    for entry in sorted(entries, key=lambda e: (e.entity, e.value)):
        if entry.entity == SHADOW_ENTITY:
            continue
        for word in (entry.value, *entry.phrases):
            if _is_dictionary_word(word):
                tags.setdefault(word, POS_TAGS.get(entry.entity, DEFAULT_POS_TAG))
    lines = [f"{word} {WORD_FREQUENCY} {tags[word]}\n" for word in sorted(tags)]
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / DICTIONARY_FILE
    with path.open("w", encoding="utf-8", newline="\n") as file:
        file.writelines(lines)
    return path


def _is_dictionary_word(word: str) -> bool:
    return len(word) >= 2 and not any(char.isspace() for char in word) and not word.endswith("的")
