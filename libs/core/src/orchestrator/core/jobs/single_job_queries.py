"""Queries of one job named by id: read it and its attempts, and cancel it.

Cancelling is a compare-and-set on the job's row alone, so a concurrent change wins
cleanly; RLS keeps every query inside the session's tenant. All run in the caller's
transaction.
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
