"""One typed settings object, read from the environment once, failing loudly on bad values."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import SettingsError
from bot.handoff.settings import HandoffSettings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TIMEZONE = "Asia/Shanghai"
REDACTABLE_KINDS = ("phone", "id_card", "email", "address", "bank_card")


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as err:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from err
    if value < minimum:
        raise SettingsError(f"{name} must be >= {minimum}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError as err:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from err
    if value <= 0:
        raise SettingsError(f"{name} must be positive, got {value}")
    return value


def _date(env: Mapping[str, str], name: str) -> date | None:
    raw = env.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as err:
        raise SettingsError(f"{name} must be an ISO date (YYYY-MM-DD), got {raw!r}") from err


def _url(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name) or default
    if not value.startswith(("http://", "https://")):
        raise SettingsError(f"{name} must be an http(s) URL, got {value!r}")
    return value.rstrip("/")


@dataclass(frozen=True)
class Settings:
    """Everything configurable about a running assistant."""

    rasa_url: str
    action_server_url: str
    gateway_host: str
    gateway_port: int
    var_dir: Path
    shop_data_dir: Path
    shop_db_path: Path
    gateway_db_url: str
    http_timeout_s: float
    max_message_chars: int
    shop_today: date | None = None  # fixes "today" for demos and tests; None = the real date
    handoff: HandoffSettings = field(default_factory=HandoffSettings)
    # The first supervisor, created on first start when no such user exists yet.
    admin_username: str | None = None
    admin_password: str | None = None
    # Pages of other origins that may embed the buyer widget (the gateway's own always may).
    widget_allowed_origins: tuple[str, ...] = ()
    # "Today" for the supervisor's figures starts at midnight in the shop's time zone.
    shop_timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))
    # Kinds of personal data redacted before a line is stored, sent to Rasa or exported.
    redact_kinds: tuple[str, ...] = REDACTABLE_KINDS
    # Conversations whose last line is older than this are deleted; 0 keeps them forever.
    transcript_retention_days: int = 180
    # The project whose data/, config.yml and domain.yml the trainer edits and trains.
    trainer_project_dir: Path = PROJECT_ROOT
    # The held-out examples new models are evaluated on (never trained on).
    nlu_holdout: Path = PROJECT_ROOT / "tests" / "nlu" / "holdout.yml"
    # Buyer lines read below this intent confidence are "low confidence" for review.
    low_confidence: float = 0.6
    # Several gateway processes: Redis carries their messages and locks (None: one process).
    redis_url: str | None = None
    # This gateway process's name among several (logs, presence).
    node_name: str = "gateway"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``env`` (default ``os.environ``); raise SettingsError if bad."""
        env = os.environ if env is None else env
        var_dir = Path(env.get("SHOP_VAR_DIR") or PROJECT_ROOT / "var")
        project_dir = Path(env.get("TRAINER_PROJECT_DIR") or PROJECT_ROOT)
        return cls(
            rasa_url=_url(env, "RASA_URL", "http://127.0.0.1:5005"),
            action_server_url=_url(env, "ACTION_SERVER_URL", "http://127.0.0.1:5055"),
            gateway_host=env.get("GATEWAY_HOST") or "127.0.0.1",
            gateway_port=_int(env, "GATEWAY_PORT", 8000, minimum=1),
            var_dir=var_dir,
            shop_data_dir=Path(env.get("SHOP_DATA_DIR") or PROJECT_ROOT / "data" / "shop"),
            shop_db_path=Path(env.get("SHOP_DB_PATH") or var_dir / "shop.sqlite3"),
            gateway_db_url=env.get("GATEWAY_DB_URL")
            or f"sqlite+aiosqlite:///{var_dir / 'gateway.sqlite3'}",
            http_timeout_s=_float(env, "HTTP_TIMEOUT_S", 10.0),
            max_message_chars=_int(env, "MAX_MESSAGE_CHARS", 1000, minimum=1),
            shop_today=_date(env, "SHOP_TODAY"),
            handoff=_handoff(env),
            widget_allowed_origins=_origins(env, "WIDGET_ALLOWED_ORIGINS"),
            shop_timezone=_timezone(env, "SHOP_TIMEZONE"),
            redact_kinds=_kinds(env, "REDACT_KINDS"),
            transcript_retention_days=_int(env, "TRANSCRIPT_RETENTION_DAYS", 180),
            trainer_project_dir=project_dir,
            nlu_holdout=Path(
                env.get("NLU_HOLDOUT") or project_dir / "tests" / "nlu" / "holdout.yml"
            ),
            low_confidence=_float(env, "REVIEW_LOW_CONFIDENCE", 0.6),
            redis_url=_redis_url(env, "REDIS_URL"),
            node_name=env.get("GATEWAY_NODE") or f"{socket.gethostname()}:{os.getpid()}",
            **_admin(env),
        )


def _redis_url(env: Mapping[str, str], name: str) -> str | None:
    raw = env.get(name) or None
    if raw is not None and not raw.startswith(("redis://", "rediss://", "unix://")):
        raise SettingsError(f"{name} must be a redis:// URL, got a value of another scheme")
    return raw


def _handoff(env: Mapping[str, str]) -> HandoffSettings:
    defaults = HandoffSettings()
    offer_all = _float(env, "HANDOFF_OFFER_ALL_AFTER_S", defaults.offer_all_after_s)
    window = _float(env, "HANDOFF_WINDOW_S", defaults.window_s)
    if offer_all >= window:
        raise SettingsError("HANDOFF_OFFER_ALL_AFTER_S must be shorter than HANDOFF_WINDOW_S")
    return HandoffSettings(
        offer_all_after_s=offer_all,
        window_s=window,
        max_chats=_int(env, "AGENT_MAX_CHATS", defaults.max_chats, minimum=1),
        idle_after_s=_float(env, "AGENT_IDLE_AFTER_S", defaults.idle_after_s),
        session_hours=_float(env, "AGENT_SESSION_HOURS", defaults.session_hours),
    )


def _admin(env: Mapping[str, str]) -> dict[str, str | None]:
    username = env.get("SHOP_ADMIN_USERNAME") or None
    password = env.get("SHOP_ADMIN_PASSWORD") or None
    if (username is None) != (password is None):
        raise SettingsError("set both SHOP_ADMIN_USERNAME and SHOP_ADMIN_PASSWORD, or neither")
    if password is not None and len(password) < 8:
        raise SettingsError("SHOP_ADMIN_PASSWORD must have at least 8 characters")
    return {"admin_username": username, "admin_password": password}


def _origins(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    origins = []
    for raw in (env.get(name) or "").split(","):
        origin = raw.strip().rstrip("/")
        if not origin:
            continue
        scheme, _, host = origin.partition("://")
        if scheme not in ("http", "https") or not host or "/" in host:
            raise SettingsError(
                f"{name} must list origins such as https://shop.example.com, got {raw.strip()!r}"
            )
        origins.append(origin.lower())
    return tuple(origins)


def _timezone(env: Mapping[str, str], name: str) -> ZoneInfo:
    raw = env.get(name) or DEFAULT_TIMEZONE
    try:
        return ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise SettingsError(f"{name} must be an IANA time zone such as Asia/Shanghai") from err


def _kinds(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    raw = env.get(name)
    if raw is None:
        return REDACTABLE_KINDS
    kinds = tuple(k.strip() for k in raw.split(",") if k.strip())
    unknown = sorted(set(kinds) - set(REDACTABLE_KINDS))
    if unknown:
        raise SettingsError(
            f"{name} lists unknown kinds {unknown}; known: {', '.join(REDACTABLE_KINDS)}"
        )
    return kinds
