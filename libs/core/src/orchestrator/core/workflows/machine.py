"""A workflow run's saga as a pure function: run state + how its current job ended → what
happens next. The runner (``runs.py``) applies a decision under the run's advisory lock
with a compare-and-set, so a decision is taken once per job however often it is asked."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from orchestrator.core.jobs.public import JobStatus


class RunStatus(enum.StrEnum):
    """Where a workflow run is."""

    RUNNING = "running"
    """A step's job is queued or running (``current_step``)."""
    COMPENSATING = "compensating"
    """A step failed; the compensation of ``current_step`` is queued or running."""
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    """A step failed and no finished step had a compensation to run."""
    COMPENSATED = "compensated"
    COMPENSATION_FAILED = "compensation_failed"
    """A compensation itself failed: the run stops there, for a person to look at."""


ACTIVE = frozenset({RunStatus.RUNNING, RunStatus.COMPENSATING})
FINAL = frozenset(set(RunStatus) - ACTIVE)


@dataclass(frozen=True, slots=True)
class RunState:
    """What the decision needs to know of a run."""

    status: RunStatus
    current_step: int
    current_job_id: uuid.UUID | None
    compensable: Sequence[bool]
    """Per step, in order: whether it defines a compensation."""


@dataclass(frozen=True, slots=True)
class Decision:
    """The run's next state, the job to submit for it (if any) and the events to append,
    in order."""

    status: RunStatus
    current_step: int
    submit: Literal["step", "compensation"] | None
    events: tuple[str, ...]


def _compensable_before(state: RunState, step: int) -> int | None:
    """The latest step before ``step`` that has a compensation (they all succeeded)."""
    return next((i for i in range(step - 1, -1, -1) if state.compensable[i]), None)


def next_action(state: RunState, succeeded: bool) -> Decision:
    """What follows the end of the run's current job (or a step that could not start,
    ``succeeded=False``). Only for an active run."""
    step = state.current_step
    if state.status is RunStatus.RUNNING:
        if succeeded:
            if step + 1 < len(state.compensable):
                return Decision(RunStatus.RUNNING, step + 1, "step", ("workflow.step_succeeded",))
            return Decision(
                RunStatus.SUCCEEDED, step, None, ("workflow.step_succeeded", "workflow.succeeded")
            )
        undo = _compensable_before(state, step)
        if undo is None:
            return Decision(
                RunStatus.FAILED, step, None, ("workflow.step_failed", "workflow.failed")
            )
        return Decision(
            RunStatus.COMPENSATING,
            undo,
            "compensation",
            ("workflow.step_failed", "workflow.compensating"),
        )
    if state.status is RunStatus.COMPENSATING:
        if not succeeded:
            return Decision(
                RunStatus.COMPENSATION_FAILED, step, None, ("workflow.compensation_failed",)
            )
        undo = _compensable_before(state, step)
        if undo is None:
            return Decision(
                RunStatus.COMPENSATED,
                step,
                None,
                ("workflow.step_compensated", "workflow.compensated"),
            )
        return Decision(
            RunStatus.COMPENSATING, undo, "compensation", ("workflow.step_compensated",)
        )
    raise ValueError(f"a {state.status.value} run does not advance")


def decide(state: RunState, job_id: uuid.UUID, job_status: JobStatus) -> Decision | None:
    """The decision for job ``job_id`` ending ``job_status``; None when the run is not
    waiting for that job (a redelivered message, a finished run, a replayed old job)."""
    if state.status not in ACTIVE or state.current_job_id != job_id:
        return None
    if job_status in (JobStatus.QUEUED, JobStatus.RUNNING):
        return None
    return next_action(state, job_status is JobStatus.SUCCEEDED)
