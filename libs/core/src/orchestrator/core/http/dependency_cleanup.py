"""Dependencies with a cleanup step are cleaned up when a later dependency fails.

Litestar (2.25) resolves a handler's dependencies batch by batch into a cleanup group
that the route enters only once every dependency is resolved. When one raises on the way
(a ``reason`` too short for the dependency that reads it, a workspace not found), the
generators already started are left suspended: a request transaction stays open until
the garbage collector drops its connection ("non-checked-in connection", then
``aclose(): asynchronous generator is already running``), so every such refusal would
hold a pooled connection, inside a transaction, for as long as the collector takes.

``install`` makes the resolution throw a failure into the generators started so far
(each rolls back and returns its connection) before it propagates; what the client gets
is unchanged.
"""

from __future__ import annotations

from typing import Any

from anyio import create_task_group
from litestar._kwargs.cleanup import DependencyCleanupGroup
from litestar._kwargs.dependencies import resolve_dependency
from litestar._kwargs.kwargs_model import KwargsModel
from litestar.connection import ASGIConnection
from loguru import logger

Connection = ASGIConnection[Any, Any, Any, Any]


async def resolve_dependencies(
    model: KwargsModel, connection: Connection, kwargs: dict[str, Any]
) -> DependencyCleanupGroup:
    """Litestar's resolution of ``model``'s dependencies into ``kwargs``, except that a
    failure is first thrown into the generators already started."""
    group = DependencyCleanupGroup()
    try:
        for batch in model.dependency_batches:
            if len(batch) == 1:
                await resolve_dependency(next(iter(batch)), connection, kwargs, group)
                continue
            try:
                async with create_task_group() as task_group:
                    for dependency in batch:
                        task_group.start_soon(
                            resolve_dependency, dependency, connection, kwargs, group
                        )
            except BaseExceptionGroup as failed:
                raise failed.exceptions[0] from failed
    except BaseException as exc:
        try:
            await group.close(exc)
        except Exception as during:  # the first failure is the one the client is told of
            logger.warning("a dependency failed while cleaning up after {!r}: {!r}", exc, during)
        raise
    return group


def install() -> None:
    """Resolve every handler's dependencies with ``resolve_dependencies`` (idempotent)."""
    KwargsModel.resolve_dependencies = resolve_dependencies  # type: ignore[method-assign,assignment]
