"""Finished jobs are deleted by age with their runs; dead jobs, jobs still running or
queued, and jobs whose callback is still being delivered stay."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.configuration.models import TenantQuotaRow
from orchestrator.core.crypto.envelope import KeyEncryptionKey
from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.events.wake import SILENT
from orchestrator.core.jobs import maintenance_queries, submission
from orchestrator.core.jobs.models import Job, JobRun
from orchestrator.core.maintenance import chores as maintenance
from orchestrator.core.tenancy.service import BootstrapResult
from orchestrator.core.upstream.ssrf import NetworkPolicy
from orchestrator.core.workflows.models import WorkflowRun
from tests.support.factories import new_tenant
from tests.support.jobs import add_connector

pytestmark = pytest.mark.integration
KEEP = dt.timedelta(days=30)
OLD = dt.timedelta(days=40)
RECENT = dt.timedelta(days=1)
HOUR_MS = 3_600_000

# label: (status, finished how long ago, callback state)
JOBS: dict[str, tuple[str, dt.timedelta | None, str | None]] = {
    "old-succeeded": ("succeeded", OLD, None),
    "old-failed": ("failed", OLD, "delivered"),
    "old-cancelled": ("cancelled", OLD, None),
    "old-dead": ("dead", OLD, None),
    "old-succeeded-calling-back": ("succeeded", OLD, "pending"),
    "recent-succeeded": ("succeeded", RECENT, None),
    "queued": ("queued", None, None),
}
GONE = {"old-succeeded", "old-failed", "old-cancelled"}


async def jobs_in_states(
    app: async_sessionmaker[AsyncSession],
    owner: async_sessionmaker[AsyncSession],
    tenant_id: uuid.UUID,
) -> dict[str, uuid.UUID]:
    """One job per ``JOBS`` entry (each with one run), by label."""
    await add_connector(app, tenant_id)
    new = submission.NewJob("echo", "get", {}, delay_ms=HOUR_MS)
    ids: dict[str, uuid.UUID] = {}
    async with tenant_transaction(app, tenant_id) as session:
        for label in JOBS:
            submitted = await submission.submit(
                session, SILENT, tenant_id, new, network=NetworkPolicy()
            )
            ids[label] = submitted.id
    now = dt.datetime.now(dt.UTC)
    async with tenant_transaction(owner, tenant_id) as session:
        for label, (status, age, callback) in JOBS.items():
            finished = None if age is None else now - age
            await session.execute(
                update(Job)
                .where(Job.id == ids[label])
                .values(status=status, finished_at=finished, callback_state=callback)
            )
            await session.execute(
                insert(JobRun).values(tenant_id=tenant_id, job_id=ids[label], attempt=1)
            )
    return ids


async def kept(
    owner: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID, ids: dict[str, uuid.UUID]
) -> tuple[set[str], int]:
    """The labels of the jobs still stored, and how many runs they have in all."""
    async with tenant_transaction(owner, tenant_id) as session:
        found = set(await session.scalars(select(Job.id).where(Job.id.in_(list(ids.values())))))
        runs = await session.scalar(
            select(func.count()).select_from(JobRun).where(JobRun.job_id.in_(list(ids.values())))
        )
    return {label for label, id_ in ids.items() if id_ in found}, int(runs or 0)


async def test_finished_jobs_go_by_age_with_their_runs_and_the_rest_stays(
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    owner_sessions: async_sessionmaker[AsyncSession],
    kek: KeyEncryptionKey,
) -> None:
    other = await new_tenant(app_sessions, kek)
    mine = await jobs_in_states(app_sessions, owner_sessions, tenant.tenant_id)
    theirs = await jobs_in_states(app_sessions, owner_sessions, other.tenant_id)
    staying = set(JOBS) - GONE

    before = dt.datetime.now(dt.UTC) - KEEP
    async with tenant_transaction(app_sessions, tenant.tenant_id) as session:
        purged = await maintenance_queries.purge_finished(
            session, tenant.tenant_id, before=before, limit=1000
        )
    assert purged == len(GONE)
    assert await kept(owner_sessions, tenant.tenant_id, mine) == (staying, len(staying))
    assert await kept(owner_sessions, other.tenant_id, theirs) == (set(JOBS), len(JOBS))

    assert await maintenance.purge_finished_jobs(app_sessions, keep=KEEP) >= len(GONE)
    assert await kept(owner_sessions, other.tenant_id, theirs) == (staying, len(staying))


async def test_a_workspace_keeps_its_jobs_as_long_as_its_own_retention_says(
    app_sessions: async_sessionmaker[AsyncSession],
    owner_sessions: async_sessionmaker[AsyncSession],
    kek: KeyEncryptionKey,
) -> None:
    longer, shorter = [await new_tenant(app_sessions, kek) for _ in range(2)]
    keeps = {longer.tenant_id: 50, shorter.tenant_id: 1}  # days; the deployment says 30
    async with owner_sessions() as session, session.begin():
        for tenant_id, days in keeps.items():
            session.add(
                TenantQuotaRow(tenant_id=tenant_id, finished_jobs_keep_days=days, version=1)
            )
    mine = await jobs_in_states(app_sessions, owner_sessions, longer.tenant_id)
    theirs = await jobs_in_states(app_sessions, owner_sessions, shorter.tenant_id)
    staying = set(JOBS) - GONE

    await maintenance.purge_finished_jobs(app_sessions, keep=KEEP)

    # 40 days old is within 50 days: nothing went. A day old is past a 1-day retention.
    assert await kept(owner_sessions, longer.tenant_id, mine) == (set(JOBS), len(JOBS))
    shorter_staying = staying - {"recent-succeeded"}
    assert await kept(owner_sessions, shorter.tenant_id, theirs) == (
        shorter_staying,
        len(shorter_staying),
    )


async def test_ended_workflow_runs_go_with_the_finished_jobs_and_active_ones_stay(
    app_sessions: async_sessionmaker[AsyncSession],
    owner_sessions: async_sessionmaker[AsyncSession],
    kek: KeyEncryptionKey,
) -> None:
    tenant, other = [await new_tenant(app_sessions, kek) for _ in range(2)]
    now = dt.datetime.now(dt.UTC)
    # label: (status, finished how long ago)
    runs = {
        "old-succeeded": ("succeeded", OLD),
        "old-compensated": ("compensated", OLD),
        "recent-failed": ("failed", RECENT),
        "running": ("running", None),
    }
    ids: dict[tuple[uuid.UUID, str], uuid.UUID] = {}
    async with owner_sessions() as session, session.begin():
        for tenant_id in (tenant.tenant_id, other.tenant_id):
            for label, (status, age) in runs.items():
                row = WorkflowRun(
                    tenant_id=tenant_id,
                    workflow="checkout",
                    definition={"version": 1, "steps": []},
                    input={},
                    status=status,
                    current_step=0,
                    outputs={},
                    finished_at=None if age is None else now - age,
                )
                session.add(row)
                await session.flush()
                ids[tenant_id, label] = row.id
    async with owner_sessions() as session, session.begin():  # the other keeps runs 50 days
        session.add(
            TenantQuotaRow(tenant_id=other.tenant_id, finished_jobs_keep_days=50, version=1)
        )

    await maintenance.purge_workflow_runs(app_sessions, keep=KEEP)

    async with owner_sessions() as session:
        left = set(
            await session.scalars(
                select(WorkflowRun.id).where(
                    WorkflowRun.tenant_id.in_([tenant.tenant_id, other.tenant_id])
                )
            )
        )
    kept_labels = {key for key, id_ in ids.items() if id_ in left}
    assert kept_labels == {
        (tenant.tenant_id, "recent-failed"),
        (tenant.tenant_id, "running"),
        *((other.tenant_id, label) for label in runs),
    }
