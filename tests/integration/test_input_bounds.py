"""Every JSON input is bounded before it is parsed, and no stored value breaks a read.

A body nested deeper than ``ORCH_MAX_JSON_DEPTH`` is a 400 ``json-too-deep`` on both
transports (the fast path and the framework's routes) and on the webhook-ingress, where a
parser would have failed with a ``RecursionError`` (a 500). A row stored before the limit
held (here: written directly, as the owner) reads with its JSON shown as a marker.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx
import pytest
import schemathesis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.db.tenant import set_tenant
from orchestrator.core.jsonbounds import STORED_DEPTH
from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.control_api import Api, operator_api
from tests.support.jobs import add_connector, exec_headers
from tests.support.stack import Stack
from tests.support.webhooks import stripe_headers, stripe_source

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"
LIMIT = 64  # the default ORCH_MAX_JSON_DEPTH, which the stack runs with
JOBS = "/api/v1/jobs"
LATER = {"delay_ms": 600_000}  # stays queued: the stack's worker would run it otherwise
Owner = async_sessionmaker[AsyncSession]


def nested(levels: int) -> Any:
    """A JSON value ``levels`` deep: ``[[… 1 …]]``."""
    value: Any = 1
    for _ in range(levels):
        value = [value]
    return value


def nested_text(levels: int) -> str:
    """``nested(levels)`` as JSON text, built without recursion (two bytes a level)."""
    return "[" * levels + "1" + "]" * levels


def body_with(field: str, levels: int, **members: Any) -> bytes:
    """A JSON object of ``members`` whose ``field`` nests ``levels`` deep (the body one more)."""
    head = httpx.Request("POST", "/", json=members).content[:-1]
    separator = b"," if members else b""
    return head + separator + f'"{field}":{nested_text(levels)}}}'.encode()


def assert_problem(response: httpx.Response, status: int, code: str | None = None) -> Any:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == PROBLEM, response.headers
    problem = response.json()
    assert problem["status"] == status
    if code is not None:
        assert problem["code"] == code, problem
    return problem


@pytest.fixture
async def exec_auth(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> dict[str, str]:
    """A token of a tenant that has an ``echo`` connector."""
    await add_connector(app_sessions, tenant.tenant_id, "echo")
    return await exec_headers(http, stack, tenant)


@pytest.fixture
async def operator(stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult) -> Api:
    return await operator_api(http, stack, tenant)


# --- The findings, through the public APIs -------------------------------------------------


async def test_a_job_nested_past_the_limit_is_refused_and_the_workspace_stays_readable(
    stack: Stack, http: httpx.AsyncClient, exec_auth: dict[str, str], operator: Api
) -> None:
    url = stack.url("exec-api") + JOBS
    body = body_with("payload", 960, connector="echo", operation="get", **LATER)
    headers = exec_auth | {"Content-Type": "application/json"}

    refused = await http.post(url, content=body, headers=headers)

    problem = assert_problem(refused, 400, "json-too-deep")
    assert problem["max_depth"] == LIMIT
    for path, params in ((JOBS, {}), (JOBS, {"status": "queued"})):
        listed = await http.get(stack.url("exec-api") + path, params=params, headers=exec_auth)
        assert listed.status_code == 200, listed.text
    assert (await operator.call("GET", "/dlq")).status_code == 200


async def test_a_payload_at_the_limit_is_accepted_and_reads_back(
    stack: Stack, http: httpx.AsyncClient, exec_auth: dict[str, str]
) -> None:
    url = stack.url("exec-api") + JOBS
    payload: Any = 1
    for _ in range(LIMIT - 1):  # the body is one level more
        payload = {"a": payload}
    accepted = await http.post(
        url,
        json={"connector": "echo", "operation": "get", "payload": payload, **LATER},
        headers=exec_auth,
    )
    assert accepted.status_code == 202, accepted.text
    job = await http.get(f"{url}/{accepted.json()['id']}", headers=exec_auth)
    assert job.status_code == 200, job.text
    assert job.json()["payload"] == payload
    one_more = body_with("payload", LIMIT, connector="echo", operation="get", **LATER)
    refused = await http.post(
        url, content=one_more, headers=exec_auth | {"Content-Type": "application/json"}
    )
    assert_problem(refused, 400, "json-too-deep")


async def insert_job(
    owner: Owner, tenant_id: uuid.UUID, payload_text: str, *, status: str
) -> uuid.UUID:
    """A job row written as the owner, past every API check (as an older version could)."""
    job_id = uuid.uuid4()
    async with owner() as session, session.begin():
        await set_tenant(session, tenant_id)
        await session.execute(
            text(
                "INSERT INTO jobs (id, tenant_id, connector, operation, payload, status, "
                "max_attempts, available_at, finished_at, last_error) "
                "VALUES (:id, :tenant, 'echo', 'get', CAST(:payload AS jsonb), CAST(:status AS text), "
                "1, now(), CASE WHEN CAST(:status AS text) = 'dead' THEN now() END, NULL)"
            ),
            {"id": job_id, "tenant": tenant_id, "payload": payload_text, "status": status},
        )
    return job_id


@pytest.mark.parametrize("levels", [960, 5_000])
async def test_a_stored_job_nested_past_any_limit_reads_as_a_marker(
    stack: Stack,
    http: httpx.AsyncClient,
    exec_auth: dict[str, str],
    operator: Api,
    tenant: BootstrapResult,
    owner_sessions: Owner,
    levels: int,
) -> None:
    stored = nested_text(levels)
    job_id = await insert_job(owner_sessions, tenant.tenant_id, stored, status="dead")
    url = stack.url("exec-api") + JOBS

    reads = [
        await http.get(f"{url}/{job_id}", headers=exec_auth),
        await http.get(url, headers=exec_auth),
        await http.get(url, params={"status": "dead"}, headers=exec_auth),
        await operator.call("GET", "/dlq"),
    ]

    for response in reads:
        assert response.status_code == 200, response.text
    one = reads[0].json()
    listed = [item for item in reads[1].json()["items"] if item["id"] == str(job_id)]
    dead = [item for item in reads[3].json()["items"] if item["id"] == str(job_id)]
    assert listed, reads[1].text
    assert dead, reads[3].text
    for item in (one, listed[0]):
        marker = item["payload"]
        assert marker["unreadable"] == "nested-too-deep", marker
        assert marker["json"].replace(" ", "") == stored
    assert str(STORED_DEPTH) in one["payload"]["detail"]


async def test_a_stored_job_nested_past_the_bound_fails_without_an_upstream_call(
    stack: Stack,
    http: httpx.AsyncClient,
    exec_auth: dict[str, str],
    tenant: BootstrapResult,
    owner_sessions: Owner,
) -> None:
    job_id = await insert_job(owner_sessions, tenant.tenant_id, nested_text(960), status="queued")
    async with owner_sessions() as session, session.begin():  # the stack's worker takes it
        await session.execute(
            text(
                "INSERT INTO outbox (workspace_id, kind, payload) VALUES "
                "(:tenant, 'run_job', jsonb_build_object('tenant_id', CAST(:tenant AS text), "
                "'job_id', CAST(:job AS text)))"
            ),
            {"tenant": tenant.tenant_id, "job": str(job_id)},
        )
    url = f"{stack.url('exec-api')}{JOBS}/{job_id}"
    deadline = time.monotonic() + 20
    job: dict[str, Any] = {}
    while time.monotonic() < deadline:
        job = (await http.get(url, headers=exec_auth)).json()
        if job["status"] in ("failed", "dead"):
            break
        await asyncio.sleep(0.2)
    assert job["status"] in ("failed", "dead"), job
    assert "nests too deeply" in (job["error"] or ""), job
    assert job["upstream_status"] is None


DEEP_LEVELS = [990, 30_000]  # the finding's depth, and one that fits the 64 KiB body limit


@pytest.mark.parametrize("levels", DEEP_LEVELS)
@pytest.mark.parametrize(
    ("path", "field", "members", "extra_headers"),
    [
        ("/api/v1/execute", "payload", {"connector": "echo", "operation": "get"}, {}),
        (  # the framework's route: a request with a key never takes the fast path
            "/api/v1/execute",
            "payload",
            {"connector": "echo", "operation": "get"},
            {"Idempotency-Key": "deep"},
        ),
        (JOBS, "payload", {"connector": "echo", "operation": "get"}, {}),
        ("/api/v1/workflows/w/runs", "input", {}, {}),
    ],
    ids=["execute-fast", "execute-route", "jobs", "workflow-runs"],
)
async def test_deep_nesting_is_a_400_problem_on_the_exec_api(
    stack: Stack,
    http: httpx.AsyncClient,
    exec_auth: dict[str, str],
    path: str,
    field: str,
    members: dict[str, Any],
    extra_headers: dict[str, str],
    levels: int,
) -> None:
    headers = exec_auth | {"Content-Type": "application/json"} | extra_headers
    if "Idempotency-Key" in headers:
        headers["Idempotency-Key"] = uuid.uuid4().hex
    response = await http.post(
        stack.url("exec-api") + path, content=body_with(field, levels, **members), headers=headers
    )
    assert_problem(response, 400, "json-too-deep")


@pytest.mark.parametrize("levels", DEEP_LEVELS)
@pytest.mark.parametrize(
    ("method", "path", "field", "members"),
    [
        ("POST", "/connectors", "config", {"name": "deep", "type": "http"}),
        ("PUT", "/configs/deep", "document", {}),
        ("POST", "/policies", "spec", {"name": "deep"}),
        ("POST", "/workflows", "steps", {"name": "deep"}),
        ("POST", "/bundles/import", "connectors", {}),
        ("PUT", "/quotas", "rps", {}),
    ],
)
async def test_deep_nesting_is_a_400_problem_on_the_control_api(
    operator: Api, method: str, path: str, field: str, members: dict[str, Any], levels: int
) -> None:
    response = await operator.http.request(
        method,
        f"{operator.base}/api/v1{path}",
        content=body_with(field, levels, **members),
        params={"reason": "depth test"},
        headers=operator.headers | {"Content-Type": "application/json"},
    )
    assert_problem(response, 400, "json-too-deep")


async def test_a_body_over_the_size_limit_is_a_413_problem_on_both_transports(
    stack: Stack, http: httpx.AsyncClient, exec_auth: dict[str, str]
) -> None:
    big = {"connector": "echo", "operation": "get", "payload": {"s": "x" * 70_000}}
    for extra in ({}, {"Idempotency-Key": uuid.uuid4().hex}):
        response = await http.post(
            stack.url("exec-api") + "/api/v1/execute", json=big, headers=exec_auth | extra
        )
        assert_problem(response, 413)


async def test_the_ingress_refuses_a_verified_delivery_nested_past_the_limit(
    stack: Stack, http: httpx.AsyncClient, operator: Api
) -> None:
    source_id = await stripe_source(operator)
    url = f"{stack.url('webhook-ingress')}/webhooks/{source_id}"
    deep = body_with("data", 990, id=f"evt_{uuid.uuid4().hex}", type="charge.succeeded")
    shallow = body_with("data", 10, id=f"evt_{uuid.uuid4().hex}", type="charge.succeeded")

    unsigned = await http.post(url, content=deep, headers={"Content-Type": "application/json"})
    signed = await http.post(url, content=deep, headers=stripe_headers(deep))
    fine = await http.post(url, content=shallow, headers=stripe_headers(shallow))

    assert_problem(unsigned, 401)  # the signature first: nothing is parsed before it holds
    assert_problem(signed, 400, "json-too-deep")
    assert fine.status_code == 200, fine.text


# --- Responses the OpenAPI documents ---------------------------------------------------------


async def operation_of(http: httpx.AsyncClient, base: str, path: str, method: str) -> Any:
    document = (await http.get(f"{base}/schema/openapi.json")).json()
    return schemathesis.openapi.from_dict(document)[path][method]


async def test_a_reused_idempotency_key_on_a_batch_is_a_documented_422(
    stack: Stack, http: httpx.AsyncClient, exec_auth: dict[str, str]
) -> None:
    base = stack.url("exec-api")
    operation = await operation_of(http, base, "/api/v1/jobs/batch", "POST")
    headers = exec_auth | {"Idempotency-Key": uuid.uuid4().hex}
    statuses = []
    for n in (1, 2):
        body = {"jobs": [{"connector": "echo", "operation": "get", "payload": {"n": n}, **LATER}]}
        response = await http.post(f"{base}/api/v1/jobs/batch", json=body, headers=headers)
        case = operation.Case(headers=headers, body=body)
        case.validate_response(response)
        statuses.append(response.status_code)
    assert statuses == [202, 422]
