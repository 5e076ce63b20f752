"""``POST /api/v1/execute`` against a real local upstream that the tests make fail."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import datetime

import httpx
import pytest

from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.execution import QUEUEING_POLICY, Caller, caller
from tests.support.stack import Stack
from tests.support.upstream import UpstreamServer

PROBLEM = "application/problem+json"
FAST_RETRY = {"max_attempts": 3, "base_delay_s": 0.01, "max_delay_s": 0.05}


@pytest.fixture
async def client(stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult) -> Caller:
    return await caller(http, stack, tenant)


def problem(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, object] = response.json()
    assert body["status"] == status
    assert str(body["type"]).endswith(code), body
    return body


async def test_a_call_returns_the_upstream_output(client: Caller, upstream: UpstreamServer) -> None:
    connector = await client.connector(upstream)
    response = await client.execute(connector, {"id": "o 1/2", "amount": 7})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["upstream_status"], body["attempts"]) == ("succeeded", 200, 1)
    assert body["output"]["body"] == {"id": "o 1/2", "amount": 7}
    assert body["duration_ms"] > 0
    assert upstream.last_request().path == "/charges/o%201%2F2"


async def test_a_bad_payload_is_422_with_every_field_and_never_reaches_the_upstream(
    client: Caller, upstream: UpstreamServer
) -> None:
    connector = await client.connector(upstream)
    response = await client.execute(connector, {"amount": 0})
    body = problem(response, 422, "validation-failed")
    keys = {error["key"] for error in body["errors"]}  # type: ignore[attr-defined]
    assert keys == {"/payload/id", "/payload/amount"}, body
    assert upstream.calls() == 0


async def test_an_unknown_connector_or_operation_is_404(
    client: Caller, upstream: UpstreamServer
) -> None:
    problem(await client.execute("nope"), 404, "connector-not-found")
    connector = await client.connector(upstream)
    problem(await client.execute(connector, operation="refund"), 404, "connector-not-found")


async def test_a_final_upstream_answer_is_reported_not_retried(
    client: Caller, upstream: UpstreamServer
) -> None:
    connector = await client.connector(upstream, {"retry": FAST_RETRY})
    upstream.fail(status=404, times=None, body={"error": "no such order"})
    response = await client.execute(connector)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["upstream_status"], body["attempts"]) == ("failed", 404, 1)
    assert body["output"] == {"error": "no such order"}
    assert upstream.calls() == 1


async def test_transient_failures_are_retried_until_success(
    client: Caller, upstream: UpstreamServer
) -> None:
    connector = await client.connector(upstream, {"retry": FAST_RETRY})
    upstream.fail(status=503, times=2)
    response = await client.execute(connector)
    assert response.status_code == 200, response.text
    assert response.json()["attempts"] == 3
    assert upstream.calls() == 3


async def test_retries_exhausted_is_502_after_exactly_max_attempts(
    client: Caller, upstream: UpstreamServer
) -> None:
    connector = await client.connector(upstream, {"retry": FAST_RETRY})
    upstream.fail(status=500, times=None)
    body = problem(await client.execute(connector), 502, "upstream-failed")
    assert (body["attempts"], body["upstream_status"]) == (3, 500)
    assert upstream.calls() == 3


async def test_a_non_idempotent_call_without_a_key_is_not_repeated_after_a_5xx(
    client: Caller, upstream: UpstreamServer
) -> None:
    connector = await client.connector(upstream, {"retry": FAST_RETRY}, idempotent=False)
    upstream.fail(status=503, times=None)
    body = problem(await client.execute(connector), 502, "upstream-failed")
    assert body["attempts"] == 1
    assert upstream.calls() == 1
    # With an idempotency key the upstream can deduplicate, so retrying is safe.
    upstream.reset()
    upstream.fail(status=503, times=1)
    key = f"k-{uuid.uuid4()}"
    response = await client.execute(connector, key=key)
    assert response.status_code == 200, response.text
    assert response.json()["attempts"] == 2
    assert upstream.key_calls(key) == 2


async def test_retry_after_is_honoured(client: Caller, upstream: UpstreamServer) -> None:
    connector = await client.connector(upstream, {"retry": FAST_RETRY})
    upstream.fail(status=429, times=1, retry_after=1)
    started = time.monotonic()
    response = await client.execute(connector)
    elapsed = time.monotonic() - started
    assert response.status_code == 200, response.text
    assert response.json()["attempts"] == 2
    assert elapsed >= 1.0


async def test_the_total_deadline_holds_against_a_hanging_upstream(
    client: Caller, upstream: UpstreamServer
) -> None:
    policy = {"timeout": {"connect_s": 0.2, "read_s": 5, "total_s": 0.6}, "retry": FAST_RETRY}
    connector = await client.connector(upstream, policy)
    upstream.hang()
    started = time.monotonic()
    problem(await client.execute(connector), 504, "deadline-exceeded")
    assert 0.55 <= time.monotonic() - started < 1.5


async def test_the_breaker_opens_refuses_without_calling_and_closes_after_a_good_probe(
    client: Caller, upstream: UpstreamServer
) -> None:
    breaker = {
        "window_size": 4,
        "minimum_calls": 4,
        "failure_rate_threshold": 50,
        "wait_open_s": 0.5,
        "half_open_calls": 1,
    }
    connector = await client.connector(upstream, {"retry": {"max_attempts": 1}, "breaker": breaker})
    upstream.fail(status=500, times=None)
    for _ in range(4):
        problem(await client.execute(connector), 502, "upstream-failed")
    assert upstream.calls() == 4
    refused = await client.execute(connector)
    problem(refused, 503, "circuit-open")
    assert int(refused.headers["retry-after"]) >= 1
    assert upstream.calls() == 4  # refused without touching the upstream

    await asyncio.sleep(0.6)
    problem(await client.execute(connector), 502, "upstream-failed")  # the probe fails
    assert upstream.calls() == 5
    problem(await client.execute(connector), 503, "circuit-open")  # re-opened
    assert upstream.calls() == 5

    await asyncio.sleep(0.6)
    upstream.reset()  # healthy again
    assert (await client.execute(connector)).status_code == 200  # the probe succeeds
    for _ in range(3):
        assert (await client.execute(connector)).status_code == 200
    assert upstream.calls() == 4


async def test_a_burst_beyond_the_rate_limit_gets_exactly_the_expected_429s(
    client: Caller, upstream: UpstreamServer
) -> None:
    connector = await client.connector(upstream, {"rate_limit": {"limit": 5, "period_s": 60}})
    responses = [await client.execute(connector) for _ in range(8)]
    assert [r.status_code for r in responses] == [200] * 5 + [429] * 3
    refused = responses[-1]
    problem(refused, 429, "rate-limited")
    assert 1 <= int(refused.headers["retry-after"]) <= 12
    assert refused.headers["ratelimit-policy"] == '"default";q=5;w=60'
    assert refused.headers["ratelimit"].startswith('"default";r=0;t=')
    assert upstream.calls() == 5


async def test_a_repeated_idempotency_key_replays_without_calling_again(
    client: Caller, upstream: UpstreamServer
) -> None:
    connector = await client.connector(upstream)
    key = f"k-{uuid.uuid4()}"
    first = await client.execute(connector, key=key)
    again = await client.execute(connector, key=key)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert upstream.key_calls(key) == 1
    changed = await client.execute(connector, {"id": "o-2", "amount": 5}, key=key)
    problem(changed, 422, "idempotency-key-reused")


async def test_a_failed_validation_stores_nothing_under_the_key(
    client: Caller, upstream: UpstreamServer
) -> None:
    connector = await client.connector(upstream)
    key = f"k-{uuid.uuid4()}"
    problem(await client.execute(connector, {"id": "x"}, key=key), 422, "validation-failed")
    fixed = await client.execute(connector, {"id": "x", "amount": 1}, key=key)
    assert fixed.status_code == 200, fixed.text
    assert upstream.key_calls(key) == 1


async def test_an_upstream_failure_is_stored_and_replayed_under_the_key(
    client: Caller, upstream: UpstreamServer
) -> None:
    connector = await client.connector(upstream, {"retry": {"max_attempts": 1}})
    upstream.fail(status=500, times=1)
    key = f"k-{uuid.uuid4()}"
    first = await client.execute(connector, key=key)
    problem(first, 502, "upstream-failed")
    again = await client.execute(connector, key=key)  # the upstream would succeed now
    assert again.status_code == 502
    assert again.json()["type"] == first.json()["type"]
    assert upstream.key_calls(key) == 1


async def test_two_concurrent_requests_with_one_key_run_once(
    client: Caller, upstream: UpstreamServer
) -> None:
    connector = await client.connector(upstream)
    upstream.delay(ms=400)
    key = f"k-{uuid.uuid4()}"
    first = asyncio.create_task(client.execute(connector, key=key))
    await upstream.until_calls(1)
    second = await client.execute(connector, key=key)
    problem(second, 409, "idempotency-key-in-flight")
    assert (await first).status_code == 200
    assert upstream.key_calls(key) == 1


async def test_a_configuration_change_reaches_the_exec_api_at_once(
    client: Caller, upstream: UpstreamServer
) -> None:
    connector = await client.connector(upstream)
    assert (await client.execute(connector)).status_code == 200  # cached by the exec-api now
    disabled = await client.operator.write(
        "PUT",
        f"/connectors/{connector}",
        {
            "type": "http",
            "config": {"base_url": upstream.url, "operations": {"charge": {"method": "POST"}}},
            "enabled": False,
        },
    )
    assert disabled.status_code == 200, disabled.text
    for _ in range(20):  # the notice arrives within milliseconds; the TTL is seconds
        if (await client.execute(connector)).status_code == 404:
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail("the exec-api kept using the old configuration")


async def test_an_open_breaker_queues_the_call_as_a_delayed_job_when_the_policy_says_so(
    client: Caller, upstream: UpstreamServer
) -> None:
    connector = await client.connector(upstream, QUEUEING_POLICY)
    upstream.fail(status=500, times=None)
    for _ in range(2):
        problem(await client.execute(connector), 502, "upstream-failed")
    queued = await client.execute(connector)
    assert queued.status_code == 202, queued.text
    job_id = queued.json()["id"]
    assert queued.headers["location"] == f"/api/v1/jobs/{job_id}"
    assert upstream.calls() == 2
    job = await client.http.get(
        f"{client.exec_url}/api/v1/jobs/{job_id}", headers=client.exec_headers
    )
    assert job.status_code == 200, job.text
    body = job.json()
    assert (body["status"], body["connector"], body["attempts"]) == ("queued", connector, 0)
    created = datetime.fromisoformat(body["created_at"])
    available = datetime.fromisoformat(body["available_at"])
    assert 85 <= (available - created).total_seconds() <= 95
    # Cancelled, so it does not call the shared upstream 90 s from now, in another test.
    cancelled = await client.http.post(
        f"{client.exec_url}/api/v1/jobs/{job_id}/cancel", headers=client.exec_headers
    )
    assert cancelled.status_code == 200, cancelled.text


async def test_tenant_quotas_cap_requests_per_second_and_concurrency(
    client: Caller, upstream: UpstreamServer
) -> None:
    # Each connector is first called after its quota is set, so its plan is read fresh.
    limited = await client.operator.write("PUT", "/quotas", {"rps": 3})
    assert limited.status_code == 200, limited.text
    connector = await client.connector(upstream)
    burst = await asyncio.gather(*(client.execute(connector) for _ in range(5)))
    assert sorted(r.status_code for r in burst) == [200, 200, 200, 429, 429]

    capped = await client.operator.write("PUT", "/quotas", {"concurrency": 1})
    assert capped.status_code == 200, capped.text
    connector = await client.connector(upstream)
    upstream.reset()  # the burst's calls must not satisfy the wait below
    upstream.delay(ms=300)
    first = asyncio.create_task(client.execute(connector))
    await upstream.until_calls(1)
    refused = await client.execute(connector)
    problem(refused, 429, "rate-limited")
    assert (await first).status_code == 200
    assert (await client.execute(connector)).status_code == 200  # the slot came back


async def output_schema_failures(stack: Stack, http: httpx.AsyncClient) -> float:
    """The exec-api's count of answers that failed their output schema."""
    metrics = (await http.get(f"{stack.url('exec-api')}/metrics")).text
    for line in metrics.splitlines():
        if line.startswith("orchestrator_output_schema_failures_total "):
            return float(line.split()[1])
    return 0.0


CHARGE_OUTPUT = {"type": "object", "required": ["charge_id"]}
"""The echo upstream answers ``{method, path, query, headers, body, call}``: no charge_id."""


async def test_an_answer_failing_the_output_schema_is_a_final_failure_with_its_errors(
    client: Caller, upstream: UpstreamServer, stack: Stack, http: httpx.AsyncClient
) -> None:
    connector = await client.connector(upstream, {"retry": FAST_RETRY}, output_schema=CHARGE_OUTPUT)
    before = await output_schema_failures(stack, http)
    response = await client.execute(connector)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["upstream_status"], body["attempts"]) == ("failed", 200, 1)
    assert body["output_errors"] == [
        {"key": "/output/charge_id", "message": '"charge_id" is a required property'}
    ]
    assert body["output"]["path"] == "/charges/o-1"  # the answer as received
    assert upstream.calls() == 1  # final: asking again would get the same answer
    assert await output_schema_failures(stack, http) == before + 1


async def test_an_answer_matching_the_output_schema_succeeds_without_errors(
    client: Caller, upstream: UpstreamServer
) -> None:
    schema = {"type": "object", "required": ["method", "path"]}
    connector = await client.connector(upstream, output_schema=schema)
    body = (await client.execute(connector)).json()
    assert body["status"] == "succeeded"
    assert "output_errors" not in body


async def test_a_job_whose_answer_fails_the_output_schema_fails_at_once_with_the_errors(
    client: Caller, upstream: UpstreamServer
) -> None:
    connector = await client.connector(upstream, {"retry": FAST_RETRY}, output_schema=CHARGE_OUTPUT)
    submitted = await client.http.post(
        f"{client.exec_url}/api/v1/jobs",
        json={"connector": connector, "operation": "charge", "payload": {"id": "o-1", "amount": 5}},
        headers=client.exec_headers,
    )
    assert submitted.status_code == 202, submitted.text
    url = f"{client.exec_url}/api/v1/jobs/{submitted.json()['id']}"
    job: dict[str, object] = {}
    for _ in range(100):
        job = (await client.http.get(url, headers=client.exec_headers)).json()
        if job["status"] not in ("queued", "running"):
            break
        await asyncio.sleep(0.1)
    assert job["status"] == "failed", job
    assert str(job["error"]).startswith("output_schema: /output/charge_id: "), job
    assert job["attempts"] == 1
    assert upstream.calls() == 1
