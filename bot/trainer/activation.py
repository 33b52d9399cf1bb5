"""Which model the running Rasa server serves, and switching it (Rasa's HTTP API).

``GET /status`` answers ``{"model_file": "<file name>", "model_id", ...}`` (the file's
base name only); ``PUT /model`` with ``{"model_file": "<absolute path>"}`` loads another
model from the server's disk and answers 204 once it serves it. Rasa must run with
``--enable-api`` (``bot.run`` starts it so). Loading blocks Rasa's event loop for as long
as loading takes (seconds for the shop's model): messages wait meanwhile.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import aiohttp

from bot.errors import ShopAssistantError

STATUS_TIMEOUT_S = 5.0
# Loading the shop's model (TensorFlow graphs, spaCy gazetteer) takes a while on 2 cores.
LOAD_TIMEOUT_S = 600.0


class ActivationError(ShopAssistantError):
    """Rasa could not be reached, refused the model, or serves another one afterwards."""

    def __init__(self, reason: str, code: str = "refused") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


async def rasa_status(http: aiohttp.ClientSession, rasa_url: str) -> dict[str, Any]:
    """Rasa's ``GET /status``.

    Raises:
        ActivationError: code ``unreachable`` (no answer) or ``refused`` (an error status,
            e.g. 409 while no model is loaded).
    """
    timeout = aiohttp.ClientTimeout(total=STATUS_TIMEOUT_S)
    body = await _request(http, "GET", f"{rasa_url}/status", timeout=timeout)
    try:
        status = json.loads(body)
    except ValueError as err:
        raise ActivationError("Rasa's /status is not JSON") from err
    if not isinstance(status, dict):
        raise ActivationError("Rasa's /status is not an object")
    return status


async def served_model_name(http: aiohttp.ClientSession, rasa_url: str) -> str | None:
    """The file name of the model Rasa serves now, or None if Rasa does not say."""
    try:
        status = await rasa_status(http, rasa_url)
    except ActivationError:
        return None
    name = status.get("model_file")
    return Path(name).name if isinstance(name, str) and name else None


async def activate(http: aiohttp.ClientSession, rasa_url: str, model: Path) -> dict[str, Any]:
    """Have Rasa load and serve ``model``, then check that ``/status`` names it.

    Returns:
        Rasa's ``/status`` after the switch.

    Raises:
        ActivationError: the model file is missing, Rasa is unreachable or refused it,
            or Rasa serves another model afterwards (code ``mismatch``).
    """
    model = model.resolve()
    if not model.is_file():
        raise ActivationError(f"model file {model} does not exist", code="missing")
    timeout = aiohttp.ClientTimeout(total=LOAD_TIMEOUT_S)
    body = {"model_file": str(model)}
    await _request(http, "PUT", f"{rasa_url}/model", json=body, timeout=timeout)
    status = await rasa_status(http, rasa_url)
    if Path(str(status.get("model_file"))).name != model.name:
        raise ActivationError(
            f"Rasa serves {status.get('model_file')!r} after loading {model.name}",
            code="mismatch",
        )
    return status


def activate_blocking(rasa_url: str, model: Path) -> dict[str, Any]:
    """:func:`activate` for the command line (its own event loop and HTTP session)."""

    async def run() -> dict[str, Any]:
        async with aiohttp.ClientSession() as http:
            return await activate(http, rasa_url, model)

    return asyncio.run(run())


def served_model_blocking(rasa_url: str) -> str | None:
    """:func:`served_model_name` for the command line."""

    async def run() -> str | None:
        async with aiohttp.ClientSession() as http:
            return await served_model_name(http, rasa_url)

    return asyncio.run(run())


async def _request(http: aiohttp.ClientSession, method: str, url: str, **kwargs: Any) -> str:
    try:
        async with http.request(method, url, **kwargs) as response:
            text = await response.text()
            if response.status >= 300:
                raise ActivationError(
                    f"{method} {url}: HTTP {response.status} {_rasa_message(text)}".strip()
                )
            return text
    except asyncio.TimeoutError as err:
        raise ActivationError(f"{method} {url}: timed out", code="unreachable") from err
    except aiohttp.ClientConnectionError as err:
        raise ActivationError(f"{method} {url}: cannot connect", code="unreachable") from err
    except aiohttp.ClientError as err:
        raise ActivationError(f"{method} {url}: {type(err).__name__}") from err


def _rasa_message(text: str) -> str:
    # Rasa's errors: {"version", "status": "failure", "message": "...", "reason": ...}
    try:
        body = json.loads(text)
    except ValueError:
        return text[:200]
    return str(body.get("message", ""))[:300] if isinstance(body, dict) else ""
