"""The fast routes answer exactly as the framework's routes do.

A second exec-api and webhook-ingress run with ``ORCH_FAST_ROUTES=false`` beside the
session's (fast routes on), against the same database and Redis. Each case sends the same
request to both and compares status, headers and body; only what differs by nature
between two requests (a request id, the date, a new job's id and times, a duration) is
masked. Every fast route of the route tables must be exercised by some case that the fast
route serves itself, so a new fast route without parity cases fails here.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import msgspec
import pytest

from orchestrator.core.tenancy.service import BootstrapResult
from orchestrator.exec_api.routes import fast_routes
from orchestrator.webhook_ingress.fast import PATH as DELIVERY_PATH
from tests.support.execution import QUEUEING_POLICY, Caller, caller
from tests.support.stack import Service, Stack, start_service, wait_ready
from tests.support.upstream import UpstreamServer
from tests.support.webhooks import stripe_event, stripe_headers, stripe_source

VOLATILE_HEADERS = frozenset({"date", "x-request-id", "content-length", "location", "server"})
VOLATILE_MEMBERS = frozenset(
    {"id", "request_id", "duration_ms", "created_at", "updated_at", "available_at"}
)
UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture(scope="module")
def framework_only(service_env: dict[str, str], stack: Stack) -> Iterator[dict[str, str]]:
    """Base URLs of an exec-api and a webhook-ingress that answer every request through the
    framework."""
    env = {**service_env, "ORCH_FAST_ROUTES": "false"}
    started: list[Service] = []
    try:
        for name, module in (
            ("exec-api-framework", "orchestrator.exec_api"),
            ("webhook-ingress-framework", "orchestrator.webhook_ingress"),
        ):
            started.append(start_service(name, module, env))
        for service in started:
            wait_ready(service)
        yield {"exec-api": started[0].url, "webhook-ingress": started[1].url}
    finally:
        for service in started:
            service.stop()


@dataclass(frozen=True)
class Answer:
    """An answer, with what legitimately differs between two requests masked."""

    status: int
    headers: dict[str, str]
    body: Any

    @classmethod
    def of(cls, response: httpx.Response) -> Answer:
        headers = {k: v for k, v in response.headers.items() if k not in VOLATILE_HEADERS}
        location = response.headers.get("location")
        if location is not None:
            headers["location"] = UUID.sub(b"<id>", location.encode()).decode()
        return cls(response.status_code, headers, _masked(response.content))


def _masked(content: bytes) -> Any:
    try:
        value = msgspec.json.decode(content)
    except msgspec.DecodeError:
        return content
    if isinstance(value, dict):
        return {k: ("<masked>" if k in VOLATILE_MEMBERS else v) for k, v in value.items()}
    return value


@dataclass
class Parity:
    """Sends each request to both deployments and compares the answers."""

    http: httpx.AsyncClient
    fast: dict[str, str]
    framework: dict[str, str]
    served: set[tuple[str, str]]
    responses: list[httpx.Response] = field(default_factory=list)
    """The last case's two responses, unmasked."""

    async def same(
        self,
        service: str,
        method: str,
        path: str,
        *,
        template: str | None = None,
        headers: Callable[[], dict[str, str]] | dict[str, str] | None = None,
        content: Callable[[], bytes] | bytes | None = None,
    ) -> Answer:
        """Both answers, once compared; ``template`` names the fast route that serves it."""
        answers, self.responses = [], []
        for base in (self.fast[service], self.framework[service]):
            body = content() if callable(content) else content
            sent = headers() if callable(headers) else headers  # after the body: it signs it
            response = await self.http.request(method, base + path, headers=sent, content=body)
            self.responses.append(response)
            answers.append(Answer.of(response))
        fast, framework = answers
        assert fast == framework, f"{method} {path}"
        if template is not None:
            self.served.add((method, template))
        return fast


@pytest.fixture(scope="module")
def served() -> set[tuple[str, str]]:
    """The fast routes the cases below exercised (checked by the last test)."""
    return set()


@pytest.fixture
async def parity(
    http: httpx.AsyncClient,
    stack: Stack,
    framework_only: dict[str, str],
    served: set[tuple[str, str]],
) -> Parity:
    fast = {"exec-api": stack.url("exec-api"), "webhook-ingress": stack.url("webhook-ingress")}
    return Parity(http, fast, framework_only, served)


async def finished(http: httpx.AsyncClient, product: Caller, job_ids: list[str]) -> None:
    """Wait until the worker has finished every one of ``job_ids``."""
    deadline = time.monotonic() + 20
    for job_id in job_ids:
        while True:
            read = await http.get(
                f"{product.exec_url}/api/v1/jobs/{job_id}", headers=product.exec_headers
            )
            if read.json()["status"] in ("succeeded", "failed", "dead", "cancelled"):
                break
            assert time.monotonic() < deadline, f"job {job_id} still {read.json()['status']}"
            await asyncio.sleep(0.05)


def call(connector: str, **payload: Any) -> bytes:
    """A ``POST /api/v1/execute`` or ``POST /api/v1/jobs`` body."""
    return msgspec.json.encode({"connector": connector, "operation": "charge", "payload": payload})


async def test_execute(
    parity: Parity,
    http: httpx.AsyncClient,
    stack: Stack,
    tenant: BootstrapResult,
    upstream: UpstreamServer,
) -> None:
    product: Caller = await caller(http, stack, tenant)
    connector = await product.connector(upstream)
    headers = {**product.exec_headers, "Content-Type": "application/json"}
    path = "/api/v1/execute"
    # A fixed answer: the default echo shows each request's own headers.
    upstream.respond(body={"charged": True})

    ok = await parity.same(
        "exec-api",
        "POST",
        path,
        template=path,
        headers=headers,
        content=call(connector, id="o-1", amount=5),
    )
    assert ok.status == 200
    assert ok.body["status"] == "succeeded"

    upstream.respond(status=409, body={"error": "already charged"})
    refused = await parity.same(
        "exec-api", "POST", path, headers=headers, content=call(connector, id="o-2", amount=5)
    )
    assert refused.status == 200
    assert refused.body["status"] == "failed"
    upstream.reset()

    # Handed over: an invalid payload, an unknown connector, no token, a bad token.
    invalid = await parity.same(
        "exec-api", "POST", path, headers=headers, content=call(connector, id="o-3", amount=0)
    )
    assert invalid.status == 422
    unknown = await parity.same(
        "exec-api", "POST", path, headers=headers, content=call("no-such", id="o", amount=1)
    )
    assert unknown.status == 404
    anonymous = await parity.same(
        "exec-api",
        "POST",
        path,
        headers={"Content-Type": "application/json"},
        content=call(connector, id="o-4", amount=5),
    )
    assert anonymous.status == 401
    forged = {**headers, "Authorization": "Bearer not-a-token"}
    assert (
        await parity.same("exec-api", "POST", path, headers=forged, content=b"{}")
    ).status == 401


async def test_an_open_breaker_that_queues(
    parity: Parity,
    http: httpx.AsyncClient,
    stack: Stack,
    tenant: BootstrapResult,
    upstream: UpstreamServer,
) -> None:
    product = await caller(http, stack, tenant)
    connector = await product.connector(upstream, QUEUEING_POLICY)
    headers = {**product.exec_headers, "Content-Type": "application/json"}
    path = "/api/v1/execute"
    upstream.fail(status=500, times=None)
    # One call each way fills the breaker's window (shared in Redis) with failures.
    failed = await parity.same(
        "exec-api", "POST", path, headers=headers, content=call(connector, id="b-1", amount=5)
    )
    assert failed.status == 502
    sent = [
        await http.post(base + path, headers=headers, content=call(connector, id="b-2", amount=5))
        for base in (parity.fast["exec-api"], parity.framework["exec-api"])
    ]
    assert Answer.of(sent[0]) == Answer.of(sent[1])
    assert Answer.of(sent[0]).status == 202
    parity.served.add(("POST", path))
    for queued in sent:  # so that they do not call the shared upstream 90 s from now
        cancel = f"{parity.fast['exec-api']}/api/v1/jobs/{queued.json()['id']}/cancel"
        assert (await http.post(cancel, headers=product.exec_headers)).status_code == 200


async def test_jobs(
    parity: Parity,
    http: httpx.AsyncClient,
    stack: Stack,
    tenant: BootstrapResult,
    other_tenant: BootstrapResult,
    upstream: UpstreamServer,
) -> None:
    product = await caller(http, stack, tenant)
    connector = await product.connector(upstream)
    headers = {**product.exec_headers, "Content-Type": "application/json"}

    accepted = await parity.same(
        "exec-api",
        "POST",
        "/api/v1/jobs",
        template="/api/v1/jobs",
        headers=headers,
        content=call(connector, id="j-1", amount=5),
    )
    assert accepted.status == 202
    assert accepted.headers["location"] == "/api/v1/jobs/<id>"
    queued = [response.json()["id"] for response in parity.responses]
    invalid = await parity.same(
        "exec-api",
        "POST",
        "/api/v1/jobs",
        headers=headers,
        content=call(connector, id="j-2", amount=0),
    )
    assert invalid.status == 422

    # Held back a minute: the worker must not move it between the two routes' reads.
    held = {"connector": connector, "operation": "charge", "delay_ms": 60_000}
    made = await http.post(
        product.exec_url + "/api/v1/jobs",
        headers=headers,
        content=msgspec.json.encode({**held, "payload": {"id": "j-3", "amount": 5}}),
    )
    job_id = uuid.UUID(made.json()["id"])
    read = product.exec_headers
    template = "/api/v1/jobs/{job_id}"
    one = await parity.same(
        "exec-api", "GET", f"/api/v1/jobs/{job_id}", template=template, headers=read
    )
    assert one.status == 200
    assert one.body["connector"] == connector
    # The same job named without dashes, and one the workspace does not have.
    assert (
        await parity.same("exec-api", "GET", f"/api/v1/jobs/{job_id.hex}", headers=read)
    ).status == 200
    missing = await parity.same("exec-api", "GET", f"/api/v1/jobs/{uuid.uuid4()}", headers=read)
    assert missing.status == 404
    assert missing.body["code"] == "not-found"
    # Handed over: not a UUID (no route matches it), no token.
    assert (
        await parity.same("exec-api", "GET", "/api/v1/jobs/not-a-uuid", headers=read)
    ).status == 404
    assert (await parity.same("exec-api", "GET", f"/api/v1/jobs/{job_id}")).status == 401

    # Another workspace's token sees nothing of it (RLS), on both.
    stranger = await caller(http, stack, other_tenant)
    hidden = await parity.same(
        "exec-api", "GET", f"/api/v1/jobs/{job_id}", headers=stranger.exec_headers
    )
    assert hidden.status == 404
    # Their calls must not reach the shared upstream during a later test.
    await finished(http, product, queued)
    cancelled = await http.post(f"{product.exec_url}/api/v1/jobs/{job_id}/cancel", headers=read)
    assert cancelled.status_code == 200, cancelled.text


async def test_workspace(
    parity: Parity, http: httpx.AsyncClient, stack: Stack, tenant: BootstrapResult
) -> None:
    product = await caller(http, stack, tenant)
    path = "/api/v1/workspace"
    own = await parity.same("exec-api", "GET", path, template=path, headers=product.exec_headers)
    assert own.status == 200
    assert own.body["name"]
    assert (await parity.same("exec-api", "GET", path)).status == 401


async def test_webhook_delivery(
    parity: Parity, http: httpx.AsyncClient, stack: Stack, tenant: BootstrapResult
) -> None:
    product = await caller(http, stack, tenant)
    source_id = await stripe_source(product.operator)
    path = f"/webhooks/{source_id}"
    bodies = iter([stripe_event(), stripe_event()])
    current = {"body": b""}

    def fresh() -> bytes:
        current["body"] = next(bodies)
        return current["body"]

    def signed() -> dict[str, str]:
        return stripe_headers(current["body"])

    taken = await parity.same(
        "webhook-ingress", "POST", path, template=DELIVERY_PATH, headers=signed, content=fresh
    )
    assert taken.status == 200
    assert taken.body == {"status": "accepted"}

    once = stripe_event()
    stored = await http.post(
        parity.fast["webhook-ingress"] + path, headers=stripe_headers(once), content=once
    )
    assert stored.status_code == 200
    duplicate = await parity.same(
        "webhook-ingress", "POST", path, headers=stripe_headers(once), content=once
    )
    assert duplicate.body == {"status": "duplicate"}
    forged = stripe_headers(once, secret="whsec_not_the_secret")
    assert (
        await parity.same("webhook-ingress", "POST", path, headers=forged, content=once)
    ).status == 401
    unknown = f"/webhooks/{uuid.uuid4()}"
    assert (
        await parity.same("webhook-ingress", "POST", unknown, headers=forged, content=once)
    ).status == 404


def test_every_fast_route_was_compared(served: set[tuple[str, str]]) -> None:
    if not served:
        pytest.skip("no parity case ran in this selection")
    listed = set(fast_routes(1, 1)) | {("POST", DELIVERY_PATH)}
    assert served == listed
