"""Webhook-inbox retention: forget processed deliveries and finished forwards by age.

An entry still ``received`` (not yet routed) is never deleted, whatever its age. Any
other entry, and any forward ``delivered`` or ``failed``, goes once older than the keep
period. Deleting an entry also forgets its dedupe id: a provider resending the same
event after that is taken as new, so keep longer than any provider retries (Stripe's
are the longest, three days). A body kept in the payload store goes with its row.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.payloads.process import delete_stored

_PURGE = text(
    """
    WITH inbox AS (
        DELETE FROM webhook_inbox WHERE id IN (
            SELECT id FROM webhook_inbox
            WHERE tenant_id = :tenant_id AND status <> 'received' AND received_at < :before
            LIMIT :limit
        )
        RETURNING body_ref
    ), forwards AS (
        DELETE FROM webhook_forwards WHERE id IN (
            SELECT id FROM webhook_forwards
            WHERE tenant_id = :tenant_id AND state IN ('delivered', 'failed')
              AND finished_at < :before
            LIMIT :limit
        )
        RETURNING body_ref
    )
    SELECT (SELECT count(*) FROM inbox) + (SELECT count(*) FROM forwards),
           ARRAY(SELECT body_ref FROM inbox WHERE body_ref IS NOT NULL
                 UNION ALL SELECT body_ref FROM forwards WHERE body_ref IS NOT NULL)
    """
)


async def purge_before(
    session: AsyncSession, tenant_id: uuid.UUID, *, before: dt.datetime, limit: int
) -> int:
    """Delete up to ``limit`` processed entries and ``limit`` finished forwards of the
    tenant from before ``before``; how many rows went. The session's transaction must be
    scoped to ``tenant_id``."""
    row = (
        await session.execute(_PURGE, {"tenant_id": tenant_id, "before": before, "limit": limit})
    ).one()
    purged, refs = int(row[0] or 0), list(row[1])
    await delete_stored(refs)
    return purged
