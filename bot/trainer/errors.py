"""Errors of the trainer's tools."""

from __future__ import annotations

from bot.errors import ShopAssistantError


class TrainerDataError(ShopAssistantError):
    """A trainer's input or a data file that cannot be used; ``reason`` is safe to show.

    ``code`` is a stable slug: ``bad_intent``, ``bad_label``, ``bad_text``,
    ``bad_annotation``, ``bad_file`` or ``write_failed``.
    """

    def __init__(self, reason: str, code: str = "bad_file") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code
