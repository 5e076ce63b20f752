"""The failures a CLI user can fix, each told in one line (never a traceback): a service's
refusal (problem+json), a missing login, a service, database or Redis that does not
answer, a missing setting, a database not migrated yet, a refused key rotation, a backup
or restore that cannot go on. Anything else is a bug, and keeps its traceback.

The database and Redis drivers are imported only for a failure none of the operator
commands' (which never load them) explains: telling an API's refusal stays quick."""

from __future__ import annotations

import httpx

from orchestrator.cli.backup import BackupError
from orchestrator.cli.remote.client import ApiError
from orchestrator.cli.remote.profiles import ProfileError

_UNREACHABLE = "is `make run` running in another shell? Otherwise set DATABASE_URL and REDIS_URL"


def first_line(exc: BaseException) -> str:
    """The first non-empty line of the exception's own message (a driver's message may
    run on for lines, and SQLAlchemy's wraps it with the statement)."""
    origin = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(origin).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def one_line(exc: BaseException) -> str | None:
    """What went wrong and what to do, in one line; ``None`` for a bug."""
    if isinstance(exc, ApiError | ProfileError | BackupError):
        return str(exc)
    if isinstance(exc, httpx.TransportError):
        return f"{exc.request.url} does not answer ({first_line(exc)}); is the stack running?"
    return _infrastructure(exc)


def _infrastructure(exc: BaseException) -> str | None:
    import redis.exceptions
    import sqlalchemy.exc
    from psycopg import OperationalError as PsycopgOperational
    from psycopg.errors import UndefinedTable

    from orchestrator.core.errors import ConfigurationError
    from orchestrator.core.maintenance.rotation import RotationError

    # A database that does not answer (refused, unknown host, no such socket).
    unreachable = (
        sqlalchemy.exc.OperationalError,
        sqlalchemy.exc.InterfaceError,
        PsycopgOperational,
        ConnectionError,
    )
    if isinstance(exc, ConfigurationError | RotationError):
        return first_line(exc)
    if isinstance(exc, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError):
        return f"Redis does not answer ({first_line(exc)}); {_UNREACHABLE}"
    if isinstance(getattr(exc, "orig", exc), UndefinedTable):
        return "the database has no Orchestrator tables yet: run `orchestrator migrate`"
    if isinstance(exc, unreachable):
        return f"the database does not answer ({first_line(exc)}); {_UNREACHABLE}"
    return None
