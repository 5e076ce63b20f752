"""Business rules of replaying dead jobs: one by id, or a filtered batch. Never commits.

A replayed job gets a fresh attempt budget from its connector's policy as it is today
(which may have been fixed since the job died), so a job whose connector is gone or
disabled stays dead; a replay that would take the workspace past its queue-depth quota is
refused and rolled back with the caller's transaction.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.configuration.public import connector_with_policy, tenant_quota
from orchestrator.core.errors import JobNotRetryable, QueueFull
from orchestrator.core.events.wake import Notifier, after_commit
from orchestrator.core.jobs.dead_queries import DeadFilter, Replay, pick_dead, requeue_dead
from orchestrator.core.jobs.models import Job
from orchestrator.core.jobs.notices import tell_events
from orchestrator.core.jobs.single_job import get
from orchestrator.core.jobs.states import REPLAYABLE, JobStatus, event_for, replayed_max_attempts
from orchestrator.core.jobs.submission_queries import count_active

MAX_REPLAY_BATCH = 1000
"""The most dead jobs one filtered replay queues again."""


async def replay(
    session: AsyncSession, notifier: Notifier, tenant_id: uuid.UUID, job_id: uuid.UUID
) -> Job:
    """CAS dead → queued with a fresh attempt budget; 404 if unknown, 409 unless it is dead,
    its connector is enabled and it is no workflow's step."""
    replayed = await _replay(
        session, notifier, tenant_id, DeadFilter(ids=[job_id]), limit=1, skip_locked=False
    )
    job = await get(session, job_id)  # read after the change: the caller sees it queued
    if replayed:
        return job
    if job.workflow_run_id is not None and job.status in REPLAYABLE:
        raise JobNotRetryable(
            f"The job is a step of workflow run {job.workflow_run_id}, which moved on when "
            "the job died; start a new run instead.",
            job_status=job.status.value,
            workflow_run_id=str(job.workflow_run_id),
        )
    if job.status in REPLAYABLE:
        raise JobNotRetryable(
            f"The job's connector `{job.connector}` is not an enabled connector of this "
            "workspace any more; enable it to retry the job.",
            job_status=job.status.value,
        )
    raise JobNotRetryable(
        f"The job is {job.status.value}; only a dead job can be retried.",
        job_status=job.status.value,
    )


async def replay_many(
    session: AsyncSession,
    notifier: Notifier,
    tenant_id: uuid.UUID,
    f: DeadFilter,
    *,
    limit: int,
) -> list[uuid.UUID]:
    """Replay up to ``limit`` dead jobs matching ``f``, the oldest dead first; their ids
    (call again while a full batch comes back). Jobs of a connector that is no longer
    enabled stay dead, and jobs another replay holds are passed over."""
    return await _replay(
        session, notifier, tenant_id, f, limit=min(limit, MAX_REPLAY_BATCH), skip_locked=True
    )


async def _fresh_budget(session: AsyncSession, connector: str) -> int | None:
    """The attempts a replayed job of ``connector`` gets: its policy's today (which may have
    been fixed since the job died); None when the connector is gone or disabled."""
    found = await connector_with_policy(session, connector)
    if found is None or not found[0].enabled:
        return None
    return found[1].retry.max_attempts


async def _replay(
    session: AsyncSession,
    notifier: Notifier,
    tenant_id: uuid.UUID,
    f: DeadFilter,
    *,
    limit: int,
    skip_locked: bool,
) -> list[uuid.UUID]:
    picked = await pick_dead(session, tenant_id, f, limit=limit, skip_locked=skip_locked)
    budgets: dict[str, int | None] = {}
    replays: list[Replay] = []
    for job in picked:
        if job.connector not in budgets:
            budgets[job.connector] = await _fresh_budget(session, job.connector)
        budget = budgets[job.connector]
        if budget is not None:
            max_attempts = replayed_max_attempts(job.attempts, budget)
            replays.append(Replay(id=job.id, attempts=job.attempts, max_attempts=max_attempts))
    # One statement: each job's change, its outbox row and its event, together or not at all.
    replayed = await requeue_dead(
        session, replays, event_type=event_for(JobStatus.DEAD, JobStatus.QUEUED)
    )
    if replayed:
        await _check_room(session, tenant_id, added=len(replayed))
        after_commit(session, notifier.outbox_written)
        tell_events(session, notifier, tenant_id)
    return replayed


async def _check_room(session: AsyncSession, tenant_id: uuid.UUID, *, added: int) -> None:
    """429 (rolling the replay back) when the jobs just queued took the workspace's queued
    and running jobs past its queue-depth quota."""
    depth = (await tenant_quota(session)).queue_depth
    if depth is None:
        return
    if await count_active(session, tenant_id, up_to=depth + 1) > depth:
        raise QueueFull(
            f"This workspace may have {depth} queued or running jobs (its queue-depth "
            f"quota); replaying {added} would pass it. Retry when some have finished.",
            headers={"Retry-After": "1"},
            queue_depth=depth,
        )
