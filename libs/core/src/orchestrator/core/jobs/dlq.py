"""The operator's side of the DLQ: list, replay and purge a workspace's dead jobs.

Runs in the caller's tenant-scoped transaction and never commits. Replay is the product
backends' replay (``replay.replay_many``); purge deletes dead jobs for good, each with a
``job.purged`` event. Both are audited with the operator and the reason.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.configuration.public import Mutation, audit_change
from orchestrator.core.events.wake import Notifier, after_commit
from orchestrator.core.jobs.dead_queries import DeadFilter, purge_dead
from orchestrator.core.jobs.replay import MAX_REPLAY_BATCH, replay_many

PURGED_EVENT = "job.purged"
"""Appended for each dead job an operator purged (a deletion, not a status change)."""
MAX_BATCH = MAX_REPLAY_BATCH
"""The most dead jobs one replay or purge acts on."""


def filter_view(f: DeadFilter) -> dict[str, Any]:
    """The audited shape of a DLQ filter."""
    return {
        "connector": f.connector,
        "operation": f.operation,
        "dead_since": f.dead_since.isoformat() if f.dead_since else None,
    }


async def replay(
    session: AsyncSession, notifier: Notifier, m: Mutation, f: DeadFilter, *, limit: int
) -> list[uuid.UUID]:
    """Queue again up to ``limit`` dead jobs matching ``f``, the oldest dead first (as
    ``replay.replay_many``), and audit it when any was; their ids."""
    ids = await replay_many(session, notifier, m.tenant_id, f, limit=limit)
    if ids:
        await _audit(session, m, "replay", "replayed", f, ids)
    return ids


async def purge(
    session: AsyncSession, notifier: Notifier, m: Mutation, f: DeadFilter, *, limit: int
) -> list[uuid.UUID]:
    """Delete up to ``limit`` dead jobs matching ``f``, the oldest dead first, with their
    runs, a ``job.purged`` event each and an audit record; their ids."""
    ids = await purge_dead(
        session, m.tenant_id, f, limit=min(limit, MAX_BATCH), event_type=PURGED_EVENT
    )
    if ids:
        after_commit(session, lambda: notifier.events_appended(m.tenant_id))
        await _audit(session, m, "purge", "purged", f, ids)
    return ids


async def _audit(
    session: AsyncSession,
    m: Mutation,
    action: str,
    done: str,
    f: DeadFilter,
    ids: list[uuid.UUID],
) -> None:
    """The audit record of a DLQ ``action`` on ``ids``, listed under ``done``."""
    await audit_change(
        session,
        m,
        f"dlq.{action}",
        "dlq",
        None,
        {"filter": filter_view(f), "count": len(ids), done: [str(i) for i in ids]},
    )
