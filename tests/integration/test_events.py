"""The event log: paged reads and the SSE stream, live and resumed, with no gap and no
duplicate, including events whose transactions commit out of id order."""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.db.tenant import set_tenant, tenant_transaction
from orchestrator.core.events import log
from orchestrator.core.events.cursor import CursorCodec, EventCursor
from orchestrator.core.events.hub import EventHub
from orchestrator.core.events.wake import events_channel
from orchestrator.core.settings import CoreSettings
from orchestrator.core.tenancy.service import BootstrapResult
from orchestrator.exec_api.events.stream import StreamConfig, event_stream
from tests.support.event_log import Log
from tests.support.jobs import SseEvent, add_connector, exec_headers, sse_events
from tests.support.stack import Stack

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("event_cursors")]

EVENTS = "/api/v1/events"
JOB = {"connector": "echo", "operation": "get", "payload": {}, "delay_ms": 600_000}


@pytest.fixture
async def auth(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> dict[str, str]:
    await add_connector(app_sessions, tenant.tenant_id)
    return await exec_headers(http, stack, tenant)


class Stream:
    """An open SSE connection read by a task of its own (a timed-out read must not close it);
    ``next()`` returns the next event, skipping comments."""

    def __init__(self, events: AsyncIterator[SseEvent]) -> None:
        self._queue: asyncio.Queue[SseEvent | None] = asyncio.Queue()
        self._reader = asyncio.create_task(self._read(events))
        self.comments: list[str] = []

    async def _read(self, events: AsyncIterator[SseEvent]) -> None:
        try:
            async for event in events:
                await self._queue.put(event)
        finally:
            await self._queue.put(None)

    async def next(self, wait_s: float = 5.0) -> SseEvent:
        async with asyncio.timeout(wait_s):
            while (event := await self._queue.get()) is not None:
                if event.comment is None:
                    return event
                self.comments.append(event.comment)
        raise AssertionError("the stream ended")

    async def nothing_for(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            event = await self.next(seconds)
            raise AssertionError(f"unexpected event {event}")

    async def close(self) -> None:
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader


@contextlib.asynccontextmanager
async def open_stream(
    http: httpx.AsyncClient, url: str, headers: dict[str, str]
) -> AsyncIterator[Stream]:
    async with http.stream("GET", url, headers=headers, timeout=None) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = sse_events(response)
        first = await anext(events)
        assert first.comment == "connected"
        stream = Stream(events)
        try:
            yield stream
        finally:
            await stream.close()


async def submit(http: httpx.AsyncClient, stack: Stack, auth: dict[str, str]) -> str:
    response = await http.post(f"{stack.url('exec-api')}/api/v1/jobs", json=JOB, headers=auth)
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


async def test_events_page_by_cursor_and_stay_in_their_tenant(
    stack: Stack, http: httpx.AsyncClient, auth: dict[str, str], other_tenant: BootstrapResult
) -> None:
    jobs = await Log(http, stack, auth).settled(3)
    url = stack.url("exec-api") + EVENTS
    first = (await http.get(url, params={"limit": 2}, headers=auth)).json()
    second = (
        await http.get(url, params={"limit": 2, "after": first["next_cursor"]}, headers=auth)
    ).json()
    items = first["items"] + second["items"]
    assert [(e["type"], e["job_id"]) for e in items] == [("job.queued", j) for j in jobs]
    assert len({e["id"] for e in items}) == 3
    empty = (await http.get(url, params={"after": second["next_cursor"]}, headers=auth)).json()
    assert empty == {"items": [], "next_cursor": second["next_cursor"]}
    one = (await http.get(url, params={"job_id": jobs[1]}, headers=auth)).json()
    assert [e["job_id"] for e in one["items"]] == [jobs[1]]
    other = await exec_headers(http, stack, other_tenant)
    assert (await http.get(url, headers=other)).json()["items"] == []
    bad = await http.get(url, params={"after": "not-a-cursor"}, headers=auth)
    assert bad.status_code == 400


async def test_event_ids_are_opaque_and_show_no_platform_wide_counter(
    stack: Stack,
    http: httpx.AsyncClient,
    auth: dict[str, str],
    app_sessions: async_sessionmaker[AsyncSession],
    tenant: BootstrapResult,
) -> None:
    await submit(http, stack, auth)
    url = stack.url("exec-api") + EVENTS
    page = (await http.get(url, headers=auth)).json()
    async with tenant_transaction(app_sessions, tenant.tenant_id) as session:
        stored = (await session.execute(text("SELECT xid, id FROM event_log"))).all()
    numbers = {str(n) for row in stored for n in row}
    for text_id in [*(e["id"] for e in page["items"]), page["next_cursor"]]:
        assert re.fullmatch(r"[A-Za-z0-9_-]{32}", text_id), text_id
        assert not any(number in text_id for number in numbers if len(number) > 2)
    # Another deployment's key (or an altered id) is not taken back.
    forged = CursorCodec([b"another deployment's 32-byte key"]).encode(EventCursor(1, 1))
    assert (await http.get(url, params={"after": forged}, headers=auth)).status_code == 400


async def test_the_stream_pushes_live_events_and_resumes_with_no_gap_or_duplicate(
    stack: Stack, http: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    url = stack.url("exec-api") + EVENTS + "/stream"
    async with open_stream(http, url, auth) as stream:
        started = time.perf_counter()
        first_job = await submit(http, stack, auth)
        first = await stream.next()
        latency = time.perf_counter() - started
        assert (first.event, first.json()["job_id"]) == ("job.queued", first_job)
        assert first.id == first.json()["id"]
        # Pushed, not found by the 15 s heartbeat read (bound wide: a loaded box is slow).
        assert latency < 5.0, latency
    missed = [await submit(http, stack, auth) for _ in range(3)]
    resumed_headers = {**auth, "Last-Event-ID": str(first.id)}
    async with open_stream(http, url, resumed_headers) as stream:
        got = [await stream.next() for _ in range(3)]
        assert [e.json()["job_id"] for e in got] == missed
        assert [e.event for e in got] == ["job.queued"] * 3
        live = await submit(http, stack, auth)
        assert (await stream.next()).json()["job_id"] == live
        await stream.nothing_for(0.3)  # and nothing twice


async def test_a_late_commit_with_a_lower_id_is_neither_skipped_nor_reordered(
    stack: Stack,
    http: httpx.AsyncClient,
    auth: dict[str, str],
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    settings: CoreSettings,
) -> None:
    url = stack.url("exec-api") + EVENTS + "/stream"
    redis = Redis.from_url(settings.redis.require_url())

    async def notify() -> None:  # what a committing writer's Waker would send
        await redis.publish(events_channel(settings.redis.namespace), str(tenant.tenant_id))

    async def begin(session: AsyncSession) -> int:
        await session.begin()
        await set_tenant(session, tenant.tenant_id)
        return int(await session.scalar(text("SELECT (pg_current_xact_id()::text)::bigint")))

    async def add(session: AsyncSession, type_: str) -> int:
        await log.append(session, tenant.tenant_id, type_, {})
        return int(await session.scalar(text("SELECT max(id) FROM event_log")) or 0)

    try:
        async with (
            open_stream(http, url, auth) as stream,
            app_sessions() as early,
            app_sessions() as late,
        ):
            xid_early = await begin(early)  # the older transaction...
            xid_late = await begin(late)
            id_late = await add(late, "test.late")  # ...takes the higher id...
            id_early = await add(early, "test.early")
            assert (xid_early < xid_late, id_early > id_late) == (True, True)
            await late.commit()  # ...and commits last.
            await notify()
            await stream.nothing_for(0.5)  # test.late is committed but not final yet
            page = (await http.get(stack.url("exec-api") + EVENTS, headers=auth)).json()
            assert "test.late" not in [e["type"] for e in page["items"]]
            await early.commit()  # no notification: the stream's pending poll finds both
            got = [await stream.next(3.0), await stream.next(3.0)]
            assert [e.event for e in got] == ["test.early", "test.late"]
            cursors = [EventCursor.decode(str(e.id)) for e in got]
            assert cursors == sorted(cursors)
        async with open_stream(http, url, {**auth, "Last-Event-ID": str(got[0].id)}) as stream:
            assert (await stream.next()).event == "test.late"
            await stream.nothing_for(0.3)
    finally:
        await redis.aclose()


async def test_an_idle_stream_sends_heartbeat_comments(
    app_sessions: async_sessionmaker[AsyncSession], settings: CoreSettings, tenant: BootstrapResult
) -> None:
    redis = Redis.from_url(settings.redis.require_url())
    hub = EventHub(redis, f"test-{uuid.uuid4().hex[:8]}")
    hub.start()
    messages: list[Any] = []
    stream = event_stream(
        app_sessions,
        hub,
        tenant.tenant_id,
        EventCursor(2**62, 0),
        until=time.time() + 0.7,
        config=StreamConfig(heartbeat_s=0.2),
    )
    try:
        async for message in stream:
            messages.append(message)
    finally:
        await hub.stop()
        await redis.aclose()
    comments = [m.comment for m in messages]
    assert comments[0] == "connected"
    assert comments.count("keep-alive") >= 2
    assert all(m.data is None for m in messages)  # comments only: no empty events
