"""Queries of one job named by id: read it and its attempts, and its single-row changes.

The changes are compare-and-sets on the job's row alone (cancel a queued job, move its
callback delivery state), so a concurrent change wins cleanly; RLS keeps every one of
them inside the session's tenant. All run in the caller's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.jobs.models import Job, JobRun
from orchestrator.core.jobs.states import JobStatus


async def get_job(session: AsyncSession, job_id: uuid.UUID) -> Job | None:
    """One job of the session's tenant."""
    return await session.get(Job, job_id)


async def job_runs(
    session: AsyncSession, job_id: uuid.UUID, *, limit: int | None = None
) -> Sequence[JobRun]:
    """A job's attempts, first first: every one, or only the latest ``limit``."""
    query = select(JobRun).where(JobRun.job_id == job_id).order_by(JobRun.attempt.desc())
    if limit is not None:
        query = query.limit(limit)
    return list(reversed((await session.scalars(query)).all()))


async def cancel_queued(session: AsyncSession, job_id: uuid.UUID) -> Job | None:
    """CAS queued → cancelled; the job if this call cancelled it."""
    return await session.scalar(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
        .values(status=JobStatus.CANCELLED, finished_at=func.now(), updated_at=func.now())
        .returning(Job)
    )


async def set_callback_state(
    session: AsyncSession, job_id: uuid.UUID, *, expected: str, new: str, attempts: int
) -> bool:
    """CAS the callback delivery state; False when another delivery moved it first."""
    result = await session.execute(
        update(Job)
        .where(Job.id == job_id, Job.callback_state == expected)
        .values(callback_state=new, callback_attempts=attempts, updated_at=func.now())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
