"""Event-log retention: old events are purged per workspace, and a reader resuming from a
cursor in the purged part is refused (410) instead of silently skipping what was purged."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.db.tenant import set_tenant, tenant_transaction
from orchestrator.core.events import retention
from orchestrator.core.maintenance import chores as maintenance
from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.control_api import operator_api
from tests.support.event_log import EVENTS, Log
from tests.support.jobs import add_connector, exec_headers
from tests.support.stack import Stack

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"
EXPIRED = "urn:orchestrator:problem:cursor-expired"
KEEP = dt.timedelta(days=7)


async def log_of(
    http: httpx.AsyncClient,
    stack: Stack,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> Log:
    await add_connector(app_sessions, tenant.tenant_id)
    return Log(http, stack, await exec_headers(http, stack, tenant))


async def backdate(
    owner_sessions: async_sessionmaker[AsyncSession],
    tenant_id: uuid.UUID,
    job_ids: list[str],
    age: dt.timedelta,
) -> None:
    """Make the jobs' events ``age`` old (as the owner: the runtime role cannot)."""
    async with owner_sessions() as session, session.begin():
        await set_tenant(session, tenant_id)
        await session.execute(
            text(
                "UPDATE event_log SET created_at = now() - make_interval(secs => :age) "
                "WHERE job_id = ANY(CAST(:ids AS uuid[]))"
            ),
            {"age": age.total_seconds(), "ids": [uuid.UUID(j) for j in job_ids]},
        )


async def purge_now(app_sessions: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID) -> int:
    """Retention with a keep of 0 for one workspace, as the runtime role."""
    async with tenant_transaction(app_sessions, tenant_id) as session:
        return await retention.purge_before(
            session, tenant_id, before=dt.datetime.now(dt.UTC), limit=1000
        )


@pytest.fixture
async def log(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> Log:
    return await log_of(http, stack, tenant, app_sessions)


async def test_maintenance_purges_events_older_than_the_keep_and_keeps_newer_ones(
    log: Log,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    jobs = await log.settled(3)
    await backdate(owner_sessions, tenant.tenant_id, jobs[:2], KEEP + dt.timedelta(hours=1))

    assert await maintenance.purge_events(app_sessions, keep=KEEP) >= 2

    assert [e["job_id"] for e in await log.items()] == [jobs[2]]
    async with tenant_transaction(app_sessions, tenant.tenant_id) as session:
        horizon = await retention.horizon(session, tenant.tenant_id)
    assert horizon is not None
    # A second run finds nothing more to purge in this workspace.
    assert await purge_now_kept(app_sessions, tenant.tenant_id, KEEP) == 0


async def purge_now_kept(
    app_sessions: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID, keep: dt.timedelta
) -> int:
    async with tenant_transaction(app_sessions, tenant_id) as session:
        return await retention.purge_before(
            session, tenant_id, before=dt.datetime.now(dt.UTC) - keep, limit=1000
        )


async def test_a_purge_stops_at_the_first_event_it_keeps_and_leaves_other_workspaces_alone(
    stack: Stack,
    http: httpx.AsyncClient,
    log: Log,
    tenant: BootstrapResult,
    other_tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    other = await log_of(http, stack, other_tenant, app_sessions)
    [other_job] = await other.settled(1)
    await backdate(owner_sessions, other_tenant.tenant_id, [other_job], KEEP * 2)
    jobs = await log.settled(3)
    # The middle one is old, but the first is not: the purged part stays a prefix.
    await backdate(owner_sessions, tenant.tenant_id, [jobs[1]], KEEP * 2)
    assert await purge_now_kept(app_sessions, tenant.tenant_id, KEEP) == 0
    assert len(await log.items()) == 3

    assert await purge_now(app_sessions, tenant.tenant_id) == 3
    assert await log.items() == []
    assert [e["job_id"] for e in await other.items()] == [other_job]


async def test_reading_after_a_purged_cursor_is_410_and_from_the_start_gives_what_is_kept(
    log: Log,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    jobs = await log.settled(4)
    before = await log.items()
    assert [e["job_id"] for e in before] == jobs
    await backdate(owner_sessions, tenant.tenant_id, jobs[:2], KEEP * 2)
    async with tenant_transaction(app_sessions, tenant.tenant_id) as session:
        assert (
            await retention.purge_before(
                session, tenant.tenant_id, before=dt.datetime.now(dt.UTC) - KEEP, limit=1000
            )
            == 2
        )

    expired = await log.read(before[0]["id"])
    assert expired.status_code == 410, expired.text
    assert expired.headers["content-type"].startswith(PROBLEM)
    problem = expired.json()
    assert (problem["type"], problem["status"]) == (EXPIRED, 410)
    assert problem["horizon"] == before[1]["id"]
    # From the last purged event nothing is missing; from the start, what is kept.
    assert [e["job_id"] for e in await log.items(before[1]["id"])] == jobs[2:]
    assert [e["job_id"] for e in await log.items()] == jobs[2:]
    assert [e["job_id"] for e in await log.items(before[2]["id"])] == jobs[3:]


async def test_the_stream_refuses_a_last_event_id_below_the_horizon_before_streaming(
    stack: Stack,
    http: httpx.AsyncClient,
    log: Log,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    jobs = await log.settled(3)
    before = await log.items()
    await backdate(owner_sessions, tenant.tenant_id, jobs[:2], KEEP * 2)
    await purge_now_kept(app_sessions, tenant.tenant_id, KEEP)
    url = stack.url("exec-api") + EVENTS + "/stream"

    refused = await http.get(url, headers={**log.auth, "Last-Event-ID": before[0]["id"]})
    assert refused.status_code == 410, refused.text
    assert refused.headers["content-type"].startswith(PROBLEM)
    assert refused.json()["type"] == EXPIRED
    by_query = await http.get(url, params={"after": "0-0"}, headers=log.auth)
    assert by_query.status_code == 410

    resumed = {**log.auth, "Last-Event-ID": before[1]["id"]}
    async with http.stream("GET", url, headers=resumed, timeout=10) as response:
        assert response.status_code == 200
        async for line in response.aiter_lines():
            if line.startswith("data:") and jobs[2] in line:
                break


async def test_a_workspace_with_a_shorter_retention_of_its_own_loses_its_events_sooner(
    log: Log,
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    operator = await operator_api(http, stack, tenant)
    for bad in (0, 3651, "a week"):
        refused = await operator.write("PUT", "/quotas", {"events_keep_days": bad})
        assert refused.status_code in (400, 422), refused.text
        assert refused.headers["content-type"].startswith(PROBLEM)
    made = await operator.write("PUT", "/quotas", {"events_keep_days": 1})
    assert made.status_code == 200, made.text
    assert made.json()["events_keep_days"] == 1
    jobs = await log.settled(2)
    await backdate(owner_sessions, tenant.tenant_id, jobs[:1], dt.timedelta(days=2))

    await maintenance.purge_events(app_sessions, keep=KEEP)  # 2 days is within 7 days

    assert [e["job_id"] for e in await log.items()] == [jobs[1]]
