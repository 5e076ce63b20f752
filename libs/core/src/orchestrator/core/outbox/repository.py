"""Queries of the outbox: claim due rows, mark them published, release, purge."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# Claiming pushes ``available_at`` forward (a visibility timeout) and commits at once, so
# no transaction stays open while the broker is called; a relay that dies after
# claiming leaves rows that become due again when the timeout passes.
_CLAIM = text(
    """
    UPDATE outbox SET available_at = now() + make_interval(secs => :visibility_s)
    WHERE id IN (
        SELECT id FROM outbox
        WHERE published_at IS NULL AND available_at <= now()
        ORDER BY available_at, id
        LIMIT :limit
        FOR UPDATE SKIP LOCKED
    )
    RETURNING id, workspace_id, kind, payload, EXTRACT(EPOCH FROM (now() - created_at)) AS age_s
    """
)
_MARK = text("UPDATE outbox SET published_at = now() WHERE id = ANY(:ids)")
_RELEASE = text(
    "UPDATE outbox SET available_at = now() + make_interval(secs => :delay_s) "
    "WHERE id = ANY(:ids) AND published_at IS NULL"
)
_BEHIND = text(
    "SELECT EXISTS (SELECT 1 FROM outbox WHERE published_at IS NULL "
    "AND available_at < now() - make_interval(secs => :grace_s))"
)
_PURGE = text(
    """
    DELETE FROM outbox WHERE id IN (
        SELECT id FROM outbox
        WHERE published_at IS NOT NULL AND published_at < :before
        LIMIT :limit
    )
    """
)


@dataclass(frozen=True, slots=True)
class ClaimedMessage:
    """An outbox row a relay holds until it marks or releases it."""

    id: int
    workspace_id: uuid.UUID
    kind: str
    payload: dict[str, Any]
    age_s: float
    """Seconds since the row was written (for the dispatch-latency metric)."""


async def claim_due(
    session: AsyncSession, *, limit: int, visibility_s: float
) -> list[ClaimedMessage]:
    """Up to ``limit`` due, unpublished rows, hidden from other relays for ``visibility_s``."""
    rows = await session.execute(_CLAIM, {"limit": limit, "visibility_s": visibility_s})
    return sorted(
        (ClaimedMessage(r.id, r.workspace_id, r.kind, r.payload, float(r.age_s)) for r in rows),
        key=lambda m: m.id,
    )


async def mark_published(session: AsyncSession, ids: Sequence[int]) -> None:
    """Record that these rows reached the broker."""
    await session.execute(_MARK, {"ids": list(ids)})


async def release(session: AsyncSession, ids: Sequence[int], *, delay_s: float) -> None:
    """Make claimed rows due again after ``delay_s`` (the broker refused them)."""
    await session.execute(_RELEASE, {"ids": list(ids), "delay_s": delay_s})


async def purge_published(session: AsyncSession, *, before: dt.datetime, limit: int) -> int:
    """Delete up to ``limit`` rows published before ``before``; how many went."""
    result = await session.execute(_PURGE, {"before": before, "limit": limit})
    return int(result.rowcount)  # type: ignore[attr-defined]


async def relay_behind(session: AsyncSession, *, grace_s: float) -> bool:
    """Whether some row has been due for more than ``grace_s`` and is still unpublished."""
    return bool(await session.scalar(_BEHIND, {"grace_s": grace_s}))
