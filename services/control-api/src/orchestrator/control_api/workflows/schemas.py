"""Request and response shapes of the workflows area."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec

from orchestrator.control_api.fields import Name
from orchestrator.control_api.views import page_schema
from orchestrator.core.http.fields import NO_NUL

Target = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=NO_NUL)]
PAYLOAD_DOC = (
    'Literal JSON, except that a value {"$ref": "<JSON Pointer>"} is replaced by what the '
    "pointer names: /input/… (the run's input) or /steps/<earlier step>/output/… (an earlier "
    "step's output)."
)


class CompensationIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The operation that undoes a step if a later step fails."""

    operation: Target
    connector: Target | None = None
    payload: Annotated[Any, msgspec.Meta(description=PAYLOAD_DOC)] = msgspec.field(
        default_factory=dict
    )


class StepIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One connector operation of a workflow."""

    name: Name
    connector: Target
    operation: Target
    payload: Annotated[Any, msgspec.Meta(description=PAYLOAD_DOC)] = msgspec.field(
        default_factory=dict
    )
    compensation: CompensationIn | None = None


class WorkflowReplace(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A workflow's steps, run in order (1 to 20, names unique)."""

    steps: list[StepIn]


class WorkflowCreate(WorkflowReplace, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A new workflow."""

    name: Name


class WorkflowOut(msgspec.Struct, frozen=True, kw_only=True):
    """A workflow."""

    id: str
    name: str
    steps: list[dict[str, Any]]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


WorkflowList = page_schema(
    WorkflowOut,
    "A page of the workspace's workflows, by name",
)
