"""A workflow's steps as stored (and snapshotted on each run), and the checks on them that
need no database: step count, unique names and where each ``$ref`` may point."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from orchestrator.core.configuration.public import FieldErrors
from orchestrator.core.workflows.refs import InvalidPointer, parse_pointer, refs_in

MAX_STEPS = 20


class Compensation(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The operation that undoes a step; the step's connector unless ``connector`` is set."""

    operation: str
    connector: str | None = None
    payload: Any = msgspec.field(default_factory=dict)


class Step(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One connector operation of a workflow, and optionally its compensation."""

    name: str
    connector: str
    operation: str
    payload: Any = msgspec.field(default_factory=dict)
    compensation: Compensation | None = None

    def compensation_connector(self) -> str | None:
        """The connector the compensation calls, or None without a compensation."""
        if self.compensation is None:
            return None
        return self.compensation.connector or self.connector


def steps_from_json(doc: Any) -> list[Step]:
    """Stored steps (a JSON list) as ``Step``s."""
    return msgspec.convert(doc, list[Step])


def steps_to_json(steps: Sequence[Step]) -> list[dict[str, Any]]:
    """``Step``s as the JSON stored in ``workflows.steps`` (defaults omitted)."""
    return [msgspec.to_builtins(step) for step in steps]


def pointer_problem(pointer: str, visible: Sequence[str]) -> str | None:
    """Why ``pointer`` may not be used where the steps ``visible`` have finished (None: it
    may): it must name ``/input…`` or ``/steps/<visible step>/output…``."""
    try:
        tokens = parse_pointer(pointer)
    except InvalidPointer as exc:
        return f"not a JSON Pointer: {exc}"
    if tokens[:1] == ["input"]:
        return None
    if tokens[:1] == ["steps"] and len(tokens) >= 3 and tokens[2] == "output":
        if tokens[1] in visible:
            return None
        return f"step `{tokens[1]}` has not run before this point (only earlier steps may be used)"
    return "must point at /input… or /steps/<earlier step>/output…"


def structure_errors(steps: Sequence[Step]) -> FieldErrors:
    """Count, unique names and every ``$ref`` of ``steps`` (keys are JSON Pointers into the
    request body, e.g. ``/steps/1/payload/id``)."""
    errors: FieldErrors = []
    if not 1 <= len(steps) <= MAX_STEPS:
        errors.append({"key": "/steps", "message": f"must have 1 to {MAX_STEPS} steps"})
    seen: list[str] = []
    for index, step in enumerate(steps):
        where = f"/steps/{index}"
        if step.name in seen:
            errors.append({"key": f"{where}/name", "message": f"`{step.name}` is used twice"})
        for at, pointer in refs_in(step.payload, f"{where}/payload"):
            if problem := pointer_problem(pointer, seen):
                errors.append({"key": at, "message": problem})
        if step.compensation is not None:
            # A compensation runs after its own step succeeded: it may use that output too.
            own = [*seen, step.name]
            for at, pointer in refs_in(step.compensation.payload, f"{where}/compensation/payload"):
                if problem := pointer_problem(pointer, own):
                    errors.append({"key": at, "message": problem})
        seen.append(step.name)
    return errors
