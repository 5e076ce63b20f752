"""The statements behind the worker's chores: the overdue-job sweep and job retention.

Both work on one tenant at a time (the maintenance loop walks the tenants under RLS) and
in bounded batches, so a chore never holds a large transaction; both run in the
caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.jobs.models import Job
from orchestrator.core.jobs.states import JobStatus
from orchestrator.core.payloads.process import delete_stored


async def overdue_jobs(
    session: AsyncSession, tenant_id: uuid.UUID, *, grace_s: float, limit: int
) -> Sequence[uuid.UUID]:
    """Queued jobs overdue by ``grace_s`` and running ones whose lease ran out that long ago."""
    cutoff = func.now() - func.make_interval(0, 0, 0, 0, 0, 0, grace_s)
    query = (
        select(Job.id)
        .where(
            Job.tenant_id == tenant_id,
            or_(
                and_(Job.status == JobStatus.QUEUED, Job.available_at < cutoff),
                and_(Job.status == JobStatus.RUNNING, Job.lease_until < cutoff),
            ),
        )
        .limit(limit)
    )
    return (await session.scalars(query)).all()


_PURGE_FINISHED = text(
    """
    WITH gone AS (
        DELETE FROM jobs WHERE id IN (
            SELECT id FROM jobs
            WHERE tenant_id = :tenant_id
              AND status IN ('succeeded', 'failed', 'cancelled')
              AND finished_at < :before
              AND (callback_state IS NULL OR callback_state <> 'pending')
            LIMIT :limit
        )
        RETURNING payload_ref, output_ref
    )
    SELECT (SELECT count(*) FROM gone),
           ARRAY(SELECT payload_ref FROM gone WHERE payload_ref IS NOT NULL
                 UNION ALL SELECT output_ref FROM gone WHERE output_ref IS NOT NULL)
    """
)


async def purge_finished(
    session: AsyncSession, tenant_id: uuid.UUID, *, before: dt.datetime, limit: int
) -> int:
    """Delete up to ``limit`` of the tenant's jobs that ended (succeeded, failed or
    cancelled) before ``before``, their runs with them; how many went. Dead jobs (the DLQ)
    and jobs whose callback is still being delivered stay; payloads and outputs kept in the
    payload store go with their jobs."""
    purged, refs = (
        await session.execute(
            _PURGE_FINISHED, {"tenant_id": tenant_id, "before": before, "limit": limit}
        )
    ).one()
    await delete_stored(list(refs))
    return int(purged or 0)
