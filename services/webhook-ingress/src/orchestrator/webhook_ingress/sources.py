"""Webhook sources kept in memory, as connector plans are (ADR 0030, ADR 0036).

A delivery must not cost a database read before it is verified, so each source (row,
resolved secret values, provider spec) is loaded once, by one caller however many
arrive together, and kept until a configuration change notice names its workspace or
``ttl_s`` passes (which heals a missed notice). An unknown id is remembered too, so a
sender spraying made-up ids costs one read per id and TTL (or notice), not one per request.
"""

from __future__ import annotations

import uuid

from loguru import logger
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.secrets.keyring import KeyRing
from orchestrator.core.single_flight import MISSING, SingleFlightCache
from orchestrator.core.webhooks.lookup import SourcePlan, read_source

MAX_ENTRIES = 10_000
"""Past this many cached ids (most of them unknown ones) the cache starts afresh."""


class SourceCache:
    """Per-process cache of webhook sources with single-flight loading."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], keys: KeyRing, *, ttl_s: float
    ) -> None:
        self._sessions = sessions
        self._keys = keys
        self._sources = SingleFlightCache[uuid.UUID, SourcePlan | None](
            ttl_s=ttl_s, max_entries=MAX_ENTRIES
        )

    async def get(self, source_id: uuid.UUID) -> SourcePlan | None:
        """The enabled source ``source_id``, or ``None`` (unknown or disabled)."""
        plan = self._sources.cached(source_id)
        if plan is MISSING:
            plan = await self._sources.load(source_id, lambda: self._read(source_id))
        return plan if plan is not None and plan.enabled else None

    async def _read(self, source_id: uuid.UUID) -> SourcePlan | None:
        async with self._sessions() as session, session.begin():
            return await read_source(session, self._keys, source_id)

    def invalidate(self, tenant_id: uuid.UUID | None = None) -> None:
        """Forget one workspace's sources (a change notice), or every source.

        Unknown ids go too: the notice names no id, and an id may come back (a rollback
        restores a deleted source at its old id, ADR 0077).
        """
        self._sources.invalidate(
            None
            if tenant_id is None
            else lambda _, plan: plan is None or plan.tenant_id == tenant_id
        )

    async def on_config_change(self, message: bytes) -> None:
        """Drop the sources of the workspace a change notice names (all if unreadable)."""
        try:
            self.invalidate(uuid.UUID(message.decode()))
        except ValueError:
            logger.warning("unreadable config notice; dropping every cached webhook source")
            self.invalidate()
