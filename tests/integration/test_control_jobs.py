"""The operator's view of a workspace's jobs on the control-api (``GET /api/v1/jobs`` and
``GET /api/v1/jobs/{id}``): every job of the workspace whatever its status, newest first,
filtered and paged; one job with each of its attempts; only the workspace's own, read by
any operator of the organization, on the running stack against the local upstream."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.crypto.envelope import KeyEncryptionKey
from orchestrator.core.tenancy.service import BootstrapResult
from tests.integration.test_dlq_replay import JOBS, Plane, flaky_config, path_of, policy
from tests.support.control_api import Api, operator_api
from tests.support.factories import fetch_token, new_auditor, new_tenant
from tests.support.jobs import add_connector, exec_headers
from tests.support.stack import Stack
from tests.support.upstream import UpstreamServer

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"


async def failing_plane(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    sessions: async_sessionmaker[AsyncSession],
    upstream: UpstreamServer,
    *,
    attempts: int = 2,
) -> Plane:
    """The tenant's exec plane with connectors `flaky` and `other` (``attempts`` a run)."""
    for name in ("flaky", "other"):
        config = flaky_config(upstream)
        await add_connector(sessions, tenant.tenant_id, name, config=config, spec=policy(attempts))
    return Plane(http, stack.url("exec-api") + JOBS, await exec_headers(http, stack, tenant))


@pytest.fixture
async def plane(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    upstream: UpstreamServer,
) -> Plane:
    """The tenant's exec plane; the upstream fails every call it was not told to answer."""
    upstream.fail("*", status=503, times=None)
    return await failing_plane(stack, http, tenant, app_sessions, upstream)


@pytest.fixture
async def api(stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult) -> Api:
    return await operator_api(http, stack, tenant)


async def succeeded(plane: Plane, upstream: UpstreamServer, connector: str = "flaky") -> str:
    """A job the upstream answers 200 (its own path), once it succeeded; its id."""
    key = uuid.uuid4().hex
    upstream.respond(f"/dlq/{key}", status=200, body={"ok": key})
    response = await plane.http.post(
        plane.url,
        json={"connector": connector, "operation": "fetch", "payload": {"key": key}},
        headers=plane.auth,
    )
    assert response.status_code == 202, response.text
    job_id: str = response.json()["id"]
    await plane.settled(job_id, "succeeded")
    return job_id


async def listed(api: Api, **params: Any) -> list[str]:
    """The ids of every job the filter selects, walking the pages."""
    return [job["id"] for job in await api.every("/jobs", **params)]


def problem(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM, response.text


async def test_every_job_of_the_workspace_newest_first_filtered_and_paged(
    plane: Plane,
    api: Api,
    upstream: UpstreamServer,
    stack: Stack,
    http: httpx.AsyncClient,
    other_tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    fetch_dead = (await plane.dead("flaky"))["id"]
    refresh_dead = (await plane.dead("flaky", "refresh"))["id"]
    queued = await plane.submit("other", delay_ms=600_000)
    done = await succeeded(plane, upstream)
    theirs = await failing_plane(stack, http, other_tenant, app_sessions, upstream)
    foreign = (await theirs.dead("flaky"))["id"]

    page = await api.call("GET", "/jobs")
    assert page.status_code == 200, page.text
    body = page.json()
    assert body["next_cursor"] is None
    newest_first = [done, queued, refresh_dead, fetch_dead]
    assert [job["id"] for job in body["items"]] == newest_first
    assert foreign not in str(body)
    by_id = {job["id"]: job for job in body["items"]}
    assert [by_id[i]["status"] for i in newest_first] == ["succeeded", "queued", "dead", "dead"]
    assert by_id[queued]["connector"] == "other"
    assert by_id[refresh_dead]["operation"] == "refresh"
    assert by_id[fetch_dead]["attempts"] == 2
    assert by_id[fetch_dead]["error"]
    assert by_id[done]["output"] == {"ok": by_id[done]["payload"]["key"]}

    assert await listed(api, status="dead") == [refresh_dead, fetch_dead]
    assert await listed(api, status="queued") == [queued]
    assert await listed(api, status="cancelled") == []
    assert await listed(api, connector="other") == [queued]
    assert await listed(api, connector="flaky", operation="refresh") == [refresh_dead]
    assert await listed(api, connector="flaky", status="succeeded") == [done]
    assert await listed(api, connector="nobody") == []

    # since is inclusive, until exclusive, on created_at.
    middle = by_id[queued]["created_at"]
    assert await listed(api, since=middle) == [done, queued]
    assert await listed(api, until=middle) == [refresh_dead, fetch_dead]
    assert await listed(api, since=by_id[fetch_dead]["created_at"], until=middle) == [
        refresh_dead,
        fetch_dead,
    ]
    later = dt.datetime.fromisoformat(by_id[done]["created_at"]) + dt.timedelta(hours=1)
    assert await listed(api, since=later.isoformat()) == []

    # Pages of one, then of three: the same jobs in the same order, no repeat.
    pages = await api.pages("/jobs", limit=1)
    assert [p["items"][0]["id"] for p in pages] == newest_first
    assert len(pages) == 4
    assert pages[-1]["next_cursor"] is None
    three = await api.call("GET", "/jobs", params={"limit": 3})
    rest = await api.call("GET", "/jobs", params={"cursor": three.json()["next_cursor"]})
    assert [j["id"] for j in three.json()["items"] + rest.json()["items"]] == newest_first
    assert rest.json()["next_cursor"] is None

    # Another organization's jobs are not there for this operator, and its workspace is none
    # of the operator's.
    problem(await api.call("GET", "/jobs", params={"workspace": str(other_tenant.tenant_id)}), 404)


async def test_bad_filters_and_cursors_are_400_problems(api: Api) -> None:
    for params in (
        {"cursor": "not-a-cursor"},
        {"since": "yesterday"},
        {"since": "2026-11-25T10:00:00"},  # no offset
        {"until": "2026-11-25"},
        {"status": "lost"},
        {"limit": 0},
        {"limit": 501},
    ):
        problem(await api.call("GET", "/jobs", params=params), 400)
    ok = await api.call("GET", "/jobs", params={"since": "2026-11-25T10:00:00+01:00"})
    assert ok.status_code == 200, ok.text


async def test_a_job_shows_each_attempt_with_its_outcome_and_error(
    plane: Plane, api: Api, upstream: UpstreamServer
) -> None:
    dead = await plane.dead("flaky")
    assert upstream.calls(path_of(dead)) == 2
    response = await api.call("GET", f"/jobs/{dead['id']}")
    assert response.status_code == 200, response.text
    detail = response.json()
    assert detail["job"]["id"] == dead["id"]
    assert detail["job"]["status"] == "dead"
    assert detail["job"]["attempts"] == 2
    assert detail["workflow_run_id"] is None
    assert detail["workflow_step"] is None
    attempts = detail["attempts"]
    assert [a["attempt"] for a in attempts] == [1, 2]
    for attempt in attempts:
        assert attempt["outcome"] == "retryable"
        assert attempt["upstream_status"] == 503
        assert attempt["error"] == "http_503"
        assert attempt["finished_at"] is not None
        assert attempt["started_at"] <= attempt["finished_at"]
        assert attempt["duration_ms"] >= 0
    assert attempts[0]["started_at"] < attempts[1]["started_at"]
    # The job's own last error is its last attempt's.
    assert detail["job"]["error"] == attempts[-1]["error"]

    ok = (await api.call("GET", f"/jobs/{await succeeded(plane, upstream)}")).json()
    assert ok["job"]["status"] == "succeeded"
    [attempt] = ok["attempts"]
    assert (attempt["attempt"], attempt["outcome"]) == (1, "succeeded")
    assert (attempt["upstream_status"], attempt["error"]) == (200, None)

    queued = await plane.submit("flaky", delay_ms=600_000)
    waiting = (await api.call("GET", f"/jobs/{queued}")).json()
    assert (waiting["job"]["status"], waiting["attempts"]) == ("queued", [])


async def test_a_job_of_another_workspace_is_404(
    plane: Plane,
    api: Api,
    stack: Stack,
    http: httpx.AsyncClient,
    other_tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    upstream: UpstreamServer,
) -> None:
    theirs = await failing_plane(stack, http, other_tenant, app_sessions, upstream)
    foreign = (await theirs.dead("flaky"))["id"]
    problem(await api.call("GET", f"/jobs/{foreign}"), 404)
    problem(await api.call("GET", f"/jobs/{uuid.uuid4()}"), 404)
    own = await api.call("GET", f"/jobs/{await plane.submit('flaky', delay_ms=600_000)}")
    assert own.status_code == 200, own.text
    # Its own operator sees it.
    theirs_api = await operator_api(http, stack, other_tenant)
    assert (await theirs_api.call("GET", f"/jobs/{foreign}")).status_code == 200


async def test_an_operator_reads_the_jobs_of_a_sibling_workspace_with_workspace(
    stack: Stack,
    http: httpx.AsyncClient,
    app_sessions: async_sessionmaker[AsyncSession],
    kek: KeyEncryptionKey,
    upstream: UpstreamServer,
) -> None:
    upstream.fail("*", status=503, times=None)
    org = f"org-{uuid.uuid4().hex[:8]}"
    home = await new_tenant(app_sessions, kek, org=org)
    sibling = await new_tenant(app_sessions, kek, org=org)
    plane = await failing_plane(stack, http, sibling, app_sessions, upstream)
    job = await plane.submit("flaky", delay_ms=600_000)
    # The organization's admin keeps the home workspace it was first issued in; the second
    # bootstrap only gave it a fresh secret.
    api = await operator_api(http, stack, sibling)
    assert home.tenant_id != sibling.tenant_id

    assert await listed(api) == []
    assert await listed(api, workspace=str(sibling.tenant_id)) == [job]
    problem(await api.call("GET", f"/jobs/{job}"), 404)
    there = await api.call("GET", f"/jobs/{job}", params={"workspace": str(sibling.tenant_id)})
    assert there.status_code == 200, there.text
    assert there.json()["job"]["status"] == "queued"


async def test_an_auditor_reads_jobs_and_attempts(
    plane: Plane,
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    dead = await plane.dead("flaky")
    auditor = await new_auditor(app_sessions, tenant)
    base = stack.url("control-api")
    token = await fetch_token(http, base, auditor.client_id, auditor.client_secret)
    api = Api(http, base, token)
    assert await listed(api) == [dead["id"]]
    detail = await api.call("GET", f"/jobs/{dead['id']}")
    assert detail.status_code == 200, detail.text
    assert len(detail.json()["attempts"]) == 2
    # Reading is all it may do here: the DLQ's replay stays an admin's.
    refused = await api.write("POST", "/dlq/replay", {"connector": "flaky"})
    problem(refused, 403)
