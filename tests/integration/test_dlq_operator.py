"""The operator's DLQ on the control-api: list a workspace's dead jobs, replay them and
purge them, audited, on the running stack (exec-api, worker, control-api) against the
local upstream."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.db.tenant import set_tenant
from orchestrator.core.jobs.models import Job, JobRun
from orchestrator.core.models import Event
from orchestrator.core.tenancy.service import BootstrapResult
from tests.integration.test_config_api import audit_records
from tests.integration.test_control_jobs import failing_plane
from tests.integration.test_dlq_replay import JOBS, Plane, flaky_config, path_of, policy
from tests.support.control_api import REASON, Api, operator_api
from tests.support.factories import fetch_token, new_auditor
from tests.support.jobs import add_connector, exec_headers
from tests.support.stack import Stack
from tests.support.upstream import UpstreamServer

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"


@pytest.fixture
async def plane(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    upstream: UpstreamServer,
) -> Plane:
    """A tenant with connectors `flaky` and `other` (1 attempt a run) on the upstream, which
    fails."""
    upstream.fail("*", status=503, times=None)
    return await failing_plane(stack, http, tenant, app_sessions, upstream, attempts=1)


@pytest.fixture
async def other(
    stack: Stack,
    http: httpx.AsyncClient,
    other_tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    upstream: UpstreamServer,
) -> Plane:
    """Another tenant's exec plane, with the same failing connector."""
    config = flaky_config(upstream)
    await add_connector(
        app_sessions, other_tenant.tenant_id, "flaky", config=config, spec=policy(1)
    )
    return Plane(http, stack.url("exec-api") + JOBS, await exec_headers(http, stack, other_tenant))


@pytest.fixture
async def api(stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult) -> Api:
    return await operator_api(http, stack, tenant)


async def succeeded(plane: Plane, upstream: UpstreamServer) -> dict[str, Any]:
    """A job of `flaky` that the upstream answers."""
    key = uuid.uuid4().hex
    upstream.respond(f"/dlq/{key}", status=200, body={"ok": True})
    response = await plane.http.post(
        plane.url,
        json={"connector": "flaky", "operation": "fetch", "payload": {"key": key}},
        headers=plane.auth,
    )
    assert response.status_code == 202, response.text
    return await plane.settled(response.json()["id"], "succeeded")


async def count_rows(
    owner_sessions: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID, job_id: str
) -> tuple[int, int]:
    """The job's rows in jobs and job_runs (as the owner, past any grant)."""
    async with owner_sessions() as session, session.begin():
        await set_tenant(session, tenant_id)
        jobs = await session.scalar(
            select(func.count()).select_from(Job).where(Job.id == uuid.UUID(job_id))
        )
        runs = await session.scalar(
            select(func.count()).select_from(JobRun).where(JobRun.job_id == uuid.UUID(job_id))
        )
        return int(jobs or 0), int(runs or 0)


async def test_the_dlq_lists_only_the_workspaces_dead_jobs_filtered_and_paged(
    plane: Plane, other: Plane, api: Api, upstream: UpstreamServer, other_tenant: BootstrapResult
) -> None:
    first = await plane.dead("flaky")
    refresh = await plane.dead("flaky", "refresh")
    latest = await plane.dead("other")
    await other.dead("flaky")
    await plane.submit("flaky", delay_ms=600_000)  # queued: not in the DLQ
    await succeeded(plane, upstream)

    listed = await api.call("GET", "/dlq")
    assert listed.status_code == 200, listed.text
    page = listed.json()
    assert [job["id"] for job in page["items"]] == [latest["id"], refresh["id"], first["id"]]
    assert {job["status"] for job in page["items"]} == {"dead"}
    assert page["items"][0]["error"]
    assert page["items"][0]["attempts"] == 1
    assert page["next_cursor"] is None

    one = (await api.call("GET", "/dlq", params={"limit": 2})).json()
    rest = (await api.call("GET", "/dlq", params={"cursor": one["next_cursor"]})).json()
    assert [j["id"] for j in one["items"] + rest["items"]] == [
        latest["id"],
        refresh["id"],
        first["id"],
    ]
    fetch = await api.call("GET", "/dlq", params={"connector": "flaky", "operation": "fetch"})
    assert [j["id"] for j in fetch.json()["items"]] == [first["id"]]
    # Another organization's workspace is not this operator's to see.
    foreign = await api.call("GET", "/dlq", params={"workspace": str(other_tenant.tenant_id)})
    assert foreign.status_code == 404
    bad = await api.call("GET", "/dlq", params={"cursor": "nope"})
    assert bad.status_code == 400
    assert bad.headers["content-type"] == PROBLEM


async def test_an_operator_replay_requeues_the_matching_dead_jobs_which_then_succeed_audited(
    plane: Plane,
    other: Plane,
    api: Api,
    upstream: UpstreamServer,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    first = await plane.dead("flaky")
    second = await plane.dead("flaky")
    untouched = await plane.dead("other")
    theirs = await other.dead("flaky")
    upstream.respond("*", status=200, body={"ok": True})

    one = await api.write("POST", "/dlq/replay", {"connector": "flaky", "limit": 1})
    assert one.status_code == 202, one.text
    assert one.json() == {"replayed": 1, "ids": [first["id"]]}
    rest = await api.write("POST", "/dlq/replay", {"connector": "flaky"})
    assert rest.json() == {"replayed": 1, "ids": [second["id"]]}
    assert (await api.write("POST", "/dlq/replay", {"connector": "flaky"})).json() == {
        "replayed": 0,
        "ids": [],
    }

    for job in (first, second):
        done = await plane.settled(job["id"], "succeeded")
        assert upstream.calls(path_of(done)) == 2
    assert (await plane.job(untouched["id"]))["status"] == "dead"
    assert (await other.job(theirs["id"]))["status"] == "dead"
    assert upstream.calls(path_of(theirs)) == 1

    records = await audit_records(owner_sessions, tenant.tenant_id, "dlq.")
    assert [r.action for r in records] == ["dlq.replay", "dlq.replay"]
    assert {r.reason for r in records} == {REASON["reason"]}
    assert records[0].after == {
        "filter": {"connector": "flaky", "operation": None, "dead_since": None},
        "count": 1,
        "replayed": [first["id"]],
    }
    assert records[0].actor.startswith("op:")


async def test_a_purge_deletes_only_the_matching_dead_jobs_with_their_runs_audited(
    plane: Plane,
    other: Plane,
    api: Api,
    upstream: UpstreamServer,
    tenant: BootstrapResult,
    other_tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    first = await plane.dead("flaky")
    second = await plane.dead("flaky")
    kept = await plane.dead("other")
    theirs = await other.dead("flaky")
    done = await succeeded(plane, upstream)
    assert await count_rows(owner_sessions, tenant.tenant_id, first["id"]) == (1, 1)

    purged = await api.write("POST", "/dlq/purge", {"connector": "flaky"})
    assert purged.status_code == 200, purged.text
    assert purged.json() == {"purged": 2, "ids": [first["id"], second["id"]]}

    for job in (first, second):
        assert await count_rows(owner_sessions, tenant.tenant_id, job["id"]) == (0, 0)
        gone = await plane.http.get(f"{plane.url}/{job['id']}", headers=plane.auth)
        assert gone.status_code == 404
    assert (await plane.job(kept["id"]))["status"] == "dead"
    assert (await plane.job(done["id"]))["status"] == "succeeded"
    assert await count_rows(owner_sessions, other_tenant.tenant_id, theirs["id"]) == (1, 1)
    assert [j["id"] for j in (await api.call("GET", "/dlq")).json()["items"]] == [kept["id"]]

    # Each purged job leaves an event in the workspace's log.
    async with owner_sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        events = (
            await session.execute(
                # The owner role is not bound by row security: name the workspace.
                select(Event.job_id, Event.data).where(
                    Event.type == "job.purged", Event.tenant_id == tenant.tenant_id
                )
            )
        ).all()
    assert sorted(str(row.job_id) for row in events) == sorted([first["id"], second["id"]])
    assert {row.data["connector"] for row in events} == {"flaky"}

    [record] = await audit_records(owner_sessions, tenant.tenant_id, "dlq.")
    assert (record.action, record.reason) == ("dlq.purge", REASON["reason"])
    assert record.after == {
        "filter": {"connector": "flaky", "operation": None, "dead_since": None},
        "count": 2,
        "purged": [first["id"], second["id"]],
    }
    again = await api.write("POST", "/dlq/purge", {"connector": "flaky"})
    assert again.json() == {"purged": 0, "ids": []}


async def test_a_purge_filtered_by_dead_since_keeps_older_dead_jobs(plane: Plane, api: Api) -> None:
    older = await plane.dead("flaky")
    newer = await plane.dead("flaky")
    purged = await api.write("POST", "/dlq/purge", {"dead_since": newer["finished_at"]})
    assert purged.json() == {"purged": 1, "ids": [newer["id"]]}
    assert (await plane.job(older["id"]))["status"] == "dead"


async def test_an_auditor_reads_the_dlq_but_may_not_replay_or_purge(
    plane: Plane,
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    dead = await plane.dead("flaky")
    auditor = await new_auditor(app_sessions, tenant)
    base = stack.url("control-api")
    api = Api(http, base, await fetch_token(http, base, auditor.client_id, auditor.client_secret))
    listed = await api.call("GET", "/dlq")
    assert [j["id"] for j in listed.json()["items"]] == [dead["id"]]
    for path in ("/dlq/replay", "/dlq/purge"):
        refused = await api.write("POST", path, {})
        assert refused.status_code == 403, path
        assert refused.headers["content-type"] == PROBLEM
    assert (await plane.job(dead["id"]))["status"] == "dead"


@pytest.mark.parametrize("path", ["/dlq/replay", "/dlq/purge"])
@pytest.mark.parametrize(
    "body",
    [
        {"limit": 0},
        {"limit": 1001},
        {"dead_since": "2026-11-25T10:00:00"},  # no offset
        {"dead_since": "1764064800"},  # a bare number is not a date
        {"connector": ""},
        {"status": "failed"},  # not a member
    ],
)
async def test_an_invalid_filter_is_refused(api: Api, path: str, body: dict[str, Any]) -> None:
    response = await api.write("POST", path, body)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PROBLEM


async def test_a_replay_or_purge_without_a_reason_is_refused(api: Api) -> None:
    for path in ("/dlq/replay", "/dlq/purge"):
        response = await api.call("POST", path, json={})
        assert response.status_code == 400, path
        assert response.headers["content-type"] == PROBLEM
