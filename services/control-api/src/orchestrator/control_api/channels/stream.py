"""A watcher's live stream: a snapshot, then every event of the workspace's channel.

The stream lives as long as its session: it renews the session every heartbeat and ends
when the session is closed (by the user, or by a fourth opening) or expires, when the
token is revoked or expires (checked every ``CHECK_S``: a revoked guest is cut within a
second), or when the watcher falls too far behind. A reconnecting client gets the
counters now, never a history.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

from litestar.response import ServerSentEventMessage

from orchestrator.core.auth.verifier import TokenVerifier
from orchestrator.core.channels.events import DECODER, ENCODER, ChannelEvent
from orchestrator.core.channels.fanout import OVERFLOW, RESYNC
from orchestrator.core.channels.service import ChannelRuntime, Participant
from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.errors import Problem
from orchestrator.core.runtime import Resources

CHECK_S = 0.2
"""How often a stream re-checks its token (revocation) while no event arrives."""
RETRY_MS = 2000
_CLOSED = b'{"type":"closed"'


def message(event: ChannelEvent, data: bytes | None = None) -> ServerSentEventMessage:
    """An event as an SSE message: ``event:`` its type, ``data:`` its JSON."""
    body = ENCODER.encode(event) if data is None else data
    return ServerSentEventMessage(event=event.type, data=body.decode())


async def channel_stream(
    resources: Resources,
    runtime: ChannelRuntime,
    participant: Participant,
    session_id: str,
    *,
    token: str,
    verifier: TokenVerifier,
) -> AsyncIterator[ServerSentEventMessage]:
    """The SSE messages of one watcher's stream, live, until it must end."""
    workspace_id = participant.workspace_id
    queue = runtime.hub.watch(workspace_id)

    async def snapshot() -> ServerSentEventMessage:
        async with tenant_transaction(resources.sessions, workspace_id) as session:
            return message(await runtime.snapshot(session, workspace_id))

    def closed() -> ServerSentEventMessage:
        return message(ChannelEvent(type="closed", workspace_id=workspace_id, closed=[session_id]))

    try:
        yield ServerSentEventMessage(data=None, comment="connected", retry=RETRY_MS)
        yield await snapshot()
        renewed = time.monotonic()
        while True:
            try:
                await verifier.verify(token)
            except Problem:  # revoked or expired: the client signs in again
                return
            item: bytes | None = None
            with contextlib.suppress(TimeoutError):
                item = await asyncio.wait_for(queue.get(), CHECK_S)
            if time.monotonic() - renewed >= runtime.settings.heartbeat_s:
                if not await runtime.sessions.touch(workspace_id, participant.key, session_id):
                    yield closed()
                    return
                renewed = time.monotonic()
                yield ServerSentEventMessage(data=None, comment="keep-alive")
            if item is None:
                continue
            if item == OVERFLOW:
                return
            if item == RESYNC:
                yield await snapshot()
                continue
            if item.startswith(_CLOSED):
                event = DECODER.decode(item)
                if event.closed and session_id in event.closed:
                    yield closed()
                    return
                continue
            yield ServerSentEventMessage(event=_type_of(item), data=item.decode())
    finally:
        runtime.hub.unwatch(workspace_id, queue)


def _type_of(item: bytes) -> str:
    # Events are encoded with ``type`` first: {"type":"<type>",...}
    start = len(b'{"type":"')
    return item[start : item.index(b'"', start)].decode()
