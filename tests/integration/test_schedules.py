"""Cron schedules on the running stack: CRUD and its validation on the control-api, and
the worker's scheduler firing a due schedule once, as a job that runs on the upstream or as
a workflow run whose steps do.

A schedule is made due by setting its ``next_run_at`` to now as the owner (filtered by
tenant), so no test waits for a cron time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.events.wake import SILENT
from orchestrator.core.jobs.models import Job
from orchestrator.core.models import AuditLog, Event
from orchestrator.core.schedules.models import Schedule
from orchestrator.core.schedules.scheduler import Scheduler
from orchestrator.core.tenancy.service import BootstrapResult
from orchestrator.core.upstream.ssrf import NetworkPolicy
from orchestrator.core.workflows.models import WorkflowRun
from tests.support.control_api import Api, operator_api
from tests.support.durability import until
from tests.support.execution import http_connector
from tests.support.jobs import add_connector
from tests.support.metrics import scrape
from tests.support.stack import Stack
from tests.support.upstream import UpstreamServer

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"
YEARLY = "0 0 1 1 *"  # never due by itself during a test


@pytest.fixture
async def api(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    upstream: UpstreamServer,
) -> Api:
    """The tenant's operator, with a connector `psp` (operation `charge`) on the upstream."""
    await add_connector(app_sessions, tenant.tenant_id, "psp", config=http_connector(upstream))
    return await operator_api(http, stack, tenant)


def schedule(name: str, **fields: Any) -> dict[str, Any]:
    key = uuid.uuid4().hex[:12]
    body = {
        "name": name,
        "cron": YEARLY,
        "connector": "psp",
        "operation": "charge",
        "payload": {"id": key, "amount": 5},
    }
    return {**body, **fields}


async def create(api: Api, body: dict[str, Any]) -> dict[str, Any]:
    response = await api.write("POST", "/schedules", body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def make_due(
    owner: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID, schedule_id: str
) -> dt.datetime:
    """Set the schedule's next_run_at to now (as the owner); the time set."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    async with tenant_transaction(owner, tenant_id) as session:  # its wakeup under RLS
        await session.execute(
            update(Schedule)
            .where(Schedule.tenant_id == tenant_id, Schedule.id == uuid.UUID(schedule_id))
            .values(next_run_at=now)
        )
    return now


async def jobs_of(
    owner: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID, schedule_id: str
) -> list[Job]:
    async with owner() as session:
        rows = await session.scalars(
            select(Job).where(
                Job.tenant_id == tenant_id, Job.idempotency_key.like(f"schedule:{schedule_id}:%")
            )
        )
        return list(rows.all())


async def row(
    owner: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID, schedule_id: str
) -> Schedule:
    async with owner() as session:
        found = await session.scalar(
            select(Schedule).where(
                Schedule.tenant_id == tenant_id, Schedule.id == uuid.UUID(schedule_id)
            )
        )
    assert found is not None
    return found


def fields_of(response: httpx.Response) -> set[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    return {error["key"] for error in response.json()["errors"]}


async def test_invalid_schedules_are_422_problems_naming_each_field(api: Api) -> None:
    bad = schedule("bad", cron="61 * * * *", timezone="Mars/Olympus", connector="nope")
    assert fields_of(await api.write("POST", "/schedules", bad)) == {
        "/cron",
        "/timezone",
        "/connector",
    }
    wrong_operation = schedule("bad", cron="0 * * * * *", operation="refund")
    assert fields_of(await api.write("POST", "/schedules", wrong_operation)) == {
        "/cron",
        "/operation",
    }
    bad_payload = schedule("bad", payload={"id": "x"}, callback_url="http://169.254.169.254/")
    refused = fields_of(await api.write("POST", "/schedules", bad_payload))
    assert refused == {"/payload/amount", "/callback_url"}, refused
    await create(api, schedule("good"))
    replaced = {k: v for k, v in schedule("good", cron="@weekly").items() if k != "name"}
    replaced["timezone"] = "Not/AZone"
    assert fields_of(await api.write("PUT", "/schedules/good", replaced)) == {"/timezone"}
    # Nothing was written by the refused requests.
    listed = (await api.call("GET", "/schedules")).json()["items"]
    assert [item["name"] for item in listed] == ["good"]


async def test_crud_round_trip_is_audited_and_shows_next_run_at(
    api: Api, tenant: BootstrapResult, owner_sessions: async_sessionmaker[AsyncSession]
) -> None:
    before = dt.datetime.now(dt.UTC)
    created = await create(api, schedule("nightly", cron="30 2 * * *", timezone="Europe/Berlin"))
    next_run = dt.datetime.fromisoformat(created["next_run_at"])
    assert before < next_run <= before + dt.timedelta(days=1, hours=1)
    assert next_run.astimezone(dt.timezone(dt.timedelta(hours=1))).minute == 30
    assert (await api.write("POST", "/schedules", schedule("nightly"))).status_code == 409
    got = (await api.call("GET", "/schedules/nightly")).json()
    assert got["next_run_at"] == created["next_run_at"]
    assert got["enabled"] is True
    assert got["last_fired_at"] is None

    paused = {k: v for k, v in created.items() if k in schedule("x")} | {"enabled": False}
    paused.pop("name")
    response = await api.write("PUT", "/schedules/nightly", paused)
    assert response.status_code == 200, response.text
    assert (response.json()["enabled"], response.json()["version"]) == (False, 2)
    same = await api.write("PUT", "/schedules/nightly", paused)
    assert same.json()["version"] == 2  # nothing changed, nothing audited

    assert (await api.write("DELETE", "/schedules/nightly")).status_code == 204
    assert (await api.call("GET", "/schedules/nightly")).status_code == 404
    async with owner_sessions() as session:
        actions = (
            await session.scalars(
                select(AuditLog.action)
                .where(
                    AuditLog.tenant_id == tenant.tenant_id, AuditLog.target == "schedule:nightly"
                )
                .order_by(AuditLog.id)
            )
        ).all()
    assert list(actions) == ["schedule.create", "schedule.update", "schedule.delete"]


async def test_a_due_schedule_fires_one_job_that_runs_on_the_upstream(
    api: Api,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
    upstream: UpstreamServer,
) -> None:
    created = await create(api, schedule("daily", cron="0 6 * * *"))
    due = await make_due(owner_sessions, tenant.tenant_id, created["id"])
    path = f"/charges/{created['payload']['id']}"

    async def ran() -> bool:
        found = await jobs_of(owner_sessions, tenant.tenant_id, created["id"])
        return bool(found) and found[0].status.value == "succeeded"

    assert await until(ran, timeout_s=15)  # the stack's worker fired it, the job ran
    [job] = await jobs_of(owner_sessions, tenant.tenant_id, created["id"])
    assert job.idempotency_key == f"schedule:{created['id']}:{due.isoformat()}"
    assert (job.connector, job.operation, job.payload) == ("psp", "charge", created["payload"])
    assert upstream.calls(path) == 1
    fired = await row(owner_sessions, tenant.tenant_id, created["id"])
    assert fired.last_fired_at == due
    assert fired.next_run_at > due
    assert (fired.next_run_at.hour, fired.next_run_at.minute) == (6, 0)
    assert fired.next_run_at - due <= dt.timedelta(days=1)
    shown = (await api.call("GET", "/schedules/daily")).json()
    assert dt.datetime.fromisoformat(shown["next_run_at"]) == fired.next_run_at
    await asyncio.sleep(1.5)  # more scheduler passes fire nothing more
    assert len(await jobs_of(owner_sessions, tenant.tenant_id, created["id"])) == 1
    assert upstream.calls(path) == 1


async def test_a_disabled_schedule_never_fires(
    api: Api,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    created = await create(api, schedule("paused", enabled=False))
    await make_due(owner_sessions, tenant.tenant_id, created["id"])
    scheduler = Scheduler(app_sessions, SILENT, network=NetworkPolicy(allow_loopback=True))
    fired = await scheduler.run_once()
    assert created["id"] not in {str(f.schedule_id) for f in fired}
    await asyncio.sleep(1.5)  # and the stack's scheduler passes it over too
    assert await jobs_of(owner_sessions, tenant.tenant_id, created["id"]) == []
    assert (await row(owner_sessions, tenant.tenant_id, created["id"])).last_fired_at is None


async def test_racing_schedulers_fire_each_due_time_once(
    api: Api,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    ids = [(await create(api, schedule(f"race-{n}")))["id"] for n in range(12)]
    for schedule_id in ids:
        await make_due(owner_sessions, tenant.tenant_id, schedule_id)
    network = NetworkPolicy(allow_loopback=True)
    schedulers = [Scheduler(app_sessions, SILENT, network=network) for _ in range(3)]
    # Three loops in this process race each other and the stack's worker.
    passes = await asyncio.gather(*(s.run_once() for s in schedulers for _ in range(2)))
    fired_here = [f for found in passes for f in found if str(f.schedule_id) in ids]
    assert len({f.schedule_id for f in fired_here}) == len(fired_here)  # none fired twice here

    async def all_fired() -> bool:
        counts = [len(await jobs_of(owner_sessions, tenant.tenant_id, i)) for i in ids]
        return all(count >= 1 for count in counts)

    assert await until(all_fired, timeout_s=10)
    await asyncio.sleep(1.2)
    counts = [len(await jobs_of(owner_sessions, tenant.tenant_id, i)) for i in ids]
    assert counts == [1] * len(ids)


# Schedules that start a workflow run.


def two_charges() -> list[dict[str, Any]]:
    """A workflow of two `psp.charge` steps, their ids from the run's input."""
    return [
        {
            "name": "first",
            "connector": "psp",
            "operation": "charge",
            "payload": {"id": {"$ref": "/input/first"}, "amount": {"$ref": "/input/amount"}},
        },
        {
            "name": "second",
            "connector": "psp",
            "operation": "charge",
            "payload": {"id": {"$ref": "/input/second"}, "amount": 1},
        },
    ]


async def create_workflow(api: Api, name: str) -> None:
    response = await api.write("POST", "/workflows", {"name": name, "steps": two_charges()})
    assert response.status_code == 201, response.text


def workflow_schedule(name: str, workflow: str, **fields: Any) -> dict[str, Any]:
    key = uuid.uuid4().hex[:12]
    run_input = {"first": f"{key}-1", "second": f"{key}-2", "amount": 7}
    return {"name": name, "cron": YEARLY, "workflow": workflow, "payload": run_input, **fields}


async def runs_of(
    owner: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID, schedule_id: str
) -> list[WorkflowRun]:
    async with owner() as session:
        rows = await session.scalars(
            select(WorkflowRun).where(
                WorkflowRun.tenant_id == tenant_id,
                WorkflowRun.idempotency_key.like(f"schedule:{schedule_id}:%"),
            )
        )
        return list(rows.all())


async def settled_run(
    owner: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID, schedule_id: str
) -> WorkflowRun:
    """The schedule's one run once it is final (fails the test if not within 20 s)."""

    async def final() -> bool:
        found = await runs_of(owner, tenant_id, schedule_id)
        return bool(found) and found[0].status not in ("running", "compensating")

    assert await until(final, timeout_s=20)
    [run] = await runs_of(owner, tenant_id, schedule_id)
    return run


def messages_of(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    return {error["key"]: error["message"] for error in response.json()["errors"]}


async def test_a_schedule_names_exactly_one_existing_target(api: Api) -> None:
    await create_workflow(api, "billing")
    both = workflow_schedule("bad", "billing", connector="psp", operation="charge")
    refused = messages_of(await api.write("POST", "/schedules", both))
    assert set(refused) == {"/connector", "/operation"}, refused
    assert "not both" in refused["/connector"]
    neither = {k: v for k, v in schedule("bad").items() if k not in ("connector", "operation")}
    refused = messages_of(await api.write("POST", "/schedules", neither))
    assert set(refused) == {"/connector", "/operation"}, refused
    assert "required" in refused["/operation"]
    half = {k: v for k, v in schedule("bad").items() if k != "operation"}
    assert set(messages_of(await api.write("POST", "/schedules", half))) == {"/operation"}
    unknown = workflow_schedule("bad", "no-such-workflow")
    assert set(messages_of(await api.write("POST", "/schedules", unknown))) == {"/workflow"}
    callback = workflow_schedule("bad", "billing", callback_url="https://example.com/cb")
    assert set(messages_of(await api.write("POST", "/schedules", callback))) == {"/callback_url"}
    assert (await api.call("GET", "/schedules")).json()["items"] == []

    # A good one shows its target; a job schedule can be turned into a workflow one.
    created = await create(api, workflow_schedule("nightly-billing", "billing"))
    assert (created["workflow"], created["connector"], created["operation"]) == (
        "billing",
        None,
        None,
    )
    job = await create(api, schedule("job"))
    assert (job["workflow"], job["connector"], job["operation"]) == (None, "psp", "charge")
    retargeted = {k: v for k, v in workflow_schedule("job", "billing").items() if k != "name"}
    response = await api.write("PUT", "/schedules/job", retargeted)
    assert response.status_code == 200, response.text
    shown = (await api.call("GET", "/schedules/job")).json()
    assert (shown["workflow"], shown["connector"], shown["version"]) == ("billing", None, 2)


async def test_a_due_workflow_schedule_starts_one_run_that_succeeds_on_the_upstream(
    api: Api,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
    upstream: UpstreamServer,
) -> None:
    await create_workflow(api, "billing")
    created = await create(api, workflow_schedule("billing-daily", "billing", cron="0 6 * * *"))
    due = await make_due(owner_sessions, tenant.tenant_id, created["id"])

    run = await settled_run(owner_sessions, tenant.tenant_id, created["id"])
    assert run.status == "succeeded", (run.status, run.error, run.outputs)
    assert run.idempotency_key == f"schedule:{created['id']}:{due.isoformat()}"
    assert (run.workflow, run.input) == ("billing", created["payload"])
    run_input = created["payload"]
    assert upstream.calls(f"/charges/{run_input['first']}") == 1
    assert upstream.calls(f"/charges/{run_input['second']}") == 1
    # Started as an API-started run is: its start is an event, its steps are its jobs.
    async with owner_sessions() as session:
        started = await session.scalar(
            select(func.count()).where(
                Event.tenant_id == tenant.tenant_id,
                Event.type == "workflow.started",
                Event.data["run_id"].astext == str(run.id),
            )
        )
    assert started == 1
    assert await jobs_of(owner_sessions, tenant.tenant_id, created["id"]) == []
    fired = await row(owner_sessions, tenant.tenant_id, created["id"])
    assert (fired.last_fired_at, fired.next_run_at > due) == (due, True)
    await asyncio.sleep(1.5)  # more scheduler passes start nothing more
    assert len(await runs_of(owner_sessions, tenant.tenant_id, created["id"])) == 1


async def test_racing_schedulers_start_one_workflow_run_per_due_time(
    api: Api,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
    app_sessions: async_sessionmaker[AsyncSession],
    upstream: UpstreamServer,
) -> None:
    await create_workflow(api, "billing")
    created = await create(api, workflow_schedule("billing-race", "billing"))
    await make_due(owner_sessions, tenant.tenant_id, created["id"])
    network = NetworkPolicy(allow_loopback=True)
    schedulers = [Scheduler(app_sessions, SILENT, network=network) for _ in range(3)]
    # Three loops in this process race each other and the stack's worker.
    passes = await asyncio.gather(*(s.run_once() for s in schedulers for _ in range(2)))
    here = [f for found in passes for f in found if str(f.schedule_id) == created["id"]]
    assert len(here) <= 1
    assert all(f.run_id is not None and f.job_id is None for f in here)

    run = await settled_run(owner_sessions, tenant.tenant_id, created["id"])
    assert run.status == "succeeded", (run.status, run.error)
    await asyncio.sleep(1.2)
    assert len(await runs_of(owner_sessions, tenant.tenant_id, created["id"])) == 1
    assert upstream.calls(f"/charges/{created['payload']['first']}") == 1


async def test_a_fire_for_a_deleted_workflow_is_refused_and_the_schedule_moves_on(
    api: Api,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    await create_workflow(api, "billing")
    created = await create(api, workflow_schedule("orphan", "billing"))
    assert (await api.write("DELETE", "/workflows/billing")).status_code == 204
    due = await make_due(owner_sessions, tenant.tenant_id, created["id"])
    scheduler = Scheduler(app_sessions, SILENT, network=NetworkPolicy(allow_loopback=True))
    fired = [f for f in await scheduler.run_once() if str(f.schedule_id) == created["id"]]
    assert all(f.refused for f in fired)  # unless the stack's worker took it first

    async def moved_on() -> bool:
        return (await row(owner_sessions, tenant.tenant_id, created["id"])).last_fired_at == due

    assert await until(moved_on, timeout_s=10)
    assert (await row(owner_sessions, tenant.tenant_id, created["id"])).next_run_at > due
    assert await runs_of(owner_sessions, tenant.tenant_id, created["id"]) == []


async def test_the_workers_scheduler_reports_its_last_pass(
    stack: Stack, http: httpx.AsyncClient
) -> None:
    """What OrchestratorSchedulerStopped watches: recent while the scheduler runs."""
    metric = "orchestrator_scheduler_last_pass_timestamp_seconds"
    started = dt.datetime.now(dt.UTC).timestamp()

    async def passed_since_start() -> bool:
        return (await scrape(http, stack.url("worker"), metric) or 0.0) >= started

    assert await until(passed_since_start, timeout_s=10, every_s=0.2)
