"""Business rules of one job a caller names by id: read it, cancel it. Never commits.

Both answer in the API's terms: a job of another workspace is invisible under RLS, so it
is a 404 like an unknown one, and a cancel that loses its compare-and-set says why (409)
from the job as it now is. Replaying one job is in ``replay`` with the filtered replay it
shares its statement with.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.errors import JobNotCancellable, NotFound
from orchestrator.core.events import log as events
from orchestrator.core.events.wake import Notifier
from orchestrator.core.jobs.models import Job
from orchestrator.core.jobs.notices import tell_events
from orchestrator.core.jobs.single_job_queries import cancel_queued, get_job
from orchestrator.core.jobs.states import JobStatus, event_for

NO_SUCH_JOB = "No such job in your workspace."


async def get(session: AsyncSession, job_id: uuid.UUID) -> Job:
    """One job of the session's tenant, or 404."""
    job = await get_job(session, job_id)
    if job is None:
        raise NotFound(NO_SUCH_JOB)
    return job


async def cancel(
    session: AsyncSession, notifier: Notifier, tenant_id: uuid.UUID, job_id: uuid.UUID
) -> Job:
    """CAS queued → cancelled; 404 if unknown, 409 if it is no longer queued."""
    job = await cancel_queued(session, job_id)
    if job is None:
        current = await get(session, job_id)
        raise JobNotCancellable(
            f"The job is {current.status.value}; only a queued job can be cancelled.",
            job_status=current.status.value,
        )
    await events.append(
        session, tenant_id, event_for(JobStatus.QUEUED, JobStatus.CANCELLED), {}, job_id=job_id
    )
    tell_events(session, notifier, tenant_id)
    return job
