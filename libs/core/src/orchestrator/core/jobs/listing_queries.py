"""Pages of a workspace's jobs, newest first, after an opaque cursor.

Every list of jobs (the exec-api's, the control-api's and the DLQ's) pages by the same
(created_at, id) keyset, so one ordering helper serves them all and a cursor taken from
one list means the same position in another.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.jobs.cursor import JobCursor
from orchestrator.core.jobs.models import Job
from orchestrator.core.jobs.states import JobStatus


def newest_first(query: Select[Job], after: JobCursor | None, limit: int) -> Select[Job]:
    """``query`` in the jobs listing's order, newest first by (created_at, id), after the
    cursor."""
    if after is not None:
        query = query.where(
            or_(
                Job.created_at < after.created_at,
                and_(Job.created_at == after.created_at, Job.id < after.id),
            )
        )
    return query.order_by(Job.created_at.desc(), Job.id.desc()).limit(limit)


@dataclass(frozen=True, slots=True)
class JobFilter:
    """Which of a workspace's jobs to list; ``None`` fields do not filter."""

    status: JobStatus | None = None
    connector: str | None = None
    operation: str | None = None
    since: dt.datetime | None = None
    """Created at or after this instant."""
    until: dt.datetime | None = None
    """Created before this instant."""


async def list_jobs(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    status: JobStatus | None,
    after: JobCursor | None,
    limit: int,
) -> Sequence[Job]:
    """Newest first, by (created_at, id), after the cursor."""
    return await list_matching(
        session, tenant_id, JobFilter(status=status), after=after, limit=limit
    )


async def list_matching(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    f: JobFilter,
    *,
    after: JobCursor | None,
    limit: int,
) -> Sequence[Job]:
    """Jobs matching ``f``, newest first by (created_at, id), after the cursor: a backward
    scan of ``ix_jobs_tenant_id_status_created_at`` (with a status) or of
    ``ix_jobs_tenant_id_created_at``, bounded by the time range, the other filters applied
    on the way."""
    query = select(Job).where(Job.tenant_id == tenant_id)
    if f.status is not None:
        query = query.where(Job.status == f.status)
    if f.connector is not None:
        query = query.where(Job.connector == f.connector)
    if f.operation is not None:
        query = query.where(Job.operation == f.operation)
    if f.since is not None:
        query = query.where(Job.created_at >= f.since)
    if f.until is not None:
        query = query.where(Job.created_at < f.until)
    return (await session.scalars(newest_first(query, after, limit))).all()
