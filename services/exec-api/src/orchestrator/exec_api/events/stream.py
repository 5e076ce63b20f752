"""The SSE stream: read the log from a cursor, send, and sleep until notified.

Reads happen in short transactions of their own, never one held open. A
stream wakes on the hub's notification for its tenant; when the newest events
are not final yet (an older transaction is still open) it looks again after a
short, growing pause; with nothing to do it sends a comment as a heartbeat
and reads once anyway, which also covers a lost notification.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import msgspec
from litestar.response import ServerSentEventMessage
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.events import log, retention
from orchestrator.core.events.cursor import EventCursor
from orchestrator.core.events.hub import EventHub
from orchestrator.core.events.views import to_out


@dataclass(frozen=True, slots=True)
class StreamConfig:
    """Pacing of one stream."""

    batch: int = 500
    heartbeat_s: float = 15.0
    pending_first_s: float = 0.02
    pending_max_s: float = 1.0
    retry_ms: int = 2000
    """What the client should wait before reconnecting (SSE ``retry:``)."""


async def start_cursor(
    sessions: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID, resume: EventCursor | None
) -> EventCursor:
    """Where a stream begins: after ``resume`` (410 when retention deleted events after
    it), or after every event final now."""
    async with tenant_transaction(sessions, tenant_id) as session:
        if resume is not None:
            await retention.check_cursor(session, tenant_id, resume)
            return resume
        return await log.tail(session)


async def event_stream(
    sessions: async_sessionmaker[AsyncSession],
    hub: EventHub,
    tenant_id: uuid.UUID,
    cursor: EventCursor,
    *,
    until: float,
    config: StreamConfig | None = None,
    resumed: bool = False,
) -> AsyncIterator[ServerSentEventMessage]:
    """Events after ``cursor`` as SSE messages, live, until the wall clock reaches ``until``
    (the token's expiry: the client reconnects with a fresh one and ``Last-Event-ID``).

    ``resumed``: ``cursor`` came from the client, and was checked against the retention
    horizon before the response started; the first read checks it again, and ends the
    stream if a purge moved the horizon past it in between (the reconnect gets the 410).
    """
    cfg = config or StreamConfig()
    recheck = resumed
    waiter = hub.subscribe(str(tenant_id))
    pending_pause = cfg.pending_first_s
    try:
        yield ServerSentEventMessage(data=None, comment="connected", retry=cfg.retry_ms)
        while time.time() < until:
            waiter.clear()  # before reading: a notification during the read is kept
            async with tenant_transaction(sessions, tenant_id) as session:
                page = await log.read_after(session, tenant_id, cursor, limit=cfg.batch)
                if recheck and retention.is_expired(
                    cursor, await retention.horizon(session, tenant_id)
                ):
                    return
            recheck = False
            for event in page.events:
                out = to_out(event)
                yield ServerSentEventMessage(
                    id=out.id, event=out.type, data=msgspec.json.encode(out).decode()
                )
            cursor = page.next
            if len(page.events) == cfg.batch:
                continue
            if page.pending:
                pause, pending_pause = pending_pause, min(pending_pause * 2, cfg.pending_max_s)
            else:
                pause, pending_pause = cfg.heartbeat_s, cfg.pending_first_s
            pause = max(min(pause, until - time.time()), 0.0)
            woken = False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter.wait(), pause)
                woken = True
            if not woken and not page.pending:
                yield ServerSentEventMessage(data=None, comment="keep-alive")
    finally:
        hub.unsubscribe(str(tenant_id), waiter)
