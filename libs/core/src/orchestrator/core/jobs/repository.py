"""Queries of the jobs area. Every status change is a compare-and-set.

The worker's two hot statements (claim, finish) each change the job, its run,
the event log and, when needed, the outbox in one round trip, with
data-modifying CTEs; all of them run in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy import Row, and_, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.jobs.cursor import JobCursor
from orchestrator.core.jobs.states import ACTIVE, CREATED_EVENT, JobStatus
from orchestrator.core.models import Job, JobRun
from orchestrator.core.outbox.kinds import RUN_JOB

MAX_ERROR = 2000


def clip(error: str | None) -> str | None:
    """An error message cut to what the column holds."""
    return None if error is None else error[:MAX_ERROR]


def json_text(value: Any) -> str | None:
    """``value`` as JSON text for a ``CAST(… AS jsonb)`` parameter; None stays SQL NULL."""
    return None if value is None else msgspec.json.encode(value).decode()


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


_SUBMIT = text(
    """
    WITH job AS (
        INSERT INTO jobs (id, tenant_id, connector, operation, payload, status, max_attempts,
                          available_at, callback_url, idempotency_key)
        VALUES (:job_id, :tenant_id, :connector, :operation, CAST(:payload AS jsonb), 'queued',
                :max_attempts, now() + make_interval(secs => :delay_s), :callback_url,
                :idempotency_key)
        RETURNING id, tenant_id, available_at
    ), box AS (
        INSERT INTO outbox (workspace_id, kind, payload, available_at)
        SELECT tenant_id, :kind,
               jsonb_build_object('tenant_id', tenant_id::text, 'job_id', id::text), available_at
        FROM job
    ), event AS (
        INSERT INTO event_log (tenant_id, job_id, type, data)
        SELECT tenant_id, id, :event_type,
               CAST(:event_data AS jsonb) || jsonb_build_object('available_at', available_at)
        FROM job
    )
    SELECT available_at FROM job
    """
)


async def insert_queued_job(
    session: AsyncSession,
    *,
    job_id: uuid.UUID,
    tenant_id: uuid.UUID,
    connector: str,
    operation: str,
    payload: Any,
    max_attempts: int,
    delay_s: float,
    callback_url: str | None,
    idempotency_key: str | None,
) -> dt.datetime:
    """Insert a queued job due ``delay_s`` from now (database clock), its ``run_job`` outbox
    row due at the same time and its ``job.queued`` event, in one statement; the job's
    ``available_at``."""
    available_at: dt.datetime = (
        await session.execute(
            _SUBMIT,
            {
                "job_id": job_id,
                "tenant_id": tenant_id,
                "connector": connector,
                "operation": operation,
                "payload": json_text(payload),
                "max_attempts": max_attempts,
                "delay_s": delay_s,
                "callback_url": callback_url,
                "idempotency_key": idempotency_key,
                "kind": RUN_JOB,
                "event_type": CREATED_EVENT,
                "event_data": json_text({"connector": connector, "operation": operation}),
            },
        )
    ).scalar_one()
    return available_at


async def count_active(session: AsyncSession, tenant_id: uuid.UUID, *, up_to: int) -> int:
    """Queued and running jobs of the tenant, counted no further than ``up_to``."""
    capped = (
        select(Job.id)
        .where(Job.tenant_id == tenant_id, Job.status.in_(list(ACTIVE)))
        .limit(up_to)
        .subquery()
    )
    return int(await session.scalar(select(func.count()).select_from(capped)) or 0)


async def get_job(session: AsyncSession, job_id: uuid.UUID) -> Job | None:
    """One job of the session's tenant."""
    return await session.get(Job, job_id)


async def list_jobs(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    status: JobStatus | None,
    after: JobCursor | None,
    limit: int,
) -> Sequence[Job]:
    """Newest first, by (created_at, id), after the cursor."""
    query = select(Job).where(Job.tenant_id == tenant_id)
    if status is not None:
        query = query.where(Job.status == status)
    if after is not None:
        query = query.where(
            or_(
                Job.created_at < after.created_at,
                and_(Job.created_at == after.created_at, Job.id < after.id),
            )
        )
    query = query.order_by(Job.created_at.desc(), Job.id.desc()).limit(limit)
    return (await session.scalars(query)).all()


async def job_runs(session: AsyncSession, job_id: uuid.UUID) -> Sequence[JobRun]:
    """Every attempt of a job, first first."""
    return (
        await session.scalars(
            select(JobRun).where(JobRun.job_id == job_id).order_by(JobRun.attempt)
        )
    ).all()


async def cancel_queued(session: AsyncSession, job_id: uuid.UUID) -> Job | None:
    """CAS queued → cancelled; the job if this call cancelled it."""
    return await session.scalar(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
        .values(status=JobStatus.CANCELLED, finished_at=func.now(), updated_at=func.now())
        .returning(Job)
    )


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


_CLAIM = text(
    """
    WITH claimed AS (
        UPDATE jobs SET
            status = 'running',
            attempts = attempts + 1,
            lease_until = now() + make_interval(secs => :lease_s),
            started_at = coalesce(started_at, now()),
            updated_at = now()
        WHERE id = :job_id AND (
            (status = 'queued' AND available_at <= now())
            OR (status = 'running' AND lease_until < now() AND attempts < max_attempts)
        )
        RETURNING id, tenant_id, connector, operation, payload, attempts, max_attempts,
                  lease_until, callback_url, idempotency_key, created_at
    ), lost AS (
        UPDATE job_runs SET finished_at = now(), outcome = 'lost',
                            error = 'lease expired: the worker running this attempt was lost'
        WHERE job_id = :job_id AND finished_at IS NULL AND EXISTS (SELECT 1 FROM claimed)
        RETURNING attempt
    ), run AS (
        INSERT INTO job_runs (tenant_id, job_id, attempt)
        SELECT tenant_id, id, attempts FROM claimed
    ), event AS (
        INSERT INTO event_log (tenant_id, job_id, type, data)
        SELECT tenant_id, id, 'job.running',
               jsonb_build_object('attempt', attempts, 'reclaimed', EXISTS (SELECT 1 FROM lost))
        FROM claimed
    )
    SELECT claimed.*, EXISTS (SELECT 1 FROM lost) AS reclaimed FROM claimed
    """
)


async def claim(session: AsyncSession, job_id: uuid.UUID, *, lease_s: float) -> ClaimedJob | None:
    """CAS queued (due) → running, or running (lease expired, attempts left) → running.

    Starts the attempt's ``job_runs`` row, closes a lost one, appends ``job.running``.
    None when the job is not claimable (finished, cancelled, not due, held by a live lease).
    """
    row = (await session.execute(_CLAIM, {"job_id": job_id, "lease_s": lease_s})).one_or_none()
    return None if row is None else _claimed(row)


def _claimed(row: Row[Any]) -> ClaimedJob:
    return ClaimedJob(
        id=row.id,
        tenant_id=row.tenant_id,
        connector=row.connector,
        operation=row.operation,
        payload=row.payload,
        attempt=row.attempts,
        max_attempts=row.max_attempts,
        lease_until=row.lease_until,
        callback_url=row.callback_url,
        idempotency_key=row.idempotency_key,
        created_at=row.created_at,
        reclaimed=bool(row.reclaimed),
    )


_FINISH = text(
    """
    WITH done AS (
        UPDATE jobs SET
            status = :status,
            lease_until = NULL,
            updated_at = now(),
            finished_at = CASE WHEN :terminal THEN now() END,
            available_at = CASE WHEN :terminal THEN available_at
                                ELSE now() + make_interval(secs => :delay_s) END,
            output = CAST(:output AS jsonb),
            upstream_status = :upstream_status,
            last_error = :error,
            callback_state = CASE WHEN :terminal AND callback_url IS NOT NULL THEN 'pending'
                                  ELSE callback_state END
        WHERE id = :job_id AND status = 'running' AND attempts = :attempt
        RETURNING id, tenant_id, status, available_at, callback_url
    ), run AS (
        UPDATE job_runs SET finished_at = now(), outcome = :outcome,
                            upstream_status = :upstream_status, error = :error,
                            duration_ms = :duration_ms
        WHERE job_id = :job_id AND attempt = :attempt AND EXISTS (SELECT 1 FROM done)
    ), event AS (
        INSERT INTO event_log (tenant_id, job_id, type, data)
        SELECT tenant_id, id, :event_type,
               CAST(:event_data AS jsonb) || CASE WHEN :terminal THEN '{}'::jsonb
                   ELSE jsonb_build_object('available_at', available_at) END
        FROM done
    ), box AS (
        INSERT INTO outbox (workspace_id, kind, payload, available_at)
        SELECT tenant_id, :box_kind,
               jsonb_build_object('tenant_id', tenant_id::text, 'job_id', id::text),
               available_at
        FROM done
        WHERE CASE WHEN :terminal THEN callback_url IS NOT NULL ELSE true END
        RETURNING id
    )
    SELECT done.status, done.callback_url, EXISTS (SELECT 1 FROM box) AS boxed FROM done
    """
)


@dataclass(frozen=True, slots=True)
class Finished:
    """What ``finish_attempt`` did."""

    status: JobStatus
    outbox_written: bool


async def finish_attempt(
    session: AsyncSession,
    job_id: uuid.UUID,
    *,
    attempt: int,
    status: JobStatus,
    outcome: str,
    event_type: str,
    event_data: dict[str, Any],
    delay_s: float,
    output: Any,
    upstream_status: int | None,
    error: str | None,
    duration_ms: float,
    box_kind: str,
) -> Finished | None:
    """CAS running (this attempt) → ``status``; closes the run, appends the event, and writes
    the outbox row (``box_kind``: the retry's ``run_job``, or ``deliver_callback`` when the job
    is terminal and has a callback). None when the attempt no longer holds the job."""
    terminal = status is not JobStatus.QUEUED
    row = (
        await session.execute(
            _FINISH,
            {
                "job_id": job_id,
                "attempt": attempt,
                "status": status.value,
                "terminal": terminal,
                "delay_s": delay_s,
                "output": json_text(output),
                "upstream_status": upstream_status,
                "error": clip(error),
                "outcome": outcome,
                "duration_ms": duration_ms,
                "event_type": event_type,
                "event_data": json_text(event_data),
                "box_kind": box_kind,
            },
        )
    ).one_or_none()
    if row is None:
        return None
    return Finished(status=JobStatus(row.status), outbox_written=bool(row.boxed))


_BURY_LOST = text(
    """
    WITH done AS (
        UPDATE jobs SET status = 'dead', lease_until = NULL, updated_at = now(),
            finished_at = now(), last_error = :error,
            callback_state = CASE WHEN callback_url IS NOT NULL THEN 'pending' END
        WHERE id = :job_id AND status = 'running' AND lease_until < now()
          AND attempts >= max_attempts
        RETURNING id, tenant_id, attempts, callback_url
    ), lost AS (
        UPDATE job_runs SET finished_at = now(), outcome = 'lost', error = :error
        WHERE job_id = :job_id AND finished_at IS NULL AND EXISTS (SELECT 1 FROM done)
    ), event AS (
        INSERT INTO event_log (tenant_id, job_id, type, data)
        SELECT tenant_id, id, 'job.dead', jsonb_build_object('attempts', attempts, 'error', :error)
        FROM done
    ), box AS (
        INSERT INTO outbox (workspace_id, kind, payload)
        SELECT tenant_id, 'deliver_callback',
               jsonb_build_object('tenant_id', tenant_id::text, 'job_id', id::text)
        FROM done WHERE callback_url IS NOT NULL
        RETURNING id
    )
    SELECT EXISTS (SELECT 1 FROM box) AS boxed FROM done
    """
)

LOST_LAST_ATTEMPT = "lease expired: the worker running the last attempt was lost"


async def bury_lost(session: AsyncSession, job_id: uuid.UUID) -> Finished | None:
    """CAS running (lease expired, no attempts left) → dead; None if the job is not that."""
    row = (
        await session.execute(_BURY_LOST, {"job_id": job_id, "error": LOST_LAST_ATTEMPT})
    ).one_or_none()
    if row is None:
        return None
    return Finished(status=JobStatus.DEAD, outbox_written=bool(row.boxed))


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
