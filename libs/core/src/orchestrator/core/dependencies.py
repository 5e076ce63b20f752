"""Which failures mean "PostgreSQL or Redis did not answer", and the 503 they become.

Such a failure is no bug of ours and no fault of the request: the client is told to come
back (``DependencyUnavailable``, with ``Retry-After``) instead of getting a 500.
"""

from __future__ import annotations

import psycopg
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy import exc as sa_exc

from orchestrator.core.errors import DependencyUnavailable

DEPENDENCY_FAILURES: tuple[type[Exception], ...] = (
    sa_exc.OperationalError,  # connection refused or lost, a query timed out (either side)
    sa_exc.TimeoutError,  # no pooled connection within ``pool_timeout``
    psycopg.OperationalError,  # the same, from a connection used without SQLAlchemy
    RedisConnectionError,
    RedisTimeoutError,
)
"""Exception types raised when a dependency did not answer (or answered that it cannot)."""


def is_dependency_failure(exc: BaseException) -> bool:
    """Whether ``exc`` says a dependency did not answer, rather than refused the request."""
    if isinstance(exc, DEPENDENCY_FAILURES):
        return True
    return isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated


CONTENDED = "The request met concurrent work on the same rows; retry shortly."
"""The 503's detail when PostgreSQL broke a deadlock or refused a serialization: the
database answered, and a retry will most likely go through."""


def failure_detail(exc: BaseException) -> str | None:
    """``CONTENDED`` when ``exc`` is PostgreSQL undoing a transaction that met another,
    else None (the default detail: the dependency did not answer)."""
    cause = getattr(exc, "orig", None) or exc
    contended = (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure)
    return CONTENDED if isinstance(cause, contended) else None


def unavailable(retry_after_s: int, detail: str | None = None) -> DependencyUnavailable:
    """The 503 problem of a dependency that did not answer."""
    return DependencyUnavailable(
        detail or "The database or Redis did not answer in time; retry shortly.",
        headers={"Retry-After": str(retry_after_s)},
    )
