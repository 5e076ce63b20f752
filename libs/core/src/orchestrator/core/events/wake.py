"""After-commit notifications: wake the outbox relay and the live event streams.

A notification is a hint, never data: it names which tenants have new events
(or that the outbox has new rows). It is sent only after the transaction
commits, at most one Redis ``PUBLISH`` per channel every few milliseconds (the first after
a quiet spell at once, later ones coalesced), and losing one only delays delivery until
the next poll.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Protocol

from loguru import logger
from redis.asyncio import Redis
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

_HOOKS = "orchestrator.after_commit"


def outbox_channel(namespace: str) -> str:
    """The channel that wakes the outbox relays."""
    return f"{namespace}:outbox"


def events_channel(namespace: str) -> str:
    """The channel naming tenants with new events (comma-separated ids)."""
    return f"{namespace}:events"


def _run_hooks(session: Session) -> None:
    for hook in session.info.pop(_HOOKS, ()):
        try:
            hook()
        except Exception as exc:  # a hint failed; the data is committed and pollers find it
            logger.warning("after-commit hook failed: {!r}", exc)


def _drop_hooks(session: Session) -> None:
    session.info.pop(_HOOKS, None)


def after_commit(session: AsyncSession, hook: Callable[[], None]) -> None:
    """Call ``hook`` (cheap, synchronous) once the session's transaction commits; drop it on
    rollback."""
    sync = session.sync_session
    hooks: list[Callable[[], None]] | None = sync.info.get(_HOOKS)
    if hooks is None:
        hooks = sync.info[_HOOKS] = []
        if not event.contains(sync, "after_commit", _run_hooks):
            event.listen(sync, "after_commit", _run_hooks)
            event.listen(sync, "after_rollback", _drop_hooks)
    hooks.append(hook)


class Notifier(Protocol):
    """What the job and event code tells after a commit."""

    def outbox_written(self) -> None:
        """New outbox rows are committed."""
        ...

    def events_appended(self, tenant_id: uuid.UUID) -> None:
        """New events of ``tenant_id`` are committed."""
        ...


class Silent:
    """A notifier that tells nobody (tests, scripts): the pollers still find everything."""

    def outbox_written(self) -> None:
        """Do nothing."""

    def events_appended(self, tenant_id: uuid.UUID) -> None:
        """Do nothing."""


SILENT = Silent()


def flush_delay(delay_s: float, flushed_at: float, now: float) -> float:
    """How long a notification waits: not at all ``delay_s`` after the last flush, else
    until then."""
    return max(0.0, flushed_at + delay_s - now)


class Waker:
    """Coalesces notifications into at most one ``PUBLISH`` per channel every ``delay_s``:
    the first after a quiet spell goes out at once (an unloaded job is dispatched without
    waiting), those that follow within ``delay_s`` of a flush go out together then.

    Call its methods from the event loop it was created on.
    """

    def __init__(self, redis: Redis, namespace: str, *, delay_s: float = 0.002) -> None:
        self._redis = redis
        self._outbox = outbox_channel(namespace)
        self._events = events_channel(namespace)
        self._delay_s = delay_s
        self._relay = False
        self._tenants: set[str] = set()
        self._scheduled = False
        self._flushed_at = -delay_s
        self._tasks: set[asyncio.Task[None]] = set()

    def outbox_written(self) -> None:
        """Wake the relays soon."""
        self._relay = True
        self._schedule()

    def events_appended(self, tenant_id: uuid.UUID) -> None:
        """Wake the tenant's live streams soon."""
        self._tenants.add(str(tenant_id))
        self._schedule()

    def _schedule(self) -> None:
        if self._scheduled:
            return
        self._scheduled = True
        loop = asyncio.get_running_loop()
        wait_s = flush_delay(self._delay_s, self._flushed_at, time.monotonic())
        if wait_s > 0:
            loop.call_later(wait_s, self._start_flush)
        else:
            loop.call_soon(self._start_flush)

    def _start_flush(self) -> None:
        self._scheduled = False
        self._flushed_at = time.monotonic()
        relay, self._relay = self._relay, False
        tenants, self._tenants = self._tenants, set()
        task = asyncio.get_running_loop().create_task(self._flush(relay, tenants))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _flush(self, relay: bool, tenants: set[str]) -> None:
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                if relay:
                    pipe.publish(self._outbox, b"1")
                if tenants:
                    pipe.publish(self._events, ",".join(sorted(tenants)).encode())
                await pipe.execute()
        except Exception as exc:  # Redis away: relays and streams poll, nothing is lost
            logger.debug("wake-up not published: {!r}", exc)

    async def drain(self) -> None:
        """Wait for notifications already scheduled (shutdown, tests)."""
        if self._scheduled:
            await asyncio.sleep(self._delay_s)  # the flush timer was set first, so it fires first
        await asyncio.gather(*self._tasks, return_exceptions=True)
