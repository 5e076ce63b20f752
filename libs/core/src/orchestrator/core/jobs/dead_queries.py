"""Queries of the dead letter queue: pick dead jobs, queue them again, list and purge them.

Dead jobs are chosen by one filter (``DeadFilter``) whichever way they go. A replay locks
the rows it picks, then queues them again with their outbox rows and events in one
statement, compare-and-set on the attempts they had; a purge deletes them for good, each
leaving an event. All run in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.connectors.public import Connector
from orchestrator.core.jobs.cursor import JobCursor
from orchestrator.core.jobs.listing_queries import newest_first
from orchestrator.core.jobs.models import Job
from orchestrator.core.jobs.states import REPLAYABLE
from orchestrator.core.outbox.kinds import RUN_JOB
from orchestrator.core.payloads.process import delete_stored


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
        .where(_dead_matching(tenant_id, f), Job.workflow_run_id.is_(None))
        .order_by(Job.finished_at, Job.id)
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
    return (await session.scalars(newest_first(query, after, limit))).all()


_PURGE_DEAD = text(
    """
    WITH gone AS (
        DELETE FROM jobs WHERE id = ANY(CAST(:job_ids AS uuid[]))
          AND status = ANY(CAST(:statuses AS text[]))
        RETURNING id, tenant_id, connector, operation, attempts, finished_at, payload_ref,
                  output_ref
    ), event AS (
        INSERT INTO event_log (tenant_id, job_id, type, data)
        SELECT tenant_id, id, :event_type,
               jsonb_build_object('connector', connector, 'operation', operation,
                                  'attempts', attempts, 'dead_at', finished_at)
        FROM gone ORDER BY finished_at, id
    )
    SELECT id, payload_ref, output_ref FROM gone ORDER BY finished_at, id
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
    gone = rows.all()
    # Payloads and outputs kept in the payload store go with their jobs.
    await delete_stored([ref for row in gone for ref in (row.payload_ref, row.output_ref) if ref])
    return [row.id for row in gone]
