"""NluData on copies of the real project data: reading, adding, file edits, atomicity."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import yaml

from bot.trainer.errors import TrainerDataError
from bot.trainer.nlu_data import NluData, normalise, plain_text, sort_texts
from bot.trainer.yaml_files import with_block_examples, with_list_item, write_atomic

ENTITIES = ("product", "colour", "size", "order_id")


def _block_examples(path: Path, list_key: str = "nlu") -> list[str]:
    blocks = yaml.safe_load(path.read_text(encoding="utf-8"))[list_key]
    assert len(blocks) == 1
    return [line[2:] for line in blocks[0]["examples"].splitlines()]


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_reads_every_example_of_the_real_data(project: Path) -> None:
    data = NluData(project)
    for path in sorted((project / "data" / "nlu").glob("*.yml")):
        assert data.counts()[path.stem] == len(_block_examples(path))
    assert len(data.examples()) == sum(data.counts().values())
    assert data.intents_in_domain()[-1] == "out_of_scope"
    stock = next(e for e in data.examples() if e.text.startswith("这个[碎花连衣裙](product)"))
    assert stock.intent == "ask_stock"
    assert stock.plain == "这个碎花连衣裙还有蓝色M码吗"


def test_sentiment_is_read_as_the_sentiment_model_reads_it(project: Path) -> None:
    from bot.sentiment.data import load_examples

    expected: dict[str, list[str]] = {}
    for example in load_examples(project / "data" / "sentiment"):
        expected.setdefault(example.label, []).append(example.text)
    assert NluData(project).sentiment_examples() == expected


def test_add_to_an_existing_intent_sorts_and_keeps_every_example(project: Path) -> None:
    path = project / "data" / "nlu" / "ask_stock.yml"
    before = _block_examples(path)
    result = NluData(project).add("ask_stock", "  [蓝色](colour)的[M](size)码\n还有吗 ")
    assert (result.file, result.added, result.new_intent) == (path, True, False)
    after = _block_examples(path)
    assert set(after) == set(before) | {"[蓝色](colour)的[M](size)码 还有吗"}
    assert after == sort_texts(after)
    assert path.read_text(encoding="utf-8").startswith(
        'version: "3.1"\nnlu:\n  - intent: ask_stock\n    examples: |\n      - '
    )
    assert NluData(project).counts()["ask_stock"] == len(before) + 1


def test_rasa_reads_back_every_example_with_intent_and_entities(project: Path) -> None:
    from rasa.shared.nlu.training_data.loading import load_data

    path = project / "data" / "nlu" / "ask_stock.yml"
    data = NluData(project)
    data.add("ask_stock", '[蓝色](colour)的[M](size)码还有吗 #亲: "急"💪')
    data.add("ask_stock", '[藍色]{"entity": "colour", "value": "蓝色"}有吗')
    read = load_data(str(path)).training_examples
    ours = [e for e in NluData(project).examples() if e.intent == "ask_stock"]
    assert [(m.get("text"), m.get("intent")) for m in read] == [(e.plain, e.intent) for e in ours]
    entities = {m.get("text"): m.get("entities") for m in read}
    assert entities['蓝色的M码还有吗 #亲: "急"💪'] == [
        {"start": 0, "end": 2, "value": "蓝色", "entity": "colour"},
        {"start": 3, "end": 4, "value": "M", "entity": "size"},
    ]
    assert entities["藍色有吗"] == [{"start": 0, "end": 2, "value": "蓝色", "entity": "colour"}]
    annotated = sum(e.text.count("](") + e.text.count("]{") for e in ours)
    assert sum(len(m.get("entities") or []) for m in read) == annotated


def test_header_comments_are_kept(project: Path) -> None:
    path = project / "data" / "nlu" / "ask_size.yml"
    header = "# Size questions. Heights in cm, weights in 斤.\n# Second line.\n"
    path.write_text(header + path.read_text(encoding="utf-8"), encoding="utf-8")
    NluData(project).add("ask_size", "我165穿多大")
    text = path.read_text(encoding="utf-8")
    assert text.startswith(header + 'version: "3.1"\nnlu:\n')
    assert "我165穿多大" in _block_examples(path)


def test_traditional_and_width_variants_are_duplicates(project: Path) -> None:
    path = project / "data" / "nlu" / "ask_stock.yml"
    before = path.read_bytes()
    data = NluData(project)
    assert "有货吗" in [e.text for e in data.examples() if e.intent == "ask_stock"]
    for variant in ("有貨嗎", " 有货吗\n", "有貨嗎"):
        result = data.add("ask_stock", variant)
        assert not result.added
    assert not data.add("inform", "要[ＸＬ](size)的").added  # full width: NFKC makes it XL
    assert path.read_bytes() == before  # a duplicate does not even rewrite the file


def test_new_intent_gets_a_file_and_a_domain_entry(project: Path) -> None:
    domain = project / "domain.yml"
    old_domain = domain.read_text(encoding="utf-8")
    result = NluData(project).add("ask_warranty", "保修多久")
    assert result.added and result.new_intent
    assert result.file.read_text(encoding="utf-8") == (
        'version: "3.1"\nnlu:\n  - intent: ask_warranty\n    examples: |\n      - 保修多久\n'
    )
    assert domain.read_text(encoding="utf-8") == old_domain.replace(
        "  - out_of_scope\n", "  - out_of_scope\n  - ask_warranty\n", 1
    )
    again = NluData(project).add("ask_warranty", "质保几年")
    assert again.added and not again.new_intent
    assert _block_examples(result.file) == ["保修多久", "质保几年"]


@pytest.mark.parametrize(
    "intent",
    [
        "",
        "a",
        "A",
        "Ask_size",
        "ask-size",
        "ask size",
        "1ask",
        "_ask",
        "问尺码",
        "x" * 65,
        "nlu_fallback",
        "session_start",
        "restart",
    ],  # fmt: skip
)
def test_bad_intent_names_are_refused(project: Path, intent: str) -> None:
    before = _snapshot(project)
    with pytest.raises(TrainerDataError) as error:
        NluData(project).add(intent, "你好")
    assert error.value.code == "bad_intent"
    assert _snapshot(project) == before


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "bad_text"),
        (" \n\t ", "bad_text"),
        ("好" * 501, "bad_text"),
        ("有\x00货", "bad_text"),
        ("有\x1b[0m货", "bad_text"),
        ("[蓝色](colour有吗", "bad_annotation"),
        ("[蓝色](flavour)有吗", "bad_annotation"),
        ("[](colour)有吗", "bad_annotation"),
        ("[[蓝](colour)色](colour)有吗", "bad_annotation"),
        ('[蓝色]{"entity": }有吗', "bad_annotation"),
        ('[蓝色]{"value": "蓝"}有吗', "bad_annotation"),
        ("[微笑][微笑]", "bad_annotation"),  # Rasa would read it as "微笑"
    ],
)
def test_bad_texts_are_refused(project: Path, text: str, code: str) -> None:
    before = _snapshot(project)
    with pytest.raises(TrainerDataError) as error:
        NluData(project).add("ask_stock", text)
    assert error.value.code == code
    assert _snapshot(project) == before


def test_accepted_texts() -> None:
    assert plain_text("好" * 500, ENTITIES) == "好" * 500
    assert plain_text("[微笑]好的 [大哭]", ENTITIES) == "[微笑]好的 [大哭]"  # emoticon codes
    assert plain_text("[藍色](colour:蓝色)有吗", ENTITIES) == "藍色有吗"
    assert plain_text('[蓝]{"entity": "colour", "role": "x"}有吗', ENTITIES) == "蓝有吗"
    assert normalise("  有貨嗎 ＸＬ\u200b  碼 ") == "有货吗 xl 码"


def test_sentiment_is_added_plain_sorted_and_deduplicated(project: Path) -> None:
    path = project / "data" / "sentiment" / "negative.yml"
    header = path.read_text(encoding="utf-8").splitlines(keepends=True)[0]
    assert header.startswith("#")
    data = NluData(project)
    result = data.add_sentiment("negative", "[蓝色](colour)的怎么还没到，气死了")
    assert result.added and result.file == path
    examples = _block_examples(path, "sentiment")
    assert "蓝色的怎么还没到，气死了" in examples and examples == sort_texts(examples)
    assert path.read_text(encoding="utf-8").startswith(header + 'version: "1"\nsentiment:\n')
    before = path.read_bytes()
    assert not data.add_sentiment("negative", "藍色的怎麼還沒到，氣死了").added
    assert path.read_bytes() == before
    with pytest.raises(TrainerDataError) as error:
        data.add_sentiment("angry", "气死了")
    assert error.value.code == "bad_label"


MIXED_FILE = """\
# Hand-written: several blocks in one file.
version: "3.1"
nlu:
- intent: ask_stock
  examples: |
    - 有货吗
- synonym: 蓝色
  examples: |
    - 藍色
# lookup of cities
- lookup: city
  examples: |
    - 上海
- intent: ask_stock
  examples: |
    - 还有吗
- regex: order_id
  examples: |
    - \\d{12}
  # the end of the list
responses:
  utter_ok:
    - text: 好的
"""


def test_other_blocks_keys_and_comments_are_kept(project: Path) -> None:
    path = project / "data" / "nlu" / "ask_stock.yml"
    path.write_text(MIXED_FILE, encoding="utf-8")
    NluData(project).add("ask_stock", "有现货吗")
    assert path.read_text(encoding="utf-8") == MIXED_FILE.replace(
        "    - 有货吗\n", "    - 有现货吗\n    - 有货吗\n    - 还有吗\n"
    ).replace("- intent: ask_stock\n  examples: |\n    - 还有吗\n", "")


def test_a_block_with_other_keys_is_not_rewritten(project: Path) -> None:
    path = project / "data" / "nlu" / "ask_stock.yml"
    text = 'version: "3.1"\nnlu:\n  - intent: ask_stock\n    metadata: {a: 1}\n'
    path.write_text(text + "    examples: |\n      - 有货吗\n", encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(TrainerDataError, match="other keys"):
        NluData(project).add("ask_stock", "有现货吗")
    assert path.read_bytes() == before


def test_yaml_edits_refuse_shapes_they_cannot_edit_safely() -> None:
    with pytest.raises(TrainerDataError, match="block"):
        with_list_item("intents: [a, b]\n", "intents", "c", "domain.yml")
    with pytest.raises(TrainerDataError, match="block"):
        with_block_examples("nlu: [{intent: a, examples: '- x'}]\n", "nlu", "intent", "a", [], "f")
    assert with_list_item("version: '3.1'\n", "intents", "c", "d") == (
        "version: '3.1'\nintents:\n  - c\n"
    )


def test_a_failure_while_writing_leaves_the_original_file(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = project / "data" / "nlu"
    path = folder / "ask_stock.yml"
    before, names = path.read_bytes(), sorted(p.name for p in folder.iterdir())

    def disk_full(_fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("bot.trainer.yaml_files.os.fsync", disk_full)
    with pytest.raises(TrainerDataError) as error:
        NluData(project).add("ask_stock", "有现货吗")
    assert error.value.code == "write_failed"
    assert path.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == names  # no temporary file left


def test_text_that_cannot_be_encoded_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "x.yml"
    path.write_text("old\n", encoding="utf-8")
    path.chmod(0o640)
    with pytest.raises(TrainerDataError):
        write_atomic(path, "new " * 10_000 + "\ud800")  # a lone surrogate: UTF-8 fails
    assert path.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["x.yml"]
    write_atomic(path, "new\n")
    assert path.read_text(encoding="utf-8") == "new\n"
    assert path.stat().st_mode & 0o777 == 0o640  # the file's mode is kept


def test_concurrent_adds_lose_nothing(project: Path) -> None:
    texts = [[f"第{n}件{side}还有吗" for n in range(6)] for side in ("左", "右")]

    def add_all(batch: list[str]) -> None:
        data = NluData(project)
        for text in batch:
            assert data.add("ask_stock", text).added

    threads = [threading.Thread(target=add_all, args=(batch,)) for batch in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    examples = _block_examples(project / "data" / "nlu" / "ask_stock.yml")
    assert set(texts[0] + texts[1]) <= set(examples)
