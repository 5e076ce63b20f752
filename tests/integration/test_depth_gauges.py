"""Queue, DLQ, inbox and outbox depths: read across workspaces under RLS, served on the
worker's /metrics."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import psycopg
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.crypto.envelope import KeyEncryptionKey
from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.events.wake import SILENT
from orchestrator.core.jobs import submission
from orchestrator.core.jobs.models import Job
from orchestrator.core.observability.depth import Depths, read_depths
from orchestrator.core.settings import CoreSettings
from orchestrator.core.upstream.ssrf import NetworkPolicy
from tests.support.factories import new_tenant
from tests.support.jobs import add_connector, libpq
from tests.support.stack import Stack

pytestmark = pytest.mark.integration
HOUR_MS = 3_600_000


async def tenant_with_jobs(
    app_sessions: async_sessionmaker[AsyncSession],
    owner_sessions: async_sessionmaker[AsyncSession],
    kek: KeyEncryptionKey,
    *,
    queued: int,
    dead: int,
) -> uuid.UUID:
    """A new workspace whose jobs are due in an hour; ``dead`` of them then marked dead."""
    tenant = await new_tenant(app_sessions, kek)
    await add_connector(app_sessions, tenant.tenant_id)
    new = submission.NewJob("echo", "get", {}, delay_ms=HOUR_MS)
    async with tenant_transaction(app_sessions, tenant.tenant_id) as session:
        ids = [
            (
                await submission.submit(
                    session, SILENT, tenant.tenant_id, new, network=NetworkPolicy()
                )
            ).id
            for _ in range(queued + dead)
        ]
    async with tenant_transaction(owner_sessions, tenant.tenant_id) as session:
        await session.execute(update(Job).where(Job.id.in_(ids[:dead])).values(status="dead"))
    return tenant.tenant_id


def runtime_connection(settings: CoreSettings) -> psycopg.Connection:
    return psycopg.connect(libpq(settings.db.runtime_url()))


async def test_depths_count_each_workspace_through_its_own_rls_scope(
    app_sessions: async_sessionmaker[AsyncSession],
    owner_sessions: async_sessionmaker[AsyncSession],
    kek: KeyEncryptionKey,
    settings: CoreSettings,
) -> None:
    one = await tenant_with_jobs(app_sessions, owner_sessions, kek, queued=3, dead=2)
    two = await tenant_with_jobs(app_sessions, owner_sessions, kek, queued=1, dead=0)

    def read(tenants: list[uuid.UUID] | None) -> Depths:
        with runtime_connection(settings) as conn:
            return read_depths(conn, tenants)

    only_one = await asyncio.to_thread(read, [one])
    both = await asyncio.to_thread(read, [one, two])
    assert only_one.jobs == {"queued": 3, "dead": 2}
    assert both.jobs == {"queued": 4, "dead": 2}
    assert both.workspaces == 2
    everyone = await asyncio.to_thread(read, None)
    assert everyone.workspaces >= 2
    assert everyone.jobs["queued"] >= 4
    assert everyone.jobs["dead"] >= 2
    # Each job's run_job row is due with the job, an hour from now: all still unpublished.
    assert everyone.outbox_unpublished >= 6


def gauges(text: str) -> dict[tuple[str, str], float]:
    """``(metric, status label)`` → value of the depth gauges in an exposition."""
    found: dict[tuple[str, str], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, sample.labels.get("status", ""))] = sample.value
    return found


async def test_the_worker_serves_the_depths_on_metrics(
    stack: Stack,
    app_sessions: async_sessionmaker[AsyncSession],
    owner_sessions: async_sessionmaker[AsyncSession],
    kek: KeyEncryptionKey,
) -> None:
    await tenant_with_jobs(app_sessions, owner_sessions, kek, queued=2, dead=3)
    async with httpx.AsyncClient() as client:
        scraped = await client.get(f"{stack.url('worker')}/metrics")
    assert scraped.status_code == 200
    found = gauges(scraped.text)
    assert found[("orchestrator_jobs", "queued")] >= 2
    assert found[("orchestrator_jobs", "dead")] >= 3
    assert ("orchestrator_jobs", "running") in found
    for status in ("received", "unrouted", "failed"):
        assert ("orchestrator_webhook_inbox", status) in found
    assert ("orchestrator_outbox_unpublished", "") in found
    assert found[("orchestrator_depth_read_seconds", "")] > 0
