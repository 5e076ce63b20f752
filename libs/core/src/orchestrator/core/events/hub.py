"""Fan live-event notifications out to a process's SSE streams.

One Redis subscription per process, whatever the number of streams: a
message names tenants, and every stream of those tenants is woken to read the
log from its own cursor. When the subscription (re)connects, every stream is
woken, since notifications sent while it was away are lost.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

from loguru import logger
from redis.asyncio import Redis

from orchestrator.core.background import cancel_quietly
from orchestrator.core.events.wake import events_channel


class EventHub:
    """Streams register an ``asyncio.Event`` per tenant; the hub sets it on news."""

    def __init__(self, redis: Redis, namespace: str, *, retry_s: float = 1.0) -> None:
        self._redis = redis
        self._channel = events_channel(namespace)
        self._retry_s = retry_s
        self._waiters: dict[str, set[asyncio.Event]] = defaultdict(set)
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    def start(self) -> asyncio.Task[None]:
        """Begin following the channel; returns the background task."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="event-hub")
        return self._task

    async def stop(self) -> None:
        """Stop following."""
        await cancel_quietly(self._task)
        self._task = None

    def subscribe(self, tenant_id: str) -> asyncio.Event:
        """A fresh event that is set whenever ``tenant_id`` may have news."""
        waiter = asyncio.Event()
        self._waiters[tenant_id].add(waiter)
        return waiter

    def unsubscribe(self, tenant_id: str, waiter: asyncio.Event) -> None:
        """Stop waking ``waiter``."""
        waiters = self._waiters.get(tenant_id)
        if waiters is not None:
            waiters.discard(waiter)
            if not waiters:
                del self._waiters[tenant_id]

    def wake(self, tenant_ids: list[str]) -> None:
        """Wake every stream of ``tenant_ids``."""
        for tenant_id in tenant_ids:
            for waiter in self._waiters.get(tenant_id, ()):
                waiter.set()

    def wake_all(self) -> None:
        """Wake every stream (after a reconnect: messages may have been missed)."""
        for waiters in self._waiters.values():
            for waiter in waiters:
                waiter.set()

    async def _run(self) -> None:
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(self._channel)
                    self.connected.set()
                    self.wake_all()
                    async for message in pubsub.listen():
                        if message.get("type") != "message":
                            continue
                        data = message["data"]
                        text = data.decode() if isinstance(data, bytes) else str(data)
                        self.wake(text.split(","))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis away: streams fall back to their slow poll
                self.connected.clear()
                logger.warning("event notifications lost: {!r}", exc)
                await asyncio.sleep(self._retry_s)
