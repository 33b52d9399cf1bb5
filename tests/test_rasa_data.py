"""The Rasa project files: `rasa data validate` is clean, responses and code agree."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.answers.faq import FAQ_TOPICS
from bot.settings import PROJECT_ROOT
from tests.support.rasa_cli import run_rasa

RESPONSE_NAME = re.compile(r"\butter_[a-z_]+\b")
RESPONSE_LITERAL = re.compile(r"[\"'](utter_[a-z_]+)[\"']")  # a name in quotes, in Python
UNUSED_IN_STORIES = re.compile(r"The utterance '(utter_[a-z_]+)' is not used in any story")


def _domain_responses() -> set[str]:
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    return set(domain["responses"])


def _responses_named_in_code() -> set[str]:
    names: set[str] = set()
    for folder in ("actions", "bot/answers"):
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            names |= set(RESPONSE_LITERAL.findall(path.read_text(encoding="utf-8")))
    return names | {f"utter_faq_{topic}" for topic in FAQ_TOPICS}


def test_every_response_the_code_sends_exists() -> None:
    missing = _responses_named_in_code() - _domain_responses()
    assert not missing, f"code sends responses that domain.yml lacks: {sorted(missing)}"


def test_every_response_is_sent_by_code_or_rules() -> None:
    rules = (PROJECT_ROOT / "data" / "stories" / "rules.yml").read_text(encoding="utf-8")
    used = _responses_named_in_code() | set(RESPONSE_NAME.findall(rules))
    unused = _domain_responses() - used
    assert not unused, f"responses nothing sends: {sorted(unused)}"


def test_rasa_data_validate_is_clean() -> None:
    result = run_rasa(
        "data",
        "validate",
        "--domain",
        "domain.yml",
        "--data",
        "data/nlu",
        "data/stories",
        "--config",
        "config.yml",
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    code_sent = _responses_named_in_code()
    problems = []
    for line in output.splitlines():
        if "UserWarning" not in line and " ERROR " not in line:
            continue
        unused = UNUSED_IN_STORIES.search(line)
        # Responses sent only by custom actions are "unused in stories" by design.
        if unused and unused.group(1) in code_sent:
            continue
        problems.append(line.strip())
    assert not problems, "\n".join(problems)


def test_nlu_files_one_per_intent() -> None:
    for path in sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        intents = {block["intent"] for block in data["nlu"] if "intent" in block}
        assert intents == {path.stem}, f"{path.name} holds {intents}"


def test_fixed_intents_have_enough_examples() -> None:
    for intent in (
        "ask_stock",
        "ask_size",
        "ask_shipping",
        "ask_return",
        "ask_discount",
        "request_human",
    ):
        data = yaml.safe_load(
            Path(PROJECT_ROOT / "data" / "nlu" / f"{intent}.yml").read_text(encoding="utf-8")
        )
        examples = [e for e in data["nlu"][0]["examples"].splitlines() if e.strip()]
        assert len(examples) >= 60, f"{intent} has only {len(examples)} examples"
