"""Payloads are validated against JSON Schema 2020-12 before any upstream call."""

from __future__ import annotations

from typing import Any

import pytest

from orchestrator.core.connectors.validation import (
    compile_cache_info,
    compile_schema,
    instance_errors,
    schema_problem,
    validate_payload,
)
from orchestrator.core.errors import ValidationFailed

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "user_id": {"type": "string", "minLength": 1},
        "amount": {"type": "integer", "minimum": 0},
        "currency": {"enum": ["usd", "eur"]},
        "email": {"type": "string", "format": "email"},
        "tags": {"type": "array", "items": {"type": "string"}, "prefixItems": [{"const": "a"}]},
        "a/b~c": {"type": "boolean"},
    },
    "required": ["user_id", "amount", "currency"],
    "additionalProperties": False,
}


def test_a_good_payload_passes() -> None:
    validate_payload(SCHEMA, {"user_id": "u", "amount": 0, "currency": "usd", "tags": ["a", "b"]})


def test_a_bad_payload_lists_every_failing_field_with_its_pointer() -> None:
    payload = {
        "user_id": "",
        "amount": -1,
        "email": "not-an-email",
        "tags": ["b", 2],
        "a/b~c": "yes",
        "extra": 1,
        "more": 2,
    }

    with pytest.raises(ValidationFailed) as exc:
        validate_payload(SCHEMA, payload)

    assert exc.value.status == 422
    keys = [e["key"] for e in exc.value.extensions["errors"]]
    assert sorted(keys) == sorted(
        [
            "/payload/user_id",
            "/payload/amount",
            "/payload/currency",  # required: points at the missing member
            "/payload/email",
            "/payload/tags/0",
            "/payload/tags/1",
            "/payload/a~1b~0c",  # RFC 6901 escaping
            "/payload/extra",
            "/payload/more",
        ]
    )
    assert all(e["message"] for e in exc.value.extensions["errors"])


def test_pointer_prefix_is_the_callers() -> None:
    errors = instance_errors({"type": "object", "required": ["x"]}, {}, prefix="")

    assert errors == [{"key": "/x", "message": '"x" is a required property'}]


def test_a_schema_is_compiled_once_and_reused() -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer", "maximum": 1_234_567}}}
    equal_copy = {"properties": {"n": {"maximum": 1_234_567, "type": "integer"}}, "type": "object"}
    before = compile_cache_info()

    for _ in range(100):
        validate_payload(schema, {"n": 1})
    validate_payload(equal_copy, {"n": 2})

    after = compile_cache_info()
    assert after.misses - before.misses == 1
    assert compile_schema(schema) is compile_schema(equal_copy)


def test_a_remote_ref_is_refused_and_never_fetched() -> None:
    problem = schema_problem({"$ref": "http://169.254.169.254/latest/meta-data"})

    assert problem is not None
    assert "not a valid JSON Schema" in problem


@pytest.mark.parametrize("schema", [{"type": 12}, {"minimum": "x"}, [], "string"])
def test_an_invalid_schema_is_named(schema: Any) -> None:
    assert schema_problem(schema) is not None


def test_valid_schemas_are_accepted() -> None:
    assert schema_problem(SCHEMA) is None
    assert schema_problem(True) is None
    assert schema_problem({"$defs": {"n": {"type": "integer"}}, "$ref": "#/$defs/n"}) is None
