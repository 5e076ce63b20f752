"""Workflows on the running stack: definitions on the control-api (CRUD, 422s), runs on the
exec-api, each step a job on the real upstream, compensations in reverse order when a step
fails; and, on an isolated database without a worker, a redelivered advance that changes
nothing."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import msgspec
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.events.wake import SILENT
from orchestrator.core.jobs.models import Job
from orchestrator.core.jobs.states import JobStatus
from orchestrator.core.maintenance.workflow_sweep import sweep_stuck_runs
from orchestrator.core.models import AuditLog, Event, OutboxMessage
from orchestrator.core.policy.model import PolicySpec, RetryPolicy
from orchestrator.core.tenancy.service import BootstrapResult
from orchestrator.core.upstream.ssrf import NetworkPolicy
from orchestrator.core.workflows import runs
from orchestrator.core.workflows.machine import RunStatus
from orchestrator.core.workflows.models import Workflow
from tests.support.control_api import Api, operator_api
from tests.support.durability import until
from tests.support.factories import new_tenant
from tests.support.jobs import IsolatedDb, add_connector, exec_headers
from tests.support.metrics import scrape
from tests.support.stack import Stack
from tests.support.upstream import UpstreamServer

pytestmark = pytest.mark.integration
pytest_plugins = ["tests.support.jobs_fixtures"]  # the `isolated` database fixtures

PROBLEM = "application/problem+json"
OPERATIONS = ("reserve", "release", "charge", "refund", "notify")


def shop_config(base_url: str) -> dict[str, Any]:
    """One connector, five operations: POST /wf/{order}/<operation>, the payload as body."""
    return {
        "base_url": base_url,
        "operations": {
            name: {"method": "POST", "path": f"/wf/{{order}}/{name}", "idempotent": True}
            for name in OPERATIONS
        },
    }


def three_steps() -> list[dict[str, Any]]:
    """reserve → charge (uses reserve's output) → notify; reserve and charge compensate."""
    return [
        {
            "name": "reserve",
            "connector": "shop",
            "operation": "reserve",
            "payload": {"order": {"$ref": "/input/order"}, "sku": {"$ref": "/input/item/sku"}},
            "compensation": {
                "operation": "release",
                "payload": {
                    "order": {"$ref": "/input/order"},
                    "reservation": {"$ref": "/steps/reserve/output/path"},
                },
            },
        },
        {
            "name": "charge",
            "connector": "shop",
            "operation": "charge",
            "payload": {
                "order": {"$ref": "/input/order"},
                "reservation": {"$ref": "/steps/reserve/output/path"},
                "sku": {"$ref": "/steps/reserve/output/body/sku"},
                "amount": 1200,
            },
            "compensation": {
                "operation": "refund",
                "payload": {
                    "order": {"$ref": "/input/order"},
                    "charged": {"$ref": "/steps/charge/output/body/amount"},
                },
            },
        },
        {
            "name": "notify",
            "connector": "shop",
            "operation": "notify",
            "payload": {"order": {"$ref": "/input/order"}, "via": "email"},
        },
    ]


@pytest.fixture
async def api(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    upstream: UpstreamServer,
) -> Api:
    """The tenant's operator, with the connector `shop` on the upstream."""
    await add_connector(app_sessions, tenant.tenant_id, "shop", config=shop_config(upstream.url))
    return await operator_api(http, stack, tenant)


class Runs:
    """The exec-api's workflow runs, as the tenant's product backend."""

    def __init__(self, http: httpx.AsyncClient, base: str, headers: dict[str, str]) -> None:
        self.http, self.base, self.headers = http, base, headers

    async def start(self, workflow: str, run_input: Any, key: str | None = None) -> httpx.Response:
        headers = self.headers if key is None else {**self.headers, "Idempotency-Key": key}
        return await self.http.post(
            f"{self.base}/api/v1/workflows/{workflow}/runs",
            json={"input": run_input},
            headers=headers,
        )

    async def get(self, run_id: str) -> httpx.Response:
        return await self.http.get(
            f"{self.base}/api/v1/workflow-runs/{run_id}", headers=self.headers
        )

    async def settled(self, run_id: str) -> dict[str, Any]:
        """The run once it is final (fails the test if it is not within 20 s)."""
        seen: dict[str, Any] = {}

        async def final() -> bool:
            seen.update((await self.get(run_id)).json())
            return seen["status"] not in ("running", "compensating")

        assert await until(final, timeout_s=20, every_s=0.1), seen
        return seen


@pytest.fixture
async def exec_runs(stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult) -> Runs:
    return Runs(http, stack.url("exec-api"), await exec_headers(http, stack, tenant))


async def create(api: Api, name: str, steps: list[dict[str, Any]]) -> dict[str, Any]:
    response = await api.write("POST", "/workflows", {"name": name, "steps": steps})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def workflow_events(
    owner: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID, run_id: str
) -> list[tuple[str, str]]:
    async with owner() as session:
        rows = await session.execute(
            select(Event.type, Event.data)
            .where(Event.tenant_id == tenant_id, Event.data["run_id"].astext == run_id)
            .order_by(Event.id)
        )
        return [(row.type, row.data["step"]) for row in rows]


def body_of(upstream: UpstreamServer, path: str) -> Any:
    [request] = upstream.requests(path)
    return msgspec.json.decode(request.body)


async def test_a_three_step_run_passes_outputs_along_and_succeeds(
    api: Api,
    exec_runs: Runs,
    upstream: UpstreamServer,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    await create(api, "checkout", three_steps())
    order = uuid.uuid4().hex[:12]
    started = await exec_runs.start("checkout", {"order": order, "item": {"sku": "sku-7"}})
    assert started.status_code == 202, started.text
    run_id = started.json()["id"]
    assert started.json()["status"] == "running"
    assert started.headers["location"] == f"/api/v1/workflow-runs/{run_id}"

    run = await exec_runs.settled(run_id)
    assert run["status"] == "succeeded", run
    assert [s["status"] for s in run["steps"]] == ["succeeded"] * 3
    assert all(s["job_id"] for s in run["steps"])
    assert run["steps"][0]["output"]["path"] == f"/wf/{order}/reserve"
    assert run["finished_at"] is not None
    assert run["error"] is None
    # Step 2 got step 1's output: the upstream saw the resolved values.
    assert body_of(upstream, f"/wf/{order}/charge") == {
        "order": order,
        "reservation": f"/wf/{order}/reserve",
        "sku": "sku-7",
        "amount": 1200,
    }
    assert body_of(upstream, f"/wf/{order}/notify") == {"order": order, "via": "email"}
    assert upstream.calls_under(f"/wf/{order}/") == 3  # no compensation ran
    assert await workflow_events(owner_sessions, tenant.tenant_id, run_id) == [
        ("workflow.started", "reserve"),
        ("workflow.step_succeeded", "reserve"),
        ("workflow.step_succeeded", "charge"),
        ("workflow.step_succeeded", "notify"),
        ("workflow.succeeded", "notify"),
    ]
    # Each step ran as a job tagged with its run and keyed by step.
    async with owner_sessions() as session:
        jobs = (
            await session.execute(
                select(Job.workflow_step, Job.idempotency_key, Job.status)
                .where(Job.tenant_id == tenant.tenant_id, Job.workflow_run_id == uuid.UUID(run_id))
                .order_by(Job.created_at)
            )
        ).all()
    assert [(j.workflow_step, j.idempotency_key, j.status) for j in jobs] == [
        (name, f"workflow:{run_id}:{name}", JobStatus.SUCCEEDED)
        for name in ("reserve", "charge", "notify")
    ]


async def ended_runs(http: httpx.AsyncClient, stack: Stack, status: str) -> float:
    """The worker's ``orchestrator_workflow_runs_ended_total`` for ``status`` (0 if unset)."""
    name = "orchestrator_workflow_runs_ended_total"
    return await scrape(http, stack.url("worker"), name, status=status) or 0.0


async def test_a_failing_step_compensates_earlier_steps_in_reverse_order(
    api: Api,
    exec_runs: Runs,
    upstream: UpstreamServer,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
    stack: Stack,
    http: httpx.AsyncClient,
) -> None:
    compensated_before = await ended_runs(http, stack, "compensated")
    await create(api, "checkout", three_steps())
    order = uuid.uuid4().hex[:12]
    upstream.fail(f"/wf/{order}/notify", status=422, times=None)  # permanent: no retry
    started = await exec_runs.start("checkout", {"order": order, "item": {"sku": "sku-1"}})
    assert started.status_code == 202, started.text
    run_id = started.json()["id"]

    run = await exec_runs.settled(run_id)
    assert run["status"] == "compensated", run
    # Counted by the worker once the run's end committed (the alert's series).
    assert await ended_runs(http, stack, "compensated") == compensated_before + 1
    assert [s["status"] for s in run["steps"]] == ["succeeded", "succeeded", "failed"]
    assert "notify" in run["error"]
    assert [s["compensation"]["status"] for s in run["steps"][:2]] == ["succeeded"] * 2
    assert run["steps"][2]["compensation"] is None
    seen = [r.path for r in upstream.requests() if r.path.startswith(f"/wf/{order}/")]
    assert seen == [
        f"/wf/{order}/{op}" for op in ("reserve", "charge", "notify", "refund", "release")
    ]
    assert body_of(upstream, f"/wf/{order}/refund") == {"order": order, "charged": 1200}
    assert body_of(upstream, f"/wf/{order}/release") == {
        "order": order,
        "reservation": f"/wf/{order}/reserve",
    }
    assert await workflow_events(owner_sessions, tenant.tenant_id, run_id) == [
        ("workflow.started", "reserve"),
        ("workflow.step_succeeded", "reserve"),
        ("workflow.step_succeeded", "charge"),
        ("workflow.step_failed", "notify"),
        ("workflow.compensating", "notify"),
        ("workflow.step_compensated", "charge"),
        ("workflow.step_compensated", "reserve"),
        ("workflow.compensated", "reserve"),
    ]


async def test_a_dead_step_job_cannot_be_replayed_behind_its_runs_back(
    api: Api,
    exec_runs: Runs,
    upstream: UpstreamServer,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    quick = PolicySpec(retry=RetryPolicy(max_attempts=2, base_delay_s=0.01, max_delay_s=0.02))
    await add_connector(
        app_sessions, tenant.tenant_id, "shaky", config=shop_config(upstream.url), spec=quick
    )
    step = {
        "name": "charge",
        "connector": "shaky",
        "operation": "charge",
        "payload": {"order": {"$ref": "/input/order"}},
    }
    await create(api, "one-shot", [step])
    upstream.fail("*", status=503, times=None)  # retryable until the attempts run out
    started = await exec_runs.start("one-shot", {"order": "o"})
    assert started.status_code == 202, started.text

    run = await exec_runs.settled(started.json()["id"])
    assert run["status"] == "failed", run
    job_id = run["steps"][0]["job_id"]
    jobs = f"{exec_runs.base}/api/v1/jobs"
    job = (await exec_runs.http.get(f"{jobs}/{job_id}", headers=exec_runs.headers)).json()
    assert job["status"] == "dead", job

    one = await exec_runs.http.post(f"{jobs}/{job_id}/retry", headers=exec_runs.headers)
    assert one.status_code == 409, one.text
    assert one.json()["workflow_run_id"] == run["id"]
    many = await exec_runs.http.post(
        f"{jobs}/retry", json={"connector": "shaky"}, headers=exec_runs.headers
    )
    assert (many.status_code, many.json()["retried"]) == (202, 0), many.text


async def test_a_failing_compensation_ends_the_run_compensation_failed(
    api: Api, exec_runs: Runs, upstream: UpstreamServer
) -> None:
    await create(api, "checkout", three_steps())
    order = uuid.uuid4().hex[:12]
    upstream.fail(f"/wf/{order}/notify", status=400, times=None)
    upstream.fail(f"/wf/{order}/refund", status=400, times=None)
    run_id = (await exec_runs.start("checkout", {"order": order, "item": {"sku": "s"}})).json()[
        "id"
    ]
    run = await exec_runs.settled(run_id)
    assert run["status"] == "compensation_failed", run
    assert run["current_step"] == "charge"
    assert run["steps"][1]["compensation"]["status"] == "failed"
    assert run["steps"][0]["compensation"] is None  # stopped there: nothing released
    assert upstream.calls(f"/wf/{order}/release") == 0


async def test_a_reference_to_a_missing_value_fails_the_step(
    api: Api, exec_runs: Runs, upstream: UpstreamServer
) -> None:
    await create(api, "checkout", three_steps())
    order = uuid.uuid4().hex[:12]
    # No item: step 1 cannot start, nothing ran, so nothing needs compensating.
    started = await exec_runs.start("checkout", {"order": order})
    assert started.status_code == 202, started.text
    assert started.json()["status"] == "failed"
    run = (await exec_runs.get(started.json()["id"])).json()
    assert run["steps"][0]["status"] == "not_started"
    assert "/input/item/sku" in run["error"]
    assert upstream.calls_under(f"/wf/{order}/") == 0


async def test_runs_are_idempotent_by_key_and_unknown_workflows_are_404(
    api: Api, exec_runs: Runs
) -> None:
    await create(api, "checkout", three_steps())
    body = {"order": uuid.uuid4().hex[:12], "item": {"sku": "s"}}
    first = await exec_runs.start("checkout", body, key="run-once")
    again = await exec_runs.start("checkout", body, key="run-once")
    assert first.status_code == again.status_code == 202
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    missing = await exec_runs.start("nope", {})
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith(PROBLEM)
    unknown_run = await exec_runs.get(str(uuid.uuid4()))
    assert unknown_run.status_code == 404
    assert unknown_run.headers["content-type"].startswith(PROBLEM)


def fields_of(response: httpx.Response) -> set[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    return {error["key"] for error in response.json()["errors"]}


async def test_invalid_workflows_are_422_problems_naming_each_field(api: Api) -> None:
    steps = three_steps()
    steps[0]["payload"]["later"] = {"$ref": "/steps/charge/output/body"}
    steps[1]["connector"] = "nope"
    steps[2]["operation"] = "explode"
    steps[2]["payload"]["bad"] = {"$ref": "steps/x"}
    steps[1]["compensation"]["operation"] = "unrefund"
    refused = fields_of(await api.write("POST", "/workflows", {"name": "bad", "steps": steps}))
    assert refused == {
        "/steps/0/payload/later",
        "/steps/1/connector",
        "/steps/1/compensation/connector",
        "/steps/2/operation",
        "/steps/2/payload/bad",
    }
    twice = [three_steps()[0], three_steps()[0]]
    assert fields_of(await api.write("POST", "/workflows", {"name": "bad", "steps": twice})) == {
        "/steps/1/name"
    }
    assert fields_of(await api.write("POST", "/workflows", {"name": "bad", "steps": []})) == {
        "/steps"
    }
    many = [{**three_steps()[2], "name": f"s{n}"} for n in range(21)]
    assert fields_of(await api.write("POST", "/workflows", {"name": "bad", "steps": many})) == {
        "/steps"
    }
    assert (await api.call("GET", "/workflows")).json()["items"] == []  # nothing written


async def test_crud_round_trip_is_audited_and_runs_keep_their_snapshot(
    api: Api,
    exec_runs: Runs,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    created = await create(api, "flow", three_steps()[2:])
    assert created["version"] == 1
    assert (
        await api.write("POST", "/workflows", {"name": "flow", "steps": three_steps()[2:]})
    ).status_code == 409
    replaced = await api.write("PUT", "/workflows/flow", {"steps": three_steps()})
    assert replaced.status_code == 200, replaced.text
    assert (replaced.json()["version"], len(replaced.json()["steps"])) == (2, 3)
    same = await api.write("PUT", "/workflows/flow", {"steps": three_steps()})
    assert same.json()["version"] == 2  # nothing changed, nothing audited
    got = (await api.call("GET", "/workflows/flow")).json()
    assert [s["name"] for s in got["steps"]] == ["reserve", "charge", "notify"]
    listed = (await api.call("GET", "/workflows")).json()["items"]
    assert [w["name"] for w in listed] == ["flow"]
    assert (await api.write("DELETE", "/workflows/flow")).status_code == 204
    assert (await api.call("GET", "/workflows/flow")).status_code == 404
    assert (await api.write("PUT", "/workflows/flow", {"steps": three_steps()})).status_code == 404
    async with owner_sessions() as session:
        actions = (
            await session.scalars(
                select(AuditLog.action)
                .where(AuditLog.tenant_id == tenant.tenant_id, AuditLog.target == "workflow:flow")
                .order_by(AuditLog.id)
            )
        ).all()
    assert list(actions) == ["workflow.create", "workflow.update", "workflow.delete"]


async def test_a_redelivered_advance_submits_the_next_step_once(isolated: IsolatedDb) -> None:
    """No worker runs on the isolated database: the test plays the worker's part."""
    tenant = await new_tenant(isolated.app, isolated.kek)
    await add_connector(
        isolated.app, tenant.tenant_id, "shop", config=shop_config("http://127.0.0.1:9")
    )
    network = NetworkPolicy(allow_loopback=True)
    async with tenant_transaction(isolated.app, tenant.tenant_id) as session:
        session.add(
            Workflow(
                id=uuid.uuid4(),
                tenant_id=tenant.tenant_id,
                name="checkout",
                steps=three_steps(),
                version=1,
            )
        )
    async with tenant_transaction(isolated.app, tenant.tenant_id) as session:
        row = await runs.start_run(
            session,
            SILENT,
            tenant.tenant_id,
            "checkout",
            {"order": "o-1", "item": {"sku": "s"}},
            idempotency_key=None,
            network=network,
        )
        run_id, first_job = row.id, row.current_job_id
    assert first_job is not None
    # The worker's attempt succeeds: the trigger writes the advance message with it.
    async with tenant_transaction(isolated.app, tenant.tenant_id) as session:
        await session.execute(
            update(Job)
            .where(Job.id == first_job)
            .values(
                status=JobStatus.SUCCEEDED,
                finished_at=func.now(),
                output={"path": "/wf/o-1/reserve", "body": {"sku": "s"}},
            )
        )
    async with isolated.owner() as session:
        messages = (
            await session.scalars(
                select(OutboxMessage.payload).where(
                    OutboxMessage.workspace_id == tenant.tenant_id,
                    OutboxMessage.kind == "advance_workflow",
                )
            )
        ).all()
    assert list(messages) == [
        {"tenant_id": str(tenant.tenant_id), "run_id": str(run_id), "job_id": str(first_job)}
    ]

    # The sweep finds the run whose job ended without it moving on, and sends another.
    assert await sweep_stuck_runs(isolated.app, SILENT, grace_s=0) == 1

    async def advance() -> RunStatus | None:
        async with tenant_transaction(isolated.app, tenant.tenant_id) as session:
            return await runs.advance(
                session, SILENT, tenant.tenant_id, run_id, first_job, network=network
            )

    # The message delivered twice at once, then once more: one advance, one next job.
    outcomes = await asyncio.gather(advance(), advance())
    assert sorted(outcomes, key=str) == sorted([RunStatus.RUNNING, None], key=str)
    assert await advance() is None
    assert await sweep_stuck_runs(isolated.app, SILENT, grace_s=0) == 0  # it waits on a queued job
    async with isolated.owner() as session:
        steps = (
            await session.scalars(
                select(Job.workflow_step)
                .where(Job.tenant_id == tenant.tenant_id, Job.workflow_run_id == run_id)
                .order_by(Job.created_at)
            )
        ).all()
        events = await session.scalar(
            select(func.count()).where(
                Event.tenant_id == tenant.tenant_id, Event.type == "workflow.step_succeeded"
            )
        )
    assert list(steps) == ["reserve", "charge"]
    assert events == 1
