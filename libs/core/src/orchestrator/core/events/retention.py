"""Event-log retention: delete old events, and refuse readers who would miss them.

Retention deletes a prefix of each workspace's log in ``(xid, id)`` order, the order
readers page in: the oldest events, stopping at the first one still inside the keep
window. The last event deleted becomes the workspace's horizon (``event_log_horizons``),
in the same statement. Every event at or below the horizon is gone and every event above
it is kept, so a cursor at or above it resumes with no gap, and a cursor below it may
have lost events and is refused (410 ``cursor-expired``) instead of skipping them.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.errors import CursorExpired
from orchestrator.core.events.cursor import EventCursor
from orchestrator.core.models import EventLogHorizon

_PURGE = text(
    """
    WITH head AS (
        -- The oldest events in reading order, only final ones (below the snapshot's xmin).
        SELECT id, xid, created_at FROM event_log
        WHERE tenant_id = :tenant_id
          AND xid < (pg_snapshot_xmin(pg_current_snapshot())::text)::bigint
        ORDER BY xid, id
        LIMIT :limit
    ), kept AS (
        SELECT xid, id FROM head WHERE created_at >= :before ORDER BY xid, id LIMIT 1
    ), gone AS (
        DELETE FROM event_log
        WHERE id IN (
            SELECT head.id FROM head
            WHERE NOT EXISTS (SELECT 1 FROM kept)
               OR (head.xid, head.id) < (SELECT xid, id FROM kept)
        )
        RETURNING xid, id
    ), horizon AS (
        INSERT INTO event_log_horizons (tenant_id, xid, id)
        SELECT :tenant_id, xid, id FROM gone ORDER BY xid DESC, id DESC LIMIT 1
        ON CONFLICT (tenant_id) DO UPDATE SET xid = EXCLUDED.xid, id = EXCLUDED.id,
                                              updated_at = now()
        WHERE (event_log_horizons.xid, event_log_horizons.id) < (EXCLUDED.xid, EXCLUDED.id)
    )
    SELECT count(*) FROM gone
    """
)


async def purge_before(
    session: AsyncSession, tenant_id: uuid.UUID, *, before: dt.datetime, limit: int
) -> int:
    """Delete up to ``limit`` of the tenant's oldest events created before ``before`` (a
    prefix of the log in reading order) and raise its horizon to the last; how many went.
    The session's transaction must be scoped to ``tenant_id``."""
    purged = await session.scalar(
        _PURGE, {"tenant_id": tenant_id, "before": before, "limit": limit}
    )
    return int(purged or 0)


async def horizon(session: AsyncSession, tenant_id: uuid.UUID) -> EventCursor | None:
    """The last event retention deleted from the tenant's log; None if it deleted none."""
    row = (
        await session.execute(
            select(EventLogHorizon.xid, EventLogHorizon.id).where(
                EventLogHorizon.tenant_id == tenant_id
            )
        )
    ).one_or_none()
    return None if row is None else EventCursor(row.xid, row.id)


def is_expired(cursor: EventCursor, purged_to: EventCursor | None) -> bool:
    """Whether events after ``cursor`` may have been purged: it lies below the horizon
    (at the horizon the reader saw the last purged event, so nothing is missing)."""
    return purged_to is not None and cursor < purged_to


async def check_cursor(session: AsyncSession, tenant_id: uuid.UUID, cursor: EventCursor) -> None:
    """410 ``cursor-expired`` when events after ``cursor`` may have been purged."""
    purged_to = await horizon(session, tenant_id)
    if is_expired(cursor, purged_to):
        assert purged_to is not None
        raise CursorExpired(
            "Events after this cursor were deleted by the event log's retention; read again "
            "from the start (without a cursor) or from the live tail.",
            horizon=purged_to.encode(),
        )
