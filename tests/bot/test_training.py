from __future__ import annotations

from pathlib import Path

from bot.training import fingerprint


def _project(root: Path) -> Path:
    (root / "data" / "nlu").mkdir(parents=True)
    (root / "config.yml").write_text("language: zh\n", encoding="utf-8")
    (root / "data" / "nlu" / "greet.yml").write_text("- 你好\n", encoding="utf-8")
    return root


def test_fingerprint_is_stable(tmp_path: Path) -> None:
    root = _project(tmp_path)
    assert fingerprint(root) == fingerprint(root)


def test_fingerprint_changes_with_data_and_config(tmp_path: Path) -> None:
    root = _project(tmp_path)
    before = fingerprint(root)
    (root / "data" / "nlu" / "greet.yml").write_text("- 您好\n", encoding="utf-8")
    after_data = fingerprint(root)
    (root / "config.yml").write_text("language: en\n", encoding="utf-8")
    after_config = fingerprint(root)
    assert len({before, after_data, after_config}) == 3


def test_fingerprint_changes_when_a_file_is_renamed(tmp_path: Path) -> None:
    root = _project(tmp_path)
    before = fingerprint(root)
    (root / "data" / "nlu" / "greet.yml").rename(root / "data" / "nlu" / "hello.yml")
    assert fingerprint(root) != before


def test_fingerprint_ignores_bytecode_caches(tmp_path: Path) -> None:
    root = _project(tmp_path)
    before = fingerprint(root)
    cache = root / "data" / "__pycache__"
    cache.mkdir()
    (cache / "x.cpython-310.pyc").write_bytes(b"\0")
    assert fingerprint(root) == before
