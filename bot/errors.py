"""The project's exception tree. Third-party errors are wrapped with ``raise ... from err``."""

from __future__ import annotations


class ShopAssistantError(Exception):
    """Root of every error this project raises on purpose."""


class SettingsError(ShopAssistantError):
    """The environment holds a missing or malformed setting."""


class ShopDataError(ShopAssistantError):
    """The shop's data files or database are missing or inconsistent."""


class UnknownOrderError(ShopDataError):
    """An order id that the shop's data does not know."""


class EtiquetteRulesError(ShopAssistantError):
    """The etiquette rules file is missing or malformed."""


class UpstreamError(ShopAssistantError):
    """Rasa or the action server did not answer as expected."""


class StorageError(ShopAssistantError):
    """The gateway's database did not answer as expected."""


class ClusterError(StorageError):
    """Redis, which carries the gateway processes' messages and locks, failed."""


class BadRequestError(ShopAssistantError):
    """A client sent something the gateway cannot accept; ``reason`` is safe to show.

    ``code`` is a stable machine-readable slug (e.g. ``"too_long"``); ``buyer_notice`` is
    an optional polite text for the buyer (from the gateway's messages.yml).
    """

    def __init__(
        self, reason: str, code: str = "bad_request", buyer_notice: str | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.buyer_notice = buyer_notice


class UnknownConversationError(ShopAssistantError):
    """A conversation id that the gateway does not know (or that the caller may not see)."""


class HandoffError(ShopAssistantError):
    """A handoff operation that cannot be done now; ``code`` says why, ``reason`` is safe
    to show to the agent (e.g. ``not_found``, ``taken``, ``not_yours``, ``full``)."""

    def __init__(self, reason: str, code: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


class AuthError(ShopAssistantError):
    """Login failed or the session is missing, expired or not allowed to do this."""


class ForbiddenError(AuthError):
    """Logged in (or not), but this request is not allowed: another site, another role.

    ``code`` is ``forbidden``, or ``csrf`` for a console request without its CSRF token.
    """

    def __init__(self, reason: str, code: str = "forbidden") -> None:
        super().__init__(reason)
        self.code = code


class EtiquetteBreachError(ShopAssistantError):
    """A text that must be etiquette-clean (a canned reply) breaks rules; ``violations``
    holds the checker's findings as plain dicts."""

    def __init__(self, reason: str, violations: list[dict[str, object]]) -> None:
        super().__init__(reason)
        self.reason = reason
        self.violations = violations
