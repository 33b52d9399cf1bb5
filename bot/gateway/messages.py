"""The gateway's own buyer-facing texts, loaded from messages.yml into a typed object.

Python code never spells out what the buyer reads; it asks this object.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import yaml

from bot.errors import SettingsError

MESSAGES_PATH = Path(__file__).with_name("messages.yml")


@dataclass(frozen=True)
class GatewayMessages:
    """Polite texts the gateway sends on its own behalf."""

    empty_message: str
    too_long: str
    assistant_unavailable: str
    unsupported_content: str
    handoff_no_agents: str
    handoff_window_missed: str
    agent_greeting: str
    handed_back: str
    conversation_closed: str
    callback_recorded: str
    invalid_contact: str

    def render(self, name: str, **params: str) -> str:
        """The text called ``name`` with its {placeholders} filled from ``params``."""
        return str(getattr(self, name)).format(**params)

    def too_long_notice(self, max_chars: int) -> str:
        """The 'please split your message' text with the limit filled in."""
        return self.too_long.format(max_chars=max_chars)


def load_messages(path: Path = MESSAGES_PATH) -> GatewayMessages:
    """Read and check messages.yml (blocking; call it off the event loop).

    Raises:
        SettingsError: the file is missing, is not YAML, or lacks a text.
    """
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise SettingsError(f"cannot read gateway messages from {path}: {err}") from err
    if not isinstance(raw, dict):
        raise SettingsError(f"{path} must be a mapping of message names to texts")
    names = [field.name for field in fields(GatewayMessages)]
    bad = [name for name in names if not isinstance(raw.get(name), str) or not raw[name].strip()]
    if bad:
        raise SettingsError(f"{path} lacks non-empty texts for: {', '.join(bad)}")
    unknown = sorted(set(raw) - set(names))
    if unknown:
        raise SettingsError(f"{path} has unknown message names: {', '.join(unknown)}")
    return GatewayMessages(**{name: raw[name].strip() for name in names})
