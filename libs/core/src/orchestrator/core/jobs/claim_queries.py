"""The worker's claim: jobs taken for one attempt each under a lease, by compare-and-set.

Claiming is one of the worker's two hot statements: it changes a whole batch of jobs,
opens their runs, closes the runs of lost workers and appends ``job.running`` in one
round trip, with data-modifying CTEs, scoped to its workspace in the same round trip
(``scoped_rows``): on the worker's autocommit connection it is its own transaction, under
a session (``driver_connection``) part of the session's. ``job_state`` is the cold path
beside it, read in a session when a message finds its job not claimable.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.db.autocommit import Connection
from orchestrator.core.db.tenant import scoped_rows
from orchestrator.core.jobs.models import Job
from orchestrator.core.jobs.states import JobStatus


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    """A job a worker holds for one attempt, until ``lease_until``."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    connector: str
    operation: str
    payload: Any
    attempt: int
    max_attempts: int
    lease_until: dt.datetime
    callback_url: str | None
    idempotency_key: str | None
    created_at: dt.datetime
    reclaimed: bool
    """The previous attempt's worker was lost (its lease ran out)."""
    attempts_before_replay: int = 0
    """Attempts made before the job's latest replay: its retry policy counts from here."""
    traceparent: str | None = None
    """The trace of the request that queued the job: its attempts' spans join it."""
    payload_ref: str | None = None
    """The payload's key in the payload store (``payload`` is then ``None``): the attempt
    reads it back (``stored_values.read_value``)."""
    payload_ref_sha256: str | None = None


@dataclass(frozen=True, slots=True)
class JobState:
    """Just enough of a job to decide what a message for it should do."""

    status: JobStatus
    attempts: int
    max_attempts: int
    available_at: dt.datetime
    lease_until: dt.datetime | None
    lease_expired: bool
    due: bool


async def job_state(session: AsyncSession, job_id: uuid.UUID) -> JobState | None:
    """The status facts a message handler needs, read with the database clock."""
    row = (
        await session.execute(
            select(
                Job.status,
                Job.attempts,
                Job.max_attempts,
                Job.available_at,
                Job.lease_until,
                (Job.lease_until < func.now()).label("lease_expired"),
                (Job.available_at <= func.now()).label("due"),
            ).where(Job.id == job_id)
        )
    ).one_or_none()
    if row is None:
        return None
    return JobState(
        status=row.status,
        attempts=row.attempts,
        max_attempts=row.max_attempts,
        available_at=row.available_at,
        lease_until=row.lease_until,
        lease_expired=bool(row.lease_expired),
        due=bool(row.due),
    )


_CLAIM = """
    WITH claimed AS (
        UPDATE jobs SET
            status = 'running',
            attempts = attempts + 1,
            lease_until = now() + make_interval(secs => %(lease_s)s),
            started_at = coalesce(started_at, now()),
            updated_at = now()
        WHERE id = ANY(CAST(%(job_ids)s AS uuid[])) AND (
            (status = 'queued' AND available_at <= now())
            OR (status = 'running' AND lease_until < now() AND attempts < max_attempts)
        )
        RETURNING id, tenant_id, connector, operation, payload, attempts, max_attempts,
                  attempts_before_replay, lease_until, callback_url, idempotency_key, created_at,
                  traceparent, payload_ref, payload_ref_sha256
    ), lost AS (
        -- Only a retaken job (attempts > 1) can have an open run. The EXISTS is a one-time
        -- filter: without a retaken job (nearly always) job_runs is not even looked at.
        UPDATE job_runs SET finished_at = now(), outcome = 'lost',
                            error = 'lease expired: the worker running this attempt was lost'
        WHERE EXISTS (SELECT 1 FROM claimed WHERE attempts > 1)
          AND job_id = ANY(ARRAY(SELECT id FROM claimed WHERE attempts > 1))
          AND finished_at IS NULL
        RETURNING job_id
    ), run AS (
        INSERT INTO job_runs (tenant_id, job_id, attempt)
        SELECT tenant_id, id, attempts FROM claimed
    ), event AS (
        INSERT INTO event_log (tenant_id, job_id, type, data)
        SELECT tenant_id, id, 'job.running',
               jsonb_build_object('attempt', attempts,
                                  'reclaimed', id IN (SELECT job_id FROM lost))
        FROM claimed ORDER BY id
    )
    SELECT claimed.*, claimed.id IN (SELECT job_id FROM lost) AS reclaimed
    FROM claimed ORDER BY claimed.id
"""


async def claim_many(
    connection: Connection,
    tenant_id: uuid.UUID,
    job_ids: Sequence[uuid.UUID],
    *,
    lease_s: float,
) -> list[ClaimedJob]:
    """CAS queued (due) → running, or running (lease expired, attempts left) → running, for
    each of ``job_ids`` of ``tenant_id`` that allows it, in one statement.

    Starts each attempt's ``job_runs`` row, closes lost ones, appends ``job.running``.
    Jobs that are not claimable (finished, cancelled, not due, held by a live lease) are
    left out.
    """
    params = {"job_ids": list(job_ids), "lease_s": float(lease_s)}
    return [_claimed(row) for row in await scoped_rows(connection, tenant_id, _CLAIM, params)]


def _claimed(row: dict[str, Any]) -> ClaimedJob:
    return ClaimedJob(
        id=row["id"],
        tenant_id=row["tenant_id"],
        connector=row["connector"],
        operation=row["operation"],
        payload=row["payload"],
        attempt=row["attempts"],
        max_attempts=row["max_attempts"],
        lease_until=row["lease_until"],
        callback_url=row["callback_url"],
        idempotency_key=row["idempotency_key"],
        created_at=row["created_at"],
        reclaimed=bool(row["reclaimed"]),
        attempts_before_replay=row["attempts_before_replay"],
        traceparent=row["traceparent"],
        payload_ref=row["payload_ref"],
        payload_ref_sha256=row["payload_ref_sha256"],
    )
