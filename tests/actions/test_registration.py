"""The action server registers exactly the custom actions the domain declares."""

from __future__ import annotations

import yaml
from rasa_sdk.executor import ActionExecutor

from bot.settings import PROJECT_ROOT


def test_sdk_registers_exactly_the_domain_actions() -> None:
    executor = ActionExecutor()
    executor.register_package("actions")  # what `rasa_sdk --actions actions` does
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert set(executor.actions) == set(domain["actions"])
