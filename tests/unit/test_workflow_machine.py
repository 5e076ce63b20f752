"""The workflow run's saga decisions (``workflows/machine.py``), as a pure function."""

from __future__ import annotations

import uuid

import pytest

from orchestrator.core.jobs.states import JobStatus
from orchestrator.core.workflows.machine import (
    Decision,
    RunState,
    RunStatus,
    decide,
    next_action,
)

JOB = uuid.uuid4()
FAILURES = [JobStatus.FAILED, JobStatus.DEAD, JobStatus.CANCELLED]


def state(
    status: RunStatus, step: int, compensable: list[bool], job: uuid.UUID | None = JOB
) -> RunState:
    return RunState(status=status, current_step=step, current_job_id=job, compensable=compensable)


def test_a_succeeded_step_queues_the_next_one() -> None:
    decision = decide(state(RunStatus.RUNNING, 0, [True, False, True]), JOB, JobStatus.SUCCEEDED)
    assert decision == Decision(RunStatus.RUNNING, 1, "step", ("workflow.step_succeeded",))


def test_the_last_step_succeeding_ends_the_run_succeeded() -> None:
    decision = decide(state(RunStatus.RUNNING, 2, [True, True, True]), JOB, JobStatus.SUCCEEDED)
    assert decision == Decision(
        RunStatus.SUCCEEDED, 2, None, ("workflow.step_succeeded", "workflow.succeeded")
    )


@pytest.mark.parametrize("ended", FAILURES)
def test_a_failed_step_compensates_the_latest_compensable_earlier_step(ended: JobStatus) -> None:
    decision = decide(state(RunStatus.RUNNING, 3, [True, True, False, True]), JOB, ended)
    assert decision == Decision(
        RunStatus.COMPENSATING, 1, "compensation", ("workflow.step_failed", "workflow.compensating")
    )


def test_a_failed_step_with_nothing_to_compensate_fails_the_run() -> None:
    for compensable, step in (([False, False, True], 2), ([True], 0)):
        decision = decide(state(RunStatus.RUNNING, step, compensable), JOB, JobStatus.DEAD)
        assert decision == Decision(
            RunStatus.FAILED, step, None, ("workflow.step_failed", "workflow.failed")
        )


def test_compensations_run_in_reverse_order_then_the_run_is_compensated() -> None:
    compensable = [True, False, True, True]
    first = decide(state(RunStatus.COMPENSATING, 2, compensable), JOB, JobStatus.SUCCEEDED)
    assert first == Decision(
        RunStatus.COMPENSATING, 0, "compensation", ("workflow.step_compensated",)
    )
    last = decide(state(RunStatus.COMPENSATING, 0, compensable), JOB, JobStatus.SUCCEEDED)
    assert last == Decision(
        RunStatus.COMPENSATED, 0, None, ("workflow.step_compensated", "workflow.compensated")
    )


@pytest.mark.parametrize("ended", FAILURES)
def test_a_failed_compensation_stops_the_run_visibly(ended: JobStatus) -> None:
    decision = decide(state(RunStatus.COMPENSATING, 1, [True, True, True]), JOB, ended)
    assert decision == Decision(
        RunStatus.COMPENSATION_FAILED, 1, None, ("workflow.compensation_failed",)
    )


def test_a_job_the_run_is_not_waiting_for_changes_nothing() -> None:
    running = state(RunStatus.RUNNING, 1, [True, True])
    assert decide(running, uuid.uuid4(), JobStatus.SUCCEEDED) is None  # another (old) job
    assert decide(running, JOB, JobStatus.RUNNING) is None  # not ended
    for final in (RunStatus.SUCCEEDED, RunStatus.COMPENSATED, RunStatus.FAILED):
        assert decide(state(final, 1, [True, True]), JOB, JobStatus.SUCCEEDED) is None
    assert decide(state(RunStatus.RUNNING, 0, [True], job=None), JOB, JobStatus.FAILED) is None


def test_a_step_that_could_not_start_counts_as_failed() -> None:
    assert next_action(state(RunStatus.RUNNING, 1, [True, True], job=None), False) == Decision(
        RunStatus.COMPENSATING, 0, "compensation", ("workflow.step_failed", "workflow.compensating")
    )
    with pytest.raises(ValueError, match="does not advance"):
        next_action(state(RunStatus.FAILED, 0, [True]), True)
