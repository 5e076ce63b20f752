"""How the console shapes the control-api's schemas and values for json-editor."""

from __future__ import annotations

from typing import Any

from orchestrator.console.forms import editable, nullable_first

LIMIT: dict[str, Any] = {"minimum": 1, "oneOf": [{"type": "integer"}, {"type": "null"}]}
QUOTA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "rps": LIMIT,
        "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
}


def test_an_unset_member_starts_as_null_not_as_a_zero_its_minimum_refuses() -> None:
    shaped = nullable_first(QUOTA)
    assert shaped["properties"]["rps"]["oneOf"] == [{"type": "null"}, {"type": "integer"}]
    assert shaped["properties"]["note"]["anyOf"][0] == {"type": "null"}
    assert shaped["properties"]["tags"] == QUOTA["properties"]["tags"]
    assert QUOTA["properties"]["rps"]["oneOf"][0] == {"type": "integer"}  # not changed in place


def test_a_value_keeps_its_members_and_holds_left_out_nullable_ones_as_null() -> None:
    value = editable({"rps": 5, "version": 3, "tags": ["a"]}, QUOTA)
    assert value == {"rps": 5, "note": None, "tags": ["a"]}  # no `version`: not on the form
    assert editable({"rps": None}, QUOTA) == {"rps": None, "note": None}
