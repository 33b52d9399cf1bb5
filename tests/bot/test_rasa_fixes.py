from __future__ import annotations

import jsonschema
import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot import rasa_fixes

VALID = {
    "events": [{"event": "slot", "name": "product", "value": "碎花连衣裙"}],
    "responses": [{"response": "utter_ask_colour", "product": "碎花连衣裙"}],
}
INVALID = {"events": [{"no_event_key": True}], "responses": []}


@pytest.fixture
def remote_action(monkeypatch: pytest.MonkeyPatch) -> RemoteAction:
    # The fix replaces a class attribute; undo it after the test.
    monkeypatch.setattr(
        RemoteAction, "_validate_action_result", RemoteAction._validate_action_result
    )
    return RemoteAction("action_answer_stock", EndpointConfig("http://127.0.0.1:9/webhook"))


def test_same_verdicts_as_rasa(remote_action: RemoteAction) -> None:
    assert remote_action._validate_action_result(VALID) is True
    with pytest.raises(ValidationError) as original:
        remote_action._validate_action_result(INVALID)
    rasa_fixes.apply()
    assert remote_action._validate_action_result(VALID) is True
    with pytest.raises(ValidationError) as fixed:
        remote_action._validate_action_result(INVALID)
    assert fixed.value.message == original.value.message


def test_schema_is_checked_once_not_per_action(
    remote_action: RemoteAction, monkeypatch: pytest.MonkeyPatch
) -> None:
    checks = []
    original = jsonschema.validators.validator_for(RemoteAction.action_response_format_spec())
    monkeypatch.setattr(
        original, "check_schema", classmethod(lambda cls, schema: checks.append(schema))
    )
    rasa_fixes._action_result_validator.cache_clear()
    rasa_fixes.apply()
    for _ in range(3):
        remote_action._validate_action_result(VALID)
    assert len(checks) == 1
