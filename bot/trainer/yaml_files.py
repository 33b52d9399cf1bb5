"""Readable, atomic edits of the project's YAML files (NLU and sentiment data, the domain).

Edits are made on the text, not by dumping parsed YAML: everything outside the one block
that changes (comments, other blocks, other keys) stays byte-identical. Every edit is
checked by parsing the result and comparing it with the intended data before it is
written, and files are replaced atomically (a temporary file in the same folder, fsync,
``os.replace``), so a crash leaves the old file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from bot.trainer.errors import TrainerDataError

NEW_FILE_MODE = 0o644
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built with it


def read_yaml(path: Path) -> Any:
    """The parsed content of ``path`` (``None`` for an empty file)."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise TrainerDataError(f"cannot read {path}: {err}") from err


def read_blocks(
    folder: Path, root: Path, keys: tuple[str, str], suffixes: tuple[str, ...]
) -> list[tuple[str, str]]:
    """(name, text) of every example of every block in the folder's data files, where
    ``keys`` = (list key, item key): ("nlu", "intent") or ("sentiment", "label")."""
    list_key, item_key = keys
    found: list[tuple[str, str]] = []
    for file in yaml_files(folder, suffixes):
        data = read_yaml(file)
        if data is None:
            continue
        where = file.relative_to(root).as_posix()
        if not isinstance(data, dict):
            raise TrainerDataError(f"{where}: expected a mapping at the top")
        for block in data.get(list_key) or []:
            if isinstance(block, dict) and isinstance(block.get(item_key), str):
                name = block[item_key]
                found += [(name, text) for text in example_lines(block.get("examples"), where)]
    return found


def block_texts(data: Any, block: tuple[str, str, str], where: str) -> list[str]:
    """The examples of the (list key, item key, name) blocks of one parsed file."""
    list_key, item_key, name = block
    blocks = data.get(list_key) if isinstance(data, dict) else None
    texts: list[str] = []
    for item in blocks or []:
        if isinstance(item, dict) and item.get(item_key) == name:
            texts += example_lines(item.get("examples"), where)
    return texts


def yaml_files(folder: Path, suffixes: tuple[str, ...] = (".yml", ".yaml")) -> list[Path]:
    """The data files under ``folder`` (none if it is missing), sorted; a temporary file
    of an edit in progress (``.<name>.<random>.tmp``) is never one of them."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix in suffixes and p.is_file())


def example_lines(block: object, where: str) -> list[str]:
    """The examples of an ``examples: |`` block, read as Rasa reads them."""
    if not isinstance(block, str):
        raise TrainerDataError(f"{where}: 'examples' must be a '|' block of '- text' lines")
    texts = []
    for line in block.splitlines():
        if not line.strip():
            continue
        if not line.startswith("-"):
            raise TrainerDataError(f"{where}: {line[:40]!r} is not an example line ('- text')")
        text = line[1:].strip(" \r\n")
        if text:
            texts.append(text)
    return texts


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` (flock on the directory: no lock file is made).

    Serialises the trainer's edits across threads and processes on this machine; nothing
    is added to the folder, so the model's data fingerprint is not disturbed.
    """
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8): afterwards it holds the old or the new text.

    Raises:
        TrainerDataError: the file could not be written; the old file is untouched and
            no temporary file is left behind.
    """
    mode = path.stat().st_mode & 0o777 if path.exists() else NEW_FILE_MODE
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(err, OSError | ValueError):
            raise TrainerDataError(f"cannot write {path}: {err}", "write_failed") from err
        raise
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def examples_value(texts: list[str]) -> str:
    """The value YAML reads from an ``examples: |`` block holding ``texts``."""
    return "".join(f"- {text}\n" for text in texts)


def render_block(item_key: str, name: str, texts: list[str], indent: int = 2) -> list[str]:
    """Lines of one ``- <item_key>: <name>`` list item with an ``examples: |`` block."""
    pad = " " * indent
    head = [f"{pad}- {item_key}: {name}\n", f"{pad}  examples: |\n"]
    return head + [f"{pad}    - {text}\n" for text in texts]


def new_examples_file(
    version: str, list_key: str, item_key: str, name: str, texts: list[str]
) -> str:
    """A whole data file holding one block."""
    head = f'version: "{version}"\n{list_key}:\n'
    return head + "".join(render_block(item_key, name, texts))


def with_block_examples(
    text: str, list_key: str, item_key: str, name: str, texts: list[str], where: str
) -> str:
    """``text`` with the examples of the ``<item_key>: <name>`` item under ``list_key``
    replaced by ``texts`` (other items of that name merged into the first one).

    Everything else in the file keeps its bytes. A missing item is appended to the list;
    a missing list is appended to the file. ``where`` names the file in errors.

    Raises:
        TrainerDataError: the file has a shape this edit cannot make safely.
    """
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n"
    root = _compose(text, where)
    sequence = _value_node(root, list_key)
    if sequence is None:
        new_lines = [*lines, f"{list_key}:\n", *render_block(item_key, name, texts)]
    else:
        new_lines = _edit_sequence(lines, sequence, item_key, name, texts, where)
    new_text = "".join(new_lines)
    _verify_examples(text, new_text, list_key, item_key, name, texts, where)
    return new_text


def with_list_item(text: str, key: str, value: str, where: str) -> str:
    """``text`` with ``- value`` appended to the top-level list ``key`` (same indentation).

    Raises:
        TrainerDataError: the list is not a block list this edit can extend safely.
    """
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n"
    sequence = _value_node(_compose(text, where), key)
    if sequence is None:
        new_lines = [*lines, f"{key}:\n", f"  - {value}\n"]
    else:
        if not isinstance(sequence, yaml.SequenceNode) or sequence.flow_style:
            raise TrainerDataError(f"{where}: '{key}' is not a block list; edit it by hand")
        spans = _item_spans(lines, sequence, where)
        indent, _start, stop = spans[-1]
        new_lines = [*lines[:stop], f"{' ' * indent}- {value}\n", *lines[stop:]]
    new_text = "".join(new_lines)
    expected = _load(text, where)
    expected[key] = [*(expected.get(key) or []), value]
    if _load(new_text, where) != expected:
        raise TrainerDataError(f"{where}: adding to '{key}' would change other data")
    return new_text


def _compose(text: str, where: str) -> yaml.MappingNode:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        raise TrainerDataError(f"{where}: not valid YAML: {err}") from err
    if not isinstance(root, yaml.MappingNode):
        raise TrainerDataError(f"{where}: expected a mapping at the top")
    return root


def _load(text: str, where: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise TrainerDataError(f"{where}: not valid YAML: {err}") from err
    return data if isinstance(data, dict) else {}


def _value_node(root: yaml.MappingNode, key: str) -> yaml.Node | None:
    for key_node, value_node in root.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value_node
    return None


def _edit_sequence(
    lines: list[str],
    sequence: yaml.Node,
    item_key: str,
    name: str,
    texts: list[str],
    where: str,
) -> list[str]:
    if isinstance(sequence, yaml.ScalarNode) and sequence.value == "":
        at = sequence.start_mark.line + 1  # an empty list ("nlu:" alone)
        return [*lines[:at], *render_block(item_key, name, texts), *lines[at:]]
    if not isinstance(sequence, yaml.SequenceNode) or sequence.flow_style:
        raise TrainerDataError(f"{where}: the list is not in block style; edit it by hand")
    spans = _item_spans(lines, sequence, where)
    matches = [i for i, item in enumerate(sequence.value) if _names(item, item_key, name)]
    if not matches:
        indent, _start, stop = spans[-1]
        return [*lines[:stop], *render_block(item_key, name, texts, indent), *lines[stop:]]
    new_lines = list(lines)
    for i in reversed(matches):  # later spans first, so earlier line numbers stay valid
        indent, start, stop = spans[i]
        block = render_block(item_key, name, texts, indent) if i == matches[0] else []
        new_lines[start:stop] = block
    return new_lines


def _names(item: yaml.Node, item_key: str, name: str) -> bool:
    if not isinstance(item, yaml.MappingNode):
        return False
    return any(
        isinstance(k, yaml.ScalarNode) and k.value == item_key and getattr(v, "value", None) == name
        for k, v in item.value
    )


def _item_spans(
    lines: list[str], sequence: yaml.SequenceNode, where: str
) -> list[tuple[int, int, int]]:
    """(dash indentation, first line, end line) of each list item, trailing comments and
    blank lines left out (they belong to what follows)."""
    end = sequence.end_mark.line + (1 if sequence.end_mark.column else 0)
    items = sequence.value
    spans = []
    for i, item in enumerate(items):
        start = item.start_mark.line
        line = lines[start]
        dash = line.rfind("-", 0, item.start_mark.column)
        if dash < 0 or line[:dash].strip() or line[dash + 1 : item.start_mark.column].strip():
            raise TrainerDataError(f"{where}: line {start + 1} is not a plain list item")
        stop = items[i + 1].start_mark.line if i + 1 < len(items) else min(end, len(lines))
        spans.append((dash, start, _content_stop(lines, start, stop, dash + 2)))
    return spans


def _content_stop(lines: list[str], start: int, stop: int, indent: int) -> int:
    """``stop`` moved up over blank lines and comments indented at most ``indent``
    (deeper lines may be the content of a ``|`` block)."""
    while stop > start + 1:
        line = lines[stop - 1]
        stripped = line.strip()
        depth = len(line) - len(line.lstrip(" "))
        if stripped and not (stripped.startswith("#") and depth <= indent):
            break
        stop -= 1
    return stop


def _is_block(item: object, item_key: str, name: str) -> bool:
    return isinstance(item, dict) and item.get(item_key) == name


def _verify_examples(
    old: str, new: str, list_key: str, item_key: str, name: str, texts: list[str], where: str
) -> None:
    expected = _load(old, where)
    items = list(expected.get(list_key) or [])
    block = {item_key: name, "examples": examples_value(texts)}
    same = [i for i, item in enumerate(items) if _is_block(item, item_key, name)]
    for i in same:
        if set(items[i]) - {item_key, "examples"}:
            raise TrainerDataError(
                f"{where}: the '{name}' block has other keys than examples; edit it by hand"
            )
    if same:
        items[same[0]] = block
        items = [item for i, item in enumerate(items) if i not in same[1:]]
    else:
        items.append(block)
    expected[list_key] = items
    if _load(new, where) != expected:
        raise TrainerDataError(f"{where}: rewriting the '{name}' block would change other data")
