"""Runtime fixes applied to Rasa before its server starts (see ``bot.rasa_server``).

Rasa 3.6 validates every action-server reply with ``jsonschema.validate``, which builds a
validator and re-checks the schema itself against the newest JSON-Schema meta-schema on
every call: about 45 ms of CPU per action, a third of Rasa's time per buyer message
(measured with py-spy under ``bench.load``). The fix validates against the same schema
with a validator built once; valid replies pass and invalid ones raise the same
``ValidationError`` with the same message as before.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@cache
def _action_result_validator() -> jsonschema.protocols.Validator:
    schema = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)  # once, instead of once per action
    return validator_class(schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    error = best_match(_action_result_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response "
        f"from the Action endpoint is valid. For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def apply() -> None:
    """Install the fixes into the running interpreter (idempotent)."""
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]


__all__ = ["ValidationError", "apply"]
