"""Replaying the DLQ: dead jobs go back to the queue, one by id or many by filter, on the
running stack (its exec-api and worker) against the local upstream."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Awaitable, Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import msgspec
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.configuration.models import TenantQuotaRow
from orchestrator.core.db.tenant import set_tenant, tenant_transaction
from orchestrator.core.jobs.models import JobRun
from orchestrator.core.policy.model import PolicySpec, RetryPolicy
from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.durability import until
from tests.support.jobs import add_connector, exec_headers
from tests.support.stack import Stack
from tests.support.upstream import UpstreamServer

pytestmark = pytest.mark.integration

JOBS = "/api/v1/jobs"
PROBLEM = "application/problem+json"
WAIT_S = 20.0


def policy(max_attempts: int) -> PolicySpec:
    """Quick retries, so a failing job is dead within moments."""
    return PolicySpec(
        retry=RetryPolicy(max_attempts=max_attempts, base_delay_s=0.01, max_delay_s=0.05)
    )


def flaky_config(upstream: UpstreamServer) -> dict[str, Any]:
    """Two operations, each calling ``/dlq/{key}``: every job has a path (and counter) of its
    own on the upstream."""
    operation = {"method": "GET", "path": "/dlq/{key}"}
    return {"base_url": upstream.url, "operations": {"fetch": operation, "refresh": operation}}


class Plane:
    """The exec-api's jobs URL and one tenant's token."""

    def __init__(self, http: httpx.AsyncClient, url: str, auth: dict[str, str]) -> None:
        self.http, self.url, self.auth = http, url, auth

    async def submit(self, connector: str, operation: str = "fetch", **extra: Any) -> str:
        key = uuid.uuid4().hex
        body = {"connector": connector, "operation": operation, "payload": {"key": key}}
        response = await self.http.post(self.url, json={**body, **extra}, headers=self.auth)
        assert response.status_code == 202, response.text
        job_id: str = response.json()["id"]
        return job_id

    async def job(self, job_id: str) -> dict[str, Any]:
        response = await self.http.get(f"{self.url}/{job_id}", headers=self.auth)
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    async def settled(self, job_id: str, status: str) -> dict[str, Any]:
        """The job once it reached ``status`` (fails the test if it does not in time)."""
        seen: dict[str, Any] = {}

        async def reached() -> bool:
            seen.update(await self.job(job_id))
            return bool(seen["status"] == status)

        assert await until(reached, timeout_s=WAIT_S, every_s=0.05), seen
        return seen

    async def dead(self, connector: str, operation: str = "fetch") -> dict[str, Any]:
        """A job that ran out of attempts against the failing upstream."""
        return await self.settled(await self.submit(connector, operation), "dead")

    async def retry(self, job_id: str) -> httpx.Response:
        return await self.http.post(f"{self.url}/{job_id}/retry", headers=self.auth)

    async def retry_many(self, body: dict[str, Any]) -> httpx.Response:
        return await self.http.post(f"{self.url}/retry", json=body, headers=self.auth)

    async def event_types(self, job_id: str, *, until_type: str) -> list[str]:
        """The job's events, once ``until_type`` is among them (events show once final)."""
        url = self.url.replace(JOBS, "/api/v1/events")
        types: list[str] = []

        async def arrived() -> bool:
            response = await self.http.get(url, params={"job_id": job_id}, headers=self.auth)
            types[:] = [event["type"] for event in response.json()["items"]]
            return until_type in types

        assert await until(arrived, timeout_s=WAIT_S), types
        return types


@pytest.fixture
async def plane(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    upstream: UpstreamServer,
) -> Plane:
    """A tenant with a connector `flaky` (2 attempts a run) on the upstream, which fails."""
    upstream.fail("*", status=503, times=None)
    config = flaky_config(upstream)
    await add_connector(app_sessions, tenant.tenant_id, "flaky", config=config, spec=policy(2))
    return Plane(http, stack.url("exec-api") + JOBS, await exec_headers(http, stack, tenant))


def path_of(job: dict[str, Any]) -> str:
    return f"/dlq/{job['payload']['key']}"


async def runs(
    sessions: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID, job_id: str
) -> list[tuple[int, str | None]]:
    async with tenant_transaction(sessions, tenant_id) as session:
        found = await session.scalars(
            select(JobRun).where(JobRun.job_id == uuid.UUID(job_id)).order_by(JobRun.attempt)
        )
        return [(run.attempt, run.outcome) for run in found]


async def test_a_dead_job_retried_after_the_upstream_recovers_succeeds_with_its_history_kept(
    plane: Plane,
    upstream: UpstreamServer,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    dead = await plane.dead("flaky")
    job_id, path = dead["id"], path_of(dead)
    assert (dead["attempts"], dead["max_attempts"], dead["upstream_status"]) == (2, 2, 503)
    assert await runs(app_sessions, tenant.tenant_id, job_id) == [
        (1, "retryable"),
        (2, "retryable"),
    ]
    assert upstream.calls(path) == 2

    upstream.respond("*", status=200, body={"ok": True})
    response = await plane.retry(job_id)
    assert response.status_code == 202, response.text
    queued = response.json()
    # A fresh budget of the policy's 2 attempts, numbered after the 2 already made.
    assert (queued["status"], queued["attempts"], queued["max_attempts"]) == ("queued", 2, 4)
    assert queued["finished_at"] is None

    done = await plane.settled(job_id, "succeeded")
    assert (done["attempts"], done["output"], done["upstream_status"]) == (3, {"ok": True}, 200)
    assert await runs(app_sessions, tenant.tenant_id, job_id) == [
        (1, "retryable"),
        (2, "retryable"),
        (3, "succeeded"),
    ]
    await asyncio.sleep(0.3)  # nothing else is on its way
    assert upstream.calls(path) == 3  # exactly one more call
    # Every attempt, before and after the replay, carries the job id as its key: an upstream
    # that deduplicates applies the job's side effect at most once.
    assert {r.headers["idempotency-key"] for r in upstream.requests(path)} == {job_id}
    assert await plane.event_types(job_id, until_type="job.succeeded") == [
        "job.queued",
        "job.running",
        "job.retry_scheduled",
        "job.running",
        "job.dead",
        "job.replayed",
        "job.running",
        "job.succeeded",
    ]

    again = await plane.retry(job_id)
    assert again.status_code == 409
    assert again.headers["content-type"] == PROBLEM
    problem = again.json()
    assert (problem["code"], problem["job_status"]) == ("job-not-retryable", "succeeded")
    missing = await plane.retry(str(uuid.uuid4()))
    assert missing.status_code == 404
    assert missing.headers["content-type"] == PROBLEM


async def test_a_replayed_job_that_fails_again_gets_a_whole_new_budget_then_dies(
    plane: Plane,
    upstream: UpstreamServer,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    dead = await plane.dead("flaky")
    assert (await plane.retry(dead["id"])).status_code == 202
    again = await plane.settled(dead["id"], "dead")
    # Two more attempts (the policy's budget, counted from the replay), not one.
    assert (again["attempts"], again["max_attempts"]) == (4, 4)
    assert [n for n, _ in await runs(app_sessions, tenant.tenant_id, dead["id"])] == [1, 2, 3, 4]
    assert upstream.calls(path_of(dead)) == 4


async def test_only_a_dead_job_of_the_callers_workspace_is_retried(
    plane: Plane,
    stack: Stack,
    http: httpx.AsyncClient,
    other_tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    upstream: UpstreamServer,
) -> None:
    queued = await plane.submit("flaky", delay_ms=600_000)  # stays queued
    cancelled = await plane.submit("flaky", delay_ms=600_000)
    assert (await plane.http.post(f"{plane.url}/{cancelled}/cancel", headers=plane.auth)).is_success
    for job_id, status in ((queued, "queued"), (cancelled, "cancelled")):
        refused = await plane.retry(job_id)
        assert refused.status_code == 409, refused.text
        assert refused.headers["content-type"] == PROBLEM
        assert refused.json()["job_status"] == status

    # Another workspace's dead job is not found, and stays dead.
    config = flaky_config(upstream)
    await add_connector(
        app_sessions, other_tenant.tenant_id, "flaky", config=config, spec=policy(1)
    )
    other = Plane(http, plane.url, await exec_headers(http, stack, other_tenant))
    theirs = await other.dead("flaky")
    assert (await plane.retry(theirs["id"])).status_code == 404
    assert (await plane.retry_many({})).json() == {"retried": 0, "ids": []}
    assert (await other.job(theirs["id"]))["status"] == "dead"


async def test_a_duplicated_retry_request_runs_the_job_once(
    plane: Plane,
    upstream: UpstreamServer,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    dead = await plane.dead("flaky")
    upstream.respond("*", status=200)
    answers = await asyncio.gather(*(plane.retry(dead["id"]) for _ in range(4)))
    assert sorted(a.status_code for a in answers) == [202, 409, 409, 409]
    await plane.settled(dead["id"], "succeeded")
    # Sent again once it is queued, running or done: refused, and nothing runs twice.
    assert (await plane.retry(dead["id"])).status_code == 409
    await asyncio.sleep(0.3)
    assert upstream.calls(path_of(dead)) == 3
    assert [o for _, o in await runs(app_sessions, tenant.tenant_id, dead["id"])] == [
        "retryable",
        "retryable",
        "succeeded",
    ]


async def test_a_filtered_retry_replays_only_the_matching_dead_jobs_oldest_first(
    plane: Plane,
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    other_tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    upstream: UpstreamServer,
) -> None:
    config = flaky_config(upstream)
    await add_connector(app_sessions, tenant.tenant_id, "other", config=config, spec=policy(1))
    await add_connector(
        app_sessions, other_tenant.tenant_id, "flaky", config=config, spec=policy(1)
    )
    other = Plane(http, plane.url, await exec_headers(http, stack, other_tenant))
    # One after the other, so they went dead in this order.
    first = await plane.dead("flaky")
    second = await plane.dead("flaky")
    refresh = await plane.dead("flaky", "refresh")
    latest = await plane.dead("other")
    theirs = await other.dead("flaky")
    queued = await plane.submit("flaky", delay_ms=600_000)
    upstream.respond("*", status=200)

    match = {"connector": "flaky", "operation": "fetch"}
    one = await plane.retry_many({**match, "limit": 1})
    assert one.status_code == 202, one.text
    assert one.json() == {"retried": 1, "ids": [first["id"]]}
    assert (await plane.retry_many(match)).json() == {"retried": 1, "ids": [second["id"]]}
    assert (await plane.retry_many(match)).json() == {"retried": 0, "ids": []}
    since = await plane.retry_many({"dead_since": latest["finished_at"]})
    assert since.json() == {"retried": 1, "ids": [latest["id"]]}
    assert (await plane.retry_many({})).json() == {"retried": 1, "ids": [refresh["id"]]}

    for job in (first, second, refresh, latest):
        done = await plane.settled(job["id"], "succeeded")
        assert upstream.calls(path_of(done)) == job["attempts"] + 1
    assert (await other.job(theirs["id"]))["status"] == "dead"  # not the caller's
    assert (await plane.job(queued))["status"] == "queued"
    assert upstream.calls(path_of(theirs)) == 1

    # The static path is its own route, next to /batch and /{id}.
    assert (await http.get(f"{plane.url}/retry", headers=plane.auth)).status_code == 405
    item = {
        "connector": "flaky",
        "operation": "fetch",
        "payload": {"key": "k"},
        "delay_ms": 600_000,
    }
    batch = {"jobs": [item]}
    assert (
        await http.post(f"{plane.url}/batch", json=batch, headers=plane.auth)
    ).status_code == 202


@pytest.mark.parametrize(
    "body",
    [
        {"limit": 0},
        {"limit": 1001},
        {"dead_since": "2026-11-25T10:00:00"},  # no offset
        {"connector": ""},
        {"status": "failed"},  # not a member
    ],
)
async def test_an_invalid_filter_is_refused(plane: Plane, body: dict[str, Any]) -> None:
    response = await plane.retry_many(body)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PROBLEM


async def test_a_replay_that_would_pass_the_queue_depth_quota_is_refused_whole(
    plane: Plane, tenant: BootstrapResult, app_sessions: async_sessionmaker[AsyncSession]
) -> None:
    dead = [await plane.dead("flaky") for _ in range(2)]
    async with app_sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        session.add(TenantQuotaRow(tenant_id=tenant.tenant_id, queue_depth=2, version=1))
    await plane.submit("flaky", delay_ms=600_000)
    refused = await plane.retry_many({})
    assert refused.status_code == 429, refused.text
    assert (refused.json()["code"], refused.headers["retry-after"]) == ("queue-full", "1")
    for job in dead:
        assert (await plane.job(job["id"]))["status"] == "dead"
    # One fits.
    assert (await plane.retry(dead[0]["id"])).status_code == 202


# --- Callbacks ------------------------------------------------------------------------------


class Receiver:
    """A loopback callback receiver that records what it is sent and answers 200."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], dict[str, Any]]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.received.append((headers, msgspec.json.decode(body)))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def got(self, count: int) -> Callable[[], Awaitable[bool]]:
        """A check for ``until``: ``count`` callbacks arrived."""

        async def check() -> bool:
            return len(self.received) >= count

        return check


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    threading.Thread(target=server.server.serve_forever, daemon=True).start()
    yield server
    server.server.shutdown()
    server.server.server_close()


def callback_delivered(plane: Plane, job_id: str) -> Callable[[], Awaitable[bool]]:
    """A check for ``until``: the job's callback is recorded as delivered."""

    async def check() -> bool:
        return bool((await plane.job(job_id))["callback_state"] == "delivered")

    return check


async def test_a_replayed_job_calls_back_again_as_a_new_message(
    plane: Plane, upstream: UpstreamServer, receiver: Receiver
) -> None:
    job_id = await plane.submit("flaky", callback_url=receiver.url)
    await plane.settled(job_id, "dead")
    assert await until(receiver.got(1), timeout_s=WAIT_S)
    # The worker records the delivery once the receiver has answered: a moment later.
    assert await until(callback_delivered(plane, job_id), timeout_s=WAIT_S)

    upstream.respond("*", status=200)
    queued = (await plane.retry(job_id)).json()
    assert queued["callback_state"] is None  # the new end is due a callback of its own
    await plane.settled(job_id, "succeeded")
    assert await until(receiver.got(2), timeout_s=WAIT_S)
    assert await until(callback_delivered(plane, job_id), timeout_s=WAIT_S)
    [(dead_headers, dead_body), (done_headers, done_body)] = receiver.received
    assert (dead_body["type"], done_body["type"]) == ("job.dead", "job.succeeded")
    assert done_body["data"]["attempts"] == 3
    hex_id = uuid.UUID(job_id).hex
    # Receivers deduplicate on webhook-id: the replay's end must not look like a resend.
    assert dead_headers["webhook-id"] == f"msg_{hex_id}"
    assert done_headers["webhook-id"] == f"msg_{hex_id}_2"
