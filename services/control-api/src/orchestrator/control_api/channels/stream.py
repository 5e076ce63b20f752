"""A watcher's live stream: a snapshot, then every event of the workspace's channel.

The stream lives as long as its session: it renews the session every heartbeat and ends
when the session is closed (by the user, or by a fourth opening) or expires, when the
token is revoked or expires, or when the watcher falls too far behind. A reconnecting
client gets the counters now, never a history.

A stream wakes only for news: an event, its heartbeat, its token's expiry, or a
``RECHECK`` the process's one revocation follower (``follow_revocations``) puts in every
queue when a token, a subject or a key was revoked, so a revoked guest is cut within a
second. Events arrive framed for SSE once for every watcher (``fanout.frame``) and are
handed on as they are: a thousand watchers cost a thousand socket writes, not a thousand
encodings and a thousand timers.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

from litestar.response import ServerSentEventMessage

from orchestrator.core.auth.verifier import TokenVerifier
from orchestrator.core.channels.events import DECODER, ENCODER, ChannelEvent
from orchestrator.core.channels.fanout import (
    CLOSED_FRAME,
    OVERFLOW,
    RECHECK,
    RESYNC,
    ChannelHub,
    body_of,
    frame,
)
from orchestrator.core.channels.service import ChannelRuntime, Participant
from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.errors import Problem
from orchestrator.core.runtime import Resources

CHECK_S = 0.2
"""How often the process looks for a revocation or a key change (one task a process)."""
RETRY_MS = 2000
SSE_HEADERS = {"Cache-Control": "no-cache", "Connection": "keep-alive", "X-Accel-Buffering": "no"}


def message(event: ChannelEvent) -> bytes:
    """An event as an SSE message: ``event:`` its type, ``data:`` its JSON."""
    return frame(ENCODER.encode(event))


def comment(text: str, *, retry_ms: int | None = None) -> bytes:
    """An SSE comment (ignored by clients; keeps proxies from closing an idle stream)."""
    return ServerSentEventMessage(data=None, comment=text, retry=retry_ms).encode()


async def channel_stream(
    resources: Resources,
    runtime: ChannelRuntime,
    participant: Participant,
    session_id: str,
    *,
    token: str,
    verifier: TokenVerifier,
) -> AsyncIterator[bytes]:
    """The SSE messages of one watcher's stream, live, until it must end."""
    workspace_id = participant.workspace_id
    loop = asyncio.get_running_loop()
    heartbeat_s = runtime.settings.heartbeat_s
    # Registered before the token is checked: a revocation after the check reaches the
    # queue as a RECHECK.
    queue = runtime.hub.watch(workspace_id)

    async def snapshot() -> bytes:
        async with tenant_transaction(resources.sessions, workspace_id) as session:
            return message(await runtime.snapshot(session, workspace_id))

    def closed() -> bytes:
        return message(ChannelEvent(type="closed", workspace_id=workspace_id, closed=[session_id]))

    try:
        try:
            principal = await verifier.verify(token)
        except Problem:
            return
        # Past this moment the verifier refuses the token: wake then and end.
        expires = loop.time() + principal.expires_at + resources.settings.auth.leeway_s
        expires += 0.05 - time.time()
        yield comment("connected", retry_ms=RETRY_MS)
        yield await snapshot()
        renewed = loop.time()
        while True:
            item: bytes | None = None
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout_at(min(renewed + heartbeat_s, expires)):
                    item = await queue.get()
            if item is None or item == RECHECK:
                try:
                    await verifier.verify(token)
                except Problem:  # revoked or expired: the client signs in again
                    return
            if loop.time() - renewed >= heartbeat_s:
                if not await runtime.sessions.touch(workspace_id, participant.key, session_id):
                    yield closed()
                    return
                renewed = loop.time()
                yield comment("keep-alive")
            if item is None or item == RECHECK:
                continue
            if item == OVERFLOW:
                return
            if item == RESYNC:
                yield await snapshot()
                continue
            if item.startswith(CLOSED_FRAME):
                event = DECODER.decode(body_of(item))
                if event.closed and session_id in event.closed:
                    yield closed()
                    return
                continue
            yield item
    finally:
        runtime.hub.unwatch(workspace_id, queue)


async def follow_revocations(resources: Resources, hub: ChannelHub) -> None:
    """Tell every stream of this process to verify its token when a revocation or the key
    set changed (forever; cancel to stop)."""
    seen = (resources.denylist.generation, resources.keystore.kids)
    while True:
        await asyncio.sleep(CHECK_S)
        now = (resources.denylist.generation, resources.keystore.kids)
        if now != seen:
            seen = now
            hub.recheck()
