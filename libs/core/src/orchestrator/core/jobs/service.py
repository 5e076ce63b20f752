"""Business rules of jobs: submit, cancel, claim and finish. Never commits.

Each function runs in the caller's transaction (one per request, one per
actor step) and registers after-commit wake-ups for the outbox relay and the
live event streams.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.configuration.repository import connector_with_policy, tenant_quota
from orchestrator.core.connectors.ssrf import NetworkPolicy
from orchestrator.core.errors import JobNotCancellable, NotFound, QueueFull, ValidationFailed
from orchestrator.core.events import log as events
from orchestrator.core.events.wake import Notifier, after_commit
from orchestrator.core.execution.plans import ConnectorPlan
from orchestrator.core.jobs import repository
from orchestrator.core.jobs.repository import ClaimedJob, Finished
from orchestrator.core.jobs.results import AttemptResult
from orchestrator.core.jobs.states import (
    TERMINAL,
    JobStatus,
    after_attempt,
    event_for,
)
from orchestrator.core.models import Job
from orchestrator.core.outbox import writer as outbox
from orchestrator.core.outbox.kinds import DELIVER_CALLBACK, RUN_JOB

MAX_DELAY_MS = 7 * 24 * 3600 * 1000
"""The furthest in the future a job may be scheduled (7 days)."""
RECHECK_MARGIN = dt.timedelta(seconds=1)
"""A look at a held job comes this long after its lease ends."""


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


async def submit(
    session: AsyncSession,
    notifier: Notifier,
    tenant_id: uuid.UUID,
    new: NewJob,
    *,
    network: NetworkPolicy,
    plan: ConnectorPlan | None = None,
) -> SubmittedJob:
    """Queue a job: the job row, its ``run_job`` outbox row and ``job.queued`` in one
    statement of the caller's transaction.

    422 for an unknown connector, a refused callback URL or an unstorable payload; 429
    when the tenant's queued and running jobs reach its queue-depth quota. The attempt
    budget is snapshotted from the connector's policy. A caller that already holds the
    connector's ``plan`` (policy and quota) passes it, sparing two queries.
    """
    if new.callback_url is not None:
        check_callback_url(new.callback_url, network)
    if not 0 <= new.delay_ms <= MAX_DELAY_MS:
        raise ValidationFailed(
            f"delay_ms must be between 0 and {MAX_DELAY_MS}.",
            errors=[{"key": "delay_ms", "message": "out of range", "source": "body"}],
        )
    check_payload(new.payload)
    if plan is None:
        max_attempts = await retry_budget(session, new.connector)
        depth = (await tenant_quota(session)).queue_depth
    else:
        max_attempts, depth = plan.spec.retry.max_attempts, plan.quota.queue_depth
    # A soft limit: concurrent submissions may overshoot it by their number, which
    # is better than serialising every submission of a tenant on one lock.
    if (
        depth is not None
        and await repository.count_active(session, tenant_id, up_to=depth) >= depth
    ):
        raise QueueFull(
            f"This workspace already has {depth} queued or running jobs (its queue-depth "
            "quota); retry when some have finished.",
            headers={"Retry-After": "1"},
            queue_depth=depth,
        )
    job_id = uuid.uuid4()
    # One statement: the job, its outbox row and its event exist together or not at all.
    await repository.insert_queued_job(
        session,
        job_id=job_id,
        tenant_id=tenant_id,
        connector=new.connector,
        operation=new.operation,
        payload=new.payload,
        max_attempts=max_attempts,
        delay_s=new.delay_ms / 1000,
        callback_url=new.callback_url,
        idempotency_key=new.idempotency_key,
    )
    after_commit(session, notifier.outbox_written)
    _tell_events(session, notifier, tenant_id)
    return SubmittedJob(id=job_id, status=JobStatus.QUEUED)


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


async def claim(
    session: AsyncSession,
    notifier: Notifier,
    tenant_id: uuid.UUID,
    job_id: uuid.UUID,
    *,
    lease_s: float,
) -> ClaimedJob | None:
    """Take the job for one attempt (CAS), or None when this message must do nothing.

    A message for a finished, cancelled or not-yet-due job is dropped. One for a
    job held by a live lease (a duplicate, or a worker that may yet die) leaves a
    ``run_job`` due when the lease ends, so a lost worker's job is taken over then.
    A lost worker's last attempt makes the job ``dead``.
    """
    claimed = await repository.claim(session, job_id, lease_s=lease_s)
    if claimed is not None:
        _tell_events(session, notifier, tenant_id)
        return claimed
    state = await repository.job_state(session, job_id)
    if state is None or state.status in TERMINAL or state.status is JobStatus.QUEUED:
        return None
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
        return None
    buried = await repository.bury_lost(session, job_id)
    if buried is not None:
        _tell_events(session, notifier, tenant_id)
        if buried.outbox_written:
            after_commit(session, notifier.outbox_written)
    return None


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


async def finish(
    session: AsyncSession,
    notifier: Notifier,
    job: ClaimedJob,
    result: AttemptResult,
    retry_delay_s: float | None,
) -> Finished | None:
    """Record the attempt's result: running → succeeded | failed | dead, or back to queued.

    ``retry_delay_s`` is the retry policy's delay before the next attempt (already
    honouring ``Retry-After``), or None when no further attempt is allowed. A retry
    writes a ``run_job`` due then; a finished job with a callback URL writes its
    ``deliver_callback``. None when this attempt no longer holds the job (its lease
    ran out and another worker took it over): nothing is changed.
    """
    status = after_attempt(
        result.outcome,
        attempt=job.attempt,
        max_attempts=job.max_attempts,
        retry_delay_s=retry_delay_s,
    )
    delay_s = max(retry_delay_s or 0.0, 0.0)
    finished = await repository.finish_attempt(
        session,
        job.id,
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
    if finished is None:
        return None
    _tell_events(session, notifier, job.tenant_id)
    if finished.outbox_written:
        after_commit(session, notifier.outbox_written)
    return finished
