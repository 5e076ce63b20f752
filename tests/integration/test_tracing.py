"""One trace per request, from the caller through the exec-api, the broker and the worker to
the upstream, exported over OTLP/HTTP to a real receiver on loopback.

Most tests run a plane of their own on an isolated database and Redis namespace: an
exec-api and a worker with ``ORCH_TRACING_EXPORTER=otlp``, and an exec-api with tracing
off (the default), which must still hand the caller's ``traceparent`` on. The webhook
test uses the session's stack (tracing off).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.jobs.models import Job
from orchestrator.core.tenancy.service import BootstrapResult
from orchestrator.core.webhooks.models import WebhookInboxEntry
from tests.support.control_api import operator_api
from tests.support.factories import new_tenant
from tests.support.jobs import IsolatedDb, add_connector, exec_token
from tests.support.otlp import OtlpReceiver, ReceivedSpan, otlp_receiver
from tests.support.stack import Service, Stack, start_service, wait_ready
from tests.support.upstream import UpstreamServer
from tests.support.webhooks import bind, stripe_event, stripe_headers, stripe_source

pytestmark = pytest.mark.integration
pytest_plugins = ["tests.support.jobs_fixtures"]  # the `isolated` database fixtures

CALLER_SPAN = "b7ad6b7169203331"


def caller_traceparent() -> tuple[str, str]:
    """A fresh trace id, and the caller's sampled ``traceparent`` in it."""
    trace_id = uuid.uuid4().hex
    return trace_id, f"00-{trace_id}-{CALLER_SPAN}-01"


@dataclass
class Plane:
    """This module's services and what the tests need to call them."""

    traced: Service
    untraced: Service
    token: str
    connector: str
    tenant_id: uuid.UUID

    def headers(self, traceparent: str) -> dict[str, str]:
        """A plain request's headers, carrying the caller's trace."""
        return {"Authorization": f"Bearer {self.token}", "traceparent": traceparent}


@pytest.fixture(scope="module")
def receiver() -> Iterator[OtlpReceiver]:
    """The OTLP/HTTP receiver the traced services export to."""
    with otlp_receiver() as running:
        yield running


@pytest.fixture(scope="module")
async def plane(
    isolated: IsolatedDb,
    isolated_url: str,
    service_env: dict[str, str],
    receiver: OtlpReceiver,
    upstream_server: UpstreamServer,
) -> AsyncIterator[Plane]:
    """A traced exec-api and worker, and an untraced exec-api, on the isolated database."""
    tenant = await new_tenant(isolated.app, isolated.kek)
    token = await exec_token(isolated, tenant.tenant_id)
    connector = await add_connector(
        isolated.app,
        tenant.tenant_id,
        "traced",
        config={
            "base_url": f"{upstream_server.url}/traced",
            "operations": {"get": {"method": "GET"}},
        },
    )
    env = {
        **service_env,
        "DATABASE_URL": isolated_url,
        "ORCH_REDIS_NAMESPACE": f"tracing-{uuid.uuid4().hex[:8]}",
        "ORCH_LOG_LEVEL": "WARNING",
    }
    traced_env = {
        **env,
        "ORCH_TRACING_EXPORTER": "otlp",
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url,
        "OTEL_BSP_SCHEDULE_DELAY": "100",
    }
    services = [
        start_service("exec-api-traced", "orchestrator.exec_api", traced_env),
        start_service("worker-traced", "orchestrator.worker", traced_env),
        start_service("exec-api-untraced", "orchestrator.exec_api", env),
    ]
    try:
        await asyncio.gather(*(asyncio.to_thread(wait_ready, service) for service in services))
        yield Plane(services[0], services[2], token, connector, tenant.tenant_id)
    finally:
        for service in services:
            service.stop()


def ours(spans: list[ReceivedSpan]) -> list[ReceivedSpan]:
    """The spans of our own code: not a PostgreSQL statement's or a Redis command's."""
    return [s for s in spans if "db.system" not in s.attributes]


def one(spans: list[ReceivedSpan], kind: str, service: str) -> ReceivedSpan:
    """The one span of ``kind`` of our own code exported by ``service``."""
    found = [s for s in ours(spans) if s.kind == kind and s.service == service]
    assert len(found) == 1, spans
    return found[0]


def statements(spans: list[ReceivedSpan], service: str, system: str) -> list[ReceivedSpan]:
    """The ``system`` (``postgresql``, ``redis``) spans ``service`` exported."""
    return [s for s in spans if s.service == service and s.attributes.get("db.system") == system]


def seen_traceparent(upstream: UpstreamServer) -> str:
    """The ``traceparent`` the upstream's last call carried."""
    return upstream.last_request().headers.get("traceparent", "")


async def test_execute_continues_the_callers_trace_to_the_upstream(
    plane: Plane, receiver: OtlpReceiver, upstream: UpstreamServer, http: httpx.AsyncClient
) -> None:
    trace_id, traceparent = caller_traceparent()
    response = await http.post(
        f"{plane.traced.url}/api/v1/execute",
        json={"connector": plane.connector, "operation": "get", "payload": {}},
        headers=plane.headers(traceparent),
    )
    assert response.status_code == 200, response.text

    sent = seen_traceparent(upstream)
    assert sent.startswith(f"00-{trace_id}-"), sent
    spans = await asyncio.to_thread(
        receiver.wait_for, lambda s: {"SERVER", "CLIENT"} <= {x.kind for x in ours(s)}, trace_id
    )
    server = one(spans, "SERVER", "exec-api")
    client = one(spans, "CLIENT", "exec-api")
    assert server.parent_span_id == CALLER_SPAN
    assert server.name == "POST /api/v1/execute"
    assert server.attributes["http.route"] == "/api/v1/execute"
    assert server.attributes["http.request.method"] == "POST"
    assert server.attributes["http.response.status_code"] == 200
    assert client.parent_span_id == server.span_id
    # The upstream's parent is our CLIENT span: the call is a child of the request.
    assert sent == f"00-{trace_id}-{client.span_id}-01"
    assert client.attributes["http.response.status_code"] == 200


async def test_a_job_attempt_joins_the_trace_of_the_request_that_queued_it(
    plane: Plane,
    isolated: IsolatedDb,
    receiver: OtlpReceiver,
    upstream: UpstreamServer,
    http: httpx.AsyncClient,
) -> None:
    trace_id, traceparent = caller_traceparent()
    response = await http.post(
        f"{plane.traced.url}/api/v1/jobs",
        json={"connector": plane.connector, "operation": "get", "payload": {}},
        headers=plane.headers(traceparent),
    )
    assert response.status_code == 202, response.text
    await upstream.until_calls(1, wait_s=15)

    spans = await asyncio.to_thread(
        receiver.wait_for,
        lambda s: {"SERVER", "CONSUMER", "CLIENT"} <= {x.kind for x in ours(s)},
        trace_id,
        15.0,
    )
    server = one(spans, "SERVER", "exec-api")
    attempt = one(spans, "CONSUMER", "worker")
    client = one(spans, "CLIENT", "worker")
    assert server.name == "POST /api/v1/jobs"
    assert attempt.name == "job.attempt"
    assert attempt.parent_span_id == server.span_id
    assert attempt.attributes["job.id"] == response.json()["id"]
    assert client.parent_span_id == attempt.span_id
    assert seen_traceparent(upstream) == f"00-{trace_id}-{client.span_id}-01"

    async with tenant_transaction(isolated.app, plane.tenant_id) as session:
        stored = await session.scalar(
            select(Job.traceparent).where(Job.id == uuid.UUID(response.json()["id"]))
        )
    assert stored == f"00-{trace_id}-{server.span_id}-01"


async def test_a_jobs_callback_is_a_span_of_the_same_trace_and_carries_it(
    plane: Plane, receiver: OtlpReceiver, upstream: UpstreamServer, http: httpx.AsyncClient
) -> None:
    trace_id, traceparent = caller_traceparent()
    hook = f"/hooks/{uuid.uuid4().hex}"
    response = await http.post(
        f"{plane.traced.url}/api/v1/jobs",
        json={
            "connector": plane.connector,
            "operation": "get",
            "payload": {},
            "callback_url": f"{upstream.url}{hook}",
        },
        headers=plane.headers(traceparent),
    )
    assert response.status_code == 202, response.text
    assert await upstream.until_calls(1, hook, wait_s=15) == 1

    spans = await asyncio.to_thread(
        receiver.wait_for,
        lambda s: (
            any(x.name == "callback.deliver" for x in s)
            and sum(x.kind == "CLIENT" for x in ours(s)) >= 2
            # Each process exports on its own schedule: the request's span may come last.
            and any(x.kind == "SERVER" and x.service == "exec-api" for x in s)
        ),
        trace_id,
        15.0,
    )
    [deliver] = [s for s in spans if s.name == "callback.deliver"]
    [post] = [s for s in ours(spans) if s.kind == "CLIENT" and s.parent_span_id == deliver.span_id]
    server = one(spans, "SERVER", "exec-api")
    assert deliver.parent_span_id == server.span_id  # the job's stored traceparent
    [callback] = upstream.requests(hook)
    assert callback.headers.get("traceparent") == f"00-{trace_id}-{post.span_id}-01"
    assert callback.headers.get("webhook-signature", "").startswith("v1,")


async def test_a_jobs_trace_holds_the_requests_sql_and_redis_calls_and_the_attempt(
    plane: Plane, receiver: OtlpReceiver, upstream: UpstreamServer, http: httpx.AsyncClient
) -> None:
    trace_id, traceparent = caller_traceparent()
    response = await http.post(
        f"{plane.traced.url}/api/v1/jobs",
        json={"connector": plane.connector, "operation": "get", "payload": {"n": 1}},
        headers=plane.headers(traceparent),
    )
    assert response.status_code == 202, response.text
    await upstream.until_calls(1, wait_s=15)

    def complete(spans: list[ReceivedSpan]) -> bool:
        return bool(
            statements(spans, "exec-api", "postgresql")
            and statements(spans, "exec-api", "redis")
            and any(x.kind == "CLIENT" and x.service == "worker" for x in ours(spans))
        )

    spans = await asyncio.to_thread(receiver.wait_for, complete, trace_id, 15.0)
    assert complete(spans), [(x.service, x.name, x.attributes.get("db.system")) for x in spans]
    by_id = {s.span_id: s for s in spans}
    server = one(spans, "SERVER", "exec-api")
    attempt = one(spans, "CONSUMER", "worker")

    def under(span: ReceivedSpan, ancestor: ReceivedSpan) -> bool:
        while span.parent_span_id in by_id:
            span = by_id[span.parent_span_id]
            if span.span_id == ancestor.span_id:
                return True
        return False

    # The request's statements (the job's INSERT among them) and its wake-up on Redis are
    # its children. (The worker claims and finishes the jobs of a message together, in
    # statements of no one job's trace; what an attempt runs itself is the attempt's.)
    submitted = statements(spans, "exec-api", "postgresql")
    assert any("INSERT INTO jobs" in str(s.attributes["db.statement"]) for s in submitted), [
        s.attributes["db.statement"] for s in submitted
    ]
    assert all(under(s, server) for s in submitted)
    assert all(under(s, server) for s in statements(spans, "exec-api", "redis"))
    assert all(under(s, attempt) for s in statements(spans, "worker", "postgresql"))
    # Values never: statements keep their placeholders, commands only their names.
    for span in statements(spans, "exec-api", "redis"):
        for command in str(span.attributes["db.statement"]).splitlines():  # a pipeline's
            assert set(command.split()[1:]) <= {"?"}, span


async def test_statements_and_commands_outside_any_trace_are_not_exported(
    plane: Plane, receiver: OtlpReceiver
) -> None:
    # The worker's consumers wait on Redis, heartbeat and poll the outbox all the time:
    # none of that is a trace of its own.
    await asyncio.sleep(2.5)
    orphans = [s for s in receiver.spans() if "db.system" in s.attributes and not s.parent_span_id]
    assert orphans == []
    assert any("db.system" in s.attributes for s in receiver.spans())


async def test_with_tracing_off_the_callers_traceparent_still_reaches_the_upstream(
    plane: Plane, receiver: OtlpReceiver, upstream: UpstreamServer, http: httpx.AsyncClient
) -> None:
    trace_id, traceparent = caller_traceparent()
    response = await http.post(
        f"{plane.untraced.url}/api/v1/execute",
        json={"connector": plane.connector, "operation": "get", "payload": {}},
        headers=plane.headers(traceparent),
    )
    assert response.status_code == 200, response.text
    # No span of ours in between: the caller's own span is the upstream's parent.
    assert seen_traceparent(upstream) == traceparent
    assert receiver.spans(trace_id) == []


async def test_with_tracing_off_a_malformed_traceparent_is_not_passed_on(
    plane: Plane, upstream: UpstreamServer, http: httpx.AsyncClient
) -> None:
    response = await http.post(
        f"{plane.untraced.url}/api/v1/execute",
        json={"connector": plane.connector, "operation": "get", "payload": {}},
        headers=plane.headers("00-not-a-trace-01"),
    )
    assert response.status_code == 200, response.text
    assert "traceparent" not in upstream.last_request().headers


async def test_a_webhook_deliverys_trace_reaches_the_upstream_call_of_the_job_it_starts(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    upstream: UpstreamServer,
) -> None:
    # The session's stack, tracing off: ingress → inbox row → routing → job row → worker →
    # upstream, the caller's traceparent carried on each row in between.
    api = await operator_api(http, stack, tenant)
    source_id = await stripe_source(api)
    path = f"/hook-{uuid.uuid4().hex[:8]}"
    name = f"c-{uuid.uuid4().hex[:8]}"
    config = {"base_url": upstream.url, "operations": {"notify": {"method": "POST", "path": path}}}
    made = await api.write("POST", "/connectors", {"name": name, "type": "http", "config": config})
    assert made.status_code == 201, made.text
    binding = {
        "action": "job",
        "connector": name,
        "operation": "notify",
        "payload_mapping": {"id": "/id"},
    }
    await bind(api, source_id, binding)

    _, traceparent = caller_traceparent()
    body = stripe_event()
    delivered = await http.post(
        f"{stack.url('webhook-ingress')}/webhooks/{source_id}",
        content=body,
        headers=stripe_headers(body) | {"traceparent": traceparent},
    )
    assert delivered.status_code == 200, delivered.text
    assert await upstream.until_calls(1, path, wait_s=20) == 1
    assert upstream.last_request(path).headers.get("traceparent") == traceparent

    async with tenant_transaction(app_sessions, tenant.tenant_id) as session:
        stored = await session.scalars(select(Job.traceparent).where(Job.connector == name))
        assert list(stored) == [traceparent]
        inbox = await session.scalars(
            select(WebhookInboxEntry.traceparent).where(
                WebhookInboxEntry.source_id == uuid.UUID(source_id)
            )
        )
        assert list(inbox) == [traceparent]
