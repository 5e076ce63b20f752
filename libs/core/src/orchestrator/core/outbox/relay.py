"""The outbox relay: publish due rows to the broker, then mark them published.

Several relays may run (one per worker process): each claims a batch with
``FOR UPDATE SKIP LOCKED`` and hides it for a visibility timeout in one statement,
publishes it in one pipelined round trip, and marks it in a second statement, each its
own transaction on the relay's autocommit connection. A row is only marked once the broker took it, so rows
written while Redis is down wait, unpublished, until it returns. A relay that
dies between publishing and marking leaves its batch to be published again
after the timeout: delivery is at least once, and actors are idempotent.

It wakes on a Redis notification sent after each commit that wrote outbox
rows, and polls every ``poll_s`` besides (delayed rows, lost notifications).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from loguru import logger
from prometheus_client import Counter, Histogram
from redis.asyncio import Redis

from orchestrator.core.background import cancel_quietly
from orchestrator.core.db.autocommit import AutocommitConnection
from orchestrator.core.events.wake import outbox_channel
from orchestrator.core.outbox import repository
from orchestrator.core.outbox.messages import to_messages
from orchestrator.core.outbox.publisher import Publisher

PUBLISHED = Counter(
    "orchestrator_outbox_published_total", "Outbox messages published to the broker", ["kind"]
)
PUBLISH_FAILURES = Counter(
    "orchestrator_outbox_publish_failures_total", "Outbox batches the broker refused"
)
DISPATCH_LAG = Histogram(
    "orchestrator_outbox_dispatch_lag_seconds",
    "From the outbox row's commit-time write to its publication (due rows only)",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)


@dataclass(frozen=True, slots=True)
class RelayConfig:
    """How a relay batches, polls and backs off."""

    batch_size: int = 500
    poll_s: float = 0.25
    linger_s: float = 0.0
    """After a wake-up, how long to let more rows arrive before claiming: fewer, fuller
    batches (one claim and one finish a batch for the worker) for a little latency. Only
    under load (``lingers``): a lone row goes out at once."""
    visibility_s: float = 30.0
    retry_s: float = 0.2
    max_retry_s: float = 2.0


LOADED_FROM = 2
"""Rows the previous pass published from which the relay takes itself for loaded."""


def lingers(config: RelayConfig, published_before: int) -> bool:
    """Whether to linger before the next pass: only when the last one found several rows,
    so an unloaded submission is dispatched at once and a burst in fuller batches."""
    return config.linger_s > 0 and published_before >= LOADED_FROM


class Relay:
    """Moves outbox rows to the broker; run one per worker process."""

    def __init__(
        self,
        connection: AutocommitConnection,
        publisher: Publisher,
        *,
        redis: Redis | None = None,
        namespace: str = "orch",
        config: RelayConfig | None = None,
    ) -> None:
        self._connection = connection
        self._publisher = publisher
        self._redis = redis
        self._channel = outbox_channel(namespace)
        self.config = config or RelayConfig()
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Run a pass now (from the relay's own event loop)."""
        self._wake.set()

    async def run_once(self) -> int:
        """Claim, publish and mark one batch; the number published. Raises if the broker
        refused it (the batch is then due again at once)."""
        cfg = self.config
        async with self._connection.use() as connection:
            claimed = await repository.claim_due(
                connection, limit=cfg.batch_size, visibility_s=cfg.visibility_s
            )
        if not claimed:
            return 0
        ids = [c.id for c in claimed]
        try:
            await self._publisher.publish(to_messages(claimed))
        except Exception:
            PUBLISH_FAILURES.inc()
            with contextlib.suppress(Exception):
                async with self._connection.use() as connection:
                    await repository.release(connection, ids, delay_s=0)
            raise
        async with self._connection.use() as connection:
            await repository.mark_published(connection, ids)
        for c in claimed:
            PUBLISHED.labels(c.kind).inc()
            DISPATCH_LAG.observe(c.age_s)
        return len(claimed)

    async def drain(self) -> int:
        """Publish batches until none is full; the total published."""
        total = 0
        while True:
            published = await self.run_once()
            total += published
            if published < self.config.batch_size:
                return total

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until ``stop`` is set."""
        listener = asyncio.create_task(self._listen(), name="outbox-wake") if self._redis else None
        backoff = self.config.retry_s
        try:
            while not stop.is_set():
                self._wake.clear()
                timeout = self.config.poll_s
                published = 0
                try:
                    published = await self.drain()
                    backoff = self.config.retry_s
                except Exception as exc:
                    logger.warning("outbox relay pass failed, retrying in {}s: {!r}", backoff, exc)
                    timeout = backoff
                    backoff = min(backoff * 2, self.config.max_retry_s)
                await _wait_any(self._wake, stop, timeout)
                if self._wake.is_set() and lingers(self.config, published):
                    await asyncio.sleep(self.config.linger_s)
        finally:
            await cancel_quietly(listener)
            await self._connection.close()

    async def _listen(self) -> None:
        assert self._redis is not None
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(self._channel)
                    self._wake.set()  # rows may have been written while we were away
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self._wake.set()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis away: the poll keeps the relay going
                logger.debug("outbox wake-ups lost: {!r}", exc)
                await asyncio.sleep(self.config.max_retry_s)


async def _wait_any(first: asyncio.Event, second: asyncio.Event, seconds: float) -> None:
    """Return when either event is set or ``seconds`` pass."""
    waits = [asyncio.create_task(first.wait()), asyncio.create_task(second.wait())]
    try:
        await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in waits:
            task.cancel()
