"""The cron scheduler of a worker process, in a thread of its own (``loop_thread.py``).

Every worker replica runs one; row locks keep each cron time to one fire (ADR 0048).
"""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.events.wake import Waker
from orchestrator.core.schedules.scheduler import Scheduler
from orchestrator.core.upstream.ssrf import NetworkPolicy
from orchestrator.worker.loop_thread import LoopThread
from orchestrator.worker.settings import Settings


class SchedulerThread(LoopThread):
    """Runs a ``Scheduler`` until ``stop()``."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings, "scheduler")

    async def serve(
        self, sessions: async_sessionmaker[AsyncSession], redis: Redis, stop: asyncio.Event
    ) -> None:
        """Fire due schedules until ``stop``."""
        core = self._settings.core
        waker = Waker(redis, core.redis.namespace)
        scheduler = Scheduler(
            sessions,
            waker,
            network=NetworkPolicy.from_settings(core.upstream),
            poll_s=self._settings.jobs.scheduler_poll_s,
        )
        try:
            await scheduler.run(stop)
        finally:
            await waker.drain()
