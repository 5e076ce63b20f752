"""Version-only notifications over Redis pub/sub, each channel with its own handler.

A notification is a hint to reload, never the data itself (and never a
secret); each consumer also reconciles on a timer, so a missed message only
delays a change.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

from loguru import logger
from redis.asyncio import Redis

from orchestrator.core.background import cancel_quietly

Handler = Callable[[bytes], Awaitable[None]]


def config_channel(namespace: str) -> str:
    """The channel on which a configuration change names its tenant."""
    return f"{namespace}:config"


class Subscriber:
    """Follows a few channels and calls their handlers; reconnects when Redis returns."""

    def __init__(self, redis: Redis, handlers: Mapping[str, Handler]) -> None:
        self._redis = redis
        self._handlers = dict(handlers)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Begin following in the background."""
        self._task = asyncio.create_task(self._run(), name="notifications")

    async def stop(self) -> None:
        """Stop following."""
        await cancel_quietly(self._task)

    async def _run(self) -> None:
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(*self._handlers)
                    async for message in pubsub.listen():
                        if message.get("type") != "message":
                            continue
                        name = message["channel"]
                        name = name.decode() if isinstance(name, bytes) else name
                        await self._handlers[name](message["data"])
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis away: the reconcile timers keep state correct.
                logger.warning("notification channel lost: {}", exc)
                await asyncio.sleep(1.0)


class Follower:
    """Follows one pub/sub channel in the background for a process's listeners: calls
    ``on_connect`` after each (re)subscription (what was sent meanwhile is lost) and
    ``on_message`` for each message; retries every ``retry_s`` while Redis is away."""

    def __init__(self, redis: Redis, channel: str, *, name: str, retry_s: float = 1.0) -> None:
        self._redis = redis
        self._channel = channel
        self._name = name
        self._retry_s = retry_s
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    def start(self) -> asyncio.Task[None]:
        """Begin following the channel; returns the background task."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=self._name)
        return self._task

    async def stop(self) -> None:
        """Stop following."""
        await cancel_quietly(self._task)
        self._task = None

    def on_connect(self) -> None:
        """Subscribed (again)."""

    def on_message(self, data: bytes) -> None:
        """One message of the channel."""

    async def _run(self) -> None:
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(self._channel)
                    self.connected.set()
                    self.on_connect()
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            data = message["data"]
                            self.on_message(data if isinstance(data, bytes) else str(data).encode())
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis away: listeners fall back on what they poll
                self.connected.clear()
                logger.warning("{} lost: {!r}", self._name, exc)
                await asyncio.sleep(self._retry_s)


async def publish(redis: Redis, channel: str, payload: bytes) -> None:
    """Announce a change on ``channel``."""
    await redis.publish(channel, payload)


def every(
    interval_s: float, action: Callable[[], Awaitable[None]], name: str
) -> asyncio.Task[None]:
    """Run ``action`` every ``interval_s`` in the background, logging failures."""

    async def loop() -> None:
        while True:
            await asyncio.sleep(interval_s)
            try:
                await action()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning("{} failed: {!r}", name, exc)

    return asyncio.create_task(loop(), name=name)
