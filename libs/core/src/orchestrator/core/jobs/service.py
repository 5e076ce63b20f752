"""Business rules of jobs: submit, cancel, replay, claim and finish. Never commits.

Each function runs in the caller's transaction (one per request, one per
actor step) and registers after-commit wake-ups for the outbox relay and the
live event streams.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.configuration.repository import connector_with_policy, tenant_quota
from orchestrator.core.connectors.ssrf import NetworkPolicy
from orchestrator.core.errors import (
    JobNotCancellable,
    JobNotRetryable,
    NotFound,
    QueueFull,
    ValidationFailed,
)
from orchestrator.core.events import log as events
from orchestrator.core.events.wake import Notifier, after_commit
from orchestrator.core.execution.plans import ConnectorPlan
from orchestrator.core.jobs import repository
from orchestrator.core.jobs.repository import AttemptEnd, ClaimedJob, DeadFilter, Finished, Replay
from orchestrator.core.jobs.results import AttemptResult
from orchestrator.core.jobs.states import (
    REPLAYABLE,
    TERMINAL,
    JobStatus,
    after_attempt,
    event_for,
    replayed_max_attempts,
)
from orchestrator.core.models import Job
from orchestrator.core.observability.tracing import current_traceparent
from orchestrator.core.outbox import writer as outbox
from orchestrator.core.outbox.kinds import DELIVER_CALLBACK, RUN_JOB

MAX_DELAY_MS = 7 * 24 * 3600 * 1000
"""The furthest in the future a job may be scheduled (7 days)."""
RECHECK_MARGIN = dt.timedelta(seconds=1)
"""A look at a held job comes this long after its lease ends."""
MAX_REPLAY_BATCH = 1000
"""The most dead jobs one filtered replay queues again."""


def job_message(tenant_id: uuid.UUID, job_id: uuid.UUID) -> dict[str, Any]:
    """The outbox payload (and actor kwargs) naming a job: ids only."""
    return {"tenant_id": str(tenant_id), "job_id": str(job_id)}


def _tell_events(session: AsyncSession, notifier: Notifier, tenant_id: uuid.UUID) -> None:
    after_commit(session, lambda: notifier.events_appended(tenant_id))


@dataclass(frozen=True, slots=True)
class NewJob:
    """What a caller asks to run later."""

    connector: str
    operation: str
    payload: Any
    callback_url: str | None = None
    delay_ms: int = 0
    idempotency_key: str | None = None
    traceparent: str | None = field(default_factory=current_traceparent)
    """The trace the job continues: taken where the job is asked for (the request's
    context), since the group committer that writes it runs in another request's."""


@dataclass(frozen=True, slots=True)
class SubmittedJob:
    """A job that is now queued."""

    id: uuid.UUID
    status: JobStatus


def check_callback_url(url: str, network: NetworkPolicy) -> None:
    """Refuse (422) a callback URL the SSRF policy forbids, before anything is stored."""
    problem = network.url_problem(url)
    if problem is not None:
        raise ValidationFailed(
            f"callback_url is refused: {problem}.",
            errors=[{"key": "callback_url", "message": problem, "source": "body"}],
        )


def check_payload(payload: Any) -> None:
    """Refuse (422) a payload PostgreSQL's JSONB cannot store (a U+0000 anywhere)."""
    if b"\\u0000" in msgspec.json.encode(payload):
        raise ValidationFailed(
            "payload must not contain the character U+0000.",
            errors=[{"key": "payload", "message": "contains U+0000", "source": "body"}],
        )


async def retry_budget(session: AsyncSession, connector: str) -> int:
    """The attempts a job on ``connector`` gets (its policy's ``retry.max_attempts``);
    422 when the workspace has no such enabled connector."""
    found = await connector_with_policy(session, connector)
    if found is None or not found[0].enabled:
        raise ValidationFailed(
            f"This workspace has no enabled connector called `{connector}`.",
            errors=[{"key": "connector", "message": "no such enabled connector", "source": "body"}],
        )
    return found[1].retry.max_attempts


def check_new_job(new: NewJob, network: NetworkPolicy) -> None:
    """Refuse (422) what the job itself gets wrong, before anything is stored (pure)."""
    if new.callback_url is not None:
        check_callback_url(new.callback_url, network)
    if not 0 <= new.delay_ms <= MAX_DELAY_MS:
        raise ValidationFailed(
            f"delay_ms must be between 0 and {MAX_DELAY_MS}.",
            errors=[{"key": "delay_ms", "message": "out of range", "source": "body"}],
        )
    check_payload(new.payload)


async def submit(
    session: AsyncSession,
    notifier: Notifier,
    tenant_id: uuid.UUID,
    new: NewJob,
    *,
    network: NetworkPolicy,
    plan: ConnectorPlan | None = None,
) -> SubmittedJob:
    """``check_new_job``, then ``submit_many`` for one job."""
    check_new_job(new, network)
    [submitted] = await submit_many(session, notifier, tenant_id, [new], plans=[plan])
    return submitted


async def submit_many(
    session: AsyncSession,
    notifier: Notifier,
    tenant_id: uuid.UUID,
    jobs: Sequence[NewJob],
    *,
    plans: Sequence[ConnectorPlan | None],
) -> list[SubmittedJob]:
    """Queue jobs of one tenant that passed ``check_new_job``: each job row, its
    ``run_job`` outbox row and its ``job.queued`` event, all in one statement of the
    caller's transaction.

    422 for an unknown connector; 429 when the tenant's queued and running jobs would
    pass its queue-depth quota. Each job's attempt budget is snapshotted from its
    connector's policy. ``plans`` (one per job, None where the caller holds none) carry
    the policy and the tenant's quota, sparing their queries.
    """
    budgets = [
        plan.spec.retry.max_attempts if plan else await retry_budget(session, new.connector)
        for new, plan in zip(jobs, plans, strict=True)
    ]
    held = next((plan for plan in plans if plan is not None), None)
    quota = held.quota if held is not None else await tenant_quota(session)
    await _check_queue_depth(session, tenant_id, quota.queue_depth, adding=len(jobs))
    queued = [
        repository.QueuedJob(
            id=uuid.uuid4(),
            connector=new.connector,
            operation=new.operation,
            payload=new.payload,
            max_attempts=budget,
            delay_s=new.delay_ms / 1000,
            callback_url=new.callback_url,
            idempotency_key=new.idempotency_key,
            traceparent=new.traceparent,
        )
        for new, budget in zip(jobs, budgets, strict=True)
    ]
    # One statement: each job, its outbox row and its event exist together or not at all.
    await repository.insert_queued_jobs(session, tenant_id, queued)
    after_commit(session, notifier.outbox_written)
    _tell_events(session, notifier, tenant_id)
    return [SubmittedJob(id=job.id, status=JobStatus.QUEUED) for job in queued]


async def _check_queue_depth(
    session: AsyncSession, tenant_id: uuid.UUID, depth: int | None, *, adding: int
) -> None:
    # A soft limit: concurrent submissions may overshoot it by their number, which
    # is better than serialising every submission of a tenant on one lock.
    if depth is None:
        return
    if await repository.count_active(session, tenant_id, up_to=depth) + adding > depth:
        raise QueueFull(
            f"This workspace may have {depth} queued or running jobs (its queue-depth "
            f"quota); {adding} more would pass it. Retry when some have finished.",
            headers={"Retry-After": "1"},
            queue_depth=depth,
        )


async def get(session: AsyncSession, job_id: uuid.UUID) -> Job:
    """One job of the session's tenant, or 404."""
    job = await repository.get_job(session, job_id)
    if job is None:
        raise NotFound("No such job in your workspace.")
    return job


async def cancel(
    session: AsyncSession, notifier: Notifier, tenant_id: uuid.UUID, job_id: uuid.UUID
) -> Job:
    """CAS queued → cancelled; 404 if unknown, 409 if it is no longer queued."""
    job = await repository.cancel_queued(session, job_id)
    if job is None:
        current = await get(session, job_id)
        raise JobNotCancellable(
            f"The job is {current.status.value}; only a queued job can be cancelled.",
            job_status=current.status.value,
        )
    await events.append(
        session, tenant_id, event_for(JobStatus.QUEUED, JobStatus.CANCELLED), {}, job_id=job_id
    )
    _tell_events(session, notifier, tenant_id)
    return job


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
    picked = await repository.pick_dead(session, tenant_id, f, limit=limit, skip_locked=skip_locked)
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
    replayed = await repository.requeue_dead(
        session, replays, event_type=event_for(JobStatus.DEAD, JobStatus.QUEUED)
    )
    if replayed:
        await _check_room(session, tenant_id, added=len(replayed))
        after_commit(session, notifier.outbox_written)
        _tell_events(session, notifier, tenant_id)
    return replayed


async def _check_room(session: AsyncSession, tenant_id: uuid.UUID, *, added: int) -> None:
    """429 (rolling the replay back) when the jobs just queued took the workspace's queued
    and running jobs past its queue-depth quota."""
    depth = (await tenant_quota(session)).queue_depth
    if depth is None:
        return
    if await repository.count_active(session, tenant_id, up_to=depth + 1) > depth:
        raise QueueFull(
            f"This workspace may have {depth} queued or running jobs (its queue-depth "
            f"quota); replaying {added} would pass it. Retry when some have finished.",
            headers={"Retry-After": "1"},
            queue_depth=depth,
        )


async def claim(
    session: AsyncSession,
    notifier: Notifier,
    tenant_id: uuid.UUID,
    job_id: uuid.UUID,
    *,
    lease_s: float,
) -> ClaimedJob | None:
    """``claim_batch`` for one job."""
    claimed = await claim_batch(session, notifier, tenant_id, [job_id], lease_s=lease_s)
    return claimed[0] if claimed else None


async def claim_batch(
    session: AsyncSession,
    notifier: Notifier,
    tenant_id: uuid.UUID,
    job_ids: Sequence[uuid.UUID],
    *,
    lease_s: float,
) -> list[ClaimedJob]:
    """Take the jobs of ``job_ids`` that can run now, each for one attempt (CAS).

    A message for a finished, cancelled or not-yet-due job is dropped. One for a
    job held by a live lease (a duplicate, or a worker that may yet die) leaves a
    ``run_job`` due when the lease ends, so a lost worker's job is taken over then.
    A lost worker's last attempt makes the job ``dead``.
    """
    claimed = await repository.claim_many(session, job_ids, lease_s=lease_s)
    if claimed:
        _tell_events(session, notifier, tenant_id)
    taken = {job.id for job in claimed}
    for job_id in job_ids:
        if job_id not in taken:  # rare: a duplicate, a redelivery or a lost worker's job
            await _not_claimed(session, notifier, tenant_id, job_id)
    return claimed


async def _not_claimed(
    session: AsyncSession, notifier: Notifier, tenant_id: uuid.UUID, job_id: uuid.UUID
) -> None:
    state = await repository.job_state(session, job_id)
    if state is None or state.status in TERMINAL or state.status is JobStatus.QUEUED:
        return
    if not state.lease_expired:
        assert state.lease_until is not None
        await outbox.enqueue(
            session,
            notifier,
            workspace_id=tenant_id,
            kind=RUN_JOB,
            payload=job_message(tenant_id, job_id),
            available_at=state.lease_until + RECHECK_MARGIN,
        )
        return
    buried = await repository.bury_lost(session, job_id)
    if buried is not None:
        _tell_events(session, notifier, tenant_id)
        if buried.outbox_written:
            after_commit(session, notifier.outbox_written)


def _event_data(
    job: ClaimedJob, result: AttemptResult, status: JobStatus, delay_s: float
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "attempt": job.attempt,
        "upstream_status": result.upstream_status,
        "duration_ms": result.duration_ms,
    }
    if status is not JobStatus.SUCCEEDED:
        data["error"] = result.error
    if status is JobStatus.QUEUED:
        data["delay_s"] = delay_s
    if status is JobStatus.DEAD:
        data["attempts"] = job.attempt
    return data


@dataclass(frozen=True, slots=True)
class Attempted:
    """A claimed job and what its attempt produced.

    ``retry_delay_s`` is the retry policy's delay before the next attempt (already
    honouring ``Retry-After``), or None when no further attempt is allowed.
    """

    job: ClaimedJob
    result: AttemptResult
    retry_delay_s: float | None


def attempt_end(attempted: Attempted) -> AttemptEnd:
    """Where the job goes after its attempt, and what is recorded (pure)."""
    job, result = attempted.job, attempted.result
    status = after_attempt(
        result.outcome,
        attempt=job.attempt,
        max_attempts=job.max_attempts,
        retry_delay_s=attempted.retry_delay_s,
    )
    delay_s = max(attempted.retry_delay_s or 0.0, 0.0)
    return AttemptEnd(
        job_id=job.id,
        attempt=job.attempt,
        status=status,
        outcome=result.outcome,
        event_type=event_for(JobStatus.RUNNING, status),
        event_data=_event_data(job, result, status, delay_s),
        delay_s=delay_s,
        output=result.output,
        upstream_status=result.upstream_status,
        error=result.error,
        duration_ms=result.duration_ms,
        box_kind=RUN_JOB if status is JobStatus.QUEUED else DELIVER_CALLBACK,
    )


async def finish(
    session: AsyncSession,
    notifier: Notifier,
    job: ClaimedJob,
    result: AttemptResult,
    retry_delay_s: float | None,
) -> Finished | None:
    """``finish_batch`` for one attempt."""
    done = await finish_batch(
        session, notifier, job.tenant_id, [Attempted(job, result, retry_delay_s)]
    )
    return done.get(job.id)


async def finish_batch(
    session: AsyncSession,
    notifier: Notifier,
    tenant_id: uuid.UUID,
    attempts: Sequence[Attempted],
) -> dict[uuid.UUID, Finished]:
    """Record the attempts' results: running → succeeded | failed | dead, or back to queued.

    A retry writes a ``run_job`` due after its delay; a finished job with a callback URL
    writes its ``deliver_callback``. An attempt that no longer holds its job (its lease
    ran out and another worker took it over) changes nothing and is left out of the answer.
    """
    finished = await repository.finish_attempts(session, [attempt_end(a) for a in attempts])
    if finished:
        _tell_events(session, notifier, tenant_id)
    if any(f.outbox_written for f in finished.values()):
        after_commit(session, notifier.outbox_written)
    return finished
