"""The workspace overview's queries: depths and recent attempts, each bounded however large
the workspace grows (every one runs under the session's tenant, RLS, and names the tenant
so the planner seeks into the tenant's part of an index)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.jobs.models import Job
from orchestrator.core.jobs.states import JobStatus
from orchestrator.core.webhooks.models import WebhookInboxEntry

JOB_DEPTHS = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DEAD)
"""The queue, the jobs being run and the DLQ; finished jobs are not a depth."""
INBOX_DEPTHS = ("received", "unrouted", "failed")
"""Webhook events waiting to be routed, matched by no workspace, or given up on."""


@dataclass(frozen=True, slots=True)
class Depths:
    """Counts by status, each counted no further than ``limit``."""

    jobs: dict[str, int]
    webhook_inbox: dict[str, int]
    limit: int


def _capped(query: Select[uuid.UUID], limit: int) -> Select[int]:
    """``count(*)`` of ``query``'s first ``limit`` rows."""
    return select(func.count()).select_from(query.limit(limit).subquery())


def depths_query(tenant_id: uuid.UUID, *, limit: int) -> Select[Any]:
    """The one statement of ``depths``: each count an index-only scan of
    ``ix_jobs_tenant_id_status_created_at`` or ``ix_webhook_inbox_tenant_id_status``
    stopping at ``limit`` rows, so a workspace with a million dead jobs costs what one with
    ``limit`` does."""
    counts = [
        _capped(select(Job.id).where(Job.tenant_id == tenant_id, Job.status == status), limit)
        .scalar_subquery()
        .label(f"jobs_{status.value}")
        for status in JOB_DEPTHS
    ] + [
        _capped(
            select(WebhookInboxEntry.id).where(
                WebhookInboxEntry.tenant_id == tenant_id, WebhookInboxEntry.status == status
            ),
            limit,
        )
        .scalar_subquery()
        .label(f"inbox_{status}")
        for status in INBOX_DEPTHS
    ]
    return select(*counts)


async def depths(session: AsyncSession, tenant_id: uuid.UUID, *, limit: int) -> Depths:
    """Jobs and webhook events by status, each counted up to ``limit``, in one round trip."""
    row = (await session.execute(depths_query(tenant_id, limit=limit))).mappings().one()
    return Depths(
        jobs={status.value: int(row[f"jobs_{status.value}"]) for status in JOB_DEPTHS},
        webhook_inbox={status: int(row[f"inbox_{status}"]) for status in INBOX_DEPTHS},
        limit=limit,
    )


@dataclass(frozen=True, slots=True)
class RecentCalls:
    """One connector's job attempts among the latest read."""

    connector: str
    attempts: int
    running: int
    """Started, not finished (nor lost) yet."""
    succeeded: int
    failed: int
    """Finished any other way: refused, retryable, lost."""
    p50_ms: float | None
    p95_ms: float | None
    max_ms: float | None


@dataclass(frozen=True, slots=True)
class RecentAttempts:
    """Attempts started in the window, by connector; ``read`` counts them all, at most the
    query's limit (reached: only the latest attempts of the window were read)."""

    connectors: list[RecentCalls]
    read: int


RECENT_ATTEMPTS = text(
    """
    WITH recent AS (
        -- A scalar subquery, not a join: one primary-key lookup per attempt read. A join
        -- (even LATERAL) is flattened, and the planner then hashes the workspace's whole
        -- jobs table once the limit is large.
        SELECT (SELECT connector FROM jobs WHERE jobs.id = job_runs.job_id) AS connector,
               outcome, duration_ms
        FROM job_runs
        WHERE tenant_id = :tenant_id AND started_at >= now() - make_interval(secs => :window_s)
        ORDER BY started_at DESC
        LIMIT :limit
    )
    SELECT connector,
           count(*) AS attempts,
           count(*) FILTER (WHERE outcome IS NULL) AS running,
           count(*) FILTER (WHERE outcome = 'succeeded') AS succeeded,
           count(*) FILTER (WHERE outcome <> 'succeeded') AS failed,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50_ms,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95_ms,
           max(duration_ms) AS max_ms
    FROM recent
    GROUP BY connector
    """
)


async def recent_attempts(
    session: AsyncSession, tenant_id: uuid.UUID, *, window_s: int, limit: int
) -> RecentAttempts:
    """The latest ``limit`` job attempts started in the last ``window_s`` seconds (database
    clock), by connector: a range scan of ``ix_job_runs_tenant_id_started_at``. Attempts
    whose job was purged since are counted in ``read`` only."""
    params = {"tenant_id": tenant_id, "window_s": window_s, "limit": limit}
    rows = (await session.execute(RECENT_ATTEMPTS, params)).all()
    connectors = [
        RecentCalls(
            connector=row.connector,
            attempts=int(row.attempts),
            running=int(row.running),
            succeeded=int(row.succeeded),
            failed=int(row.failed),
            p50_ms=row.p50_ms,
            p95_ms=row.p95_ms,
            max_ms=row.max_ms,
        )
        for row in rows
        if row.connector is not None
    ]
    return RecentAttempts(connectors=connectors, read=sum(int(row.attempts) for row in rows))
