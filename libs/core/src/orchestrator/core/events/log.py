"""Append events and read them back in an order no late commit can break.

An event row carries the id of the transaction that wrote it (``xid``). Rows
are read in ``(xid, id)`` order, and only those whose ``xid`` is below
``pg_snapshot_xmin(pg_current_snapshot())``: every transaction under that
horizon has ended, so no row can still appear behind a cursor. Rows at or
above it are withheld until their transaction (and every older one) ends.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.events.cursor import EventCursor
from orchestrator.core.models import Event

_READ = text(
    """
    SELECT id, xid, job_id, type, data, created_at,
           (pg_snapshot_xmin(pg_current_snapshot())::text)::bigint AS horizon
    FROM event_log
    WHERE tenant_id = :tenant_id AND (xid, id) > (:xid, :id)
      AND (CAST(:job_id AS uuid) IS NULL OR job_id = CAST(:job_id AS uuid))
    ORDER BY xid, id
    LIMIT :limit
    """
)
_HORIZON = text("SELECT (pg_snapshot_xmin(pg_current_snapshot())::text)::bigint")
_LATEST = text(
    """
    SELECT id, xid, job_id, type, data, created_at
    FROM event_log
    WHERE tenant_id = :tenant_id
      AND xid < (pg_snapshot_xmin(pg_current_snapshot())::text)::bigint
    ORDER BY xid DESC, id DESC
    LIMIT :limit
    """
)


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """One event as read back."""

    cursor: EventCursor
    job_id: uuid.UUID | None
    type: str
    data: dict[str, Any]
    created_at: dt.datetime


def _stored(row: Row[Any]) -> StoredEvent:
    """An ``event_log`` row as read back."""
    return StoredEvent(
        cursor=EventCursor(row.xid, row.id),
        job_id=row.job_id,
        type=row.type,
        data=row.data,
        created_at=row.created_at,
    )


@dataclass(frozen=True, slots=True)
class EventPage:
    """Events after a cursor; ``pending`` when newer ones exist but are not final yet."""

    events: list[StoredEvent]
    next: EventCursor
    pending: bool


async def append(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    type_: str,
    data: dict[str, Any],
    *,
    job_id: uuid.UUID | None = None,
) -> None:
    """Add one event in the caller's transaction (scoped to ``tenant_id``)."""
    await session.execute(
        insert(Event).values(tenant_id=tenant_id, job_id=job_id, type=type_, data=data)
    )


async def read_after(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    after: EventCursor,
    *,
    limit: int,
    job_id: uuid.UUID | None = None,
) -> EventPage:
    """Up to ``limit`` final events after ``after``, oldest first."""
    rows = (
        await session.execute(
            _READ,
            {
                "tenant_id": tenant_id,
                "xid": after.xid,
                "id": after.id,
                "job_id": job_id,
                "limit": limit,
            },
        )
    ).all()
    events: list[StoredEvent] = []
    pending = False
    for row in rows:
        if row.xid >= row.horizon:
            pending = True  # ordered by xid: every later row is past the horizon too
            break
        events.append(_stored(row))
    return EventPage(events=events, next=events[-1].cursor if events else after, pending=pending)


async def latest(session: AsyncSession, tenant_id: uuid.UUID, *, limit: int) -> list[StoredEvent]:
    """The ``limit`` newest final events, newest first: a backward scan of the
    ``(tenant_id, xid, id)`` index. Only final ones, as ``read_after`` shows them, so the
    newest id is a cursor a reader can resume after without skipping a late commit."""
    rows = await session.execute(_LATEST, {"tenant_id": tenant_id, "limit": limit})
    return [_stored(row) for row in rows]


async def tail(session: AsyncSession) -> EventCursor:
    """A cursor after every event that is final now: where a live stream starts."""
    horizon = await session.scalar(_HORIZON)
    return EventCursor.tail(int(horizon or 0))
