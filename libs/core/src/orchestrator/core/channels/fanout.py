"""Live fan-out of channel events across replicas: Redis pub/sub in, local queues out.

``publish`` is the one way news enters a channel: participants' actions, presence, and
the orchestrator's own statuses all go through it. Each serving process holds one Redis
subscription (``ChannelHub``), whatever its number of watchers, and hands every message
to the queues of its watchers of that workspace, framed for SSE once for all of them. A
watcher too slow to keep up loses its
stream (it reconnects and gets the counters, not a history); after the subscription
reconnects, every watcher is told to resend a snapshot, since news sent meanwhile is lost.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict

from redis.asyncio import Redis

from orchestrator.core.channels.events import ENCODER, ChannelEvent
from orchestrator.core.notify import Follower

RESYNC = b""
"""Put in every queue after a (re)subscription: send the watcher a fresh snapshot."""
OVERFLOW = b"!"
"""The last item of a queue that overflowed: the stream ends."""
RECHECK = b"?"
"""Put in every queue when this process's revocations or keys change: verify the token."""
CLOSED_FRAME = b"event: closed\n"
"""How the frame of a ``closed`` event starts (its sessions' streams end)."""


def frame(body: bytes) -> bytes:
    """An event's JSON (``type`` first, one line) as an SSE message: ``event:`` its type."""
    start = len(b'{"type":"')
    kind = body[start : body.index(b'"', start)]
    return b"event: " + kind + b"\ndata: " + body + b"\n\n"


def body_of(framed: bytes) -> bytes:
    """The JSON of a framed event."""
    return framed[framed.index(b"\ndata: ") + len(b"\ndata: ") : -2]


def channel_name(namespace: str) -> str:
    """The pub/sub channel of every workspace's channel events."""
    return f"{namespace}:channel-events"


def wire(event: ChannelEvent) -> bytes:
    """An event as published: the workspace id, a space, the event's JSON."""
    return str(event.workspace_id).encode() + b" " + ENCODER.encode(event)


async def publish(redis: Redis, namespace: str, event: ChannelEvent) -> None:
    """Send ``event`` to everyone watching its workspace's channel, on every replica."""
    await redis.publish(channel_name(namespace), wire(event))


class ChannelHub(Follower):
    """Watchers register a queue per workspace; the hub feeds it each event's SSE frame."""

    def __init__(
        self, redis: Redis, namespace: str, *, queue_size: int = 256, retry_s: float = 1.0
    ) -> None:
        super().__init__(redis, channel_name(namespace), name="channel-hub", retry_s=retry_s)
        self._queue_size = queue_size
        self._watchers: dict[uuid.UUID, set[asyncio.Queue[bytes]]] = defaultdict(set)

    def watch(self, workspace_id: uuid.UUID) -> asyncio.Queue[bytes]:
        """A fresh queue of ``workspace_id``'s events (SSE frames), ``RESYNC``, ``RECHECK``
        and ``OVERFLOW``."""
        queue: asyncio.Queue[bytes] = asyncio.Queue(self._queue_size)
        self._watchers[workspace_id].add(queue)
        return queue

    def unwatch(self, workspace_id: uuid.UUID, queue: asyncio.Queue[bytes]) -> None:
        """Stop feeding ``queue``."""
        queues = self._watchers.get(workspace_id)
        if queues is not None:
            queues.discard(queue)
            if not queues:
                del self._watchers[workspace_id]

    def watchers(self, workspace_id: uuid.UUID) -> int:
        """How many streams of this process watch ``workspace_id``."""
        return len(self._watchers.get(workspace_id, ()))

    def on_message(self, data: bytes) -> None:
        """Hand one published event to its workspace's queues."""
        head, _, body = data.partition(b" ")
        try:
            workspace_id = uuid.UUID(head.decode())
            framed = frame(body)
        except ValueError:
            return
        # One frame for every watcher: a stream only hands its bytes on.
        for queue in list(self._watchers.get(workspace_id, ())):
            self._put(workspace_id, queue, framed)

    def on_connect(self) -> None:
        """Ask every watcher to resend a snapshot: events sent while unsubscribed are lost."""
        self._broadcast(RESYNC)

    def end_all(self) -> None:
        """End every watcher's stream (the process is stopping; clients reconnect elsewhere)."""
        self._broadcast(OVERFLOW)

    def recheck(self) -> None:
        """Ask every watcher to verify its token again (a revocation or a key changed)."""
        self._broadcast(RECHECK)

    def _broadcast(self, item: bytes) -> None:
        for workspace_id, queues in list(self._watchers.items()):
            for queue in list(queues):
                self._put(workspace_id, queue, item)

    def _put(self, workspace_id: uuid.UUID, queue: asyncio.Queue[bytes], item: bytes) -> None:
        if queue.full():
            return
        if queue.qsize() == self._queue_size - 1:
            # Full but for this slot: end the stream rather than skip news silently.
            self.unwatch(workspace_id, queue)
            queue.put_nowait(OVERFLOW)
            return
        queue.put_nowait(item)
