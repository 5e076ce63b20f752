"""Deletions of workspaces and organizations, run in a thread of the worker (ADR 0100).

Every replica runs one; an operation's lease keeps it to one worker at a time, and a
worker that dies leaves it to the next once the lease ends.
"""

from __future__ import annotations

import asyncio
import contextlib

from loguru import logger
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.auth.subjects import revocation_horizon_s
from orchestrator.core.maintenance.deprovision.runner import run_next
from orchestrator.core.maintenance.deprovision.steps import RunnerSettings
from orchestrator.worker.loop_thread import LoopThread
from orchestrator.worker.settings import Settings


class DeprovisionThread(LoopThread):
    """Runs and resumes deletions until ``stop()``."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings, "deprovision")

    async def serve(
        self, sessions: async_sessionmaker[AsyncSession], redis: Redis, stop: asyncio.Event
    ) -> None:
        """Take the next deletion, or wait ``poll_s`` when there is none, until ``stop``."""
        core = self._settings.core
        own = self._settings.deprovision
        settings = RunnerSettings(
            batch=own.batch,
            lease_s=own.lease_s,
            horizon_s=revocation_horizon_s(core.auth.token_ttl_s, core.auth.leeway_s),
            batch_pause_s=own.batch_pause_s,
            stopping=stop.is_set,
        )
        while not stop.is_set():
            ran = False
            try:
                ran = await run_next(sessions, redis, core.redis.namespace, settings)
            except Exception as exc:  # the database away: try again next poll
                logger.warning("deprovisioning: no operation taken: {!r}", exc)
            if not ran:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), own.poll_s)
