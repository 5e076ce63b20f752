"""``$ref`` resolution in workflow step payloads, and where a reference may point."""

from __future__ import annotations

from typing import Any

import pytest

from orchestrator.core.workflows.definition import Compensation, Step, structure_errors
from orchestrator.core.workflows.refs import (
    InvalidPointer,
    MissingValue,
    lookup,
    parse_pointer,
    refs_in,
    resolve,
    run_document,
)

DOC = run_document(
    {"customer": {"id": "c-1", "tags": ["a", "b"]}, "a/b": 1, "m~n": 2, "": 3},
    {"charge": {"body": {"id": "ch_9", "amount": 0, "nothing": None}}},
)


@pytest.mark.parametrize(
    ("pointer", "value"),
    [
        ("/input/customer/id", "c-1"),
        ("/input/customer/tags/1", "b"),
        ("/input/a~1b", 1),
        ("/input/m~0n", 2),
        ("/input/", 3),
        ("/steps/charge/output/body/id", "ch_9"),
        ("/steps/charge/output/body/amount", 0),
        ("/steps/charge/output/body/nothing", None),
        ("/input/customer", {"id": "c-1", "tags": ["a", "b"]}),
    ],
)
def test_a_pointer_names_its_value(pointer: str, value: Any) -> None:
    assert lookup(DOC, pointer) == value


@pytest.mark.parametrize(
    "pointer",
    [
        "/input/customer/email",
        "/input/customer/tags/2",
        "/input/customer/tags/01",
        "/input/customer/tags/-",
        "/input/customer/id/x",
        "/steps/refund/output",
    ],
)
def test_a_pointer_to_nothing_is_missing_and_says_which(pointer: str) -> None:
    with pytest.raises(MissingValue) as raised:
        lookup(DOC, pointer)
    assert raised.value.pointer == pointer
    assert pointer in str(raised.value)


@pytest.mark.parametrize("pointer", ["input/x", "/input/~2", "/input/a~"])
def test_malformed_pointers_are_refused(pointer: str) -> None:
    with pytest.raises(InvalidPointer):
        parse_pointer(pointer)


def test_resolve_replaces_refs_anywhere_and_keeps_everything_else_literal() -> None:
    payload = {
        "customer": {"$ref": "/input/customer/id"},
        "charge": [{"$ref": "/steps/charge/output/body/id"}, 5, "text"],
        "two_keys": {"$ref": "/input/customer/id", "other": 1},
        "not_a_string": {"$ref": 7},
        "code": "{{ input.customer.id }}",
    }
    resolved = resolve(payload, DOC)
    assert resolved == {
        "customer": "c-1",
        "charge": ["ch_9", 5, "text"],
        "two_keys": {"$ref": "/input/customer/id", "other": 1},
        "not_a_string": {"$ref": 7},
        "code": "{{ input.customer.id }}",
    }
    assert payload["customer"] == {"$ref": "/input/customer/id"}  # not changed in place
    assert resolve({"$ref": ""}, DOC) == DOC  # the whole document


def test_resolve_fails_on_the_first_missing_reference() -> None:
    with pytest.raises(MissingValue, match="/input/missing"):
        resolve({"ok": {"$ref": "/input/customer/id"}, "bad": {"$ref": "/input/missing"}}, DOC)


def test_refs_in_lists_each_reference_with_its_location() -> None:
    payload = {"a": {"$ref": "/input/x"}, "b/c": [1, {"$ref": "/steps/s/output"}]}
    assert list(refs_in(payload, "/p")) == [("/p/a", "/input/x"), ("/p/b~1c/1", "/steps/s/output")]


def step(name: str, payload: Any = None, compensation: Any = None) -> Step:
    return Step(
        name=name,
        connector="psp",
        operation="charge",
        payload=payload or {},
        compensation=None
        if compensation is None
        else Compensation(operation="refund", payload=compensation),
    )


def test_references_may_name_the_input_and_earlier_steps_only() -> None:
    steps = [
        step("charge", {"id": {"$ref": "/input/id"}, "later": {"$ref": "/steps/ship/output"}}),
        step(
            "ship",
            {
                "charge": {"$ref": "/steps/charge/output/body/id"},
                "me": {"$ref": "/steps/ship/output"},
            },
            compensation={"own": {"$ref": "/steps/ship/output/id"}, "bad": {"$ref": "/nowhere"}},
        ),
        step("charge", {"x": {"$ref": "input"}, "y": {"$ref": "/steps/charge/body"}}),
    ]
    errors = {error["key"]: error["message"] for error in structure_errors(steps)}
    assert set(errors) == {
        "/steps/0/payload/later",
        "/steps/1/payload/me",
        "/steps/1/compensation/payload/bad",
        "/steps/2/name",
        "/steps/2/payload/x",
        "/steps/2/payload/y",
    }
    assert "earlier" in errors["/steps/0/payload/later"]
    assert "JSON Pointer" in errors["/steps/2/payload/x"]


def test_a_workflow_has_one_to_twenty_steps() -> None:
    assert structure_errors([]) == [{"key": "/steps", "message": "must have 1 to 20 steps"}]
    assert structure_errors([step(f"s{n}") for n in range(20)]) == []
    assert [e["key"] for e in structure_errors([step(f"s{n}") for n in range(21)])] == ["/steps"]
