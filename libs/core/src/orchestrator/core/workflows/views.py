"""The API views of a workflow run, shared by the exec-api (a caller follows its run) and
the control-api (an operator looks at a workspace's runs); msgspec, no HTTP."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

import msgspec

from orchestrator.core.workflows.models import WorkflowRun
from orchestrator.core.workflows.runs import COMPENSATION, steps_of

RunStatusName = Literal[
    "running", "compensating", "succeeded", "failed", "compensated", "compensation_failed"
]
"""A run's status as the API names it (``machine.RunStatus``)."""


class StepOut(msgspec.Struct, frozen=True, kw_only=True):
    """One step of a run: its job and how it ended, and its compensation's if one ran."""

    name: str
    status: str
    """``pending`` until its job is queued; then the job's status, or ``not_started``."""
    job_id: str | None = None
    output: Any = None
    error: str | None = None
    compensation: dict[str, Any] | None = None


class RunOut(msgspec.Struct, frozen=True, kw_only=True):
    """A workflow run."""

    id: uuid.UUID
    workflow: str
    workflow_version: int
    status: str
    current_step: str
    """The step whose job (or compensation) runs now, or the last one that did."""
    input: Any
    steps: list[StepOut]
    error: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    finished_at: dt.datetime | None


class RunSummary(msgspec.Struct, frozen=True, kw_only=True):
    """A workflow run in a list: where it is, without its input and step outputs (read
    the run itself for those)."""

    id: uuid.UUID
    workflow: str
    workflow_version: int
    status: RunStatusName
    current_step: str
    steps: int
    """How many steps the run's definition has."""
    error: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    finished_at: dt.datetime | None


def to_out(row: WorkflowRun) -> RunOut:
    """The API view of a run: each step of its definition with what became of it."""
    steps = steps_of(row)
    shown = []
    for step in steps:
        record: dict[str, Any] = row.outputs.get(step.name, {})
        shown.append(
            StepOut(
                name=step.name,
                status=record.get("status", "pending"),
                job_id=record.get("job_id"),
                output=record.get("output"),
                error=record.get("error"),
                compensation=record.get(COMPENSATION),
            )
        )
    return RunOut(
        id=row.id,
        workflow=row.workflow,
        workflow_version=row.definition["version"],
        status=row.status,
        current_step=steps[row.current_step].name,
        input=row.input,
        steps=shown,
        error=row.error,
        created_at=row.created_at,
        updated_at=row.updated_at,
        finished_at=row.finished_at,
    )


def to_summary(row: WorkflowRun) -> RunSummary:
    """The list view of a run."""
    steps = steps_of(row)
    return RunSummary(
        id=row.id,
        workflow=row.workflow,
        workflow_version=row.definition["version"],
        status=row.status,  # type: ignore[arg-type]
        current_step=steps[row.current_step].name,
        steps=len(steps),
        error=row.error,
        created_at=row.created_at,
        updated_at=row.updated_at,
        finished_at=row.finished_at,
    )
