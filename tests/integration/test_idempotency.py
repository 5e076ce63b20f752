"""``Idempotency-Key`` exactly as docs/protocols.md §2 says: on ``POST /api/v1/jobs`` of the
running stack, and on a small in-process app for what jobs cannot show (stored 5xx,
a required key)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from litestar import Litestar, Request, Response, post
from litestar.params import FromPath
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.errors import ServiceUnavailable, ValidationFailed
from orchestrator.core.http.problems import EXCEPTION_HANDLERS
from orchestrator.core.idempotency.guard import idempotent
from orchestrator.core.jobs.models import Job
from orchestrator.core.maintenance import chores as maintenance
from orchestrator.core.models import IdempotencyKey
from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.jobs import add_connector, exec_headers
from tests.support.stack import Stack

pytestmark = pytest.mark.integration

JOB = {"connector": "echo", "operation": "get", "payload": {"order": 1}, "delay_ms": 600_000}


@pytest.fixture
async def jobs_api(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> tuple[str, dict[str, str]]:
    await add_connector(app_sessions, tenant.tenant_id)
    return stack.url("exec-api") + "/api/v1/jobs", await exec_headers(http, stack, tenant)


def keyed(auth: dict[str, str], key: str) -> dict[str, str]:
    return {**auth, "Idempotency-Key": key}


async def jobs_with_key(
    owner_sessions: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID, key: str
) -> int:
    async with owner_sessions() as session:
        count = await session.scalar(
            select(func.count()).where(Job.tenant_id == tenant_id, Job.idempotency_key == key)
        )
    return int(count or 0)


async def stored(
    owner_sessions: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID, key: str
) -> IdempotencyKey | None:
    async with owner_sessions() as session:
        return await session.get(IdempotencyKey, (tenant_id, key))


async def test_a_retry_with_the_same_key_and_request_replays_without_running_again(
    http: httpx.AsyncClient,
    jobs_api: tuple[str, dict[str, str]],
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    url, auth = jobs_api
    first = await http.post(url, json=JOB, headers=keyed(auth, "order-1"))
    assert first.status_code == 202, first.text
    assert "idempotent-replayed" not in first.headers
    # The same request, re-serialised with its keys in another order.
    reordered = {k: JOB[k] for k in reversed(list(JOB))}
    again = await http.post(url, json=reordered, headers=keyed(auth, "order-1"))
    assert again.status_code == 202
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    assert await jobs_with_key(owner_sessions, tenant.tenant_id, "order-1") == 1


async def test_the_same_key_with_another_request_is_422(
    http: httpx.AsyncClient,
    jobs_api: tuple[str, dict[str, str]],
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    url, auth = jobs_api
    assert (await http.post(url, json=JOB, headers=keyed(auth, "k"))).status_code == 202
    other = await http.post(url, json={**JOB, "payload": {"order": 2}}, headers=keyed(auth, "k"))
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["code"] == "idempotency-key-reused"
    assert await jobs_with_key(owner_sessions, tenant.tenant_id, "k") == 1


@pytest.fixture
async def submissions_held(
    owner_sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """Holds submissions just after they claim their key: they wait to write their outbox row
    (the key's claim is committed by then). Released when the test ends the transaction."""
    async with owner_sessions() as session:
        await session.begin()
        await session.execute(text("LOCK TABLE outbox IN SHARE MODE"))
        yield session
        if session.in_transaction():
            await session.rollback()


async def wait_in_flight(
    owner_sessions: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID, key: str
) -> None:
    for _ in range(200):
        row = await stored(owner_sessions, tenant_id, key)
        if row is not None and row.state == "in_flight":
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the first request never claimed its key")


async def test_a_retry_while_the_first_runs_is_409_and_stores_nothing(
    http: httpx.AsyncClient,
    jobs_api: tuple[str, dict[str, str]],
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
    submissions_held: AsyncSession,
) -> None:
    url, auth = jobs_api
    first = asyncio.create_task(http.post(url, json=JOB, headers=keyed(auth, "slow")))
    await wait_in_flight(owner_sessions, tenant.tenant_id, "slow")
    retry = await http.post(url, json=JOB, headers=keyed(auth, "slow"))
    assert retry.status_code == 409
    assert retry.json()["code"] == "idempotency-key-in-flight"
    await submissions_held.rollback()  # the first request goes on
    done = await first
    assert done.status_code == 202, done.text
    row = await stored(owner_sessions, tenant.tenant_id, "slow")
    assert row is not None
    assert (row.state, row.status_code, row.response_body) == ("completed", 202, done.content)
    replay = await http.post(url, json=JOB, headers=keyed(auth, "slow"))
    assert (replay.status_code, replay.content) == (202, done.content)
    assert await jobs_with_key(owner_sessions, tenant.tenant_id, "slow") == 1


async def test_two_concurrent_requests_with_one_key_one_runs_the_other_gets_409(
    http: httpx.AsyncClient,
    jobs_api: tuple[str, dict[str, str]],
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
    submissions_held: AsyncSession,
) -> None:
    url, auth = jobs_api
    racers = [
        asyncio.create_task(http.post(url, json=JOB, headers=keyed(auth, "race"))) for _ in range(2)
    ]
    done, _ = await asyncio.wait(racers, timeout=5, return_when=asyncio.FIRST_COMPLETED)
    [loser] = done  # the other holds the key, waiting to write its job
    assert loser.result().status_code == 409
    await submissions_held.rollback()
    statuses = sorted(r.status_code for r in await asyncio.gather(*racers))
    assert statuses == [202, 409]
    assert await jobs_with_key(owner_sessions, tenant.tenant_id, "race") == 1


async def test_a_request_that_fails_validation_stores_nothing_and_a_corrected_retry_runs(
    http: httpx.AsyncClient,
    jobs_api: tuple[str, dict[str, str]],
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    url, auth = jobs_api
    unknown = await http.post(url, json={**JOB, "connector": "nope"}, headers=keyed(auth, "fix"))
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "connector-not-found"
    assert await stored(owner_sessions, tenant.tenant_id, "fix") is None
    unparsable = await http.post(
        url,
        content=b"{not json",
        headers={**keyed(auth, "fix"), "content-type": "application/json"},
    )
    assert unparsable.status_code == 400
    corrected = await http.post(url, json=JOB, headers=keyed(auth, "fix"))
    assert corrected.status_code == 202, corrected.text
    assert "idempotent-replayed" not in corrected.headers
    assert await jobs_with_key(owner_sessions, tenant.tenant_id, "fix") == 1


@pytest.mark.parametrize("key", ["x" * 256, "two words", ""])
async def test_a_malformed_key_is_400(
    http: httpx.AsyncClient, jobs_api: tuple[str, dict[str, str]], key: str
) -> None:
    url, auth = jobs_api
    response = await http.post(url, json=JOB, headers=keyed(auth, key))
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_key_is_per_tenant_and_kept_24_hours_then_a_new_request(
    http: httpx.AsyncClient,
    stack: Stack,
    jobs_api: tuple[str, dict[str, str]],
    tenant: BootstrapResult,
    other_tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    url, auth = jobs_api
    assert (await http.post(url, json=JOB, headers=keyed(auth, "daily"))).status_code == 202
    await add_connector(app_sessions, other_tenant.tenant_id)
    other = await exec_headers(http, stack, other_tenant)
    theirs = await http.post(url, json=JOB, headers=keyed(other, "daily"))
    assert theirs.status_code == 202
    assert "idempotent-replayed" not in theirs.headers
    row = await stored(owner_sessions, tenant.tenant_id, "daily")
    assert row is not None
    lifetime = row.expires_at - row.created_at
    assert lifetime.total_seconds() == pytest.approx(86_400, abs=5)
    async with owner_sessions() as session, session.begin():
        await session.execute(
            text(
                "UPDATE idempotency_keys SET expires_at = now() - interval '1 s' "
                "WHERE tenant_id = :t AND key = 'daily'"
            ),
            {"t": tenant.tenant_id},
        )
    renewed = await http.post(
        url, json={**JOB, "payload": {"new": 1}}, headers=keyed(auth, "daily")
    )
    assert renewed.status_code == 202
    assert "idempotent-replayed" not in renewed.headers
    assert await jobs_with_key(owner_sessions, tenant.tenant_id, "daily") == 2
    # Retention removes expired keys, and only those.
    async with owner_sessions() as session, session.begin():
        await session.execute(
            text(
                "UPDATE idempotency_keys SET expires_at = now() - interval '1 s' WHERE key = 'daily'"
            )
        )
    assert await maintenance.purge_idempotency_keys(app_sessions) >= 2
    assert await stored(owner_sessions, tenant.tenant_id, "daily") is None
    assert await stored(owner_sessions, other_tenant.tenant_id, "daily") is None


# --- The guard on its own: stored 5xx, required keys ---------------------------------------


def guarded_app(
    sessions: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID, calls: list[str]
) -> Litestar:
    """An app whose handlers fail in each way the guard must handle."""

    @post("/work/{mode:str}", status_code=200)
    async def work(request: Request[Any, Any, Any], mode: FromPath[str]) -> Response[Any]:
        async with idempotent(request, sessions, tenant_id, required=mode == "required") as idem:
            if idem.replay is not None:
                return idem.replay
            if mode == "invalid":
                raise ValidationFailed("refused before running")
            idem.started()
            calls.append(mode)
            if mode == "unavailable":
                raise ServiceUnavailable("upstream down", headers={"Retry-After": "7"})
            if mode == "bug":
                raise RuntimeError("boom")
            return await idem.respond({"ran": len(calls)}, status_code=200)

    return Litestar(route_handlers=[work], exception_handlers=EXCEPTION_HANDLERS, debug=False)


@pytest.fixture
async def guarded(
    app_sessions: async_sessionmaker[AsyncSession], tenant: BootstrapResult
) -> AsyncIterator[tuple[AsyncTestClient[Litestar], list[str]]]:
    calls: list[str] = []
    async with AsyncTestClient(guarded_app(app_sessions, tenant.tenant_id, calls)) as client:
        yield client, calls


@pytest.mark.parametrize(("mode", "status"), [("unavailable", 503), ("bug", 500)])
async def test_a_5xx_after_execution_began_is_stored_and_replayed(
    guarded: tuple[AsyncTestClient[Litestar], list[str]], mode: str, status: int
) -> None:
    client, calls = guarded
    key = {"Idempotency-Key": f"fail-{mode}"}
    first = await client.post(f"/work/{mode}", json={"a": 1}, headers=key)
    assert first.status_code == status
    again = await client.post(f"/work/{mode}", json={"a": 1}, headers=key)
    assert (again.status_code, again.content) == (status, first.content)
    assert again.headers["content-type"] == "application/problem+json"
    assert again.headers["idempotent-replayed"] == "true"
    if mode == "unavailable":
        assert again.headers["retry-after"] == "7"
    assert calls == [mode]


async def test_a_refusal_before_execution_stores_nothing(
    guarded: tuple[AsyncTestClient[Litestar], list[str]],
) -> None:
    client, calls = guarded
    key = {"Idempotency-Key": "early"}
    assert (await client.post("/work/invalid", json={}, headers=key)).status_code == 422
    assert (await client.post("/work/ok", json={}, headers=key)).status_code == 200
    assert calls == ["ok"]


async def test_a_required_key_that_is_missing_is_400(
    guarded: tuple[AsyncTestClient[Litestar], list[str]],
) -> None:
    client, calls = guarded
    missing = await client.post("/work/required", json={})
    assert missing.status_code == 400
    assert missing.json()["code"] == "idempotency-key-required"
    assert (await client.post("/work/ok", json={})).status_code == 200  # optional elsewhere
    present = await client.post("/work/required", json={}, headers={"Idempotency-Key": "r"})
    assert present.status_code == 200
    assert calls == ["ok", "required"]
