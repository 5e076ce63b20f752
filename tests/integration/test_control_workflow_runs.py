"""The operator's view of a workspace's workflow runs on the control-api
(``GET /api/v1/workflow-runs`` and ``GET /api/v1/workflow-runs/{id}``): newest first,
filtered by workflow and status, paged; one run with each step's job, status, output,
error and compensation, exactly as the exec-api shows it to the caller that started it;
only the workspace's own, read by any operator of the organization."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.tenancy.service import BootstrapResult
from tests.integration.test_workflows import Runs, create, shop_config, three_steps
from tests.support.control_api import Api, operator_api
from tests.support.factories import fetch_token, new_auditor
from tests.support.jobs import add_connector, exec_headers
from tests.support.stack import Stack
from tests.support.upstream import UpstreamServer

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"
SUMMARY = {
    "id",
    "workflow",
    "workflow_version",
    "status",
    "current_step",
    "steps",
    "error",
    "created_at",
    "updated_at",
    "finished_at",
}


async def shop(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    sessions: async_sessionmaker[AsyncSession],
    upstream: UpstreamServer,
) -> tuple[Api, Runs]:
    """The tenant's operator, with the connector `shop` and the workflows `checkout` (three
    steps, two compensable) and `ping` (one step), and its exec-api runs."""
    await add_connector(sessions, tenant.tenant_id, "shop", config=shop_config(upstream.url))
    api = await operator_api(http, stack, tenant)
    await create(api, "checkout", three_steps())
    ping = [
        {
            "name": "notify",
            "connector": "shop",
            "operation": "notify",
            "payload": {"order": {"$ref": "/input/order"}},
        }
    ]
    await create(api, "ping", ping)
    return api, Runs(http, stack.url("exec-api"), await exec_headers(http, stack, tenant))


@pytest.fixture
async def plane(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    upstream: UpstreamServer,
) -> tuple[Api, Runs]:
    return await shop(stack, http, tenant, app_sessions, upstream)


async def run(runs: Runs, workflow: str, upstream: UpstreamServer, *, fail: bool = False) -> str:
    """A run of ``workflow`` for a fresh order, once it is final; its id. ``fail``: the
    order's `notify` step is refused for good (a 422), so earlier steps compensate."""
    order = uuid.uuid4().hex[:12]
    if fail:
        upstream.fail(f"/wf/{order}/notify", status=422, times=None)
    started = await runs.start(workflow, {"order": order, "item": {"sku": "sku-1"}})
    assert started.status_code == 202, started.text
    run_id: str = started.json()["id"]
    await runs.settled(run_id)
    return run_id


async def ids(api: Api, **params: Any) -> list[str]:
    """Every run the filter selects, walking the pages."""
    return [item["id"] for item in await api.every("/workflow-runs", **params)]


def problem(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM, response.text


async def test_runs_are_listed_newest_first_filtered_and_paged(
    plane: tuple[Api, Runs], upstream: UpstreamServer
) -> None:
    api, runs = plane
    ok = await run(runs, "checkout", upstream)
    compensated = await run(runs, "checkout", upstream, fail=True)
    ping = await run(runs, "ping", upstream)

    page = await api.call("GET", "/workflow-runs")
    assert page.status_code == 200, page.text
    body = page.json()
    assert body["next_cursor"] is None
    assert [item["id"] for item in body["items"]] == [ping, compensated, ok]
    assert all(set(item) == SUMMARY for item in body["items"])
    by_id = {item["id"]: item for item in body["items"]}
    assert (by_id[ok]["status"], by_id[ok]["current_step"], by_id[ok]["steps"]) == (
        "succeeded",
        "notify",
        3,
    )
    assert by_id[ok]["error"] is None
    assert by_id[ok]["finished_at"] is not None
    # Compensation walks back to the first step with a compensation: `reserve`.
    assert (by_id[compensated]["status"], by_id[compensated]["current_step"]) == (
        "compensated",
        "reserve",
    )
    assert "notify" in by_id[compensated]["error"]
    assert (by_id[ping]["workflow"], by_id[ping]["steps"]) == ("ping", 1)

    assert await ids(api, workflow="checkout") == [compensated, ok]
    assert await ids(api, workflow="ping") == [ping]
    assert await ids(api, workflow="nothing") == []
    assert await ids(api, status="compensated") == [compensated]
    assert await ids(api, status="succeeded") == [ping, ok]
    assert await ids(api, workflow="checkout", status="succeeded") == [ok]
    assert await ids(api, status="running") == []

    pages = await api.pages("/workflow-runs", limit=1)
    assert [p["items"][0]["id"] for p in pages] == [ping, compensated, ok]
    assert pages[-1]["next_cursor"] is None
    two = (
        await api.call("GET", "/workflow-runs", params={"limit": 2, "status": "succeeded"})
    ).json()
    assert [item["id"] for item in two["items"]] == [ping, ok]
    assert two["next_cursor"] is None

    for params in ({"cursor": "garbage"}, {"status": "paused"}, {"workflow": "Bad Name"}):
        problem(await api.call("GET", "/workflow-runs", params=params), 400)


async def test_a_run_shows_each_steps_status_output_error_and_compensation(
    plane: tuple[Api, Runs], upstream: UpstreamServer
) -> None:
    api, runs = plane
    run_id = await run(runs, "checkout", upstream, fail=True)

    response = await api.call("GET", f"/workflow-runs/{run_id}")
    assert response.status_code == 200, response.text
    shown = response.json()
    # The control-api serves the very view the exec-api gives the caller.
    assert shown == (await runs.get(run_id)).json()
    assert (shown["status"], shown["workflow"], shown["workflow_version"]) == (
        "compensated",
        "checkout",
        1,
    )
    reserve, charge, notify = shown["steps"]
    assert [s["name"] for s in shown["steps"]] == ["reserve", "charge", "notify"]
    assert [s["status"] for s in shown["steps"]] == ["succeeded", "succeeded", "failed"]
    order = shown["input"]["order"]
    assert reserve["output"]["path"] == f"/wf/{order}/reserve"
    assert reserve["error"] is None
    assert notify["error"] == "http_422"
    assert notify["output"] == {"error": "failing with 422"}  # the upstream's refusal
    assert [s["compensation"]["status"] for s in (reserve, charge)] == ["succeeded"] * 2
    assert all(s["compensation"]["job_id"] for s in (reserve, charge))
    assert notify["compensation"] is None

    # Each step's job is one of the workspace's jobs, tagged with the run and its step.
    step_job = await api.call("GET", f"/jobs/{charge['job_id']}")
    assert step_job.status_code == 200, step_job.text
    detail = step_job.json()
    assert (detail["workflow_run_id"], detail["workflow_step"]) == (run_id, "charge")
    assert [a["outcome"] for a in detail["attempts"]] == ["succeeded"]
    undo = (await api.call("GET", f"/jobs/{charge['compensation']['job_id']}")).json()
    assert undo["workflow_step"] == "charge:compensation"

    problem(await api.call("GET", f"/workflow-runs/{uuid.uuid4()}"), 404)


async def test_another_workspaces_runs_are_not_shown_and_an_auditor_reads_them(
    plane: tuple[Api, Runs],
    upstream: UpstreamServer,
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    other_tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    api, runs = plane
    own = await run(runs, "ping", upstream)
    other_api, other_runs = await shop(stack, http, other_tenant, app_sessions, upstream)
    theirs = await run(other_runs, "ping", upstream)

    assert await ids(api) == [own]
    assert await ids(other_api) == [theirs]
    problem(await api.call("GET", f"/workflow-runs/{theirs}"), 404)
    foreign = await api.call(
        "GET", "/workflow-runs", params={"workspace": str(other_tenant.tenant_id)}
    )
    problem(foreign, 404)

    auditor = await new_auditor(app_sessions, tenant)
    base = stack.url("control-api")
    token = await fetch_token(http, base, auditor.client_id, auditor.client_secret)
    reader = Api(http, base, token)
    assert await ids(reader) == [own]
    one = await reader.call("GET", f"/workflow-runs/{own}")
    assert one.status_code == 200, one.text
    assert one.json()["steps"][0]["status"] == "succeeded"
