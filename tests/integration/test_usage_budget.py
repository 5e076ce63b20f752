"""A workspace's monthly call budget on the running stack: spent by /execute and by jobs,
refused past it, warned of at 95 % in the event log, read back at /api/v1/quotas/usage,
and raised again by an operator without losing a job."""

from __future__ import annotations

import math
import time
from typing import Any

import httpx
import pytest

from orchestrator.core.policy.budget import period_at
from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.durability import until
from tests.support.execution import Caller, caller
from tests.support.stack import Stack
from tests.support.upstream import UpstreamServer

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"
QUICK_RETRY = {"max_attempts": 3, "base_delay_s": 0.01, "max_delay_s": 0.05}


@pytest.fixture
async def client(stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult) -> Caller:
    return await caller(http, stack, tenant)


async def set_budget(client: Caller, budget: int | None) -> None:
    response = await client.operator.write("PUT", "/quotas", {"monthly_calls": budget})
    assert response.status_code == 200, response.text
    assert response.json()["monthly_calls"] == budget


async def usage(client: Caller) -> dict[str, Any]:
    response = await client.operator.call("GET", "/quotas/usage")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def events_of_type(client: Caller, type_: str) -> list[dict[str, Any]]:
    response = await client.http.get(
        f"{client.exec_url}/api/v1/events", headers=client.exec_headers
    )
    assert response.status_code == 200, response.text
    return [event for event in response.json()["items"] if event["type"] == type_]


async def test_execute_spends_the_budget_is_refused_past_it_and_warned_of_once(
    client: Caller, upstream: UpstreamServer
) -> None:
    await set_budget(client, 20)
    connector = await client.connector(upstream)  # read after the budget is set
    for _ in range(20):
        answer = await client.execute(connector)
        assert answer.status_code == 200, answer.text

    refused = await client.execute(connector)
    assert refused.status_code == 429, refused.text
    assert refused.headers["content-type"].startswith(PROBLEM)
    body = refused.json()
    assert body["type"].endswith("budget-spent")
    period = period_at(time.time())
    assert body["budget"] == 20
    assert body["resets_at"] == period.ends_at.isoformat().replace("+00:00", "Z")
    to_month_end = period.ends_at_s - time.time()
    assert abs(int(refused.headers["retry-after"]) - math.ceil(to_month_end)) <= 5
    assert upstream.calls() == 20  # the refused call never left

    spent = await usage(client)
    assert spent["period"] == period.name
    assert (spent["used"], spent["monthly_calls"], spent["remaining"]) == (20, 20, 0)
    assert spent["warning_at"] == 19

    async def warned() -> bool:
        return bool(await events_of_type(client, "quota.budget_warning"))

    assert await until(warned, timeout_s=10)
    warnings = await events_of_type(client, "quota.budget_warning")
    assert [w["data"] for w in warnings] == [
        {"period": period.name, "used": 19, "budget": 20, "resets_at": body["resets_at"]}
    ]


async def test_every_attempt_counts_and_raising_the_budget_lets_calls_through_at_once(
    client: Caller, upstream: UpstreamServer
) -> None:
    await set_budget(client, 3)
    connector = await client.connector(upstream, {"retry": QUICK_RETRY})
    upstream.fail(status=503, times=2)
    answer = await client.execute(connector)
    assert (answer.status_code, answer.json()["attempts"]) == (200, 3), answer.text
    assert (await usage(client))["used"] == 3
    assert (await client.execute(connector)).status_code == 429

    await set_budget(client, 4)  # announced: the exec-api drops the plan it held
    assert (await client.execute(connector)).status_code == 200
    assert (await usage(client))["remaining"] == 0


async def test_a_job_past_the_budget_waits_in_the_dlq_and_runs_once_replayed(
    client: Caller, upstream: UpstreamServer
) -> None:
    await set_budget(client, 1)
    connector = await client.connector(upstream, {"retry": QUICK_RETRY})
    assert (await client.execute(connector)).status_code == 200  # the whole budget
    jobs = f"{client.exec_url}/api/v1/jobs"
    submitted = await client.http.post(
        jobs,
        json={"connector": connector, "operation": "charge", "payload": {"id": "j", "amount": 1}},
        headers=client.exec_headers,
    )
    assert submitted.status_code == 202, submitted.text
    job_url = f"{jobs}/{submitted.json()['id']}"
    seen: dict[str, Any] = {}

    async def reached(status: str) -> bool:
        seen.update((await client.http.get(job_url, headers=client.exec_headers)).json())
        return bool(seen["status"] == status)

    assert await until(lambda: reached("dead"), timeout_s=20), seen
    assert (seen["attempts"], seen["error"]) == (3, "quota_budget")
    assert upstream.calls() == 1  # only the /execute call reached it

    await set_budget(client, 2)
    replayed = await client.http.post(f"{job_url}/retry", headers=client.exec_headers)
    assert replayed.status_code == 202, replayed.text
    assert await until(lambda: reached("succeeded"), timeout_s=20), seen
    assert upstream.calls() == 2


async def test_without_a_budget_nothing_is_counted_or_refused(
    client: Caller, upstream: UpstreamServer
) -> None:
    connector = await client.connector(upstream)
    for _ in range(3):
        assert (await client.execute(connector)).status_code == 200
    unbudgeted = await usage(client)
    assert (unbudgeted["used"], unbudgeted["monthly_calls"]) == (0, None)
    assert (unbudgeted["remaining"], unbudgeted["warning_at"]) == (None, None)
    previous = period_at(period_at(time.time()).starts_at.timestamp() - 1)
    assert unbudgeted["previous"] == {"period": previous.name, "used": None}


async def test_a_budget_out_of_range_is_a_422(client: Caller) -> None:
    for bad in (0, -1, 10**13, "many"):
        response = await client.operator.write("PUT", "/quotas", {"monthly_calls": bad})
        assert response.status_code in (400, 422), response.text
        assert response.headers["content-type"].startswith(PROBLEM)
