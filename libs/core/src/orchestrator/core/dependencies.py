"""Which failures mean "PostgreSQL or Redis did not answer", and the 503 they become.

Such a failure is no bug of ours and no fault of the request: the client is told to come
back (``DependencyUnavailable``, with ``Retry-After``) instead of getting a 500.

The failure types are looked up among the modules already loaded, never imported here: a
process that has not loaded a driver (the console holds no database pool) cannot have had
it raise, and need not hold the driver for the question (ADR 0092).
"""

from __future__ import annotations

import sys

from orchestrator.core.errors import DependencyUnavailable

_FAILURE_NAMES = (
    ("sqlalchemy.exc", "OperationalError"),  # connection refused or lost, a query timed out
    ("sqlalchemy.exc", "TimeoutError"),  # no pooled connection within ``pool_timeout``
    ("psycopg", "OperationalError"),  # the same, from a connection used without SQLAlchemy
    ("redis.exceptions", "ConnectionError"),
    ("redis.exceptions", "TimeoutError"),
)
"""Exception types raised when a dependency did not answer (or answered that it cannot),
as (module, name)."""


def dependency_failures() -> tuple[type[BaseException], ...]:
    """The failure types of ``_FAILURE_NAMES`` whose modules this process has loaded."""
    found: list[type[BaseException]] = []
    for module_name, name in _FAILURE_NAMES:
        module = sys.modules.get(module_name)
        if module is not None:
            found.append(getattr(module, name))
    return tuple(found)


def is_dependency_failure(exc: BaseException) -> bool:
    """Whether ``exc`` says a dependency did not answer, rather than refused the request."""
    if isinstance(exc, dependency_failures()):
        return True
    sa_exc = sys.modules.get("sqlalchemy.exc")
    return sa_exc is not None and isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated


CONTENDED = "The request met concurrent work on the same rows; retry shortly."
"""The 503's detail when PostgreSQL broke a deadlock or refused a serialization: the
database answered, and a retry will most likely go through."""


def failure_detail(exc: BaseException) -> str | None:
    """``CONTENDED`` when ``exc`` is PostgreSQL undoing a transaction that met another,
    else None (the default detail: the dependency did not answer)."""
    errors = sys.modules.get("psycopg.errors")
    if errors is None:  # no driver loaded, so no transaction of ours was undone
        return None
    cause = getattr(exc, "orig", None) or exc
    contended = (errors.DeadlockDetected, errors.SerializationFailure)
    return CONTENDED if isinstance(cause, contended) else None


def unavailable(retry_after_s: int, detail: str | None = None) -> DependencyUnavailable:
    """The 503 problem of a dependency that did not answer."""
    return DependencyUnavailable(
        detail or "The database or Redis did not answer in time; retry shortly.",
        headers={"Retry-After": str(retry_after_s)},
    )
