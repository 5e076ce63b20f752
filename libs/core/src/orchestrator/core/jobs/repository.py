"""Queries of the jobs area. Every status change is a compare-and-set.

The worker's two hot statements (claim, finish) each change a whole batch of
jobs, their runs, the event log and, when needed, the outbox in one round trip,
with data-modifying CTEs; all of them run in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy import Row, Select, and_, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.jobs.cursor import JobCursor
from orchestrator.core.jobs.states import ACTIVE, CREATED_EVENT, REPLAYABLE, JobStatus
from orchestrator.core.models import Connector, Job, JobRun
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
    attempts_before_replay: int = 0
    """Attempts made before the job's latest replay: its retry policy counts from here."""
    traceparent: str | None = None
    """The trace of the request that queued the job: its attempts' spans join it."""


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


async def get_job(session: AsyncSession, job_id: uuid.UUID) -> Job | None:
    """One job of the session's tenant."""
    return await session.get(Job, job_id)


def _newest_first(query: Select[Job], after: JobCursor | None, limit: int) -> Select[Job]:
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
    return (await session.scalars(_newest_first(query, after, limit))).all()


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


@dataclass(frozen=True, slots=True)
class DeadFilter:
    """Which dead jobs of the workspace to replay; ``None`` fields do not filter."""

    ids: Sequence[uuid.UUID] | None = None
    connector: str | None = None
    operation: str | None = None
    dead_since: dt.datetime | None = None
    """Only jobs that went dead at or after this instant."""


@dataclass(frozen=True, slots=True)
class DeadJob:
    """A dead job picked for a replay (its row locked for the transaction)."""

    id: uuid.UUID
    connector: str
    attempts: int


async def pick_dead(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    f: DeadFilter,
    *,
    limit: int,
    skip_locked: bool,
) -> list[DeadJob]:
    """Up to ``limit`` replayable jobs matching ``f`` whose connector is enabled, the
    oldest dead first, locked for the transaction. With ``skip_locked`` rows another
    transaction holds (a concurrent replay) are passed over instead of waited for.

    A workflow step's job is never replayable: its run moved on (compensated) when it
    died, and running the step again would undo the compensation."""
    query = (
        select(Job.id, Job.connector, Job.attempts)
        .join(
            Connector,
            and_(
                Connector.tenant_id == Job.tenant_id,
                Connector.name == Job.connector,
                Connector.enabled.is_(True),
            ),
        )
        .where(
            Job.tenant_id == tenant_id,
            Job.status.in_(list(REPLAYABLE)),
            Job.workflow_run_id.is_(None),
        )
    )
    if f.ids is not None:
        query = query.where(Job.id.in_(list(f.ids)))
    if f.connector is not None:
        query = query.where(Job.connector == f.connector)
    if f.operation is not None:
        query = query.where(Job.operation == f.operation)
    if f.dead_since is not None:
        query = query.where(Job.finished_at >= f.dead_since)
    query = (
        query.order_by(Job.finished_at, Job.id)
        .limit(limit)
        .with_for_update(of=Job, skip_locked=skip_locked)
    )
    rows = await session.execute(query)
    return [DeadJob(id=row.id, connector=row.connector, attempts=row.attempts) for row in rows]


@dataclass(frozen=True, slots=True)
class Replay:
    """A dead job to queue again: CAS on the attempts it had, with its new budget."""

    id: uuid.UUID
    attempts: int
    max_attempts: int


_REPLAY = text(
    """
    WITH input AS (
        SELECT * FROM unnest(
            CAST(:job_ids AS uuid[]), CAST(:attempts AS int[]), CAST(:max_attempts AS int[])
        ) WITH ORDINALITY AS i(job_id, attempts, max_attempts, n)
    ), replayed AS (
        UPDATE jobs SET
            status = 'queued',
            attempts_before_replay = jobs.attempts,
            max_attempts = i.max_attempts,
            available_at = now(),
            lease_until = NULL,
            finished_at = NULL,
            -- The new run's end calls back again, as a new delivery.
            callback_state = NULL,
            callback_attempts = 0,
            updated_at = now()
        FROM input i
        WHERE jobs.id = i.job_id AND jobs.status = ANY(CAST(:from_statuses AS text[]))
          AND jobs.attempts = i.attempts
        RETURNING jobs.id, jobs.tenant_id, jobs.attempts, jobs.max_attempts, jobs.available_at,
                  i.n
    ), box AS (
        INSERT INTO outbox (workspace_id, kind, payload, available_at)
        SELECT tenant_id, :kind,
               jsonb_build_object('tenant_id', tenant_id::text, 'job_id', id::text), available_at
        FROM replayed
    ), event AS (
        INSERT INTO event_log (tenant_id, job_id, type, data)
        SELECT tenant_id, id, :event_type,
               jsonb_build_object('attempts', attempts, 'max_attempts', max_attempts,
                                  'available_at', available_at)
        FROM replayed ORDER BY n
    )
    SELECT id FROM replayed ORDER BY n
    """
)


async def requeue_dead(
    session: AsyncSession, replays: Sequence[Replay], *, event_type: str
) -> list[uuid.UUID]:
    """CAS dead (with the attempts it had) → queued, due now, for each of ``replays``, in
    one statement: the new budget, the callback state cleared, a ``run_job`` outbox row and
    the ``event_type`` event each. The ids of the jobs this call replayed, in order."""
    if not replays:
        return []
    rows = await session.execute(
        _REPLAY,
        {
            "job_ids": [r.id for r in replays],
            "attempts": [r.attempts for r in replays],
            "max_attempts": [r.max_attempts for r in replays],
            "from_statuses": [status.value for status in REPLAYABLE],
            "kind": RUN_JOB,
            "event_type": event_type,
        },
    )
    return [row.id for row in rows]


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
        WHERE id = ANY(CAST(:job_ids AS uuid[])) AND (
            (status = 'queued' AND available_at <= now())
            OR (status = 'running' AND lease_until < now() AND attempts < max_attempts)
        )
        RETURNING id, tenant_id, connector, operation, payload, attempts, max_attempts,
                  attempts_before_replay, lease_until, callback_url, idempotency_key, created_at,
                  traceparent
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
)


async def claim_many(
    session: AsyncSession, job_ids: Sequence[uuid.UUID], *, lease_s: float
) -> list[ClaimedJob]:
    """CAS queued (due) → running, or running (lease expired, attempts left) → running, for
    each of ``job_ids`` that allows it, in one statement.

    Starts each attempt's ``job_runs`` row, closes lost ones, appends ``job.running``.
    Jobs that are not claimable (finished, cancelled, not due, held by a live lease) are
    left out.
    """
    rows = await session.execute(_CLAIM, {"job_ids": list(job_ids), "lease_s": lease_s})
    return [_claimed(row) for row in rows]


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
        attempts_before_replay=row.attempts_before_replay,
        traceparent=row.traceparent,
    )


# One row per finished attempt comes in as parallel arrays (unnest), so a batch of
# attempts is one statement whatever its size.
_FINISH = text(
    """
    WITH input AS (
        SELECT * FROM unnest(
            CAST(:job_ids AS uuid[]), CAST(:attempts AS int[]), CAST(:statuses AS text[]),
            CAST(:terminals AS boolean[]), CAST(:delays AS float8[]), CAST(:outputs AS text[]),
            CAST(:upstream_statuses AS int[]), CAST(:errors AS text[]),
            CAST(:outcomes AS text[]), CAST(:durations AS float8[]),
            CAST(:event_types AS text[]), CAST(:event_data AS text[]), CAST(:box_kinds AS text[])
        ) AS i(job_id, attempt, status, terminal, delay_s, output, upstream_status, error,
               outcome, duration_ms, event_type, event_data, box_kind)
    ), done AS (
        UPDATE jobs SET
            status = i.status,
            lease_until = NULL,
            updated_at = now(),
            finished_at = CASE WHEN i.terminal THEN now() END,
            available_at = CASE WHEN i.terminal THEN jobs.available_at
                                ELSE now() + make_interval(secs => i.delay_s) END,
            output = CAST(i.output AS jsonb),
            upstream_status = i.upstream_status,
            last_error = i.error,
            callback_state = CASE WHEN i.terminal AND jobs.callback_url IS NOT NULL
                                  THEN 'pending' ELSE jobs.callback_state END
        FROM input i
        WHERE jobs.id = i.job_id AND jobs.status = 'running' AND jobs.attempts = i.attempt
        RETURNING jobs.id, jobs.tenant_id, jobs.status, jobs.available_at, jobs.callback_url,
                  jobs.workflow_run_id, i.attempt, i.terminal, i.outcome, i.upstream_status,
                  i.error, i.duration_ms, i.event_type, i.event_data, i.box_kind
    ), run AS (
        UPDATE job_runs SET finished_at = now(), outcome = done.outcome,
                            upstream_status = done.upstream_status, error = done.error,
                            duration_ms = done.duration_ms
        FROM done
        WHERE job_runs.job_id = ANY(ARRAY(SELECT id FROM done))
          AND job_runs.job_id = done.id AND job_runs.attempt = done.attempt
    ), event AS (
        INSERT INTO event_log (tenant_id, job_id, type, data)
        SELECT tenant_id, id, event_type,
               CAST(event_data AS jsonb) || CASE WHEN terminal THEN '{}'::jsonb
                   ELSE jsonb_build_object('available_at', available_at) END
        FROM done ORDER BY id
    ), box AS (
        INSERT INTO outbox (workspace_id, kind, payload, available_at)
        SELECT tenant_id, box_kind,
               jsonb_build_object('tenant_id', tenant_id::text, 'job_id', id::text),
               available_at
        FROM done
        WHERE CASE WHEN terminal THEN callback_url IS NOT NULL ELSE true END
        RETURNING payload
    )
    -- A workflow step's end also has an outbox row: the advance its trigger wrote.
    SELECT done.id, done.status,
           done.id::text IN (SELECT payload->>'job_id' FROM box)
               OR (done.terminal AND done.workflow_run_id IS NOT NULL) AS boxed
    FROM done
    """
)


@dataclass(frozen=True, slots=True)
class Finished:
    """What ``finish_attempts`` did to one job."""

    status: JobStatus
    outbox_written: bool


@dataclass(frozen=True, slots=True)
class AttemptEnd:
    """How one attempt ends: the job's next status and what to record."""

    job_id: uuid.UUID
    attempt: int
    status: JobStatus
    outcome: str
    event_type: str
    event_data: dict[str, Any]
    delay_s: float
    output: Any
    upstream_status: int | None
    error: str | None
    duration_ms: float
    box_kind: str
    """The outbox row to write: the retry's ``run_job``, or ``deliver_callback`` when the
    job is terminal and has a callback URL."""


async def finish_attempts(
    session: AsyncSession, ends: Sequence[AttemptEnd]
) -> dict[uuid.UUID, Finished]:
    """CAS running (this attempt) → each end's status, in one statement: closes the runs,
    appends the events and writes the outbox rows. Jobs whose attempt no longer holds
    them (a lease taken over) are left out of the answer, and unchanged."""
    if not ends:
        return {}
    rows = await session.execute(
        _FINISH,
        {
            "job_ids": [e.job_id for e in ends],
            "attempts": [e.attempt for e in ends],
            "statuses": [e.status.value for e in ends],
            "terminals": [e.status is not JobStatus.QUEUED for e in ends],
            "delays": [float(e.delay_s) for e in ends],
            "outputs": [json_text(e.output) for e in ends],
            "upstream_statuses": [e.upstream_status for e in ends],
            "errors": [clip(e.error) for e in ends],
            "outcomes": [e.outcome for e in ends],
            "durations": [float(e.duration_ms) for e in ends],
            "event_types": [e.event_type for e in ends],
            "event_data": [json_text(e.event_data) for e in ends],
            "box_kinds": [e.box_kind for e in ends],
        },
    )
    return {
        row.id: Finished(status=JobStatus(row.status), outbox_written=bool(row.boxed))
        for row in rows
    }


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


def _dead_matching(tenant_id: uuid.UUID, f: DeadFilter) -> Any:
    """The conditions of ``f`` on dead (replayable) jobs of the tenant, as SQL."""
    conditions = [Job.tenant_id == tenant_id, Job.status.in_(list(REPLAYABLE))]
    if f.ids is not None:
        conditions.append(Job.id.in_(list(f.ids)))
    if f.connector is not None:
        conditions.append(Job.connector == f.connector)
    if f.operation is not None:
        conditions.append(Job.operation == f.operation)
    if f.dead_since is not None:
        conditions.append(Job.finished_at >= f.dead_since)
    return and_(*conditions)


async def list_dead(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    f: DeadFilter,
    *,
    after: JobCursor | None,
    limit: int,
) -> Sequence[Job]:
    """Dead jobs matching ``f``, newest first by (created_at, id), after the cursor (the
    order and cursor of ``list_jobs``)."""
    query = select(Job).where(_dead_matching(tenant_id, f))
    return (await session.scalars(_newest_first(query, after, limit))).all()


_PURGE_DEAD = text(
    """
    WITH gone AS (
        DELETE FROM jobs WHERE id = ANY(CAST(:job_ids AS uuid[]))
          AND status = ANY(CAST(:statuses AS text[]))
        RETURNING id, tenant_id, connector, operation, attempts, finished_at
    ), event AS (
        INSERT INTO event_log (tenant_id, job_id, type, data)
        SELECT tenant_id, id, :event_type,
               jsonb_build_object('connector', connector, 'operation', operation,
                                  'attempts', attempts, 'dead_at', finished_at)
        FROM gone ORDER BY finished_at, id
    )
    SELECT id FROM gone ORDER BY finished_at, id
    """
)


async def purge_dead(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    f: DeadFilter,
    *,
    limit: int,
    event_type: str,
) -> list[uuid.UUID]:
    """Delete up to ``limit`` dead jobs matching ``f``, the oldest dead first, whatever
    their connector's state; their runs go with them (``ON DELETE CASCADE``) and each
    leaves an ``event_type`` event. Rows another transaction holds (a concurrent replay
    or purge) are passed over. The ids of the jobs deleted, in order."""
    picked = (
        await session.scalars(
            select(Job.id)
            .where(_dead_matching(tenant_id, f))
            .order_by(Job.finished_at, Job.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    if not picked:
        return []
    rows = await session.execute(
        _PURGE_DEAD,
        {
            "job_ids": list(picked),
            "statuses": [status.value for status in REPLAYABLE],
            "event_type": event_type,
        },
    )
    return [row.id for row in rows]


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
        RETURNING 1
    )
    SELECT count(*) FROM gone
    """
)


async def purge_finished(
    session: AsyncSession, tenant_id: uuid.UUID, *, before: dt.datetime, limit: int
) -> int:
    """Delete up to ``limit`` of the tenant's jobs that ended (succeeded, failed or
    cancelled) before ``before``, their runs with them; how many went. Dead jobs (the DLQ)
    and jobs whose callback is still being delivered stay."""
    purged = await session.scalar(
        _PURGE_FINISHED, {"tenant_id": tenant_id, "before": before, "limit": limit}
    )
    return int(purged or 0)
