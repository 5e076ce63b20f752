"""Idle connections are closed by PostgreSQL and replaced, unseen, on next use (ADR 0098).

Every connection of ours asks the server for ``idle_session_timeout``; the pool and the
autocommit connection replace one idle for three quarters of it instead of handing it out,
and the pool is last-in-first-out, so a service that is merely quiet keeps one connection
warm while the rest are closed. Here the timeout is one second, against the real server.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import msgspec
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from orchestrator.core.db.autocommit import AutocommitConnection
from orchestrator.core.db.engine import create_engine, session_factory
from orchestrator.core.settings import CoreSettings, DatabaseSettings

pytestmark = pytest.mark.integration

TIMEOUT_S = 1.0
"""The server's ``idle_session_timeout`` in these tests."""
PAST_IT_S = 2.5
"""An idle spell the server's timeout has surely ended (a loaded machine's margin)."""
FIRST_QUERY_BOUND_S = 1.0
"""The first statement after an idle spell: a new connection on loopback, not a retry."""


def with_timeout(settings: CoreSettings, seconds: float) -> DatabaseSettings:
    """The session's database settings with ``idle_session_timeout`` set to ``seconds``."""
    return msgspec.structs.replace(settings.db, idle_session_timeout_s=seconds)


async def alive(owner_engine: AsyncEngine, pids: set[int]) -> set[int]:
    """Which of the backends ``pids`` the server still runs."""
    async with owner_engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT pid FROM pg_stat_activity WHERE pid = ANY(:pids)"),
            {"pids": list(pids)},
        )
        return {row[0] for row in rows}


async def backend_pid(sessions: async_sessionmaker[AsyncSession]) -> int:
    """The pid of the backend that serves one session's statement."""
    async with sessions() as session:
        return int((await session.execute(text("SELECT pg_backend_pid()"))).scalar_one())


@pytest.fixture
async def short_lived(settings: CoreSettings) -> AsyncIterator[AsyncEngine]:
    """A runtime-role engine whose idle connections the server closes after a second."""
    engine = create_engine(with_timeout(settings, TIMEOUT_S))
    yield engine
    await engine.dispose()


async def test_an_idle_pooled_connection_is_closed_and_the_next_request_gets_a_new_one(
    short_lived: AsyncEngine, owner_engine: AsyncEngine
) -> None:
    sessions = session_factory(short_lived)
    first = await backend_pid(sessions)
    assert await alive(owner_engine, {first}) == {first}

    await asyncio.sleep(PAST_IT_S)

    assert await alive(owner_engine, {first}) == set(), "the server kept the idle backend"
    started = time.monotonic()
    second = await backend_pid(sessions)
    assert time.monotonic() - started < FIRST_QUERY_BOUND_S
    assert second != first


async def test_without_the_timeout_an_idle_connection_stays(
    settings: CoreSettings, owner_engine: AsyncEngine
) -> None:
    engine = create_engine(with_timeout(settings, 0))
    try:
        sessions = session_factory(engine)
        first = await backend_pid(sessions)
        await asyncio.sleep(PAST_IT_S)
        assert await alive(owner_engine, {first}) == {first}
        assert await backend_pid(sessions) == first
    finally:
        await engine.dispose()


async def test_a_quiet_service_keeps_one_connection_and_loses_the_others(
    short_lived: AsyncEngine, owner_engine: AsyncEngine
) -> None:
    sessions = session_factory(short_lived)

    async def held() -> int:
        async with sessions() as session:
            pid = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            await asyncio.sleep(0.2)  # all three at once: three connections
            return int(pid)

    opened = set(await asyncio.gather(held(), held(), held()))
    assert len(opened) == 3
    used: set[int] = set()
    deadline = time.monotonic() + PAST_IT_S
    while time.monotonic() < deadline:  # one statement every 0.2 s, as a poller's
        used.add(await backend_pid(sessions))
        await asyncio.sleep(0.2)

    assert len(used) == 1, "the pool rotated its connections instead of reusing the last"
    assert await alive(owner_engine, opened | used) == used


async def test_an_idle_autocommit_connection_is_replaced_before_its_next_statement(
    settings: CoreSettings, owner_engine: AsyncEngine
) -> None:
    connection = AutocommitConnection(with_timeout(settings, TIMEOUT_S))
    try:

        async def pid() -> int:
            async with connection.use() as raw:
                row = await (await raw.execute("SELECT pg_backend_pid()")).fetchone()
                assert row is not None
                return int(row[0])

        first = await pid()
        assert await pid() == first
        await asyncio.sleep(PAST_IT_S)
        assert await alive(owner_engine, {first}) == set()
        second = await pid()
        assert second != first
    finally:
        await connection.close()
