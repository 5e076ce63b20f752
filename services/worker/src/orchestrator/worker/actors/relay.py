"""The outbox relay of a worker process, in a thread of its own (``loop_thread.py``)."""

from __future__ import annotations

import asyncio

from dramatiq.brokers.redis import RedisBroker
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.db.autocommit import AutocommitConnection
from orchestrator.core.outbox.publisher import BrokerPublisher
from orchestrator.core.outbox.relay import Relay, RelayConfig
from orchestrator.worker.loop_thread import LoopThread
from orchestrator.worker.settings import Settings


class RelayThread(LoopThread):
    """Runs a ``Relay`` until ``stop()``."""

    def __init__(self, settings: Settings, broker: RedisBroker) -> None:
        super().__init__(settings, "outbox-relay")
        self._broker = broker

    async def serve(
        self, sessions: async_sessionmaker[AsyncSession], redis: Redis, stop: asyncio.Event
    ) -> None:
        """Publish outbox rows until ``stop``."""
        core, jobs = self._settings.core, self._settings.jobs
        relay = Relay(
            AutocommitConnection(core.db),
            BrokerPublisher(self._broker, redis),
            redis=redis,
            namespace=core.redis.namespace,
            config=RelayConfig(
                batch_size=jobs.relay_batch,
                poll_s=jobs.relay_poll_s,
                linger_s=jobs.relay_linger_s,
                visibility_s=jobs.relay_visibility_s,
            ),
        )
        await relay.run(stop)
