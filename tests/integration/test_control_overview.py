"""The workspace overview on the control-api (``GET /api/v1/overview``): per connector its
breakers, rate limits and recent job attempts, the queue, DLQ and webhook-inbox depths,
the month's budget use and the latest events, all the workspace's own, in one response
that stays a handful of bounded reads on a workspace of 100,000 jobs."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.db.tenant import set_tenant, tenant_transaction
from orchestrator.core.overview import repository
from orchestrator.core.overview.service import COUNT_LIMIT
from orchestrator.core.tenancy.service import BootstrapResult
from orchestrator.core.webhooks.models import WebhookInboxEntry
from tests.integration.test_control_jobs import failing_plane
from tests.support.bulk import seed
from tests.support.control_api import Api, operator_api
from tests.support.durability import until
from tests.support.execution import Caller, caller
from tests.support.factories import fetch_token, new_auditor
from tests.support.stack import Stack
from tests.support.upstream import UpstreamServer
from tests.support.webhooks import stripe_source

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"
BREAKER = {
    "window_size": 2,
    "minimum_calls": 2,
    "failure_rate_threshold": 50,
    "wait_open_s": 60,
    "half_open_calls": 1,
}


async def overview(api: Api, **params: Any) -> dict[str, Any]:
    response = await api.call("GET", "/overview", params=params)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def connector(found: dict[str, Any], name: str) -> dict[str, Any]:
    matches: list[dict[str, Any]] = [c for c in found["connectors"] if c["name"] == name]
    [match] = matches
    return match


async def store_inbox(
    sessions: async_sessionmaker[AsyncSession],
    tenant_id: uuid.UUID,
    source_id: str,
    statuses: dict[str, int],
) -> None:
    """Stored deliveries of the source in the given statuses (none has an outbox row, so
    nothing routes them while the test reads)."""
    rows = [
        {
            "id": uuid.uuid4(),
            "tenant_id": tenant_id,
            "source_id": uuid.UUID(source_id),
            "provider": "stripe",
            "dedupe_id": f"evt_{uuid.uuid4().hex}",
            "routing": {},
            "headers": {},
            "body": b"{}",
            "status": status,
        }
        for status, count in statuses.items()
        for _ in range(count)
    ]
    async with tenant_transaction(sessions, tenant_id) as session:
        await session.execute(insert(WebhookInboxEntry), rows)


async def test_the_overview_counts_what_the_workspace_holds_and_shows_its_latest_events(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    other_tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    upstream: UpstreamServer,
) -> None:
    upstream.fail("*", status=503, times=None)
    plane = await failing_plane(stack, http, tenant, app_sessions, upstream, attempts=1)
    api = await operator_api(http, stack, tenant)
    dead = [await plane.dead("flaky"), await plane.dead("flaky", "refresh")]
    key = uuid.uuid4().hex
    upstream.respond(f"/dlq/{key}", status=200, body={"ok": True})
    done = await plane.settled(await plane.submit("flaky", payload={"key": key}), "succeeded")
    await plane.submit("other", delay_ms=600_000)
    source = await stripe_source(api)
    counts = {"received": 3, "unrouted": 2, "failed": 1, "routed": 4, "ignored": 2}
    await store_inbox(app_sessions, tenant.tenant_id, source, counts)
    # Another workspace's jobs count in its own overview only.
    theirs = await failing_plane(stack, http, other_tenant, app_sessions, upstream, attempts=1)
    await theirs.dead("flaky")
    await theirs.submit("flaky", delay_ms=600_000)

    found = await overview(api)
    assert found["workspace_id"] == str(tenant.tenant_id)
    assert found["gate_state_available"] is True
    assert found["jobs"] == {"queued": 1, "running": 0, "dead": 2}
    assert found["webhook_inbox"] == {"received": 3, "unrouted": 2, "failed": 1}
    assert found["count_limit"] == 10_000
    assert [c["name"] for c in found["connectors"]] == ["flaky", "other"]
    assert found["more_connectors"] is False

    # Job attempts of the last 15 minutes, by connector: two failed, one succeeded.
    assert found["recent"] == {"window_s": 900, "limit": 1000, "attempts_read": 3}
    flaky = connector(found, "flaky")
    recent = flaky["recent"]
    assert (recent["attempts"], recent["succeeded"], recent["failed"], recent["running"]) == (
        3,
        1,
        2,
        0,
    )
    assert recent["error_rate"] == pytest.approx(2 / 3)
    assert 0 <= recent["p50_ms"] <= recent["p95_ms"] <= recent["max_ms"]
    assert connector(found, "other")["recent"]["attempts"] == 0
    assert connector(found, "other")["recent"]["error_rate"] is None
    # Their policy has no breaker and no rate limit: nothing to read per operation.
    assert flaky["breaker"] is None
    assert flaky["operations"] == [
        {"name": "fetch", "breaker": None, "rate_limit": None},
        {"name": "refresh", "breaker": None, "rate_limit": None},
    ]
    assert (flaky["type"], flaky["enabled"], flaky["policy"]) == ("http", True, "p-flaky")

    # No budget set: nothing is counted against one.
    budget = found["budget"]
    assert budget["monthly_calls"] is None
    assert budget["remaining"] is None
    assert budget["period"] == dt.datetime.now(dt.UTC).strftime("%Y-%m")

    # The latest events, newest first, are the tail of the exec-api's own log, ids and all.
    exec_events = f"{stack.url('exec-api')}/api/v1/events"
    tail: list[dict[str, Any]] = []

    async def settled() -> bool:
        log = await http.get(exec_events, params={"limit": 1000}, headers=plane.auth)
        tail[:] = list(reversed(log.json()["items"]))[:5]
        shown = (await overview(api, events=5))["events"]
        return bool(shown == tail)

    assert await until(settled, timeout_s=10), tail
    assert {e["job_id"] for e in tail if e["type"] == "job.succeeded"} == {done["id"]}
    after = await http.get(exec_events, params={"after": tail[0]["id"]}, headers=plane.auth)
    assert after.json()["items"] == []
    log = await http.get(exec_events, params={"limit": 1000}, headers=plane.auth)
    assert len((await overview(api))["events"]) == min(20, len(log.json()["items"]))
    assert (await overview(api, events=0))["events"] == []
    assert {e["job_id"] for e in (await overview(api, events=100))["events"]} >= {
        job["id"] for job in dead
    }

    theirs_api = await operator_api(http, stack, other_tenant)
    assert (await overview(theirs_api))["jobs"] == {"queued": 1, "running": 0, "dead": 1}
    foreign = await api.call("GET", "/overview", params={"workspace": str(other_tenant.tenant_id)})
    assert foreign.status_code == 404
    assert foreign.headers["content-type"] == PROBLEM
    for params in ({"events": 101}, {"events": -1}):
        refused = await api.call("GET", "/overview", params=params)
        assert refused.status_code == 400, refused.text


async def test_an_open_breaker_a_rate_limit_and_the_budget_show_as_the_gate_keeps_them(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult, upstream: UpstreamServer
) -> None:
    client: Caller = await caller(http, stack, tenant)
    quota = await client.operator.write("PUT", "/quotas", {"monthly_calls": 1000})
    assert quota.status_code == 200, quota.text
    tripped = await client.connector(upstream, {"retry": {"max_attempts": 1}, "breaker": BREAKER})
    wary = await client.connector(upstream, {"retry": {"max_attempts": 1}, "breaker": BREAKER})
    limited = await client.connector(upstream, {"rate_limit": {"limit": 5, "period_s": 60}})
    upstream.fail("/charges/trip", status=500, times=None)
    upstream.fail("/charges/wary", status=500, times=None)
    trip = {"id": "trip", "amount": 5}
    assert [(await client.execute(tripped, trip)).status_code for _ in range(3)] == [502, 502, 503]
    assert (await client.execute(wary, {"id": "wary", "amount": 5})).status_code == 502
    for _ in range(2):
        assert (await client.execute(limited)).status_code == 200
    before = time.time()

    found = await overview(client.operator)
    assert found["gate_state_available"] is True

    opened = connector(found, tripped)
    assert opened["breaker"] == "open"
    [charge] = opened["operations"]
    assert charge["name"] == "charge"
    assert charge["rate_limit"] is None
    breaker = charge["breaker"]
    assert breaker["state"] == "open"
    since = dt.datetime.fromisoformat(breaker["since"])
    assert before - 30 < since.timestamp() <= before + 1
    assert dt.datetime.fromisoformat(breaker["open_until"]) == since + dt.timedelta(seconds=60)
    assert (breaker["calls"], breaker["failures"], breaker["slow"]) == (0, 0, 0)

    closed = connector(found, wary)
    assert closed["breaker"] == "closed"
    counted = closed["operations"][0]["breaker"]
    assert counted["state"] == "closed"
    assert (counted["calls"], counted["failures"], counted["open_until"]) == (1, 1, None)

    rate = connector(found, limited)
    assert rate["breaker"] is None  # its policy has no breaker
    limit = rate["operations"][0]["rate_limit"]
    assert (limit["limit"], limit["period_s"], limit["burst"], limit["remaining"]) == (5, 60, 5, 3)
    assert 0 < limit["reset_s"] <= 24
    assert rate["operations"][0]["breaker"] is None

    # Five calls went upstream (the refused one did not): all against the budget.
    assert upstream.calls() == 5
    assert found["budget"] | {"resets_at": None} == {
        "period": dt.datetime.now(dt.UTC).strftime("%Y-%m"),
        "used": 5,
        "monthly_calls": 1000,
        "remaining": 995,
        "warning_at": 950,
        "resets_at": None,
    }
    # Synchronous calls are not job attempts: the breakers' windows count them instead.
    assert all(c["recent"]["attempts"] == 0 for c in found["connectors"])
    assert found["jobs"] == {"queued": 0, "running": 0, "dead": 0}


async def test_an_auditor_reads_the_overview(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    auditor = await new_auditor(app_sessions, tenant)
    base = stack.url("control-api")
    token = await fetch_token(http, base, auditor.client_id, auditor.client_secret)
    found = await overview(Api(http, base, token))
    assert found["workspace_id"] == str(tenant.tenant_id)
    assert found["connectors"] == []
    assert found["jobs"] == {"queued": 0, "running": 0, "dead": 0}


async def explain(session: AsyncSession, sql: str, params: dict[str, Any]) -> str:
    """The plan of ``sql`` (as the runtime role, under RLS)."""
    rows = await session.execute(text(f"EXPLAIN {sql}"), params)
    return "\n".join(str(row[0]) for row in rows)


async def test_the_overview_stays_a_few_bounded_reads_on_a_workspace_of_100000_jobs(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    api = await operator_api(http, stack, tenant)
    source = await stripe_source(api)
    await seed(owner_sessions, tenant.tenant_id, source)

    found = await overview(api, events=5)
    # A depth stops counting at the limit; the others are exact.
    assert found["jobs"] == {"queued": 10_000, "running": 0, "dead": 3_000}
    assert found["webhook_inbox"] == {"received": 1_000, "unrouted": 1_000, "failed": 1_000}
    # More attempts started in the window than are read: only the latest are.
    assert found["recent"]["attempts_read"] == 1_000
    assert [e["data"]["n"] for e in found["events"]] == [100000, 99999, 99998, 99997, 99996]

    # What keeps it fast is the plans (a timed assertion would only measure the machine).
    async with app_sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        query = repository.depths_query(tenant.tenant_id, limit=COUNT_LIMIT)
        connection = await session.connection()
        compiled = query.compile(dialect=connection.dialect)
        plan = "\n".join(
            str(row[0])
            for row in await connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params)
        )
        assert "Seq Scan" not in plan, plan
        assert "ix_jobs_tenant_id_status_created_at" in plan, plan
        assert "ix_webhook_inbox_tenant_id_status" in plan, plan
        params = {"tenant_id": tenant.tenant_id, "window_s": 900, "limit": 1000}
        plan = await explain(session, str(repository.RECENT_ATTEMPTS), params)
        assert "ix_job_runs_tenant_id_started_at" in plan, plan
        assert "Seq Scan" not in plan, plan
        assert "Hash" not in plan, plan  # no hash of the jobs table: a lookup per attempt
