"""Retention and the safety-net sweep of the execution plane, run by the worker.

Tenant tables are under RLS and the runtime role has no ``BYPASSRLS``, so
cross-tenant chores walk the tenants (organizations, then each one's
workspaces, both as the runtime role) and work one tenant per transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.channels import repository as channels
from orchestrator.core.configuration.repository import tenant_quota
from orchestrator.core.db.tenant import set_organization, tenant_transaction
from orchestrator.core.events import retention
from orchestrator.core.events.wake import Notifier
from orchestrator.core.idempotency import store
from orchestrator.core.jobs.maintenance_queries import overdue_jobs, purge_finished
from orchestrator.core.jobs.notices import job_message
from orchestrator.core.models import Organization, Workspace, WorkspaceStatus
from orchestrator.core.outbox import repository as outbox_repository
from orchestrator.core.outbox import writer as outbox
from orchestrator.core.outbox.kinds import RUN_JOB
from orchestrator.core.policy.model import TenantQuota
from orchestrator.core.versions import retention as versions
from orchestrator.core.webhooks import retention as inbox_retention
from orchestrator.core.workflows import repository as workflow_runs

BATCH = 1000


async def tenant_ids(sessions: async_sessionmaker[AsyncSession]) -> list[uuid.UUID]:
    """Every live workspace, found through the organizations as the runtime role."""
    async with sessions() as session:
        organizations = (await session.scalars(select(Organization.id))).all()
    found: list[uuid.UUID] = []
    for organization_id in organizations:
        async with sessions() as session, session.begin():
            await set_organization(session, organization_id)
            found.extend(
                (
                    await session.scalars(
                        select(Workspace.id).where(Workspace.status == WorkspaceStatus.COMMITTED)
                    )
                ).all()
            )
    return found


async def _per_tenant(
    sessions: async_sessionmaker[AsyncSession],
    purge: Callable[[AsyncSession, uuid.UUID], Awaitable[int]],
) -> int:
    """Run ``purge`` (one batch, at most ``BATCH`` rows) in each workspace, one transaction
    a batch, until a batch comes back short; how many rows went in all."""
    total = 0
    for tenant_id in await tenant_ids(sessions):
        while True:
            async with tenant_transaction(sessions, tenant_id) as session:
                purged = await purge(session, tenant_id)
            total += purged
            if purged < BATCH:
                break
    return total


async def purge_idempotency_keys(sessions: async_sessionmaker[AsyncSession]) -> int:
    """Delete every expired idempotency key; how many went."""
    return await _per_tenant(sessions, lambda s, _: store.purge_expired(s, limit=BATCH))


class _PurgeBefore(Protocol):
    """One batch of a workspace's rows older than ``before``; how many went."""

    def __call__(
        self, session: AsyncSession, tenant_id: uuid.UUID, *, before: dt.datetime, limit: int
    ) -> Awaitable[int]: ...


@dataclass(frozen=True, slots=True)
class _Retention:
    """A retention chore: ``purge_before`` in every workspace with its cutoff, its own
    retention in days if its quota sets one (``own_days``), else the deployment's ``keep``."""

    purge_before: _PurgeBefore
    own_days: Callable[[TenantQuota], int | None]

    async def __call__(
        self, sessions: async_sessionmaker[AsyncSession], *, keep: dt.timedelta
    ) -> int:
        """Run the chore once; how many rows went."""

        async def purge(session: AsyncSession, tenant_id: uuid.UUID) -> int:
            days = self.own_days(await tenant_quota(session))
            age = keep if days is None else dt.timedelta(days=days)
            before = dt.datetime.now(dt.UTC) - age
            return await self.purge_before(session, tenant_id, before=before, limit=BATCH)

        return await _per_tenant(sessions, purge)


purge_events = _Retention(retention.purge_before, lambda q: q.events_keep_days)
"""Delete every workspace's events older than its retention (``keep`` unless it set its
own), raising its horizon so readers resuming below it get a 410 instead of a gap."""

purge_finished_jobs = _Retention(purge_finished, lambda q: q.finished_jobs_keep_days)
"""Delete every workspace's jobs that ended longer ago than its retention (``keep`` unless
it set its own; never dead ones: the DLQ is emptied by replay or purge)."""

purge_workflow_runs = _Retention(
    workflow_runs.purge_finished_runs, lambda q: q.finished_jobs_keep_days
)
"""Delete every workspace's workflow runs that ended longer ago than its finished-jobs
retention (``keep`` unless it set its own), as their step jobs go."""

purge_webhook_inbox = _Retention(inbox_retention.purge_before, lambda q: q.webhook_inbox_keep_days)
"""Delete every workspace's processed webhook events and finished forwards older than its
retention (``keep`` unless it set its own)."""


async def purge_channel_counters(
    sessions: async_sessionmaker[AsyncSession], *, keep_days: int
) -> int:
    """Delete every workspace's channel counters of days older than ``keep_days`` (today
    counted as one); how many rows went."""
    before = channels.first_day(keep_days)
    return await _per_tenant(
        sessions, lambda s, t: channels.purge_counters(s, t, before=before, limit=BATCH)
    )


async def purge_versions(
    sessions: async_sessionmaker[AsyncSession], *, keep: int, keep_age: dt.timedelta
) -> int:
    """Delete every workspace's configuration versions older than its retention and not
    among its newest (its quota's ``versions_keep_days`` and ``versions_keep``, else
    ``keep_age`` and ``keep``); never the active one nor the one a rollback returns to."""

    async def purge(session: AsyncSession, _: uuid.UUID) -> int:
        quota = await tenant_quota(session)
        days = quota.versions_keep_days
        before = dt.datetime.now(dt.UTC) - (keep_age if days is None else dt.timedelta(days=days))
        newest = keep if quota.versions_keep is None else quota.versions_keep
        return await versions.purge_old(session, before=before, keep=newest, limit=BATCH)

    return await _per_tenant(sessions, purge)


async def purge_published_outbox(
    sessions: async_sessionmaker[AsyncSession], *, keep: dt.timedelta
) -> int:
    """Delete outbox rows published more than ``keep`` ago; how many went."""
    total = 0
    before = dt.datetime.now(dt.UTC) - keep
    while True:
        async with sessions() as session, session.begin():
            purged = await outbox_repository.purge_published(session, before=before, limit=BATCH)
        total += purged
        if purged < BATCH:
            return total


async def sweep_overdue_jobs(
    sessions: async_sessionmaker[AsyncSession], notifier: Notifier, *, grace_s: float
) -> int:
    """Dispatch again every job stuck past ``grace_s``: queued and overdue (its message was
    lost, e.g. by a Redis that kept no data), or running on a lease long expired (its worker
    died and the broker never redelivered). Duplicates are harmless: claiming is a CAS."""
    async with sessions() as session:
        if await outbox_repository.relay_behind(session, grace_s=grace_s):
            # The broker is away or the relays lag: queued jobs still have their rows.
            return 0

    async def stuck(session: AsyncSession, tenant_id: uuid.UUID) -> list[dict[str, Any]]:
        found = await overdue_jobs(session, tenant_id, grace_s=grace_s, limit=BATCH)
        return [job_message(tenant_id, job_id) for job_id in found]

    return await requeue_per_tenant(sessions, notifier, RUN_JOB, stuck)


async def requeue_per_tenant(
    sessions: async_sessionmaker[AsyncSession],
    notifier: Notifier,
    kind: str,
    stuck: Callable[[AsyncSession, uuid.UUID], Awaitable[Sequence[dict[str, Any]]]],
) -> int:
    """In each workspace, in one transaction, an outbox message of ``kind`` for each payload
    ``stuck`` finds (at most ``BATCH``); how many were queued."""
    total = 0
    for tenant_id in await tenant_ids(sessions):
        async with tenant_transaction(sessions, tenant_id) as session:
            payloads = await stuck(session, tenant_id)
            for payload in payloads:
                await outbox.enqueue(
                    session, notifier, workspace_id=tenant_id, kind=kind, payload=payload
                )
        total += len(payloads)
    return total
