"""Every text the assistant can send follows the etiquette rules (ETIQUETTE.md).

Texts come from three places, read at test time so that new wording is checked the moment
it is written:

- the response templates in ``domain.yml`` (texts and button titles); greetings are also
  checked as a conversation's first reply (E2);
- the shop's data in ``data/shop/*.yml``, which replies quote (FAQ answers, return and
  shipping rules, promotions, products' fit notes, material and care);
- the gateway's own buyer-facing texts in ``bot/gateway/messages.yml``, when present.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.etiquette import EtiquetteChecker
from bot.settings import PROJECT_ROOT

MIN_TEXTS = 20
# Buyer vocabulary (what buyers type to name a product), never sent in a reply.
NOT_SENT_KEYS = frozenset({"aliases"})


@dataclass(frozen=True)
class SentText:
    """A text the assistant may send, where it is written, and whether it opens a chat."""

    source: str
    text: str
    first_reply: bool = False


def _read_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _string_leaves(node: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, str):
        yield where, node
    elif isinstance(node, dict):
        for key, value in node.items():
            if key not in NOT_SENT_KEYS:
                yield from _string_leaves(value, f"{where}.{key}" if where else str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _string_leaves(value, f"{where}[{index}]")


def _opens_conversation(response_name: str) -> bool:
    # A greeting may be the first thing a buyer reads (E2); "utter_greet_again" answers a
    # buyer who greets in the middle of a conversation, so it need not introduce the bot.
    return response_name.startswith("utter_greet") and not response_name.endswith("_again")


def domain_texts(domain_path: Path) -> list[SentText]:
    """Response texts and button titles of a Rasa 3 domain file."""
    responses = (_read_yaml(domain_path) or {}).get("responses") or {}
    texts: list[SentText] = []
    for name, variants in responses.items():
        for n, variant in enumerate(variants or []):
            where = f"{domain_path.name}:{name}[{n}]"
            if isinstance(variant.get("text"), str):
                texts.append(SentText(f"{where}.text", variant["text"]))
                if _opens_conversation(name):
                    texts.append(SentText(f"{where}.text", variant["text"], first_reply=True))
            for b, button in enumerate(variant.get("buttons") or []):
                if isinstance(button.get("title"), str):
                    texts.append(SentText(f"{where}.buttons[{b}].title", button["title"]))
    return texts


def yaml_string_texts(path: Path, root: Path) -> list[SentText]:
    """Every string leaf of a YAML file, named ``relative/path.yml:key.path``."""
    label = path.relative_to(root).as_posix()
    return [
        SentText(f"{label}:{where}", text)
        for where, text in _string_leaves(_read_yaml(path), "")
        if text.strip()
    ]


def collect_sent_texts(root: Path) -> list[SentText]:
    """Every text the assistant can send, from the project at ``root``."""
    texts = domain_texts(root / "domain.yml")
    for path in sorted((root / "data" / "shop").glob("*.yml")):
        texts.extend(yaml_string_texts(path, root))
    messages = root / "bot" / "gateway" / "messages.yml"
    if messages.exists():
        texts.extend(yaml_string_texts(messages, root))
    return texts


@pytest.fixture(scope="module")
def checker() -> EtiquetteChecker:
    return EtiquetteChecker.default()


def _violations(checker: EtiquetteChecker, texts: list[SentText]) -> list[str]:
    problems = []
    for sent in texts:
        found = checker.check(sent.text, first_reply=sent.first_reply)
        if found:
            rules = ", ".join(f"{v.rule_id} «{v.excerpt}»" for v in found)
            kind = " (as first reply)" if sent.first_reply else ""
            problems.append(f"{sent.source}{kind}: {sent.text!r} -> {rules}")
    return problems


def test_every_sent_text_follows_etiquette(checker: EtiquetteChecker) -> None:
    texts = collect_sent_texts(PROJECT_ROOT)
    assert len(texts) >= MIN_TEXTS, f"only {len(texts)} texts collected: is a source missing?"
    problems = _violations(checker, texts)
    assert not problems, "texts breaking the etiquette rules:\n" + "\n".join(problems)


def test_collection_finds_every_kind_of_text(tmp_path: Path, checker: EtiquetteChecker) -> None:
    # The collector itself must see texts, buttons, greetings, shop data and gateway
    # messages, or the test above could pass by looking at nothing.
    (tmp_path / "domain.yml").write_text(
        "version: '3.1'\n"
        "responses:\n"
        "  utter_greet:\n"
        "    - text: 有什么事?\n"
        "      buttons:\n"
        "        - {title: 你要查库存吗, payload: /ask_stock}\n"
        "  utter_stock_out:\n"
        "    - text: 没有这款了。\n",
        encoding="utf-8",
    )
    (tmp_path / "data" / "shop").mkdir(parents=True)
    (tmp_path / "data" / "shop" / "faq.yml").write_text(
        "invoice: 这不是我们的问题\nproducts: [{aliases: [你们家裙子]}]\n", encoding="utf-8"
    )
    (tmp_path / "bot" / "gateway").mkdir(parents=True)
    (tmp_path / "bot" / "gateway" / "messages.yml").write_text(
        "busy: 保证马上回复\n", encoding="utf-8"
    )

    texts = collect_sent_texts(tmp_path)
    problems = _violations(checker, texts)

    assert [(t.source, t.first_reply) for t in texts] == [
        ("domain.yml:utter_greet[0].text", False),
        ("domain.yml:utter_greet[0].text", True),
        ("domain.yml:utter_greet[0].buttons[0].title", False),
        ("domain.yml:utter_stock_out[0].text", False),
        ("data/shop/faq.yml:invoice", False),
        ("bot/gateway/messages.yml:busy", False),
    ]
    assert len(problems) == 5  # every text but the plain utter_greet breaks a rule
    assert any("as first reply" in p and "E2" in p for p in problems)
