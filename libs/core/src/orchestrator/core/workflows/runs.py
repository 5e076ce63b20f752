"""Starting and advancing workflow runs (ADR 0050). Never commits.

Each step runs as a job (its connector's policy, retries, DLQ and tracing come with it),
tagged with its run. When a step's job ends, a trigger writes an ``advance_workflow``
outbox row in the transaction that ended it; the worker's actor calls ``advance``, which,
in one tenant transaction holding the run's advisory lock, asks the pure state machine
(``machine.py``) what follows and applies it as a compare-and-set on the run: a
redelivered message finds the run no longer waiting for that job and does nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.db.base import utcnow
from orchestrator.core.errors import NotFound, Problem
from orchestrator.core.events import log as events
from orchestrator.core.events.wake import Notifier, after_commit
from orchestrator.core.jobs import public as jobs
from orchestrator.core.jobs.public import JobStatus, clip
from orchestrator.core.upstream.ssrf import NetworkPolicy
from orchestrator.core.workflows import repository
from orchestrator.core.workflows.definition import Step, steps_from_json, steps_to_json
from orchestrator.core.workflows.machine import (
    ACTIVE,
    Decision,
    RunState,
    RunStatus,
    decide,
    next_action,
)
from orchestrator.core.workflows.metrics import WORKFLOW_RUN_DURATION, WORKFLOW_RUNS_ENDED
from orchestrator.core.workflows.models import WorkflowRun
from orchestrator.core.workflows.refs import InvalidPointer, MissingValue, resolve, run_document

COMPENSATION = "compensation"
_FAILURE_EVENTS = frozenset(
    {"workflow.step_failed", "workflow.failed", "workflow.compensation_failed"}
)


def step_key(run_id: uuid.UUID, step: str, *, compensation: bool = False) -> str:
    """The ``idempotency_key`` of a step's (or its compensation's) job."""
    suffix = f":{COMPENSATION}" if compensation else ""
    return f"workflow:{run_id}:{step}{suffix}"


@dataclass
class _Run:
    """A run being moved, in memory until its compare-and-set."""

    row: WorkflowRun
    steps: list[Step]
    outputs: dict[str, Any]
    status: RunStatus
    current_step: int
    current_job_id: uuid.UUID | None = None
    error: str | None = None

    def state(self) -> RunState:
        return RunState(
            status=self.status,
            current_step=self.current_step,
            current_job_id=self.current_job_id,
            compensable=[step.compensation is not None for step in self.steps],
        )

    def succeeded_outputs(self) -> dict[str, Any]:
        return {
            name: record.get("output")
            for name, record in self.outputs.items()
            if record.get("status") == JobStatus.SUCCEEDED.value
        }


async def _event(session: AsyncSession, run: _Run, type_: str, **data: Any) -> None:
    body = {"run_id": str(run.row.id), "workflow": run.row.workflow, **data}
    await events.append(session, run.row.tenant_id, type_, body)


async def _submit(
    session: AsyncSession,
    notifier: Notifier,
    run: _Run,
    *,
    compensation: bool,
    network: NetworkPolicy,
) -> None:
    """Queue the job of the current step (or its compensation) with its references
    resolved; a reference with no value or a refusal by the jobs service raises ``_NotStarted``."""
    step = run.steps[run.current_step]
    if compensation:
        assert step.compensation is not None
        connector = step.compensation_connector()
        assert connector is not None
        operation, template = step.compensation.operation, step.compensation.payload
    else:
        connector, operation, template = step.connector, step.operation, step.payload
    try:
        payload = resolve(template, run_document(run.row.input, run.succeeded_outputs()))
    except (MissingValue, InvalidPointer) as exc:
        raise _NotStarted(f"step `{step.name}`: {exc}") from exc
    new = jobs.NewJob(
        connector=connector,
        operation=operation,
        payload=payload,
        idempotency_key=step_key(run.row.id, step.name, compensation=compensation),
    )
    label = f"{step.name}:{COMPENSATION}" if compensation else step.name
    try:
        async with session.begin_nested():
            jobs.check_new_job(new, network)
            [job] = await jobs.submit_many(
                session, notifier, run.row.tenant_id, [new], plans=[None]
            )
            await repository.tag_job(session, job.id, run.row.id, label)
    except Problem as exc:
        raise _NotStarted(f"step `{step.name}`: {exc.detail}") from exc
    run.current_job_id = job.id
    record = run.outputs.setdefault(step.name, {})
    if compensation:
        record[COMPENSATION] = {"job_id": str(job.id), "status": JobStatus.QUEUED.value}
    else:
        run.outputs[step.name] = {"job_id": str(job.id), "status": JobStatus.QUEUED.value}


class _NotStarted(Exception):
    """A step's job could not be queued; the step counts as failed."""


async def _apply(
    session: AsyncSession,
    notifier: Notifier,
    run: _Run,
    decision: Decision,
    *,
    network: NetworkPolicy,
) -> None:
    """Move ``run`` as ``decision`` says, queueing its next job; a job that cannot be queued
    fails its step (or compensation) and the machine decides again."""
    while True:
        step_name = run.steps[run.current_step].name
        for type_ in decision.events:
            failure = type_ in _FAILURE_EVENTS
            error = {"error": run.error} if failure else {}
            await _event(session, run, type_, step=step_name, **error)
        run.status, run.current_step, run.current_job_id = (
            decision.status,
            decision.current_step,
            None,
        )
        if decision.submit is None:
            return
        try:
            await _submit(
                session,
                notifier,
                run,
                compensation=decision.submit == COMPENSATION,
                network=network,
            )
            return
        except _NotStarted as exc:
            run.error = clip(str(exc))
            name = run.steps[run.current_step].name
            if decision.submit == COMPENSATION:
                run.outputs[name][COMPENSATION] = {"status": "not_started", "error": run.error}
            else:
                run.outputs[name] = {"status": "not_started", "error": run.error}
            decision = next_action(run.state(), succeeded=False)


async def start_run(
    session: AsyncSession,
    notifier: Notifier,
    tenant_id: uuid.UUID,
    workflow: str,
    run_input: Any,
    *,
    idempotency_key: str | None,
    network: NetworkPolicy,
) -> WorkflowRun:
    """A new run of ``workflow`` on its current definition, its first step queued (or the
    run failed at once when that step cannot start); 404 for an unknown workflow."""
    found = await repository.WORKFLOWS.get(session, workflow)
    if found is None:
        raise NotFound(f"No workflow called `{workflow}` in this workspace.")
    jobs.check_payload(run_input)
    steps = steps_from_json(found.steps)
    row = WorkflowRun(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        workflow=workflow,
        definition={"version": found.version, "steps": steps_to_json(steps)},
        input=run_input,
        status=RunStatus.RUNNING.value,
        current_step=0,
        current_job_id=None,
        outputs={},
        idempotency_key=idempotency_key,
    )
    session.add(row)
    await session.flush()
    run = _Run(row=row, steps=steps, outputs={}, status=RunStatus.RUNNING, current_step=0)
    start = Decision(RunStatus.RUNNING, 0, "step", ("workflow.started",))
    await _apply(session, notifier, run, start, network=network)
    await _save(session, run, expected=(RunStatus.RUNNING, 0, None))
    after_commit(session, lambda: notifier.events_appended(tenant_id))
    return row


async def _save(
    session: AsyncSession, run: _Run, *, expected: tuple[RunStatus, int, uuid.UUID | None]
) -> None:
    values: dict[str, Any] = {
        "status": run.status.value,
        "current_step": run.current_step,
        "current_job_id": run.current_job_id,
        "outputs": run.outputs,
        "error": run.error,
    }
    if run.status not in ACTIVE:
        values["finished_at"] = func.now()
    moved = await repository.move_run(
        session,
        run.row.id,
        expected_status=expected[0].value,
        expected_step=expected[1],
        expected_job_id=expected[2],
        values=values,
    )
    if not moved:  # cannot happen under the advisory lock; roll everything back if it does
        raise RuntimeError(f"workflow run {run.row.id} moved under its lock")
    await session.refresh(run.row)
    if run.status not in ACTIVE:
        _count_end(session, run)


def _count_end(session: AsyncSession, run: _Run) -> None:
    """Count the run's end once its transaction commits (a rolled-back end never happened)."""
    status = run.status.value
    duration_s = max((utcnow() - run.row.created_at).total_seconds(), 0.0)

    def count() -> None:
        WORKFLOW_RUNS_ENDED.labels(status).inc()
        WORKFLOW_RUN_DURATION.observe(duration_s)

    after_commit(session, count)


async def advance(
    session: AsyncSession,
    notifier: Notifier,
    tenant_id: uuid.UUID,
    run_id: uuid.UUID,
    job_id: uuid.UUID,
    *,
    network: NetworkPolicy,
) -> RunStatus | None:
    """Move run ``run_id`` on now that its job ``job_id`` has ended: record the job's end,
    queue what follows (next step, compensation) or finish the run, in the caller's
    transaction (the ``advance_workflow`` actor's unit of work), scoped to ``tenant_id``.
    The run's status after, or None when the run was not waiting for that job (a
    redelivery: nothing changes)."""
    await repository.lock_run(session, run_id)
    row = await repository.get_run(session, run_id)
    job = await repository.job_end(session, job_id)
    if row is None or job is None:
        return None
    run = _Run(
        row=row,
        steps=steps_from_json(row.definition["steps"]),
        outputs=dict(row.outputs),
        status=RunStatus(row.status),
        current_step=row.current_step,
        current_job_id=row.current_job_id,
        error=row.error,
    )
    expected = (run.status, run.current_step, run.current_job_id)
    decision = decide(run.state(), job.id, job.status)
    if decision is None:
        return None
    _record_end(run, job.status, await jobs.job_output(job), job.last_error)
    await _apply(session, notifier, run, decision, network=network)
    await _save(session, run, expected=expected)
    after_commit(session, lambda: notifier.events_appended(tenant_id))
    return run.status


def _record_end(run: _Run, status: JobStatus, output: Any, error: str | None) -> None:
    """Write the ended job into the run's per-step record."""
    name = run.steps[run.current_step].name
    record = dict(run.outputs.get(name, {}))
    end: dict[str, Any] = {"status": status.value}
    if status is not JobStatus.SUCCEEDED:
        end["error"] = error or f"the job ended {status.value}"
        run.error = clip(f"step `{name}`: {end['error']}")
    if run.status is RunStatus.COMPENSATING:
        record[COMPENSATION] = {**record.get(COMPENSATION, {}), **end}
    else:
        record.update(end, output=output)
    run.outputs[name] = record


async def get_run(session: AsyncSession, run_id: uuid.UUID) -> WorkflowRun:
    """One run of the session's workspace, or 404."""
    row = await repository.get_run(session, run_id)
    if row is None:
        raise NotFound("No such workflow run in your workspace.")
    return row


def steps_of(row: WorkflowRun) -> Sequence[Step]:
    """The steps a run follows (its snapshot)."""
    return steps_from_json(row.definition["steps"])
