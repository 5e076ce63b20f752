"""Fan live-event notifications out to a process's SSE streams.

One Redis subscription per process, whatever the number of streams: a
message names tenants, and every stream of those tenants is woken to read the
log from its own cursor. When the subscription (re)connects, every stream is
woken, since notifications sent while it was away are lost.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

from redis.asyncio import Redis

from orchestrator.core.events.wake import events_channel
from orchestrator.core.notify import Follower


class EventHub(Follower):
    """Streams register an ``asyncio.Event`` per tenant; the hub sets it on news."""

    def __init__(self, redis: Redis, namespace: str, *, retry_s: float = 1.0) -> None:
        super().__init__(redis, events_channel(namespace), name="event-hub", retry_s=retry_s)
        self._waiters: dict[str, set[asyncio.Event]] = defaultdict(set)

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

    def on_connect(self) -> None:
        """Wake every stream: notifications sent while unsubscribed are lost."""
        self.wake_all()

    def on_message(self, data: bytes) -> None:
        """Wake the streams of the tenants the message names."""
        self.wake(data.decode().split(","))
