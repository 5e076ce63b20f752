"""The statements that queue new jobs and count a workspace's active ones.

Submission inserts a whole batch of one tenant's jobs, their ``run_job`` outbox rows and
their ``job.queued`` events in one data-modifying CTE, so each job and what announces it
exist together or not at all; the count bounds the queue-depth quota check. Both run in
the caller's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.jobs.column_values import json_text
from orchestrator.core.jobs.models import Job
from orchestrator.core.jobs.states import ACTIVE, CREATED_EVENT
from orchestrator.core.outbox.kinds import RUN_JOB

_SUBMIT = text(
    """
    WITH input AS (
        SELECT * FROM unnest(
            CAST(:job_ids AS uuid[]), CAST(:connectors AS text[]), CAST(:operations AS text[]),
            CAST(:payloads AS text[]), CAST(:max_attempts AS int[]), CAST(:delays AS float8[]),
            CAST(:callback_urls AS text[]), CAST(:idempotency_keys AS text[]),
            CAST(:event_data AS text[]), CAST(:traceparents AS text[])
        ) WITH ORDINALITY AS i(job_id, connector, operation, payload, max_attempts, delay_s,
                               callback_url, idempotency_key, event_data, traceparent, n)
    ), job AS (
        INSERT INTO jobs (id, tenant_id, connector, operation, payload, status, max_attempts,
                          available_at, callback_url, idempotency_key, traceparent)
        SELECT job_id, :tenant_id, connector, operation, CAST(payload AS jsonb), 'queued',
               max_attempts, now() + make_interval(secs => delay_s), callback_url,
               idempotency_key, traceparent
        FROM input ORDER BY n
        RETURNING id, tenant_id, available_at
    ), box AS (
        INSERT INTO outbox (workspace_id, kind, payload, available_at)
        SELECT tenant_id, :kind,
               jsonb_build_object('tenant_id', tenant_id::text, 'job_id', id::text), available_at
        FROM job
    ), event AS (
        INSERT INTO event_log (tenant_id, job_id, type, data)
        SELECT job.tenant_id, job.id, :event_type,
               CAST(input.event_data AS jsonb)
                   || jsonb_build_object('available_at', job.available_at)
        FROM job JOIN input ON input.job_id = job.id ORDER BY input.n
    )
    SELECT count(*) FROM job
    """
)


@dataclass(frozen=True, slots=True)
class QueuedJob:
    """A job to insert as queued."""

    id: uuid.UUID
    connector: str
    operation: str
    payload: Any
    max_attempts: int
    delay_s: float
    callback_url: str | None
    idempotency_key: str | None
    traceparent: str | None = None


async def insert_queued_jobs(
    session: AsyncSession, tenant_id: uuid.UUID, jobs: Sequence[QueuedJob]
) -> None:
    """Insert queued jobs of one tenant, each due ``delay_s`` from now (database clock),
    each with its ``run_job`` outbox row due at the same time and its ``job.queued``
    event, in one statement."""
    await session.execute(
        _SUBMIT,
        {
            "tenant_id": tenant_id,
            "job_ids": [j.id for j in jobs],
            "connectors": [j.connector for j in jobs],
            "operations": [j.operation for j in jobs],
            "payloads": [json_text(j.payload) for j in jobs],
            "max_attempts": [j.max_attempts for j in jobs],
            "delays": [float(j.delay_s) for j in jobs],
            "callback_urls": [j.callback_url for j in jobs],
            "idempotency_keys": [j.idempotency_key for j in jobs],
            "traceparents": [j.traceparent for j in jobs],
            "event_data": [
                json_text({"connector": j.connector, "operation": j.operation}) for j in jobs
            ],
            "kind": RUN_JOB,
            "event_type": CREATED_EVENT,
        },
    )


async def count_active(session: AsyncSession, tenant_id: uuid.UUID, *, up_to: int) -> int:
    """Queued and running jobs of the tenant, counted no further than ``up_to``."""
    capped = (
        select(Job.id)
        .where(Job.tenant_id == tenant_id, Job.status.in_(list(ACTIVE)))
        .limit(up_to)
        .subquery()
    )
    return int(await session.scalar(select(func.count()).select_from(capped)) or 0)
