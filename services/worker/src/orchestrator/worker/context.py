"""Resources of the worker process, opened lazily inside Dramatiq's event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from orchestrator.core.db.engine import create_engine, session_factory
from orchestrator.worker.settings import get_settings

T = TypeVar("T")


class Lazy(Generic[T]):
    """One per-process resource, opened on first use: in the actors' event loop, which does
    not exist yet when the module is imported."""

    def __init__(
        self, open_: Callable[[], Awaitable[T]], close: Callable[[T], Awaitable[None]]
    ) -> None:
        self._open = open_
        self._close = close
        self._value: T | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> T:
        """The resource, opened by the first caller; the others wait for it."""
        async with self._lock:
            if self._value is None:
                self._value = await self._open()
        return self._value

    @property
    def opened(self) -> bool:
        """Whether the resource has been opened (and not closed since)."""
        return self._value is not None

    async def close(self) -> None:
        """Release the resource on shutdown (the next ``get`` would open it again)."""
        if self._value is not None:
            await self._close(self._value)
            self._value = None


class WorkerContext:
    """The runtime-role engine the actors share."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessions: async_sessionmaker[AsyncSession] = session_factory(engine)


async def _open_context() -> WorkerContext:
    return WorkerContext(create_engine(get_settings().core.db))


async def _dispose(context: WorkerContext) -> None:
    await context.engine.dispose()


_context = Lazy(_open_context, _dispose)
worker_context = _context.get
"""The process's context, created on first use in the actors' event loop."""
close_worker_context = _context.close
"""Dispose of the engine on shutdown."""
