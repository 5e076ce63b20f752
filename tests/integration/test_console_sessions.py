"""The console's session store on a real Redis: idle expiry, token expiry, one claim each."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from orchestrator.cli.infra import Infra
from orchestrator.console.sessions import ConsoleSession, GuestPass, SessionStore, session_expiry


def a_session(token_expires_at: float) -> ConsoleSession:
    return ConsoleSession(
        token="header.payload.signature",
        token_expires_at=int(token_expires_at),
        csrf="csrf",
        subject="op:someone",
        role="OperatorAdmin",
        organization_id=str(uuid.uuid4()),
        workspace_id=str(uuid.uuid4()),
        permissions=["audit:read"],
    )


@pytest.fixture
async def redis(infra: Infra) -> AsyncIterator[Redis]:
    client = Redis.from_url(infra.redis_url)
    yield client
    await client.aclose()


def store(redis: Redis, idle_s: int) -> SessionStore:
    return SessionStore(redis, f"test-{uuid.uuid4().hex[:8]}", idle_s)


def test_a_session_ends_at_its_idle_timeout_or_its_tokens_expiry_whichever_first() -> None:
    assert session_expiry(token_expires_at=1_000, idle_s=60, now=100.0) == 160.0
    assert session_expiry(token_expires_at=120, idle_s=60, now=100.0) == 120.0


def test_a_guests_token_is_due_past_half_its_life_and_never_at_its_cap() -> None:
    guest = GuestPass(lifetime_s=900, ends_at=10_000)
    assert not guest.due(token_expires_at=1_900, now=1_000.0)  # 900 s left
    assert not guest.due(token_expires_at=1_900, now=1_449.0)
    assert guest.due(token_expires_at=1_900, now=1_451.0)  # less than half left
    assert not guest.due(token_expires_at=10_000, now=9_900.0)  # it ends at the cap anyway


async def test_only_one_request_of_a_session_refreshes_its_token_at_a_time(redis: Redis) -> None:
    sessions = store(redis, idle_s=60)
    session_id = await sessions.create(a_session(time.time() + 600))
    claims = await asyncio.gather(*(sessions.claim_refresh(session_id) for _ in range(10)))
    assert claims.count(True) == 1


async def test_a_refresh_racing_a_sign_out_does_not_bring_the_session_back(
    redis: Redis,
) -> None:
    sessions = store(redis, idle_s=60)
    session = a_session(time.time() + 600)
    session_id = await sessions.create(session)
    session.token = "refreshed"
    assert await sessions.replace(session_id, session, live_only=True)
    assert await sessions.destroy(session_id) is not None
    assert not await sessions.replace(session_id, session, live_only=True)
    assert await sessions.load(session_id) is None
    assert await sessions.claim_ended(time.time() + 3600) == []


async def test_the_cookie_is_not_the_key_and_loading_restarts_the_idle_clock(
    redis: Redis,
) -> None:
    sessions = store(redis, idle_s=2)
    cookie = await sessions.create(a_session(time.time() + 600))
    assert await redis.exists(sessions.prefix + cookie) == 0
    first = await sessions.load(cookie)
    assert first is not None
    await asyncio.sleep(1.2)
    second = await sessions.load(cookie)
    assert second is not None
    assert second.expires_at > first.expires_at
    await asyncio.sleep(2.2)
    assert await sessions.load(cookie) is None


async def test_an_ended_session_is_claimed_once_with_its_token(redis: Redis) -> None:
    sessions = store(redis, idle_s=600)
    cookie = await sessions.create(a_session(time.time() + 1))
    assert await sessions.claim_ended(time.time()) == []
    later = time.time() + 2
    claimed = await sessions.claim_ended(later)
    assert [s.token for s in claimed] == ["header.payload.signature"]
    assert await sessions.claim_ended(later) == []
    assert await sessions.load(cookie) is None


async def test_a_changed_session_survives_a_concurrent_load(redis: Redis) -> None:
    sessions = store(redis, idle_s=600)
    cookie = await sessions.create(a_session(time.time() + 600))
    stale = await sessions.load(cookie)
    assert stale is not None
    stale.role = "Support"
    await sessions.replace(cookie, stale)
    await sessions.load(cookie)  # the once-a-second check, landing just after
    reloaded = await sessions.load(cookie)
    assert reloaded is not None
    assert reloaded.role == "Support"
