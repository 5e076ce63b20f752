"""Webhook sources kept in memory, as connector plans are (ADR 0030, ADR 0036).

A delivery must not cost a database read before it is verified, so each source (row,
resolved secret values, provider spec) is loaded once, by one caller however many
arrive together, and kept until a configuration change notice names its workspace or
``ttl_s`` passes (which heals a missed notice). An unknown id is remembered too, so a
sender spraying made-up ids costs one read per id and TTL, not one per request.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass

from loguru import logger
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.secrets.keyring import KeyRing
from orchestrator.core.webhooks.lookup import SourcePlan, read_source

MAX_ENTRIES = 10_000
"""Past this many cached ids (most of them unknown ones) the cache starts afresh."""


@dataclass(slots=True)
class _Entry:
    plan: SourcePlan | None
    expires_at: float


class SourceCache:
    """Per-process cache of webhook sources with single-flight loading."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], keys: KeyRing, *, ttl_s: float
    ) -> None:
        self._sessions = sessions
        self._keys = keys
        self._ttl_s = ttl_s
        self._entries: dict[uuid.UUID, _Entry] = {}
        self._loading: dict[uuid.UUID, asyncio.Future[SourcePlan | None]] = {}
        # Bumped by every invalidation: a load that began before one must not store
        # what it read, or the change notice would be lost.
        self._generation = 0

    async def get(self, source_id: uuid.UUID) -> SourcePlan | None:
        """The enabled source ``source_id``, or ``None`` (unknown or disabled)."""
        entry = self._entries.get(source_id)
        if entry is None or entry.expires_at <= time.monotonic():
            plan = await self._load(source_id)
        else:
            plan = entry.plan
        return plan if plan is not None and plan.enabled else None

    async def _load(self, source_id: uuid.UUID) -> SourcePlan | None:
        pending = self._loading.get(source_id)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[SourcePlan | None] = asyncio.get_running_loop().create_future()
        self._loading[source_id] = future
        generation = self._generation
        try:
            async with self._sessions() as session, session.begin():
                plan = await read_source(session, self._keys, source_id)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # the waiters re-raise it; do not warn about it
            raise
        else:
            future.set_result(plan)
            if generation == self._generation:
                if len(self._entries) >= MAX_ENTRIES:
                    self._entries.clear()
                self._entries[source_id] = _Entry(plan, time.monotonic() + self._ttl_s)
            return plan
        finally:
            del self._loading[source_id]

    def invalidate(self, tenant_id: uuid.UUID | None = None) -> None:
        """Forget one workspace's sources (a change notice), or every source.

        Unknown ids are kept: a source created since has a fresh id nobody looked up.
        """
        self._generation += 1
        if tenant_id is None:
            self._entries.clear()
            return
        for key in [
            key
            for key, entry in self._entries.items()
            if entry.plan is not None and entry.plan.tenant_id == tenant_id
        ]:
            del self._entries[key]

    async def on_config_change(self, message: bytes) -> None:
        """Drop the sources of the workspace a change notice names (all if unreadable)."""
        try:
            self.invalidate(uuid.UUID(message.decode()))
        except ValueError:
            logger.warning("unreadable config notice; dropping every cached webhook source")
            self.invalidate()
