"""Jobs: the HTTP API on the running stack, and the worker-side state machine (claim, finish)
against a database of its own (tests/support/jobs.py says why)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import datetime as dt
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import msgspec
import pytest
from psycopg.errors import InsufficientPrivilege
from redis.asyncio import Redis
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.callbacks import delivery
from orchestrator.core.callbacks.signing import verify
from orchestrator.core.configuration.models import TenantQuotaRow
from orchestrator.core.connectors.results import AttemptResult
from orchestrator.core.db.tenant import set_tenant, tenant_transaction
from orchestrator.core.db.tenant_reads import reads_connection
from orchestrator.core.events import log as events
from orchestrator.core.events.cursor import START
from orchestrator.core.events.wake import SILENT, Waker
from orchestrator.core.execution.runtime import open_execution
from orchestrator.core.jobs import claiming, finishing, submission
from orchestrator.core.jobs.attempt_writer import AttemptWriter
from orchestrator.core.jobs.claim_queries import ClaimedJob
from orchestrator.core.jobs.lease_keeper import LeaseKeeper
from orchestrator.core.jobs.models import Job, JobRun
from orchestrator.core.jobs.states import JobStatus
from orchestrator.core.models import OutboxMessage
from orchestrator.core.notify import Subscriber
from orchestrator.core.secrets.keyring import KeyRing
from orchestrator.core.settings import UpstreamSettings
from orchestrator.core.tenancy.service import BootstrapResult
from orchestrator.core.upstream.ssrf import NetworkPolicy
from orchestrator.worker.actors.job_context import JobResources
from orchestrator.worker.actors.jobs import Execute, run_job_once, run_jobs_once
from orchestrator.worker.settings import JobsSettings, Settings, WorkerHttp
from tests.support.factories import new_tenant
from tests.support.jobs import IsolatedDb, add_connector, exec_headers
from tests.support.stack import Stack

pytestmark = pytest.mark.integration
pytest_plugins = ["tests.support.jobs_fixtures"]  # the `isolated` database fixtures

JOBS = "/api/v1/jobs"
LATER = {"delay_ms": 600_000}  # stays queued: the stack's worker would run it otherwise


# --- The HTTP API ---------------------------------------------------------------------------


@pytest.fixture
async def api(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> tuple[str, dict[str, str]]:
    """The exec-api's jobs URL and a token of a tenant that has an `echo` connector."""
    await add_connector(app_sessions, tenant.tenant_id, "echo", max_attempts=4)
    return stack.url("exec-api") + JOBS, await exec_headers(http, stack, tenant)


def job_body(**extra: Any) -> dict[str, Any]:
    return {"connector": "echo", "operation": "get", "payload": {"n": 1}, **LATER, **extra}


async def test_a_submitted_job_is_accepted_and_readable(
    http: httpx.AsyncClient, api: tuple[str, dict[str, str]]
) -> None:
    url, auth = api
    response = await http.post(url, json=job_body(payload={"order": 42}), headers=auth)
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert accepted == {"id": accepted["id"], "status": "queued"}
    assert response.headers["location"] == f"{JOBS}/{accepted['id']}"
    job = (await http.get(f"{url}/{accepted['id']}", headers=auth)).json()
    assert job["status"] == "queued"
    assert (job["connector"], job["operation"], job["payload"]) == ("echo", "get", {"order": 42})
    assert (job["attempts"], job["max_attempts"]) == (0, 4)  # the connector policy's budget
    assert dt.datetime.fromisoformat(job["available_at"]) > dt.datetime.now(dt.UTC)


async def test_listing_pages_by_cursor_newest_first_with_a_status_filter(
    http: httpx.AsyncClient, api: tuple[str, dict[str, str]]
) -> None:
    url, auth = api
    ids = [(await http.post(url, json=job_body(), headers=auth)).json()["id"] for _ in range(5)]
    cancelled = ids[1]
    assert (await http.post(f"{url}/{cancelled}/cancel", headers=auth)).status_code == 200
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 2, "status": "queued"}
        if cursor:
            params["cursor"] = cursor
        page = (await http.get(url, params=params, headers=auth)).json()
        seen += [item["id"] for item in page["items"]]
        assert all(item["status"] == "queued" for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [i for i in reversed(ids) if i != cancelled]
    everything = (await http.get(url, params={"limit": 100}, headers=auth)).json()
    assert [item["id"] for item in everything["items"]] == list(reversed(ids))
    bad = await http.get(url, params={"cursor": "garbage!"}, headers=auth)
    assert bad.status_code == 400
    assert bad.headers["content-type"] == "application/problem+json"


async def test_only_a_queued_job_can_be_cancelled(
    http: httpx.AsyncClient, api: tuple[str, dict[str, str]]
) -> None:
    url, auth = api
    job_id = (await http.post(url, json=job_body(), headers=auth)).json()["id"]
    first = await http.post(f"{url}/{job_id}/cancel", headers=auth)
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "cancelled"
    again = await http.post(f"{url}/{job_id}/cancel", headers=auth)
    assert again.status_code == 409
    assert again.json()["code"] == "job-not-cancellable"
    missing = await http.post(f"{url}/{uuid.uuid4()}/cancel", headers=auth)
    assert missing.status_code == 404


async def test_a_tenant_sees_none_of_another_tenants_jobs(
    http: httpx.AsyncClient,
    stack: Stack,
    api: tuple[str, dict[str, str]],
    other_tenant: BootstrapResult,
) -> None:
    url, auth = api
    job_id = (await http.post(url, json=job_body(), headers=auth)).json()["id"]
    other = await exec_headers(http, stack, other_tenant)
    assert (await http.get(f"{url}/{job_id}", headers=other)).status_code == 404
    assert (await http.post(f"{url}/{job_id}/cancel", headers=other)).status_code == 404
    assert (await http.get(url, headers=other)).json()["items"] == []


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"callback_url": "http://169.254.169.254/latest/meta-data"}, "callback_url"),
        ({"callback_url": "ftp://example.com/x"}, "callback_url"),
        ({"payload": {"text": "nul\u0000byte"}}, "payload"),
    ],
)
async def test_invalid_jobs_are_refused_with_the_failing_field(
    http: httpx.AsyncClient, api: tuple[str, dict[str, str]], change: dict[str, Any], key: str
) -> None:
    url, auth = api
    response = await http.post(url, json=job_body(**change), headers=auth)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["key"] for e in response.json()["errors"]] == [key]


async def test_an_unknown_connector_or_operation_is_404_before_anything_is_stored(
    http: httpx.AsyncClient, api: tuple[str, dict[str, str]]
) -> None:
    url, auth = api
    for change in ({"connector": "nope"}, {"operation": "nope"}):
        response = await http.post(url, json=job_body(**change), headers=auth)
        assert response.status_code == 404, response.text
        assert response.json()["type"].endswith("connector-not-found")
    assert (await http.get(url, headers=auth)).json()["items"] == []


async def test_the_queue_depth_quota_refuses_with_429(
    http: httpx.AsyncClient,
    api: tuple[str, dict[str, str]],
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    url, auth = api
    async with app_sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        session.add(TenantQuotaRow(tenant_id=tenant.tenant_id, queue_depth=2, version=1))
    for _ in range(2):
        assert (await http.post(url, json=job_body(), headers=auth)).status_code == 202
    refused = await http.post(url, json=job_body(), headers=auth)
    assert refused.status_code == 429
    assert refused.json()["code"] == "queue-full"
    assert refused.headers["retry-after"] == "1"
    # A cancelled job no longer counts.
    first = (await http.get(url, headers=auth)).json()["items"][0]["id"]
    await http.post(f"{url}/{first}/cancel", headers=auth)
    assert (await http.post(url, json=job_body(), headers=auth)).status_code == 202


async def test_a_batch_is_queued_in_order_or_not_at_all(
    http: httpx.AsyncClient,
    api: tuple[str, dict[str, str]],
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    url, auth = api
    before = await counts(app_sessions, tenant.tenant_id)
    jobs = [job_body(payload={"n": n}) for n in range(3)]
    response = await http.post(f"{url}/batch", json={"jobs": jobs}, headers=auth)
    assert response.status_code == 202, response.text
    accepted = response.json()["jobs"]
    assert [item["status"] for item in accepted] == ["queued"] * 3
    payloads = [
        (await http.get(f"{url}/{item['id']}", headers=auth)).json()["payload"] for item in accepted
    ]
    assert payloads == [{"n": 0}, {"n": 1}, {"n": 2}]
    after = await counts(app_sessions, tenant.tenant_id)
    assert [a - b for a, b in zip(after, before, strict=True)] == [3, 3, 3]  # jobs, outbox, events

    # One refused job refuses the batch, naming it; nothing of the batch is stored.
    jobs[1] = job_body(callback_url="http://169.254.169.254/latest")
    refused = await http.post(f"{url}/batch", json={"jobs": jobs}, headers=auth)
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert [e["key"] for e in refused.json()["errors"]] == ["jobs[1].callback_url"]
    assert refused.json()["detail"].startswith("jobs[1]: ")
    assert await counts(app_sessions, tenant.tenant_id) == after

    empty = await http.post(f"{url}/batch", json={"jobs": []}, headers=auth)
    too_many = await http.post(f"{url}/batch", json={"jobs": [job_body()] * 501}, headers=auth)
    assert (empty.status_code, too_many.status_code) == (400, 400)
    assert await counts(app_sessions, tenant.tenant_id) == after


async def test_a_batch_that_would_pass_the_queue_depth_is_refused_whole(
    http: httpx.AsyncClient,
    api: tuple[str, dict[str, str]],
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    url, auth = api
    async with app_sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        session.add(TenantQuotaRow(tenant_id=tenant.tenant_id, queue_depth=4, version=1))
    assert (await http.post(url, json=job_body(), headers=auth)).status_code == 202
    batch = {"jobs": [job_body()] * 4}
    refused = await http.post(f"{url}/batch", json=batch, headers=auth)
    assert (refused.status_code, refused.json()["code"]) == (429, "queue-full")
    assert (await counts(app_sessions, tenant.tenant_id))[0] == 1
    batch = {"jobs": [job_body()] * 3}
    assert (await http.post(f"{url}/batch", json=batch, headers=auth)).status_code == 202


async def test_concurrent_single_submissions_all_commit_and_each_gets_its_own_job(
    http: httpx.AsyncClient,
    api: tuple[str, dict[str, str]],
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    url, auth = api
    before = await counts(app_sessions, tenant.tenant_id)
    answers = await asyncio.gather(
        *(http.post(url, json=job_body(payload={"n": n}), headers=auth) for n in range(40))
    )
    assert {a.status_code for a in answers} == {202}
    ids = [a.json()["id"] for a in answers]
    assert len(set(ids)) == 40
    after = await counts(app_sessions, tenant.tenant_id)
    assert [a - b for a, b in zip(after, before, strict=True)] == [40, 40, 40]
    # Each answer names the job made from its own request, grouped commit or not.
    for n in (0, 17, 39):
        job = (await http.get(f"{url}/{ids[n]}", headers=auth)).json()
        assert job["payload"] == {"n": n}


# --- Submission is one transaction --------------------------------------------------------


async def counts(
    sessions: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID
) -> tuple[int, ...]:
    async with sessions() as session, session.begin():
        await set_tenant(session, tenant_id)
        jobs = await session.scalar(select(func.count()).select_from(Job))
        events_ = await session.scalar(text("SELECT count(*) FROM event_log"))
        boxed = await session.scalar(
            select(func.count()).where(OutboxMessage.workspace_id == tenant_id)
        )
    return int(jobs or 0), int(boxed or 0), int(events_ or 0)


async def test_job_outbox_row_and_event_are_written_together_or_not_at_all(
    isolated: IsolatedDb,
) -> None:
    tenant = await new_tenant(isolated.app, isolated.kek)
    await add_connector(isolated.app, tenant.tenant_id)
    new = submission.NewJob(connector="echo", operation="get", payload={})
    role = isolated.settings.db.app_role

    async def privilege(statement: str) -> None:
        async with isolated.owner() as session, session.begin():
            await session.execute(text(statement.format(role=role)))

    # The last of the three writes fails: the first two must not survive it.
    await privilege('REVOKE INSERT ON event_log FROM "{role}"')
    try:
        # The statement runs on the session's psycopg connection: psycopg's own error.
        with pytest.raises(InsufficientPrivilege, match="permission denied for table event_log"):
            async with tenant_transaction(isolated.app, tenant.tenant_id) as session:
                await submission.submit(
                    session, SILENT, tenant.tenant_id, new, network=NetworkPolicy()
                )
    finally:
        await privilege('GRANT INSERT ON event_log TO "{role}"')
    assert await counts(isolated.app, tenant.tenant_id) == (0, 0, 0)

    # A failure after the writes, before the commit (e.g. storing the idempotent response).
    async def submit_then_fail() -> None:
        async with tenant_transaction(isolated.app, tenant.tenant_id) as session:
            await submission.submit(session, SILENT, tenant.tenant_id, new, network=NetworkPolicy())
            raise RuntimeError("the request failed before its commit")

    with pytest.raises(RuntimeError):
        await submit_then_fail()
    assert await counts(isolated.app, tenant.tenant_id) == (0, 0, 0)
    async with tenant_transaction(isolated.app, tenant.tenant_id) as session:
        await submission.submit(session, SILENT, tenant.tenant_id, new, network=NetworkPolicy())
    assert await counts(isolated.app, tenant.tenant_id) == (1, 1, 1)


# --- The worker side: claim and finish as compare-and-set --------------------------------


@pytest.fixture
async def worker_side(isolated: IsolatedDb) -> AsyncIterator[JobResources]:
    """Job resources as the worker builds them, on the isolated database."""
    redis = Redis.from_url(isolated.settings.redis.require_url())
    settings = Settings(core=isolated.settings, worker=WorkerHttp(), jobs=JobsSettings(lease_s=30))
    core = msgspec.structs.replace(
        isolated.settings, upstream=UpstreamSettings(allow_loopback=True)
    )
    execution = open_execution(core, isolated.app, redis)
    waker = Waker(redis, f"test-{uuid.uuid4().hex[:8]}")
    resources = JobResources(
        settings=settings,
        sessions=isolated.app,
        redis=redis,
        waker=waker,
        upstream=execution.client,
        keys=KeyRing(isolated.kek),
        execution=execution,
        notices=Subscriber(redis, {}),  # not started: no configuration changes here
        attempts=AttemptWriter(reads_connection(isolated.settings.db), waker, lease_s=30),
        leases=LeaseKeeper(_no_renewal, lease_s=30),  # not started: 30 s outlasts every test
    )
    yield resources
    await resources.close()


async def _no_renewal(_: uuid.UUID, __: Sequence[tuple[uuid.UUID, int]]) -> set[uuid.UUID]:
    raise AssertionError("the keeper of worker_side is not started")


@contextlib.asynccontextmanager
async def with_lease(resources: JobResources, lease_s: float) -> AsyncIterator[JobResources]:
    """``resources`` whose claims hold jobs for ``lease_s``, renewed by a started keeper."""
    attempts = AttemptWriter(
        reads_connection(resources.settings.core.db), resources.waker, lease_s=lease_s
    )
    leases = LeaseKeeper(attempts.renew, lease_s=lease_s)
    leases.start()
    try:
        yield dataclasses.replace(resources, attempts=attempts, leases=leases)
    finally:
        await leases.stop()
        await attempts.close()


async def queued_job(
    isolated: IsolatedDb, *, max_attempts: int = 3, callback_url: str | None = None
) -> tuple[uuid.UUID, uuid.UUID]:
    """A new tenant's queued job, due now: (tenant id, job id)."""
    tenant = await new_tenant(isolated.app, isolated.kek)
    await add_connector(isolated.app, tenant.tenant_id, max_attempts=max_attempts)
    async with tenant_transaction(isolated.app, tenant.tenant_id) as session:
        job = await submission.submit(
            session,
            SILENT,
            tenant.tenant_id,
            submission.NewJob("echo", "get", {}, callback_url=callback_url),
            network=NetworkPolicy(allow_loopback=True),
        )
    return tenant.tenant_id, job.id


async def claim(
    isolated: IsolatedDb, tenant_id: uuid.UUID, job_id: uuid.UUID, lease_s: float = 30
) -> ClaimedJob | None:
    async with tenant_transaction(isolated.app, tenant_id) as session:
        return await claiming.claim(session, SILENT, tenant_id, job_id, lease_s=lease_s)


async def finish(
    isolated: IsolatedDb, job: ClaimedJob, result: AttemptResult, delay: float | None
) -> JobStatus | None:
    async with tenant_transaction(isolated.app, job.tenant_id) as session:
        done = await finishing.finish(session, SILENT, job, result, delay)
    return None if done is None else done.status


def succeeding(ran: list[ClaimedJob]) -> Execute:
    """An attempt that succeeds at once, recording each job it ran in ``ran``."""

    async def execute(_: JobResources, job: ClaimedJob) -> tuple[AttemptResult, float | None]:
        ran.append(job)
        return OK, None

    return execute


async def job_row(isolated: IsolatedDb, tenant_id: uuid.UUID, job_id: uuid.UUID) -> Job:
    async with tenant_transaction(isolated.app, tenant_id) as session:
        job = await session.get(Job, job_id)
        assert job is not None
        return job


async def runs(isolated: IsolatedDb, tenant_id: uuid.UUID, job_id: uuid.UUID) -> list[JobRun]:
    async with tenant_transaction(isolated.app, tenant_id) as session:
        found = await session.scalars(
            select(JobRun).where(JobRun.job_id == job_id).order_by(JobRun.attempt)
        )
        return list(found.all())


async def event_types(isolated: IsolatedDb, tenant_id: uuid.UUID) -> list[str]:
    """The tenant's event types, once every event committed so far is final.

    Events show only below the oldest running transaction of the whole cluster, so one
    committed a moment ago waits for whatever else (another test's services) is running.
    """
    deadline = time.monotonic() + 10
    while True:
        async with tenant_transaction(isolated.app, tenant_id) as session:
            page = await events.read_after(session, tenant_id, START, limit=100)
        if not page.pending or time.monotonic() > deadline:
            return [e.type for e in page.events]
        await asyncio.sleep(0.02)


async def unpublished(isolated: IsolatedDb, tenant_id: uuid.UUID, kind: str) -> list[OutboxMessage]:
    async with isolated.owner() as session:
        rows = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.workspace_id == tenant_id, OutboxMessage.kind == kind)
            .order_by(OutboxMessage.id)
        )
        return list(rows.all())


OK = AttemptResult(outcome="succeeded", upstream_status=200, output={"ok": True}, duration_ms=3.0)
BUSY = AttemptResult(outcome="retryable", upstream_status=503, error="upstream answered 503")


async def test_two_claimers_race_and_exactly_one_wins(isolated: IsolatedDb) -> None:
    tenant_id, job_id = await queued_job(isolated)
    results = await asyncio.gather(*(claim(isolated, tenant_id, job_id) for _ in range(5)))
    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    assert winners[0].attempt == 1
    assert [r.attempt for r in await runs(isolated, tenant_id, job_id)] == [1]


async def test_a_success_finishes_the_job_and_a_second_finish_changes_nothing(
    isolated: IsolatedDb,
) -> None:
    tenant_id, job_id = await queued_job(isolated)
    job = await claim(isolated, tenant_id, job_id)
    assert job is not None
    assert await finish(isolated, job, OK, None) is JobStatus.SUCCEEDED
    assert await finish(isolated, job, BUSY, 1.0) is None  # CAS: the attempt is over
    row = await job_row(isolated, tenant_id, job_id)
    assert (row.status, row.output, row.upstream_status, row.lease_until) == (
        JobStatus.SUCCEEDED,
        {"ok": True},
        200,
        None,
    )
    [run] = await runs(isolated, tenant_id, job_id)
    assert (run.outcome, run.upstream_status, run.duration_ms) == ("succeeded", 200, 3.0)
    assert await event_types(isolated, tenant_id) == ["job.queued", "job.running", "job.succeeded"]
    assert await claim(isolated, tenant_id, job_id) is None  # finished: never claimed again


async def test_retries_requeue_with_a_delay_then_the_last_attempt_goes_dead(
    isolated: IsolatedDb,
) -> None:
    tenant_id, job_id = await queued_job(isolated, max_attempts=3)
    for attempt in (1, 2):
        job = await claim(isolated, tenant_id, job_id)
        assert job is not None
        assert job.attempt == attempt
        assert await finish(isolated, job, BUSY, 0.0 if attempt == 1 else 30.0) is JobStatus.QUEUED
        row = await job_row(isolated, tenant_id, job_id)
        assert (row.status, row.last_error) == (JobStatus.QUEUED, "upstream answered 503")
        if attempt == 2:
            # Not due for 30 s: a stale message cannot run it early.
            assert await claim(isolated, tenant_id, job_id) is None
            assert row.available_at > dt.datetime.now(dt.UTC) + dt.timedelta(seconds=25)
            async with isolated.owner() as session, session.begin():
                await session.execute(
                    text("UPDATE jobs SET available_at = now() WHERE id = :id"), {"id": job_id}
                )
    retries = await unpublished(isolated, tenant_id, "run_job")
    assert len(retries) == 3  # the submission's, then one per retry
    assert retries[2].available_at > retries[1].available_at + dt.timedelta(seconds=25)
    job = await claim(isolated, tenant_id, job_id)
    assert job is not None
    assert job.attempt == 3
    assert await finish(isolated, job, BUSY, 1.0) is JobStatus.DEAD
    assert [r.outcome for r in await runs(isolated, tenant_id, job_id)] == ["retryable"] * 3
    assert await event_types(isolated, tenant_id) == [
        "job.queued",
        *["job.running", "job.retry_scheduled"] * 2,
        "job.running",
        "job.dead",
    ]
    assert await claim(isolated, tenant_id, job_id) is None


async def test_a_non_retryable_failure_fails_at_once(isolated: IsolatedDb) -> None:
    tenant_id, job_id = await queued_job(isolated, max_attempts=5)
    job = await claim(isolated, tenant_id, job_id)
    assert job is not None
    failed = AttemptResult(outcome="failed", upstream_status=400, error="bad request")
    assert await finish(isolated, job, failed, 1.0) is JobStatus.FAILED


async def test_a_lost_workers_job_is_taken_over_when_its_lease_expires(
    isolated: IsolatedDb,
) -> None:
    tenant_id, job_id = await queued_job(isolated, max_attempts=2)
    first = await claim(isolated, tenant_id, job_id, lease_s=0.3)
    assert first is not None
    # Held by a live lease: a duplicate message does nothing now, but looks again later.
    assert await claim(isolated, tenant_id, job_id) is None
    [recheck] = (await unpublished(isolated, tenant_id, "run_job"))[1:]
    assert recheck.available_at >= first.lease_until
    await asyncio.sleep(0.4)
    second = await claim(isolated, tenant_id, job_id)
    assert second is not None
    assert (second.attempt, second.reclaimed) == (2, True)
    assert await finish(isolated, first, OK, None) is None  # the lost worker came back: too late
    assert [(r.attempt, r.outcome) for r in await runs(isolated, tenant_id, job_id)] == [
        (1, "lost"),
        (2, None),
    ]
    # The last attempt's worker is lost too: the job is dead, with both attempts kept.
    async with isolated.owner() as session, session.begin():
        await session.execute(
            text("UPDATE jobs SET lease_until = now() - interval '1 s' WHERE id = :id"),
            {"id": job_id},
        )
    assert await claim(isolated, tenant_id, job_id) is None
    row = await job_row(isolated, tenant_id, job_id)
    assert row.status is JobStatus.DEAD
    assert [r.outcome for r in await runs(isolated, tenant_id, job_id)] == ["lost", "lost"]


async def test_a_lease_that_ends_between_the_claim_and_the_look_leaves_a_message_due_now(
    isolated: IsolatedDb,
) -> None:
    # A redelivered message's claim ran just before the lease ended (held: not taken), and
    # its look at the job just after: the job must still be dispatched again, at once.
    tenant_id, job_id = await queued_job(isolated)
    first = await claim(isolated, tenant_id, job_id, lease_s=0.2)
    assert first is not None
    await asyncio.sleep(0.2 + claiming.RECHECK_MARGIN.total_seconds() + 0.1)
    async with tenant_transaction(isolated.app, tenant_id) as session:
        await claiming.settle_unclaimed(session, SILENT, tenant_id, [job_id])
    [again] = (await unpublished(isolated, tenant_id, "run_job"))[1:]
    async with isolated.owner() as session:
        now = await session.scalar(select(func.now()))
    assert now is not None
    assert now > again.available_at
    second = await claim(isolated, tenant_id, job_id)
    assert second is not None
    assert (second.attempt, second.reclaimed) == (2, True)


async def test_a_running_attempt_keeps_its_job_for_longer_than_a_lease(
    isolated: IsolatedDb, worker_side: JobResources
) -> None:
    tenant_id, job_id = await queued_job(isolated)
    taken_over: list[ClaimedJob | None] = []

    async def slow(_: JobResources, job: ClaimedJob) -> tuple[AttemptResult, float | None]:
        # Five leases long: only renewal keeps the job from another worker meanwhile.
        for _look in range(6):
            await asyncio.sleep(0.5)
            taken_over.append(await claim(isolated, tenant_id, job_id))
        return OK, None

    async with with_lease(worker_side, lease_s=0.6) as resources:
        assert await run_job_once(resources, tenant_id, job_id, slow) == "succeeded"
    assert taken_over == [None] * 6
    assert [(r.attempt, r.outcome) for r in await runs(isolated, tenant_id, job_id)] == [
        (1, "succeeded")
    ]


async def test_an_attempt_whose_job_another_worker_took_is_cancelled(
    isolated: IsolatedDb, worker_side: JobResources
) -> None:
    tenant_id, job_id = await queued_job(isolated)
    stopped_by: list[str] = []

    async def stalled(resources: JobResources, _: ClaimedJob) -> tuple[AttemptResult, float | None]:
        # This worker stalls past its lease (renewal paused, as for a frozen process), the
        # job is taken over, and the stalled attempt must not go on beside the new one.
        await resources.leases.stop()
        await asyncio.sleep(0.8)
        assert await claim(isolated, tenant_id, job_id) is not None
        resources.leases.start()
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            stopped_by.append("fence")
            raise
        return OK, None

    async with with_lease(worker_side, lease_s=0.6) as resources:
        assert await run_job_once(resources, tenant_id, job_id, stalled) == "lost"
    assert stopped_by == ["fence"]
    assert [(r.attempt, r.outcome) for r in await runs(isolated, tenant_id, job_id)] == [
        (1, "lost"),
        (2, None),
    ]


async def test_a_redelivered_run_job_for_a_finished_job_does_nothing(
    isolated: IsolatedDb, worker_side: JobResources
) -> None:
    tenant_id, job_id = await queued_job(isolated)
    ran: list[ClaimedJob] = []
    execute = succeeding(ran)

    assert await run_job_once(worker_side, tenant_id, job_id, execute) == "succeeded"
    for _ in range(3):
        assert await run_job_once(worker_side, tenant_id, job_id, execute) == "skipped"
    assert [job.attempt for job in ran] == [1]
    assert await event_types(isolated, tenant_id) == ["job.queued", "job.running", "job.succeeded"]


async def test_a_batch_message_runs_what_is_runnable_once_and_skips_the_rest(
    isolated: IsolatedDb, worker_side: JobResources
) -> None:
    tenant_id, done_id = await queued_job(isolated)
    async with tenant_transaction(isolated.app, tenant_id) as session:
        more = await submission.submit_many(
            session,
            SILENT,
            tenant_id,
            [submission.NewJob("echo", "get", {"n": n}) for n in range(3)],
            plans=[None] * 3,
        )
    fresh = [job.id for job in more]
    calls: list[uuid.UUID] = []

    async def execute(_: JobResources, job: ClaimedJob) -> tuple[AttemptResult, float | None]:
        calls.append(job.id)
        await asyncio.sleep(0.05 * len(calls))  # they end apart: several finishing groups
        return OK, None

    assert await run_job_once(worker_side, tenant_id, done_id, execute) == "succeeded"
    unknown = uuid.uuid4()
    outcomes = await run_jobs_once(worker_side, tenant_id, [done_id, *fresh, unknown], execute)
    assert outcomes == {done_id: "skipped", **dict.fromkeys(fresh, "succeeded"), unknown: "skipped"}
    assert sorted(calls[1:]) == sorted(fresh)
    for job_id in fresh:
        assert (await job_row(isolated, tenant_id, job_id)).status is JobStatus.SUCCEEDED
        assert [r.outcome for r in await runs(isolated, tenant_id, job_id)] == ["succeeded"]
    # Delivered again (the broker is at least once): nothing runs twice.
    assert set((await run_jobs_once(worker_side, tenant_id, fresh, execute)).values()) == {
        "skipped"
    }
    assert len(calls) == 4


async def test_duplicate_messages_arriving_together_run_the_job_once(
    isolated: IsolatedDb, worker_side: JobResources
) -> None:
    # The claims of concurrent actors share a statement: a job two of them ask for at
    # once goes to one of them, and the others find it held.
    tenant_id, job_id = await queued_job(isolated)
    ran: list[ClaimedJob] = []
    execute = succeeding(ran)

    outcomes = await asyncio.gather(
        *(run_job_once(worker_side, tenant_id, job_id, execute) for _ in range(5))
    )
    assert sorted(outcomes) == ["skipped"] * 4 + ["succeeded"]
    assert [job.attempt for job in ran] == [1]
    assert [r.outcome for r in await runs(isolated, tenant_id, job_id)] == ["succeeded"]


async def test_claims_and_finishes_of_several_workspaces_together_stay_in_their_workspace(
    isolated: IsolatedDb, worker_side: JobResources
) -> None:
    # Each workspace's share of a group is its own statement under its own tenant
    # setting: were a statement scoped to another workspace, RLS would hide its jobs.
    queued = [await queued_job(isolated) for _ in range(3)]
    ran: list[ClaimedJob] = []
    execute = succeeding(ran)

    outcomes = await asyncio.gather(
        *(run_job_once(worker_side, tenant_id, job_id, execute) for tenant_id, job_id in queued)
    )
    assert outcomes == ["succeeded"] * 3
    assert sorted(job.tenant_id for job in ran) == sorted(tenant_id for tenant_id, _ in queued)
    for tenant_id, job_id in queued:
        assert (await job_row(isolated, tenant_id, job_id)).status is JobStatus.SUCCEEDED
        assert await event_types(isolated, tenant_id) == [
            "job.queued",
            "job.running",
            "job.succeeded",
        ]


async def test_an_executor_crash_is_recorded_as_a_failed_attempt(
    isolated: IsolatedDb, worker_side: JobResources
) -> None:
    tenant_id, job_id = await queued_job(isolated)

    async def execute(_: JobResources, __: ClaimedJob) -> tuple[AttemptResult, float | None]:
        raise KeyError("bug")

    assert await run_job_once(worker_side, tenant_id, job_id, execute) == "dead"
    [run] = await runs(isolated, tenant_id, job_id)
    assert run.error == "internal error during the attempt: KeyError"


# --- Callbacks ----------------------------------------------------------------------------


class CallbackReceiver:
    """A local HTTP receiver answering a scripted series of statuses."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


@pytest.fixture
def receiver() -> Iterator[CallbackReceiver]:
    server = CallbackReceiver([503])
    threading.Thread(target=server.server.serve_forever, daemon=True).start()
    yield server
    server.server.shutdown()
    server.server.server_close()


async def workspace_signing_secret(isolated: IsolatedDb, tenant_id: uuid.UUID) -> str:
    async with tenant_transaction(isolated.app, tenant_id) as session:
        [newest, *_] = await delivery.signing_keys(session, KeyRing(isolated.kek))
        return newest


async def test_a_finished_job_calls_back_signed_and_retries_until_delivered(
    isolated: IsolatedDb, worker_side: JobResources, receiver: CallbackReceiver
) -> None:
    tenant_id, job_id = await queued_job(isolated, callback_url=receiver.url)
    job = await claim(isolated, tenant_id, job_id)
    assert job is not None
    assert await finish(isolated, job, OK, None) is JobStatus.SUCCEEDED
    [boxed] = await unpublished(isolated, tenant_id, "deliver_callback")  # same transaction
    assert boxed.payload == {"tenant_id": str(tenant_id), "job_id": str(job_id)}

    async def attempt(number: int) -> delivery.Delivery:
        sender = delivery.Sender(
            worker_side.sessions, SILENT, KeyRing(isolated.kek), worker_side.upstream
        )
        return await delivery.deliver(sender, tenant_id, job_id, number)

    first = await attempt(1)
    assert (first.outcome, first.status) == ("retry", 503)
    assert first.delay_s is not None
    assert 0 <= first.delay_s <= 2.0
    assert (await attempt(1)).outcome == "skipped"  # a redelivered message posts nothing
    second = await attempt(2)
    assert (second.outcome, second.status) == ("delivered", 200)
    assert (await attempt(3)).outcome == "skipped"
    assert len(receiver.received) == 2
    secret = await workspace_signing_secret(isolated, tenant_id)
    for headers, body in receiver.received:
        assert verify(secret, headers, body, now=time.time())
        assert headers["webhook-id"] == f"msg_{job_id.hex}"  # the same id on every retry
        sent = json.loads(body)
        assert (sent["type"], sent["data"]["id"], sent["data"]["output"]) == (
            "job.succeeded",
            str(job_id),
            {"ok": True},
        )
    retry = (await unpublished(isolated, tenant_id, "deliver_callback"))[-1]
    assert retry.payload["attempt"] == 2
    assert (await job_row(isolated, tenant_id, job_id)).callback_state == "delivered"
    assert (await event_types(isolated, tenant_id))[-2:] == [
        "callback.failed",
        "callback.delivered",
    ]


@pytest.mark.parametrize(
    "callback_url",
    [
        "http://169.254.169.254/latest",
        "http://１６９.２５４.１６９.２５４/latest",  # noqa: RUF001
        "http://169。254。169。254/latest",
        "http://[169.254.169.254]/latest",
        "http://a\u2028b.example/hook",
    ],
)
async def test_a_callback_to_a_refused_address_fails_at_once_without_a_retry(
    isolated: IsolatedDb, worker_side: JobResources, receiver: CallbackReceiver, callback_url: str
) -> None:
    # Stored before the configuration-time check knew these forms (or by an older version).
    tenant_id, job_id = await queued_job(isolated, callback_url=receiver.url)
    async with tenant_transaction(isolated.app, tenant_id) as session:
        await session.execute(
            text("UPDATE jobs SET callback_url = :url WHERE id = :id"),
            {"url": callback_url, "id": job_id},
        )
    job = await claim(isolated, tenant_id, job_id)
    assert job is not None
    assert await finish(isolated, job, OK, None) is JobStatus.SUCCEEDED

    sender = delivery.Sender(
        worker_side.sessions, SILENT, KeyRing(isolated.kek), worker_side.upstream
    )
    done = await delivery.deliver(sender, tenant_id, job_id)

    assert (done.outcome, done.status, done.delay_s) == ("failed", None, None)
    row = await job_row(isolated, tenant_id, job_id)
    assert (row.callback_state, row.callback_attempts) == ("failed", 1)
    assert len(await unpublished(isolated, tenant_id, "deliver_callback")) == 1  # no retry
    types = await event_types(isolated, tenant_id)
    assert [t for t in types if t.startswith("callback.")] == ["callback.failed"]
    assert receiver.received == []


async def test_new_workspaces_get_a_standard_webhooks_signing_secret(isolated: IsolatedDb) -> None:
    tenant = await new_tenant(isolated.app, isolated.kek)
    secret = await workspace_signing_secret(isolated, tenant.tenant_id)
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32
