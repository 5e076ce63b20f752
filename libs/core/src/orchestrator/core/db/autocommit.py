"""One autocommit connection of the runtime role, for a writer whose statement is the
whole transaction.

A sequential writer (a group committer) needs one connection, not a pool, and its one
statement per group commits by itself: no ``BEGIN``/``COMMIT`` round trips, and none of
a session's per-transaction work. The connection opens on first use, and again after it
broke (the failed write reports the error; the next one reconnects). Its users take turns:
a statement of one must never land in another's pipeline, under another's tenant.

``driver_connection`` hands a statement written for psycopg the connection under a
session instead, in the session's transaction: one text of the statement serves both.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.db.engine import bounded_connect, connect_params, libpq_url, stale_after_s
from orchestrator.core.settings import DatabaseSettings

Connection = psycopg.AsyncConnection[Any]


class AutocommitConnection:
    """Opens (and reopens) one autocommit connection; ``use`` is a group committer's opener."""

    def __init__(
        self,
        settings: DatabaseSettings,
        configure: Callable[[Connection], None] | None = None,
    ) -> None:
        """``configure`` adapts each new connection (its loaders, say) before first use."""
        self._configure = configure
        self._url = libpq_url(settings.runtime_url())
        self._params = connect_params(settings)
        self._connect = bounded_connect(settings)
        self._connection: Connection | None = None
        self._turn = asyncio.Lock()
        self._stale_after = stale_after_s(settings)
        self._idle_since = 0.0

    @asynccontextmanager
    async def use(self) -> AsyncIterator[Connection]:
        """The connection, opened if it is not, for one user at a time."""
        async with self._turn:
            connection = self._connection
            if connection is not None and self._stale(connection):
                # Idle long enough for the server to have closed it (ADR 0098): replaced
                # now, rather than failing the next write.
                await connection.close()
            if connection is None or connection.closed or connection.broken:
                connection = self._connection = await self._connect(
                    self._url, autocommit=True, **self._params
                )
                if self._configure is not None:
                    self._configure(connection)
            try:
                yield connection
            finally:
                self._idle_since = time.monotonic()

    def _stale(self, connection: Connection) -> bool:
        """Whether ``connection`` has been idle for as long as the server may keep it."""
        return (
            self._stale_after is not None
            and not connection.closed
            and time.monotonic() - self._idle_since >= self._stale_after
        )

    async def close(self) -> None:
        """Close the connection, if open."""
        if self._connection is not None:
            await self._connection.close()
            self._connection = None


async def driver_connection(session: AsyncSession) -> Connection:
    """The psycopg connection under ``session``, in its transaction: for a statement
    written for psycopg that must commit with the session's other work."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    if not isinstance(driver, psycopg.AsyncConnection):
        raise TypeError("the session does not run on psycopg")
    return driver
