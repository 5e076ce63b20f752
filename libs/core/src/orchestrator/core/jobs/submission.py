"""Business rules of submitting jobs: what a caller may ask to run later, and queuing it.

The checks that need nothing stored run first and alone (``check_new_job``), so a batch
or a group committer can refuse a bad job before its transaction; ``submit_many`` then
snapshots each job's attempt budget, holds the workspace to its queue-depth quota and
queues the batch in the caller's transaction, which it never commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.configuration.public import connector_with_policy, tenant_quota
from orchestrator.core.db.autocommit import Connection, driver_connection
from orchestrator.core.errors import QueueFull, ValidationFailed
from orchestrator.core.events.wake import Notifier, after_commit
from orchestrator.core.jobs.notices import tell_events
from orchestrator.core.jobs.states import JobStatus
from orchestrator.core.jobs.stored_values import put_value
from orchestrator.core.jobs.submission_queries import QueuedJob, count_active, insert_queued_jobs
from orchestrator.core.observability.tracing import current_traceparent
from orchestrator.core.payloads.process import payload_store
from orchestrator.core.payloads.store import StoredPayload
from orchestrator.core.upstream.ssrf import NetworkPolicy

if TYPE_CHECKING:
    # Only a type here: importing execution at run time would close a cycle through it.
    from orchestrator.core.execution.public import ConnectorPlan

MAX_DELAY_MS = 7 * 24 * 3600 * 1000
"""The furthest in the future a job may be scheduled (7 days)."""


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
    id: uuid.UUID | None = None
    """The job's id when it is chosen before the job is written (a stored payload's key
    names it); ``None``: a fresh one as it is queued, so one ``NewJob`` may be queued
    again and again."""
    stored: StoredPayload | None = None
    """The payload in the payload store (``payload`` is then ``None``): ``stored_apart``."""


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


async def stored_apart(tenant_id: uuid.UUID, jobs: Sequence[NewJob]) -> list[NewJob]:
    """``jobs`` with each payload past the threshold put to the payload store (ADR 0089),
    once: a job already stored apart is kept as it is. A store that does not answer is a
    503 (``PayloadStoreUnavailable``) before anything is written."""
    if payload_store() is None:
        return list(jobs)
    kept: list[NewJob] = []
    for new in jobs:
        if new.stored is not None:
            kept.append(new)
            continue
        job_id = new.id or uuid.uuid4()
        stored = await put_value(tenant_id, "job-payload", job_id, new.payload)
        kept.append(new if stored is None else replace(new, id=job_id, payload=None, stored=stored))
    return kept


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
    jobs = await stored_apart(tenant_id, jobs)
    queued = _queued(jobs, budgets)
    # One statement: each job, its outbox row and its event exist together or not at all.
    await insert_queued_jobs(await driver_connection(session), tenant_id, queued)
    after_commit(session, notifier.outbox_written)
    tell_events(session, notifier, tenant_id)
    return [SubmittedJob(id=job.id, status=JobStatus.QUEUED) for job in queued]


def unbounded(plan: ConnectorPlan) -> bool:
    """Whether a job of ``plan`` may be queued without counting the workspace's active
    jobs (its quota sets no queue depth), so by ``submit_planned``."""
    return plan.quota.queue_depth is None


async def submit_planned(
    connection: Connection,
    notifier: Notifier,
    tenant_id: uuid.UUID,
    jobs: Sequence[NewJob],
    *,
    plans: Sequence[ConnectorPlan],
) -> list[SubmittedJob]:
    """Queue jobs of one tenant that passed ``check_new_job``, each with its plan and none
    ``unbounded`` refuses, in one statement that is a whole transaction on the autocommit
    ``connection``: what ``submit_many`` does in a session, without its round trips."""
    jobs = await stored_apart(tenant_id, jobs)
    queued = _queued(jobs, [plan.spec.retry.max_attempts for plan in plans])
    await insert_queued_jobs(connection, tenant_id, queued)
    notifier.outbox_written()
    notifier.events_appended(tenant_id)
    return [SubmittedJob(id=job.id, status=JobStatus.QUEUED) for job in queued]


def _queued(jobs: Sequence[NewJob], budgets: Sequence[int]) -> list[QueuedJob]:
    return [
        QueuedJob(
            id=new.id or uuid.uuid4(),
            connector=new.connector,
            operation=new.operation,
            payload=new.payload,
            max_attempts=budget,
            delay_s=new.delay_ms / 1000,
            callback_url=new.callback_url,
            idempotency_key=new.idempotency_key,
            traceparent=new.traceparent,
            stored=new.stored,
        )
        for new, budget in zip(jobs, budgets, strict=True)
    ]


async def _check_queue_depth(
    session: AsyncSession, tenant_id: uuid.UUID, depth: int | None, *, adding: int
) -> None:
    # A soft limit: concurrent submissions may overshoot it by their number, which
    # is better than serialising every submission of a tenant on one lock.
    if depth is None:
        return
    if await count_active(session, tenant_id, up_to=depth) + adding > depth:
        raise QueueFull(
            f"This workspace may have {depth} queued or running jobs (its queue-depth "
            f"quota); {adding} more would pass it. Retry when some have finished.",
            headers={"Retry-After": "1"},
            queue_depth=depth,
        )
