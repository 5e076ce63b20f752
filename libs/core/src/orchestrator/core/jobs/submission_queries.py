"""The statements that queue new jobs and count a workspace's active ones.

Submission inserts a whole batch of one tenant's jobs, their ``run_job`` outbox rows and
their ``job.queued`` events in one data-modifying CTE, so each job and what announces it
exist together or not at all; the count bounds the queue-depth quota check. The insert
scopes itself to the workspace (``app.tenant_id``, for row-level security), so it runs
in a caller's transaction or, alone, as a whole transaction on an autocommit connection
(one round trip, as the webhook inbox's insert does).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.db.autocommit import Connection
from orchestrator.core.db.tenant import TENANT_SCOPE
from orchestrator.core.jobs.column_values import json_text
from orchestrator.core.jobs.models import Job
from orchestrator.core.jobs.states import ACTIVE, CREATED_EVENT
from orchestrator.core.outbox.kinds import RUN_JOB
from orchestrator.core.payloads.store import StoredPayload

_SUBMIT = f"""
    WITH {TENANT_SCOPE}, input AS (
        SELECT * FROM unnest(
            CAST(%(job_ids)s AS uuid[]), CAST(%(connectors)s AS text[]),
            CAST(%(operations)s AS text[]), CAST(%(payloads)s AS text[]),
            CAST(%(max_attempts)s AS int[]), CAST(%(delays)s AS float8[]),
            CAST(%(callback_urls)s AS text[]), CAST(%(idempotency_keys)s AS text[]),
            CAST(%(event_data)s AS text[]), CAST(%(traceparents)s AS text[]),
            CAST(%(payload_refs)s AS text[]), CAST(%(payload_sha256s)s AS text[]),
            CAST(%(payload_sizes)s AS int[])
        ) WITH ORDINALITY AS i(job_id, connector, operation, payload, max_attempts, delay_s,
                               callback_url, idempotency_key, event_data, traceparent,
                               payload_ref, payload_ref_sha256, payload_ref_size, n)
    ), job AS (
        INSERT INTO jobs (id, tenant_id, connector, operation, payload, status, max_attempts,
                          available_at, callback_url, idempotency_key, traceparent,
                          payload_ref, payload_ref_sha256, payload_ref_size)
        SELECT job_id, tenant.id, connector, operation, CAST(payload AS jsonb), 'queued',
               max_attempts, now() + make_interval(secs => delay_s), callback_url,
               idempotency_key, traceparent, payload_ref, payload_ref_sha256, payload_ref_size
        FROM input CROSS JOIN tenant ORDER BY n
        RETURNING id, tenant_id, available_at
    ), box AS (
        INSERT INTO outbox (workspace_id, kind, payload, available_at)
        SELECT tenant_id, %(kind)s,
               jsonb_build_object('tenant_id', tenant_id::text, 'job_id', id::text), available_at
        FROM job
    ), event AS (
        INSERT INTO event_log (tenant_id, job_id, type, data)
        SELECT job.tenant_id, job.id, %(event_type)s,
               CAST(input.event_data AS jsonb)
                   || jsonb_build_object('available_at', job.available_at)
        FROM job JOIN input ON input.job_id = job.id ORDER BY input.n
    )
    SELECT count(*) FROM job
"""  # noqa: S608  (TENANT_SCOPE is a constant)


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
    stored: StoredPayload | None = None
    """The payload in the payload store (``payload`` is then JSON ``null`` in the row)."""


async def insert_queued_jobs(
    connection: Connection, tenant_id: uuid.UUID, jobs: Sequence[QueuedJob]
) -> None:
    """Insert queued jobs of one tenant, each due ``delay_s`` from now (database clock),
    each with its ``run_job`` outbox row due at the same time and its ``job.queued``
    event, in one statement (in the connection's transaction, if one is open)."""
    await connection.execute(
        _SUBMIT,
        {
            "tenant_id": tenant_id,
            "job_ids": [j.id for j in jobs],
            "connectors": [j.connector for j in jobs],
            "operations": [j.operation for j in jobs],
            "payloads": ["null" if j.stored else json_text(j.payload) for j in jobs],
            "payload_refs": [j.stored.ref if j.stored else None for j in jobs],
            "payload_sha256s": [j.stored.sha256 if j.stored else None for j in jobs],
            "payload_sizes": [j.stored.size if j.stored else None for j in jobs],
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
