"""A per-process cache whose concurrent misses share one load (connector plans, webhook
sources: what a hot path must not read from the database per request).

Entries live until ``ttl_s`` passes or an invalidation drops them. A load that began
before an invalidation still answers its callers, but is not stored: what it read may
predate the change the invalidation announced.
"""

from __future__ import annotations

import asyncio
import enum
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Final, Generic, Literal, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _Abandoned(Exception):
    """What waiters of a load get when its loader was cancelled: they load it themselves."""


class _Missing(enum.Enum):
    MISSING = enum.auto()


MISSING: Final = _Missing.MISSING
"""What ``cached`` gives for a key with no fresh entry."""
Missing = Literal[_Missing.MISSING]


@dataclass(slots=True)
class _Entry(Generic[V]):
    value: V
    expires_at: float


class SingleFlightCache(Generic[K, V]):
    """Values by key, each loaded by one caller however many ask for it together."""

    def __init__(self, *, ttl_s: float, max_entries: int | None = None) -> None:
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._entries: dict[K, _Entry[V]] = {}
        self._loading: dict[K, asyncio.Future[V]] = {}
        self._generation = 0

    def cached(self, key: K) -> V | Missing:
        """The fresh value of ``key``, or ``MISSING``; never waits."""
        entry = self._entries.get(key)
        if entry is None or entry.expires_at <= time.monotonic():
            return MISSING
        return entry.value

    async def load(self, key: K, read: Callable[[], Awaitable[V]]) -> V:
        """``read()`` the value of ``key`` and keep it, or wait for the load in flight.

        A failed read is not kept: its waiters get its exception, the next caller reads
        again. A read cancelled with its caller (a request's deadline) fails none of its
        waiters: each goes on as if it had come first.
        """
        while (pending := self._loading.get(key)) is not None:
            try:
                return await asyncio.shield(pending)
            except _Abandoned:
                continue
        future: asyncio.Future[V] = asyncio.get_running_loop().create_future()
        self._loading[key] = future
        generation = self._generation
        try:
            value = await read()
        except BaseException as exc:
            # A cancellation is the loader's own, never its waiters'.
            future.set_exception(exc if isinstance(exc, Exception) else _Abandoned())
            future.exception()  # the waiters re-raise it; do not warn about it
            raise
        else:
            future.set_result(value)
            if generation == self._generation:
                if self._max_entries is not None and len(self._entries) >= self._max_entries:
                    self._entries.clear()
                self._entries[key] = _Entry(value, time.monotonic() + self._ttl_s)
            return value
        finally:
            del self._loading[key]

    async def get(self, key: K, read: Callable[[], Awaitable[V]]) -> V:
        """The cached value of ``key``, else ``load(key, read)``."""
        value = self.cached(key)
        return await self.load(key, read) if value is MISSING else value

    def invalidate(self, where: Callable[[K, V], bool] | None = None) -> None:
        """Drop the entries ``where`` picks (all without it); stop loads in flight from
        storing what they read."""
        self._generation += 1
        if where is None:
            self._entries.clear()
            return
        for key in [key for key, entry in self._entries.items() if where(key, entry.value)]:
            del self._entries[key]
