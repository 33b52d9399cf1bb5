"""The etiquette rules as typed data, loaded and validated from ``rules.yml``.

A malformed file fails loudly with :class:`~bot.errors.EtiquetteRulesError` naming the rule
and the field, so a typo in a regular expression never silently disables a rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import yaml

from bot.errors import EtiquetteRulesError

DEFAULT_RULES_PATH = Path(__file__).resolve().parent / "rules.yml"
SUPPORTED_VERSION = 1

# Every pattern is matched case-insensitively (for Latin slang and "hello"); Chinese is
# unaffected.
_FLAGS = re.IGNORECASE
_RULE_ID = re.compile(r"E[1-9][0-9]?")
_GROUP_REFERENCE = re.compile(r"\\(\d+)|\\g<(\d+)>")
_RULE_KEYS = frozenset(
    {
        "id",
        "name",
        "kind",
        "message",
        "patterns",
        "allow",
        "unless",
        "require",
        "lead_in",
        "rewrite",
    }
)
_REWRITE_KEYS = frozenset({"replace", "advice"})
_REPLACE_KEYS = frozenset({"find", "with"})


class RuleKind(str, Enum):
    """How a rule's patterns are applied to a reply."""

    PHRASE = "phrase"
    SENTENCE_START = "sentence_start"
    WHOLE_REPLY = "whole_reply"
    FIRST_REPLY = "first_reply"


@dataclass(frozen=True)
class Rewrite:
    """One mechanical fix: replace ``find`` in an offending excerpt with ``replacement``."""

    find: re.Pattern[str]
    replacement: str


@dataclass(frozen=True)
class Rule:
    """One machine-checkable etiquette rule (see ``rules.yml`` for the meaning of fields).

    For ``sentence_start`` rules the patterns are compiled as
    ``^<lead_in>(?P<hit>pattern)`` so that the checker knows where the offending word is.
    """

    id: str
    name: str
    kind: RuleKind
    message: str
    patterns: tuple[re.Pattern[str], ...]
    allow: tuple[re.Pattern[str], ...] = ()
    unless: tuple[re.Pattern[str], ...] = ()
    require: tuple[re.Pattern[str], ...] = ()
    rewrites: tuple[Rewrite, ...] = ()
    advice: str = ""


def load_rules(path: Path | None = None) -> tuple[Rule, ...]:
    """Read and validate a rules file.

    Args:
        path: the YAML file; the packaged ``rules.yml`` when omitted.

    Returns:
        The rules in file order.

    Raises:
        EtiquetteRulesError: the file is missing, not YAML, or breaks the schema.
    """
    path = path or DEFAULT_RULES_PATH
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise EtiquetteRulesError(f"cannot read etiquette rules {path}: {err}") from err
    return parse_rules(document, source=str(path))


def parse_rules(document: Any, source: str = "<rules>") -> tuple[Rule, ...]:
    """Validate an already-parsed rules document (``{version: 1, rules: [...]}``).

    Raises:
        EtiquetteRulesError: the document breaks the schema.
    """
    if not isinstance(document, Mapping):
        raise EtiquetteRulesError(f"{source}: expected a mapping with 'version' and 'rules'")
    if document.get("version") != SUPPORTED_VERSION:
        raise EtiquetteRulesError(
            f"{source}: unsupported version {document.get('version')!r},"
            f" expected {SUPPORTED_VERSION}"
        )
    entries = document.get("rules")
    if not isinstance(entries, list) or not entries:
        raise EtiquetteRulesError(f"{source}: 'rules' must be a non-empty list")
    rules = tuple(_parse_rule(entry, f"{source} rule #{n}") for n, entry in enumerate(entries))
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise EtiquetteRulesError(f"{source}: rule id {rule.id} appears twice")
        seen.add(rule.id)
    return rules


def _parse_rule(entry: Any, where: str) -> Rule:
    if not isinstance(entry, Mapping):
        raise EtiquetteRulesError(f"{where}: expected a mapping")
    rule_id = entry.get("id")
    if not isinstance(rule_id, str) or not _RULE_ID.fullmatch(rule_id):
        raise EtiquetteRulesError(f"{where}: 'id' must look like E1 … E16, got {rule_id!r}")
    where = f"{where} ({rule_id})"
    unknown = set(entry) - _RULE_KEYS
    if unknown:
        raise EtiquetteRulesError(f"{where}: unknown field(s) {sorted(unknown)}")
    try:
        kind = RuleKind(entry.get("kind"))
    except ValueError as err:
        allowed = ", ".join(k.value for k in RuleKind)
        raise EtiquetteRulesError(f"{where}: 'kind' must be one of {allowed}") from err

    lead_in = _text(entry, "lead_in", where, required=False)
    if lead_in and kind is not RuleKind.SENTENCE_START:
        raise EtiquetteRulesError(f"{where}: 'lead_in' only applies to sentence_start rules")
    patterns = _patterns(entry, "patterns", where)
    if kind is RuleKind.SENTENCE_START:
        patterns = tuple(_anchored(p, lead_in, where) for p in patterns)
    require = _patterns(entry, "require", where)
    if kind is RuleKind.FIRST_REPLY:
        if not require:
            raise EtiquetteRulesError(f"{where}: a first_reply rule needs 'require' patterns")
    elif not patterns:
        raise EtiquetteRulesError(f"{where}: 'patterns' must be a non-empty list")
    elif require:
        raise EtiquetteRulesError(f"{where}: 'require' only applies to first_reply rules")

    rewrites, advice = _rewrite(entry.get("rewrite"), where)
    return Rule(
        id=rule_id,
        name=_text(entry, "name", where),
        kind=kind,
        message=_text(entry, "message", where),
        patterns=patterns,
        allow=_patterns(entry, "allow", where),
        unless=_patterns(entry, "unless", where),
        require=require,
        rewrites=rewrites,
        advice=advice,
    )


def _text(entry: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str:
    value = entry.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise EtiquetteRulesError(f"{where}: '{key}' must be a non-empty string")
    return value


def _compile(source: Any, where: str) -> re.Pattern[str]:
    if not isinstance(source, str) or not source:
        raise EtiquetteRulesError(f"{where}: a pattern must be a non-empty string")
    try:
        pattern = re.compile(source, _FLAGS)
    except re.error as err:
        raise EtiquetteRulesError(f"{where}: bad pattern {source!r}: {err}") from err
    # A pattern that matches the empty string would flag every text.
    if pattern.fullmatch(""):
        raise EtiquetteRulesError(f"{where}: pattern {source!r} matches empty text")
    return pattern


def _patterns(entry: Mapping[str, Any], key: str, where: str) -> tuple[re.Pattern[str], ...]:
    sources = entry.get(key, [])
    if not isinstance(sources, list):
        raise EtiquetteRulesError(f"{where}: '{key}' must be a list of patterns")
    return tuple(_compile(source, f"{where} {key}") for source in sources)


def _anchored(pattern: re.Pattern[str], lead_in: str, where: str) -> re.Pattern[str]:
    if "(?P<hit>" in pattern.pattern:
        raise EtiquetteRulesError(f"{where}: the group name 'hit' is reserved")
    return _compile(f"^(?:{lead_in})(?P<hit>{pattern.pattern})", f"{where} patterns")


def _rewrite(raw: Any, where: str) -> tuple[tuple[Rewrite, ...], str]:
    if not isinstance(raw, Mapping):
        raise EtiquetteRulesError(f"{where}: 'rewrite' must be a mapping with 'advice'")
    unknown = set(raw) - _REWRITE_KEYS
    if unknown:
        raise EtiquetteRulesError(f"{where}: unknown rewrite field(s) {sorted(unknown)}")
    advice = _text(raw, "advice", f"{where} rewrite")
    replace = raw.get("replace", [])
    if not isinstance(replace, list):
        raise EtiquetteRulesError(f"{where}: 'rewrite.replace' must be a list")
    rewrites = []
    for item in replace:
        if not isinstance(item, Mapping) or set(item) != _REPLACE_KEYS:
            raise EtiquetteRulesError(f"{where}: each replacement needs exactly 'find' and 'with'")
        find = _compile(item["find"], f"{where} rewrite")
        replacement = item["with"]
        if not isinstance(replacement, str):
            raise EtiquetteRulesError(f"{where}: replacement for {item['find']!r} must be text")
        _check_group_references(find, replacement, where)
        rewrites.append(Rewrite(find=find, replacement=replacement))
    return tuple(rewrites), advice


def _check_group_references(find: re.Pattern[str], replacement: str, where: str) -> None:
    # re only reports a bad group reference when a match is expanded, i.e. in production.
    for match in _GROUP_REFERENCE.finditer(replacement):
        group = int(match.group(1) or match.group(2))
        if group > find.groups:
            raise EtiquetteRulesError(
                f"{where}: replacement {replacement!r} refers to group {group},"
                f" but {find.pattern!r} has {find.groups}"
            )
