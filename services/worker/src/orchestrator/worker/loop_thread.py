"""A chore that lives as long as its worker process: a thread with its own event loop,
database engine and Redis client.

A thread rather than an actor: it must keep running while the broker is down (an actor
needs the broker to be scheduled), and its blocking calls stay off the actors' loop.
"""

from __future__ import annotations

import asyncio
import threading
from abc import ABC, abstractmethod

from loguru import logger
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.db.engine import create_engine, session_factory
from orchestrator.worker.settings import Settings


class LoopThread(ABC):
    """Runs ``serve`` in a thread of its own until ``stop()``."""

    def __init__(self, settings: Settings, name: str) -> None:
        self._settings = settings
        self._name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)

    @abstractmethod
    async def serve(
        self, sessions: async_sessionmaker[AsyncSession], redis: Redis, stop: asyncio.Event
    ) -> None:
        """Do the chore until ``stop`` is set."""

    def start(self) -> None:
        """Start in the background."""
        self._thread.start()
        self._started.wait(10)

    def stop(self, timeout: float = 10.0) -> None:
        """Let the current round finish, then stop."""
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)

    def _main(self) -> None:
        try:
            asyncio.run(self._run())
        except Exception as exc:
            logger.opt(exception=exc).error("{} stopped", self._name)

    async def _run(self) -> None:
        core = self._settings.core
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        engine = create_engine(core.db)
        redis = Redis.from_url(core.redis.require_url(), **core.redis.client_options())
        self._started.set()
        try:
            await self.serve(session_factory(engine), redis, self._stop)
        finally:
            await redis.aclose()
            await engine.dispose()
