"""Dramatiq's Redis broker with consumers that wait on their queue's doorbell (ADR 0091).

Only the idle path changes: a consumer with room for messages that finds its queue empty
blocks on the doorbell (``core/outbox/doorbell.py``) for up to its idle timeout instead of
sleeping, so it fetches the moment a message is put on the queue. Everything that puts
messages on a queue rings: the outbox publisher, ``enqueue`` (maintenance messages, delayed
ones coming due), a stopping consumer's ``requeue`` and the dead-worker reaper.
"""

from __future__ import annotations

from typing import Any

import redis
from dramatiq import Message, MessageProxy
from dramatiq.brokers.redis import RedisBroker, _RedisConsumer
from dramatiq.errors import ConnectionClosed

from orchestrator.core.outbox.doorbell import doorbell_key, ring

WAIT_SHARE_OF_SOCKET_TIMEOUT = 0.5
"""A wait is bounded below the client's socket timeout, or an idle wait would read as a
dead connection."""


class DoorbellRedisBroker(RedisBroker):
    """A ``RedisBroker`` whose consumers wait on doorbells and whose enqueues ring them."""

    @property
    def consumer_class(self) -> type[_RedisConsumer]:
        return DoorbellConsumer

    def enqueue(self, message: Message[Any], *, delay: int | None = None) -> Message[Any]:
        """Enqueue as Dramatiq does, then ring the queue it went to (its delay queue when
        delayed)."""
        enqueued: Message[Any] = super().enqueue(message, delay=delay)
        self.ring({enqueued.queue_name: 1})
        return enqueued

    def ring(self, counts: dict[str, int]) -> None:
        """Ring the doorbells of ``counts`` (queue, new messages)."""
        with self.client.pipeline(transaction=False) as pipe:
            ring(pipe, self.namespace, counts.items())
            pipe.execute()

    def wait_seconds(self, timeout_ms: int) -> float:
        """How long an idle consumer with idle timeout ``timeout_ms`` may block."""
        socket_timeout = self.client.connection_pool.connection_kwargs.get("socket_timeout")
        wait_s = timeout_ms / 1000
        if socket_timeout:
            wait_s = min(wait_s, socket_timeout * WAIT_SHARE_OF_SOCKET_TIMEOUT)
        return wait_s


class DoorbellConsumer(_RedisConsumer):
    """A Redis consumer that, idle, blocks on its queue's doorbell instead of sleeping."""

    broker: DoorbellRedisBroker

    def __next__(self) -> MessageProxy | None:
        # Cached messages, or no room for more (every thread busy): Dramatiq's own path.
        if self.message_cache or self.outstanding_message_count >= self.prefetch:
            return super().__next__()  # type: ignore[no-untyped-call, no-any-return]
        try:
            self.message_cache = self.broker.do_fetch(
                self.queue_name, self.prefetch - self.outstanding_message_count
            )
            if self.message_cache:
                return super().__next__()  # type: ignore[no-untyped-call, no-any-return]
            self.broker.client.blpop(
                [doorbell_key(self.broker.namespace, self.queue_name)],
                timeout=self.broker.wait_seconds(self.timeout),
            )
        except redis.ConnectionError as exc:
            raise ConnectionClosed(exc) from None  # type: ignore[no-untyped-call]
        return None

    def requeue(self, messages: Any) -> None:
        """Put ``messages`` back (a stopping worker's prefetched ones) and ring for them."""
        messages = list(messages)
        super().requeue(messages)  # type: ignore[no-untyped-call]
        if messages:
            self.broker.ring({self.queue_name: len(messages)})
