"""Queries of the workflows area; all run in the caller's tenant transaction (RLS)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.db.pages import EVERY, Keyset, Page, PageRequest
from orchestrator.core.db.repository import Repository
from orchestrator.core.jobs.public import TERMINAL, Job
from orchestrator.core.workflows.machine import ACTIVE, FINAL
from orchestrator.core.workflows.models import Workflow, WorkflowRun

_LOCK_RUN = text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")


WORKFLOWS = Repository(Workflow, Workflow.name)
"""The session's tenant's workflows, by name."""


async def get_run(session: AsyncSession, run_id: uuid.UUID) -> WorkflowRun | None:
    """One run of the session's tenant."""
    return await session.get(WorkflowRun, run_id, populate_existing=True)


@dataclass(frozen=True, slots=True)
class RunFilter:
    """Which of a workspace's runs to list; ``None`` fields do not filter."""

    workflow: str | None = None
    status: str | None = None


_NEWEST_FIRST = Keyset(WorkflowRun.created_at, WorkflowRun.id, descending=True)


async def list_runs(
    session: AsyncSession, tenant_id: uuid.UUID, f: RunFilter, page: PageRequest = EVERY
) -> Page[WorkflowRun]:
    """The tenant's runs matching ``f``, newest first by (created_at, id): a backward scan
    of ``ix_workflow_runs_tenant_id_created_at``, the filters applied on the way."""
    query = select(WorkflowRun).where(WorkflowRun.tenant_id == tenant_id)
    if f.workflow is not None:
        query = query.where(WorkflowRun.workflow == f.workflow)
    if f.status is not None:
        query = query.where(WorkflowRun.status == f.status)
    return await _NEWEST_FIRST.scalars(session, query, page)


async def lock_run(session: AsyncSession, run_id: uuid.UUID) -> None:
    """Hold the run's advisory lock until the transaction ends: its advances take turns."""
    await session.execute(_LOCK_RUN, {"key": f"workflow_run:{run_id}"})


async def job_end(session: AsyncSession, job_id: uuid.UUID) -> Job | None:
    """The job a step ran as (its status, output and error)."""
    return await session.get(Job, job_id, populate_existing=True)


async def tag_job(session: AsyncSession, job_id: uuid.UUID, run_id: uuid.UUID, step: str) -> None:
    """Mark a just-queued job as ``step`` of run ``run_id`` (same transaction as its insert,
    so the worker never sees it untagged)."""
    await session.execute(
        update(Job).where(Job.id == job_id).values(workflow_run_id=run_id, workflow_step=step)
    )


async def move_run(
    session: AsyncSession,
    run_id: uuid.UUID,
    *,
    expected_status: str,
    expected_step: int,
    expected_job_id: uuid.UUID | None,
    values: dict[str, Any],
) -> bool:
    """CAS the run from the state it was read in; False when it had moved."""
    current_job = (
        WorkflowRun.current_job_id.is_(None)
        if expected_job_id is None
        else WorkflowRun.current_job_id == expected_job_id
    )
    result = await session.execute(
        update(WorkflowRun)
        .where(
            WorkflowRun.id == run_id,
            WorkflowRun.status == expected_status,
            WorkflowRun.current_step == expected_step,
            current_job,
        )
        .values(**values, updated_at=func.now())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def stuck_runs(
    session: AsyncSession, *, grace_s: float, limit: int
) -> Sequence[tuple[uuid.UUID, uuid.UUID]]:
    """``(run id, job id)`` of active runs whose current job ended over ``grace_s`` ago: the
    message that should have advanced them was lost."""
    cutoff = func.now() - func.make_interval(0, 0, 0, 0, 0, 0, grace_s)
    query = (
        select(WorkflowRun.id, Job.id)
        .join(Job, Job.id == WorkflowRun.current_job_id)
        .where(
            WorkflowRun.status.in_([s.value for s in ACTIVE]),
            Job.status.in_(list(TERMINAL)),
            Job.finished_at < cutoff,
        )
        .limit(limit)
    )
    return [(row[0], row[1]) for row in await session.execute(query)]


async def purge_finished_runs(
    session: AsyncSession, tenant_id: uuid.UUID, *, before: dt.datetime, limit: int
) -> int:
    """Delete up to ``limit`` of the tenant's runs that ended before ``before``, oldest
    first (never an active one); how many went."""
    oldest = (
        select(WorkflowRun.id)
        .where(
            WorkflowRun.tenant_id == tenant_id,
            WorkflowRun.status.in_([status.value for status in FINAL]),
            WorkflowRun.finished_at < before,
        )
        .order_by(WorkflowRun.finished_at)
        .limit(limit)
    )
    result = await session.execute(delete(WorkflowRun).where(WorkflowRun.id.in_(oldest)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
