"""Which 503 a failure of PostgreSQL or Redis becomes, and what it says."""

from __future__ import annotations

import psycopg
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy import exc as sa_exc

from orchestrator.core.dependencies import CONTENDED, failure_detail, is_dependency_failure


def wrapped(orig: Exception) -> sa_exc.OperationalError:
    """``orig`` as SQLAlchemy raises it."""
    return sa_exc.OperationalError("DELETE FROM webhook_sources …", {}, orig)


def test_a_broken_deadlock_or_refused_serialization_says_to_retry_not_that_nothing_answered() -> (
    None
):
    for orig in (
        psycopg.errors.DeadlockDetected("deadlock detected"),
        psycopg.errors.SerializationFailure("x"),
    ):
        assert is_dependency_failure(wrapped(orig))
        assert failure_detail(wrapped(orig)) == CONTENDED
        assert failure_detail(orig) == CONTENDED


def test_a_dependency_that_did_not_answer_keeps_the_default_detail() -> None:
    assert failure_detail(wrapped(psycopg.OperationalError("server closed the connection"))) is None
    assert failure_detail(RedisTimeoutError("Timeout reading from socket")) is None
