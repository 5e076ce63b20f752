"""Values that cannot be sent upstream, and addresses in forms that hide what they are,
are refused through the public APIs: a 422 or 400 problem, a job that fails once and for
good, never a 500 or a crash-and-retry. Nothing here connects anywhere but loopback."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.execution import Caller, caller
from tests.support.stack import Stack
from tests.support.upstream import UpstreamServer

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"
# Values a header cannot carry: header injection, NUL, a non-ASCII character.
UNSENDABLE = ["a\r\nX-Injected: 1", "a\x00b", "order 😀"]
METADATA_FORMS = [
    "http://１６９.２５４.１６９.２５４/latest",  # noqa: RUF001
    "http://169。254。169。254/latest",
    "http://169．254．169．254/latest",  # noqa: RUF001
    "http://169.254.43518/latest",
    "http://2852039166/latest",
    "http://%31%36%39.254.169.254/latest",
    "http://[169.254.169.254]/latest",
    "http://[::ffff:169.254.169.254]/latest",
    "http://ｍｅｔａｄａｔａ.google.internal/computeMetadata/v1",  # noqa: RUF001
]


@pytest.fixture
async def client(stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult) -> Caller:
    return await caller(http, stack, tenant)


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert (body["status"], body["code"]) == (status, code), body
    return body


async def header_connector(client: Caller, upstream: UpstreamServer) -> str:
    """A connector whose operation ``send`` puts the payload's ``trace`` in a header."""
    name = f"h-{uuid.uuid4().hex[:8]}"
    body = {"name": name, "type": "http", "config": header_config(upstream, "{trace}")}
    made = await client.operator.write("POST", "/connectors", body)
    assert made.status_code == 201, made.text
    return name


async def call(
    client: Caller, route: str, connector: str, payload: dict[str, Any], **extra: Any
) -> httpx.Response:
    """``POST /api/v1/<route>`` (``execute`` or ``jobs``) of the ``send`` operation."""
    return await client.http.post(
        f"{client.exec_url}/api/v1/{route}",
        json={"connector": connector, "operation": "send", "payload": payload, **extra},
        headers=client.exec_headers,
    )


async def execute(client: Caller, connector: str, payload: dict[str, Any]) -> httpx.Response:
    return await call(client, "execute", connector, payload)


@pytest.mark.parametrize("value", UNSENDABLE)
async def test_a_header_value_http_cannot_carry_is_a_422_and_reaches_no_upstream(
    client: Caller, upstream: UpstreamServer, stack: Stack, value: str
) -> None:
    connector = await header_connector(client, upstream)

    body = problem(await execute(client, connector, {"trace": value}), 422, "validation-failed")

    assert [e["key"] for e in body["errors"]] == ["/payload/trace"]
    assert value not in str(body)
    assert upstream.calls() == 0
    ok = await execute(client, connector, {"trace": "plain ascii\tand tab"})
    assert ok.status_code == 200, ok.text
    assert upstream.last_request().headers["x-trace"] == "plain ascii\tand tab"
    assert "unhandled error" not in stack.services["exec-api"].log()


async def wait_for_end(client: Caller, job_id: str) -> dict[str, Any]:
    url = f"{client.exec_url}/api/v1/jobs/{job_id}"
    for _ in range(300):
        job: dict[str, Any] = (await client.http.get(url, headers=client.exec_headers)).json()
        if job["status"] not in ("queued", "running"):
            return job
        await asyncio.sleep(0.05)
    raise AssertionError(f"job {job_id} did not end: {job}")


def header_config(upstream: UpstreamServer, template: str) -> dict[str, Any]:
    return {
        "base_url": upstream.url,
        "operations": {
            "send": {
                "method": "POST",
                "path": "/send",
                "headers": {"X-Trace": template},
                "body": {"n": 1},
            }
        },
    }


@pytest.mark.parametrize("value", UNSENDABLE)
async def test_a_job_whose_header_value_http_cannot_carry_is_refused_when_submitted(
    client: Caller, upstream: UpstreamServer, value: str
) -> None:
    connector = await header_connector(client, upstream)
    submitted = await call(client, "jobs", connector, {"trace": value})

    body = problem(submitted, 422, "validation-failed")
    assert [e["key"] for e in body["errors"]] == ["/payload/trace"]


@pytest.mark.parametrize("value", ["a\r\nX-Injected: 1", "order 😀", "tab\x1bescape"])
async def test_a_queued_job_whose_header_value_became_unsendable_fails_once_and_for_good(
    client: Caller, upstream: UpstreamServer, stack: Stack, value: str
) -> None:
    # Accepted while the header took another member; the connector changes before it runs.
    connector = await header_connector(client, upstream)
    submitted = await call(
        client, "jobs", connector, {"trace": "fine", "extra": value}, delay_ms=1500
    )
    assert submitted.status_code == 202, submitted.text
    changed = await client.operator.write(
        "PUT",
        f"/connectors/{connector}",
        {"type": "http", "config": header_config(upstream, "{extra}")},
    )
    assert changed.status_code == 200, changed.text

    job = await wait_for_end(client, submitted.json()["id"])

    assert (job["status"], job["attempts"]) == ("failed", 1), job
    assert job["error"].startswith("validation-failed:"), job
    assert value not in job["error"]
    assert upstream.calls() == 0
    await asyncio.sleep(0.3)  # a retry, had one been scheduled, would start by now
    again = await client.http.get(
        f"{client.exec_url}/api/v1/jobs/{job['id']}", headers=client.exec_headers
    )
    assert again.json()["attempts"] == 1
    assert "crashed" not in stack.services["worker"].log()


async def test_a_job_payload_with_nul_is_refused_when_submitted(
    client: Caller, upstream: UpstreamServer
) -> None:
    connector = await header_connector(client, upstream)
    submitted = await call(client, "jobs", connector, {"trace": "a\x00b"})
    problem(submitted, 422, "validation-failed")


@pytest.mark.parametrize("base_url", METADATA_FORMS)
async def test_a_connector_base_url_in_any_form_of_a_metadata_address_is_a_422(
    client: Caller, base_url: str
) -> None:
    made = await client.operator.write(
        "POST",
        "/connectors",
        {
            "name": f"m-{uuid.uuid4().hex[:8]}",
            "type": "http",
            "config": {"base_url": base_url, "operations": {"get": {"method": "GET"}}},
        },
    )

    body = problem(made, 422, "validation-failed")
    assert [e["key"] for e in body["errors"]] == ["/config/base_url"]


@pytest.mark.parametrize("callback_url", METADATA_FORMS)
async def test_a_callback_url_in_any_form_of_a_metadata_address_is_a_422(
    client: Caller, upstream: UpstreamServer, callback_url: str
) -> None:
    connector = await header_connector(client, upstream)
    submitted = await call(client, "jobs", connector, {"trace": "t"}, callback_url=callback_url)

    body = problem(submitted, 422, "validation-failed")
    assert body["errors"][0]["key"] == "callback_url"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/workflows/wf%00name/runs",
        "/api/v1/workflows/%00/runs",
    ],
)
async def test_a_nul_in_a_path_parameter_is_a_400_problem(
    client: Caller, stack: Stack, path: str
) -> None:
    response = await client.http.post(
        f"{client.exec_url}{path}", json={"input": {}}, headers=client.exec_headers
    )

    body = problem(response, 400, "bad-request")
    assert "NUL" in body["detail"]
    assert "unhandled error" not in stack.services["exec-api"].log()


async def test_a_nul_in_a_query_parameter_is_a_400_problem(client: Caller) -> None:
    response = await client.http.get(
        f"{client.exec_url}/api/v1/jobs?status=queued%00", headers=client.exec_headers
    )
    problem(response, 400, "bad-request")
    operator = await client.operator.http.get(
        f"{client.operator.base}/api/v1/connectors/x%00y", headers=client.operator.headers
    )
    problem(operator, 400, "bad-request")
