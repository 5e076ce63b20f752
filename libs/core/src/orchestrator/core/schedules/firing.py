"""Firing due schedules: one workspace at a time, each fire exactly once.

For each workspace, one transaction as the runtime role scoped to it (RLS): lock its
due schedules (``FOR UPDATE SKIP LOCKED``, so a concurrent scheduler passes them
over), submit each one's job through the jobs service (job row, outbox row and
``job.queued`` event, as a submitted job) or start its workflow run through the workflows
service (run, its first step's job and ``workflow.started``, as an API-started run), and
move ``next_run_at`` on. Fire and move commit together, so a crash or a retried pass
cannot fire one cron time twice.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from loguru import logger
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.db.base import utcnow
from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.errors import Problem
from orchestrator.core.events.wake import Notifier
from orchestrator.core.jobs import public as jobs
from orchestrator.core.schedules import cron, repository
from orchestrator.core.schedules.metrics import SCHEDULER_FIRES, SCHEDULER_LAG
from orchestrator.core.schedules.models import Schedule
from orchestrator.core.upstream.ssrf import NetworkPolicy
from orchestrator.core.workflows import public as workflows

BATCH = 100
"""The most schedules of one workspace fired in one transaction."""


@dataclass(frozen=True, slots=True)
class Fired:
    """One fire: the cron time it was for, the job it queued or the workflow run it started
    (both None when refused)."""

    schedule_id: uuid.UUID
    fire_time: dt.datetime
    job_id: uuid.UUID | None
    next_run_at: dt.datetime
    run_id: uuid.UUID | None = None

    @property
    def refused(self) -> bool:
        """Whether the fire queued nothing."""
        return self.job_id is None and self.run_id is None


def idempotency_key(schedule_id: uuid.UUID, fire_time: dt.datetime) -> str:
    """The job's (or workflow run's) ``idempotency_key``: which schedule and cron time made
    it."""
    return f"schedule:{schedule_id}:{fire_time.astimezone(dt.UTC).isoformat()}"


async def fire_workspace(
    sessions: async_sessionmaker[AsyncSession],
    notifier: Notifier,
    tenant_id: uuid.UUID,
    *,
    network: NetworkPolicy,
) -> list[Fired]:
    """Fire the workspace's due schedules (up to ``BATCH``); what was fired."""
    async with tenant_transaction(sessions, tenant_id) as session:
        now = utcnow()
        due = await repository.lock_due(session, tenant_id, now=now, limit=BATCH)
        fired = [await _fire(session, notifier, row, now, network) for row in due]
    for one in fired:  # counted once committed
        SCHEDULER_FIRES.labels("refused" if one.refused else "fired").inc()
        SCHEDULER_LAG.observe(max((now - one.fire_time).total_seconds(), 0.0))
    return fired


async def _fire(
    session: AsyncSession,
    notifier: Notifier,
    row: Schedule,
    now: dt.datetime,
    network: NetworkPolicy,
) -> Fired:
    zone = cron.zone(row.timezone)
    # Missed cron times (no scheduler ran) collapse into the latest one (ADR 0048).
    fire_time, following = cron.latest_due(cron.parse(row.cron), row.next_run_at, now, zone)
    key = idempotency_key(row.id, fire_time)
    job_id: uuid.UUID | None = None
    run_id: uuid.UUID | None = None
    try:
        async with session.begin_nested():
            if row.workflow is not None:
                run_id = await _start_run(session, notifier, row, key, network)
            else:
                job_id = await _submit_job(session, notifier, row, key, network)
    except Problem as exc:
        # Expected refusals (connector removed or disabled, workflow deleted, queue-depth
        # quota): this cron time is skipped, the schedule moves on; retrying would pile
        # fires up.
        logger.warning(
            "schedule {} ({}) of {} not fired for {}: {}: {}",
            row.name,
            row.id,
            row.tenant_id,
            fire_time.isoformat(),
            exc.code,
            exc.detail,
        )
    row.last_fired_at, row.next_run_at = fire_time, following
    await session.flush()
    return Fired(row.id, fire_time, job_id, following, run_id)


async def _submit_job(
    session: AsyncSession, notifier: Notifier, row: Schedule, key: str, network: NetworkPolicy
) -> uuid.UUID:
    """Queue the schedule's job as ``POST /api/v1/jobs`` would; its id."""
    assert row.connector is not None
    assert row.operation is not None
    new = jobs.NewJob(
        connector=row.connector,
        operation=row.operation,
        payload=row.payload,
        callback_url=row.callback_url,
        idempotency_key=key,
        traceparent=None,
    )
    jobs.check_new_job(new, network)
    [submitted] = await jobs.submit_many(session, notifier, row.tenant_id, [new], plans=[None])
    return submitted.id


async def _start_run(
    session: AsyncSession, notifier: Notifier, row: Schedule, key: str, network: NetworkPolicy
) -> uuid.UUID:
    """Start a run of the schedule's workflow (its payload the run's input) as ``POST
    /api/v1/workflows/{name}/runs`` would; its id. A workflow deleted since is a 404."""
    assert row.workflow is not None
    run = await workflows.start_run(
        session,
        notifier,
        row.tenant_id,
        row.workflow,
        row.payload,
        idempotency_key=key,
        network=network,
    )
    return run.id
