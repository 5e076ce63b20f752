"""Async engines on psycopg 3, every wait on the server bounded (ADR 0056).

A connection is opened within ``connect_timeout``, each round trip of a query, commit or
rollback within ``query_timeout_s``, and a caller cancelled mid-query (a request deadline,
an ``asyncio.timeout``) gets its ``CancelledError`` at once: psycopg's own reaction, a
cancel request then a wait for the server (up to ten seconds against a frozen one), is
replaced by closing the connection, which the pool then discards instead of resetting.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar, Self

import psycopg
from psycopg import errors, waiting
from psycopg.abc import RV, PQGen
from psycopg.pq.abc import PGconn
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession as AsyncSession
from sqlalchemy.pool import ConnectionPoolEntry, Pool, PoolProxiedConnection

from orchestrator.core.jsonbounds import load_stored
from orchestrator.core.settings import DatabaseSettings


def async_url(url: str) -> str:
    """Force the psycopg 3 async driver onto a plain ``postgresql://`` URL."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres", "postgresql+psycopg2"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def sync_url(url: str) -> str:
    """The same URL with the psycopg 3 driver, for Alembic's sync connection."""
    return async_url(url)


def libpq_url(url: str) -> str:
    """The same URL as libpq (and ``psycopg.connect``) takes it: no driver suffix."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def connect_options(settings: DatabaseSettings) -> str:
    """The server settings every connection starts with (libpq ``options``)."""
    options = (
        f"-c statement_timeout={settings.statement_timeout_ms} -c plan_cache_mode=force_custom_plan"
    )
    if settings.idle_session_timeout_s > 0:
        options += f" -c idle_session_timeout={round(settings.idle_session_timeout_s * 1000)}"
    return options


def stale_after_s(settings: DatabaseSettings) -> float | None:
    """How long a connection may have been idle before the client replaces it instead of
    using it: three quarters of the server's ``idle_session_timeout``, so a connection the
    server may have closed is never handed out (None: the server closes none)."""
    if settings.idle_session_timeout_s <= 0:
        return None
    return settings.idle_session_timeout_s * 0.75


class QueryTimeout(psycopg.OperationalError):
    """The server did not answer a round trip within ``query_timeout_s``."""


@contextmanager
def _closed_when_interrupted(
    pgconn: PGconn, bound: float | None, callers_own: bool
) -> Iterator[None]:
    """Close the connection when its wait times out or is cancelled: its state is unknown.

    A timeout of the caller's own bound (``callers_own``) is the caller's to handle.
    """
    try:
        yield
    except errors._WaitTimeout:
        if callers_own:
            raise
        pgconn.finish()
        raise QueryTimeout(
            f"no answer from the server within {bound:g} s; connection closed"
        ) from None
    except BaseException as exc:
        if not isinstance(exc, Exception):  # cancelled, interrupted
            pgconn.finish()
        raise


class BoundedConnection(psycopg.AsyncConnection[Any]):
    """A psycopg connection whose every wait on the server ends in bounded time.

    A round trip that outlasts ``query_timeout_s`` closes the connection and raises
    ``QueryTimeout`` (an ``OperationalError``: SQLAlchemy sees a disconnect and drops the
    connection). A wait interrupted by a cancellation closes the connection and lets the
    cancellation through at once; the server rolls back what was not committed.
    """

    query_timeout_s: ClassVar[float | None] = None

    @classmethod
    def bounded(cls, query_timeout_s: float | None) -> type[Self]:
        """This class with ``query_timeout_s`` as every round trip's bound."""
        return type(cls.__name__, (cls,), {"query_timeout_s": query_timeout_s})

    async def wait(
        self,
        gen: PQGen[RV],
        interval: float = 0.1,
        timeout: float | None = None,  # noqa: ASYNC109  (psycopg's signature)
    ) -> RV:
        """Consume ``gen`` as psycopg does, bounded, and without a cancel round trip."""
        bound = self.query_timeout_s if timeout is None else timeout
        with _closed_when_interrupted(self.pgconn, bound, callers_own=timeout is not None):
            return await waiting.wait_async(
                gen, self.pgconn.socket, interval=interval, timeout=bound
            )


class BoundedSyncConnection(psycopg.Connection[Any]):
    """``BoundedConnection`` for blocking code (the worker's probes and gauges)."""

    query_timeout_s: ClassVar[float | None] = None

    @classmethod
    def bounded(cls, query_timeout_s: float | None) -> type[Self]:
        """This class with ``query_timeout_s`` as every round trip's bound."""
        return type(cls.__name__, (cls,), {"query_timeout_s": query_timeout_s})

    def wait(
        self,
        gen: PQGen[RV],
        interval: float = 0.1,
        timeout: float | None = None,
    ) -> RV:
        """Consume ``gen`` as psycopg does, bounded, and without a cancel round trip."""
        bound = self.query_timeout_s if timeout is None else timeout
        with _closed_when_interrupted(self.pgconn, bound, callers_own=timeout is not None):
            return waiting.wait(gen, self.pgconn.socket, interval=interval, timeout=bound)


def connect_params(settings: DatabaseSettings) -> dict[str, Any]:
    """libpq parameters of every connection: server settings, connect timeout, keepalives."""
    return {
        "options": connect_options(settings),
        "connect_timeout": settings.connect_timeout_s,
        "keepalives": 1,
        "keepalives_idle": settings.keepalives_idle_s,
        "keepalives_interval": settings.keepalives_interval_s,
        "keepalives_count": settings.keepalives_count,
        "tcp_user_timeout": settings.tcp_user_timeout_ms,
    }


def bounded_connect(
    settings: DatabaseSettings,
) -> Callable[..., Awaitable[psycopg.AsyncConnection[Any]]]:
    """``AsyncConnection.connect`` of connections bounded as ``settings`` say."""
    return BoundedConnection.bounded(settings.query_timeout_s or None).connect


def create_engine(settings: DatabaseSettings, *, owner: bool = False) -> AsyncEngine:
    """An engine for the runtime role, or for the owner role when ``owner`` is set.

    A cancelled or timed-out query invalidates its connection (SQLAlchemy treats the
    interruption as a disconnect): the pool never hands it out again, nor waits to reset it.
    """
    url = settings.owner_url() if owner else settings.runtime_url()
    engine = create_async_engine(
        async_url(url),
        pool_size=settings.pool_size,
        max_overflow=settings.max_overflow,
        pool_timeout=settings.pool_timeout_s,
        pool_pre_ping=False,
        # Last in, first out: a quiet service keeps reusing its most recent connection,
        # so the others go idle long enough for the server to close them (ADR 0098).
        pool_use_lifo=True,
        connect_args={**connect_params(settings), "async_creator_fn": bounded_connect(settings)},
        # A stored value of any depth reads (as a marker past the bound), never a 500.
        json_deserializer=load_stored,
    )
    stale_after = stale_after_s(settings)
    if stale_after is not None:
        replace_when_idle(engine.sync_engine.pool, stale_after)
    return engine


IDLE_SINCE = "orchestrator_idle_since"
"""Key of ``ConnectionPoolEntry.info``: when the connection was last returned (monotonic)."""


def replace_when_idle(pool: Pool, stale_after: float) -> None:
    """Make ``pool`` replace, on checkout, a connection returned more than ``stale_after``
    seconds ago: the server closes idle sessions (``idle_session_timeout``), and a closed
    one handed out would fail its first statement. The replacement is SQLAlchemy's own
    (a ``DisconnectionError`` raised on checkout: the entry reconnects, once)."""

    def returned(_: Any, entry: ConnectionPoolEntry) -> None:
        entry.info[IDLE_SINCE] = time.monotonic()

    def taken(_: Any, entry: ConnectionPoolEntry, __: PoolProxiedConnection) -> None:
        # Taken off the entry: the replacement that follows is not stale (and restamped
        # when it returns).
        since = entry.info.pop(IDLE_SINCE, None)
        if since is not None and time.monotonic() - since >= stale_after:
            raise DisconnectionError("idle past the server's idle_session_timeout")

    event.listen(pool, "checkin", returned)
    event.listen(pool, "checkout", taken)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)
