"""Etiquette as code: the rules of ETIQUETTE.md as data, and a checker for replies.

Usage::

    checker = EtiquetteChecker.default()  # reads rules.yml: build once and keep it
    checker.check("你要哪个颜色?")        # [Violation(rule_id="E1", ...)]
    checker.suggest_fix("你要哪个颜色?")  # "您要哪个颜色?"
"""

from bot.errors import EtiquetteRulesError
from bot.etiquette.checker import EtiquetteChecker, Violation
from bot.etiquette.rules import (
    DEFAULT_RULES_PATH,
    Rewrite,
    Rule,
    RuleKind,
    load_rules,
    parse_rules,
)

__all__ = [
    "DEFAULT_RULES_PATH",
    "EtiquetteChecker",
    "EtiquetteRulesError",
    "Rewrite",
    "Rule",
    "RuleKind",
    "Violation",
    "load_rules",
    "parse_rules",
]
