"""Resources of the worker process, opened lazily inside Dramatiq's event loop."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from orchestrator.core.db.engine import create_engine, session_factory
from orchestrator.worker.settings import get_settings


class WorkerContext:
    """The runtime-role engine the actors share."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessions: async_sessionmaker[AsyncSession] = session_factory(engine)


_context: WorkerContext | None = None
_lock = asyncio.Lock()


async def worker_context() -> WorkerContext:
    """The process's context, created on first use in the actors' event loop."""
    global _context
    async with _lock:
        if _context is None:
            _context = WorkerContext(create_engine(get_settings().core.db))
    return _context


async def close_worker_context() -> None:
    """Dispose of the engine on shutdown."""
    global _context
    if _context is not None:
        await _context.engine.dispose()
        _context = None
