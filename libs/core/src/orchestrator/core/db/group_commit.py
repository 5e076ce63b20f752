"""Group commit: writes of concurrent callers share one transaction.

Each caller awaits its own write's result, which it gets only once the shared
transaction committed, so answering after ``await`` is as durable as committing
alone. Under load, one commit (one WAL flush, one set of round trips) serves a
whole group; a lone caller waits for no one: a group is whatever queued while
the previous one was being written.

When a group's transaction fails, its writes are tried again one at a time, so one
bad write fails alone and the others still commit; unless the database did not answer
(``core/dependencies.py``): then every write of the group fails with that error at once.
A caller that goes away (its request's deadline) before its item was taken into a group
takes the item with it: nothing it was refused is written later.

``GroupCommit`` writes through an ORM session; ``Grouped`` through whatever its opener
yields (the webhook ingress: one autocommit connection, whose single statement per
group is its own transaction, without a session's per-group cost).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.dependencies import is_dependency_failure

C = TypeVar("C")
T = TypeVar("T")
R = TypeVar("R")

Write = Callable[[C, Sequence[T]], Awaitable[Sequence[R | BaseException]]]
"""Writes a group through what the opener yields (an open transaction); one result per
item, in order. An item's exception (a refusal that concerns only it) is returned, not
raised; raising fails the whole group."""

Opener = Callable[[], AbstractAsyncContextManager[C]]
"""Opens what a group is written through, committing it on a clean exit."""


@dataclass(eq=False)
class _Pending(Generic[T, R]):
    item: T
    done: asyncio.Future[R] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class Grouped(Generic[C, T, R]):
    """Commits the items of concurrent ``submit`` calls in shared transactions, each
    opened by ``opener``."""

    def __init__(
        self,
        opener: Opener[C],
        write: Write[C, T, R],
        *,
        max_group: int = 256,
    ) -> None:
        self._open = opener
        self._write = write
        self._max_group = max_group
        self._queue: list[_Pending[T, R]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        """Write ``item`` with whatever else is queued; its result once committed."""
        pending: _Pending[T, R] = _Pending(item)
        self._queue.append(pending)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain(), name="group-commit")
        # Shielded: a caller that goes away (a client disconnect, a deadline) must not
        # cancel the write other callers share; its item, once in a group, is written all
        # the same. One still queued is dropped, so a refused request writes nothing.
        try:
            return await asyncio.shield(pending.done)
        except asyncio.CancelledError:
            if pending in self._queue:  # a scan, only when a caller is cancelled
                self._queue.remove(pending)
            raise

    async def _drain(self) -> None:
        while self._queue:
            group, self._queue = self._queue[: self._max_group], self._queue[self._max_group :]
            try:
                results = await self._commit([p.item for p in group])
            except Exception as exc:
                if not is_dependency_failure(exc):
                    await self._one_by_one(group)
                    continue
                for pending in group:  # alone, each would wait for the database again
                    _settle(pending, exc)
            else:
                for pending, result in zip(group, results, strict=True):
                    _settle(pending, result)

    async def _commit(self, items: Sequence[T]) -> Sequence[R | BaseException]:
        async with self._open() as through:
            return await self._write(through, items)

    async def _one_by_one(self, group: Sequence[_Pending[T, R]]) -> None:
        for pending in group:
            try:
                [result] = await self._commit([pending.item])
            except Exception as exc:
                result = exc
            _settle(pending, result)


class GroupCommit(Grouped[AsyncSession, T, R]):
    """Commits the items of concurrent ``submit`` calls in shared session transactions."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        write: Write[AsyncSession, T, R],
        *,
        max_group: int = 256,
    ) -> None:
        @asynccontextmanager
        async def transaction() -> AsyncIterator[AsyncSession]:
            async with sessions() as session, session.begin():
                yield session

        super().__init__(transaction, write, max_group=max_group)


def _settle(pending: _Pending[T, R], result: R | BaseException) -> None:
    if pending.done.done():
        return
    if isinstance(result, BaseException):
        pending.done.set_exception(result)
    else:
        pending.done.set_result(result)


async def per_workspace(
    group: Sequence[T],
    workspace_of: Callable[[T], uuid.UUID],
    write: Callable[[uuid.UUID, list[T]], Awaitable[Sequence[R]]],
    failure: type[Exception],
) -> list[R | BaseException]:
    """``write``'s result for each item of ``group``, in order, one call per workspace (row-
    level security scopes a statement to one). A ``failure`` that ``write`` raises is the
    result of that workspace's items alone: the other workspaces' writes stand."""
    by_workspace: dict[uuid.UUID, list[int]] = {}
    for index, item in enumerate(group):
        by_workspace.setdefault(workspace_of(item), []).append(index)
    results: list[R | BaseException] = [RuntimeError("not written")] * len(group)
    for workspace_id, indexes in by_workspace.items():
        try:
            written: Sequence[R | BaseException] = await write(
                workspace_id, [group[i] for i in indexes]
            )
        except failure as failed:
            written = [failed] * len(indexes)
        for index, result in zip(indexes, written, strict=True):
            results[index] = result
    return results
